"""A roll save that cannot get the database in time (SQLite's "database is locked", PostgreSQL's
lock timeout) is told apart from someone else's save: the server is busy, the coordinator keeps
the marks on the page and sends them again, and nothing is half-saved."""

import re
import sqlite3
from contextlib import contextmanager

import pytest
from sqlalchemy import event
from sqlalchemy.exc import OperationalError

from daycentre.attendance.models import Attendance, AttendanceStatus, RollCall
from daycentre.audit.models import AuditEntry
from daycentre.core.errors import is_busy
from daycentre.extensions import db
from daycentre.meals.models import MealServed
from tests.attendance.helpers import operating_days_back
from tests.conftest import text_of
from tests.factories import make_group, make_group_of_children, make_meal_type

S = AttendanceStatus


def _lock_wait_ran_out(dialect_name: str) -> Exception:
    """What each database's driver raises when a lock is not had within its timeout."""
    if dialect_name == "postgresql":
        from psycopg.errors import LockNotAvailable

        return LockNotAvailable("canceling statement due to lock timeout")
    return sqlite3.OperationalError("database is locked")


@contextmanager
def database_busy_at(statement_start: str):
    """The database gives up waiting for its lock when a statement starting so is sent."""
    engine = db.engine

    def give_up(conn, cursor, statement, parameters, context, executemany):
        if statement.lstrip().startswith(statement_start):
            raise _lock_wait_ran_out(conn.dialect.name)

    event.listen(engine, "before_cursor_execute", give_up)
    try:
        yield
    finally:
        event.remove(engine, "before_cursor_execute", give_up)


@pytest.fixture
def roll(centre, users):
    group = make_group(centre)
    children = make_group_of_children(group, 3)
    lunch = make_meal_type(centre, name="Masă caldă")
    day = operating_days_back(centre, 1)[0]
    db.session.commit()
    url = f"/attendance/groups/{group.id}/roll?day={day.isoformat()}"
    sent = {"version": "0"}
    for child in children:
        sent[f"status-{child.id}"] = S.PRESENT.value
        sent[f"meal-{child.id}"] = str(lunch.id)
    absent = children[0]
    sent[f"status-{absent.id}"] = S.ABSENT_UNEXCUSED.value
    del sent[f"meal-{absent.id}"]
    sent[f"note-{absent.id}"] = "Plecat la bunici"
    return url, sent, absent


def _stored():
    return [
        db.session.scalar(db.select(db.func.count()).select_from(model))
        for model in (RollCall, Attendance, MealServed)
    ] + [
        db.session.scalar(
            db.select(db.func.count(AuditEntry.id)).where(
                AuditEntry.entity.in_(("attendances", "meals_served"))
            )
        )
    ]


def _checked(page: str, name: str) -> str | None:
    for tag in re.findall(r"<input[^>]*>", page):
        if f'name="{name}"' in tag and " checked" in tag:
            return re.search(r'value="([^"]*)"', tag).group(1)
    return None


@pytest.mark.parametrize(
    "where",
    ["INSERT INTO roll_calls", "INSERT INTO attendances", "INSERT INTO audit_entries"],
    ids=["taking the roll", "writing the marks", "writing the audit trail"],
)
def test_a_save_that_cannot_get_the_database_in_time_is_a_busy_server_not_another_save(
    client, login_as, roll, where
):
    login_as("coordinator")
    url, sent, absent = roll
    with database_busy_at(where):
        response = client.post(url, data=sent)
    assert response.status_code == 503
    page, text = response.get_data(as_text=True), text_of(response)
    assert "Serverul este ocupat" in text
    assert "altcineva" not in text.lower()
    assert _checked(page, f"status-{absent.id}") == S.ABSENT_UNEXCUSED.value
    assert 'value="Plecat la bunici"' in page
    assert _stored() == [0, 0, 0, 0], "nothing is half-saved"

    again = client.post(url, data=sent)
    assert again.status_code == 302
    assert _stored() == [1, 3, 2, 5]
    assert (
        db.session.scalar(db.select(Attendance.status).where(Attendance.person_id == absent.id))
        is S.ABSENT_UNEXCUSED
    )


def test_the_busy_server_is_told_in_hungarian(client, login_as, roll, users):
    users["coordinator"].locale = "hu"
    login_as("coordinator")
    url, sent, _ = roll
    with database_busy_at("INSERT INTO attendances"):
        response = client.post(url, data=sent)
    assert response.status_code == 503
    assert "A szerver foglalt" in text_of(response)


def test_a_correction_that_cannot_get_the_database_keeps_the_stored_roll(client, login_as, roll):
    login_as("coordinator")
    url, sent, absent = roll
    assert client.post(url, data=sent).status_code == 302
    corrected = sent | {"version": "1", f"status-{absent.id}": S.ABSENT_EXCUSED.value}
    with database_busy_at("UPDATE attendances"):
        response = client.post(url, data=corrected)
    assert response.status_code == 503
    assert _checked(response.get_data(as_text=True), f"status-{absent.id}") == "absent_excused"
    assert db.session.scalar(db.select(RollCall.version)) == 1
    assert (
        db.session.scalar(db.select(Attendance.status).where(Attendance.person_id == absent.id))
        is S.ABSENT_UNEXCUSED
    )
    assert client.post(url, data=corrected).status_code == 302
    assert db.session.scalar(db.select(RollCall.version)) == 2


@pytest.mark.parametrize(
    ("cause", "busy"),
    [
        (sqlite3.OperationalError("database is locked"), True),
        (sqlite3.OperationalError("no such table: attendances"), False),
    ],
)
def test_only_a_lock_not_had_in_time_counts_as_busy(cause, busy):
    assert is_busy(OperationalError("INSERT", {}, cause)) is busy


def test_a_postgresql_lock_timeout_counts_as_busy():
    errors = pytest.importorskip("psycopg.errors")
    assert is_busy(OperationalError("INSERT", {}, errors.LockNotAvailable("lock timeout")))
    assert is_busy(OperationalError("INSERT", {}, errors.DeadlockDetected("deadlock")))
    assert not is_busy(OperationalError("INSERT", {}, errors.UndefinedTable("no table")))
