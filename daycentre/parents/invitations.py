"""Inviting a parent and the parent accepting: a one-time key, kept only as its hash.

A coordinator (anyone who manages the family's people) invites an adult who is the children's
legal representative, either with a link meant for e-mail or with a printed letter carrying a
shorter code and a QR code of the same link. The key works once, for ``PARENT_INVITATION_DAYS``
(7) days; inviting again revokes the earlier key. The parent opens it, chooses a username, a
password (the staff's rules) and a language, and is signed in.
"""

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

import segno
from flask import current_app
from flask_babel import lazy_gettext as _l
from markupsafe import Markup
from sqlalchemy import delete, func, select, update
from sqlalchemy.exc import IntegrityError

from daycentre.audit import services as audit
from daycentre.auth.models import User, find_user_by_username
from daycentre.auth.passwords import ensure_strong_password, personal_words
from daycentre.auth.roles import Role
from daycentre.centres.models import Centre
from daycentre.core.database import utcnow
from daycentre.core.errors import Refused
from daycentre.core.text import fold
from daycentre.extensions import db, normalised_username
from daycentre.notifications import services as notify
from daycentre.notifications.models import Event
from daycentre.parents.models import InvitationKind, ParentAccount, ParentInvitation
from daycentre.people.models import Person, PersonKind
from daycentre.people.services import deleting_person

LANGUAGES = ("ro", "hu", "en")

# No 0/O, 1/I/L: a code is read off paper and typed on a phone.
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
LETTER_CODE_LENGTH = 10  # about 50 bits, typed by hand; throttled and valid for 7 days
LINK_CODE_LENGTH = 32  # about 160 bits, only ever clicked

INVALID = _l(
    "This invitation does not work: it was already used, it expired or it was replaced. "
    "Ask the centre for a new one."
)


def normalised(code: str) -> str:
    return "".join(ch for ch in (code or "").upper() if ch.isalnum())


def code_hash(code: str) -> str:
    return hashlib.sha256(normalised(code).encode()).hexdigest()


def shown(code: str) -> str:
    """A printed code in two groups of five."""
    return f"{code[:5]}-{code[5:]}" if len(code) == LETTER_CODE_LENGTH else code


def _new_code(length: int) -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(length))


def valid_for() -> timedelta:
    return timedelta(days=current_app.config["PARENT_INVITATION_DAYS"])


def join_url(code: str) -> str:
    """The absolute address the parent opens (in the e-mail and in the letter's QR code): the
    app's public address, as every link that leaves the app."""
    return notify.absolute_url("parents.join", code=normalised(code))


def code_url() -> str:
    """The address where the parent types the printed code."""
    return notify.absolute_url("parents.enter_invitation_code")


def qr_svg(text: str) -> Markup:
    """The QR code of ``text`` as inline SVG: no file, no remote resource."""
    svg = segno.make(text, error="m").svg_inline(scale=4, dark="#000", light="#fff", border=4)
    return Markup(svg)  # noqa: S704 - segno's own markup; the text is encoded into path data


# --- The staff's side ---------------------------------------------------------------------------


def may_have_account(person: Person) -> bool:
    """Only the children's legal representatives."""
    return (
        person.kind is PersonKind.ADULT
        and person.relation is not None
        and person.relation.is_legal_representative
    )


def account_of_person(person: Person) -> ParentAccount | None:
    return db.session.scalar(select(ParentAccount).where(ParentAccount.person_id == person.id))


def open_invitation_of(person: Person, now: datetime | None = None) -> ParentInvitation | None:
    now = now or utcnow()
    return db.session.scalar(
        select(ParentInvitation)
        .where(
            ParentInvitation.person_id == person.id,
            ParentInvitation.used_at.is_(None),
            ParentInvitation.revoked_at.is_(None),
            ParentInvitation.expires_at > now,
        )
        .order_by(ParentInvitation.created_at.desc())
        .limit(1)
    )


@dataclass(frozen=True)
class AccountStatus:
    """Where an adult stands: may they have an account, have they one, are they invited."""

    eligible: bool
    account: ParentAccount | None
    invitation: ParentInvitation | None


def status_of(person: Person) -> AccountStatus:
    account = account_of_person(person)
    active = account if account is not None and account.user.active else None
    invitation = open_invitation_of(person) if active is None else None
    return AccountStatus(may_have_account(person), active, invitation)


def _revoke_open(person: Person, now: datetime) -> list[ParentInvitation]:
    revoked = list(
        db.session.scalars(
            select(ParentInvitation).where(
                ParentInvitation.person_id == person.id,
                ParentInvitation.used_at.is_(None),
                ParentInvitation.revoked_at.is_(None),
            )
        )
    )
    for invitation in revoked:
        invitation.revoked_at = now
        notify.drop_waiting(invitation)
    return revoked


def invite(
    person: Person, *, actor, kind: str, language: str, email: str | None = None
) -> tuple[ParentInvitation, str]:
    """A new invitation for ``person`` and its key, returned this once; any earlier one is revoked."""
    kind = InvitationKind(kind)
    if not may_have_account(person):
        raise Refused(
            _l(
                "Only a mother, father, legal guardian or foster parent of the children "
                "may have a parent account."
            )
        )
    if status_of(person).account is not None:
        raise Refused(_l("This parent already has an account."))
    if language not in LANGUAGES:
        raise Refused(_l("Choose the language of the invitation."), "language")
    email = (email or "").strip() or None
    if kind is InvitationKind.LINK and email is None:
        raise Refused(_l("Enter the e-mail address the link is sent to."), "email")
    now = utcnow()
    for earlier in _revoke_open(person, now):
        audit.record(
            audit.UPDATE,
            earlier,
            actor=actor,
            centre_id=earlier.centre_id,
            person_id=person.id,
            changes={"revoked_at": [None, now.isoformat()]},
        )
    length = LINK_CODE_LENGTH if kind is InvitationKind.LINK else LETTER_CODE_LENGTH
    code = _new_code(length)
    invitation = ParentInvitation(
        person_id=person.id,
        centre_id=person.family.centre_id,
        kind=kind,
        secret_hash=code_hash(code),
        language=language,
        email=email,
        created_by_id=actor.id,
        created_at=now,
        expires_at=now + valid_for(),
    )
    db.session.add(invitation)
    db.session.flush()
    audit.record(
        audit.CREATE,
        invitation,
        actor=actor,
        centre_id=invitation.centre_id,
        person_id=person.id,
        changes=audit.snapshot(invitation),
    )
    if kind is InvitationKind.LINK:
        _queue_invitation_email(invitation, code)
    return invitation, code


def revoke(invitation: ParentInvitation, *, actor) -> None:
    if invitation.used_at is not None or invitation.revoked_at is not None:
        raise Refused(_l("This invitation was already used or revoked."))
    now = utcnow()
    invitation.revoked_at = now
    notify.drop_waiting(invitation)
    audit.record(
        audit.UPDATE,
        invitation,
        actor=actor,
        centre_id=invitation.centre_id,
        person_id=invitation.person_id,
        changes={"revoked_at": [None, now.isoformat()]},
    )


def end_access(person: Person, *, actor) -> None:
    """Close the parent's account: signed out everywhere, the adult may be invited again."""
    account = account_of_person(person)
    if account is None:
        raise Refused(_l("This parent has no account."))
    user = account.user
    user.active = False
    user.end_all_sessions()
    user.version = (user.version or 0) + 1
    audit.record(
        audit.UPDATE,
        user,
        actor=actor,
        centre_id=person.family.centre_id,
        person_id=person.id,
        changes={"active": [True, False]},
    )
    audit.record(
        audit.DELETE,
        account,
        actor=actor,
        centre_id=person.family.centre_id,
        person_id=person.id,
        changes={"user_id": [user.id, None], "person_id": [person.id, None]},
    )
    db.session.delete(account)
    db.session.flush()


def _queue_invitation_email(invitation: ParentInvitation, code: str) -> None:
    """The link invitation's e-mail, in the outbox in the invitation's language (always sent,
    whatever the centre's switches); the outbox forgets the link once it is sent."""
    person = invitation.person
    notify.queue(
        Event.INVITATION,
        centre_id=invitation.centre_id,
        record=invitation,
        recipients=notify.recipient_at_address(
            person.full_name, email=invitation.email, locale=invitation.language
        ),
        template="invitation",
        context={
            "centre_name": invitation.centre.name,
            "name": person.full_name,
            "link": join_url(code),
            "expires_at": invitation.expires_at,
        },
    )


# --- The parent's side --------------------------------------------------------------------------


def open_invitation(code: str, now: datetime | None = None) -> ParentInvitation | None:
    """The invitation this key opens, if it still works; else None (unknown, used, expired)."""
    key = normalised(code)
    if len(key) not in (LETTER_CODE_LENGTH, LINK_CODE_LENGTH):
        return None
    digest = code_hash(key)
    invitation = db.session.scalar(
        select(ParentInvitation).where(ParentInvitation.secret_hash == digest)
    )
    if invitation is None or not secrets.compare_digest(invitation.secret_hash, digest):
        return None
    return invitation if invitation.is_open(now or utcnow()) else None


def suggested_username(person: Person) -> str:
    words = fold(f"{person.given_name} {person.family_name}").replace(" ", ".")
    base = "".join(ch for ch in words if ch.isascii() and (ch.isalnum() or ch == "."))[:50]
    base = base or "parent"
    username, number = base, 1
    while find_user_by_username(username) is not None:
        number += 1
        username = f"{base}{number}"
    return username


def accept(code: str, *, username: str, password: str, language: str) -> User:
    """Create the parent's account from an open invitation, which is spent at the same time.

    The invitation is claimed by one UPDATE guarded by its state, so two submits of the same
    key (two tabs, a double tap, two servers) make one account: the second finds it spent.
    """
    now = utcnow()
    invitation = open_invitation(code, now)
    # Recorded as no longer the children's legal representative since it was sent: spent.
    if invitation is None or not may_have_account(invitation.person):
        raise Refused(INVALID)
    if language not in LANGUAGES:
        raise Refused(_l("Choose a language."), "language")
    person = invitation.person
    username = normalised_username(username)
    if db.session.scalar(select(User.id).where(func.lower(User.username) == username)):
        raise Refused(
            _l("The username %(username)s is already taken.", username=username), "username"
        )
    # The staff's rule (auth.services): not made of the person's names, the username or a centre's.
    centre_names = db.session.scalars(select(Centre.name)).all()
    ensure_strong_password(
        password,
        words=personal_words(username, person.given_name, person.family_name, *centre_names),
    )
    claimed = db.session.execute(
        update(ParentInvitation)
        .where(
            ParentInvitation.id == invitation.id,
            ParentInvitation.used_at.is_(None),
            ParentInvitation.revoked_at.is_(None),
            ParentInvitation.expires_at > now,
        )
        .values(used_at=now)
        .execution_options(synchronize_session=False)
    ).rowcount
    if claimed != 1 or account_of_person(person) is not None:
        raise Refused(INVALID)
    user = User(
        username=username,
        given_name=person.given_name,
        family_name=person.family_name,
        email=invitation.email or person.email,
        role=Role.PARENT,
        locale=language,
        must_change_password=False,
        active=True,
        version=1,
        centres=[],
    )
    user.set_password(password)
    try:
        with db.session.begin_nested():  # the same username chosen at the same moment elsewhere
            db.session.add(user)
            db.session.flush()
    except IntegrityError:
        raise Refused(
            _l("The username %(username)s is already taken.", username=username), "username"
        ) from None
    account = ParentAccount(user_id=user.id, person_id=person.id)
    db.session.add(account)
    db.session.flush()
    db.session.refresh(invitation)
    invitation.user_id = user.id
    notify.drop_waiting(invitation)  # opened from the link the coordinator handed over
    centre_id = invitation.centre_id
    audit.record(
        audit.CREATE,
        user,
        actor=user,
        centre_id=centre_id,
        person_id=person.id,
        changes=audit.snapshot(user),
    )
    audit.record(
        audit.UPDATE,
        invitation,
        actor=user,
        centre_id=centre_id,
        person_id=person.id,
        changes={"used_at": [None, now.isoformat()], "user_id": [None, user.id]},
    )
    return user


# --- A person deleted from the register ---------------------------------------------------------


@deleting_person.connect
def _keep_a_parent_with_an_account(person) -> None:
    """An adult who signs in as a parent is kept until the account is closed; their spent or
    open invitations go with them."""
    if account_of_person(person) is not None:
        raise Refused(
            _l("This person signs in as a parent: close the parent's account before deleting.")
        )
    db.session.execute(
        delete(ParentInvitation)
        .where(ParentInvitation.person_id == person.id)
        .execution_options(synchronize_session=False)
    )
