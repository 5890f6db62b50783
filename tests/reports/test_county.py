"""Indicators at county scale: every number equals the records listed behind it, page after page,
over several centres; the running totals the database keeps stay equal to the marks and meals
whatever is written, changed or removed; and the pages run as many queries for one centre as for
many."""

from datetime import date, timedelta

import pytest
from sqlalchemy import case, func, select

from daycentre.attendance.models import Attendance, AttendanceStatus
from daycentre.extensions import db
from daycentre.meals.models import MealServed
from daycentre.reports import views
from daycentre.reports.measures import available, rate
from daycentre.reports.models import AttendanceMonth, ChildrenFed, MealCount
from tests.conftest import text_of
from tests.factories import make_centre, make_child, make_family, make_group, make_meal_type
from tests.queries import count_queries
from tests.reports.world import build, rates, scope_of

PRESENT, EXCUSED = AttendanceStatus.PRESENT, AttendanceStatus.ABSENT_EXCUSED


def _listed_total(measure, records):
    """The number a reader works out from the list itself."""
    if measure.total == "count":
        return len(records)
    if measure.total == "distinct":
        return len({(r.page, r.ref, r.item) for r in records})
    if measure.total == "sum":
        return sum(r.amount for r in records)
    base = [column.name for column in measure.columns].index("base")
    return rate(
        sum(r.amount for r in records),
        sum(r.figures[base] for r in records),
        measure.per,
        measure.unit,
    )


def test_every_number_equals_its_records_over_several_centres(centre, other_centre):
    rates()
    build(2, centre, other_centre, tag="a")
    build(1, other_centre, centre, tag="b")  # the other centre has records of its own
    scope = scope_of(centre, other_centre, directorate=True)
    for measure in available():
        value = measure.value(scope)
        records = measure.records(scope)
        listing = measure.listing(scope, 1, 10_000)
        assert listing.value == value, measure.key
        assert listing.count == len(records), measure.key
        if measure.total != "distinct":  # a distinct count names each key on several rows
            assert _listed_total(measure, records) == value, measure.key
        else:
            assert len(records) >= value, measure.key
        # Page by page, the same records in the same order, and the same number and totals.
        pages, number = [], 1
        while True:
            page = measure.listing(scope, number, 3)
            assert (page.value, page.totals) == (listing.value, listing.totals), measure.key
            pages += page.records
            if number >= page.pages:
                break
            number += 1
        assert pages == records, measure.key


# ---- The running totals ---------------------------------------------------------------------------


def _recounted():
    month = func.date_trunc("month", Attendance.day).cast(db.Date)
    if db.engine.dialect.name == "sqlite":
        month = func.date(Attendance.day, "start of month")
    present = func.sum(case((Attendance.status == PRESENT, 1), else_=0))
    marks = db.session.execute(
        select(
            Attendance.centre_id,
            month,
            Attendance.group_id,
            Attendance.person_id,
            func.count(),
            present,
        ).group_by(Attendance.centre_id, month, Attendance.group_id, Attendance.person_id)
    ).all()
    meals = db.session.execute(
        select(
            MealServed.centre_id, MealServed.day, MealServed.meal_type_id, func.count()
        ).group_by(MealServed.centre_id, MealServed.day, MealServed.meal_type_id)
    ).all()
    fed = db.session.execute(
        select(
            MealServed.centre_id, MealServed.day, func.count(func.distinct(MealServed.person_id))
        ).group_by(MealServed.centre_id, MealServed.day)
    ).all()
    return (
        {(c, str(m)[:10], g, p): (n, int(k)) for c, m, g, p, n, k in marks},
        {(c, str(d), t): n for c, d, t, n in meals},
        {(c, str(d)): n for c, d, n in fed},
    )


def _kept():
    return (
        {
            (f.centre_id, str(f.month), f.group_id, f.person_id): (f.marks, f.present)
            for f in db.session.scalars(select(AttendanceMonth))
        },
        {
            (f.centre_id, str(f.day), f.meal_type_id): f.meals
            for f in db.session.scalars(select(MealCount))
        },
        {(f.centre_id, str(f.day)): f.children for f in db.session.scalars(select(ChildrenFed))},
    )


def test_the_running_totals_follow_every_change_to_marks_and_meals(centre, other_centre):
    small, big = make_group(centre, name="Mici"), make_group(centre, name="Mari")
    hot, snack = make_meal_type(centre, name="Masă caldă"), make_meal_type(centre, name="Gustare")
    anna, bela = make_child(centre=centre), make_child(centre=centre, given_name="Béla")
    day, next_day = date(2026, 1, 30), date(2026, 2, 2)
    marks = {
        (child, when): Attendance(
            centre_id=centre.id, group_id=small.id, person_id=child.id, day=when, status=PRESENT
        )
        for child in (anna, bela)
        for when in (day, next_day)
    }
    db.session.add_all(marks.values())
    meals = [
        MealServed(centre_id=centre.id, person_id=child.id, meal_type_id=kind.id, day=when)
        for child, kind, when in (
            (anna, hot, day),
            (anna, snack, day),
            (bela, hot, day),
            (bela, hot, next_day),
        )
    ]
    db.session.add_all(meals)
    db.session.flush()
    assert _kept() == _recounted()
    assert _kept()[2][(centre.id, str(day))] == 2  # Anna's two meals count her once

    marks[(anna, day)].status = EXCUSED  # a roll corrected
    marks[(bela, next_day)].group_id = big.id  # a mark moved to another group
    db.session.delete(marks[(bela, day)])
    db.session.delete(meals[0])  # Anna keeps her snack: still fed
    db.session.delete(meals[3])  # Béla's only meal of the day: no longer fed
    db.session.flush()
    assert _kept() == _recounted()
    assert (centre.id, str(next_day)) not in _kept()[2]

    meals[1].day = next_day  # never done by the app, counted right all the same
    db.session.flush()
    assert _kept() == _recounted()
    for record in db.session.scalars(select(Attendance)):
        db.session.delete(record)
    db.session.flush()
    assert _kept()[0] == {}


# ---- The pages: the records in pages, the same queries for one centre or many ------------------


def _centres_with_rolls(number):
    """``number`` centres, each with a group of three children marked and fed on three days."""
    centres = []
    for _ in range(number):
        centre = make_centre()
        group = make_group(centre)
        meal = make_meal_type(centre, name="Masă caldă")
        for index in range(3):
            child = make_child(centre=centre, given_name=f"Ana{index}")
            for offset in range(3):
                when = date(2026, 3, 2) + timedelta(days=offset)
                db.session.add(
                    Attendance(
                        centre_id=centre.id,
                        group_id=group.id,
                        person_id=child.id,
                        day=when,
                        status=PRESENT,
                    )
                )
                db.session.add(
                    MealServed(
                        centre_id=centre.id, person_id=child.id, meal_type_id=meal.id, day=when
                    )
                )
        centres.append((centre, group))
    db.session.commit()
    return centres


def _pages(centres):
    ids = "&".join(f"centres={centre.id}" for centre, _group in centres)
    centre, group = centres[0]
    return {
        "indicators": f"/reports/?start=2026-01-01&end=2026-12-31&{ids}&directorate=y",
        "attendance rate": f"/reports/measures/attendance_rate?start=2026-01-01&end=2026-12-31&{ids}",
        "meals served": f"/reports/measures/meals_served?start=2026-03-01&end=2026-03-31&{ids}",
        "meal report": f"/meals/centres/{centre.id}/report?month=2026-03",
        "sheet": f"/attendance/groups/{group.id}/sheet.pdf?month=2026-03",
    }


def _queries(client, centres) -> dict[str, int]:
    counts = {}
    for name, url in _pages(centres).items():
        with count_queries() as queries:
            response = client.get(url)
        assert response.status_code == 200, name
        counts[name] = queries.count
    return counts


def test_the_county_pages_run_as_many_queries_for_one_centre_as_for_many(client, login_as):
    rates()
    login_as("admin")
    one = _queries(client, _centres_with_rolls(1))
    many = _queries(client, _centres_with_rolls(6))
    assert many == one, (one, many)
    assert one["indicators"] < 40, one


@pytest.fixture
def two_per_page(monkeypatch):
    monkeypatch.setattr(views, "RECORDS_PER_PAGE", 2)


def test_the_records_come_in_pages_under_the_number_and_total_of_them_all(
    client, login_as, two_per_page
):
    centres = _centres_with_rolls(1)  # three children, every day present
    login_as("admin")
    url = _pages(centres)["attendance rate"]
    first = text_of(client.get(url))
    assert "Rata de prezență: 100 %" in first
    assert "Pagina 1 din 2 · 3 înregistrări" in first
    assert first.count("Ana") == 2
    assert "Total 9 9 100 %" in first  # all three children, not the page's two
    second = text_of(client.get(url + "&page=2"))
    assert second.count("Ana") == 1
    assert "Total 9 9 100 %" in second
    assert "Pagina anterioară" in second and "Pagina următoare" not in second
    assert client.get(url + "&page=3").status_code == 404


@pytest.mark.parametrize(
    ("start", "end", "expected"),
    [
        (date(2026, 1, 15), date(2026, 1, 20), (2, 2)),  # within a month: not the 25th's mark
        (date(2026, 1, 1), date(2026, 1, 20), (2, 2)),
        (date(2026, 1, 19), date(2026, 2, 10), (3, 2)),  # the 19th to the 2 February mark
        (date(2026, 1, 1), date(2026, 2, 28), (4, 3)),  # whole months from the running totals
    ],
)
def test_the_attendance_rate_counts_only_the_marks_of_the_period(centre, start, end, expected):
    from daycentre.reports.measures import Scope

    group = make_group(centre)
    child = make_child(make_family(centre))
    absent = AttendanceStatus.ABSENT_UNEXCUSED
    marks = [(date(2026, 1, 15), PRESENT), (date(2026, 1, 19), PRESENT)]
    marks += [(date(2026, 1, 26), absent), (date(2026, 2, 2), PRESENT)]
    db.session.add_all(
        Attendance(centre_id=centre.id, group_id=group.id, person_id=child.id, day=d, status=s)
        for d, s in marks
    )
    db.session.commit()
    records = next(m for m in available() if m.key == "attendance_rate").records(
        Scope(frozenset({centre.id}), start, end)
    )
    assert (sum(r.figures[0] for r in records), sum(r.amount for r in records)) == expected
