"""Demo roll-calls and meals: the previous month and this month up to yesterday, with menus, the
two food allowances (22 lei, then 32 lei from 1 February 2026) and two children who trigger the
absence alerts (one absent without excuse for days in a row, one often absent this month)."""

import random
from datetime import date, timedelta
from decimal import Decimal

from daycentre.attendance.models import Attendance, AttendanceStatus, RollCall
from daycentre.attendance.services import closed_days
from daycentre.auth.models import User
from daycentre.centres.models import Centre, CentreKind, Group
from daycentre.core.localtime import today
from daycentre.enrolment.services import enrolments_active_between
from daycentre.extensions import db
from daycentre.meals.models import FoodAllowance, MealServed, MealType, Menu
from daycentre.people.services import by_family_name

S = AttendanceStatus

ALLOWANCES = [
    (date(2022, 9, 1), Decimal("22.00"), "Legea nr. 143/2022"),
    (date(2026, 2, 1), Decimal("32.00"), "Alocație de hrană actualizată de la 1 februarie 2026"),
]

LUNCHES = [
    ("Ciorbă de perișoare, piure cu pulpe de pui la cuptor", "gluten, ouă, țelină"),
    ("Supă de legume, tocăniță de cartofi cu salată de varză", "țelină"),
    ("Ciorbă de fasole, paste cu sos de roșii și brânză", "gluten, lactoză"),
    ("Supă cremă de dovleac, orez cu legume și piept de curcan", "lactoză"),
    ("Gulyásleves, galuște cu brânză dulce", "gluten, ouă, lactoză"),
]
SNACKS = [
    ("Iaurt cu fructe", "lactoză"),
    ("Corn cu măr și ceai", "gluten"),
    ("Sandviș cu unt de arahide", "gluten, arahide"),
    ("Fructe de sezon", None),
    ("Biscuiți cu lapte", "gluten, lactoză"),
]


def _meal_types(centres: list[Centre]) -> dict[int, list[MealType]]:
    types = {}
    for centre in centres:
        names = [("Gustare", 1)]
        if centre.kind is CentreKind.AFTER_SCHOOL:
            names = [("Masă caldă", 1), ("Gustare", 2)]
        types[centre.id] = [MealType(centre_id=centre.id, name=n, position=p) for n, p in names]
        db.session.add_all(types[centre.id])
    db.session.flush()
    return types


def _menus(centre: Centre, meal_types: list[MealType], days: list[date]) -> None:
    for index, day in enumerate(days):
        for meal_type in meal_types:
            dishes, allergens = (LUNCHES if meal_type.name == "Masă caldă" else SNACKS)[index % 5]
            db.session.add(
                Menu(
                    centre_id=centre.id,
                    meal_type_id=meal_type.id,
                    day=day,
                    dishes=dishes,
                    allergens=allergens,
                )
            )


def _status(rng: random.Random, day: date, days: list[date], month_start: date, alert: str | None):
    if alert == "run" and day >= days[max(len(days) - 4, 0)]:
        return S.ABSENT_UNEXCUSED
    if alert == "often" and day >= month_start:
        # Absent on the month's first day with a roll and every third one after it, so the month's
        # share is over the alert's threshold from that first day on, whatever day the demo loads.
        this_month = [d for d in days if d >= month_start]
        return S.ABSENT_UNEXCUSED if this_month.index(day) % 3 == 0 else S.PRESENT
    draw = rng.random()
    if draw < 0.06:
        return S.ABSENT_EXCUSED
    if draw < 0.09 and day < month_start:  # a few unexcused days last month, none in a row
        return S.ABSENT_UNEXCUSED
    return S.PRESENT


def load_attendance() -> None:
    rng = random.Random(2026)
    coordinator = db.session.scalar(db.select(User).where(User.username == "coordinator"))
    db.session.add_all(
        FoodAllowance(valid_from=start, amount=amount, legal_basis=basis)
        for start, amount, basis in ALLOWANCES
    )
    centres = list(db.session.scalars(db.select(Centre).order_by(Centre.id)))
    meal_types = _meal_types(centres)
    last = today() - timedelta(days=1)
    month_start = today().replace(day=1)
    first = (month_start - timedelta(days=1)).replace(day=1)
    for centre in centres:
        closed = closed_days(centre, None, first, today() + timedelta(days=7))
        menu_days = [
            first + timedelta(days=n)
            for n in range((today() + timedelta(days=7) - first).days + 1)
            if first + timedelta(days=n) not in closed
        ]
        _menus(centre, meal_types[centre.id], menu_days)
        for group in db.session.scalars(db.select(Group).where(Group.centre_id == centre.id)):
            _group_roll(group, first, last, month_start, meal_types[centre.id], coordinator, rng)
    db.session.flush()


def _group_roll(group, first, last, month_start, meal_types, coordinator, rng) -> None:
    enrolments = enrolments_active_between(group.id, first, last)
    if not enrolments:
        return
    closed = closed_days(group.centre, group, first, last)
    days = [
        first + timedelta(days=n)
        for n in range((last - first).days + 1)
        if first + timedelta(days=n) not in closed
    ]
    people = by_family_name((e.person for e in enrolments), "ro")
    alerts = {}
    if group.name == "Clasele I–IV" and len(people) > 6:
        alerts = {people[2].id: "run", people[5].id: "often"}
    for day in days:
        expected = [e for e in enrolments if e.active_on(day)]
        if not expected:
            continue
        db.session.add(
            RollCall(centre_id=group.centre_id, group_id=group.id, day=day, saved_by=coordinator)
        )
        for enrolment in expected:
            status = _status(rng, day, days, month_start, alerts.get(enrolment.person_id))
            present = status is S.PRESENT
            db.session.add(
                Attendance(
                    centre_id=group.centre_id,
                    group_id=group.id,
                    person_id=enrolment.person_id,
                    day=day,
                    status=status,
                )
            )
            if present:
                db.session.add_all(
                    MealServed(
                        centre_id=group.centre_id,
                        person_id=enrolment.person_id,
                        meal_type_id=meal_type.id,
                        day=day,
                    )
                    for meal_type in meal_types
                    if meal_type.position == 1 or rng.random() < 0.9
                )
