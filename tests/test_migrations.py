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


def test_tasks_raised_by_alerts_become_the_child_they_are_about(migrated_app):
    """Tasks stored as a sentence in one language are converted to the child they name; a task
    typed by hand, or naming nobody on the case, keeps its text."""
    from sqlalchemy import text

    from daycentre.cases.models import TaskSource
    from daycentre.cases.tasks import flag_for_case_managers
    from tests.factories import make_case, make_centre, make_child, make_family, make_user

    upgrade()
    centre = make_centre()
    child = make_child(make_family(centre, name="Kovács"), given_name="Anna")
    case = make_case(centre, actor=make_user("admin"), children=[child], family=child.family)
    flag_for_case_managers([child], source=TaskSource.ABSENCES)
    db.session.commit()
    case_id, child_id = case.id, child.id
    db.session.remove()

    downgrade(revision="2507ee8c1252")
    with db.engine.begin() as connection:
        stored = connection.execute(text("SELECT text FROM case_tasks")).scalar_one()
        assert stored == "Anna Kovács figurează în alerta de absențe a centrului de zi: " + (
            "discutați cu familia."
        )
        for source, typed in [
            ("no_shows", "Kovács Anna ismét nem jelent meg a tanácsadáson: beszéljen a családdal."),
            ("manual", "Sunați la școală."),
            (
                "absences",
                "Ion Pop figurează în alerta de absențe a centrului de zi: discutați cu familia.",
            ),
        ]:
            connection.execute(
                text(
                    "INSERT INTO case_tasks (case_id, source, text, created_at)"
                    " VALUES (:case, :source, :t, CURRENT_TIMESTAMP)"
                ),
                {"case": case_id, "source": source, "t": typed},
            )
    upgrade()
    with db.engine.connect() as connection:
        rows = connection.execute(
            text("SELECT source, text, person_id FROM case_tasks ORDER BY id")
        ).all()
        kinds = connection.execute(
            text("SELECT kind, detail FROM case_events WHERE kind LIKE 'task%'")
        ).all()
    assert [tuple(row) for row in rows] == [
        ("absences", None, child_id),
        ("no_shows", None, child_id),
        ("manual", "Sunați la școală.", None),
        (
            "absences",
            "Ion Pop figurează în alerta de absențe a centrului de zi: discutați cu familia.",
            None,
        ),
    ]
    assert [tuple(row) for row in kinds] == [("task_absences", "Kovács Anna")]


def test_going_back_gives_each_childs_timeline_entries_their_own_sentence(migrated_app):
    """Two children on one case, one task done: the downgrade writes each child's sentence back
    into that child's entries only, the completed task's entry included."""
    from sqlalchemy import text

    from daycentre.cases.models import TaskSource
    from daycentre.cases.tasks import complete_task, flag_for_case_managers
    from tests.factories import make_case, make_centre, make_child, make_family, make_user

    upgrade()
    centre = make_centre()
    family = make_family(centre, name="Kovács")
    anna = make_child(family, given_name="Anna")
    bence = make_child(family, given_name="Bence")
    admin = make_user("admin")
    make_case(centre, actor=admin, children=[anna, bence], family=family)
    first, _ = flag_for_case_managers([anna, bence], source=TaskSource.ABSENCES)
    complete_task(first, actor=admin)
    db.session.commit()
    db.session.remove()

    downgrade(revision="2507ee8c1252")
    with db.engine.connect() as connection:
        events = connection.execute(
            text("SELECT kind, detail FROM case_events WHERE kind LIKE 'task%' ORDER BY id")
        ).all()
    sentence = "%s figurează în alerta de absențe a centrului de zi: discutați cu familia."
    assert [tuple(event) for event in events] == [
        ("task", sentence % "Anna Kovács"),
        ("task", sentence % "Bence Kovács"),
        ("task_done", sentence % "Anna Kovács"),
    ]
