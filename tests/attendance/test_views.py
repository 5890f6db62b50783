"""The roll screen, the monthly sheet and the alerts, as coordinators and others reach them."""

import io
import re
from datetime import date, timedelta

import pytest
from openpyxl import load_workbook
from sqlalchemy import event

from daycentre.attendance import services as attendance
from daycentre.attendance.models import Attendance, AttendanceStatus, RollCall
from daycentre.attendance.services import Mark
from daycentre.audit.models import AuditEntry
from daycentre.centres.calendar import closed_days
from daycentre.core.localtime import today
from daycentre.extensions import db
from daycentre.meals.models import MealServed, Menu
from tests.attendance.helpers import operating_days_back, weekend_day
from tests.conftest import text_of
from tests.factories import (
    make_centre,
    make_child,
    make_enrolment,
    make_group,
    make_group_of_children,
    make_meal_type,
    make_user,
)


@pytest.fixture
def group(centre):
    return make_group(centre, name="Clasele I–IV")


@pytest.fixture
def day(centre):
    return operating_days_back(centre, 1)[0]


def _roll_url(group, day):
    return f"/attendance/groups/{group.id}/roll?day={day.isoformat()}"


def _default_form(page: str) -> dict:
    """What the browser sends for the page as it opens: the checked radios and boxes, hidden fields."""
    data = {}
    for tag in re.findall(r"<input[^>]*>", page):
        name = re.search(r'name="([^"]+)"', tag)
        if not name:
            continue
        kind = (re.search(r'type="([^"]+)"', tag) or [None, "text"])[1]
        value = (re.search(r'value="([^"]*)"', tag) or [None, ""])[1]
        if kind in ("radio", "checkbox") and " checked" not in tag:
            continue
        if kind == "submit":
            continue
        data.setdefault(name.group(1), []).append(value)
    return data


def test_coordinator_takes_the_roll_with_three_taps_and_one_save(
    client, login_as, centre, group, day
):
    """25 children, 3 absent: the page opens with everyone present; 3 taps and the save."""
    login_as("coordinator")
    children = make_group_of_children(group, 25)
    lunch = make_meal_type(centre, name="Masă caldă")
    page = client.get(_roll_url(group, day)).get_data(as_text=True)
    assert page.count('value="present" checked') == 25
    data = _default_form(page)
    assert data["version"] == ["0"]
    assert all(data[f"meal-{c.id}"] == [str(lunch.id)] for c in children)
    # The three taps: two unexcused, one excused. The meals stay ticked, as without the script.
    data[f"status-{children[3].id}"] = ["absent_unexcused"]
    data[f"status-{children[7].id}"] = ["absent_unexcused"]
    data[f"status-{children[20].id}"] = ["absent_excused"]
    response = client.post(_roll_url(group, day), data=data)
    assert response.status_code == 302
    stored = dict(db.session.execute(db.select(Attendance.person_id, Attendance.status)).all())
    assert len(stored) == 25
    assert sum(s is AttendanceStatus.PRESENT for s in stored.values()) == 22
    assert stored[children[20].id] is AttendanceStatus.ABSENT_EXCUSED
    meals = set(db.session.scalars(db.select(MealServed.person_id)))
    assert len(meals) == 22 and children[3].id not in meals
    saved = text_of(client.get(_roll_url(group, day)))
    assert "Prezența a fost salvată: 22 de prezenți, 3 absenți." in saved
    # The roll's status line counts in Romanian: "1 absență", "2 absențe", "22 de prezenți".
    assert "22 de prezenți, 1 absență motivată, 2 absențe nemotivate." in saved


def test_the_roll_page_as_it_opens_saves_with_the_csrf_check_on(
    app, client, login_as, centre, group, day
):
    """The roll form's hidden fields are written out by hand (not by WTForms): with the CSRF
    check on, the page as it opens carries the token, the version and the save button."""
    login_as("coordinator")
    children = make_group_of_children(group, 3)
    app.config["WTF_CSRF_ENABLED"] = True
    page = client.get(_roll_url(group, day)).get_data(as_text=True)
    assert '<input accesskey="s" id="submit" name="submit" type="submit"' in page
    data = _default_form(page)
    assert data["version"] == ["0"] and data["csrf_token"][0]
    data[f"status-{children[1].id}"] = ["absent_excused"]
    assert client.post(_roll_url(group, day), data=data).status_code == 302
    stored = dict(db.session.execute(db.select(Attendance.person_id, Attendance.status)).all())
    assert stored[children[1].id] is AttendanceStatus.ABSENT_EXCUSED and len(stored) == 3
    data.pop("csrf_token")
    assert client.post(_roll_url(group, day), data=data).status_code == 400


def test_roll_page_in_hungarian_shows_allergy_and_diet_and_the_menu_warning(
    client, login_as, centre, group, day, users
):
    users["coordinator"].locale = "hu"
    login_as("coordinator")
    child = make_child(centre=centre, family_name="Kovács", given_name="Anna", allergies="dió, tej")
    make_enrolment(child, group)
    plain = make_child(centre=centre, family_name="Szabó", given_name="Béla", diet="vegetáriánus")
    make_enrolment(plain, group)
    lunch = make_meal_type(centre, name="Meleg ebéd")
    db.session.add(
        Menu(
            centre_id=centre.id,
            meal_type_id=lunch.id,
            day=day,
            dishes="Tejbegríz",
            allergens="tej, glutén",
        )
    )
    page = text_of(client.get(_roll_url(group, day)))
    assert "Kovács Anna" in page and "Szabó Béla" in page
    assert page.index("Kovács Anna") < page.index("Szabó Béla")
    assert "Jelen" in page and "Igazolt hiányzás" in page
    assert "Allergiák: dió, tej" in page
    assert "Étrend: vegetáriánus" in page or "Diéta: vegetáriánus" in page
    assert "Tejbegríz" in page
    assert "Az étrend tartalmazza: tej" in page


def test_two_people_saving_the_same_roll_are_merged_child_by_child(
    client, login_as, centre, group, day, users
):
    """The second to save keeps their own changes; a child both changed comes back with both
    marks, and the one chosen is saved."""
    login_as("coordinator")
    children = make_group_of_children(group, 3)
    data = _default_form(client.get(_roll_url(group, day)).get_data(as_text=True))
    attendance.record_roll(
        group,
        day,
        {
            children[0].id: Mark(AttendanceStatus.ABSENT_EXCUSED),
            children[1].id: Mark(AttendanceStatus.ABSENT_EXCUSED),
            children[2].id: Mark(AttendanceStatus.PRESENT),
        },
        actor=users["admin"],
        version=0,
    )
    db.session.commit()
    data[f"status-{children[1].id}"] = ["absent_unexcused"]
    data[f"status-{children[2].id}"] = ["absent_unexcused"]
    response = client.post(_roll_url(group, day), data=data)
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    text = text_of(response)
    assert "Altcineva a modificat prezența a 1 copil după ce ați deschis lista" in text
    assert "Salvat între timp: Absență motivată" in text
    assert "A dumneavoastră: Absență nemotivată" in text
    assert page.count("data-conflict>") == 1 and f'name="keep-{children[1].id}"' in page
    stored = dict(db.session.execute(db.select(Attendance.person_id, Attendance.status)).all())
    assert stored == {
        children[0].id: AttendanceStatus.ABSENT_EXCUSED,  # theirs, untouched here
        children[1].id: AttendanceStatus.ABSENT_EXCUSED,  # both changed: not saved yet
        children[2].id: AttendanceStatus.ABSENT_UNEXCUSED,  # ours
    }
    # The page that came back holds what was sent; choosing "theirs" keeps the stored mark.
    again = _default_form(page)
    assert again[f"status-{children[1].id}"] == ["absent_unexcused"]
    again[f"keep-{children[1].id}"] = ["theirs"]
    assert client.post(_roll_url(group, day), data=again).status_code == 302
    stored = dict(db.session.execute(db.select(Attendance.person_id, Attendance.status)).all())
    assert stored[children[1].id] is AttendanceStatus.ABSENT_EXCUSED
    assert stored[children[2].id] is AttendanceStatus.ABSENT_UNEXCUSED


def test_bad_input_is_refused_with_a_translated_message_and_changes_nothing(
    client, login_as, centre, group, day
):
    login_as("coordinator")
    children = make_group_of_children(group, 2)
    stranger = make_child(centre=centre, family_name="Străin")
    base = {
        "version": "0",
        f"status-{children[0].id}": "present",
        f"status-{children[1].id}": "present",
    }
    for data, message in [
        (base | {f"status-{children[1].id}": "maybe"}, "Alegeți prezent, motivat sau nemotivat"),
        (base | {f"status-{stranger.id}": "present"}, "Doar copiii înscriși activ"),
        (base | {f"arrives-{children[0].id}": "25:61"}, "Introduceți ora în formatul oo:mm"),
        (base | {f"note-{children[0].id}": "x" * 301}, "cel mult 300 de caractere"),
    ]:
        response = client.post(_roll_url(group, day), data=data)
        assert response.status_code == 200
        assert message in text_of(response)
    assert db.session.scalar(db.select(db.func.count(Attendance.id))) == 0
    assert db.session.scalar(db.select(db.func.count(RollCall.id))) == 0


def test_future_days_and_weekends_take_no_roll(client, login_as, centre, group):
    login_as("coordinator")
    make_group_of_children(group, 1)
    future = client.get(_roll_url(group, today() + timedelta(days=1)), follow_redirects=True)
    assert "Prezența nu se poate face pentru o zi viitoare." in text_of(future)
    weekend = text_of(client.get(_roll_url(group, weekend_day())))
    assert "Nu este zi de funcționare" in weekend
    assert 'name="status-' not in client.get(_roll_url(group, weekend_day())).get_data(as_text=True)


def test_a_closed_day_offers_the_working_days_around_it(client, login_as, centre, group):
    login_as("coordinator")
    make_group_of_children(group, 1)
    saturday = weekend_day(today() - timedelta(days=7))
    friday, monday = saturday - timedelta(days=1), saturday + timedelta(days=2)
    closures = [d for d in (friday, monday) if d in closed_days(centre, group, d, d)]
    if closures:  # a public holiday next to the weekend: the test needs plain working days
        pytest.skip(f"{closures} are public holidays")
    page = client.get(_roll_url(group, saturday)).get_data(as_text=True)
    assert f'href="{_roll_url(group, friday)}" data-working-day="previous"' in page
    assert f'href="{_roll_url(group, monday)}" data-working-day="next"' in page
    # A working day in the future is not offered: its roll cannot be taken yet.
    this_weekend = weekend_day(today() + timedelta(days=6 - today().weekday()))
    if this_weekend <= today():
        page = client.get(_roll_url(group, this_weekend)).get_data(as_text=True)
        assert 'data-working-day="next"' not in page


def test_volunteers_cannot_see_the_roll_and_counsellors_only_read(
    client, login, centre, group, day, users
):
    make_group_of_children(group, 1)
    login(users["volunteer"])
    assert client.get(_roll_url(group, day)).status_code == 403
    client.post("/auth/logout")
    login(users["counsellor"])
    page = client.get(_roll_url(group, day))
    assert page.status_code == 200
    assert 'name="status-' not in page.get_data(as_text=True)
    assert client.post(_roll_url(group, day), data={"version": "0"}).status_code == 403


def test_another_centres_group_answers_404(client, login, centre, group, day):
    other = make_centre(name="Centrul din Covasna")
    outsider = make_user("coordinator", centres=[other])
    make_group_of_children(group, 1)
    login(outsider)
    assert client.get(_roll_url(group, day)).status_code == 404
    assert client.post(_roll_url(group, day), data={"version": "0"}).status_code == 404
    assert client.get(f"/attendance/groups/{group.id}/sheet").status_code == 404


def test_old_days_are_read_only_for_coordinators(client, login_as, centre, group, app):
    login_as("coordinator")
    make_group_of_children(group, 1, start=date(2026, 1, 5))
    old = operating_days_back(
        centre, 1, today() - timedelta(days=app.config["ATTENDANCE_CORRECTION_DAYS"] + 1)
    )[0]
    page = client.get(_roll_url(group, old))
    assert 'name="status-' not in page.get_data(as_text=True)
    assert "doar de un administrator" in text_of(page)


def test_the_admin_corrects_an_old_day_and_the_change_is_audited(
    client, login_as, centre, group, app, users
):
    from daycentre.audit.models import AuditEntry

    children = make_group_of_children(group, 1, start=date(2026, 1, 5))
    window = app.config["ATTENDANCE_CORRECTION_DAYS"]
    old = operating_days_back(centre, 1, today() - timedelta(days=window + 3))[0]
    attendance.record_roll(
        group, old, {children[0].id: Mark(AttendanceStatus.PRESENT)}, actor=users["admin"]
    )
    db.session.commit()
    login_as("admin")
    data = _default_form(client.get(_roll_url(group, old)).get_data(as_text=True))
    assert data["version"] == ["1"]
    data[f"status-{children[0].id}"] = ["absent_excused"]
    assert client.post(_roll_url(group, old), data=data).status_code == 302
    entry = db.session.scalars(
        db.select(AuditEntry).where(
            AuditEntry.entity == "attendances", AuditEntry.action == "update"
        )
    ).one()
    assert entry.changes["status"] == ["present", "absent_excused"]
    assert entry.actor_id == users["admin"].id


def _count_queries(client, url) -> int:
    statements = []

    def count(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    engine = db.engine
    event.listen(engine, "before_cursor_execute", count)
    try:
        assert client.get(url).status_code == 200
    finally:
        event.remove(engine, "before_cursor_execute", count)
    return len(statements)


def test_the_roll_and_the_sheet_run_the_same_few_queries_for_5_or_25_children(
    client, login_as, centre, users, day
):
    login_as("coordinator")
    lunch = make_meal_type(centre)
    counts = {}
    for size in (5, 25):
        group = make_group(centre, name=f"Grupa de {size}", capacity=30)
        children = make_group_of_children(group, size, start=date(2026, 1, 5))
        for past in operating_days_back(centre, 3, day):
            attendance.record_roll(
                group,
                past,
                {c.id: Mark(AttendanceStatus.PRESENT) for c in children},
                {c.id: {lunch.id} for c in children},
                actor=users["admin"],
            )
        db.session.commit()
        counts[size] = (
            _count_queries(client, _roll_url(group, day)),
            _count_queries(client, f"/attendance/groups/{group.id}/sheet?month={day:%Y-%m}"),
        )
    assert counts[5] == counts[25]
    assert max(counts[5]) <= 15, counts
    # The roll page: the user, then the group with its roll call and what its day holds (the meal
    # types with the menus, the programme's slots, the children with their marks, meals,
    # parents' reports and departures), as its floor in the benchmark reads it: one statement.
    assert counts[5][0] == 2, counts


def test_monthly_sheet_in_hungarian_as_page_pdf_and_xlsx(client, login_as, centre, group, users):
    users["coordinator"].locale = "hu"
    login_as("coordinator")
    children = make_group_of_children(group, 3)
    for day, status in [
        (date(2026, 10, 1), "absent_unexcused"),
        (date(2026, 10, 2), "absent_excused"),
    ]:
        attendance.record_roll(
            group,
            day,
            {
                c.id: Mark(
                    AttendanceStatus(status) if c is children[0] else AttendanceStatus.PRESENT
                )
                for c in children
            },
            actor=users["admin"],
        )
    db.session.commit()
    page = text_of(client.get(f"/attendance/groups/{group.id}/sheet?month=2026-10"))
    assert "Jelenléti ív Clasele I–IV 2026. október" in page and "22 működési nap" in page
    xlsx = client.get(f"/attendance/groups/{group.id}/sheet.xlsx?month=2026-10")
    assert xlsx.status_code == 200
    sheet = load_workbook(io.BytesIO(xlsx.data)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:3] == ("Sorszám", "Név", "1")
    assert rows[0][-3:] == ("J", "I", "H")
    first = rows[1]
    assert first[2] == "H" and first[3] == "I" and first[4] == "–"
    assert first[-3:] == (0, 1, 1)
    assert rows[2][2] == "J"
    pdf = client.get(f"/attendance/groups/{group.id}/sheet.pdf?month=2026-10")
    assert pdf.data.startswith(b"%PDF")
    assert pdf.headers["Content-Type"] == "application/pdf"


def test_each_download_of_the_sheet_is_audited(client, login_as, group):
    user = login_as("coordinator")
    make_group_of_children(group, 3)
    db.session.commit()
    for kind in ("xlsx", "pdf"):
        assert (
            client.get(f"/attendance/groups/{group.id}/sheet.{kind}?month=2026-10").status_code
            == 200
        )
    exports = db.session.scalars(db.select(AuditEntry).filter_by(action="export")).all()
    assert [(e.entity, e.entity_id, e.actor_id, e.centre_id) for e in exports] == [
        ("groups", group.id, user.id, group.centre_id)
    ] * 2
    assert [(e.changes["format"], e.changes["month"], e.changes["rows"]) for e in exports] == [
        ("xlsx", "2026-10", 3),
        ("pdf", "2026-10", 3),
    ]


def test_sheet_pdf_of_25_children_is_one_landscape_page(client, login_as, centre, users):
    from pypdf import PdfReader

    login_as("coordinator")
    group = make_group(centre, name="Mare", capacity=30)
    make_group_of_children(group, 25)
    response = client.get(f"/attendance/groups/{group.id}/sheet.pdf?month=2026-10")
    reader = PdfReader(io.BytesIO(response.data))
    assert len(reader.pages) == 1
    box = reader.pages[0].mediabox
    assert box.width > box.height


def test_home_page_warns_about_unexcused_absences(client, login_as, centre, group, users):
    children = make_group_of_children(group, 2, start=date(2026, 1, 5))
    days = list(reversed(operating_days_back(centre, 3)))
    for day in days:
        attendance.record_roll(
            group,
            day,
            {
                children[0].id: Mark(AttendanceStatus.ABSENT_UNEXCUSED),
                children[1].id: Mark(AttendanceStatus.PRESENT),
            },
            actor=users["admin"],
        )
    db.session.commit()
    login_as("coordinator")
    page = text_of(client.get("/"))
    assert "Alerte de absență" in page
    assert "Ana Familia00" in page and "3 absențe nemotivate la rând" in page
    assert "Ana Familia01" not in page


def test_alert_thresholds_form_saves_per_centre(client, login_as, centre):
    login_as("coordinator")
    response = client.post(
        f"/attendance/centres/{centre.id}/alerts",
        data={"version": "0", "consecutive_unexcused": "5", "unexcused_percent": "30"},
    )
    assert response.status_code == 302
    rule = attendance.alert_rule(centre.id)
    assert (rule.consecutive_unexcused, rule.unexcused_percent) == (5, 30)


def test_home_page_leads_to_todays_roll_of_each_group(client, login_as, centre, group):
    login_as("coordinator")
    make_group_of_children(group, 1)
    page = client.get("/")
    if today() in attendance.closed_days(centre, None, today(), today()):
        assert f"/attendance/groups/{group.id}/roll" not in page.get_data(as_text=True)
        return
    assert f'href="/attendance/groups/{group.id}/roll"' in page.get_data(as_text=True)
    assert "Clasele I–IV · de făcut" in text_of(page)


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        (
            "ro",
            [
                "1 absență nemotivată la rând",
                "2 absențe nemotivate la rând",
                "20 de absențe nemotivate la rând",
            ],
        ),
        (
            "hu",
            [
                "1 igazolatlan hiányzás egymás után",
                "2 igazolatlan hiányzás egymás után",
                "20 igazolatlan hiányzás egymás után",
            ],
        ),
    ],
)
def test_alert_counts_use_the_languages_plural_forms(app, language, expected):
    from flask_babel import force_locale, ngettext

    with app.test_request_context(), force_locale(language):
        said = [
            ngettext("%(num)d unexcused absence in a row", "%(num)d unexcused absences in a row", n)
            for n in (1, 2, 20)
        ]
    assert said == expected
