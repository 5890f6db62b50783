from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String, event
from sqlalchemy.orm import Mapped, mapped_column, relationship

from daycentre.core.database import UTCDateTime, utcnow
from daycentre.extensions import db


class AuditEntry(db.Model):
    """Who did what to which record, and when. Append-only: rows are never changed or removed."""

    __tablename__ = "audit_entries"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    action: Mapped[str] = mapped_column(String(20))
    entity: Mapped[str] = mapped_column(String(50))
    entity_id: Mapped[int | None] = mapped_column(index=True)
    centre_id: Mapped[int | None]
    # The person the record is about, kept without a foreign key so the trail outlives the record.
    person_id: Mapped[int | None]
    changes: Mapped[dict[str, Any] | None] = mapped_column(JSON)

    actor = relationship("User")

    # The trail of a person, a centre or a user, newest first.
    __table_args__ = (
        Index("ix_audit_entries_person_at", "person_id", "at"),
        Index("ix_audit_entries_centre_at", "centre_id", "at"),
        Index("ix_audit_entries_actor_at", "actor_id", "at"),
    )


@event.listens_for(AuditEntry, "before_update")
@event.listens_for(AuditEntry, "before_delete")
def _refuse_rewriting_history(mapper, connection, target):
    raise PermissionError("audit entries are append-only")


# What an anonymised value becomes in the trail: the entry keeps which fields it recorded.
SCRUBBED = "—"

# The database itself refuses changes too, so that no bulk statement or raw SQL can rewrite history.
# One change is sanctioned, the retention run's scrub: each of an entry's recorded values
# (``changes``, a JSON object) replaced by SCRUBBED (written out in the SQL below), its keys and
# every other column as they were. Nothing else can be written, and no entry can be removed.
_GUARD = {
    "sqlite": [
        "CREATE TRIGGER IF NOT EXISTS audit_entries_no_update BEFORE UPDATE ON audit_entries "
        "WHEN NOT coalesce("
        " NEW.id IS OLD.id AND NEW.at IS OLD.at AND NEW.actor_id IS OLD.actor_id"
        " AND NEW.action IS OLD.action AND NEW.entity IS OLD.entity"
        " AND NEW.entity_id IS OLD.entity_id AND NEW.centre_id IS OLD.centre_id"
        " AND NEW.person_id IS OLD.person_id"
        " AND json_type(OLD.changes) = 'object' AND json_type(NEW.changes) = 'object'"
        " AND NOT EXISTS (SELECT 1 FROM json_each(NEW.changes)"
        "  WHERE type != 'text' OR value != '—')"
        " AND NOT EXISTS (SELECT key FROM json_each(NEW.changes)"
        "  EXCEPT SELECT key FROM json_each(OLD.changes))"
        " AND NOT EXISTS (SELECT key FROM json_each(OLD.changes)"
        "  EXCEPT SELECT key FROM json_each(NEW.changes)), 0) "
        "BEGIN SELECT RAISE(ABORT, 'audit entries are append-only'); END",
        "CREATE TRIGGER IF NOT EXISTS audit_entries_no_delete BEFORE DELETE ON audit_entries "
        "BEGIN SELECT RAISE(ABORT, 'audit entries are append-only'); END",
    ],
    "postgresql": [
        "CREATE OR REPLACE FUNCTION audit_entries_append_only() RETURNS trigger "
        "LANGUAGE plpgsql AS $$ BEGIN "
        "IF TG_OP = 'UPDATE'"
        " AND (NEW.id, NEW.at, NEW.actor_id, NEW.action, NEW.entity, NEW.entity_id,"
        "  NEW.centre_id, NEW.person_id) IS NOT DISTINCT FROM (OLD.id, OLD.at, OLD.actor_id,"
        "  OLD.action, OLD.entity, OLD.entity_id, OLD.centre_id, OLD.person_id)"
        " AND json_typeof(OLD.changes) = 'object' AND json_typeof(NEW.changes) = 'object'"
        " AND NOT EXISTS (SELECT 1 FROM json_each(NEW.changes) AS e"
        "  WHERE e.value::jsonb IS DISTINCT FROM to_jsonb('—'::text))"
        " AND NOT EXISTS (SELECT json_object_keys(NEW.changes)"
        "  EXCEPT SELECT json_object_keys(OLD.changes))"
        " AND NOT EXISTS (SELECT json_object_keys(OLD.changes)"
        "  EXCEPT SELECT json_object_keys(NEW.changes)) "
        "THEN RETURN NEW; END IF; "
        "RAISE EXCEPTION 'audit entries are append-only'; END $$",
        "CREATE TRIGGER audit_entries_append_only BEFORE UPDATE OR DELETE ON audit_entries "
        "FOR EACH ROW EXECUTE FUNCTION audit_entries_append_only()",
        "CREATE TRIGGER audit_entries_no_truncate BEFORE TRUNCATE ON audit_entries "
        "FOR EACH STATEMENT EXECUTE FUNCTION audit_entries_append_only()",
    ],
}
_UNGUARD = {
    "sqlite": [
        "DROP TRIGGER IF EXISTS audit_entries_no_update",
        "DROP TRIGGER IF EXISTS audit_entries_no_delete",
    ],
    "postgresql": [
        "DROP TRIGGER IF EXISTS audit_entries_append_only ON audit_entries",
        "DROP TRIGGER IF EXISTS audit_entries_no_truncate ON audit_entries",
        "DROP FUNCTION IF EXISTS audit_entries_append_only()",
    ],
}


def guard_audit_trail(connection) -> None:
    for statement in _GUARD.get(connection.dialect.name, ()):
        connection.exec_driver_sql(statement)


def unguard_audit_trail(connection) -> None:
    """Only for migrations and for emptying a test database; retention scrubs through the guard."""
    for statement in _UNGUARD.get(connection.dialect.name, ()):
        connection.exec_driver_sql(statement)


@event.listens_for(AuditEntry.__table__, "after_create")
def _guard_new_table(target, connection, **kw):
    guard_audit_trail(connection)
