"""Column types and connection settings shared by every area."""

from datetime import UTC, datetime

from sqlalchemy import DateTime, Enum, event, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Engine
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


@event.listens_for(Engine, "connect")
def _configure_sqlite(dbapi_connection, connection_record):
    """Foreign keys on, WAL journal and a busy timeout for every SQLite connection."""
    module = type(dbapi_connection).__module__
    if not module.startswith("sqlite3"):
        return
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.close()


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
