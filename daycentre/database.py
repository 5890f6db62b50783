"""Column types and connection settings shared by every area."""

from datetime import UTC, datetime

from flask import has_request_context, request
from sqlalchemy import DateTime, Enum, event
from sqlalchemy.engine import Engine
from sqlalchemy.types import TypeDecorator


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
# turns (one at a time); under 50 people saving rolls the queue can take seconds, never this long.
SQLITE_BUSY_TIMEOUT_MS = 30_000

# Requests that may change data. On SQLite they take the write lock when their transaction begins.
WRITING_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


@event.listens_for(Engine, "connect")
def _configure_sqlite(dbapi_connection, connection_record):
    """Foreign keys on, WAL journal and a long busy timeout for every SQLite connection."""
    if not type(dbapi_connection).__module__.startswith("sqlite3"):
        return
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.close()


def _writes_expected() -> bool:
    return has_request_context() and request.method in WRITING_METHODS


@event.listens_for(Engine, "begin")
def _begin(connection):
    """A request that may write takes SQLite's write lock before its first statement.

    Left to itself the driver reads outside any transaction and begins one at the first write.
    A request that read a roll's version and then writes could thus miss a save made in between
    (refused as a simultaneous save), and in WAL mode a transaction that has read cannot wait for
    the lock: SQLite answers "database is locked" at once. ``BEGIN IMMEDIATE`` waits its turn (up
    to the busy timeout), then reads and writes the latest data. Other requests, the command line
    and the tests keep the driver's way: reads never wait, a write waits for the lock.
    """
    if connection.dialect.name != "sqlite":
        return
    if connection.get_execution_options().get("isolation_level") == "AUTOCOMMIT":
        return  # VACUUM and checkpoints run outside any transaction
    dbapi_connection = connection.connection.dbapi_connection
    if _writes_expected():
        dbapi_connection.isolation_level = None  # the driver emits no BEGIN of its own
        connection.exec_driver_sql("BEGIN IMMEDIATE")
    elif dbapi_connection.isolation_level is None:
        dbapi_connection.isolation_level = ""  # the driver's own transactions again


def stored_enum(enum_class, length: int = 20) -> Enum:
    """An enum column stored as its values' text (portable, no native type to migrate)."""
    return Enum(
        enum_class, native_enum=False, length=length, values_callable=lambda e: [m.value for m in e]
    )
