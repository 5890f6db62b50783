"""Meal types, menus, the food allowance over time and the monthly meal report."""

from datetime import date
from decimal import Decimal

import pytest

from daycentre.attendance import services as attendance
from daycentre.attendance.models import AttendanceStatus
from daycentre.attendance.services import Mark
from daycentre.audit.models import AuditEntry
from daycentre.core.errors import Refused
from daycentre.extensions import db
from daycentre.meals import services as meals
from daycentre.meals.models import Menu
from tests.factories import make_group, make_group_of_children, make_meal_type

P, E = AttendanceStatus.PRESENT, AttendanceStatus.ABSENT_EXCUSED


def test_meal_types_are_per_centre_and_unique_by_name(app, centre, other_centre, users):
    coordinator = users["coordinator"]
    lunch = meals.save_meal_type(None, centre=centre, actor=coordinator, name=" Masă caldă ")
    assert lunch.name == "Masă caldă"
    with pytest.raises(Refused, match="are deja o masă"):
        meals.save_meal_type(None, centre=centre, actor=coordinator, name="Masă caldă")
    with pytest.raises(Refused):
        meals.save_meal_type(None, centre=other_centre, actor=coordinator, name="Gustare")


def test_a_menu_is_one_per_meal_and_day_and_its_changes_are_audited(app, centre, users):
    lunch = make_meal_type(centre)
    day = date(2026, 11, 20)
    menu = meals.save_menu(
        centre, lunch, day, actor=users["admin"], dishes="Ciorbă", allergens="țelină"
    )
    meals.save_menu(
        centre, lunch, day, actor=users["admin"], version=menu.version, dishes="Ciorbă de legume"
    )
    db.session.commit()
    assert db.session.scalar(db.select(db.func.count(Menu.id))) == 1
    change = db.session.scalars(
        db.select(AuditEntry).where(AuditEntry.entity == "menus", AuditEntry.action == "update")
    ).one()
    assert change.changes["dishes"] == ["Ciorbă", "Ciorbă de legume"]
    assert change.changes["allergens"] == ["țelină", None]


def test_only_the_admin_sets_the_allowance_and_amounts_are_exact(app, users):
    with pytest.raises(Refused):
        meals.set_allowance(actor=users["coordinator"], valid_from=date(2026, 2, 1), amount="32")
    rate = meals.set_allowance(actor=users["admin"], valid_from=date(2026, 2, 1), amount="32,50")
    assert rate.amount == Decimal("32.50")
    for bad in ("-1", "NaN", "abc", "1e309", "0"):
        with pytest.raises(Refused, match="Introduceți suma"):
            meals.parse_amount(bad)
    with pytest.raises(Refused, match="începe deja"):
        meals.set_allowance(actor=users["admin"], valid_from=date(2026, 2, 1), amount="30")


def test_the_allowance_in_force_is_the_latest_started():
    from types import SimpleNamespace

    rates = [
        SimpleNamespace(valid_from=date(2022, 9, 1), amount=Decimal("22")),
        SimpleNamespace(valid_from=date(2026, 2, 1), amount=Decimal("32")),
    ]
    assert meals.allowance_on(date(2022, 8, 31), rates) is None
    assert meals.allowance_on(date(2026, 1, 31), rates) == Decimal("22")
    assert meals.allowance_on(date(2026, 2, 1), rates) == Decimal("32")


def test_meal_report_costs_each_fed_child_at_the_allowance_of_the_day(app, centre, users):
    admin = users["admin"]
    group = make_group(centre)
    children = make_group_of_children(group, 3, start=date(2026, 1, 5))
    lunch = make_meal_type(centre, name="Masă caldă", position=2)
    snack = make_meal_type(centre, name="Gustare", position=3)
    meals.set_allowance(actor=admin, valid_from=date(2022, 9, 1), amount="22")
    meals.set_allowance(actor=admin, valid_from=date(2026, 2, 1), amount="32")
    everything = {c.id: {lunch.id, snack.id} for c in children}
    # Friday 30 January at 22 lei: all three fed. Monday 2 February at 32 lei: one absent.
    attendance.record_roll(
        group, date(2026, 1, 30), {c.id: Mark(P) for c in children}, everything, actor=admin
    )
    marks = {c.id: Mark(P) for c in children} | {children[2].id: Mark(E)}
    fed = {c.id: {lunch.id} for c in children[:2]}
    attendance.record_roll(group, date(2026, 2, 2), marks, fed, actor=admin)
    db.session.commit()
    january = meals.meal_report(centre, 2026, 1)
    assert january.costs[date(2026, 1, 30)] == Decimal("66.00")
    assert january.total_cost == Decimal("66.00")
    assert january.totals == {lunch.id: 3, snack.id: 3}
    february = meals.meal_report(centre, 2026, 2)
    assert february.by_day[date(2026, 2, 2)] == {lunch.id: 2}
    assert february.children_fed[date(2026, 2, 2)] == 2
    assert february.rates[date(2026, 2, 2)] == Decimal("32")
    assert february.total_cost == Decimal("64.00")
    assert [(p.id, days, cost) for p, _counts, days, cost in february.rows] == [
        (children[0].id, 1, Decimal("32.00")),
        (children[1].id, 1, Decimal("32.00")),
    ]
    assert february.served_days == [date(2026, 2, 2)]
    assert not february.missing_rate
