"""The events the other areas raise: a place from the waiting list, a complaint answered, a
volunteer's late cancellation, the day-before reminders and a contract's end."""

from datetime import time, timedelta

import pytest
from sqlalchemy import select

from daycentre.core.database import utcnow
from daycentre.core.errors import Refused
from daycentre.core.localtime import local_instant, today
from daycentre.extensions import db
from daycentre.notifications import services as notify
from daycentre.notifications.models import Event, Message
from daycentre.registers import services as registers
from daycentre.registers.models import Complainant, ComplaintChannel
from daycentre.volunteers import services as volunteering
from daycentre.volunteers.models import SignupStatus
from daycentre.workshops import services as workshops
from tests.factories import (
    make_activity,
    make_contract,
    make_family,
    make_room,
    make_user,
    make_volunteer,
    make_workshop,
)
from tests.notifications.conftest import consenting_adult


def _messages(event):
    return list(
        db.session.scalars(select(Message).where(Message.event == event).order_by(Message.id))
    )


def test_the_first_in_line_is_told_of_the_place_they_got(centre, users):
    room = make_room(centre)
    workshop = make_workshop(
        centre,
        room,
        [users["counsellor"]],
        capacity=1,
        start=local_instant(today() + timedelta(days=7), time(16)),
    )
    first = consenting_adult(make_family(centre, name="Popescu"), email="ana@example.ro")
    second = consenting_adult(make_family(centre, name="Kovács"), email="eva@example.ro")
    holding = workshops.register(workshop, first, actor=users["coordinator"])
    workshops.register(workshop, second, actor=users["coordinator"])
    assert _messages(Event.PLACE_OFFERED) == []

    workshops.cancel_registration(holding, actor=users["coordinator"])

    (told,) = _messages(Event.PLACE_OFFERED)
    assert told.address == "eva@example.ro"
    assert workshop.title in told.subject


def test_the_complainant_is_told_at_the_address_they_gave(centre, users):
    coordinator = users["coordinator"]
    complaint = registers.record_complaint(
        centre,
        actor=coordinator,
        received_on=today() - timedelta(days=2),
        channel=ComplaintChannel.EMAIL,
        complainant=Complainant.PARENT,
        complainant_name="Kovács Erzsébet",
        complainant_contact="tel. 0721 000 111, erzsebet@example.ro",
        subject="Porția de la masa caldă",
        handler=coordinator,
    )
    registers.answer_complaint(
        complaint,
        actor=coordinator,
        version=complaint.version,
        answer="Răspuns",
        answered_on=today(),
    )
    (told,) = _messages(Event.COMPLAINT_ANSWERED)
    assert told.address == "erzsebet@example.ro"
    assert complaint.reference in told.subject
    assert "Răspuns" not in told.text  # the answer's text stays with the centre


def test_a_volunteer_cancels_late_with_a_reason_and_the_coordinator_is_told(centre, users):
    users["coordinator"].email = "coordonator@example.ro"
    volunteer = make_volunteer(centre, user=users["volunteer"])
    make_contract(volunteer)
    activity = make_activity(centre, starts_in=timedelta(hours=5))
    signup = volunteering.sign_up(
        activity, volunteer, actor=users["volunteer"], now=activity.starts_at - timedelta(hours=6)
    )
    db.session.commit()
    from daycentre.core.database import utcnow

    with pytest.raises(Refused, match="24"):
        volunteering.cancel_signup(signup, actor=users["volunteer"], now=utcnow())
    volunteering.cancel_signup(
        signup, actor=users["volunteer"], now=utcnow(), reason="Copilul meu e bolnav"
    )
    assert signup.status is SignupStatus.CANCELLED
    assert signup.cancel_reason == "Copilul meu e bolnav"
    (told,) = _messages(Event.SIGNUP_CANCELLED)
    assert told.user_id == users["coordinator"].id
    assert "Copilul meu e bolnav" in told.text and activity.title in told.subject


def test_the_volunteer_page_asks_for_a_reason_inside_the_notice(
    app, centre, users, client, login_as
):
    volunteer = make_volunteer(centre, user=users["volunteer"])
    make_contract(volunteer)
    activity = make_activity(centre, starts_in=timedelta(hours=5))
    signup = volunteering.sign_up(
        activity, volunteer, actor=users["volunteer"], now=utcnow() - timedelta(days=1)
    )
    db.session.commit()
    login_as("volunteer")
    assert 'name="reason"' in client.get("/volunteers/me").get_data(as_text=True)
    url = f"/volunteers/me/signups/{signup.id}/cancel"
    client.post(url, data={"reason": ""})
    db.session.refresh(signup)
    assert signup.status is SignupStatus.SIGNED_UP
    client.post(url, data={"reason": "Am o urgență"})
    db.session.refresh(signup)
    assert signup.status is SignupStatus.CANCELLED
    client.post("/auth/logout")
    login_as("coordinator")
    page = client.get(f"/volunteers/activities/{activity.id}").get_data(as_text=True)
    assert "Am o urgență" in page


def test_reminders_and_a_contract_ending_are_queued_once(app, centre, users):
    users["coordinator"].email = "coordonator@example.ro"
    users["volunteer"].email = "voluntar@example.ro"
    volunteer = make_volunteer(centre, user=users["volunteer"])
    make_contract(volunteer, ends_on=today() + timedelta(days=20))
    tomorrow = today() + timedelta(days=1)
    activity = make_activity(centre, starts_at=local_instant(tomorrow, time(15)))
    signup = volunteering.sign_up(
        activity, volunteer, actor=users["volunteer"], now=activity.starts_at - timedelta(days=3)
    )
    assert signup.status is SignupStatus.SIGNED_UP
    db.session.commit()

    for _run in range(2):
        notify.queue_due(today())
        db.session.commit()

    (reminder,) = _messages(Event.ACTIVITY_REMINDER)
    assert reminder.user_id == users["volunteer"].id and activity.title in reminder.subject
    ending = _messages(Event.CONTRACT_ENDING)
    assert {m.user_id for m in ending} == {users["volunteer"].id, users["coordinator"].id}


def test_a_centre_that_turned_an_event_off_queues_nothing(app, centre, users):
    notify.save_settings(
        centre,
        actor=users["coordinator"],
        enabled=[e.value for e in notify.SWITCHABLE if e is not Event.ACTIVITY_REMINDER],
    )
    volunteer = make_volunteer(centre, user=users["volunteer"])
    make_contract(volunteer)
    activity = make_activity(centre, starts_at=local_instant(today() + timedelta(days=1), time(15)))
    volunteering.sign_up(
        activity, volunteer, actor=users["volunteer"], now=activity.starts_at - timedelta(days=3)
    )
    notify.queue_due(today())
    assert _messages(Event.ACTIVITY_REMINDER) == []
    other = make_user("coordinator", centres=[centre], email="alt@example.ro")
    assert notify.recipients_for_user(other)[0].email == "alt@example.ro"
