"""Real-browser journeys: the real app on a loopback port, driven by Debian's Chromium.

The app runs as it does in production (CSRF on, no testing shortcuts) against a temporary SQLite
file with the demo data. One browser for the session, a fresh context (cookies, viewport,
language) per page. Without /usr/bin/chromium the tests are skipped, unless REQUIRE_BROWSER=1
(set by .ci/run), which makes a missing browser a failure.

Page helpers for journeys (``sign_in``, ``choose_language``, ``screenshot``, ``assert_accessible``,
``tr`` ...) are in ``tests/e2e/pages.py``.
"""

import os
import secrets
import threading
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from flask import got_request_exception
from werkzeug.serving import WSGIRequestHandler, make_server

from daycentre import create_app
from daycentre.demo import DEMO_PASSWORD, load_demo
from daycentre.extensions import db
from tests.e2e.pages import DESKTOP, LANGUAGES, PHONE, REPORT, choose_language, sign_in

CHROMIUM = Path(os.environ.get("CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def pytest_terminal_summary(terminalreporter):
    """What the journeys measured, in the normal test output (no -s needed)."""
    if REPORT:
        terminalreporter.write_sep("-", "browser journeys")
        for line in REPORT:
            terminalreporter.write_line(line)


# --- the server ------------------------------------------------------------------------------


class _QuietHandler(WSGIRequestHandler):
    """No access log line per request; errors are still logged."""

    def log_request(self, *args, **kwargs):
        pass


def _read_whole(app):
    """The app with each response read whole before the server sends it. When the browser drops
    a connection, Werkzeug's development server can fail before it closes the response, and a
    static file streamed from disk stays open: a ResourceWarning at the next garbage collection,
    an error in this suite, in whichever journey runs then."""

    def serve(environ, start_response):
        response = app(environ, start_response)
        try:
            return [b"".join(response)]
        finally:
            if hasattr(response, "close"):
                response.close()

    return serve


@dataclass
class LiveServer:
    url: str
    app: object
    errors: list = field(default_factory=list)


@pytest.fixture(scope="session")
def live_server(tmp_path_factory):
    """The real app, threaded, on a free loopback port, with the demo data in a SQLite file."""
    instance = tmp_path_factory.mktemp("e2e-instance")
    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{instance / 'e2e.sqlite'}",
            "INSTANCE_PATH": instance,
            "TESTING": False,
            "WTF_CSRF_ENABLED": True,
            "SECRET_KEY": secrets.token_urlsafe(32),
        }
    )
    with app.app_context():
        db.create_all()
        load_demo()
        db.session.commit()

    server = LiveServer(url="", app=app)

    def record_error(sender, exception, **extra):
        server.errors.append(exception)

    got_request_exception.connect(record_error, app, weak=False)
    httpd = make_server(
        "127.0.0.1", 0, _read_whole(app), threaded=True, request_handler=_QuietHandler
    )
    server.url = f"http://127.0.0.1:{httpd.server_port}"
    app.config["PUBLIC_URL"] = server.url  # where the links in messages and letters lead
    thread = threading.Thread(target=httpd.serve_forever, name="e2e-server", daemon=True)
    thread.start()
    yield server
    httpd.shutdown()
    thread.join(timeout=10)
    httpd.server_close()
    with app.app_context():
        db.engine.dispose()


# --- the browser -----------------------------------------------------------------------------


@pytest.fixture(scope="session")
def browser():
    """Debian's Chromium through Playwright; never a downloaded browser."""
    if not CHROMIUM.exists():
        reason = f"{CHROMIUM} is not installed (Debian: apt-get install chromium)"
        if os.environ.get("REQUIRE_BROWSER") == "1":
            pytest.fail(f"REQUIRE_BROWSER=1 but {reason}", pytrace=False)
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_FLAGS, chromium_sandbox=False
        )
        yield chromium
        chromium.close()


@pytest.fixture(params=LANGUAGES)
def language(request):
    """Run the test once in Romanian and once in Hungarian."""
    return request.param


@dataclass
class BrowserProblems:
    """What the browser reported while a test ran: console errors (CSP violations among them)."""

    messages: list = field(default_factory=list)

    def watch(self, page):
        page.on("console", lambda m: m.type == "error" and self.messages.append(m.text))
        page.on("pageerror", lambda error: self.messages.append(f"page error: {error}"))


@pytest.fixture
def open_page(browser, live_server):
    """``open_page(phone=False, locale="ro")``: a page in a fresh context (own cookies)."""
    contexts = []
    problems = BrowserProblems()

    def open_(*, phone=False, locale="ro-RO"):
        context = browser.new_context(
            base_url=live_server.url,
            viewport=PHONE if phone else DESKTOP,
            is_mobile=phone,
            has_touch=phone,
            locale=locale,
        )
        context.set_default_timeout(10_000)
        contexts.append(context)
        page = context.new_page()
        problems.watch(page)
        return page

    errors_before = len(live_server.errors)
    yield open_
    for context in contexts:
        context.close()
    assert live_server.errors[errors_before:] == [], "the server raised while the test ran"
    assert problems.messages == [], "the browser reported errors"


@pytest.fixture
def page(open_page):
    return open_page()


@pytest.fixture
def phone_page(open_page):
    return open_page(phone=True)


@pytest.fixture
def signed_in_page(open_page):
    """``signed_in_page("coordinator", "hu", phone=True)``: a demo user's page in a language."""

    def open_(username, language="ro", *, phone=False, password=DEMO_PASSWORD):
        page = open_page(phone=phone)
        sign_in(page, username, password)
        choose_language(page, language)
        return page

    return open_
