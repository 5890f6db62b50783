"""Every measure against a count worked out independently from known records (tests/reports/world.py),
and a fixed number of SQL queries whatever the number of records."""

from contextlib import contextmanager
from datetime import date, datetime
from decimal import Decimal

import pytest
from sqlalchemy import event

from daycentre.core.localtime import BUCHAREST
from daycentre.counselling.models import SessionStatus
from daycentre.extensions import db
from daycentre.reports.measures import MEASURES, Scope, available, indicators, pending, rate
from tests.factories import make_child, make_room, make_session, make_user
from tests.reports.world import build, rates, scope_of


@contextmanager
def counted_queries():
    statements = []

    def count(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        event.remove(db.engine, "before_cursor_execute", count)


@pytest.mark.parametrize("n", [1, 3])
def test_every_measure_equals_the_count_of_known_records(centre, other_centre, n):
    rates()
    expected = build(n, centre, other_centre)
    scope = scope_of(centre)
    for measure in indicators():  # the areas' own figures: tests/<area>, from their records
        assert measure.value(scope) == expected[measure.key], measure.key
    assert dict(MEASURES["meals_served"].parts(scope)) == expected["meals_by_type"]


def test_the_records_behind_a_number_add_up_to_it(centre, other_centre):
    rates()
    build(2, centre, other_centre)
    scope = scope_of(centre)
    for measure in available():
        assert measure.lists_records, measure.key
        records = measure.records(scope)
        if measure.total == "sum":
            assert sum(r.amount for r in records) == measure.value(scope), measure.key
        elif measure.total == "count":
            assert len(records) == measure.value(scope), measure.key
        elif measure.total == "rate":
            part = sum(r.amount for r in records)
            base = [c.name for c in measure.columns].index("base")
            whole = sum(r.figures[base] for r in records)
            assert rate(part, whole, measure.per, measure.unit) == measure.value(scope), measure.key
        else:
            assert len(records) >= measure.value(scope), measure.key
        assert all(
            r.day is None or START_ <= r.day <= END_ for r in records if measure.key != "campaigns"
        ), measure.key


START_, END_ = date(2026, 1, 1), date(2026, 3, 31)


def test_each_measure_runs_a_fixed_number_of_queries(centre, other_centre):
    rates()
    build(1, centre, other_centre, tag="a")
    scope = scope_of(centre)
    db.session.commit()
    small = {}
    for measure in available():
        with counted_queries() as statements:
            measure.value(scope)
        small[measure.key] = len(statements)
    build(6, centre, other_centre, tag="b")
    db.session.commit()
    for measure in available():
        with counted_queries() as statements:
            measure.value(scope)
        assert len(statements) == small[measure.key], measure.key
        assert len(statements) <= 2, measure.key


@pytest.mark.parametrize("role", ["coordinator", "counsellor"])
def test_each_list_of_records_runs_a_fixed_number_of_queries(
    client, login_as, centre, other_centre, role
):
    """The whole page: the number, its records and which of them the user may open."""
    rates()
    build(1, centre, other_centre, tag="a")
    login_as(role)
    period = f"start={START_}&end={END_}&centres={centre.id}"

    def queries() -> dict[str, int]:
        counts = {}
        for measure in available():
            with counted_queries() as statements:
                response = client.get(f"/reports/measures/{measure.key}?{period}")
            assert response.status_code == 200, measure.key
            counts[measure.key] = len(statements)
        return counts

    small = queries()
    build(6, centre, other_centre, tag="b")
    assert queries() == small


def test_an_instant_counts_on_its_bucharest_day(centre):
    """23:30 in Bucharest on the last day is 20:30 UTC that day: in; 00:30 the day after: out."""
    counsellor = make_user("counsellor", centres=[centre])
    room = make_room(centre)
    child = make_child(centre=centre)
    make_session(
        counsellor,
        room,
        person=child,
        start=datetime(2026, 3, 31, 23, 30, tzinfo=BUCHAREST),
        status=SessionStatus.HELD,
    )
    make_session(
        counsellor,
        room,
        person=child,
        start=datetime(2026, 4, 1, 0, 30, tzinfo=BUCHAREST),
        status=SessionStatus.HELD,
    )
    make_session(
        counsellor,
        room,
        person=child,
        start=datetime(2026, 1, 1, 0, 0, tzinfo=BUCHAREST),
        status=SessionStatus.HELD,
    )
    make_session(
        counsellor,
        room,
        person=child,
        start=datetime(2025, 12, 31, 23, 59, tzinfo=BUCHAREST),
        status=SessionStatus.HELD,
    )
    scope = Scope(frozenset({centre.id}), date(2026, 1, 1), date(2026, 3, 31))
    assert MEASURES["counselling_sessions"].value(scope) == 2
    days = [r.day for r in MEASURES["counselling_sessions"].records(scope)]
    assert days == [date(2026, 1, 1), date(2026, 3, 31)]


def test_the_directorates_own_records_count_only_when_asked(centre, other_centre):
    rates()
    build(1, centre, other_centre)
    alone = scope_of(centre)
    with_directorate = scope_of(centre, directorate=True)
    assert (
        MEASURES["persons_trained"].value(with_directorate)
        == MEASURES["persons_trained"].value(alone) + 7
    )
    assert MEASURES["campaigns"].value(with_directorate) == 2
    assert MEASURES["resource_entries"].value(with_directorate) == 2


def test_a_second_centre_adds_its_records(centre, other_centre):
    rates()
    build(1, centre, other_centre)
    both = scope_of(centre, other_centre)
    assert MEASURES["day_centres"].value(both) == 2
    assert MEASURES["counselling_sessions"].value(both) == 4  # its session at 23:30 counts
    assert MEASURES["protocols"].value(both) == 2


def test_the_meal_cost_follows_the_allowance_in_force_each_day(centre, other_centre):
    rates()
    build(1, centre, other_centre)
    january = Scope(frozenset({centre.id}), date(2026, 1, 1), date(2026, 1, 31))
    february = Scope(frozenset({centre.id}), date(2026, 2, 1), date(2026, 2, 28))
    assert MEASURES["meal_cost"].value(january) == Decimal("22.00")
    assert MEASURES["meal_cost"].value(february) == Decimal("32.00")


def test_no_records_give_zero_not_an_error(centre):
    scope = scope_of(centre)
    for measure in available():
        expected = 1 if measure.key == "day_centres" else 0
        assert measure.value(scope) == expected, measure.key


def test_no_measure_is_pending_now_that_workshops_exist():
    assert pending() == []
