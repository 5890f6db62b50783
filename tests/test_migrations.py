"""The migrations build the schema the models describe, and go down and up again."""

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from sqlalchemy import create_engine, inspect

import daycentre.models  # noqa: F401 - every table in the metadata the fixtures drop
from daycentre import create_app
from daycentre.extensions import db


@pytest.fixture
def empty_database(tmp_path, database_url):
    """A fresh SQLite file, or a scratch schema's worth of PostgreSQL: the test database emptied."""
    if database_url.startswith("sqlite"):
        return f"sqlite:///{tmp_path / 'migrated.sqlite'}"
    engine = create_engine(database_url)
    with engine.begin() as connection:
        db.metadata.drop_all(connection)
        connection.exec_driver_sql("DROP TABLE IF EXISTS alembic_version")
    engine.dispose()
    return database_url


@pytest.fixture
def migrated_app(empty_database, tmp_path, database_url):
    app = create_app({"SQLALCHEMY_DATABASE_URI": empty_database, "INSTANCE_PATH": tmp_path})
    with app.app_context():
        yield app
        db.engine.dispose()
    if not database_url.startswith("sqlite"):  # leave the shared schema as the suite expects it
        engine = create_engine(database_url)
        with engine.begin() as connection:
            db.metadata.drop_all(connection)
            connection.exec_driver_sql("DROP TABLE IF EXISTS alembic_version")
            db.metadata.create_all(connection)
        engine.dispose()


def _differences():
    with db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        return compare_metadata(context, db.metadata)


def test_upgrade_from_empty_matches_the_models(migrated_app):
    upgrade()
    assert _differences() == []


def test_downgrade_to_base_and_upgrade_again(migrated_app):
    upgrade()
    downgrade(revision="base")
    assert set(inspect(db.engine).get_table_names()) <= {"alembic_version"}
    upgrade()
    assert _differences() == []


def _scrub_allowed() -> bool:
    """Try the retention scrub and a forgery on a migrated database's audit trail."""
    from sqlalchemy import insert, update
    from sqlalchemy.exc import DBAPIError

    from daycentre.audit.models import SCRUBBED, AuditEntry

    entries = AuditEntry.__table__
    with db.engine.begin() as connection:
        entry = connection.execute(
            insert(entries)
            .values(action="create", entity="families", entity_id=1, changes={"name": "X"})
            .returning(entries.c.id)
        ).scalar_one()
    for values in ({"changes": {"name": "Y"}}, {"action": "read"}):
        with pytest.raises(DBAPIError, match="append-only"), db.engine.begin() as connection:
            connection.execute(update(entries).where(entries.c.id == entry).values(**values))
    try:
        with db.engine.begin() as connection:
            connection.execute(
                update(entries).where(entries.c.id == entry).values(changes={"name": SCRUBBED})
            )
    except DBAPIError:
        return False
    return True


def test_the_migrated_audit_guard_lets_only_the_retention_scrub_through(migrated_app):
    upgrade(revision="dd9d86b408f0")
    assert _scrub_allowed()
    downgrade(revision="7b55b0cb0c78")
    assert not _scrub_allowed()  # the guard before: nothing at all
