from datetime import date, datetime, time

import pytest
from sqlalchemy import select

from daycentre.audit.models import AuditEntry
from daycentre.core.errors import Refused
from daycentre.core.localtime import BUCHAREST
from daycentre.counselling import services as counselling
from daycentre.extensions import db
from daycentre.people.models import Person
from daycentre.reports.measures import Scope, figures
from daycentre.workshops import services as workshops
from daycentre.workshops.models import RegistrationStatus, Workshop, WorkshopRegistration
from tests.concurrency import race, refused
from tests.factories import (
    make_adult,
    make_child,
    make_family,
    make_room,
    make_session,
    make_user,
    make_workshop,
)

TUESDAY = date(2026, 11, 24)


def at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute)).replace(tzinfo=BUCHAREST)


@pytest.fixture
def room(centre):
    return make_room(centre, name="Sala mare")


@pytest.fixture
def adults(centre):
    return [
        make_adult(make_family(centre, name=name), given_name=given)
        for name, given in (("Kovács", "Anna"), ("Popescu", "Maria"), ("Szabó", "Éva"))
    ]


@pytest.fixture
def workshop(centre, room, users):
    return make_workshop(centre, room, [users["counsellor"]], capacity=2, sessions=4)


def _create(centre, users, room, **overrides):
    fields = {
        "actor": users["coordinator"],
        "title": "Disciplina pozitivă",
        "audience": "parents",
        "room": room,
        "capacity": 10,
        "facilitators": [users["counsellor"]],
        "first_start": at(TUESDAY, 16),
        "minutes": 90,
        "count": 6,
    }
    fields.update(overrides)
    return workshops.create_workshop(centre, **fields)


def test_a_workshop_gets_its_weekly_sessions_at_the_same_local_time(centre, users, room):
    # The series crosses no DST change here, but starts are built from the Bucharest wall clock.
    workshop = _create(centre, users, room, first_start=at(date(2026, 10, 13), 16), count=4)
    starts = [s.local_start for s in workshop.sessions]
    assert [s.date() for s in starts] == [
        date(2026, 10, 13),
        date(2026, 10, 20),
        date(2026, 10, 27),
        date(2026, 11, 3),
    ]
    assert {s.time() for s in starts} == {time(16)}  # 25 October is the DST change
    assert {s.local_end.time() for s in workshop.sessions} == {time(17, 30)}
    entries = db.session.scalars(select(AuditEntry.entity).where(AuditEntry.action == "create"))
    assert sorted(set(entries)) == ["workshop_sessions", "workshops"]


def test_facilitators_must_be_counsellors_of_the_centre(centre, other_centre, users, room):
    with pytest.raises(Refused, match="consilieri ai acestui centru"):
        _create(centre, users, room, facilitators=[users["coordinator"]])
    stranger = make_user("counsellor", centres=[other_centre])
    with pytest.raises(Refused, match="consilieri ai acestui centru"):
        _create(centre, users, room, facilitators=[stranger])
    with pytest.raises(Refused, match="sală a acestui centru"):
        _create(centre, users, make_room(other_centre))


def test_a_workshop_session_is_refused_when_it_clashes_with_a_counselling_session(
    centre, users, room
):
    child = make_child(make_family(centre, name="Kovács"))
    make_session(users["counsellor"], room, person=child, start=at(date(2026, 12, 8), 16, 30))
    with pytest.raises(Refused, match="ședință de consiliere"):
        _create(centre, users, room)
    assert db.session.scalar(select(Workshop.id)) is None


def test_a_counselling_booking_is_refused_during_a_workshop_session(centre, users, room, workshop):
    other_room = make_room(centre, name="Cabinet 2")
    child = make_child(make_family(centre, name="Popa"))
    # Same counsellor (facilitator), other room.
    with pytest.raises(Refused, match="sesiune de atelier"):
        counselling.schedule(
            centre,
            actor=users["counsellor"],
            counsellor=users["counsellor"],
            room=other_room,
            person=child,
            session_type="social",
            start=at(TUESDAY, 17),
            minutes=60,
        )
    # Same room, another counsellor.
    other = make_user("counsellor", centres=[centre])
    with pytest.raises(Refused, match="sesiune de atelier"):
        counselling.schedule(
            centre,
            actor=users["coordinator"],
            counsellor=other,
            room=room,
            person=child,
            session_type="social",
            start=at(TUESDAY, 15),
            minutes=90,
        )
    # Right after the session ends it is free.
    booked = counselling.schedule(
        centre,
        actor=users["counsellor"],
        counsellor=users["counsellor"],
        room=room,
        person=child,
        session_type="social",
        start=at(TUESDAY, 17, 30),
        minutes=30,
    )
    assert len(booked) == 1


def test_moving_a_session_checks_clashes_but_not_with_itself(centre, users, room, workshop):
    first, second = workshop.sessions[:2]
    workshops.move_session(
        first, actor=users["counsellor"], start=at(TUESDAY, 16, 30), minutes=90, version=1
    )
    assert first.local_start.time() == time(16, 30)
    with pytest.raises(Refused, match="sesiune de atelier"):
        workshops.move_session(
            first, actor=users["counsellor"], start=second.starts_at, minutes=60, version=2
        )


def test_registration_fills_places_then_the_waiting_list_in_order(workshop, adults, users):
    coordinator = users["coordinator"]
    statuses = [workshops.register(workshop, a, actor=coordinator).status for a in adults]
    assert statuses == [RegistrationStatus.REGISTERED] * 2 + [RegistrationStatus.WAITING]
    assert workshop.taken_places == 2
    with pytest.raises(Refused, match="deja înscris"):
        workshops.register(workshop, adults[0], actor=coordinator)
    entry = db.session.scalars(
        select(AuditEntry).where(AuditEntry.entity == "workshop_registrations")
    ).all()[-1]
    assert (entry.person_id, entry.centre_id) == (adults[2].id, workshop.centre_id)


def test_children_and_other_centres_people_cannot_register(workshop, other_centre, users, centre):
    with pytest.raises(Refused, match="adult"):
        workshops.register(workshop, make_child(make_family(centre)), actor=users["coordinator"])
    stranger = make_adult(make_family(other_centre, name="Ionescu"))
    with pytest.raises(Refused, match="adult al acestui centru"):
        workshops.register(workshop, stranger, actor=users["coordinator"])


def test_a_cancellation_promotes_the_first_in_line(workshop, centre, users):
    people = [make_adult(make_family(centre, name=f"Familia{i}")) for i in range(5)]
    regs = [workshops.register(workshop, p, actor=users["coordinator"]) for p in people]
    promoted = workshops.cancel_registration(regs[0], actor=users["coordinator"])
    assert promoted is regs[2]
    assert regs[2].status is RegistrationStatus.REGISTERED
    assert [r.person_id for r in workshops.waiting_list(workshop)] == [people[3].id, people[4].id]
    assert workshop.taken_places == 2
    audit_rows = db.session.scalars(
        select(AuditEntry).where(
            AuditEntry.entity == "workshop_registrations", AuditEntry.entity_id == regs[2].id
        )
    ).all()
    assert audit_rows[-1].changes == {"status": ["waiting", "registered"]}
    # Cancelling a place in line frees nothing.
    assert workshops.cancel_registration(regs[3], actor=users["coordinator"]) is None
    assert workshop.taken_places == 2


def test_the_coordinator_reorders_the_line_and_promotes_by_hand(workshop, centre, users):
    coordinator = users["coordinator"]
    people = [make_adult(make_family(centre, name=f"Familia{i}")) for i in range(5)]
    regs = [workshops.register(workshop, p, actor=coordinator) for p in people]
    workshops.move_in_line(regs[4], actor=coordinator, up=True)
    assert workshops.waiting_list(workshop) == [regs[2], regs[4], regs[3]]
    workshops.cancel_registration(regs[1], actor=coordinator)
    assert regs[2].status is RegistrationStatus.REGISTERED
    with pytest.raises(Refused, match="complet"):
        workshops.promote(regs[3], actor=coordinator)
    workshops.update_workshop(
        workshop,
        actor=coordinator,
        title=workshop.title,
        description=None,
        audience="parents",
        capacity=3,
    )
    # One more place went to the first in line (reordered): regs[4] before regs[3].
    assert regs[4].status is RegistrationStatus.REGISTERED
    assert regs[3].status is RegistrationStatus.WAITING
    workshops.cancel_registration(regs[0], actor=coordinator)
    assert regs[3].status is RegistrationStatus.REGISTERED
    assert workshop.taken_places == 3


def test_capacity_cannot_drop_below_the_registered(workshop, adults, users):
    for adult in adults[:2]:
        workshops.register(workshop, adult, actor=users["coordinator"])
    with pytest.raises(Refused, match="deja înscris"):
        workshops.update_workshop(
            workshop,
            actor=users["coordinator"],
            title="x",
            description=None,
            audience="parents",
            capacity=1,
        )


def test_the_last_place_goes_to_one_of_two_racing_registrations(app, centre, room, users):
    workshop_id = make_workshop(centre, room, [users["counsellor"]], capacity=1).id
    racers = [make_adult(make_family(centre, name=n)).id for n in ("Ana", "Béla")]
    actor_id = users["coordinator"].id  # read here: the racers' threads must not share a session
    db.session.commit()

    def register(person_id):
        from daycentre.auth.models import User

        actor = db.session.get(User, actor_id)
        workshop = db.session.get(Workshop, workshop_id)
        person = db.session.get(Person, person_id)
        person.family  # noqa: B018 - loaded before the race, as a request would
        actor.centres  # noqa: B018
        return lambda: workshops.register(workshop, person, actor=actor)

    assert refused(race(app, register, racers)) == 0
    statuses = sorted(s.value for s in db.session.scalars(select(WorkshopRegistration.status)))
    assert statuses == ["registered", "waiting"]
    assert db.session.get(Workshop, workshop_id).taken_places == 1


def test_attendance_rate_and_completion_at_the_configured_share(app, workshop, adults, users):
    coordinator = users["counsellor"]
    anna, maria = adults[:2]
    for adult in (anna, maria):
        workshops.register(workshop, adult, actor=coordinator)
    sessions = workshop.sessions
    for session in sessions[:3]:
        workshops.record_attendance(session, actor=coordinator, present_ids={anna.id, maria.id})
    workshops.record_attendance(sessions[3], actor=coordinator, present_ids={anna.id})
    # Maria missed the third session after all.
    workshops.record_attendance(sessions[2], actor=coordinator, present_ids={anna.id})
    progress = workshops.progress(workshop)
    assert (progress[anna.id].attended, progress[anna.id].percent) == (4, 100)
    assert (progress[maria.id].attended, progress[maria.id].percent) == (2, 50)
    assert progress[anna.id].completed and not progress[maria.id].completed
    app.config["WORKSHOP_COMPLETION_SHARE"] = 0.5
    assert workshops.progress(workshop)[maria.id].completed


def test_support_group_members_join_leave_and_meetings_count_attendance(
    centre, room, users, adults
):
    counsellor = users["counsellor"]
    group = workshops.create_group(
        centre, actor=counsellor, topic="Părinți singuri", facilitator=counsellor, room=room
    )
    anna, maria, eva = adults
    workshops.join_group(group, anna, actor=counsellor, on=date(2026, 11, 1))
    leaving = workshops.join_group(group, maria, actor=counsellor, on=date(2026, 11, 1))
    workshops.leave_group(leaving, actor=counsellor, on=date(2026, 11, 20))
    with pytest.raises(Refused, match="deja membru"):
        workshops.join_group(group, anna, actor=counsellor, on=date(2026, 11, 2))
    meeting = workshops.add_meetings(
        group, actor=counsellor, first_start=at(date(2026, 11, 26), 16), minutes=60
    )[0]
    # Maria has left and Éva never joined: only Anna counts.
    assert (
        workshops.record_meeting_attendance(
            meeting, actor=counsellor, present_ids={anna.id, maria.id, eva.id}
        )
        == 1
    )
    assert workshops.meeting_attendance(meeting) == {anna.id: True}
    # The meeting holds the facilitator: a workshop at the same time is refused.
    with pytest.raises(Refused, match="întâlnire a grupului de suport"):
        _create(centre, users, make_room(centre), first_start=at(date(2026, 11, 26), 16, 30))


def test_counts_for_a_period(centre, other_centre, room, users, adults):
    counsellor = users["counsellor"]
    anna, maria, eva = adults
    november = make_workshop(
        centre, room, [counsellor], capacity=5, sessions=4, start=at(date(2026, 11, 3), 16)
    )  # 3, 10, 17, 24 November
    spanning = make_workshop(
        centre, room, [counsellor], capacity=5, sessions=2, start=at(date(2026, 11, 26), 12)
    )  # 26 November, 3 December
    for adult in adults:
        workshops.register(november, adult, actor=counsellor)
    workshops.register(spanning, anna, actor=counsellor)
    for session in november.sessions:
        workshops.record_attendance(session, actor=counsellor, present_ids={anna.id, maria.id})
    workshops.record_attendance(spanning.sessions[0], actor=counsellor, present_ids={anna.id})
    group = workshops.create_group(
        centre, actor=counsellor, topic="Mame", facilitator=counsellor, room=room
    )
    for adult in (anna, eva):
        workshops.join_group(group, adult, actor=counsellor, on=date(2026, 10, 1))
    meetings = workshops.add_meetings(
        group, actor=counsellor, first_start=at(date(2026, 10, 29), 13), minutes=60, count=3
    )  # 29 October, 5 and 12 November
    for meeting in meetings:
        workshops.record_meeting_attendance(meeting, actor=counsellor, present_ids={eva.id})

    def counted(first, last, centre_ids):
        scope = Scope(frozenset(centre_ids), first, last)
        return {key: figure.value for key, figure in figures("workshops", scope).items()}

    assert counted(date(2026, 11, 1), date(2026, 11, 30), {centre.id}) == {
        "parenting_workshops": 2,
        "workshop_sessions": 5,
        "workshop_participants": 2,
        "workshop_completions": 2,
        "group_meetings": 2,
        "group_members": 1,
    }
    # Both ends are included: the last day's session counts; another centre sees nothing.
    assert counted(TUESDAY, TUESDAY, {centre.id})["workshop_sessions"] == 1
    assert set(counted(date(2026, 11, 1), date(2026, 11, 30), {other_centre.id}).values()) == {0}
