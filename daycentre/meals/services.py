"""Meal types of a centre, the day's menus, the food allowance over time and the monthly report.

Meals served are recorded with the roll (``attendance.services.record_roll``), which refuses a
meal for a child who is not present.
"""

from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation

from flask_babel import lazy_gettext as _l

from daycentre.attendance import services as roll
from daycentre.audit import services as audit
from daycentre.centres.models import Centre
from daycentre.core.errors import Refused, ensure_current, flush_or_refuse
from daycentre.core.localtime import today
from daycentre.extensions import db
from daycentre.meals.models import FoodAllowance, MealServed, MealType, Menu
from daycentre.people.models import Person
from daycentre.people.services import by_family_name

CENT = Decimal("0.01")


def _save(record, creating: bool, *, actor, centre_id, message, fields) -> None:
    for name, value in fields.items():
        setattr(record, name, value)
    changes = audit.pending_changes(record)
    flush_or_refuse(message)
    if creating:
        changes = audit.snapshot(record)
    audit.record(
        audit.CREATE if creating else audit.UPDATE,
        record,
        actor=actor,
        centre_id=centre_id,
        changes=changes,
    )


def save_meal_type(
    meal_type: MealType | None,
    *,
    centre: Centre,
    actor,
    version=None,
    name: str,
    position: int = 1,
    active: bool = True,
) -> MealType:
    if not actor.sees_centre(centre.id):
        raise Refused(_l("Choose one of your centres."))
    name = (name or "").strip()
    if not name:
        raise Refused(_l("Enter the meal's name."))
    creating = meal_type is None
    if creating:
        meal_type = MealType(centre_id=centre.id)
        db.session.add(meal_type)
    else:
        ensure_current(meal_type, version)
    _save(
        meal_type,
        creating,
        actor=actor,
        centre_id=centre.id,
        message=_l("This centre already has a meal with this name."),
        fields={"name": name, "position": position or 1, "active": bool(active)},
    )
    return meal_type


def save_menu(
    centre: Centre,
    meal_type: MealType,
    day: date,
    *,
    actor,
    version=None,
    dishes: str,
    allergens: str | None = None,
) -> Menu:
    """The menu of one meal on one day; planned ahead, corrected within the roll's window."""
    if not actor.sees_centre(centre.id) or meal_type.centre_id != centre.id:
        raise Refused(_l("Choose one of the centre's meal types."))
    if day < today() and not roll.may_record(actor, day):
        raise Refused(
            _l("Days before the correction window can be changed only by an administrator.")
        )
    dishes = (dishes or "").strip()
    if not dishes:
        raise Refused(_l("Enter the dishes of the menu."))
    menu = db.session.scalar(
        db.select(Menu).where(Menu.meal_type_id == meal_type.id, Menu.day == day)
    )
    creating = menu is None
    if creating:
        menu = Menu(centre_id=centre.id, meal_type_id=meal_type.id, day=day)
        db.session.add(menu)
    else:
        ensure_current(menu, version)
    _save(
        menu,
        creating,
        actor=actor,
        centre_id=centre.id,
        message=_l("Someone else saved at the same moment. Try again."),
        fields={"dishes": dishes, "allergens": (allergens or "").strip() or None},
    )
    return menu


# --- Food allowance -------------------------------------------------------------------------------


def allowances() -> list[FoodAllowance]:
    return list(db.session.scalars(db.select(FoodAllowance).order_by(FoodAllowance.valid_from)))


def parse_amount(text) -> Decimal:
    try:
        amount = Decimal(str(text).strip().replace(",", "."))
    except (InvalidOperation, ValueError):
        raise Refused(_l("Enter the amount in lei, such as 32 or 32,50.")) from None
    if not amount.is_finite() or amount <= 0 or amount >= 100000:
        raise Refused(_l("Enter the amount in lei, such as 32 or 32,50."))
    return amount.quantize(CENT)


def set_allowance(
    *, actor, valid_from: date, amount, legal_basis: str | None = None
) -> FoodAllowance:
    """A new food allowance from a date; the earlier one stays in force for the days before."""
    if not actor.is_admin:
        raise Refused(_l("Only an administrator sets the food allowance."))
    if valid_from is None:
        raise Refused(_l("Enter the date from which the allowance is in force."))
    allowance = FoodAllowance(
        valid_from=valid_from,
        amount=parse_amount(amount),
        legal_basis=(legal_basis or "").strip() or None,
    )
    db.session.add(allowance)
    flush_or_refuse(_l("An allowance already starts on this date."))
    audit.record(audit.CREATE, allowance, actor=actor, changes=audit.snapshot(allowance))
    return allowance


def allowance_on(day: date, rates: list[FoodAllowance]) -> Decimal | None:
    """The allowance in force on ``day``: the latest one that started on or before it."""
    amount = None
    for rate in rates:
        if rate.valid_from <= day:
            amount = rate.amount
    return amount


# --- The monthly meal report ----------------------------------------------------------------------


@dataclass
class MealReport:
    centre: Centre
    year: int
    month: int
    days: list[date]
    closed: dict[date, str]
    meal_types: list[MealType]
    by_day: dict[date, Counter]
    children_fed: dict[date, int]
    rates: dict[date, Decimal | None]
    costs: dict[date, Decimal]
    rows: list[tuple[Person, Counter, int, Decimal]]
    totals: Counter = field(default_factory=Counter)

    @property
    def served_days(self) -> list[date]:
        return [d for d in self.days if self.children_fed.get(d)]

    @property
    def total_cost(self) -> Decimal:
        return sum(self.costs.values(), Decimal("0.00"))

    @property
    def child_days(self) -> int:
        return sum(self.children_fed.values())

    @property
    def missing_rate(self) -> bool:
        return any(self.rates[d] is None for d in self.served_days)


def meal_report(centre: Centre, year: int, month: int) -> MealReport:
    """Meals served per day and meal type, per child, and their cost: each child fed on a day costs
    that day's food allowance (per child per day), whatever the number of meals."""
    days = roll.month_days(year, month)
    first, last = days[0], days[-1]
    rows = db.session.execute(
        db.select(MealServed.day, MealServed.meal_type_id, MealServed.person_id).where(
            MealServed.centre_id == centre.id, MealServed.day.between(first, last)
        )
    ).all()
    meal_types = roll.meal_types_of(centre.id, include_inactive=True)
    by_day = {d: Counter() for d in days}
    fed: dict[date, set[int]] = {d: set() for d in days}
    per_child: dict[int, Counter] = {}
    per_child_days: dict[int, set[date]] = {}
    totals = Counter()
    for day, meal_type_id, person_id in rows:
        by_day[day][meal_type_id] += 1
        fed[day].add(person_id)
        per_child.setdefault(person_id, Counter())[meal_type_id] += 1
        per_child_days.setdefault(person_id, set()).add(day)
        totals[meal_type_id] += 1
    people = by_family_name(
        db.session.scalars(db.select(Person).where(Person.id.in_(list(per_child) or [0])))
    )
    rates_list = allowances()
    rates = {d: allowance_on(d, rates_list) for d in days}
    costs = {d: (rates[d] or Decimal("0")) * len(fed[d]) for d in days}
    return MealReport(
        centre=centre,
        year=year,
        month=month,
        days=days,
        closed=roll.closed_days(centre, None, first, last),
        meal_types=meal_types,
        by_day=by_day,
        children_fed={d: len(fed[d]) for d in days},
        rates=rates,
        costs={d: c.quantize(CENT) for d, c in costs.items()},
        rows=[
            (
                p,
                per_child[p.id],
                len(per_child_days[p.id]),
                sum((rates[d] or Decimal("0") for d in per_child_days[p.id]), Decimal("0.00")),
            )
            for p in people
        ],
        totals=totals,
    )
