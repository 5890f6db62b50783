import gc
from datetime import UTC, datetime, timedelta, timezone

import pytest
from sqlalchemy import text

from daycentre import GC_THRESHOLDS, create_app
from daycentre.audit.models import AuditEntry
from daycentre.audit.services import record
from daycentre.extensions import db


def test_sqlite_runs_with_foreign_keys_wal_and_a_busy_timeout(app, database_url):
    if not database_url.startswith("sqlite"):
        pytest.skip("SQLite pragmas")
    assert db.session.execute(text("PRAGMA foreign_keys")).scalar() == 1
    assert db.session.execute(text("PRAGMA journal_mode")).scalar() == "wal"
    assert db.session.execute(text("PRAGMA busy_timeout")).scalar() >= 1000


def test_instants_are_stored_in_utc_and_read_back_aware(app):
    bucharest_summer = timezone(timedelta(hours=3))
    entry = record("read", actor=None, entity="test", entity_id=1)
    entry.at = datetime(2026, 7, 1, 12, 0, tzinfo=bucharest_summer)
    db.session.commit()
    db.session.expire_all()
    stored = db.session.get(AuditEntry, entry.id).at
    assert stored == datetime(2026, 7, 1, 9, 0, tzinfo=UTC)
    assert stored.tzinfo is not None


def test_audit_entries_cannot_be_changed_or_deleted(app):
    entry = record("read", actor=None, entity="test", entity_id=1)
    db.session.commit()
    entry.action = "update"
    with pytest.raises(PermissionError):
        db.session.flush()
    db.session.rollback()
    db.session.delete(db.session.get(AuditEntry, entry.id))
    with pytest.raises(PermissionError):
        db.session.flush()
    db.session.rollback()


def test_the_database_itself_refuses_to_rewrite_the_audit_trail(app):
    from sqlalchemy import delete, update
    from sqlalchemy.exc import DBAPIError

    record("read", actor=None, entity="test", entity_id=1)
    db.session.commit()
    for statement in (update(AuditEntry).values(action="update"), delete(AuditEntry)):
        with pytest.raises(DBAPIError, match="append-only"):
            db.session.execute(statement)
        db.session.rollback()
    assert db.session.scalar(db.select(db.func.count(AuditEntry.id))) == 1


def _turns_count():
    return db.session.scalar(
        db.select(db.func.count(AuditEntry.id)).where(AuditEntry.entity == "turns")
    )


def test_writing_requests_take_turns_and_each_reads_the_last_save(app, database_url, monkeypatch):
    """SQLite: a second writer that arrives while the first has written but not committed waits
    for the commit, then its transaction reads the first one's row."""
    if not database_url.startswith("sqlite"):
        pytest.skip("SQLite's write lock")
    import threading

    from daycentre.core import database

    second_waits, seen, errors = threading.Event(), {}, []
    real_take = database.write_turns.take

    def take(path):
        if threading.current_thread().name == "second":
            second_waits.set()
        real_take(path)

    monkeypatch.setattr(database.write_turns, "take", take)

    def first():
        with app.test_request_context(method="POST"):
            record("read", actor=None, entity="turns", entity_id=1)
            db.session.flush()
            second_waits.wait(10)
            db.session.commit()
            db.session.remove()

    def second():
        with app.test_request_context(method="POST"):
            record("read", actor=None, entity="turns", entity_id=2)
            db.session.flush()
            seen["count"] = _turns_count()
            db.session.commit()
            db.session.remove()

    def run(target):
        try:
            target()
        except BaseException as error:  # re-raised below
            errors.append(error)

    writer = threading.Thread(target=run, args=(first,), name="first")
    writer.start()
    while writer.is_alive() and not _first_holds_turn():
        writer.join(0.01)
    follower = threading.Thread(target=run, args=(second,), name="second")
    follower.start()
    writer.join(30)
    follower.join(30)
    assert not errors, errors
    assert seen["count"] == 2


def _first_holds_turn():
    from daycentre.core import database

    return database.write_turns._depth > 0


def test_every_writing_request_gives_its_turn_back(app, client, users, login):
    from daycentre.core import database

    assert login(users["admin"]).status_code == 302
    assert client.post("/auth/language", data={"language": "xx"}).status_code == 400
    assert client.post("/auth/logout").status_code == 302
    assert database.write_turns._depth == 0


def test_a_server_process_keeps_its_start_up_objects_out_of_the_collectors_walks():
    """A production process freezes what it holds once ready and spaces out the collections, so
    that a page reading a few hundred records does not pause for a full collection every few
    requests (the administrator's home page in the county benchmark)."""
    before = gc.get_threshold()
    gc.set_threshold(700, 10, 10)  # Python's defaults (another test may have built a server app)
    try:
        create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://", "FREEZE_STARTUP_OBJECTS": True})
        assert gc.get_threshold() == GC_THRESHOLDS
        assert GC_THRESHOLDS[0] > 700
        assert gc.get_freeze_count() > 0
    finally:
        gc.unfreeze()
        gc.set_threshold(*before)


def test_a_request_that_only_read_ends_with_commit_on_postgresql(app, database_url):
    """psycopg forgets its prepared statements at each ROLLBACK: a read ends with COMMIT there,
    so the next page runs its statements prepared; a write is never committed by the ending."""
    from sqlalchemy import event, select, update

    from daycentre.auth.models import User
    from daycentre.core.database import end_reads_with_commit

    ended = []
    event.listen(db.engine, "commit", lambda connection: ended.append("commit"))
    event.listen(db.engine, "rollback", lambda connection: ended.append("rollback"))
    db.session.commit()
    ended.clear()

    db.session.execute(select(User.id)).all()
    end_reads_with_commit()
    db.session.rollback()
    db.session.execute(update(User).where(User.id == -1).values(given_name="x"))
    end_reads_with_commit()
    db.session.rollback()

    on_postgresql = database_url.startswith("postgresql")
    assert ended == (["commit", "rollback"] if on_postgresql else ["rollback", "rollback"])
