"""Demo messages of the after-school centre: its absences told to parents (turned on), two
parents who agreed to messages, and messages sent, waiting, being retried and failed."""

from datetime import timedelta

from sqlalchemy import select

from daycentre.auth.models import User
from daycentre.centres.models import Centre, CentreKind
from daycentre.core.database import utcnow
from daycentre.core.localtime import today
from daycentre.extensions import db
from daycentre.notifications import services as notify
from daycentre.notifications.models import Event, Message, MessageState
from daycentre.people.models import Consent, ConsentPurpose, Family, Person, PersonKind

DEMO_EMAILS = {"coordinator": "coordonator@example.ro", "volunteer": "voluntar@example.ro"}


def _parents(centre: Centre, count: int) -> list[Person]:
    return list(
        db.session.scalars(
            select(Person)
            .join(Family)
            .where(Family.centre_id == centre.id, Person.kind == PersonKind.ADULT)
            .order_by(Person.id)
            .limit(count)
        )
    )


def load_messages() -> None:
    centre = db.session.scalars(
        select(Centre).where(Centre.kind == CentreKind.AFTER_SCHOOL).order_by(Centre.id)
    ).first()
    coordinator = db.session.scalar(select(User).where(User.username == "coordinator"))
    for username, email in DEMO_EMAILS.items():
        db.session.scalar(select(User).where(User.username == username)).email = email
    on = {e.value for e in notify.enabled_events(centre.id)} | {Event.CHILD_ABSENT.value}
    notify.save_settings(centre, actor=coordinator, enabled=on)

    parents = _parents(centre, 2)
    for index, parent in enumerate(parents):
        parent.email = parent.email or f"parinte{index + 1}@example.ro"
        db.session.add(
            Consent(
                person=parent,
                purpose=ConsentPurpose.MESSAGES,
                given_by=parent.full_name,
                given_on=today() - timedelta(days=20),
            )
        )
    db.session.flush()
    notify.save_preference(
        actor=coordinator, person=parents[-1], email=True, sms=False, locale="hu"
    )
    for index, parent in enumerate(parents):
        notify.queue(
            Event.COMPLAINT_ANSWERED,
            centre_id=centre.id,
            record=("demo", index + 1),
            recipients=notify.recipients_for_person(parent),
            template="complaint_answered",
            context={
                "number": f"{index + 1}/{today().year}",
                "received_on": today() - timedelta(days=10),
                "answered_on": today() - timedelta(days=1),
                "centre_name": centre.name,
            },
        )
    notify.queue(
        Event.CONTRACT_ENDING,
        centre_id=centre.id,
        record=("demo", 3),
        recipients=notify.recipients_for_user(coordinator)
        + notify.recipient_at_address("Zoltán Molnár", email="zoltan.molnar@example.invalid"),
        template="contract_ending",
        context={
            "volunteer_family": "Molnár",
            "volunteer_given": "Zoltán",
            "number": 3,
            "ends_on": today() + timedelta(days=25),
            "centre_name": centre.name,
        },
    )
    db.session.flush()
    _set_states(list(db.session.scalars(select(Message).order_by(Message.id))))


def _set_states(messages: list[Message]) -> None:
    """One sent, one waiting, one being retried, one failed for good (as a sender leaves them)."""
    now = utcnow()
    sent, *rest = messages
    sent.state, sent.attempts, sent.sent_at = MessageState.SENT, 1, now - timedelta(hours=3)
    if len(rest) >= 3:
        retrying, failed = rest[-2], rest[-1]
        retrying.attempts, retrying.next_attempt_at = 1, now + timedelta(minutes=5)
        retrying.last_error = "SMTPServerDisconnected: Connection unexpectedly closed"
        failed.state, failed.attempts = MessageState.FAILED, 5
        failed.last_error = "SMTPRecipientsRefused: 550 5.1.1 <zoltan.molnar@example.invalid>"
    db.session.flush()
