"""The outbox: who is told what, in which language and by which channel, and sending it once.

The public API the other areas call (they sit above this one):

- ``queue(event, centre_id=, record=, recipients=, template=, context=, day=None)`` puts one
  message per recipient and chosen channel in the outbox, rendered now in the recipient's language;
  nothing when the centre turned the event off. ``recipients`` may be a callable, called only
  when the event is on (a roll save costs one query when it is off).
- Recipients: ``parents_of_children(child_ids)`` (one list per child), ``parents_of_child(child)``,
  ``recipients_for_person(person)``, ``recipients_for_user(user)``, ``coordinators_of(centre_id)``
  and ``recipient_at_address(name, email=, phone=, locale=)`` for an address given for this very
  message (a complainant's contact, a parent's invitation).
- ``collecting_due_messages``: a signal sent by ``flask notify send`` with ``today``; the areas
  that remind people (a session tomorrow, a contract ending) connect to it and queue.

A person's contact details are used only while their consent for messages holds
(``ConsentPurpose.MESSAGES``); staff and volunteers get messages at their account's e-mail as they
chose on their own preferences page.
"""

import logging
import re
import secrets
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from urllib.parse import urlsplit

from blinker import Namespace
from flask import current_app
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, delete, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite

from daycentre.audit import services as audit
from daycentre.auth import scope
from daycentre.auth.models import User, user_centres
from daycentre.auth.roles import Role
from daycentre.core.database import utcnow
from daycentre.core.errors import Refused
from daycentre.core.i18n import person_name
from daycentre.core.localtime import today
from daycentre.extensions import db
from daycentre.notifications import channels
from daycentre.notifications.models import (
    Channel,
    Event,
    Message,
    MessageState,
    NotificationPreference,
    NotificationSetting,
)
from daycentre.parents.models import ParentAccount
from daycentre.people.models import (
    LEGAL_REPRESENTATIVES,
    Consent,
    ConsentPurpose,
    Person,
    PersonKind,
)

log = logging.getLogger(__name__)

_signals = Namespace()
# Sent by `flask notify send` before it sends: each area queues the reminders due (``today=``).
collecting_due_messages = _signals.signal("collecting-due-messages")

LANGUAGES = ("ro", "hu", "en")
DEFAULT_LOCALE = "ro"
# Events that are always sent: a parent's own invitation, a coordinator told of a late cancellation.
ALWAYS_ON = frozenset({Event.INVITATION, Event.SIGNUP_CANCELLED})
SWITCHABLE = [e for e in Event if e not in ALWAYS_ON]


# --- Recipients ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Recipient:
    """Someone a message may reach, with the addresses and channels allowed for them."""

    key: str  # "user:3", "person:7", "address:<contact>": part of a message's unique key
    name: str
    locale: str
    email: str | None = None
    phone: str | None = None
    channels: frozenset[Channel] = field(default_factory=lambda: frozenset({Channel.EMAIL}))
    user_id: int | None = None
    person_id: int | None = None

    def address(self, channel: Channel) -> str | None:
        return self.email if channel is Channel.EMAIL else self.phone


def _locale(*choices) -> str:
    return next((c for c in choices if c in LANGUAGES), DEFAULT_LOCALE)


def _preferences(user_ids=(), person_ids=()) -> dict[tuple[str, int], NotificationPreference]:
    if not user_ids and not person_ids:
        return {}
    rows = db.session.scalars(
        select(NotificationPreference).where(
            or_(
                NotificationPreference.user_id.in_(list(user_ids)),
                NotificationPreference.person_id.in_(list(person_ids)),
            )
        )
    )
    found = {}
    for row in rows:
        if row.user_id is not None:
            found["user", row.user_id] = row
        if row.person_id is not None:
            found["person", row.person_id] = row
    return found


def _consenting(person_ids, day: date) -> set[int]:
    """Those of the people whose consent to messages holds on ``day``."""
    if not person_ids:
        return set()
    return set(
        db.session.scalars(
            select(Consent.person_id).where(
                Consent.person_id.in_(list(person_ids)),
                Consent.purpose == ConsentPurpose.MESSAGES,
                Consent.given_on <= day,
                or_(Consent.expires_on.is_(None), Consent.expires_on >= day),
                or_(Consent.withdrawn_on.is_(None), Consent.withdrawn_on > day),
            )
        )
    )


def _accounts(person_ids) -> dict[int, User]:
    if not person_ids:
        return {}
    rows = db.session.execute(
        select(ParentAccount.person_id, User)
        .join(User, User.id == ParentAccount.user_id)
        .where(ParentAccount.person_id.in_(list(person_ids)), User.active.is_(True))
    )
    return dict(rows.all())


def _people_recipients(people: list[Person]) -> dict[int, Recipient]:
    """The people who consented to messages, each with their account's language and choices
    (four queries for any number of people)."""
    ids = [p.id for p in people]
    consenting = _consenting(ids, today())
    people = [p for p in people if p.id in consenting]
    accounts = _accounts([p.id for p in people])
    preferences = _preferences(
        user_ids=[u.id for u in accounts.values()], person_ids=[p.id for p in people]
    )
    found = {}
    for person in people:
        user = accounts.get(person.id)
        preference = (user and preferences.get(("user", user.id))) or preferences.get(
            ("person", person.id)
        )
        locale = _locale(user and user.locale, preference and preference.locale)
        found[person.id] = Recipient(
            key=f"person:{person.id}",
            name=person_name(person.family_name, person.given_name, locale),
            locale=locale,
            email=(user and user.email) or person.email,
            phone=person.phone,
            channels=frozenset(preference.channels()) if preference else frozenset({Channel.EMAIL}),
            user_id=user.id if user else None,
            person_id=person.id,
        )
    return found


def recipients_for_person(person: Person) -> list[Recipient]:
    """A person without or with a parent account, if their consent to messages holds."""
    return list(_people_recipients([person]).values())


def parents_of_children(child_ids) -> dict[int, list[Recipient]]:
    """Each child's parents (or guardian, foster parent) who consented to messages."""
    child_ids = list(child_ids)
    if not child_ids:
        return {}
    families = dict(
        db.session.execute(
            select(Person.id, Person.family_id).where(Person.id.in_(child_ids))
        ).all()
    )
    adults = list(
        db.session.scalars(
            select(Person).where(
                Person.family_id.in_(set(families.values())),
                Person.kind == PersonKind.ADULT,
                # Those who act for the children (a grandparent or another carer is not told).
                Person.relation.in_(LEGAL_REPRESENTATIVES),
            )
        )
    )
    reachable = _people_recipients(adults)
    by_family = defaultdict(list)
    for adult in adults:
        if adult.id in reachable:
            by_family[adult.family_id].append(reachable[adult.id])
    return {child_id: by_family[family_id] for child_id, family_id in families.items()}


def parents_of_child(child: Person) -> list[Recipient]:
    return parents_of_children([child.id]).get(child.id, [])


def recipients_for_user(user: User, *, phone: str | None = None) -> list[Recipient]:
    """A staff member's or volunteer's account, as they chose; a parent's account as its adult."""
    if not user.active:
        return []
    if user.role is Role.PARENT:
        account = db.session.scalar(select(ParentAccount).where(ParentAccount.user_id == user.id))
        return recipients_for_person(account.person) if account else []
    preference = _preferences(user_ids=[user.id]).get(("user", user.id))
    locale = _locale(user.locale)
    return [
        Recipient(
            key=f"user:{user.id}",
            name=person_name(user.family_name, user.given_name, locale),
            locale=locale,
            email=user.email,
            phone=phone,
            channels=frozenset(preference.channels()) if preference else frozenset({Channel.EMAIL}),
            user_id=user.id,
        )
    ]


def coordinators_of(centre_id: int) -> list[Recipient]:
    users = db.session.scalars(
        select(User)
        .join(user_centres, user_centres.c.user_id == User.id)
        .where(
            user_centres.c.centre_id == centre_id,
            User.role == Role.COORDINATOR,
            User.active.is_(True),
        )
        .order_by(User.id)
    )
    return [r for user in users for r in recipients_for_user(user)]


_EMAIL = re.compile(r"[^@\s,;<>]+@[^@\s,;<>]+\.[^@\s,;<>]+")
_PHONE = re.compile(r"\+?\d[\d .\-/]{7,}\d")


def recipient_at_address(
    name: str,
    *,
    email: str | None = None,
    phone: str | None = None,
    contact: str | None = None,
    locale: str | None = None,
) -> list[Recipient]:
    """Someone reached at an address they gave for this very message (an invitation, the answer
    to their complaint); ``contact`` is free text from which an e-mail or a phone is read."""
    if contact:
        found = _EMAIL.search(contact)
        email = email or (found.group(0) if found else None)
        found = _PHONE.search(contact)
        phone = phone or (re.sub(r"[ .\-/]", "", found.group(0)) if found else None)
    if not (email or phone):
        return []
    return [
        Recipient(
            key=f"address:{(email or phone).lower()}",
            name=name or "",
            locale=_locale(locale),
            email=email,
            phone=phone,
            # An e-mail if there is one, else an SMS: the answer arrives once.
            channels=frozenset({Channel.EMAIL if email else Channel.SMS}),
        )
    ]


# --- Settings per centre ------------------------------------------------------------------------


def enabled_events(centre_id: int) -> set[Event]:
    stored = dict(
        db.session.execute(
            select(NotificationSetting.event, NotificationSetting.enabled).where(
                NotificationSetting.centre_id == centre_id
            )
        ).all()
    )
    return {e for e in Event if e in ALWAYS_ON or stored.get(e, e.on_by_default)}


def is_enabled(centre_id: int | None, event: Event) -> bool:
    if event in ALWAYS_ON or centre_id is None:
        return True
    enabled = db.session.scalar(
        select(NotificationSetting.enabled).where(
            NotificationSetting.centre_id == centre_id, NotificationSetting.event == event
        )
    )
    return event.on_by_default if enabled is None else enabled


def save_settings(centre, *, actor, enabled: Iterable[str]) -> None:
    """Turn each switchable event on or off for the centre; each switch changed is audited."""
    chosen = {Event(value) for value in enabled}
    stored = {
        s.event: s
        for s in db.session.scalars(
            select(NotificationSetting).where(NotificationSetting.centre_id == centre.id)
        )
    }
    changed = []
    for event in SWITCHABLE:
        setting = stored.get(event)
        was = setting.enabled if setting else event.on_by_default
        now_on = event in chosen
        if setting is None:
            setting = NotificationSetting(centre_id=centre.id, event=event, enabled=now_on)
            db.session.add(setting)
        setting.enabled = now_on
        if was != now_on:
            changed.append((setting, was))
    db.session.flush()
    for setting, was in changed:
        audit.record(
            audit.UPDATE,
            setting,
            actor=actor,
            centre_id=centre.id,
            changes={"event": setting.event.value, "enabled": [was, setting.enabled]},
        )


# --- Preferences --------------------------------------------------------------------------------


def preference_of(*, user=None, person=None) -> NotificationPreference:
    """The stored choice, or a new unsaved one with the defaults (e-mail only)."""
    column, owner = (
        (NotificationPreference.user_id, user)
        if user is not None
        else (NotificationPreference.person_id, person)
    )
    found = db.session.scalar(select(NotificationPreference).where(column == owner.id))
    if found is not None:
        return found
    return NotificationPreference(
        user_id=user.id if user is not None else None,
        person_id=person.id if person is not None else None,
        email=True,
        sms=False,
    )


def save_preference(
    *, actor, user=None, person=None, email: bool, sms: bool, locale: str | None = None
) -> NotificationPreference:
    """Someone's channels (and, for a person without an account, the language of messages)."""
    if locale and locale not in LANGUAGES:
        raise Refused(_l("Choose one of the languages offered."), "locale")
    preference = preference_of(user=user, person=person)
    new = preference.id is None
    before = {"email": preference.email, "sms": preference.sms, "locale": preference.locale}
    preference.email, preference.sms = bool(email), bool(sms)
    if person is not None:
        preference.locale = locale or None
    db.session.add(preference)
    db.session.flush()
    after = {"email": preference.email, "sms": preference.sms, "locale": preference.locale}
    changes = (
        after
        if new
        else {name: [before[name], value] for name, value in after.items() if before[name] != value}
    )
    if changes:
        audit.record(
            audit.CREATE if new else audit.UPDATE,
            preference,
            actor=actor,
            centre_id=person.family.centre_id if person is not None else None,
            person_id=person.id if person is not None else None,
            changes=changes,
        )
    return preference


# --- Queueing -----------------------------------------------------------------------------------


def absolute_url(endpoint: str, **values) -> str:
    """A link for a message: the app's public address (``PUBLIC_URL``) and the page's path,
    built without a request (the sender runs from cron)."""
    base = urlsplit(current_app.config["PUBLIC_URL"])
    adapter = current_app.url_map.bind(
        base.netloc, script_name=base.path or "/", url_scheme=base.scheme or "https"
    )
    return adapter.build(endpoint, values, force_external=True)


def render(template: str, channel: Channel, locale: str, context: dict) -> tuple[str, str]:
    """The subject and text of a message in ``locale``. Templates under
    ``templates/notifications/messages/`` write a subject line first, then the text; an SMS is
    the same text on one line. Rendered by the template alone, without the page's context (the
    signed-in user, the request): a message says only what it is given."""
    with force_locale(locale):
        page = current_app.jinja_env.get_template(f"notifications/messages/{template}.txt")
        text = page.render(context).strip()
        subject, _, body = text.partition("\n")
        if channel is Channel.SMS:
            body = " ".join(body.split())
    return subject.strip(), body.strip()


def _record_of(record) -> tuple[str, int]:
    if isinstance(record, tuple):
        return record
    return type(record).__tablename__, record.id


def queue(
    event: Event,
    *,
    centre_id: int | None,
    record,
    recipients: Iterable[Recipient] | Callable[[], Iterable[Recipient]],
    template: str,
    context: dict | None = None,
    day: date | None = None,
) -> int:
    """Queue ``event`` about ``record`` (a model instance or ``(table, id)``) for each recipient
    and chosen channel, rendered now in each one's language; returns how many new messages.

    A message already queued (same event, record, recipient, channel and ``day``, given for
    reminders) is not queued again. Nothing when the centre turned the event off; ``recipients``
    may be a callable, then called only when the event is on.
    """

    def items():
        people = recipients() if callable(recipients) else recipients
        return [(record, people, context or {})]

    return queue_each(event, centre_id=centre_id, template=template, items=items, day=day)


def queue_each(
    event: Event,
    *,
    centre_id: int | None,
    template: str,
    items: Callable[[], Iterable[tuple]],
    day: date | None = None,
) -> int:
    """``queue`` for several records at once (a roll's absent children) in one INSERT:
    ``items()`` gives ``(record, recipients, context)`` for each, called only if the event is on."""
    if not is_enabled(centre_id, event):
        return 0
    rows, keys = [], set()
    for record, recipients, context in items():
        record_type, record_id = _record_of(record)
        for recipient in recipients:
            for channel in sorted(recipient.channels):
                address = recipient.address(channel)
                key = ":".join(
                    [event.value, record_type, str(record_id), recipient.key, channel.value]
                    + ([day.isoformat()] if day else [])
                )[:200]
                if not address or key in keys:
                    continue
                keys.add(key)
                subject, body = render(
                    template, channel, recipient.locale, context | {"to": recipient}
                )
                rows.append(
                    {
                        "centre_id": centre_id,
                        "event": event,
                        "record_type": record_type,
                        "record_id": record_id,
                        "user_id": recipient.user_id,
                        "person_id": recipient.person_id,
                        "recipient_name": recipient.name[:200],
                        "channel": channel,
                        "address": address[:254],
                        "locale": recipient.locale,
                        "subject": subject[:300],
                        "text": body,
                        "dedup_key": key,
                        "state": MessageState.WAITING,
                        "attempts": 0,
                        "next_attempt_at": utcnow(),
                        "created_at": utcnow(),
                    }
                )
    if not rows:
        return 0
    dialect = db.session.get_bind().dialect.name
    insert = (postgresql.insert if dialect == "postgresql" else sqlite.insert)(Message)
    result = db.session.execute(
        insert.values(rows).on_conflict_do_nothing(index_elements=["dedup_key"])
    )
    return result.rowcount if result.rowcount is not None and result.rowcount >= 0 else len(rows)


# --- Sending ------------------------------------------------------------------------------------

# After a failed attempt, the next one waits this long; after the last, the message has failed.
BACKOFF = (
    timedelta(minutes=5),
    timedelta(minutes=30),
    timedelta(hours=2),
    timedelta(hours=6),
)
# A sender that crashed while holding messages: after this long they go back to waiting.
CLAIM_EXPIRES = timedelta(minutes=30)


def max_attempts() -> int:
    return current_app.config["NOTIFY_MAX_ATTEMPTS"]


def backoff(attempts: int) -> timedelta:
    return BACKOFF[min(attempts, len(BACKOFF)) - 1]


def release_stale_claims(now: datetime) -> int:
    result = db.session.execute(
        update(Message)
        .where(Message.state == MessageState.SENDING, Message.claimed_at < now - CLAIM_EXPIRES)
        .values(state=MessageState.WAITING, claim_token=None, claimed_at=None)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount


def claim(now: datetime, limit: int) -> list[Message]:
    """Take up to ``limit`` due messages for this sender alone, and commit the claim.

    The same statements on both databases: PostgreSQL skips rows another sender has locked;
    the UPDATE takes only rows still waiting (on SQLite, where FOR UPDATE does not exist, and
    after a lock was released), so a message claimed by two senders is taken by one.
    """
    token = secrets.token_hex(16)
    ids = list(
        db.session.scalars(
            select(Message.id)
            .where(Message.state == MessageState.WAITING, Message.next_attempt_at <= now)
            .order_by(Message.next_attempt_at, Message.id)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
    )
    if not ids:
        db.session.commit()
        return []
    db.session.execute(
        update(Message)
        .where(Message.id.in_(ids), Message.state == MessageState.WAITING)
        .values(state=MessageState.SENDING, claim_token=token, claimed_at=now)
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
    return list(
        db.session.scalars(select(Message).where(Message.claim_token == token).order_by(Message.id))
    )


def _delivered(message: Message, now: datetime) -> None:
    if message.event is Event.INVITATION:
        # The invitation's one-time link is kept only as a hash by its area: not here either.
        message.text = _LINK.sub("[…]", message.text)
    message.state = MessageState.SENT
    message.attempts += 1
    message.sent_at = now
    message.last_error = None
    message.claim_token = None


def _failed(message: Message, error: str, now: datetime) -> None:
    message.attempts += 1
    message.last_error = error[:2000]
    message.claim_token = None
    if message.attempts >= max_attempts():
        message.state = MessageState.FAILED
        if message.event is Event.INVITATION:
            # A working one-time link is not kept: the parent is invited again instead.
            message.text = _LINK.sub("[…]", message.text)
    else:
        message.state = MessageState.WAITING
        message.next_attempt_at = now + backoff(message.attempts)


def _no_consent(message: Message) -> None:
    """The consent to messages was withdrawn (or ran out) while the message waited."""
    message.state = MessageState.FAILED
    message.last_error = "Not sent: the person's consent to messages no longer holds."
    message.claim_token = None


_LINK = re.compile(r"https?://\S+")


@dataclass
class SendReport:
    sent: int = 0
    retried: int = 0
    failed: int = 0


def send_due(*, now: datetime | None = None, batch: int = 50, limit: int = 1000) -> SendReport:
    """Send what is due, ``batch`` messages at a time, up to ``limit``.

    Commits after each message: a message that went out stays sent even if the run stops
    afterwards (the sender is a command, not a request).
    """
    now = now or utcnow()
    started = utcnow()
    report = SendReport()
    release_stale_claims(now)
    db.session.commit()
    done = 0
    with channels.Outgoing() as outgoing:
        while done < limit:
            # Each batch is claimed at the time it is taken, not the run's start: a long run's
            # later batches are never taken for a crashed sender's by the next run.
            claimed = claim(now + (utcnow() - started), min(batch, limit - done))
            if not claimed:
                break
            consenting = _consenting({m.person_id for m in claimed if m.person_id}, today())
            for message in claimed:
                if message.person_id is not None and message.person_id not in consenting:
                    _no_consent(message)
                    report.failed += 1
                    db.session.commit()
                    continue
                try:
                    outgoing.send(message)
                except channels.NotSent as error:
                    # The wait counts from the run's start: the same for every message of it.
                    _failed(message, str(error), now)
                    if message.state is MessageState.FAILED:
                        report.failed += 1
                    else:
                        report.retried += 1
                else:
                    _delivered(message, utcnow())
                    report.sent += 1
                db.session.commit()
            done += len(claimed)
    return report


def queue_due(day: date) -> None:
    """Ask every area that reminds people to queue what is due (``collecting_due_messages``)."""
    collecting_due_messages.send(current_app._get_current_object(), today=day)


# --- Reading the outbox -------------------------------------------------------------------------


def outbox(user, *, state: MessageState | None, limit: int = 200) -> list[Message]:
    query = scope.select_visible(Message, user)
    if state is not None:
        query = query.where(Message.state == state)
    return list(db.session.scalars(query.order_by(Message.created_at.desc()).limit(limit)))


def retry(message: Message, *, actor) -> None:
    """An administrator sends a failed message again (after fixing an address or the server)."""
    if message.state is not MessageState.FAILED:
        raise Refused(_l("Only a message that failed can be sent again."))
    if message.event is Event.INVITATION:
        raise Refused(
            _l("A failed invitation is not sent again: invite the parent again from their page.")
        )
    attempts = message.attempts
    message.state = MessageState.WAITING
    message.attempts = 0
    message.next_attempt_at = utcnow()
    db.session.flush()
    audit.record(
        audit.UPDATE,
        message,
        actor=actor,
        centre_id=message.centre_id,
        person_id=message.person_id,
        changes={"attempts": [attempts, 0]},
    )


def drop_waiting(record) -> int:
    """Take back the messages about ``record`` not sent yet (an invitation used, revoked or
    replaced: its link no longer works); returns how many."""
    record_type, record_id = _record_of(record)
    return db.session.execute(
        delete(Message)
        .where(
            Message.record_type == record_type,
            Message.record_id == record_id,
            Message.state == MessageState.WAITING,
        )
        .execution_options(synchronize_session=False)
    ).rowcount


def messages_about(record) -> list[Message]:
    record_type, record_id = _record_of(record)
    return list(
        db.session.scalars(
            select(Message)
            .where(and_(Message.record_type == record_type, Message.record_id == record_id))
            .order_by(Message.created_at, Message.id)
        )
    )
