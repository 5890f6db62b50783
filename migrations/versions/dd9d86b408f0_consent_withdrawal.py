"""consent withdrawal; the audit guard lets the retention scrub through

A consent gets the day it was withdrawn (its own action). The database guard of the audit trail
now allows one change, the retention run's scrub (each recorded value replaced by a placeholder,
everything else unchanged); updates and deletes are otherwise still refused. The guard's SQL is
written out here so that this migration keeps meaning what it meant when daycentre.audit.models
changes.

Revision ID: dd9d86b408f0
Revises: 9cdaa6f41ea7
Create Date: 2026-11-30 17:51:15.452094

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'dd9d86b408f0'
down_revision = "9cdaa6f41ea7"
branch_labels = None
depends_on = None


_REFUSE = "BEGIN SELECT RAISE(ABORT, 'audit entries are append-only'); END"
OLD_GUARD = {
    "sqlite": [
        "CREATE TRIGGER audit_entries_no_update BEFORE UPDATE ON audit_entries " + _REFUSE,
        "CREATE TRIGGER audit_entries_no_delete BEFORE DELETE ON audit_entries " + _REFUSE,
    ],
    "postgresql": [
        "CREATE OR REPLACE FUNCTION audit_entries_append_only() RETURNS trigger "
        "LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'audit entries are append-only'; END $$",
        "CREATE TRIGGER audit_entries_append_only BEFORE UPDATE OR DELETE ON audit_entries "
        "FOR EACH ROW EXECUTE FUNCTION audit_entries_append_only()",
        "CREATE TRIGGER audit_entries_no_truncate BEFORE TRUNCATE ON audit_entries "
        "FOR EACH STATEMENT EXECUTE FUNCTION audit_entries_append_only()",
    ],
}
NEW_GUARD = {
    "sqlite": [
        "CREATE TRIGGER audit_entries_no_update BEFORE UPDATE ON audit_entries "
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
        "  EXCEPT SELECT key FROM json_each(NEW.changes)), 0) " + _REFUSE,
        "CREATE TRIGGER audit_entries_no_delete BEFORE DELETE ON audit_entries " + _REFUSE,
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
UNGUARD = {
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


def _replace_guard(guard):
    connection = op.get_bind()
    dialect = connection.dialect.name
    for statement in (*UNGUARD.get(dialect, ()), *guard.get(dialect, ())):
        connection.exec_driver_sql(statement)


def upgrade():
    with op.batch_alter_table('consents', schema=None) as batch_op:
        batch_op.add_column(sa.Column('withdrawn_on', sa.Date(), nullable=True))
        batch_op.create_check_constraint(
            op.f('ck_consents_withdrawn_after_given'),
            'withdrawn_on IS NULL OR withdrawn_on >= given_on',
        )
    _replace_guard(NEW_GUARD)


def downgrade():
    _replace_guard(OLD_GUARD)
    with op.batch_alter_table('consents', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_consents_withdrawn_after_given'), type_='check')
        batch_op.drop_column('withdrawn_on')
