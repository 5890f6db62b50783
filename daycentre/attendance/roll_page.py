"""The roll page's read: a group's children on a day as plain values, for the page only.

The save's checks and merge read the roll as records (``services.roll_for``); the page only
shows it, and is opened many times a day in every centre, so it reads plain rows in one
statement and builds no ORM objects: the group with its centre and the roll call, joined to what
the day holds (the meal types with the day's menus, the programme's slots, the children with
their marks, meals, parents' reports and departures). On a day without service it names the
working days around it, so the coordinator reaches a roll that can be taken in one tap.
"""

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from types import SimpleNamespace

from flask import abort
from sqlalchemy import (
    Boolean,
    Date,
    Integer,
    Select,
    and_,
    bindparam,
    cast,
    literal,
    null,
    or_,
    select,
    true,
    type_coerce,
    union_all,
)
from sqlalchemy.sql.elements import TypeCoerce
from sqlalchemy.types import NullType

from daycentre.attendance.models import (
    AbsenceReason,
    AbsenceReport,
    Attendance,
    AttendanceStatus,
    RollCall,
)
from daycentre.attendance.services import matching_allergens, state_token
from daycentre.auth import scope
from daycentre.auth.models import User
from daycentre.centres.calendar import closed_days
from daycentre.centres.models import Centre, Group, WeeklyHours
from daycentre.core.i18n import current_language, person_name
from daycentre.core.localtime import today
from daycentre.core.text import sort_key
from daycentre.enrolment.models import ACTIVE_ONCE, Enrolment
from daycentre.extensions import db
from daycentre.meals.models import MealServed, MealType, Menu
from daycentre.people.models import Person, PersonKind
from daycentre.programme import roll as programme
from daycentre.programme.models import ProgrammeSlot, Weekday

S = AttendanceStatus
# How far the page looks, before and after a closed day, for a working day (the longest break,
# Christmas to Epiphany with a closure week, is under three weeks).
LOOK_AROUND_DAYS = 31


@dataclass(slots=True)
class MealChoice:
    id: int
    name: str
    active: bool
    has_menu: bool
    dishes: str | None
    allergens: str | None


@dataclass(slots=True)
class RollLine:
    """One child: what is stored, and what the form shows (the stored values, or those sent)."""

    id: int
    name: str
    allergies: str | None
    diet: str | None
    allergens: list[str]
    stored: AttendanceStatus | None
    served: set[int]
    arrives: str
    leaves: str
    note: str
    # What the form shows:
    status: str = "present"
    ticked: set[int] = field(default_factory=set)
    form_arrives: str = ""
    form_leaves: str = ""
    form_note: str = ""
    # A parent's report of the child's absence this day, shown beside the name.
    reported: AbsenceReason | None = None
    reported_note: str = ""
    departure: programme.RollDeparture | None = None

    @property
    def has_details(self) -> bool:
        return bool(self.arrives or self.leaves or self.note)

    @property
    def state(self) -> str:
        """The stored mark's ``mark_state``, sent back with the form as what the page showed."""
        if self.stored is None:
            return ""
        return state_token(self.stored.value, self.arrives, self.leaves, self.note, self.served)


@dataclass
class RollPage:
    closed_because: str | None
    version: int
    saved_at: datetime | None
    saved_by: str | None
    lines: list[RollLine]
    meal_types: list[MealChoice]  # the active ones, in the centre's order
    counts: dict[AttendanceStatus, int]
    # The programme's part of the page (the day's slots, each line's departure), for a user who
    # may read it, on an operating day.
    shows_programme: bool = False
    slots: list[programme.RollSlot] = field(default_factory=list)
    previous_working_day: date | None = None
    next_working_day: date | None = None

    @property
    def taken(self) -> bool:
        return self.version > 0


@dataclass(slots=True)
class _Allergens:
    allergens: str


def _hhmm(value) -> str:
    """A mark's time as the form shows it ("HH:MM"), from the value as stored (``_RAW``)."""
    return str(value)[:5] if value else ""


# The times and the roll call's instant are read as the database sends them: every child's row
# carries them, and converting each (a parse on SQLite) cost more than the page's other work
# on the row; ``_hhmm`` and ``_saved_at`` convert the values that are shown.
_RAW = NullType()


def _saved_at(raw, connection) -> datetime | None:
    if raw is None:
        return None
    dialect = connection.dialect
    process = _rc.c.saved_at.type.dialect_impl(dialect).result_processor(dialect, None)
    return process(raw) if process else raw


_e, _p, _a, _m = (
    Enrolment.__table__,
    Person.__table__,
    Attendance.__table__,
    MealServed.__table__,
)
_rc, _u, _t, _menu = RollCall.__table__, User.__table__, MealType.__table__, Menu.__table__
_r, _g, _c = AbsenceReport.__table__, Group.__table__, Centre.__table__
_DAY = bindparam("day", type_=Date())
_GROUP = bindparam("group", type_=Integer())
_WEEKDAY = bindparam("weekday", type_=ProgrammeSlot.__table__.c.weekday.type)
# Whether the statement reads the programme's rows: only for a user who may read them.
_PROGRAMME = bindparam("programme", type_=Boolean())
_CENTRE = select(_g.c.centre_id).where(_g.c.id == _GROUP).scalar_subquery()


@dataclass(slots=True)
class RollCentre(WeeklyHours):
    """What the roll page reads of the group's centre (``closed_days`` and the template)."""

    id: int
    name: str
    days: str
    calendar_stamp: str | None


@dataclass(slots=True)
class RollGroup(WeeklyHours):
    """What the roll page reads of the group, as plain values (the save reads a ``Group``)."""

    id: int
    name: str
    days: str
    centre: RollCentre

    @property
    def centre_id(self) -> int:
        return self.centre.id


# What the group's day holds, in three parts: the centre's meal types with the day's menus, the
# slots of the programme in force, and the children actively enrolled with their marks, meals,
# parents' reports and departures. Each part is a branch of one UNION ALL with its own columns.
_MEAL_PART = (
    _t.c.id,
    _t.c.name,
    _t.c.active,
    _menu.c.id,
    _menu.c.dishes,
    _menu.c.allergens,
    _t.c.position,
)
_SLOT_PART = programme.day_slots(_GROUP, _DAY, _WEEKDAY).subquery("slots").c
_CHILD_PART = (
    _p.c.id,
    _p.c.family_name,
    _p.c.given_name,
    _p.c.allergies,
    _p.c.diet,
    _a.c.status,
    type_coerce(_a.c.arrives_at, _RAW),
    type_coerce(_a.c.leaves_at, _RAW),
    _a.c.note,
    _m.c.meal_type_id,
    _r.c.reason,
    _r.c.note,
    *programme.DEPARTURE_COLUMNS,
)
_PARTS = {"meal": _MEAL_PART, "slot": _SLOT_PART, "child": _CHILD_PART}


def _part(name: str) -> list:
    """A branch's columns: its name, then every part's columns, its own filled and the others'
    NULL. The first branch names the union's columns, and its NULLs carry the types the values
    are read with."""
    columns = [literal(name).label("part")]
    for other, part in _PARTS.items():
        if other == name:
            columns += part
        else:
            columns += [_null_like(c).label(f"{other}_{n}") for n, c in enumerate(part)]
    return columns


def _null_like(column):
    """NULL of the column's SQL type, read as the column is: PostgreSQL resolves NULLs of two
    branches as text, which the third branch's values then do not match."""
    sql_type = column.clause.type if isinstance(column, TypeCoerce) else column.type
    return type_coerce(cast(null(), sql_type), column.type)


_MEALS = (
    select(*_part("meal"))
    .select_from(
        _t.outerjoin(
            _menu,
            and_(
                _menu.c.meal_type_id == _t.c.id,
                _menu.c.centre_id == _t.c.centre_id,
                _menu.c.day == _DAY,
            ),
        )
    )
    .where(_t.c.centre_id == _CENTRE)
)
_SLOTS = select(*_part("slot")).where(_PROGRAMME)
_CHILDREN = (
    select(*_part("child"))
    .select_from(
        _e.join(_p, _p.c.id == _e.c.person_id)
        .outerjoin(
            _a,
            and_(
                _a.c.person_id == _e.c.person_id,
                _a.c.centre_id == _CENTRE,
                _a.c.day == _DAY,
            ),
        )
        .outerjoin(
            _m,
            and_(
                _m.c.person_id == _e.c.person_id,
                # Naming the centre lets the database find each child's meals of the day by
                # its index, not among all the meals they ever had.
                _m.c.centre_id == _CENTRE,
                _m.c.day == _DAY,
            ),
        )
        # A parent's report in force on the day (reports of one child do not overlap).
        .outerjoin(
            _r,
            and_(
                _r.c.person_id == _e.c.person_id,
                _r.c.centre_id == _CENTRE,
                _r.c.first_day <= _DAY,
                _r.c.last_day >= _DAY,
                _r.c.withdrawn_at.is_(None),
            ),
        )
        .outerjoin(
            programme.DEPARTURES,
            and_(programme.departure_of(_e.c.person_id, _GROUP, _DAY), _PROGRAMME),
        )
    )
    .where(
        _e.c.group_id == _GROUP,
        _p.c.kind == literal(PersonKind.CHILD, _p.c.kind.type),
        _e.c.status.in_([literal(s, _e.c.status.type) for s in ACTIVE_ONCE]),
        _e.c.start_date.is_not(None),
        _e.c.start_date <= _DAY,
        or_(_e.c.exit_date.is_(None), _e.c.exit_date >= _DAY),
        or_(_e.c.suspended_on.is_(None), _e.c.suspended_on > _DAY),
    )
)
_DAY_PARTS = union_all(_MEALS, _SLOTS, _CHILDREN).subquery("day_parts")


# On every row: the group, its centre and the day's roll call (at most one).
_HEAD = (
    _g.c.name,
    _g.c.days,
    _c.c.id,
    _c.c.name,
    _c.c.days,
    _c.c.calendar_stamp,
    _rc.c.version,
    type_coerce(_rc.c.saved_at, _RAW),
    _u.c.family_name,
    _u.c.given_name,
)


def _roll(visible) -> Select:
    """The whole page in one statement: ``_HEAD``, if ``visible``, joined to the parts of the
    group's day (the meal types in the centre's order); no row when the group is not visible."""
    parts = _DAY_PARTS.c  # named by the first branch: "position" and "name" are the meal type's
    return (
        select(*_HEAD, *parts)
        .select_from(
            _g.join(_c, _c.c.id == _g.c.centre_id)
            .outerjoin(_rc, and_(_rc.c.group_id == _g.c.id, _rc.c.day == _DAY))
            .outerjoin(_u, _u.c.id == _rc.c.saved_by_id)
            .outerjoin(_DAY_PARTS, true())
        )
        .where(_g.c.id == _GROUP, visible)
        .order_by(parts.part, parts["position"], parts["name"])
    )


# Built once, for an administrator and for any other user (the user's id a parameter), with
# the one rule of who sees a group (``scope.visible``): a page builds no statement of its own.
_ROLL = {
    True: _roll(scope.visible(Group, SimpleNamespace(is_admin=True))),
    False: _roll(scope.visible(Group, SimpleNamespace(is_admin=False, id=bindparam("user")))),
}
# Where each part's columns start in a row.
_PART_AT = len(_HEAD)
_MEAL_AT = _PART_AT + 1
_SLOT_AT = _MEAL_AT + len(_MEAL_PART)
_CHILD_AT = _SLOT_AT + len(_SLOT_PART)


def roll_page(group_id: int, day: date, user) -> tuple[RollGroup, RollPage]:
    """The group if the user may see it (else 404) and its roll on ``day`` for the page: every
    child actively enrolled, by family name, with the stored marks, meals and departures, the
    meal types with the day's menus and the programme's slots; one query whatever the group's
    size."""
    may_read_programme = user.can("programme.read")
    connection = db.session.connection()  # plain rows: no ORM step for each
    found = connection.execute(
        _ROLL[user.is_admin],
        {
            "group": group_id,
            "day": day,
            "weekday": Weekday(str(day.isoweekday())),
            "programme": may_read_programme,
            "user": user.id,
        },
    ).all()
    if not found:
        abort(404)
    name, days, centre_id, centre_name, centre_days, stamp, *roll_call = found[0][:_PART_AT]
    centre = RollCentre(centre_id, centre_name, centre_days, stamp)
    group = RollGroup(group_id, name, days, centre)
    closed_because = closed_days(centre, group, day, day).get(day)
    shows_programme = may_read_programme and not closed_because
    parts = {"meal": [], "slot": [], "child": []}
    for row in found:
        if row[_PART_AT] is not None:  # None: the group's only row, when its day holds nothing
            parts[row[_PART_AT]].append(row)
    meal_types = [row[_MEAL_AT:_SLOT_AT] for row in parts["meal"]]
    lines = _lines(parts["child"], meal_types, closed_because)
    counts = dict.fromkeys(S, 0)
    for line in lines:
        if line.stored is not None:
            counts[line.stored] += 1
    version, saved_at, saved_family, saved_given = roll_call
    page = RollPage(
        closed_because=closed_because,
        version=version or 0,
        saved_at=_saved_at(saved_at, connection),
        saved_by=person_name(saved_family, saved_given) if saved_family else None,
        lines=lines,
        meal_types=[
            MealChoice(t, name, active, menu is not None, dishes, allergens)
            for t, name, active, menu, dishes, allergens, _position in meal_types
            if active
        ],
        counts=counts,
        shows_programme=shows_programme,
        slots=sorted(
            (programme.roll_slot(row[_SLOT_AT:_CHILD_AT]) for row in parts["slot"]),
            key=lambda slot: slot.starts_at,
        )
        if shows_programme
        else [],
    )
    if closed_because:
        page.previous_working_day, page.next_working_day = working_days_around(centre, group, day)
    return group, page


def _lines(rows, meal_types, closed_because) -> list[RollLine]:
    """Each child's line, by family name, from the child part's rows (one per meal served)."""
    menus = [_Allergens(meal[5]) for meal in meal_types if meal[5]]  # what matching_allergens reads
    lines: dict[int, RollLine] = {}
    order: dict[int, tuple] = {}
    language = current_language()
    for row in rows:
        (
            pid,
            family,
            given,
            allergies,
            diet,
            status,
            arrives,
            leaves,
            note,
            meal_type,
            reported,
            reported_note,
            *departure,
        ) = row[_CHILD_AT:]
        line = lines.get(pid)
        if line is None:
            line = lines[pid] = RollLine(
                id=pid,
                name=person_name(family, given, language),
                allergies=allergies,
                diet=diet,
                allergens=matching_allergens(allergies, menus) if allergies else [],
                stored=status,
                served=set(),
                arrives=_hhmm(arrives),
                leaves=_hhmm(leaves),
                note=note or "",
                reported=None if closed_because else reported,
                reported_note=reported_note or "",
                departure=programme.roll_departure(*departure),
            )
            order[pid] = (sort_key(family, language), sort_key(given, language), pid)
        if meal_type is not None:
            line.served.add(meal_type)
    return sorted(lines.values(), key=lambda line: order[line.id])


def working_days_around(centre: Centre, group: Group, day: date) -> tuple[date | None, date | None]:
    """The last working day before ``day`` and the next one after it that is not in the future
    (None where there is none within ``LOOK_AROUND_DAYS``); no query once the year is kept."""
    span = timedelta(days=LOOK_AROUND_DAYS)
    last = min(day + span, today())
    closed = closed_days(centre, group, day - span, max(last, day))
    before = next(
        (
            day - timedelta(days=n)
            for n in range(1, LOOK_AROUND_DAYS + 1)
            if day - timedelta(days=n) not in closed
        ),
        None,
    )
    after = next(
        (
            day + timedelta(days=n)
            for n in range(1, (last - day).days + 1)
            if day + timedelta(days=n) not in closed
        ),
        None,
    )
    return before, after


def show_in_form(page: RollPage, sent=None) -> None:
    """What each child's fields show: the values sent (a refused save comes back as it was
    entered), else the stored ones, else present with every meal (a roll not taken yet)."""
    meal_ids = [m.id for m in page.meal_types]
    for line in page.lines:
        if sent is not None:
            pid = line.id
            line.status = sent.get(f"status-{pid}") or ""
            chosen = set(sent.getlist(f"meal-{pid}"))
            line.ticked = {m for m in meal_ids if str(m) in chosen}
            line.form_arrives = sent.get(f"arrives-{pid}", "")
            line.form_leaves = sent.get(f"leaves-{pid}", "")
            line.form_note = sent.get(f"note-{pid}", "")
        elif line.stored is not None:
            line.status = line.stored.value
            line.ticked = line.served
            line.form_arrives, line.form_leaves, line.form_note = (
                line.arrives,
                line.leaves,
                line.note,
            )
        elif line.reported is not None:  # the parent's report, until the coordinator decides
            line.status = S.ABSENT_EXCUSED.value
        else:
            line.status = "present"
            line.ticked = set() if page.taken else set(meal_ids)
        if line.status != "present":
            line.ticked = set()
