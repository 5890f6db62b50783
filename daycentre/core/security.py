"""Closed by default: the sign-in gate, session lifetimes and the security headers."""

from datetime import UTC, datetime

from flask import abort, current_app, flash, redirect, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, logout_user
from werkzeug.middleware.proxy_fix import ProxyFix

from daycentre.extensions import login_manager

# Reachable without signing in. Everything else redirects to the sign-in page.
# counselling.calendar_feed: calendar apps cannot sign in; its secret token is the key.
# auth.enter_code: the second step of signing in; it opens only for a password just given.
# home.service_worker, home.web_manifest: no data; browsers fetch them without the session.
PUBLIC_ENDPOINTS = frozenset(
    {
        "auth.login",
        "auth.enter_code",
        "auth.set_language",
        "home.health",
        "home.service_worker",
        "home.web_manifest",
        "static",
        "counselling.calendar_feed",
        # A family answers a satisfaction survey with a one-time code, without an account.
        "surveys.enter_code",
        "surveys.answer",
        "surveys.thanks",
        # A parent opens their invitation (a link or a printed code) before having an account.
        "parents.enter_invitation_code",
        "parents.join",
    }
)

# While a password must be changed, only these pages open.
PASSWORD_CHANGE_ENDPOINTS = frozenset({"auth.change_password", "auth.logout"}) | PUBLIC_ENDPOINTS
# While a required second factor is not set up, only these.
SECOND_FACTOR_SETUP_ENDPOINTS = PASSWORD_CHANGE_ENDPOINTS | {"auth.set_up_second_factor"}

CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; "
    "form-action 'self'; frame-ancestors 'none'"
)


def _session_expired() -> bool:
    now = datetime.now(UTC).timestamp()
    signed_in_at = session.get("signed_in_at", 0)
    last_seen = session.get("last_seen", signed_in_at)
    idle = current_app.config["SESSION_IDLE_TIMEOUT"].total_seconds()
    absolute = current_app.config["SESSION_ABSOLUTE_TIMEOUT"].total_seconds()
    return now - last_seen > idle or now - signed_in_at > absolute


def _refuse_nul_characters():
    """No address or field name holds a NUL; PostgreSQL cannot even store one.

    A NUL in a posted value is left to the form, which says so on the field (``daycentre.core.forms``).
    """
    values = list(request.args.items(multi=True))
    if request.method == "POST":
        values += [(name, "") for name in request.form]
    if any("\x00" in key or "\x00" in value for key, value in values):
        abort(400)


def _guard_request():
    _refuse_nul_characters()
    endpoint = request.endpoint
    if endpoint in PUBLIC_ENDPOINTS:
        return None
    if not current_user.is_authenticated:
        if endpoint is None:  # an unknown URL: a 404 tells nothing about what exists
            return None
        return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))
    if _session_expired():
        logout_user()
        session.clear()
        flash(_("Your session expired. Please sign in again."), "info")
        return redirect(url_for("auth.login"))
    session["last_seen"] = datetime.now(UTC).timestamp()
    if current_user.must_change_password and endpoint not in PASSWORD_CHANGE_ENDPOINTS:
        flash(_("Please choose a new password before you continue."), "info")
        return redirect(url_for("auth.change_password"))
    if endpoint not in SECOND_FACTOR_SETUP_ENDPOINTS and current_user.second_factor_missing:
        flash(_("Please set up the second factor before you continue."), "info")
        return redirect(url_for("auth.set_up_second_factor"))
    return None


def _add_security_headers(response):
    headers = response.headers
    headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("X-Frame-Options", "DENY")
    headers.setdefault("Referrer-Policy", "no-referrer")
    # No other site's window keeps a handle on ours, and no other site may embed our responses.
    headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
    headers.setdefault("Cross-Origin-Resource-Policy", "same-origin")
    if request.endpoint != "static":
        headers["Cache-Control"] = "no-store"
    if request.is_secure:
        headers.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
    return response


def register_request_guards(app) -> None:
    hops = app.config.get("PROXY_HOPS", 0)
    if hops:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)
    login_manager.login_view = "auth.login"
    app.before_request(_guard_request)
    app.after_request(_add_security_headers)
