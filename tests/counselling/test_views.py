from datetime import date, datetime, time

import pytest

from daycentre.audit.models import AuditEntry
from daycentre.core.localtime import BUCHAREST
from daycentre.counselling.models import CalendarFeed, CounsellingSession, SessionNote
from daycentre.extensions import db
from tests.conftest import text_of
from tests.factories import make_child, make_family, make_room, make_session, make_user

NOTE = "Tatăl a povestit despre datoriile familiei"


def at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute)).replace(tzinfo=BUCHAREST)


@pytest.fixture
def setting(app, centre, users):
    centre.opens_at = time(8, 0)
    room = make_room(centre, name="Cabinet 1")
    family = make_family(centre, name="Kovács")
    child = make_child(family, given_name="Anna")
    db.session.commit()
    return {"centre": centre, "room": room, "family": family, "child": child, **users}


def booking_form(s, **fields):
    return {
        "beneficiary": f"p{s['child'].id}",
        "session_type": "psychological",
        "counsellor_id": str(s["counsellor"].id),
        "room_id": str(s["room"].id),
        "day": "2026-11-24",
        "start_time": "10:00",
        "minutes": "60",
        "repeat": "",
    } | fields


def set_language(user, language):
    user.locale = language
    db.session.commit()


def test_a_counsellor_books_a_session_and_sees_it_in_the_week(client, login_as, setting):
    login_as("counsellor")
    url = f"/counselling/centres/{setting['centre'].id}/sessions/new"
    form_page = text_of(client.get(url))
    assert "Programează o ședință" in form_page
    response = client.post(url, data=booking_form(setting), follow_redirects=True)
    page = text_of(response)
    assert "1 ședință programată." in page
    assert "Consiliere psihologică" in page
    session = db.session.scalar(db.select(CounsellingSession))
    assert session.local_start.hour == 10

    week = text_of(
        client.get(f"/counselling/counsellors/{setting['counsellor'].id}/week?day=2026-11-26")
    )
    assert "Anna Kovács" in week
    assert "10:00–11:00" in week
    assert "Săptămâna 23.11.2026–29.11.2026" in week


def test_a_clash_in_the_form_is_refused_naming_the_busy_counsellor(client, login_as, setting):
    other = make_child(make_family(setting["centre"], name="Nagy"), given_name="Botond")
    make_session(
        setting["counsellor"], setting["room"], person=other, start=at(date(2026, 11, 24), 10, 30)
    )
    db.session.commit()
    login_as("coordinator")
    response = client.post(
        f"/counselling/centres/{setting['centre'].id}/sessions/new", data=booking_form(setting)
    )
    page = text_of(response)
    assert "Ședința nu a fost salvată" in page
    assert "Mureșan" in page and "Cabinet 1" in page
    assert db.session.scalar(db.select(db.func.count(CounsellingSession.id))) == 1


def test_a_weekly_series_over_the_time_change_shows_10_00_in_the_calendar(
    client, login_as, setting
):
    login_as("counsellor")
    client.post(
        f"/counselling/centres/{setting['centre'].id}/sessions/new",
        data=booking_form(setting, day="2026-10-20", repeat="weekly", occurrences="3"),
    )
    assert db.session.scalar(db.select(db.func.count(CounsellingSession.id))) == 3
    for day in ("2026-10-20", "2026-10-27", "2026-11-03"):
        page = text_of(client.get(f"/counselling/rooms/{setting['room'].id}/day?day={day}"))
        assert "10:00–11:00" in page, day


def test_the_counsellor_s_home_page_is_their_week_in_hungarian(client, login_as, setting):
    from daycentre.core.localtime import today

    set_language(setting["counsellor"], "hu")
    day = today()
    make_session(setting["counsellor"], setting["room"], person=setting["child"], start=at(day, 9))
    db.session.commit()
    login_as("counsellor")
    page = text_of(client.get("/"))
    assert "A hetem" in page
    assert "Kovács Anna" in page  # Hungarian name order
    assert "Szociális tanácsadás" in page
    form_page = text_of(client.get(f"/counselling/centres/{setting['centre'].id}/sessions/new"))
    assert "Alkalom foglalása" in form_page and "Pszichológiai tanácsadás" in form_page


def _write_note(client, setting):
    session = make_session(setting["counsellor"], setting["room"], person=setting["child"])
    db.session.commit()
    client.post(
        f"/counselling/sessions/{session.id}/outcome",
        data={"version": session.version, "status": "held", "minutes_spent": "50"},
    )
    client.post(f"/counselling/sessions/{session.id}/note", data={"text": NOTE})
    return session


def test_the_note_is_never_shown_to_coordinators_admins_or_volunteers(
    app, client, login_as, setting
):
    login_as("counsellor")
    session = _write_note(client, setting)
    note = db.session.scalar(db.select(SessionNote))
    assert note.text == NOTE
    own = client.get(f"/counselling/sessions/{session.id}/note")
    assert NOTE in text_of(own)
    read = db.session.scalars(
        db.select(AuditEntry).where(
            AuditEntry.entity == "session_notes", AuditEntry.action == "read"
        )
    ).all()
    assert [entry.actor_id for entry in read] == [setting["counsellor"].id]
    client.post("/auth/logout")

    pages = [
        "/",
        "/counselling/",
        f"/counselling/sessions/{session.id}",
        f"/counselling/centres/{setting['centre'].id}/week?day=2026-11-24",
        f"/counselling/counsellors/{setting['counsellor'].id}/week?day=2026-11-24",
        f"/counselling/rooms/{setting['room'].id}/day?day=2026-11-24",
        f"/counselling/people/{setting['child'].id}/sessions",
        f"/counselling/families/{setting['family'].id}/sessions",
        f"/people/{setting['child'].id}",
        "/audit/",
        f"/audit/?person_id={setting['child'].id}",
        f"/enrolment/centres/{setting['centre'].id}/register/export?format=csv",
    ]
    for role in ("coordinator", "admin", "volunteer"):
        login_as(role)
        note_page = client.get(f"/counselling/sessions/{session.id}/note")
        assert note_page.status_code in (403, 404)
        assert NOTE not in note_page.get_data(as_text=True)
        for url in pages:
            html = client.get(url).get_data(as_text=True)
            assert NOTE not in html, (role, url)
            assert "datoriile" not in html, (role, url)
        client.post("/auth/logout")


def test_another_counsellor_reads_the_note_only_once_it_is_shared(client, login_as, login, setting):
    colleague = make_user("counsellor", centres=[setting["centre"]], family_name="Dobre")
    db.session.commit()
    login_as("counsellor")
    session = _write_note(client, setting)
    client.post("/auth/logout")

    login(colleague)
    assert client.get(f"/counselling/sessions/{session.id}/note").status_code == 404
    client.post("/auth/logout")

    login_as("counsellor")
    sharing = text_of(client.get("/counselling/sharing"))
    assert "Note partajate" in sharing
    client.post(
        "/counselling/sharing",
        data={"beneficiary": f"p{setting['child'].id}", "counsellor_id": str(colleague.id)},
    )
    client.post("/auth/logout")

    login(colleague)
    response = client.get(f"/counselling/sessions/{session.id}/note")
    assert response.status_code == 200
    assert NOTE in text_of(response)
    # A colleague reads; only the author writes.
    assert "Salvează nota" not in text_of(response)


def test_the_calendar_feed_carries_initials_and_room_and_can_be_revoked(
    app, client, login_as, setting, time_machine
):
    # The feed holds the weeks around today: the day the factory's session falls in.
    time_machine.move_to(datetime(2026, 11, 20, 9, tzinfo=BUCHAREST), tick=True)
    session = make_session(setting["counsellor"], setting["room"], person=setting["child"])
    db.session.commit()
    login_as("counsellor")
    _write_note(client, setting)
    client.post("/counselling/feed/regenerate")
    feed = db.session.scalar(db.select(CalendarFeed))
    page = client.get("/counselling/feed").get_data(as_text=True)
    assert f"/counselling/feed/{feed.token}.ics" in page

    anonymous = app.test_client()
    response = anonymous.get(f"/counselling/feed/{feed.token}.ics")
    assert response.status_code == 200
    assert response.mimetype == "text/calendar"
    body = response.get_data(as_text=True)
    assert "BEGIN:VCALENDAR" in body
    assert f"UID:counselling-session-{session.id}@daycentre" in body
    assert "DTSTART:20261124T110000Z" in body
    assert "SUMMARY:Ședință A.K." in body and "LOCATION:Cabinet 1" in body  # the user's language
    for personal in ("Anna", "Kovács", "psiholog", NOTE):
        assert personal not in body
    setting["counsellor"].locale = "hu"  # the feed follows its owner's language
    db.session.commit()
    body = anonymous.get(f"/counselling/feed/{feed.token}.ics").get_data(as_text=True)
    assert "X-WR-CALNAME:Tanácsadási alkalmak" in body
    assert "SUMMARY:Alkalom: A.K." in body and "Ședință" not in body

    old = feed.token
    client.post("/counselling/feed/regenerate")
    assert anonymous.get(f"/counselling/feed/{old}.ics").status_code == 404
    new = db.session.scalar(db.select(CalendarFeed)).token
    assert anonymous.get(f"/counselling/feed/{new}.ics").status_code == 200
    client.post("/counselling/feed/revoke")
    assert anonymous.get(f"/counselling/feed/{new}.ics").status_code == 404


def test_the_history_is_linked_from_the_person_and_counts_by_type_and_status(
    client, login_as, setting
):
    make_session(setting["counsellor"], setting["room"], person=setting["child"])
    make_session(
        setting["counsellor"],
        setting["room"],
        family=setting["family"],
        start=at(date(2026, 11, 25), 9),
        status="held",
        minutes_spent=45,
    )
    db.session.commit()
    login_as("coordinator")
    person_page = client.get(f"/people/{setting['child'].id}").get_data(as_text=True)
    assert f"/counselling/people/{setting['child'].id}/sessions" in person_page
    page = text_of(client.get(f"/counselling/people/{setting['child'].id}/sessions"))
    assert "Ședințe de consiliere" in page
    assert "Consiliere socială 1 1 0 0" in page  # one scheduled, one held
    assert "Familia Kovács" in page


def test_a_counsellor_cannot_change_a_colleague_s_session(client, login, setting):
    colleague = make_user("counsellor", centres=[setting["centre"]], family_name="Dobre")
    session = make_session(setting["counsellor"], setting["room"], person=setting["child"])
    db.session.commit()
    login(colleague)
    assert client.get(f"/counselling/sessions/{session.id}/edit").status_code == 404
    assert client.get(f"/counselling/sessions/{session.id}/outcome").status_code == 404
    assert client.get(f"/counselling/sessions/{session.id}").status_code == 200


def test_another_centre_s_sessions_answer_404(client, login_as, other_centre, users):
    room = make_room(other_centre)
    child = make_child(make_family(other_centre, name="Bíró"))
    theirs = make_user("counsellor", centres=[other_centre])
    session = make_session(theirs, room, person=child)
    db.session.commit()
    login_as("counsellor")
    for url in (
        f"/counselling/sessions/{session.id}",
        f"/counselling/rooms/{room.id}/week",
        f"/counselling/counsellors/{theirs.id}/week",
        f"/counselling/centres/{other_centre.id}/week",
    ):
        assert client.get(url).status_code == 404, url


def test_editing_through_the_form_moves_one_or_the_rest_of_the_series(client, login_as, setting):
    login_as("counsellor")
    client.post(
        f"/counselling/centres/{setting['centre'].id}/sessions/new",
        data=booking_form(setting, day="2026-11-02", repeat="weekly", occurrences="3"),
    )
    sessions = db.session.scalars(
        db.select(CounsellingSession).order_by(CounsellingSession.starts_at)
    ).all()
    assert len(sessions) == 3
    edit = {
        "session_type": "social",
        "counsellor_id": str(setting["counsellor"].id),
        "room_id": str(setting["room"].id),
        "day": "2026-11-02",
        "start_time": "09:00",
        "minutes": "45",
        "version": str(sessions[0].version),
        "scope": "one",
    }
    response = client.post(
        f"/counselling/sessions/{sessions[0].id}/edit", data=edit, follow_redirects=True
    )
    assert "Ședința a fost modificată." in text_of(response)
    db.session.expire_all()
    assert [s.local_start.hour for s in sessions] == [9, 10, 10]

    edit |= {"day": "2026-11-09", "start_time": "15:30", "version": str(sessions[1].version)}
    client.post(f"/counselling/sessions/{sessions[1].id}/edit", data=edit | {"scope": "following"})
    db.session.expire_all()
    assert [(s.local_start.hour, s.local_start.minute) for s in sessions] == [
        (9, 0),
        (15, 30),
        (15, 30),
    ]

    outcome = client.post(
        f"/counselling/sessions/{sessions[0].id}/outcome",
        data={"version": str(sessions[0].version), "status": "cancelled", "cancel_reason": ""},
    )
    assert "Indicați motivul anulării ședinței." in text_of(outcome)
    client.post(
        f"/counselling/sessions/{sessions[0].id}/outcome",
        data={
            "version": str(sessions[0].version),
            "status": "cancelled",
            "cancel_reason": "Familia s-a mutat",
        },
    )
    db.session.expire_all()
    assert sessions[0].status.value == "cancelled"
    assert "Anulată" in text_of(client.get(f"/counselling/people/{setting['child'].id}/sessions"))


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("ro", ["1 ședință programată.", "2 ședințe programate.", "20 de ședințe programate."]),
        ("hu", ["1 alkalom lefoglalva.", "2 alkalom lefoglalva.", "20 alkalom lefoglalva."]),
    ],
)
def test_booked_counts_use_the_language_s_plural_forms(app, language, expected):
    from flask_babel import force_locale, ngettext

    with app.test_request_context(), force_locale(language):
        found = [
            ngettext("%(num)d session booked.", "%(num)d sessions booked.", n) for n in (1, 2, 20)
        ]
    assert found == expected


def test_a_clash_is_explained_in_hungarian(client, login_as, setting):
    set_language(setting["coordinator"], "hu")
    make_session(setting["counsellor"], setting["room"], person=setting["child"])
    db.session.commit()
    login_as("coordinator")
    response = client.post(
        f"/counselling/centres/{setting['centre'].id}/sessions/new",
        data=booking_form(setting, day="2026-11-24", start_time="13:30"),
    )
    page = text_of(response)
    assert "Az alkalmat nem mentettük:" in page
    assert "Mureșan Ioana tanácsadó foglalt" in page
    assert "Cabinet 1 terem foglalt" in page


def test_without_a_script_the_beneficiary_list_is_narrowed_by_a_typed_name(
    client, login_as, setting
):
    make_child(make_family(setting["centre"], name="Szabó"), given_name="Ștefan")
    db.session.commit()
    login_as("counsellor")
    url = f"/counselling/centres/{setting['centre'].id}/sessions/new"
    html = client.get(url).get_data(as_text=True)
    assert 'data-picker="beneficiary"' in html and "Anna Kovács" in html
    # Enter in any field still saves: the form's first button is a copy of its save button.
    assert html.index('id="submit-default"') < html.index('name="beneficiary-search"')
    response = client.post(
        url,
        data=booking_form(setting, beneficiary="")
        | {
            "beneficiary-find": "stef sza",
            "beneficiary-search": "1",
        },
    )
    select = response.get_data(as_text=True).split('id="beneficiary"', 1)[1].split("</select>")[0]
    assert "Ștefan Szabó" in select or "Szabó Ștefan" in select
    assert "Kovács" not in select
    assert "field-error" not in response.get_data(as_text=True)  # a search, not a failed save
    assert db.session.scalar(db.select(db.func.count(CounsellingSession.id))) == 0


def test_a_series_across_epiphany_is_booked_without_it_and_says_so(client, login_as, setting):
    login_as("counsellor")
    response = client.post(
        f"/counselling/centres/{setting['centre'].id}/sessions/new",
        data=booking_form(setting, day="2026-12-30", repeat="weekly", occurrences="3"),
        follow_redirects=True,
    )
    page = text_of(response)
    assert "2 ședințe programate." in page
    assert "Nu s-a programat în aceste zile, când centrul este închis: 06.01.2027" in page
    assert "Boboteaza" in page
    days = {s.local_start.date() for s in db.session.scalars(db.select(CounsellingSession))}
    assert days == {date(2026, 12, 30), date(2027, 1, 13)}


def test_after_a_clash_the_form_offers_free_times_and_one_tap_books_it(client, login_as, setting):
    other = make_child(make_family(setting["centre"], name="Nagy"), given_name="Botond")
    make_session(
        setting["counsellor"], setting["room"], person=other, start=at(date(2026, 11, 24), 10, 30)
    )
    db.session.commit()
    login_as("counsellor")
    url = f"/counselling/centres/{setting['centre'].id}/sessions/new"
    page = client.post(url, data=booking_form(setting)).get_data(as_text=True)
    assert "Următoarele intervale libere" in page
    assert 'name="offered" value="2026-11-24T11:30"' in page
    response = client.post(url, data=booking_form(setting, offered="2026-11-24T11:30"))
    assert response.status_code == 302
    starts = sorted(
        s.local_start.strftime("%H:%M") for s in db.session.scalars(db.select(CounsellingSession))
    )
    assert starts == ["10:30", "11:30"]
