from datetime import date, datetime, time

import pytest
from sqlalchemy import select

from daycentre.audit.models import AuditEntry
from daycentre.core.localtime import BUCHAREST
from daycentre.extensions import db
from daycentre.people.models import Person
from daycentre.workshops import services as workshops
from daycentre.workshops.models import (
    GroupMembership,
    RegistrationStatus,
    SupportGroup,
    Workshop,
    WorkshopRegistration,
)
from tests.conftest import text_of
from tests.counting import figures_on
from tests.factories import make_adult, make_family, make_room, make_user, make_workshop


def at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute)).replace(tzinfo=BUCHAREST)


@pytest.fixture
def room(centre):
    return make_room(centre, name="Sala mare")


@pytest.fixture
def workshop(centre, room, users):
    workshop = make_workshop(centre, room, [users["counsellor"]], capacity=1, sessions=4)
    db.session.commit()
    return workshop


@pytest.fixture
def adults(centre):
    people = [
        make_adult(make_family(centre, name=name), given_name=given)
        for name, given in (("Kovács", "Anna"), ("Popescu", "Maria"), ("Szabó", "Éva"))
    ]
    db.session.commit()
    return people


def test_the_coordinator_creates_a_workshop_with_weekly_sessions(
    client, login_as, centre, room, users
):
    login_as("coordinator")
    response = client.post(
        f"/workshops/new/{centre.id}",
        data={
            "title": "Disciplina pozitivă",
            "description": "Pentru părinții copiilor de 6-10 ani",
            "audience": "parents",
            "capacity": "12",
            "room_id": str(room.id),
            "facilitator_ids": [str(users["counsellor"].id)],
            "first_day": "2026-11-05",
            "start_time": "16:00",
            "minutes": "90",
            "count": "6",
            "interval_days": "7",
        },
        follow_redirects=True,
    )
    page = text_of(response)
    assert "Atelierul și sesiunile lui au fost create." in page
    assert "Disciplina pozitivă" in page
    assert "0 din 12 ocupate" in page
    workshop = db.session.scalar(select(Workshop))
    assert [s.local_start.date() for s in workshop.sessions][-1] == date(2026, 12, 10)


def test_registration_beyond_capacity_goes_to_the_waiting_list(client, login_as, workshop, adults):
    login_as("coordinator")
    for adult in adults[:2]:
        response = client.post(
            f"/workshops/{workshop.id}/register",
            data={"person_id": str(adult.id)},
            follow_redirects=True,
        )
    page = text_of(response)
    assert "Atelierul este complet: Maria Popescu este pe lista de așteptare." in page
    assert "Listă de așteptare" in page
    first = db.session.scalar(
        select(WorkshopRegistration).where(WorkshopRegistration.person_id == adults[0].id)
    )
    response = client.post(f"/workshops/registrations/{first.id}/cancel", follow_redirects=True)
    page = text_of(response)
    assert "Maria Popescu a primit un loc de pe lista de așteptare." in page
    audit_row = db.session.scalars(
        select(AuditEntry)
        .where(AuditEntry.entity == "workshop_registrations")
        .order_by(AuditEntry.id.desc())
    ).first()
    assert audit_row.person_id == adults[1].id
    assert audit_row.changes == {"status": ["waiting", "registered"]}


def test_a_new_adult_is_added_to_the_register_and_registered(client, login_as, workshop, centre):
    login_as("coordinator")
    response = client.post(
        f"/workshops/{workshop.id}/new-adult",
        data={
            "family_name": "Bartha",
            "given_name": "Ilona",
            "relation": "future_parent",
            "phone": "0744 111 222",
            "address": "Strada Gării 3",
            "city": "Târgu Secuiesc",
        },
        follow_redirects=True,
    )
    assert "Ilona Bartha este înscris(ă)." in text_of(response)
    person = db.session.scalar(select(Person).where(Person.family_name == "Bartha"))
    assert person.family.centre_id == centre.id
    assert person.kind.value == "adult"


def test_attendance_for_a_session_and_the_certificate(client, login_as, workshop, adults, users):
    anna = adults[0]
    workshops.register(workshop, anna, actor=users["coordinator"])
    db.session.commit()
    login_as("counsellor")
    for session in workshop.sessions[:3]:
        response = client.post(
            f"/workshops/sessions/{session.id}/attendance",
            data={"present": [str(anna.id)]},
            follow_redirects=True,
        )
    page = text_of(response)
    assert "Prezență salvată: 1 participant prezent." in page
    assert "3 din 4 (75%)" in page
    registration = workshop.registrations[0]
    response = client.get(f"/workshops/registrations/{registration.id}/certificate/hu")
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    assert response.data.startswith(b"%PDF")
    # The certificate names the participant: each copy is an export in the trail.
    export = db.session.scalars(select(AuditEntry).filter_by(action="export")).one()
    assert (export.entity, export.entity_id, export.person_id, export.centre_id) == (
        "workshop_registrations",
        registration.id,
        anna.id,
        workshop.centre_id,
    )
    assert export.actor_id == users["counsellor"].id
    assert export.changes == {"document": "certificate", "format": "pdf", "language": "hu"}


def test_no_certificate_before_completion(client, login_as, workshop, adults, users):
    workshops.register(workshop, adults[0], actor=users["coordinator"])
    db.session.commit()
    login_as("counsellor")
    registration = db.session.scalar(select(WorkshopRegistration))
    response = client.get(f"/workshops/registrations/{registration.id}/certificate/ro")
    assert response.status_code == 404
    assert registration.status is RegistrationStatus.REGISTERED


def test_the_workshop_page_in_hungarian(client, login_as, workshop, adults, users):
    workshops.register(workshop, adults[0], actor=users["coordinator"])
    workshops.register(workshop, adults[1], actor=users["coordinator"])
    db.session.commit()
    login_as("coordinator")
    client.post("/auth/language", data={"language": "hu"})
    page = text_of(client.get(f"/workshops/{workshop.id}"))
    assert "Várólista" in page
    assert "Szülők" in page
    assert "1 helyből 1 foglalt" in page


def test_another_centres_workshop_and_group_answer_404(client, login_as, other_centre, users):
    counsellor = make_user("counsellor", centres=[other_centre])
    room = make_room(other_centre)
    workshop = make_workshop(other_centre, room, [counsellor])
    group = SupportGroup(
        centre_id=other_centre.id, topic="Mame", facilitator_id=counsellor.id, room_id=room.id
    )
    db.session.add(group)
    db.session.commit()
    login_as("coordinator")
    assert client.get(f"/workshops/{workshop.id}").status_code == 404
    assert client.get(f"/workshops/groups/{group.id}").status_code == 404
    session_id = workshop.sessions[0].id
    assert client.get(f"/workshops/sessions/{session_id}/attendance").status_code == 404
    assert "Mame" not in text_of(client.get("/workshops/"))


def test_a_counsellor_takes_attendance_but_does_not_register(client, login_as, workshop, adults):
    login_as("counsellor")
    response = client.post(
        f"/workshops/{workshop.id}/register", data={"person_id": str(adults[0].id)}
    )
    assert response.status_code == 403
    page = text_of(client.get(f"/workshops/{workshop.id}"))
    assert "Înscrie un participant" not in page
    assert "Prezență" in page


def test_support_group_members_and_meetings(client, login_as, centre, room, users, adults):
    login_as("coordinator")
    response = client.post(
        f"/workshops/groups/new/{centre.id}",
        data={
            "topic": "Părinți singuri",
            "facilitator_id": str(users["counsellor"].id),
            "room_id": str(room.id),
            "schedule": "Joi, 17:00",
        },
        follow_redirects=True,
    )
    assert "Grupul de suport a fost creat." in text_of(response)
    group = db.session.scalar(select(SupportGroup))
    client.post(
        f"/workshops/groups/{group.id}/join",
        data={"person_id": str(adults[0].id), "day": "2026-11-01"},
    )
    client.post(
        f"/workshops/groups/{group.id}/join",
        data={"person_id": str(adults[1].id), "day": "2026-11-01"},
    )
    membership = db.session.scalar(
        select(GroupMembership).where(GroupMembership.person_id == adults[1].id)
    )
    response = client.post(
        f"/workshops/groups/members/{membership.id}/leave",
        data={"day": "2026-11-10"},
        follow_redirects=True,
    )
    assert "Maria Popescu a părăsit grupul." in text_of(response)
    response = client.post(
        f"/workshops/groups/{group.id}/meetings",
        data={"day": "2026-11-26", "start_time": "16:00", "minutes": "60", "count": "2"},
        follow_redirects=True,
    )
    assert "2 întâlniri adăugate." in text_of(response)
    meeting = db.session.get(SupportGroup, group.id).meetings[0]
    page = text_of(client.get(f"/workshops/groups/meetings/{meeting.id}/attendance"))
    assert "Anna Kovács" in page and "Maria Popescu" not in page
    response = client.post(
        f"/workshops/groups/meetings/{meeting.id}/attendance",
        data={"present": [str(adults[0].id)]},
        follow_redirects=True,
    )
    assert "Prezență salvată: 1 membru prezent." in text_of(response)


def test_the_counts_page(client, login_as, workshop, adults, users):
    workshops.register(workshop, adults[0], actor=users["coordinator"])
    for session in workshop.sessions:
        workshops.record_attendance(session, actor=users["coordinator"], present_ids={adults[0].id})
    db.session.commit()
    login_as("coordinator")
    page = text_of(client.get("/workshops/counts?first=2026-11-01&last=2026-12-31"))
    assert "Ateliere desfășurate 1" in page
    assert "Sesiuni de atelier 4" in page
    assert "Finalizări 1" in page


def test_the_counts_page_shows_the_measures_and_a_cancelled_place_completes_nothing(
    client, login_as, workshop, adults, users
):
    # Anna attends the whole programme, then her place is cancelled and goes to Maria. The
    # workshop's page and its counts said 0 completions and the indicators page 1 (it counted
    # attendance marks, registered or not); now both read the one measure.
    coordinator = users["coordinator"]
    anna = workshops.register(workshop, adults[0], actor=coordinator)
    workshops.register(workshop, adults[1], actor=coordinator)  # in line: one place
    for session in workshop.sessions:
        workshops.record_attendance(session, actor=coordinator, present_ids={adults[0].id})
    workshops.cancel_registration(anna, actor=coordinator)
    db.session.commit()
    login_as("coordinator")
    response = client.get("/workshops/counts?first=2026-11-01&last=2026-12-31")
    shown = figures_on(client, response)
    assert shown == {
        "parenting_workshops": 1,
        "workshop_sessions": 4,
        "workshop_participants": 1,
        "workshop_completions": 0,
        "group_meetings": 0,
        "group_members": 0,
    }
    assert not any(p.completed for p in workshops.progress(workshop).values())


def test_sessions_and_meetings_appear_in_the_facilitator_and_room_calendars(
    client, login_as, workshop, room, users
):
    group = workshops.create_group(
        workshop.centre,
        actor=users["coordinator"],
        topic="Părinți singuri",
        facilitator=users["counsellor"],
        room=make_room(workshop.centre, name="Sala mică"),
    )
    workshops.add_meetings(
        group, actor=users["coordinator"], first_start=at(date(2026, 11, 26), 14), minutes=60
    )
    db.session.commit()
    login_as("coordinator")
    page = text_of(
        client.get(f"/counselling/counsellors/{users['counsellor'].id}/week?day=2026-11-24")
    )
    assert "16:00–17:30 Părinți buni, copii fericiți Atelier de parenting" in page
    assert "14:00–15:00 Părinți singuri Grup de suport" in page
    page = text_of(client.get(f"/counselling/rooms/{room.id}/week?day=2026-11-24"))
    assert "Părinți buni, copii fericiți" in page
    assert "Părinți singuri" not in page


def test_the_home_page_lists_todays_workshop_sessions(client, login_as, centre, room, users):
    from daycentre.core.localtime import today

    make_workshop(
        centre, room, [users["counsellor"]], sessions=1, start=at(today(), 16), title="Tați"
    )
    db.session.commit()
    login_as("counsellor")
    page = text_of(client.get("/"))
    assert "Ateliere și grupuri de suport azi" in page
    assert "16:00–17:30 Tați" in page
