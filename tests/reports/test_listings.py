"""The records behind the figures that are not plain counts (attendance rate, cost of meals,
volunteer hours): each list's figures, worked out here by hand from known records, produce the
headline number; a record's name opens its page only for a role that may open it."""

import re
from datetime import date, datetime
from decimal import Decimal

import pytest

from daycentre.attendance.models import Attendance, AttendanceStatus
from daycentre.cases.models import Evaluation
from daycentre.core.localtime import BUCHAREST
from daycentre.extensions import db
from daycentre.meals.models import FoodAllowance, MealServed
from daycentre.reports.measures import MEASURES, Scope, rate
from daycentre.volunteers.models import ActivitySignup, HoursStatus, SignupStatus, VolunteerHours
from tests.conftest import text_of
from tests.factories import (
    make_activity,
    make_case,
    make_child,
    make_group,
    make_meal_type,
    make_volunteer,
)

START, END = date(2026, 1, 1), date(2026, 3, 31)
BEFORE, AFTER = date(2025, 12, 31), date(2026, 4, 1)
PERIOD = "start=2026-01-01&end=2026-03-31"
PRESENT = AttendanceStatus.PRESENT
EXCUSED = AttendanceStatus.ABSENT_EXCUSED
UNEXCUSED = AttendanceStatus.ABSENT_UNEXCUSED


def _scope(*centres) -> Scope:
    return Scope(frozenset(c.id for c in centres), START, END)


def _page(client, key, centre, **params):
    query = "&".join(f"{name}={value}" for name, value in params.items())
    return client.get(f"/reports/measures/{key}?{PERIOD}&centres={centre.id}&{query}")


# ---- Attendance rate ----------------------------------------------------------------------------


def _marks(centre, other_centre):
    """Anna: 3 marks in the period (2 present), both ends included; Béla: 2 marks in one group
    (1 present) and 1 in another (present); marks outside the period or centre do not count."""
    small, big = make_group(centre, name="Clasele I–IV"), make_group(centre, name="Clasele V–VIII")
    elsewhere = make_group(other_centre, name="Grupa mare")
    anna = make_child(centre=centre, family_name="Kovács", given_name="Anna")
    bela = make_child(centre=centre, family_name="Szabó", given_name="Béla")
    ion = make_child(centre=other_centre, family_name="Popa", given_name="Ion")
    for child, group, day, status in (
        (anna, small, START, PRESENT),
        (anna, small, date(2026, 2, 3), EXCUSED),
        (anna, small, END, PRESENT),
        (anna, small, BEFORE, PRESENT),
        (anna, small, AFTER, UNEXCUSED),
        (bela, small, START, UNEXCUSED),
        (bela, small, END, PRESENT),
        (bela, big, date(2026, 2, 10), PRESENT),
        (ion, elsewhere, START, UNEXCUSED),
        (ion, elsewhere, END, UNEXCUSED),
    ):
        db.session.add(
            Attendance(
                centre_id=group.centre_id,
                group_id=group.id,
                person_id=child.id,
                day=day,
                status=status,
            )
        )
    db.session.flush()
    return anna, bela


def test_the_attendance_rate_is_explained_child_by_child(centre, other_centre):
    anna, bela = _marks(centre, other_centre)
    measure = MEASURES["attendance_rate"]
    records = measure.records(_scope(centre))
    assert [(r.item, r.figures) for r in records] == [
        ("Kovács Anna – Clasele I–IV", (3, 2, Decimal("66.7"))),
        ("Szabó Béla – Clasele I–IV", (2, 1, Decimal("50.0"))),
        ("Szabó Béla – Clasele V–VIII", (1, 1, Decimal("100.0"))),
    ]
    assert [(r.page, r.ref) for r in records] == [
        ("person", anna.id),
        ("person", bela.id),
        ("person", bela.id),
    ]
    # 4 days present of 6 marked, not the mean of the children's rates (72.2).
    assert measure.value(_scope(centre)) == Decimal("66.7")
    assert rate(sum(r.amount for r in records), sum(r.figures[0] for r in records)) == Decimal(
        "66.7"
    )
    assert measure.value(_scope(centre, other_centre)) == Decimal("50.0")  # 4 of 8


def test_the_attendance_page_lists_the_children_and_the_total(
    client, login_as, centre, other_centre
):
    anna, _bela = _marks(centre, other_centre)
    login_as("coordinator")
    response = _page(client, "attendance_rate", centre)
    page = text_of(response)
    assert "Rata de prezență: 66,7 %" in page
    assert "Kovács Anna – Clasele I–IV 3 2 66,7 %" in page
    assert "Szabó Béla – Clasele V–VIII 1 1 100 %" in page
    assert "Total 6 4 66,7 %" in page
    assert "Popa" not in page
    html = response.get_data(as_text=True)
    assert f'<a href="/people/{anna.id}">Kovács Anna – Clasele I–IV</a>' in html


def test_another_centres_marks_are_dropped_even_when_asked_for(
    client, login_as, centre, other_centre
):
    _marks(centre, other_centre)
    login_as("coordinator")  # of ``centre`` only
    page = text_of(
        client.get(
            f"/reports/measures/attendance_rate?{PERIOD}&centres={centre.id}"
            f"&centres={other_centre.id}"
        )
    )
    assert "Rata de prezență: 66,7 %" in page
    assert "Popa Ion" not in page


# ---- Cost of meals --------------------------------------------------------------------------------


def _meals(centre, other_centre):
    """Children fed each day at the centre, and the allowance in force that day (22 lei, then 32
    lei from 1 February 2026); meals outside the period or centre do not count."""
    db.session.add_all(
        [
            FoodAllowance(valid_from=date(2022, 1, 1), amount=Decimal("22.00")),
            FoodAllowance(valid_from=date(2026, 2, 1), amount=Decimal("32.00")),
        ]
    )
    hot, snack = make_meal_type(centre, name="Masă caldă"), make_meal_type(centre, name="Gustare")
    elsewhere = make_meal_type(other_centre, name="Masă caldă")
    anna = make_child(centre=centre, family_name="Kovács", given_name="Anna")
    bela = make_child(centre=centre, family_name="Szabó", given_name="Béla")
    ion = make_child(centre=other_centre, family_name="Popa", given_name="Ion")
    for child, meal_type, day in (
        (anna, hot, START),
        (anna, snack, START),  # a second meal the same day: still one child fed
        (bela, hot, START),
        (anna, hot, date(2026, 1, 31)),
        (anna, hot, date(2026, 2, 1)),
        (bela, snack, date(2026, 2, 1)),
        (anna, hot, END),
        (anna, hot, BEFORE),
        (anna, hot, AFTER),
        (ion, elsewhere, END),
    ):
        db.session.add(
            MealServed(
                centre_id=meal_type.centre_id,
                person_id=child.id,
                meal_type_id=meal_type.id,
                day=day,
            )
        )
    db.session.flush()


MEAL_ROWS = [  # day, children fed, allowance, cost
    (START, 2, Decimal("22.00"), Decimal("44.00")),
    (date(2026, 1, 31), 1, Decimal("22.00"), Decimal("22.00")),
    (date(2026, 2, 1), 2, Decimal("32.00"), Decimal("64.00")),
    (END, 1, Decimal("32.00"), Decimal("32.00")),
]


def test_the_cost_of_meals_is_explained_day_by_day(centre, other_centre):
    _meals(centre, other_centre)
    measure = MEASURES["meal_cost"]
    records = measure.records(_scope(centre))
    assert [(r.day, *r.figures) for r in records] == MEAL_ROWS
    assert {r.item for r in records} == {centre.name}
    assert all(children * allowance == cost for _day, children, allowance, cost in MEAL_ROWS)
    assert measure.value(_scope(centre)) == Decimal("162.00") == sum(r.amount for r in records)
    # Ion's day at the other centre adds 32 lei when both centres are counted.
    assert measure.value(_scope(centre, other_centre)) == Decimal("194.00")


def test_the_meal_cost_page_opens_each_months_meal_report(client, login_as, centre, other_centre):
    _meals(centre, other_centre)
    login_as("counsellor")
    response = _page(client, "meal_cost", centre)
    page = text_of(response)
    assert "Costul meselor: 162 lei" in page
    assert f"1 ian. 2026 {centre.name} 2 22 lei 44 lei" in page
    assert f"1 feb. 2026 {centre.name} 2 32 lei 64 lei" in page
    assert "Total 6 162 lei" in page
    html = response.get_data(as_text=True)
    assert f'href="/meals/centres/{centre.id}/report?month=2026-02"' in html
    assert f'href="/meals/centres/{other_centre.id}' not in html


# ---- Volunteer hours ------------------------------------------------------------------------------


def _hours(centre, other_centre):
    """Attended activities by their start (Bucharest) and approved hours by day; a volunteer of
    the other centre who reported hours here counts here."""
    stefan = make_volunteer(centre)
    guest = make_volunteer(other_centre, family_name="Farkas", given_name="Réka")
    away = make_volunteer(other_centre, family_name="Dobre", given_name="Mihai")
    activities = {}
    for title, starts_at, status, hours, volunteer, where in (
        ("Teme", datetime(2026, 1, 1, 0, 0), SignupStatus.ATTENDED, "3", stefan, centre),
        ("Teatru", datetime(2026, 3, 31, 23, 30), SignupStatus.ATTENDED, "2.5", stefan, centre),
        ("Excursie", datetime(2026, 4, 1, 0, 30), SignupStatus.ATTENDED, "5", stefan, centre),
        ("Colinde", datetime(2025, 12, 31, 23, 59), SignupStatus.ATTENDED, "4", stefan, centre),
        ("Film", datetime(2026, 2, 10, 15, 0), SignupStatus.SIGNED_UP, None, stefan, centre),
        ("Pictură", datetime(2026, 2, 10, 15, 0), SignupStatus.ATTENDED, "6", away, other_centre),
    ):
        activity = make_activity(where, title=title, starts_at=starts_at.replace(tzinfo=BUCHAREST))
        activities[title] = activity
        db.session.add(
            ActivitySignup(
                activity_id=activity.id,
                volunteer_id=volunteer.id,
                status=status,
                hours=Decimal(hours) if hours else None,
            )
        )
    for volunteer, where, day, hours, status, description in (
        (stefan, centre, START, "1.5", HoursStatus.APPROVED, "Pregătirea serbării"),
        (stefan, centre, END, "2", HoursStatus.APPROVED, "Sortarea hainelor"),
        (guest, centre, END, "1", HoursStatus.APPROVED, "Bibliotecă"),
        (stefan, centre, END, "4", HoursStatus.REPORTED, "Neaprobat"),
        (stefan, centre, END, "3", HoursStatus.REJECTED, "Respins"),
        (stefan, centre, AFTER, "4", HoursStatus.APPROVED, "După perioadă"),
        (stefan, centre, BEFORE, "3", HoursStatus.APPROVED, "Înainte de perioadă"),
        (away, other_centre, END, "7", HoursStatus.APPROVED, "Alt centru"),
    ):
        db.session.add(
            VolunteerHours(
                volunteer_id=volunteer.id,
                centre_id=where.id,
                day=day,
                hours=Decimal(hours),
                description=description,
                status=status,
            )
        )
    db.session.flush()
    return stefan, guest, activities


HOURS_ROWS = [  # day, record, hours
    (START, "Ionescu Ștefan – Teme", Decimal("3.00")),
    (START, "Ionescu Ștefan – Pregătirea serbării", Decimal("1.50")),
    (END, "Ionescu Ștefan – Teatru", Decimal("2.50")),  # 23:30 in Bucharest on the last day
    (END, "Farkas Réka – Bibliotecă", Decimal("1.00")),
    (END, "Ionescu Ștefan – Sortarea hainelor", Decimal("2.00")),
]


def test_volunteer_hours_are_explained_activity_by_activity(centre, other_centre):
    _hours(centre, other_centre)
    measure = MEASURES["volunteer_hours"]
    records = measure.records(_scope(centre))
    assert sorted((r.day, r.item, r.amount) for r in records) == sorted(HOURS_ROWS)
    assert [r.day for r in records] == sorted(r.day for r in records)
    assert [r.figures for r in records] == [(r.amount,) for r in records]
    assert measure.value(_scope(centre)) == Decimal("10.00") == sum(r.amount for r in records)
    assert measure.value(_scope(centre, other_centre)) == Decimal("23.00")  # + 6 + 7


def test_volunteer_pages_open_for_the_coordinator_not_the_counsellor(
    client, login_as, centre, other_centre
):
    stefan, guest, activities = _hours(centre, other_centre)
    login_as("coordinator")
    response = _page(client, "volunteer_hours", centre)
    page = text_of(response)
    assert "Ore de voluntariat: 10 ore" in page
    assert "31 mar. 2026 Ionescu Ștefan – Teatru 2,5 ore" in page
    assert "Total 10 ore" in page
    html = response.get_data(as_text=True)
    teatru = activities["Teatru"].id
    assert f'<a href="/volunteers/activities/{teatru}">Ionescu Ștefan – Teatru</a>' in html
    assert f'<a href="/volunteers/{stefan.id}">Ionescu Ștefan – Sortarea hainelor</a>' in html
    # Réka belongs to the other centre: her page would answer 404 here, so her name is text.
    assert "Farkas Réka – Bibliotecă" in text_of(response)
    assert f'href="/volunteers/{guest.id}"' not in html

    client.post("/auth/logout")
    login_as("counsellor")
    response = _page(client, "volunteer_hours", centre)
    assert "Ionescu Ștefan – Teatru 2,5 ore" in text_of(response)
    assert 'href="/volunteers/' not in response.get_data(as_text=True)


def test_the_admin_opens_every_volunteers_page(client, login_as, centre, other_centre):
    _stefan, guest, _activities = _hours(centre, other_centre)
    login_as("admin")
    html = _page(client, "volunteer_hours", centre).get_data(as_text=True)
    assert f'<a href="/volunteers/{guest.id}">Farkas Réka – Bibliotecă</a>' in html


# ---- Links, roles and languages -----------------------------------------------------------------


def test_a_case_opens_only_for_those_who_may_see_it(client, login_as, users, centre):
    case = make_case(centre, actor=users["admin"])
    db.session.add(Evaluation(case=case, started_on=START, completed_on=END))
    db.session.flush()
    link = f'href="/cases/{case.id}"'
    login_as("coordinator")  # supervises the centre's cases
    response = _page(client, "evaluations", centre)
    assert "Evaluări realizate: 1" in text_of(response)
    assert link in response.get_data(as_text=True)
    client.post("/auth/logout")
    login_as("counsellor")  # neither the case manager nor on its team
    response = _page(client, "evaluations", centre)
    assert f"31 mar. 2026 {case.number}/{case.year}" in text_of(response)
    assert link not in response.get_data(as_text=True)


def test_a_child_identified_opens_the_childs_page(client, login_as, users, centre):
    case = make_case(centre, actor=users["admin"], received_on=START)
    child = case.children[0]
    login_as("counsellor")
    html = _page(client, "children_identified", centre).get_data(as_text=True)
    assert f'<a href="/people/{child.id}">Kovács Anna</a>' in html


def test_volunteers_see_no_records(client, login_as, centre):
    login_as("volunteer")
    for key in ("attendance_rate", "meal_cost", "volunteer_hours", "children_identified"):
        assert _page(client, key, centre).status_code == 403


def test_the_three_numbers_open_their_records_from_the_indicators_page(client, login_as, centre):
    login_as("coordinator")
    html = client.get(f"/reports/?{PERIOD}&centres={centre.id}").get_data(as_text=True)
    for key in ("attendance_rate", "meal_cost", "volunteer_hours"):
        assert re.search(rf'href="/reports/measures/{key}\?[^"]*start=2026-01-01', html), key


@pytest.mark.parametrize(
    ("key", "labels"),
    [
        ("attendance_rate", ("Jelenléti arány: 66,7 %", "Rögzített napok", "Jelenléti napok")),
        (
            "meal_cost",
            ("Étkeztetési költség", "Étkezésben részesült gyermekek", "Élelmezési norma"),
        ),
        ("volunteer_hours", ("Önkéntes munkaórák", "Bejegyzés", "Összesen")),
    ],
)
def test_the_records_in_hungarian(client, login_as, users, centre, other_centre, key, labels):
    _marks(centre, other_centre)
    _meals(centre, other_centre)
    _hours(centre, other_centre)
    users["coordinator"].locale = "hu"
    db.session.commit()
    login_as("coordinator")
    page = text_of(_page(client, key, centre))
    for label in labels:
        assert label in page, label


def test_an_empty_list_says_so(client, login_as, centre):
    login_as("coordinator")
    page = text_of(_page(client, "attendance_rate", centre))
    assert "Rata de prezență: 0 %" in page
    assert "Nicio înregistrare în această perioadă." in page
    assert "Total" not in page


def test_records_of_a_day_follow_the_readers_alphabet(client, login_as, users, centre):
    """Romanian puts ă right after a (Lăcătuș before Lukács); Hungarian treats gy as a letter
    after g (Gál before Gyárfás); a byte-wise sort gets both wrong."""
    group = make_group(centre, name="Grupa")
    for family_name in ("Lukács", "Lăcătuș", "Gyárfás", "Gál"):
        child = make_child(centre=centre, family_name=family_name, given_name="Ana")
        db.session.add(
            Attendance(
                centre_id=centre.id, group_id=group.id, person_id=child.id, day=END, status=PRESENT
            )
        )
    login_as("coordinator")
    page = text_of(_page(client, "attendance_rate", centre))
    names = re.findall(r"(\w+) Ana – Grupa", page)
    assert names == ["Gál", "Gyárfás", "Lăcătuș", "Lukács"]
    users["coordinator"].locale = "hu"
    db.session.commit()
    page = text_of(_page(client, "attendance_rate", centre))
    assert re.findall(r"(\w+) Ana – Grupa", page) == ["Gál", "Gyárfás", "Lăcătuș", "Lukács"]
