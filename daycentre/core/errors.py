"""Error pages in the user's language, and the exceptions services raise for refused changes."""

import secrets
import time

from flask import current_app, render_template
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm.exc import StaleDataError
from werkzeug.exceptions import Conflict, HTTPException, InternalServerError

from daycentre.extensions import db, limiter


class Refused(Exception):
    """A change the rules do not allow; ``message`` is already translated for the user, and
    ``field`` names the form field it is about, when one is."""

    def __init__(self, message, field: str | None = None):
        super().__init__(str(message))
        self.message = message
        self.field = field


class StaleRecord(Refused):
    """Someone else saved the record after this form was loaded."""

    def __init__(self, message=None):
        super().__init__(
            message
            or _l(
                "Someone else changed this record after you opened it. "
                "Your changes were not saved; review the current values and try again."
            )
        )


class Busy(Refused):
    """The database could not be had in time (other writers held it): nothing was saved, and it
    is nobody else's change, so the person keeps what they entered and sends it again."""

    def __init__(self, message=None):
        super().__init__(
            message
            or _l(
                "The server is busy and could not save in time; nothing was saved. "
                "What you entered is kept: send it again."
            )
        )


# PostgreSQL: lock_timeout, statement_timeout, deadlock, serialization failure.
_BUSY_SQLSTATES = frozenset({"55P03", "57014", "40P01", "40001"})
_BUSY_SQLITE_MESSAGES = ("database is locked", "database table is locked", "database is busy")


def is_busy(error: OperationalError) -> bool:
    """Whether the database refused for want of time (a lock not had, a wait run out), rather
    than for a fault that trying again would not mend."""
    cause = getattr(error, "orig", error)
    if getattr(cause, "sqlstate", None) in _BUSY_SQLSTATES:
        return True
    text = str(cause).lower()
    return any(message in text for message in _BUSY_SQLITE_MESSAGES)


def flush_or_refuse(message) -> None:
    """Flush, turning a constraint the database enforces (a unique name, say) into a refusal.

    Two people saving the same new name at once both pass any check made beforehand; the
    database decides, and the loser gets ``message`` instead of an error page.
    """
    try:
        db.session.flush()
    except IntegrityError:
        db.session.rollback()
        raise Refused(message) from None


def ensure_current(record, seen_version) -> None:
    """Refuse a save made from a form that showed an older version of ``record``."""
    try:
        seen = int(seen_version)
    except (TypeError, ValueError):
        raise StaleRecord() from None
    if seen != record.version:
        raise StaleRecord()


ERROR_TEXTS = {
    400: (_l("Bad request"), _l("The request could not be understood. Go back and try again.")),
    401: (_l("Sign-in required"), _l("Please sign in to continue.")),
    403: (_l("Not allowed"), _l("Your role does not allow this action.")),
    404: (_l("Page not found"), _l("This page does not exist or you cannot see it.")),
    405: (_l("Method not allowed"), _l("This address does not accept this kind of request.")),
    409: (_l("Conflict"), _l("The record changed in the meantime. Reload the page and try again.")),
    413: (_l("Too large"), _l("What you sent is larger than the application accepts.")),
    429: (_l("Too many attempts"), _l("Too many attempts. Wait a few minutes and try again.")),
    500: (_l("Something went wrong"), _l("The error was recorded. Nothing was saved; try again.")),
}


def render_error(error: HTTPException, incident: str | None = None):
    code = error.code or 500
    if code >= 500:
        db.session.rollback()
    title, text = ERROR_TEXTS.get(code, ERROR_TEXTS[500 if code >= 500 else 400])
    page = render_template(
        "errors/error.html", code=code, title=title, text=text, incident=incident
    )
    if code == 429:
        return page, code, {"Retry-After": str(_seconds_until_allowed())}
    return page, code


def _seconds_until_allowed() -> int:
    """When the breached limits of this request let the next attempt through (at least 1 s)."""
    resets = [limit.reset_at for limit in limiter.current_limits if limit.breached]
    return max(1, max(resets, default=0) - int(time.time()))


# Flask-WTF's reasons for refusing a form (its own messages are English only), said plainly.
CSRF_REASONS = {
    "The CSRF token is missing.": _l("The form's security code is missing."),
    "The CSRF session token is missing.": _l(
        "Your session holds no security code for this form (it may have ended)."
    ),
    "The CSRF token has expired.": _l("The form's security code has expired."),
    "The CSRF token is invalid.": _l("The form's security code is not valid."),
    "The CSRF tokens do not match.": _l(
        "The form's security code does not belong to your session."
    ),
    "The referrer header is missing.": _l("The browser did not say which page sent the form."),
    "The referrer does not match the host.": _l("The form was sent from another site."),
}


def csrf_reason(reason: str):
    """Flask-WTF's English reason in the user's language (an unknown one, as it is)."""
    return CSRF_REASONS.get(reason, reason)


def render_expired_form(error: CSRFError):
    text = _l(
        "The form expired or was opened before you signed in. Reload the page and send it again."
    )
    title = ERROR_TEXTS[400][0]
    detail = csrf_reason(error.description)
    page = render_template("errors/error.html", code=400, title=title, text=text, detail=detail)
    return page, 400


def render_concurrent_save(error: StaleDataError):
    """Two saves of one record at the same instant: the second is refused, nothing is lost."""
    db.session.rollback()
    return render_error(Conflict())


def render_unexpected(error: Exception):
    if isinstance(error, HTTPException):
        return render_error(error)
    # The id the user can quote finds the traceback in the server's log.
    incident = secrets.token_hex(6)
    current_app.logger.exception("Unhandled error, incident %s", incident)
    return render_error(InternalServerError(), incident)


def register_error_pages(app) -> None:
    for code in ERROR_TEXTS:
        app.register_error_handler(code, render_error)
    app.register_error_handler(CSRFError, render_expired_form)
    app.register_error_handler(StaleDataError, render_concurrent_save)
    app.register_error_handler(Exception, render_unexpected)
