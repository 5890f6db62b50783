"""Each migration on its own goes up, down and up again, and its down undoes exactly its up."""

from alembic.script import ScriptDirectory
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect

from daycentre.extensions import db, migrate
from tests.test_migrations import _differences, empty_database, migrated_app  # noqa: F401


def _schema() -> dict:
    inspector = inspect(db.engine)
    return {
        table: sorted(
            (column["name"], str(column["type"]), column["nullable"])
            for column in inspector.get_columns(table)
        )
        for table in sorted(inspector.get_table_names())
        if table != "alembic_version"
    }


def _revisions_oldest_first(app) -> list[str]:
    config = migrate.get_config(app.extensions["migrate"].directory)
    script = ScriptDirectory.from_config(config)
    return [revision.revision for revision in reversed(list(script.walk_revisions()))]


def test_every_migration_steps_up_down_and_up_again(migrated_app):  # noqa: F811
    revisions = _revisions_oldest_first(migrated_app)
    assert len(revisions) > 5
    previous = "base"
    for revision in revisions:
        before = _schema()
        upgrade(revision=revision)
        after = _schema()
        downgrade(revision=previous)
        assert _schema() == before, f"{revision}'s downgrade does not undo its upgrade"
        upgrade(revision=revision)
        assert _schema() == after, revision
        previous = revision
    assert _differences() == []
