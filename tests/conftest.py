import contextvars
import os
import re
from datetime import datetime

os.environ["DAYCENTRE_ENV"] = "testing"
# A production app built by a test finds its pseudonym key where production would.
os.environ.setdefault("PSEUDONYM_KEY", "testing-only-pseudonym-key")

import pytest  # noqa: E402
from flask import has_app_context  # noqa: E402
from flask.testing import FlaskClient  # noqa: E402
from sqlalchemy import delete  # noqa: E402

from daycentre import create_app  # noqa: E402
from daycentre.audit.models import guard_audit_trail, unguard_audit_trail  # noqa: E402
from daycentre.extensions import db  # noqa: E402
from tests.factories import DEFAULT_PASSWORD, make_centre, make_user  # noqa: E402


def pytest_configure(config):
    """``DAYCENTRE_TEST_NOW`` (an ISO instant with its offset) runs the whole suite on that day.

    CI runs the suite again on days that have broken things before (a public holiday, the Monday
    after the clock change, 29 February, New Year's Eve late at night). The clock is set before
    the tests are collected, as parameters read the day too, and keeps ticking from there, so
    timeouts and throttles behave as on a real day.
    """
    pinned = os.environ.get("DAYCENTRE_TEST_NOW")
    if pinned:
        import time_machine

        config._pinned_clock = time_machine.travel(datetime.fromisoformat(pinned), tick=True)
        config._pinned_clock.start()


def pytest_unconfigure(config):
    if clock := getattr(config, "_pinned_clock", None):
        clock.stop()


def pytest_report_header(config):
    if os.environ.get("DAYCENTRE_TEST_NOW"):
        return f"clock pinned to {os.environ['DAYCENTRE_TEST_NOW']} (DAYCENTRE_TEST_NOW)"
    return None


@pytest.fixture(scope="session")
def database_url(tmp_path_factory):
    """SQLite in a file (several connections see one database); TEST_DATABASE_URL for PostgreSQL."""
    return (
        os.environ.get("TEST_DATABASE_URL")
        or f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.sqlite'}"
    )


@pytest.fixture(scope="session")
def _schema(database_url, tmp_path_factory):
    app = create_app(
        {"SQLALCHEMY_DATABASE_URI": database_url, "INSTANCE_PATH": tmp_path_factory.mktemp("i")}
    )
    with app.app_context():
        db.drop_all()
        db.create_all()
        db.engine.dispose()
    return database_url


class IsolatedClient(FlaskClient):
    """Each request runs in its own app context, as in production: its own ``g``, its own session.

    The test's own setup is committed first, and the test's session starts afresh afterwards,
    so what a test reads after a request is what the request really stored.
    """

    def open(self, *args, **kwargs):
        if not has_app_context():  # a redirect followed from inside a request's own context
            return super().open(*args, **kwargs)
        db.session.commit()
        try:
            return contextvars.Context().run(super().open, *args, **kwargs)
        finally:
            db.session.commit()


@pytest.fixture
def app(_schema, tmp_path):
    app = create_app({"SQLALCHEMY_DATABASE_URI": _schema, "INSTANCE_PATH": tmp_path})
    app.test_client_class = IsolatedClient
    with app.app_context():
        yield app
        db.session.remove()
        with db.engine.begin() as connection:
            unguard_audit_trail(connection)
            for table in reversed(db.metadata.sorted_tables):
                connection.execute(delete(table))
            guard_audit_trail(connection)
        db.engine.dispose()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def centre(app):
    return make_centre()


@pytest.fixture
def other_centre(app):
    return make_centre(name="Centrul din Sfântu Gheorghe", city="Sfântu Gheorghe")


@pytest.fixture
def users(app, centre):
    """One committed user per role, the staff assigned to ``centre``."""
    people = {
        role: make_user(role, centres=[centre])
        for role in ("admin", "coordinator", "counsellor", "volunteer")
    }
    # A parent has no centres; this one is linked to no family (make_parent makes one that is).
    people["parent"] = make_user("parent")
    db.session.commit()
    return people


@pytest.fixture
def login(client):
    """Sign ``user`` in through the real form; returns the response."""

    def sign_in(user, password=DEFAULT_PASSWORD, follow=False):
        return client.post(
            "/auth/login",
            data={"username": user.username, "password": password},
            follow_redirects=follow,
        )

    return sign_in


@pytest.fixture
def login_as(users, login):
    def sign_in(role):
        response = login(users[role])
        assert response.status_code == 302, "sign-in failed"
        return users[role]

    return sign_in


def text_of(response) -> str:
    """The visible text of an HTML response, tags removed and white space folded."""
    html = response.get_data(as_text=True)
    html = re.sub(r"<(script|style)[^>]*>.*?</\1>", " ", html, flags=re.S)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).strip()
