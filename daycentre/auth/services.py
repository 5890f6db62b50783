"""Accounts: signing in, passwords, and the admin's management of users."""

import secrets
from functools import cache

from flask_babel import lazy_gettext as _l
from sqlalchemy import func
from werkzeug.security import check_password_hash

from daycentre.audit import services as audit
from daycentre.auth.models import User, find_user_by_username, hash_password
from daycentre.auth.roles import Role
from daycentre.centres.models import Centre
from daycentre.database import utcnow
from daycentre.errors import Refused, ensure_current, flush_or_refuse
from daycentre.extensions import db, normalised_username


@cache
def _unknown_user_hash() -> str:
    """Checked against when the username is unknown, so both failures take the same time."""
    return hash_password(secrets.token_urlsafe())


def authenticate(username: str, password: str, *, address: str | None) -> User | None:
    """The active user with these credentials, or None, without telling which part was wrong.

    Both outcomes go to the audit trail with the address they came from.
    """
    user = find_user_by_username(username)
    if user is None:
        check_password_hash(_unknown_user_hash(), password)
    elif user.check_password(password) and user.active:
        user.last_login_at = utcnow()
        audit.record(audit.SIGN_IN, user, actor=user, changes={"address": address})
        return user
    audit.record(
        audit.SIGN_IN_FAILED,
        actor=None,
        entity="users",
        entity_id=user.id if user else None,
        changes={"username": normalised_username(username)[:64], "address": address},
    )
    return None


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
    user.set_password(new)
    user.must_change_password = False
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
    user.set_password(password)
    user.must_change_password = True
    user.end_all_sessions()
    _bump_version(user)
    audit.record(audit.UPDATE, user, actor=actor, changes={"password": ["***", "reset"]})


def create_first_admin(username: str, password: str) -> User:
    if db.session.scalar(db.select(func.count(User.id))):
        raise Refused(_l("Users already exist; an administrator creates further accounts."))
    user = User(
        username=normalised_username(username),
        given_name="Administrator",
        family_name="",
        role=Role.ADMIN,
        must_change_password=True,
        version=1,
    )
    user.set_password(password)
    db.session.add(user)
    db.session.flush()
    audit.record(audit.CREATE, user, actor=None, changes=audit.snapshot(user))
    return user
