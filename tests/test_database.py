from datetime import UTC, datetime, timedelta, timezone

import pytest
from sqlalchemy import text

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
