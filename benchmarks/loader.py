"""Bulk rows into the app's tables: executemany on SQLite, COPY on PostgreSQL.

Rows are tuples of plain values already in the form the database stores them (ISO dates, naive
UTC datetimes, enum values as text, JSON as text), so no per-value type processing runs: millions
of marks go in within the benchmark's build budget. The SQLAlchemy models stay the one schema;
these helpers only write the same columns.
"""

import json
from collections import Counter
from datetime import UTC, date, datetime, time

from sqlalchemy import Connection, text

BATCH = 20_000


def iso_day(day: date) -> str:
    return day.isoformat()


def iso_instant(moment: datetime) -> str:
    """An aware instant as SQLAlchemy stores ``UTCDateTime`` on SQLite (naive UTC, microseconds)."""
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")


def iso_time(moment: time) -> str:
    return moment.strftime("%H:%M:%S.%f")


def as_json(value) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


class Loader:
    """Appends rows to tables inside one connection's transaction and counts them."""

    def __init__(self, connection: Connection):
        self.connection = connection
        self.dialect = connection.dialect.name
        self.counts: Counter = Counter()

    def insert(self, table: str, columns: tuple[str, ...], rows) -> int:
        """Write ``rows`` (an iterable of tuples) in batches; returns how many were written."""
        written = 0
        batch = []
        for row in rows:
            batch.append(row)
            if len(batch) >= BATCH:
                self._write(table, columns, batch)
                written += len(batch)
                batch = []
        if batch:
            self._write(table, columns, batch)
            written += len(batch)
        self.counts[table] += written
        return written

    def _write(self, table: str, columns: tuple[str, ...], batch: list[tuple]) -> None:
        names = ", ".join(f'"{c}"' for c in columns)
        raw = self.connection.connection.driver_connection
        if self.dialect == "postgresql":
            with (
                raw.cursor() as cursor,
                cursor.copy(f'COPY "{table}" ({names}) FROM STDIN') as copy,
            ):
                for row in batch:
                    copy.write_row(row)
        else:
            marks = ", ".join("?" for _ in columns)
            cursor = raw.cursor()
            # Table and column names come from the builder's code, never from input.
            statement = f'INSERT INTO "{table}" ({names}) VALUES ({marks})'  # noqa: S608
            cursor.executemany(statement, batch)
            cursor.close()

    def reset_sequences(self, tables) -> None:
        """PostgreSQL: the id sequences continue after the ids written here."""
        if self.dialect != "postgresql":
            return
        for table in tables:
            self.connection.execute(
                text(
                    f"SELECT setval(pg_get_serial_sequence('\"{table}\"', 'id'), "  # noqa: S608
                    f'COALESCE((SELECT MAX(id) FROM "{table}"), 0) + 1, false)'
                )
            )
