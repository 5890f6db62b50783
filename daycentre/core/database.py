"""Column types and connection settings shared by every area."""

import fcntl
import os
import sqlite3
import threading
from datetime import UTC, datetime

from flask import has_request_context
from sqlalchemy import DateTime, Enum, event, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Engine
from sqlalchemy.exc import OperationalError, SQLAlchemyError
from sqlalchemy.pool import Pool
from sqlalchemy.types import TypeDecorator

from daycentre.extensions import db


class UTCDateTime(TypeDecorator):
    """An instant, stored as naive UTC on every backend and read back as an aware UTC datetime.

    SQLite has no time zones; storing UTC everywhere keeps instants unambiguous across the
    daylight-saving change, and views convert to Europe/Bucharest for display.
    """

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetimes are ambiguous; pass an aware datetime")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect):
        if value is None:
            return None
        return value.replace(tzinfo=UTC)


def utcnow() -> datetime:
    return datetime.now(UTC)


# How long a SQLite connection waits for another's write to finish before giving up. Writes take
# turns (one at a time); under 50 people saving rolls the line can take seconds, never this long.
SQLITE_BUSY_TIMEOUT_MS = 30_000

WRITE_STATEMENTS = ("INSERT", "UPDATE", "DELETE", "REPLACE")


@event.listens_for(Engine, "connect")
def _configure_sqlite(dbapi_connection, connection_record):
    """Foreign keys on, WAL journal and a long busy timeout for every SQLite connection.

    The driver keeps its own transaction handling: it reads outside any transaction and begins
    one at the first write, so a request never holds an old snapshot when it comes to write
    (in WAL mode such a transaction could not wait for the lock: "database is locked" at once).
    A roll's version is checked again by the write itself (``UPDATE ... WHERE version = ?``).
    """
    if not type(dbapi_connection).__module__.startswith("sqlite3"):
        return
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.close()


class WriteTurns:
    """The app's writers to a SQLite file wait their turn in line, and are woken as it comes.

    SQLite's own busy handler polls, every 100 ms once it has waited a while, so under 50 people
    a writer that has waited long keeps losing the lock to newcomers (which poll every few ms)
    until its timeout runs out: sign-ins failed with "database is locked" after 30 s. Here the
    threads of a process take turns on a lock, and the processes on an exclusive ``flock`` of a
    file beside the database; both wake the next writer at once. SQLite's lock then has one
    contender from the app (commands such as a backup still wait through the busy timeout).
    """

    def __init__(self):
        self._thread_turn = threading.RLock()
        self._depth = 0  # guarded by _thread_turn: a thread's nested transactions take one turn
        self._files: dict[tuple[int, str], int] = {}

    def _file(self, database: str) -> int:
        key = (os.getpid(), database)  # opened again in each forked worker: flock is per file
        if key not in self._files:
            self._files[key] = os.open(f"{database}-writers", os.O_RDWR | os.O_CREAT, 0o600)
        return self._files[key]

    def take(self, database: str | None) -> None:
        if not self._thread_turn.acquire(timeout=SQLITE_BUSY_TIMEOUT_MS / 1000):
            raise OperationalError("BEGIN", None, sqlite3.OperationalError("database is locked"))
        self._depth += 1
        if self._depth == 1 and database:
            try:
                fcntl.flock(self._file(database), fcntl.LOCK_EX)
            except BaseException:
                self._depth -= 1
                self._thread_turn.release()
                raise

    def give_back(self, database: str | None) -> None:
        self._depth -= 1
        if self._depth == 0 and database:
            fcntl.flock(self._file(database), fcntl.LOCK_UN)
        self._thread_turn.release()


write_turns = WriteTurns()
TURN = "daycentre_write_turn"  # in a connection's info while it holds a turn


def _database_file(connection) -> str | None:
    database = connection.engine.url.database
    return database if database and database != ":memory:" else None


@event.listens_for(Engine, "before_cursor_execute")
def _wait_turn_to_write(connection, cursor, statement, parameters, context, executemany):
    """A request's first write to SQLite waits its turn; the turn lasts until the transaction ends.

    Only requests: the command line and the tests keep SQLite's own waiting.
    """
    if connection.dialect.name != "sqlite" or TURN in connection.info:
        return
    if not has_request_context() or not statement.lstrip()[:7].upper().startswith(WRITE_STATEMENTS):
        return
    if connection.get_execution_options().get("isolation_level") == "AUTOCOMMIT":
        return
    database = _database_file(connection)
    write_turns.take(database)
    connection.info[TURN] = (threading.get_ident(), database)


def _give_back_turn(info: dict) -> None:
    thread, database = info.get(TURN, (None, None))
    if thread == threading.get_ident():
        del info[TURN]
        write_turns.give_back(database)


@event.listens_for(Engine, "commit")
@event.listens_for(Engine, "rollback")
def _end(connection):
    """The next writer's turn: SQLite's own lock goes a moment later, with the commit."""
    _give_back_turn(connection.info)


@event.listens_for(Pool, "checkin")
def _returned(dbapi_connection, connection_record):
    """Whatever ended the transaction, a connection back in the pool holds no turn."""
    if connection_record is not None:
        _give_back_turn(connection_record.info)


# psycopg prepares a statement the fifth time a connection runs it, and forgets every prepared
# statement at each ROLLBACK. A request's session ends its transaction with a rollback even when
# it only read, so on PostgreSQL every page planned its statements afresh (a third of a roll
# page's time). A transaction that only read ends with COMMIT instead: the same for the
# database, and the plans are kept.
ONLY_READ = "daycentre_only_read"


@event.listens_for(Engine, "begin")
def _reading(connection):
    if connection.dialect.name == "postgresql":  # SQLite has no prepared statements to keep
        connection.info[ONLY_READ] = True


@event.listens_for(Engine, "before_cursor_execute")
def _writing(connection, cursor, statement, parameters, context, executemany):
    if ONLY_READ in connection.info and statement.lstrip()[:6].upper() != "SELECT":
        del connection.info[ONLY_READ]


def end_reads_with_commit(error: BaseException | None = None) -> None:
    """At the end of a request (``teardown_appcontext``): commit a PostgreSQL transaction that
    ran SELECTs only and holds no pending change; anything else is left to the rollback."""
    session = db.session()
    if error is not None or not session.in_transaction():
        return
    if session.new or session.dirty or session.deleted:
        return
    if session.connection().info.get(ONLY_READ):
        try:
            session.commit()
        except SQLAlchemyError:  # the connection went away: the session's own ending copes
            session.rollback()


def run_for_database(connection, *, on_postgresql, on_sqlite) -> None:
    """Run the statements written for the connection's database (triggers and their functions)."""
    statements = on_postgresql if connection.dialect.name == "postgresql" else on_sqlite
    for statement in statements:
        connection.exec_driver_sql(statement)


def stored_enum(enum_class, length: int = 20) -> Enum:
    """An enum column stored as its values' text (portable, no native type to migrate)."""
    return Enum(
        enum_class, native_enum=False, length=length, values_callable=lambda e: [m.value for m in e]
    )


def insert_unless_present(model, key: dict, **values):
    """The row of ``model`` with the unique ``key``, inserted with ``values`` if there is none.

    Returns ``(row, inserted)``. Two requests creating the same row at once both end with the
    one row: the database inserts it once and the other insert, having waited for it, does
    nothing (PostgreSQL's and SQLite's ``ON CONFLICT DO NOTHING``); no unique-constraint error.
    """
    found = db.session.scalar(select(model).filter_by(**key))
    if found is not None:
        return found, False
    insert = (
        postgresql.insert if db.session.get_bind().dialect.name == "postgresql" else sqlite.insert
    )
    table = model.__table__
    statement = (
        insert(table)
        .values(**key, **values)
        .on_conflict_do_nothing(index_elements=list(key))
        .returning(*table.primary_key.columns)
    )
    inserted = db.session.execute(statement).first() is not None
    return db.session.scalar(select(model).filter_by(**key)), inserted


def render_migration_type(type_, obj, autogen_context):
    """Write the project's column types as the plain SQLAlchemy types they store."""
    if type_ == "type" and isinstance(obj, UTCDateTime):
        return "sa.DateTime()"
    return False
