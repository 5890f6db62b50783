"""Every create form sent twice at the same moment, as a double click or two colleagues would:
one record is saved and both requests get a normal answer (a page or a redirect, never a 500).

Each racer is its own signed-in browser; ``race`` starts the two posts together."""

from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import func, select

from daycentre.attendance.models import AbsenceAlertRule
from daycentre.audit.models import AuditEntry
from daycentre.auth.models import User
from daycentre.centres.calendar import holiday_name
from daycentre.centres.models import Centre, ClosureDay, Group, Room
from daycentre.core.localtime import BUCHAREST, today
from daycentre.counselling.models import CalendarFeed, NoteShare, SessionNote
from daycentre.extensions import db
from daycentre.meals.models import FoodAllowance, MealType
from daycentre.people.models import Consent, Family, Person, PersonKind
from daycentre.reports.models import ActivityReport, DevelopmentPlan
from daycentre.workshops.models import MeetingAttendance, WorkshopAttendance
from tests.concurrency import race
from tests.factories import (
    DEFAULT_PASSWORD,
    make_adult,
    make_child,
    make_family,
    make_room,
    make_session,
    make_workshop,
)


@pytest.fixture
def post_twice(app, users):
    """Sign two browsers in as ``role``, post ``data`` to ``url`` from both at once."""

    def post(role, url, data):
        browsers = []
        for _ in range(2):
            browser = app.test_client()
            login = {"username": users[role].username, "password": DEFAULT_PASSWORD}
            assert browser.post("/auth/login", data=login).status_code == 302
            browsers.append(browser)
        answers = race(app, lambda browser: lambda: browser.post(url, data=data), browsers)
        assert [answer.status_code < 500 for answer in answers] == [True, True], [
            answer.status_code for answer in answers
        ]
        return answers

    return post


def count(model, *where) -> int:
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def test_regenerating_the_calendar_feed(post_twice, users):
    post_twice("counsellor", "/counselling/feed/regenerate", {})
    assert count(CalendarFeed, CalendarFeed.user_id == users["counsellor"].id) == 1


def test_the_first_save_of_a_workshop_sessions_attendance(post_twice, centre, users):
    from daycentre.workshops import services as workshops

    workshop = make_workshop(centre, make_room(centre), [users["counsellor"]], capacity=2)
    parents = [make_adult(make_family(centre, name=name)) for name in ("Ana", "Béla")]
    for parent in parents:
        workshops.register(workshop, parent, actor=users["coordinator"])
    session_id = workshop.sessions[0].id
    db.session.commit()
    post_twice(
        "coordinator",
        f"/workshops/sessions/{session_id}/attendance",
        {"present": [str(parents[0].id)]},
    )
    marks = db.session.scalars(
        select(WorkshopAttendance).where(WorkshopAttendance.session_id == session_id)
    ).all()
    created = count(
        AuditEntry, AuditEntry.entity == "workshop_attendances", AuditEntry.action == "create"
    )
    assert created == 2  # one creation per participant in the trail, not one per request
    assert {(m.person_id, m.present) for m in marks} == {
        (parents[0].id, True),
        (parents[1].id, False),
    }


def test_the_first_save_of_a_support_group_meetings_attendance(post_twice, centre, users):
    from daycentre.workshops import services as workshops

    group = workshops.create_group(
        centre,
        actor=users["coordinator"],
        topic="Părinți împreună",
        facilitator=users["counsellor"],
        room=make_room(centre),
    )
    parent = make_adult(make_family(centre, name="Nagy"))
    day = today() - timedelta(days=1)
    while day.weekday() > 4 or holiday_name(day):  # a meeting is held on a working day
        day -= timedelta(days=1)
    workshops.join_group(group, parent, actor=users["coordinator"], on=day)
    start = datetime.combine(day, datetime.min.time(), tzinfo=BUCHAREST) + timedelta(hours=15)
    meeting = workshops.add_meetings(
        group, actor=users["coordinator"], first_start=start, minutes=60
    )[0]
    db.session.commit()
    post_twice(
        "coordinator",
        f"/workshops/groups/meetings/{meeting.id}/attendance",
        {"present": [str(parent.id)]},
    )
    assert count(MeetingAttendance, MeetingAttendance.meeting_id == meeting.id) == 1


def test_the_first_save_of_a_yearly_activity_report(post_twice, centre, users):
    from daycentre.reports import services as plans

    plan = plans.create_plan(actor=users["admin"], year=today().year, title="Plan")
    db.session.commit()
    post_twice(
        "coordinator",
        f"/reports/activity/{centre.id}/{plan.year}",
        {"introduction": "Anul în care am crescut.", "conclusions": ""},
    )
    report = db.session.scalars(select(ActivityReport)).one()
    assert report.introduction == "Anul în care am crescut."


def test_a_development_plan_for_the_same_year(post_twice):
    post_twice("admin", "/reports/plans/new", {"year": "2031", "title": "Planul 2031"})
    assert count(DevelopmentPlan, DevelopmentPlan.year == 2031) == 1


CENTRE_HOURS = {"weekdays": ["1", "2", "3", "4", "5"], "opens_at": "08:00", "closes_at": "18:00"}


def test_a_new_centre(post_twice):
    post_twice(
        "admin",
        "/centres/new",
        CENTRE_HOURS
        | {
            "name": "Centrul de zi Covasna",
            "kind": "after_school",
            "service_code": "8891 CZ-C-II",
            "address": "Str. Gării 1",
            "city": "Covasna",
            "capacity": "30",
            "active": "y",
        },
    )
    assert count(Centre, Centre.name == "Centrul de zi Covasna") == 1


def test_a_new_group_and_a_new_room(post_twice, centre):
    group = {"name": "Mari", "capacity": "15", "starts_at": "12:00", "ends_at": "17:00"}
    post_twice("admin", f"/centres/{centre.id}/groups/new", group | {"weekdays": ["1", "2"]})
    assert count(Group, Group.name == "Mari") == 1
    post_twice("admin", f"/centres/{centre.id}/rooms/new", {"name": "Sala 2", "capacity": "8"})
    assert count(Room, Room.name == "Sala 2") == 1


def test_a_closure_day(post_twice, centre):
    day = today() + timedelta(days=30)
    post_twice(
        "admin", f"/centres/{centre.id}/closures", {"day": day.isoformat(), "reason": "Igienizare"}
    )
    assert count(ClosureDay, ClosureDay.day == day) == 1


def test_an_attendance_alert_rule(post_twice, centre):
    post_twice(
        "coordinator",
        f"/attendance/centres/{centre.id}/alerts",
        {"consecutive_unexcused": "4", "unexcused_percent": "30"},
    )
    assert count(AbsenceAlertRule, AbsenceAlertRule.centre_id == centre.id) == 1


def test_a_meal_type_and_a_meal_allowance(post_twice, centre):
    post_twice(
        "coordinator", f"/meals/centres/{centre.id}/types", {"name": "Gustare", "position": "2"}
    )
    assert count(MealType, MealType.name == "Gustare") == 1
    post_twice(
        "admin",
        "/meals/allowances",
        {"valid_from": "2031-01-01", "amount": "25,50", "legal_basis": "HG 1/2031"},
    )
    assert count(FoodAllowance, FoodAllowance.valid_from == date(2031, 1, 1)) == 1


def test_a_confidential_note_and_sharing_it(post_twice, centre, users):
    family = make_family(centre, name="Szabó")
    parent = make_adult(family)
    session = make_session(users["counsellor"], make_room(centre), person=parent)
    db.session.commit()
    post_twice("counsellor", f"/counselling/sessions/{session.id}/note", {"text": "Notă."})
    assert count(SessionNote, SessionNote.session_id == session.id) == 1
    colleague = users["admin"]
    post_twice(
        "counsellor",
        "/counselling/sharing",
        {"beneficiary": f"p{parent.id}", "counsellor_id": str(colleague.id)},
    )
    assert count(NoteShare) <= 1


def test_a_user_account(post_twice, centre):
    post_twice(
        "admin",
        "/auth/users/new",
        {
            "username": "kinga",
            "given_name": "Kinga",
            "family_name": "Benedek",
            "email": "kinga@example.org",
            "role": "volunteer",
            "centres": [str(centre.id)],
            "password": "plum-orchard-lantern-42",
        },
    )
    assert count(User, User.username == "kinga") == 1


def test_a_consent_and_a_child_with_a_cnp(post_twice, centre):
    from tests.people.test_services import cnp_for

    family = make_family(centre, name="Kovács")
    child = make_child(family, given_name="Anna")
    db.session.commit()
    post_twice(
        "coordinator",
        f"/people/{child.id}/consents/new",
        {"purpose": "photos", "given_by": "Kovács Ilona, mama", "given_on": "2026-09-01"},
    )
    assert count(Consent, Consent.person_id == child.id) == 1
    cnp = cnp_for(date(2017, 5, 2), "male")
    post_twice(
        "coordinator",
        f"/people/families/{family.id}/children/new",
        {
            "family_name": "Kovács",
            "given_name": "Bence",
            "birth_date": "2017-05-02",
            "sex": "male",
            "cnp": cnp,
        },
    )
    assert count(Person, Person.cnp == cnp) == 1


def test_a_days_menu(post_twice, centre):
    from daycentre.meals.models import Menu
    from tests.factories import make_meal_type

    meal_type = make_meal_type(centre)
    db.session.commit()
    day = today() + timedelta(days=7)
    prefix = f"m{meal_type.id}-"
    post_twice(
        "coordinator",
        f"/meals/centres/{centre.id}/menus?day={day.isoformat()}",
        {prefix + "dishes": "Ciorbă de legume", prefix + "meal_type_id": str(meal_type.id)},
    )
    assert count(Menu, Menu.meal_type_id == meal_type.id, Menu.day == day) == 1


# --- Create forms with no natural key: the form's one-time token ----------------------------------

TOKEN = "double-click-0123456789"


def _once_forms(centre, users):
    """Each create form with no natural key: (role, url, data, how many records it made)."""
    from daycentre.cases.models import Case
    from daycentre.outreach.models import CommunityResource
    from daycentre.reports.models import PlanObjective
    from daycentre.volunteers.models import Activity
    from daycentre.workshops.models import SupportGroup, Workshop, WorkshopRegistration
    from tests.factories import make_plan

    family = make_family(centre, name="Lukács")
    room = make_room(centre)
    workshop = make_workshop(centre, room, [users["counsellor"]], capacity=5)
    plan = make_plan(2031)
    db.session.commit()
    person = {"family_name": "Lukács", "given_name": "Réka", "birth_date": "2016-04-05"}
    counsellor = str(users["counsellor"].id)
    return {
        "family": (
            "coordinator",
            "/people/families/new",
            {"name": "Balogh", "centre_id": centre.id, "address": "Str. Morii 2", "city": "Zagon"},
            lambda: count(Family, Family.name == "Balogh"),
        ),
        "child": (
            "coordinator",
            f"/people/families/{family.id}/children/new",
            person | {"sex": "female"},
            lambda: count(Person, Person.given_name == "Réka", Person.kind == PersonKind.CHILD),
        ),
        "adult": (
            "coordinator",
            f"/people/families/{family.id}/adults/new",
            person | {"given_name": "Ilona", "relation": "mother"},
            lambda: count(Person, Person.given_name == "Ilona", Person.kind == PersonKind.ADULT),
        ),
        "workshop's new adult": (
            "coordinator",
            f"/workshops/{workshop.id}/new-adult",
            {"family_name": "Bartha", "given_name": "Ilona", "relation": "future_parent"}
            | {"address": "Strada Gării 3", "city": "Târgu Secuiesc"},
            lambda: count(WorkshopRegistration, WorkshopRegistration.workshop_id == workshop.id),
        ),
        "workshop": (
            "coordinator",
            f"/workshops/new/{centre.id}",
            {"title": "Disciplina pozitivă", "audience": "parents", "capacity": "12"}
            | {"room_id": str(room.id), "facilitator_ids": [counsellor], "first_day": "2031-11-05"}
            | {"start_time": "16:00", "minutes": "90", "count": "2", "interval_days": "7"},
            lambda: count(Workshop, Workshop.title == "Disciplina pozitivă"),
        ),
        "support group": (
            "coordinator",
            f"/workshops/groups/new/{centre.id}",
            {"topic": "Părinți singuri", "facilitator_id": counsellor, "room_id": str(room.id)},
            lambda: count(SupportGroup, SupportGroup.topic == "Părinți singuri"),
        ),
        "request for a case": (
            "coordinator",
            "/cases/new",
            {"centre_id": centre.id, "received_on": "2026-03-02", "source": "school"}
            | {"channel": "letter", "requester": "Școala", "family_id": family.id}
            | {"reported": "Absențe repetate."},
            lambda: count(Case),
        ),
        "community resource": (
            "coordinator",
            "/outreach/resources/new",
            {"centre_id": str(centre.id), "organisation": "Caritas", "service": "Ruhaosztás"}
            | {"phone": "+40 267 361 000", "languages": "hu, ro", "active": "y"},
            lambda: count(CommunityResource),
        ),
        "volunteers' activity": (
            "coordinator",
            "/volunteers/activities/new",
            {"centre_id": str(centre.id), "title": "Teatru de păpuși", "starts": "15:00"}
            | {"day": (today() + timedelta(days=7)).isoformat(), "ends": "17:00", "places": "2"},
            lambda: count(Activity, Activity.title == "Teatru de păpuși"),
        ),
        "plan objective": (
            "admin",
            f"/reports/plans/objectives/new/{plan.id}",
            {"title": "Consolidarea rețelei de sprijin comunitar"},
            lambda: count(PlanObjective, PlanObjective.plan_id == plan.id) - 1,
        ),
    }


ONCE_FORMS = [
    "family",
    "child",
    "adult",
    "workshop's new adult",
    "workshop",
    "support group",
    "request for a case",
    "community resource",
    "volunteers' activity",
    "plan objective",
]
#: What makes a second form a second record the rules let through: a person like one already
#: registered is saved once the likeness is confirmed; a workshop needs its room free.
ANOTHER = {"confirm_duplicate": "y", "first_day": "2031-12-03"}


@pytest.mark.parametrize("form", ONCE_FORMS)
def test_a_form_with_no_natural_key_sent_twice_at_once(post_twice, centre, users, form):
    role, url, data, saved = _once_forms(centre, users)[form]
    answers = post_twice(role, url, data | {"submission": TOKEN})
    assert saved() == 1
    # Both go to the page of the one record saved.
    assert [answer.status_code for answer in answers] == [302, 302]
    assert len({answer.headers["Location"] for answer in answers}) == 1


@pytest.mark.parametrize("form", ONCE_FORMS)
def test_a_form_with_no_natural_key_sent_again_after_its_save(
    client, login_as, centre, users, form
):
    role, url, data, saved = _once_forms(centre, users)[form]
    login_as(role)
    creations = count(AuditEntry, AuditEntry.action == "create")
    first = client.post(url, data=data | {"submission": TOKEN})
    again = client.post(url, data=data | {"submission": TOKEN})
    assert saved() == 1
    assert first.status_code == again.status_code == 302
    assert again.headers["Location"] == first.headers["Location"]
    assert count(AuditEntry, AuditEntry.action == "create") > creations
    page = client.get(again.headers["Location"]).get_data(as_text=True)
    assert "Formularul a fost deja salvat" in page
    # A new form (a new token) is a new record: two families may share a name.
    client.post(url, data=data | {"submission": TOKEN[::-1]} | ANOTHER)
    assert saved() == 2


def test_a_refused_form_keeps_its_token_for_the_corrected_send(client, login_as, centre, users):
    _, url, data, saved = _once_forms(centre, users)["child"]
    login_as("coordinator")
    future = (today() + timedelta(days=3)).isoformat()
    refused = client.post(url, data=data | {"submission": TOKEN, "birth_date": future})
    assert refused.status_code == 200 and saved() == 0
    assert client.post(url, data=data | {"submission": TOKEN}).status_code == 302
    assert saved() == 1


def test_a_token_spent_by_one_user_does_not_touch_another(client, login_as, centre, users):
    _, url, data, saved = _once_forms(centre, users)["family"]
    login_as("coordinator")
    client.post(url, data=data | {"submission": TOKEN})
    client.post("/auth/logout")
    login_as("admin")
    response = client.post(url, data=data | {"submission": TOKEN})
    assert response.status_code == 302
    assert saved() == 2
