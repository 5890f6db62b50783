"""Accounts: signing in, passwords, and the admin's management of users."""

import secrets
from datetime import timedelta
from functools import cache

from flask_babel import lazy_gettext as _l
from sqlalchemy import func
from werkzeug.security import check_password_hash

from daycentre.audit import services as audit
from daycentre.auth.models import User, find_user_by_username, hash_password
from daycentre.auth.passwords import ensure_strong_password, personal_words
from daycentre.auth.roles import Role
from daycentre.centres.models import Centre
from daycentre.core.database import utcnow
from daycentre.core.errors import Refused, ensure_current, flush_or_refuse
from daycentre.extensions import db, normalised_username


@cache
def _unknown_user_hash() -> str:
    """Checked against when the username is unknown, so both failures take the same time."""
    return hash_password(secrets.token_urlsafe())


def authenticate(username: str, password: str, *, address: str | None) -> User | None:
    """The active user with these credentials, or None, without telling which part was wrong.

    A failure goes to the audit trail with the address it came from; a success is recorded by
    ``sign_in`` once the second factor, if any, was given too. An expired first password is
    refused with its own message: only someone who knows it learns that it expired.
    """
    user = find_user_by_username(username)
    if user is None:
        check_password_hash(_unknown_user_hash(), password)
    elif user.check_password(password) and user.active:
        if not user.password_expired(utcnow()):
            return user
        _record_failed_sign_in(username, user, address, reason="password_expired")
        raise Refused(
            _l(
                "This generated password has expired. On the server, "
                "flask users create-admin --renew gives a new one."
            )
        )
    _record_failed_sign_in(username, user, address)
    return None


def _record_failed_sign_in(username, user, address, reason=None) -> None:
    changes = {"username": normalised_username(username)[:64], "address": address}
    if reason:
        changes["reason"] = reason
    audit.record(
        audit.SIGN_IN_FAILED,
        actor=None,
        entity="users",
        entity_id=user.id if user else None,
        changes=changes,
    )


def record_lockout(username: str, *, address: str | None) -> None:
    """Sign-in attempts for this account are refused for a while: its own audit event."""
    user = find_user_by_username(username)
    audit.record(
        audit.SIGN_IN_LOCKED,
        actor=None,
        entity="users",
        entity_id=user.id if user else None,
        changes={"username": normalised_username(username)[:64], "address": address},
    )


def record_lockout_by_id(user_id: str, *, address: str | None) -> None:
    """Code attempts for this account (the second step of signing in) are refused for a while."""
    user = db.session.get(User, int(user_id)) if user_id.isdigit() else None
    if user is not None:
        audit.record(
            audit.SIGN_IN_LOCKED,
            user,
            actor=None,
            changes={"username": user.username, "address": address, "stage": "code"},
        )


def sign_in(user: User, *, address: str | None) -> None:
    user.last_login_at = utcnow()
    audit.record(audit.SIGN_IN, user, actor=user, changes={"address": address})


def _own_words(user: User | None = None, *texts: str | None) -> set[str]:
    """Words a password must not be made of: the person's names, username, any centre's name."""
    centre_names = db.session.scalars(db.select(Centre.name)).all()
    names = (user.username, user.given_name, user.family_name) if user else ()
    return personal_words(*names, *texts, *centre_names)


def sign_out(user: User) -> None:
    user.end_all_sessions()
    audit.record(audit.SIGN_OUT, user, actor=user)


def set_language(user: User, language: str) -> None:
    user.locale = language


def _bump_version(user: User) -> None:
    user.version = (user.version or 0) + 1


def change_password(user: User, current: str, new: str) -> None:
    if not user.check_password(current):
        raise Refused(_l("The current password is not correct."))
    ensure_strong_password(new, words=_own_words(user))
    user.set_password(new)
    user.must_change_password = False
    user.password_expires_at = None
    user.end_all_sessions()
    _bump_version(user)
    audit.record(audit.UPDATE, user, actor=user, changes={"password": ["***", "***"]})


def _ensure_username_free(username: str, user_id: int | None = None) -> None:
    clash = db.session.scalar(
        db.select(User.id).where(func.lower(User.username) == username, User.id != (user_id or 0))
    )
    if clash:
        raise Refused(_l("The username %(username)s is already taken.", username=username))


def _centres(centre_ids) -> list[Centre]:
    ids = set(centre_ids or ())
    centres = db.session.scalars(db.select(Centre).where(Centre.id.in_(ids))).all() if ids else []
    if len(centres) != len(ids):
        raise Refused(_l("One of the chosen centres does not exist."))
    return list(centres)


def create_user(
    *, actor: User, username, given_name, family_name, email, role, centre_ids, password
) -> User:
    username = normalised_username(username)
    _ensure_username_free(username)
    ensure_strong_password(password, words=_own_words(None, username, given_name, family_name))
    user = User(
        username=username,
        given_name=given_name.strip(),
        family_name=family_name.strip(),
        email=(email or "").strip() or None,
        role=Role(role),
        must_change_password=True,
        active=True,
        version=1,
        centres=_centres(centre_ids),
    )
    user.set_password(password)
    db.session.add(user)
    flush_or_refuse(_l("The username %(username)s is already taken.", username=username))
    changes = audit.snapshot(user) | {"centres": sorted(c.id for c in user.centres)}
    audit.record(audit.CREATE, user, actor=actor, changes=changes)
    return user


def update_user(
    user: User,
    *,
    actor: User,
    version,
    username,
    given_name,
    family_name,
    email,
    role,
    centre_ids,
    active,
) -> User:
    ensure_current(user, version)
    username = normalised_username(username)
    _ensure_username_free(username, user.id)
    if user.id == actor.id and (not active or Role(role) is not Role.ADMIN):
        raise Refused(_l("You cannot remove your own administrator role or deactivate yourself."))
    centres = _centres(centre_ids)  # queried before any change, so nothing is flushed early
    old_centres = sorted(user.centre_ids)
    with db.session.no_autoflush:
        user.username = username
        user.given_name = given_name.strip()
        user.family_name = family_name.strip()
        user.email = (email or "").strip() or None
        user.role = Role(role)
        user.active = bool(active)
        user.centres = centres
        changes = audit.pending_changes(user)
    new_centres = sorted(c.id for c in centres)
    if new_centres != old_centres:
        changes["centres"] = [old_centres, new_centres]
    if not changes:
        return user
    if "active" in changes and not user.active:
        user.end_all_sessions()
    _bump_version(user)
    flush_or_refuse(_l("The username %(username)s is already taken.", username=username))
    audit.record(audit.UPDATE, user, actor=actor, changes=changes)
    return user


def reset_password(user: User, *, actor: User, password: str) -> None:
    if user.id == actor.id:
        raise Refused(_l("Change your own password on the password page."))
    ensure_strong_password(password, words=_own_words(user))
    user.set_password(password)
    user.must_change_password = True
    user.end_all_sessions()
    _bump_version(user)
    audit.record(audit.UPDATE, user, actor=actor, changes={"password": ["***", "reset"]})


def create_first_admin(username: str, password: str, *, valid_for: timedelta) -> User:
    """The first administrator, whose generated password works for ``valid_for`` if unchanged."""
    if db.session.scalar(db.select(func.count(User.id))):
        raise Refused(_l("Users already exist; an administrator creates further accounts."))
    username = normalised_username(username)
    ensure_strong_password(password, words=_own_words(None, username))
    user = User(
        username=username,
        given_name="Administrator",
        family_name="",
        role=Role.ADMIN,
        must_change_password=True,
        password_expires_at=utcnow() + valid_for,
        version=1,
    )
    user.set_password(password)
    db.session.add(user)
    db.session.flush()
    audit.record(audit.CREATE, user, actor=None, changes=audit.snapshot(user))
    return user


def renew_first_admin_password(password: str, *, valid_for: timedelta) -> User:
    """A new generated password for the first administrator, while theirs was never changed."""
    users = db.session.scalars(db.select(User).limit(2)).all()
    if len(users) != 1 or not users[0].is_admin or users[0].password_expires_at is None:
        raise Refused(
            _l("Only the first administrator's generated, never changed password can be renewed.")
        )
    user = users[0]
    ensure_strong_password(password, words=_own_words(user))
    user.set_password(password)
    user.must_change_password = True
    user.password_expires_at = utcnow() + valid_for
    user.end_all_sessions()
    _bump_version(user)
    audit.record(audit.UPDATE, user, actor=None, changes={"password": ["***", "renewed"]})
    return user
