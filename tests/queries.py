"""Counting the SQL statements a piece of code sends, for query-count tests.

    with count_queries() as queries:
        client.get("/")
    assert queries.count <= 20, queries.report()

The count is what the database receives (every cursor execution, executemany counted once), on
any backend; the statements are kept so that a failing test can show them.
"""

from contextlib import contextmanager
from dataclasses import dataclass, field

from sqlalchemy import event

from daycentre.extensions import db


@dataclass
class Queries:
    statements: list[str] = field(default_factory=list)

    @property
    def count(self) -> int:
        return len(self.statements)

    def __len__(self) -> int:
        return self.count

    def report(self, limit: int = 40) -> str:
        """The statements, numbered, for an assertion message."""
        lines = [f"{self.count} statements:"]
        lines += [f"{n:3d}. {s[:200]}" for n, s in enumerate(self.statements[:limit], start=1)]
        if self.count > limit:
            lines.append(f"     … and {self.count - limit} more")
        return "\n".join(lines)


@contextmanager
def count_queries(engine=None):
    """Collects the statements sent through ``engine`` (the app's by default) inside the block."""
    engine = engine if engine is not None else db.engine
    queries = Queries()

    def seen(conn, cursor, statement, parameters, context, executemany):
        queries.statements.append(" ".join(statement.split()))

    event.listen(engine, "before_cursor_execute", seen)
    try:
        yield queries
    finally:
        event.remove(engine, "before_cursor_execute", seen)
