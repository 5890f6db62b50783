"""Counting the SQL statements a page or a service sends: the suite checks that a page costs the
same number of queries for one centre as for many, instead of timing it."""

from contextlib import contextmanager

from sqlalchemy import event

from daycentre.extensions import db


class QueryCount:
    """The statements sent while counting; ``len()`` is their number."""

    def __init__(self):
        self.statements: list[str] = []

    def __len__(self) -> int:
        return len(self.statements)

    def __repr__(self) -> str:
        listing = "\n".join(f"  {' '.join(s.split())[:300]}" for s in self.statements)
        return f"<{len(self)} queries:\n{listing}>"


@contextmanager
def counting_queries():
    """Every statement any connection of the app's engine sends inside the block (the test's own
    session and the requests a test client makes alike)."""
    found = QueryCount()

    def count(conn, cursor, statement, parameters, context, executemany):
        found.statements.append(statement)

    engine = db.engine
    event.listen(engine, "before_cursor_execute", count)
    try:
        yield found
    finally:
        event.remove(engine, "before_cursor_execute", count)
