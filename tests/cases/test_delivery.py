"""A plan's services against what the centre's records show was delivered; the case's tasks."""

from datetime import date, datetime, timedelta

import pytest

from daycentre.attendance.models import Attendance, AttendanceStatus
from daycentre.audit.models import AuditEntry
from daycentre.cases import overdue, plans, tasks
from daycentre.cases.delivery import deliveries
from daycentre.cases.models import CaseTask, ServiceKind
from daycentre.core.errors import Refused
from daycentre.core.localtime import BUCHAREST, today
from daycentre.counselling.models import SessionStatus
from daycentre.extensions import db
from daycentre.workshops import services as workshops
from daycentre.workshops.models import GroupMeeting, MeetingAttendance, WorkshopAttendance
from tests.cases.test_services import active_case, open_case, sign
from tests.conftest import text_of
from tests.factories import (
    make_adult,
    make_case,
    make_centre,
    make_enrolment,
    make_family,
    make_group,
    make_room,
    make_session,
    make_workshop,
)

START, DEADLINE = date(2026, 3, 18), date(2026, 6, 30)  # the dates of active_case's service


def add_service(case, staff, kind, **fields):
    """A service of ``kind`` in a draft revision of the plan, started on START."""
    objective = plans.create_plan(case, actor=staff["manager"], starts_on=START).objectives[0]
    return plans.add_service(
        objective,
        actor=staff["manager"],
        kind=kind,
        description=fields.pop("description", "Serviciul centrului"),
        responsible="Tünde Fazakas",
        starts_on=START,
        deadline=DEADLINE,
        **fields,
    )


def delivered(service, centre_ids):
    return deliveries(service.objective.plan, centre_ids=centre_ids)[service.id]


def test_after_school_counts_the_days_marked_within_the_services_dates(centre, staff):
    case = active_case(centre, staff)
    service = case.active_plan.objectives[0].services[0]
    group = make_group(centre)
    child = case.children[0]
    plans.link_record(service, make_enrolment(child, group), actor=staff["manager"])
    marks = {
        date(2026, 3, 10): AttendanceStatus.PRESENT,  # before the service started
        START: AttendanceStatus.PRESENT,
        date(2026, 4, 2): AttendanceStatus.PRESENT,
        date(2026, 4, 3): AttendanceStatus.ABSENT_EXCUSED,
        DEADLINE: AttendanceStatus.PRESENT,
        date(2026, 7, 1): AttendanceStatus.PRESENT,  # after its deadline
    }
    for day, status in marks.items():
        db.session.add(
            Attendance(
                centre_id=centre.id, group_id=group.id, person_id=child.id, day=day, status=status
            )
        )
    db.session.flush()
    delivery = delivered(service, {centre.id})
    assert (delivery.attended, delivery.out_of) == (3, 4)


def test_a_workshop_service_links_to_a_parents_registration_and_shows_completion(centre, staff):
    case = active_case(centre, staff)
    mother = make_adult(case.family, given_name="Erzsébet")
    stranger = make_adult(make_family(centre, name="Szabó"), given_name="Ilona")
    room = make_room(centre)
    workshop = make_workshop(centre, room, [staff["manager"]], capacity=5, sessions=4)
    registration = workshops.register(workshop, mother, actor=staff["coordinator"])
    elsewhere = workshops.register(workshop, stranger, actor=staff["coordinator"])
    service = add_service(case, staff, ServiceKind.WORKSHOP)
    with pytest.raises(Refused, match="copiii sau membrii familiei"):
        plans.link_record(service, elsewhere, actor=staff["manager"])
    after_school = service.objective.services[0]
    with pytest.raises(Refused, match="de acest fel"):
        plans.link_record(after_school, registration, actor=staff["manager"])
    plans.link_record(service, registration, actor=staff["manager"])
    for session, present in zip(workshop.sessions, (True, True, True, False), strict=True):
        db.session.add(
            WorkshopAttendance(session_id=session.id, person_id=mother.id, present=present)
        )
    db.session.flush()
    delivery = delivered(service, {centre.id})
    assert delivery.record is registration
    assert (delivery.attended, delivery.out_of, delivery.completed) == (3, 4, True)
    assert after_school.linked_record is None


def father_in_group(case, staff, *, joined_on, meetings):
    """The case's father joins a support group on ``joined_on``; ``meetings`` maps each
    meeting's day to whether he came."""
    father = make_adult(case.family, given_name="Levente")
    group = workshops.create_group(
        case.centre,
        actor=staff["coordinator"],
        topic="Părinți singuri",
        facilitator=staff["manager"],
        room=make_room(case.centre),
    )
    membership = workshops.join_group(group, father, actor=staff["manager"], on=joined_on)
    for day, present in meetings.items():
        start = datetime(day.year, day.month, day.day, 17, tzinfo=BUCHAREST)
        meeting = GroupMeeting(group=group, starts_at=start, ends_at=start + timedelta(hours=1))
        db.session.add(meeting)
        db.session.flush()
        db.session.add(
            MeetingAttendance(meeting_id=meeting.id, person_id=father.id, present=present)
        )
    return membership


def test_a_support_group_counts_the_meetings_held_while_a_member(centre, staff):
    case = active_case(centre, staff)
    membership = father_in_group(
        case,
        staff,
        joined_on=date(2026, 4, 1),
        meetings={date(2026, 3, 25): True, date(2026, 4, 8): True, date(2026, 4, 22): False},
    )
    service = add_service(case, staff, ServiceKind.SUPPORT_GROUP, record=membership)
    delivery = delivered(service, {centre.id})
    assert (delivery.attended, delivery.out_of) == (1, 2)  # the March meeting was before he joined


def test_counselling_finds_the_sessions_of_the_case_in_the_services_dates(
    centre, other_centre, staff
):
    case = active_case(centre, staff)
    child, counsellor, room = case.children[0], staff["manager"], make_room(centre)
    elsewhere = make_room(other_centre)
    stranger = make_adult(make_family(centre, name="Szabó"))

    def session(day, status, *, person=None, family=None, in_room=room):
        start = datetime(day.year, day.month, day.day, 10, tzinfo=BUCHAREST)
        return make_session(
            counsellor, in_room, person=person, family=family, start=start, status=status
        )

    session(START, SessionStatus.HELD, person=child)
    session(date(2026, 4, 1), SessionStatus.HELD, family=case.family)
    session(date(2026, 4, 15), SessionStatus.NO_SHOW, person=child)
    session(DEADLINE, SessionStatus.SCHEDULED, person=child)
    session(date(2026, 4, 22), SessionStatus.CANCELLED, person=child)
    session(date(2026, 3, 17), SessionStatus.HELD, person=child)  # the day before the start
    session(date(2026, 4, 8), SessionStatus.HELD, person=stranger)
    session(date(2026, 4, 9), SessionStatus.HELD, person=child, in_room=elsewhere)
    service = add_service(case, staff, ServiceKind.COUNSELLING)
    delivery = delivered(service, {centre.id})
    assert (delivery.attended, delivery.out_of, len(delivery.sessions)) == (2, 3, 4)
    assert len(delivered(service, {centre.id, other_centre.id}).sessions) == 5


def test_a_revision_of_the_plan_keeps_the_links(centre, staff):
    case = active_case(centre, staff)
    mother = make_adult(case.family, given_name="Erzsébet")
    workshop = make_workshop(centre, make_room(centre), [staff["manager"]])
    registration = workshops.register(workshop, mother, actor=staff["coordinator"])
    service = add_service(case, staff, ServiceKind.WORKSHOP, record=registration)
    plan = service.objective.plan
    sign(plan, staff["manager"], START)
    plans.approve_plan(plan, actor=staff["coordinator"], version=plan.version)
    revision = plans.create_plan(case, actor=staff["manager"], starts_on=today())
    kept = [s.linked_record for o in revision.objectives for s in o.services]
    assert registration in kept


def test_a_task_is_marked_done_once_and_leaves_the_home_page(centre, staff):
    case = make_case(centre, actor=staff["coordinator"])
    open_case(case, staff)
    task = tasks.add_task(case, actor=staff["manager"], text="Sună la școală")
    (item,) = overdue.overdue_for(staff["manager"]).items
    assert item.open_tasks == 1
    assert tasks.complete_task(task, actor=staff["manager"]) is True
    assert (task.done_on, task.done_by) == (today(), staff["manager"])
    assert tasks.complete_task(task, actor=staff["coordinator"]) is False  # a second click
    assert task.done_by == staff["manager"]
    assert overdue.overdue_for(staff["manager"]).items == []
    changes = db.session.scalars(
        db.select(AuditEntry.changes).filter_by(entity="case_tasks", action="update")
    ).all()
    assert len(changes) == 1 and changes[0]["done_on"][1] == today().isoformat()
    assert "task_done" in [event.kind for event in case.events]


# --- Through the pages ---------------------------------------------------------------------


def test_the_manager_links_a_registration_and_marks_a_task_done(client, login, centre, staff):
    case = active_case(centre, staff)
    mother = make_adult(case.family, given_name="Erzsébet")
    workshop = make_workshop(
        centre, make_room(centre), [staff["manager"]], title="Părinți prezenți"
    )
    registration = workshops.register(workshop, mother, actor=staff["coordinator"])
    service = add_service(case, staff, ServiceKind.WORKSHOP)
    task = tasks.add_task(case, actor=staff["manager"], text="Sună la școală")
    plan_id, service_id, task_id = service.objective.plan_id, service.id, task.id
    login(staff["manager"])

    page = text_of(client.get(f"/cases/plans/{plan_id}"))
    assert "Erzsébet" in page and "Părinți prezenți" in page
    token = f"registration:{registration.id}"
    response = client.post(f"/cases/services/{service_id}/link", data={"record": token})
    assert response.status_code == 302
    page = text_of(client.get(f"/cases/plans/{plan_id}"))
    assert "Părinți prezenți : Înscris · a participat la 0 din 4 sesiuni" in page
    refused = client.post(
        f"/cases/services/{service_id}/link",
        data={"record": "enrolment:999"},
        follow_redirects=True,
    )
    assert "Alegeți una dintre opțiunile din listă." in text_of(refused)
    assert db.session.get(type(service), service_id).registration_id == registration.id

    client.post(f"/cases/tasks/{task_id}/done")
    page = text_of(client.get(f"/cases/{case.id}"))
    assert f"încheiată la {today():%d.%m.%Y}" in page
    assert db.session.get(CaseTask, task_id).done_on == today()


def test_a_colleague_outside_the_case_cannot_mark_its_tasks(client, login, centre, staff):
    case = make_case(centre, actor=staff["coordinator"])
    open_case(case, staff)
    task_id = tasks.add_task(case, actor=staff["manager"], text="Sună la școală").id
    login(staff["colleague"])
    assert client.post(f"/cases/tasks/{task_id}/done").status_code == 404
    assert db.session.get(CaseTask, task_id).done_on is None


def test_no_case_other_than_the_centres_own_is_reached(client, login, staff):
    stranger_centre = make_centre(name="Centrul din Covasna")
    case = make_case(stranger_centre, actor=staff["admin"])
    task_id = tasks.add_task(case, actor=staff["admin"], text="Vizită").id
    login(staff["coordinator"])
    assert client.post(f"/cases/tasks/{task_id}/done").status_code == 404


def test_the_case_page_shows_an_approved_plans_workshop_and_group_links(
    client, login, centre, staff
):
    case = active_case(centre, staff)
    mother = make_adult(case.family, given_name="Erzsébet")
    room = make_room(centre)
    workshop = make_workshop(centre, room, [staff["manager"]], title="Părinți prezenți")
    registration = workshops.register(workshop, mother, actor=staff["coordinator"])
    group = workshops.create_group(
        centre,
        actor=staff["coordinator"],
        topic="Mame singure",
        facilitator=staff["manager"],
        room=room,
    )
    membership = workshops.join_group(group, mother, actor=staff["manager"], on=START)
    service = add_service(case, staff, ServiceKind.WORKSHOP, record=registration)
    plans.add_service(
        service.objective,
        actor=staff["manager"],
        kind=ServiceKind.SUPPORT_GROUP,
        description="Grup de sprijin",
        responsible="Tünde Fazakas",
        starts_on=START,
        deadline=DEADLINE,
        record=membership,
    )
    plan = service.objective.plan
    sign(plan, staff["manager"], START)
    plans.approve_plan(plan, actor=staff["coordinator"], version=plan.version)
    login(staff["manager"])
    response = client.get(f"/cases/{case.id}")
    assert response.status_code == 200
    page = text_of(response)
    assert "Părinți prezenți : Înscris" in page and "Mame singure" in page


def test_another_centres_records_are_neither_offered_nor_shown(
    client, login, centre, other_centre, staff
):
    case = active_case(centre, staff)
    child = case.children[0]
    secret = make_enrolment(child, make_group(other_centre, name="Grupa Secretă"))
    service = case.active_plan.objectives[0].services[0]
    assert plans.linkable_records(case, centre_ids={centre.id})[ServiceKind.AFTER_SCHOOL] == []
    with pytest.raises(Refused, match="centrele dumneavoastră"):
        plans.link_record(service, secret, actor=staff["manager"])
    plans.link_record(service, secret, actor=staff["admin"])  # the admin sees every centre
    assert delivered(service, {centre.id}).elsewhere
    login(staff["manager"])
    page = text_of(client.get(f"/cases/plans/{case.active_plan.id}"))
    assert "Grupa Secretă" not in page
    assert "Furnizat la un centru la care nu aveți acces." in page


def test_a_support_group_counts_only_meetings_within_the_services_dates(centre, staff):
    case = active_case(centre, staff)
    after = DEADLINE + timedelta(days=1)
    membership = father_in_group(
        case,
        staff,
        joined_on=date(2025, 1, 6),
        meetings={date(2025, 5, 7): True, START: True, after: True},
    )
    service = add_service(case, staff, ServiceKind.SUPPORT_GROUP, record=membership)
    delivery = delivered(service, {centre.id})
    assert (delivery.attended, delivery.out_of) == (1, 1)


def test_anonymising_a_parent_leaves_her_childs_plan_alone(centre, staff):
    from daycentre.audit.retention import Expired, anonymise

    case = active_case(centre, staff)
    mother = make_adult(case.family, given_name="Erzsébet")
    workshop = make_workshop(centre, make_room(centre), [staff["manager"]])
    registration = workshops.register(workshop, mother, actor=staff["coordinator"])
    service = add_service(
        case, staff, ServiceKind.WORKSHOP, record=registration, description="Atelier pentru mamă"
    )
    anonymise([Expired(mother.id, mother.family_id, None)])
    db.session.expire_all()
    assert db.session.get(type(service), service.id).description == "Atelier pentru mamă"
