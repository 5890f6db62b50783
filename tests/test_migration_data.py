"""Every migration goes down and up again with data in the database, and the data survive.

The demo (made by the app's own services: centres, accounts, families, children, enrolments,
attendance, meals, counselling, cases, volunteers, workshops, the plan) is loaded at the newest
revision. Then, one revision at a time from the newest to the oldest, the database goes down to
the revision before and up again, and every table is read row by row each time:

- a downgrade keeps every row and every value of the tables and columns it keeps;
- what it loses is exactly the tables and columns it drops (listed, never silently);
- the upgrade after it brings back every surviving value unchanged and the same rows.

On SQLite the migrations run in batch mode (tables rebuilt by copy), which is what could lose or
alter a value; on PostgreSQL they alter in place. Both run here (TEST_DATABASE_URL).
"""

from collections import Counter

from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect, text

from daycentre.demo import load_demo
from daycentre.extensions import db
from tests.test_migration_steps import _revisions_oldest_first
from tests.test_migrations import _differences, empty_database, migrated_app  # noqa: F401

Snapshot = dict[str, tuple[list[str], list[tuple]]]


def _snapshot() -> Snapshot:
    """Every table's columns and rows, as the database holds them."""
    tables = {}
    preparer = db.engine.dialect.identifier_preparer
    with db.engine.connect() as connection:
        for table in inspect(connection).get_table_names():
            if table == "alembic_version":
                continue
            result = connection.execute(text(f"SELECT * FROM {preparer.quote(table)}"))  # noqa: S608 - a table name from the database itself
            tables[table] = (list(result.keys()), [tuple(row) for row in result])
    return tables


def _rows(snapshot: Snapshot, table: str, columns: list[str]) -> Counter:
    """The table's rows reduced to ``columns``, as a multiset of values."""
    names, rows = snapshot[table]
    positions = [names.index(column) for column in columns]
    return Counter(tuple(repr(row[p]) for p in positions) for row in rows)


def _kept(before: Snapshot, after: Snapshot) -> dict[str, list[str]]:
    """The tables and columns present both before and after, each table that had rows."""
    return {
        table: [column for column in columns if column in after[table][0]]
        for table, (columns, rows) in before.items()
        if table in after and rows
    }


def _dropped(before: Snapshot, after: Snapshot) -> set[str]:
    """What a change dropped that held data: ``table`` or ``table.column``."""
    lost = set()
    for table, (columns, rows) in before.items():
        if not rows:
            continue
        if table not in after:
            lost.add(table)
            continue
        lost |= {f"{table}.{column}" for column in columns if column not in after[table][0]}
    return lost


def _assert_same(before: Snapshot, after: Snapshot, step: str, kept=None) -> None:
    """The rows of ``before`` are in ``after``, over the columns ``kept`` (by default, all the
    columns both have)."""
    for table, columns in (kept or _kept(before, after)).items():
        assert len(after[table][1]) == len(before[table][1]), f"{step}: rows of {table}"
        assert _rows(after, table, columns) == _rows(before, table, columns), (
            f"{step}: values of {table}"
        )


# Downgrades that rewrite values by design, each brought back exactly by its upgrade (the round
# trip below checks it): a task raised by an alert goes back to a sentence naming the child.
REWRITTEN = {"69df98da29e7": {"case_tasks": {"text"}, "case_events": {"kind", "detail"}}}


def _kept_unless_rewritten(before: Snapshot, after: Snapshot, revision: str):
    rewritten = REWRITTEN.get(revision, {})
    return {
        table: [column for column in columns if column not in rewritten.get(table, ())]
        for table, columns in _kept(before, after).items()
    }


def test_every_migration_goes_down_and_up_with_data_and_keeps_it(migrated_app):  # noqa: F811
    revisions = _revisions_oldest_first(migrated_app)
    upgrade()
    assert load_demo()
    db.session.commit()
    db.session.remove()
    start = _snapshot()
    held = {table for table, (_, rows) in start.items() if rows}
    assert {"centres", "users", "families", "people", "enrolments", "attendances"} <= held
    assert {"cases", "counselling_sessions", "volunteers", "workshops", "audit_entries"} <= held

    losses, recomputed = {}, set()
    for revision, previous in zip(
        reversed(revisions), [*reversed(revisions[:-1]), "base"], strict=True
    ):
        if previous == "base":
            break  # the first migration's downgrade drops every table: nothing to keep
        at_revision = _snapshot()
        downgrade(revision=previous)
        below = _snapshot()
        _assert_same(
            at_revision,
            below,
            f"down from {revision}",
            _kept_unless_rewritten(at_revision, below, revision),
        )
        losses[revision] = _dropped(at_revision, below)
        upgrade(revision=revision)
        again = _snapshot()
        _assert_same(
            below, again, f"up to {revision}", _kept_unless_rewritten(below, again, revision)
        )
        _assert_same(at_revision, again, f"round trip {revision}", _kept(at_revision, below))
        # What the downgrade dropped comes back as a table or column, its old values gone
        # unless the upgrade recomputes them from the rows that were kept.
        for part in losses[revision]:
            table, _, column = part.partition(".")
            assert table in again and (not column or column in again[table][0]), part
            if not column and _rows(again, table, again[table][0]) == _rows(
                at_revision, table, at_revision[table][0]
            ):
                recomputed.add(table)
        downgrade(revision=previous)

    # Downgrades that lose data by design: a column the upgrade added, and its values.
    assert losses["fd9e37588471"] == {"centres.calendar_stamp"}  # a cache key, rebuilt
    assert losses["dd9d86b408f0"] == {"consents.withdrawn_on"}
    assert losses["9cdaa6f41ea7"] == {"users.password_expires_at"}
    # Also who marked a task done, where the tasks table holds rows at that revision.
    assert losses["7b55b0cb0c78"] - {"case_tasks.done_by_id"} == {
        "case_services.membership_id",
        "case_services.registration_id",
    }
    # The running totals of the roll and the meals are counted again from the rows on the way up.
    assert losses["2507ee8c1252"] == {"attendance_months", "children_fed", "meal_counts"}
    assert {"attendance_months", "children_fed", "meal_counts"} <= recomputed
    # Every other loss is a whole area's tables, dropped by the downgrade of the migration that
    # created them (going below it means giving up that area).
    upgrade()
    assert _differences() == []
