"""The benchmark's database: the migrations' schema, the county in it, and a manifest to reuse it.

The manifest (a row of the app's ``settings`` table) records the spec's key and the row counts
written; a later run reuses the database when the key matches and the attendance count is still
the manifest's (a run's own roll saves add a few, see ``MARGIN``), and rebuilds it otherwise.
"""

import json
import time
from contextlib import contextmanager
from pathlib import Path

from flask import Flask
from sqlalchemy import bindparam, func, select, text
from werkzeug.security import generate_password_hash

from benchmarks.county import PASSWORD, CountySpec, build_county
from benchmarks.loader import Loader
from daycentre.attendance.stamps import restamped_after_loading
from daycentre.extensions import db
from daycentre.reports.figures import counted_after_loading

MANIFEST_KEY = "benchmark_county"
# Each timing run saves rolls for today; those marks stay in the database.
MARGIN = 5_000


def default_sqlite_url(instance: Path) -> str:
    folder = instance / "bench"
    folder.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{folder / 'county.sqlite'}"


def read_manifest() -> dict | None:
    try:
        raw = db.session.scalar(
            text("SELECT value FROM settings WHERE key = :k"), {"k": MANIFEST_KEY}
        )
    except Exception:  # no schema yet
        db.session.rollback()
        return None
    return json.loads(raw) if raw else None


def still_valid(manifest: dict | None, spec: CountySpec) -> bool:
    if not manifest or manifest.get("key") != spec.key():
        return False
    from daycentre.attendance.models import Attendance

    marks = db.session.scalar(select(func.count()).select_from(Attendance))
    expected = manifest["rows"].get("attendances", 0)
    return expected <= marks <= expected + MARGIN


def _empty_database(app: Flask) -> None:
    engine = db.engine
    if engine.dialect.name == "sqlite":
        path = engine.url.database
        db.session.remove()
        engine.dispose()
        for suffix in ("", "-wal", "-shm", "-journal"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        return
    db.session.remove()
    with engine.begin() as connection:
        connection.execute(text("DROP SCHEMA public CASCADE"))
        connection.execute(text("CREATE SCHEMA public"))
    engine.dispose()


# The tables of millions of rows: their indexes and constraints are built once after the load
# (one sort, one validating join) instead of row by row, the same definitions as the migrations'.
BIG_TABLES = ("attendances", "meals_served", "roll_calls", "audit_entries")


@contextmanager
def deferred_indexes(connection, tables=BIG_TABLES):
    """Drop the tables' secondary indexes (and on PostgreSQL their unique and foreign-key
    constraints), run the block, then create them again from their saved definitions."""
    dialect = connection.dialect.name
    names = list(tables)
    if dialect == "postgresql":
        constraints = connection.execute(
            text(
                "SELECT c.conrelid::regclass::text, c.conname, pg_get_constraintdef(c.oid) "
                "FROM pg_constraint c WHERE c.conrelid::regclass::text = ANY(:t) "
                "AND c.contype IN ('u', 'f')"
            ),
            {"t": names},
        ).all()
        indexes = connection.execute(
            text(
                "SELECT i.indexname, i.indexdef FROM pg_indexes i WHERE i.tablename = ANY(:t) "
                "AND i.schemaname = current_schema() AND NOT EXISTS (SELECT 1 FROM pg_constraint "
                "c WHERE c.conname = i.indexname)"
            ),
            {"t": names},
        ).all()
        for table, name, _ in constraints:
            connection.exec_driver_sql(f'ALTER TABLE "{table}" DROP CONSTRAINT "{name}"')
        for name, _ in indexes:
            connection.exec_driver_sql(f'DROP INDEX "{name}"')
    else:
        constraints = []
        indexes = connection.execute(
            text(
                "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL "
                "AND tbl_name IN :t"
            ).bindparams(bindparam("t", expanding=True)),
            {"t": names},
        ).all()
        for name, _ in indexes:
            connection.exec_driver_sql(f'DROP INDEX "{name}"')
    yield
    for _, definition in indexes:
        connection.exec_driver_sql(definition)
    for table, name, definition in constraints:
        connection.exec_driver_sql(f'ALTER TABLE "{table}" ADD CONSTRAINT "{name}" {definition}')


def build(app: Flask, spec: CountySpec, *, say=print) -> dict:
    """Empty the database, apply the migrations and write the county; returns the manifest."""
    from flask_migrate import upgrade

    started = time.perf_counter()
    _empty_database(app)
    upgrade()
    schema_done = time.perf_counter()
    password_hash = generate_password_hash(PASSWORD, method=app.config["PASSWORD_HASH_METHOD"])
    engine = db.engine
    with engine.begin() as connection:
        if engine.dialect.name == "sqlite":
            # One big transaction on a new file: no write-ahead log to copy back, no fsync.
            connection.exec_driver_sql("PRAGMA journal_mode=MEMORY")
            connection.exec_driver_sql("PRAGMA synchronous=OFF")
            connection.exec_driver_sql("PRAGMA cache_size=-400000")
        else:
            connection.exec_driver_sql("SET LOCAL maintenance_work_mem = '256MB'")
            connection.exec_driver_sql("SET LOCAL synchronous_commit = off")
        with (
            counted_after_loading(connection),
            restamped_after_loading(connection),
            deferred_indexes(connection),
        ):
            facts = build_county(Loader(connection), spec, password_hash)
    loaded = time.perf_counter()
    with engine.begin() as connection:
        connection.exec_driver_sql("ANALYZE")
        if engine.dialect.name == "sqlite":
            connection.exec_driver_sql("PRAGMA journal_mode=WAL")
    manifest = {
        "key": spec.key(),
        "built_at": time.strftime("%Y-%m-%d %H:%M:%S"),
        "seconds": round(time.perf_counter() - started, 1),
        "seconds_schema": round(schema_done - started, 1),
        "seconds_rows": round(loaded - schema_done, 1),
        **facts,
    }
    with engine.begin() as connection:
        connection.execute(
            text("INSERT INTO settings (key, value) VALUES (:k, :v)"),
            {"k": MANIFEST_KEY, "v": json.dumps(manifest)},
        )
    say(
        f"built the county in {manifest['seconds']} s "
        f"(schema {manifest['seconds_schema']} s, rows {manifest['seconds_rows']} s)"
    )
    return manifest


def prepare(app: Flask, spec: CountySpec, *, rebuild: bool = False, say=print) -> dict:
    """The county database ready to time: reused when its manifest matches, else built."""
    with app.app_context():
        manifest = None if rebuild else read_manifest()
        if manifest and still_valid(manifest, spec):
            say(
                f"reusing the county built {manifest['built_at']} ({manifest['seconds']} s to build)"
            )
            from flask_migrate import upgrade

            # The check's transaction ends first: on PostgreSQL its read of the marks would
            # hold back a migration's DDL on the same tables.
            db.session.remove()
            upgrade()  # the migrations added since it was built
            return manifest
        say("building the county database (at most 5 minutes)…")
        return build(app, spec, say=say)
