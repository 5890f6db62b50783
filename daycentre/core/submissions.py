"""One save per create form: each form carries a one-time token that its first save spends.

A family or a person without a CNP has no natural key a unique constraint could hold, so the same
form sent twice (a double click, a slow network, the Back button, two tabs) would save two
records. The form's hidden ``submission`` field holds a random token; the save that uses it first
writes it to ``form_submissions`` (one row per user and token, the primary key) in the same
transaction as the record, with where the record is shown. Another send of the same form finds the
row, saves nothing and is sent to the record the first one made.

The table, not the session, holds the tokens: the two sends may reach different workers or
servers at once. On PostgreSQL the second insert of the key waits for the first transaction and
then fails; on SQLite writers take turns (``daycentre.core.database.WriteTurns``), so the second finds
the first's row. A save that is refused rolls back, token included: the corrected form can still
be sent.
"""

import re
import secrets
from collections.abc import Callable
from datetime import datetime, timedelta

from flask import current_app, flash, redirect, request
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import ForeignKey, String, delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, mapped_column
from wtforms import HiddenField

from daycentre.core.database import UTCDateTime, utcnow
from daycentre.core.errors import Refused
from daycentre.extensions import db

#: A spent token is kept this long: longer than anyone keeps a form open.
KEPT_FOR = timedelta(days=2)
_TOKEN = re.compile(r"[A-Za-z0-9_-]{16,64}")


class FormSubmission(db.Model):
    """A spent one-time token of a create form, and the page of the record its save made."""

    __tablename__ = "form_submissions"

    # Bookkeeping of the forms, never written to the audit trail: the record it saved is.
    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, info={"audit": False}
    )
    token: Mapped[str] = mapped_column(String(64), primary_key=True, info={"audit": False})
    saved_at: Mapped[datetime] = mapped_column(
        UTCDateTime, default=utcnow, index=True, info={"audit": False}
    )
    location: Mapped[str] = mapped_column(String(300), info={"audit": False})


def new_token() -> str:
    return secrets.token_urlsafe(24)


def submission_field() -> HiddenField:
    """The hidden field a create form adds: a fresh token each time the form is first shown."""
    return HiddenField(default=new_token)


class AlreadySaved(Exception):
    """This form was saved before: nothing more is saved, the user goes to what the first made."""

    def __init__(self, location: str):
        super().__init__(location)
        self.location = location


def _token(form) -> str | None:
    """The form's token; a missing or malformed one protects nothing and is ignored."""
    field = getattr(form, "submission", None)
    value = field.data if field is not None else None
    return value if isinstance(value, str) and _TOKEN.fullmatch(value) else None


def _saved_location(token: str) -> str | None:
    return db.session.scalar(
        select(FormSubmission.location).where(
            FormSubmission.user_id == current_user.id, FormSubmission.token == token
        )
    )


def refuse_if_saved(form) -> None:
    """Raise ``AlreadySaved`` when this form's token was spent by an earlier save."""
    token = _token(form)
    if token is not None and (location := _saved_location(token)) is not None:
        raise AlreadySaved(location)


def spend(form, location: str) -> None:
    """Spend the form's token for the record shown at ``location``, in the save's transaction.

    Called after the service has flushed the record and before the commit. If another request
    spent the token meanwhile, everything is rolled back and ``AlreadySaved`` is raised.
    """
    token = _token(form)
    if token is None:
        return
    db.session.execute(
        delete(FormSubmission).where(
            FormSubmission.user_id == current_user.id,
            FormSubmission.saved_at < utcnow() - KEPT_FOR,
        )
    )
    db.session.add(FormSubmission(user_id=current_user.id, token=token, location=location))
    try:
        db.session.flush()
    except IntegrityError:  # the record is rolled back with it: the first send's record stays
        db.session.rollback()
        raise AlreadySaved(_saved_location(token) or request.path) from None


def once(form, service: Callable, location: Callable[..., str]) -> Callable:
    """``service``, saving at most once per form: it spends the form's token for the record it
    returns, shown at ``location(record)``."""

    def save(*args, **kwargs):
        refuse_if_saved(form)
        try:
            record = service(*args, **kwargs)
        except Refused:
            # Refused because the same form, sent at the same moment, saved first (the room is
            # taken by its workshop, say): that send's record is the answer, not the refusal.
            db.session.rollback()
            refuse_if_saved(form)
            raise
        if record is not None:
            spend(form, location(record))
        return record

    return save


def show_earlier_save(error: AlreadySaved):
    """The answer to a form sent again: a normal page, the record the first send saved."""
    db.session.rollback()
    current_app.logger.info("A create form was sent again; nothing more was saved")
    flash(_("This form was already saved; here is what it saved."), "info")
    return redirect(error.location)
