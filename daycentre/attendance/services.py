"""Roll-call: who is expected on a day, saving a group's marks and meals, the monthly sheet and
the absence alerts. Every list here costs a fixed number of queries, whatever the group's size."""

import calendar
import hashlib
import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, time, timedelta

from blinker import Namespace
from flask import current_app
from flask_babel import format_date, format_time, lazy_ngettext
from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, bindparam, literal_column, or_, text
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import aliased, joinedload
from sqlalchemy.orm.exc import StaleDataError

from daycentre.attendance.models import (
    AbsenceAlertRule,
    AbsenceReason,
    AbsenceReport,
    AlertStamp,
    Attendance,
    AttendanceStatus,
    KeptSheet,
    RollCall,
)
from daycentre.audit import services as audit
from daycentre.centres.calendar import closed_day_sets, closed_days, closed_days_of
from daycentre.centres.models import Centre, Group
from daycentre.core.database import utcnow
from daycentre.core.errors import Refused, StaleRecord
from daycentre.core.localtime import local_instant, now, today
from daycentre.core.text import fold
from daycentre.enrolment.models import ACTIVE_ONCE, Enrolment
from daycentre.enrolment.services import (
    children_active_on,
    enrolments_active_between,
    enrolments_active_between_query,
)
from daycentre.extensions import db
from daycentre.meals.models import MealServed, MealType, Menu
from daycentre.notifications import services as notify
from daycentre.notifications.models import Event
from daycentre.people.models import Person
from daycentre.people.services import by_family_name

S = AttendanceStatus

_signals = Namespace()
#: Sent after a roll-call with the children it put on the absence alert (``people``) and the
#: ``actor``; the cases area, which attendance does not import, listens (``cases/tasks.py``).
children_on_alert = _signals.signal("children-on-absence-alert")
NOTE_LENGTH = 300
SAVED_AT_THE_SAME_MOMENT = _l(
    "Someone else saved this roll at the same moment; nothing was saved. Reload it."
)


@dataclass
class Mark:
    """What the coordinator chose for one child."""

    status: AttendanceStatus
    arrives_at: time | None = None
    leaves_at: time | None = None
    note: str | None = None


# --- Operating days -------------------------------------------------------------------------------


def month_days(year: int, month: int) -> list[date]:
    return [date(year, month, d) for d in range(1, calendar.monthrange(year, month)[1] + 1)]


# --- Who may correct which day ------------------------------------------------------------------


def correction_days() -> int:
    return current_app.config["ATTENDANCE_CORRECTION_DAYS"]


def may_record(actor, day: date) -> bool:
    """A coordinator records today and corrects the window's past days; the administrator any day."""
    if day > today():
        return False
    return actor.is_admin or (today() - day).days <= correction_days()


# --- The roll of a day ----------------------------------------------------------------------------


@dataclass
class RollRow:
    person: object
    mark: Attendance | None
    meals: set[int]
    allergens: list[str]

    @property
    def state(self) -> str:
        """The child's ``mark_state``, which the roll form sends back as what it was loaded with."""
        return mark_state(self.mark, self.meals)


@dataclass
class Roll:
    group: Group
    day: date
    closed_because: str | None
    roll_call: RollCall | None
    rows: list[RollRow]
    meal_types: list[MealType]
    menus: dict[int, Menu]

    @property
    def version(self) -> int:
        return self.roll_call.version if self.roll_call else 0

    @property
    def taken(self) -> bool:
        return self.roll_call is not None

    def count(self, status: AttendanceStatus) -> int:
        return sum(1 for row in self.rows if row.mark and row.mark.status is status)


def _words(text: str | None) -> set[str]:
    return {fold(part) for part in re.split(r"[,;/\n]+", text or "") if fold(part)}


def matching_allergens(allergies: str | None, menus) -> list[str]:
    """The menus' allergens that a child's allergies name (accent- and case-blind)."""
    if not allergies:
        return []
    child = fold(allergies)
    found = []
    for menu in menus:
        for allergen in re.split(r"[,;/\n]+", menu.allergens or ""):
            word = fold(allergen)
            if word and word in child and allergen.strip() not in found:
                found.append(allergen.strip())
    return found


def meal_types_of(centre_id: int, *, include_inactive: bool = False) -> list[MealType]:
    query = db.select(MealType).where(MealType.centre_id == centre_id)
    if not include_inactive:
        query = query.where(MealType.active.is_(True))
    return list(db.session.scalars(query.order_by(MealType.position, MealType.name)))


def menus_of(centre_id: int, day: date) -> dict[int, Menu]:
    menus = db.session.scalars(db.select(Menu).where(Menu.centre_id == centre_id, Menu.day == day))
    return {menu.meal_type_id: menu for menu in menus}


def _meal_types_and_menus(centre_id: int, day: date) -> tuple[list[MealType], dict[int, Menu]]:
    """``meal_types_of`` (inactive ones included) and ``menus_of`` in one query."""
    found = db.session.execute(
        db.select(MealType, Menu)
        .outerjoin(
            Menu,
            and_(Menu.meal_type_id == MealType.id, Menu.centre_id == centre_id, Menu.day == day),
        )
        .where(MealType.centre_id == centre_id)
        .order_by(MealType.position, MealType.name)
    ).all()
    return [t for t, _ in found], {t.id: menu for t, menu in found if menu is not None}


def _roll_call(group_id: int, day: date) -> RollCall | None:
    return db.session.scalar(
        db.select(RollCall).where(RollCall.group_id == group_id, RollCall.day == day)
    )


def roll_for(group: Group, day: date) -> Roll:
    """Every child actively enrolled in the group on ``day``, by family name, with the stored marks."""
    centre = group.centre
    meal_types, menus = _meal_types_and_menus(centre.id, day)
    enrolments, marks, served = _children_with_marks(group, day, [t.id for t in meal_types])
    people = by_family_name(e.person for e in enrolments)
    rows = [
        RollRow(
            person=p,
            mark=marks.get(p.id),
            meals=served.get(p.id, set()),
            allergens=matching_allergens(p.allergies, menus.values()),
        )
        for p in people
    ]
    return Roll(
        group=group,
        day=day,
        closed_because=closed_days(centre, group, day, day).get(day),
        roll_call=db.session.scalar(
            db.select(RollCall)
            .options(joinedload(RollCall.saved_by))
            .where(RollCall.group_id == group.id, RollCall.day == day)
        ),
        rows=rows,
        meal_types=[t for t in meal_types if t.active],
        menus=menus,
    )


def _children_with_marks(group: Group, day: date, meal_type_ids: list[int]):
    """The children's enrolments active on ``day``, their marks and their meals of the day (by
    person id), in one query. Naming the centre's meal types lets the database find each
    child's meals of the day by its unique index, not among all the meals they ever had."""
    centre_id = group.centre_id
    found = db.session.execute(
        enrolments_active_between_query(group.id, day, day)
        .add_columns(Attendance, MealServed.meal_type_id)
        .outerjoin(
            Attendance,
            and_(
                Attendance.person_id == Enrolment.person_id,
                Attendance.centre_id == centre_id,
                Attendance.day == day,
            ),
        )
        .outerjoin(
            MealServed,
            and_(
                MealServed.person_id == Enrolment.person_id,
                MealServed.meal_type_id.in_(meal_type_ids),
                MealServed.day == day,
                MealServed.centre_id == centre_id,
            ),
        )
    )
    enrolments: dict[int, Enrolment] = {}
    marks: dict[int, Attendance] = {}
    served: dict[int, set[int]] = {}
    for enrolment, mark, meal_type_id in found:
        if not enrolment.active_on(day):
            continue
        enrolments.setdefault(enrolment.id, enrolment)
        if mark is not None:
            marks[mark.person_id] = mark
        if meal_type_id is not None:
            served.setdefault(enrolment.person_id, set()).add(meal_type_id)
    return list(enrolments.values()), marks, served


def mark_state(mark, meals) -> str:
    """A short token of a child's mark and meals ("" when not marked), as the roll form carries
    it for each child: what the child's mark was when the page was loaded."""
    if mark is None:
        return ""
    return state_token(
        mark.status.value,
        mark.arrives_at.strftime("%H:%M") if mark.arrives_at else "",
        mark.leaves_at.strftime("%H:%M") if mark.leaves_at else "",
        mark.note,
        meals,
    )


def state_token(status: str, arrives: str, leaves: str, note: str | None, meals) -> str:
    """``mark_state`` from the plain values the roll page reads (times as "HH:MM" or "")."""
    parts = [
        status,
        arrives,
        leaves,
        (note or "").strip(),
        ",".join(str(m) for m in sorted(meals or ())),
    ]
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()[:16]


@dataclass
class Conflict:
    """A child someone else changed since the page was loaded: their mark and the one sent."""

    person: Person
    theirs: Attendance
    theirs_meals: set[int]
    yours: Mark
    yours_meals: set[int]


@dataclass
class RollSaved:
    """The roll call as saved, and the children not saved because someone else changed them."""

    roll_call: RollCall
    conflicts: list[Conflict] = field(default_factory=list)


def _validate(group: Group, day: date, marks, meals, *, actor) -> tuple[dict, list[int]]:
    """The children enrolled (by person id) and every meal type of the centre, once the roll
    sent is found acceptable."""
    centre = group.centre
    if not actor.sees_centre(centre.id):
        raise Refused(_l("Choose one of your centres."))
    if day > today():
        raise Refused(_l("The roll cannot be taken for a future day."))
    if day in closed_days(centre, group, day, day):
        raise Refused(_l("This is not an operating day: no roll is taken."))
    if not may_record(actor, day):
        raise Refused(
            lazy_ngettext(
                "Days more than %(num)d day ago can be corrected only by an administrator.",
                "Days more than %(num)d days ago can be corrected only by an administrator.",
                correction_days(),
            )
        )
    enrolled = {e.person_id: e for e in children_active_on(group.id, day)}
    if set(marks) - set(enrolled) or set(meals) - set(marks):
        raise Refused(_l("Only children actively enrolled in the group on that day can be marked."))
    missing = [e.person for pid, e in enrolled.items() if pid not in marks]
    if missing:
        raise Refused(
            _l(
                "The group's list changed since the roll was opened; mark these children too: "
                "%(names)s.",
                names=", ".join(p.full_name for p in by_family_name(missing)),
            )
        )
    meal_types = meal_types_of(centre.id, include_inactive=True)
    meal_type_ids = {m.id for m in meal_types if m.active}
    for person_id, mark in marks.items():
        name = enrolled[person_id].person.full_name
        if not isinstance(mark.status, AttendanceStatus):
            raise Refused(_l("Choose present, excused or unexcused for every child."))
        if mark.status.is_absence and (mark.arrives_at or mark.leaves_at):
            raise Refused(_l("Arrival and departure times are recorded only for a present child."))
        if mark.arrives_at and mark.leaves_at and mark.leaves_at < mark.arrives_at:
            raise Refused(_l("%(name)s cannot leave before arriving.", name=name))
        if mark.note and len(mark.note) > NOTE_LENGTH:
            raise Refused(
                lazy_ngettext(
                    "A note holds at most %(num)d character.",
                    "A note holds at most %(num)d characters.",
                    NOTE_LENGTH,
                )
            )
        chosen = meals.get(person_id, set())
        if chosen - meal_type_ids:
            raise Refused(_l("Choose one of the centre's meal types."))
        if chosen and mark.status.is_absence:
            raise Refused(_l("No meal is recorded for an absent child (%(name)s).", name=name))
    return enrolled, meal_types


def _merge(group: Group, day: date, marks, meals, *, seen, shown, enrolled):
    """Split what was sent from an outdated page, child by child, against what is stored now.

    A three-way merge: a child whose stored mark is still the one the page was loaded with
    (``seen``) or the one it showed (``shown``: an unmarked child shows present with the day's
    meals) takes what was sent, and so does a child stored with the very value sent. A child
    only the other person changed (sent as the page showed it) keeps the stored mark. A child
    both changed, differently, is not
    saved and comes back as a conflict with both values. Without ``seen`` (a page from before
    the merge) every stored mark that differs from the one sent is a conflict.

    Returns the conflicts and whether what remains to save is already stored.
    """
    stored = _stored_marks(group, day, list(marks))
    conflicts = []
    for person_id in list(marks):
        theirs, theirs_meals = stored.get(person_id, (None, set()))
        now = mark_state(theirs, theirs_meals)
        sent = mark_state(marks[person_id], meals.get(person_id, set()))
        loaded = seen.get(person_id) if seen is not None else None
        if theirs is None or now in (sent, loaded, shown(loaded)):
            continue
        if loaded is not None and sent == shown(loaded):  # only the other person changed it
            marks[person_id] = _as_mark(theirs)
            meals[person_id] = set(theirs_meals)
            continue
        conflicts.append(
            Conflict(
                person=enrolled[person_id].person,
                theirs=theirs,
                theirs_meals=theirs_meals,
                yours=marks.pop(person_id),
                yours_meals=meals.pop(person_id, set()),
            )
        )
    unchanged = all(
        mark_state(mark, meals.get(pid, set())) == mark_state(*stored.get(pid, (None, set())))
        for pid, mark in marks.items()
    )
    return conflicts, unchanged


def _keep_stored(group: Group, day: date, marks, meals, keep_theirs) -> None:
    """The children whose stored mark the person chose after a conflict are sent as stored."""
    chosen = [pid for pid in keep_theirs if pid in marks]
    if not chosen:
        return
    for person_id, (theirs, theirs_meals) in _stored_marks(group, day, chosen).items():
        marks[person_id] = _as_mark(theirs)
        meals[person_id] = set(theirs_meals)


def _unmarked_shows(version, meal_types) -> str:
    """The ``mark_state`` the roll page shows an unmarked child with: present, with every meal
    of the day while the roll was not taken yet (page version 0), with none after."""
    try:
        first_save = int(version or 0) == 0
    except (TypeError, ValueError):
        first_save = False
    served = {m.id for m in meal_types if m.active} if first_save else set()
    return mark_state(Mark(AttendanceStatus.PRESENT), served)


def _as_mark(attendance: Attendance) -> Mark:
    return Mark(attendance.status, attendance.arrives_at, attendance.leaves_at, attendance.note)


def _stored_marks(group: Group, day: date, person_ids: list[int]) -> dict:
    """The stored mark and meals of each of these children on ``day``, by person id: one query."""
    found = db.session.execute(
        db.select(Attendance, MealServed.meal_type_id)
        .outerjoin(
            MealServed,
            and_(
                MealServed.person_id == Attendance.person_id,
                MealServed.day == day,
                MealServed.centre_id == Attendance.centre_id,
            ),
        )
        .where(
            Attendance.centre_id == group.centre_id,
            Attendance.day == day,
            Attendance.person_id.in_(person_ids),
        )
    )
    stored: dict[int, tuple[Attendance, set[int]]] = {}
    for mark, meal_type_id in found:
        _, served = stored.setdefault(mark.person_id, (mark, set()))
        if meal_type_id is not None:
            served.add(meal_type_id)
    return stored


def _lock_roll(group: Group, day: date, *, actor, version) -> RollCall | None:
    """Take the roll's version: the roll call when nobody saved it since the page was loaded
    (the whole roll is then written), None when someone did (the save is merged child by child).
    """
    try:
        seen = int(version or 0)
    except (TypeError, ValueError):
        seen = -1
    return _take_roll(group, day, seen, actor=actor) if seen >= 0 else None


def _take_roll(group: Group, day: date, seen: int, *, actor) -> RollCall | None:
    """Write the roll call in one statement if it is still at version ``seen`` (0: not taken
    yet); None when someone saved it since. A save that arrives meanwhile waits for this
    transaction (the row's lock, or SQLite's write lock) and then finds the new version."""
    values = {"saved_at": utcnow(), "saved_by_id": actor.id}
    if seen == 0:
        statement = (
            _insert(RollCall)
            .values(centre_id=group.centre_id, group_id=group.id, day=day, version=1, **values)
            .on_conflict_do_nothing(index_elements=["group_id", "day"])
            .returning(RollCall)
        )
    else:
        statement = (
            db.update(RollCall)
            .where(RollCall.group_id == group.id, RollCall.day == day, RollCall.version == seen)
            .values(version=seen + 1, **values)
            .returning(RollCall)
            .execution_options(synchronize_session=False)
        )
    return db.session.scalars(statement).one_or_none()


def _insert(model):
    """An INSERT that can skip a row already there (both databases speak ON CONFLICT)."""
    dialect = db.session.get_bind().dialect.name
    return (postgresql.insert if dialect == "postgresql" else sqlite.insert)(model)


def record_roll(
    group: Group,
    day: date,
    marks: dict[int, Mark],
    meals: dict[int, set[int]] | None = None,
    *,
    actor,
    version=None,
    seen: dict[int, str] | None = None,
    keep_theirs: set[int] = frozenset(),
) -> RollSaved:
    """Save the group's roll and meals for ``day``; each change goes to the audit trail with its
    previous value.

    ``version`` is the roll's version when the page was loaded and ``seen`` each child's
    ``mark_state`` then. When someone saved the roll since, the save is merged child by child
    (``_merge``): the children they changed are not saved and come back as conflicts, with both
    values, for the person to choose (``keep_theirs``: the children whose stored mark they chose).

    A fixed number of statements for any group size: the marks, the meals and the audit entries
    are each written in one go. A database that cannot be had in time raises ``OperationalError``,
    which the caller reports as a busy server (never as someone else's save).
    """
    marks = dict(marks)
    meals = {pid: set(types) for pid, types in (meals or {}).items() if types}
    enrolled, meal_types = _validate(group, day, marks, meals, actor=actor)
    meal_type_ids = [m.id for m in meal_types]
    _keep_stored(group, day, marks, meals, keep_theirs)
    conflicts = []
    roll_call = _lock_roll(group, day, actor=actor, version=version)
    if roll_call is None:
        stored_roll = _roll_call(group.id, day)
        default = _unmarked_shows(version, meal_types)
        conflicts, unchanged = _merge(
            group,
            day,
            marks,
            meals,
            seen=seen,
            shown=lambda loaded: default if loaded == "" else loaded,
            enrolled=enrolled,
        )
        if unchanged:
            return RollSaved(stored_roll or RollCall(group_id=group.id, day=day), conflicts)
        roll_call = _take_roll(group, day, stored_roll.version if stored_roll else 0, actor=actor)
        if roll_call is None:
            raise StaleRecord(SAVED_AT_THE_SAME_MOMENT)
    try:
        marks_created, marks_changed = _write_marks(group, day, marks, actor=actor)
        meals_removed, meals_created = _write_meals(
            group, day, marks, meals, meal_type_ids, actor=actor
        )
    except (IntegrityError, StaleDataError):
        raise StaleRecord(SAVED_AT_THE_SAME_MOMENT) from None
    audit.record_all(meals_removed + marks_created + meals_created + marks_changed)
    _announce_alerts(group, day, {pid: enrolled[pid].person for pid in marks}, actor=actor)
    _tell_parents_of_absences(group, day, {pid: enrolled[pid].person for pid in marks}, marks)
    return RollSaved(roll_call, conflicts)


def _write_marks(group: Group, day: date, marks: dict[int, Mark], *, actor) -> tuple[list, list]:
    """Insert the new marks in one statement and change the stored ones in another; their audit
    entries (created, changed) come back to be written with the rest."""
    centre_id = group.centre_id
    existing = {
        a.person_id: a
        for a in db.session.scalars(
            db.select(Attendance).where(
                Attendance.centre_id == centre_id,
                Attendance.day == day,
                Attendance.person_id.in_(list(marks)),
            )
        )
    }
    created, updated = [], []
    for person_id, mark in marks.items():
        values = {
            "group_id": group.id,
            "status": mark.status,
            "arrives_at": mark.arrives_at if not mark.status.is_absence else None,
            "leaves_at": mark.leaves_at if not mark.status.is_absence else None,
            "note": (mark.note or "").strip() or None,
        }
        attendance = existing.get(person_id)
        if attendance is None:
            created.append({"centre_id": centre_id, "person_id": person_id, "day": day} | values)
            continue
        changes = audit.changes_to(attendance, values)
        if changes:
            updated.append((attendance, changes, values))
    new_ids = _insert_returning_ids(Attendance, created, key=("person_id",))
    _update_marks([(attendance, values) for attendance, _, values in updated])
    created_entries = [
        _created_entry(Attendance(id=new_ids[(row["person_id"],)], **row), centre_id, actor)
        for row in created
    ]
    changed_entries = [
        audit.entry_values(
            audit.UPDATE,
            attendance,
            actor=actor,
            centre_id=centre_id,
            person_id=attendance.person_id,
            changes=changes,
        )
        for attendance, changes, _ in updated
    ]
    return created_entries, changed_entries


_MARK_COLUMNS = ("group_id", "status", "arrives_at", "leaves_at", "note")


def _update_marks(changed: list[tuple[Attendance, dict]]) -> None:
    """Change the stored marks in one statement, each only if still at the version read; one
    changed by someone else meanwhile refuses the whole save."""
    if not changed:
        return
    table = Attendance.__table__
    statement = (
        db.update(table)
        .where(table.c.id == bindparam("b_id"), table.c.version == bindparam("b_version"))
        .values(
            version=table.c.version + 1,
            **{name: bindparam(f"b_{name}", type_=table.c[name].type) for name in _MARK_COLUMNS},
        )
    )
    rows = [
        {"b_id": a.id, "b_version": a.version} | {f"b_{k}": v[k] for k in _MARK_COLUMNS}
        for a, v in changed
    ]
    if db.session.execute(statement, rows).rowcount != len(rows):
        raise StaleRecord(SAVED_AT_THE_SAME_MOMENT)


def _write_meals(
    group: Group, day: date, marks, meals, meal_type_ids, *, actor
) -> tuple[list, list]:
    """Remove the meals no longer ticked and insert the new ones, each in one statement; their
    audit entries (removed, created) come back."""
    centre_id = group.centre_id
    served = {
        (m.person_id, m.meal_type_id): m
        for m in db.session.scalars(
            db.select(MealServed).where(
                MealServed.person_id.in_(list(marks)),
                MealServed.meal_type_id.in_(meal_type_ids),
                MealServed.day == day,
                MealServed.centre_id == centre_id,
            )
        )
    }
    wanted = {(pid, mt) for pid, types in meals.items() for mt in types}
    gone = [served[key] for key in sorted(set(served) - wanted)]
    removed_entries = [
        audit.entry_values(
            audit.DELETE,
            meal,
            actor=actor,
            centre_id=centre_id,
            person_id=meal.person_id,
            changes=audit.snapshot(meal),
        )
        for meal in gone
    ]
    if gone:
        db.session.execute(
            db.delete(MealServed)
            .where(MealServed.id.in_([meal.id for meal in gone]))
            .execution_options(synchronize_session=False)
        )
        for meal in gone:
            db.session.expunge(meal)
    created = [
        {"centre_id": centre_id, "person_id": pid, "meal_type_id": mt, "day": day}
        for pid, mt in sorted(wanted - set(served))
    ]
    new_ids = _insert_returning_ids(MealServed, created, key=("person_id", "meal_type_id"))
    created_entries = [
        _created_entry(
            MealServed(id=new_ids[(row["person_id"], row["meal_type_id"])], **row), centre_id, actor
        )
        for row in created
    ]
    return removed_entries, created_entries


def _insert_returning_ids(model, rows: list[dict], *, key: tuple[str, ...]) -> dict[tuple, int]:
    """Insert ``rows`` in one statement; the new ids by ``key`` (columns unique within rows)."""
    if not rows:
        return {}
    columns = [getattr(model, name) for name in key]
    statement = db.insert(model).returning(model.id, *columns)
    returned = db.session.execute(statement.execution_options(render_nulls=True), rows)
    return {tuple(found[1:]): found[0] for found in returned}


def _created_entry(record, centre_id: int, actor) -> dict:
    """The audit entry of a record inserted in bulk, as ``audit.record`` writes one (the
    snapshot of a transient copy holding the new id)."""
    return audit.entry_values(
        audit.CREATE,
        record,
        actor=actor,
        centre_id=centre_id,
        person_id=record.person_id,
        changes=audit.snapshot(record),
    )


def _announce_alerts(group: Group, day: date, people: dict, *, actor) -> None:
    """Tell whoever listens (the cases area) which children of this roll are on the absence alert.

    Two queries for the whole group (the centre's thresholds and the children's recent marks);
    nothing is sent, and no case read, when nobody is on the alert.
    """
    centre = group.centre
    current = {(centre.id, person_id): person for person_id, person in people.items()}
    rules = {centre.id: alert_rule(centre.id)}
    alerted = [alert.person for alert in _alerts(current, {centre.id: centre}, rules, day)]
    if alerted:
        children_on_alert.send(group, people=alerted, actor=actor)


def _tell_parents_of_absences(group: Group, day: date, people: dict, marks: dict) -> None:
    """The same day, each child marked absent (unexcused) without a parent's report: their
    parents are told, if the centre turned it on. One query when it is off, one INSERT else."""
    absent = [
        pid for pid, mark in marks.items() if mark.status is AttendanceStatus.ABSENT_UNEXCUSED
    ]
    if not absent or day != today():
        return
    centre = group.centre

    def items():
        reported = reported_by_parent(absent, day)
        unreported = [pid for pid in absent if pid not in reported]
        parents = notify.parents_of_children(unreported)
        link = notify.absolute_url("parents.home")
        return [
            (
                people[pid],
                parents.get(pid, []),
                {
                    "child_family": people[pid].family_name,
                    "child_given": people[pid].given_name,
                    "day": day,
                    "centre_name": centre.name,
                    "link": link,
                },
            )
            for pid in unreported
        ]

    notify.queue_each(
        Event.CHILD_ABSENT, centre_id=centre.id, template="child_absent", items=items, day=day
    )


def rolls_taken(group_ids, day: date) -> set[int]:
    """Which of the groups have their roll saved for ``day`` (one query)."""
    return set(
        db.session.scalars(
            db.select(RollCall.group_id).where(
                RollCall.group_id.in_(list(group_ids) or [0]), RollCall.day == day
            )
        )
    )


# --- The monthly sheet ------------------------------------------------------------------------------


@dataclass
class SheetRow:
    person: object
    cells: dict[date, AttendanceStatus | None]
    enrolled: set[date]
    totals: Counter = field(default_factory=Counter)


@dataclass
class MonthlySheet:
    group: Group
    year: int
    month: int
    days: list[date]
    closed: dict[date, str]
    rows: list[SheetRow]
    per_day: dict[date, Counter]
    totals: Counter

    @property
    def operating_days(self) -> list[date]:
        return [d for d in self.days if d not in self.closed]


def monthly_sheet(group: Group, year: int, month: int) -> MonthlySheet:
    """The group's children by the month's days; non-operating days never count as absences."""
    days = month_days(year, month)
    first, last = days[0], days[-1]
    closed = closed_days(group.centre, group, first, last)
    enrolments = enrolments_active_between(group.id, first, last)
    marks: dict[tuple[int, date], AttendanceStatus] = {}
    ids = list({e.person_id for e in enrolments}) or [0]
    for person_id, day, status in db.session.execute(
        db.select(Attendance.person_id, Attendance.day, Attendance.status).where(
            Attendance.centre_id == group.centre_id,
            Attendance.day.between(first, last),
            Attendance.person_id.in_(ids),
        )
    ):
        marks[(person_id, day)] = status
    by_person: dict[int, set[date]] = {}
    people = {}
    for enrolment in enrolments:
        people[enrolment.person_id] = enrolment.person
        by_person.setdefault(enrolment.person_id, set()).update(
            d for d in days if enrolment.active_on(d)
        )
    rows, per_day, totals = [], {d: Counter() for d in days}, Counter()
    for person in by_family_name(people.values()):
        enrolled = by_person[person.id]
        cells = {}
        row = SheetRow(person=person, cells=cells, enrolled=enrolled)
        for day in days:
            status = marks.get((person.id, day)) if day not in closed else None
            cells[day] = status
            if status:
                row.totals[status] += 1
                per_day[day][status] += 1
                totals[status] += 1
        rows.append(row)
    return MonthlySheet(group, year, month, days, closed, rows, per_day, totals)


# --- Absence alerts --------------------------------------------------------------------------------


@dataclass
class AbsenceAlert:
    person: object
    centre: Centre
    consecutive: int
    unexcused: int
    marked: int
    rule: AbsenceAlertRule

    @property
    def percent(self) -> int:
        return round(100 * self.unexcused / self.marked) if self.marked else 0

    @property
    def too_many_in_a_row(self) -> bool:
        return self.consecutive >= self.rule.consecutive_unexcused

    @property
    def too_many_this_month(self) -> bool:
        return self.marked > 0 and 100 * self.unexcused > self.rule.unexcused_percent * self.marked


def _default_rule(centre_id: int) -> AbsenceAlertRule:
    return AbsenceAlertRule(
        centre_id=centre_id,
        consecutive_unexcused=AbsenceAlertRule.DEFAULT_CONSECUTIVE,
        unexcused_percent=AbsenceAlertRule.DEFAULT_PERCENT,
    )


def alert_rule(centre_id: int) -> AbsenceAlertRule:
    """The centre's thresholds, or the defaults (3 days in a row, 20 % of the month)."""
    rule = db.session.scalar(
        db.select(AbsenceAlertRule).where(AbsenceAlertRule.centre_id == centre_id)
    )
    return rule or _default_rule(centre_id)


def save_alert_rule(
    centre: Centre,
    *,
    actor,
    version=None,
    consecutive_unexcused: int,
    unexcused_percent: int,
    absence_cutoff: time | None = None,
) -> AbsenceAlertRule:
    """The alert thresholds, and the cut-off of the parents' absence reports (the centre's)."""
    if not 1 <= consecutive_unexcused <= 60 or not 0 <= unexcused_percent <= 100:
        raise Refused(_l("Enter between 1 and 60 days and a percentage between 0 and 100."))
    if absence_cutoff is not None and absence_cutoff != centre.absence_cutoff:
        centre.absence_cutoff = absence_cutoff
        changes = audit.pending_changes(centre)
        db.session.flush()
        audit.record(audit.UPDATE, centre, actor=actor, centre_id=centre.id, changes=changes)
    rule = db.session.scalar(
        db.select(AbsenceAlertRule).where(AbsenceAlertRule.centre_id == centre.id)
    )
    creating = rule is None
    if creating:
        rule = AbsenceAlertRule(centre_id=centre.id)
        db.session.add(rule)
    elif version is not None and str(version) != str(rule.version):
        raise StaleRecord()
    rule.consecutive_unexcused = consecutive_unexcused
    rule.unexcused_percent = unexcused_percent
    changes = audit.snapshot(rule) if creating else audit.pending_changes(rule)
    try:
        db.session.flush()
    except IntegrityError:
        raise StaleRecord() from None
    audit.record(
        audit.CREATE if creating else audit.UPDATE,
        rule,
        actor=actor,
        centre_id=centre.id,
        changes=changes,
    )
    return rule


LOOK_BACK_DAYS = 92


def absence_alerts(centres: list[Centre], day: date | None = None) -> list[AbsenceAlert]:
    """Children now enrolled whose unexcused absences run in a row, or pass the month's share.

    Runs of absences count operating days only: weekends, holidays and closures neither break nor
    lengthen them, and a day without a roll is skipped.

    A county holds thousands of children: the database counts each one's marks and returns only
    the children past their centre's thresholds (three queries for any number of centres).
    """
    day = day or today()
    if not centres:
        return []
    by_id = {c.id: c for c in centres}
    rules, stamps = {}, {}
    for centre_id, stamp, rule in db.session.execute(
        db.select(Centre.id, AlertStamp.stamp, AbsenceAlertRule)
        .select_from(Centre)
        .outerjoin(AlertStamp, AlertStamp.centre_id == Centre.id)
        .outerjoin(AbsenceAlertRule, AbsenceAlertRule.centre_id == Centre.id)
        .where(Centre.id.in_(list(by_id)))
    ):
        rules[centre_id] = rule or _default_rule(centre_id)
        stamps[centre_id] = stamp
    figures = _kept_figures(centres, rules, stamps, day)
    alerts = [
        AbsenceAlert(
            person=person_id,  # the person is read below, for the children on the alert only
            centre=by_id[centre_id],
            consecutive=run,
            unexcused=month_unexcused,
            marked=month_marked,
            rule=rules[centre_id],
        )
        for (centre_id, person_id), (run, month_unexcused, month_marked) in figures.items()
    ]
    alerts = [a for a in alerts if a.too_many_in_a_row or a.too_many_this_month]
    if alerts:
        people = db.session.scalars(
            db.select(Person).where(Person.id.in_({a.person for a in alerts}))
        )
        by_person = {person.id: person for person in people}
        for alert in alerts:
            alert.person = by_person[alert.person]
    return sorted(alerts, key=lambda a: (a.centre.name, -a.consecutive, -a.percent))


# Each centre's alert figures, by centre id: (what they were counted from, the figures). Kept by
# each server process; a centre's stamp in the database says when they are out of date, so every
# process sees a new mark on its next request.
_KEPT: dict[int, tuple[tuple, dict]] = {}


def _kept_figures(centres: list[Centre], rules: dict, stamps: dict, day: date) -> dict:
    """``_figures`` of the centres, counted again only for the centres whose marks, enrolments,
    calendar, weekdays or thresholds changed since they were last counted (``stamps``: each
    centre's alert stamp), or on a new day: the count's query only when a centre needs it."""
    database = db.session.get_bind().url.render_as_string(hide_password=True)

    def basis(centre: Centre) -> tuple:
        rule = rules[centre.id]
        return (
            database,
            day,
            stamps.get(centre.id),
            centre.version,
            centre.calendar_stamp,
            rule.consecutive_unexcused,
            rule.unexcused_percent,
        )

    stale = [c for c in centres if _KEPT.get(c.id, ((),))[0] != basis(c)]
    if stale:
        since = day - timedelta(days=LOOK_BACK_DAYS)
        closed = closed_day_sets(stale, since, day)
        counted = _figures([c.id for c in stale], since, day, closed)
        for centre in stale:
            own = {key: value for key, value in counted.items() if key[0] == centre.id}
            _KEPT[centre.id] = (basis(centre), own)
    return {key: value for c in centres for key, value in _KEPT[c.id][1].items()}


# A literal, not a bound value: SQLite uses the partial index of unexcused marks only then.
_UNEXCUSED = literal_column(f"'{AttendanceStatus.ABSENT_UNEXCUSED.value}'")


def _figures(centre_ids, since: date, day: date, closed) -> dict:
    """(run, unexcused this month, marked this month) of each child now enrolled at the centres
    who is on the alert, by (centre id, person id): one query, the database counting each
    child's marks (a partial index holds the unexcused ones) and keeping those past their
    centre's thresholds. Cheap counts come first; the run, which needs the latest other mark,
    is counted only for a child with enough unexcused absences or on the alert already."""
    month_start = day.replace(day=1)
    rule = AbsenceAlertRule
    children = (
        db.select(
            (Enrolment.centre_id + 0).label("centre_id"),
            (Enrolment.person_id + 0).label("person_id"),
            db.func.coalesce(rule.consecutive_unexcused, rule.DEFAULT_CONSECUTIVE).label(
                "in_a_row"
            ),
            db.func.coalesce(rule.unexcused_percent, rule.DEFAULT_PERCENT).label("share"),
        )
        .outerjoin(rule, rule.centre_id == Enrolment.centre_id)
        .where(
            Enrolment.centre_id.in_(centre_ids),
            Enrolment.status.in_(ACTIVE_ONCE),
            Enrolment.start_date <= day,
            or_(Enrolment.exit_date.is_(None), Enrolment.exit_date >= day),
            or_(Enrolment.suspended_on.is_(None), Enrolment.suspended_on > day),
        )
        .distinct()
        .subquery("children")
    )

    def count(first: date, of, *conditions):
        mark = aliased(Attendance)
        where = (
            mark.person_id == of.c.person_id,
            mark.centre_id == of.c.centre_id,
            mark.day.between(first, day),
            *_not_closed(mark, closed, first, day),
        )
        if conditions:
            where += tuple(condition(mark) for condition in conditions)
        return mark, where

    def unexcused(mark):
        return mark.status == _UNEXCUSED

    # 1. Unexcused absences of the look-back and of the month (in the partial index).
    absent, where = count(since, children, unexcused)
    absent_now, where_now = count(month_start, children, unexcused)
    firsts = db.select(
        *children.c,
        db.select(db.func.count()).where(*where).scalar_subquery().label("lately"),
        db.select(db.func.count()).where(*where_now).scalar_subquery().label("month_unexcused"),
    ).where(db.select(absent.id).where(*where).exists())
    # Kept apart (materialised), so that the stages below read each child's figures once.
    firsts = firsts.cte("firsts").prefix_with("MATERIALIZED")
    # 2. The month's marks of a child absent this month.
    this_month, where = count(month_start, firsts)
    month_marked = db.select(db.func.count()).where(*where).scalar_subquery()
    seconds = db.select(
        *firsts.c,
        db.case((firsts.c.month_unexcused > 0, month_marked), else_=0).label("month_marked"),
    )
    seconds = seconds.cte("seconds").prefix_with("MATERIALIZED")
    past_share = and_(
        seconds.c.month_marked > 0,
        100 * seconds.c.month_unexcused > seconds.c.share * seconds.c.month_marked,
    )
    # 3. The run: unexcused absences after the latest other mark on an operating day.
    other, where = count(since, seconds, lambda mark: mark.status != S.ABSENT_UNEXCUSED)
    latest_other = (
        db.select(other.day)
        .where(*where)
        .order_by(other.day.desc())
        .limit(1)
        .correlate_except(other)  # to the child, two levels up, inside the run's count
        .scalar_subquery()
    )
    in_run, where = count(since, seconds, unexcused)
    run = (
        db.select(db.func.count())
        .where(*where, in_run.day > db.func.coalesce(latest_other, since - timedelta(days=1)))
        .scalar_subquery()
    )
    counted = (
        db.select(
            seconds.c.centre_id,
            seconds.c.person_id,
            run.label("run"),
            seconds.c.month_unexcused,
            seconds.c.month_marked,
            seconds.c.in_a_row,
            past_share.label("past_share"),
        )
        .where(or_(seconds.c.lately >= seconds.c.in_a_row, past_share))
        .subquery("counted")
    )
    if db.session.get_bind().dialect.name == "postgresql":
        # PostgreSQL would compile this one query to machine code first (JIT), which costs more
        # than running it; the setting ends with the transaction.
        db.session.execute(text("SET LOCAL jit = off"))
    rows = db.session.execute(
        db.select(
            counted.c.centre_id,
            counted.c.person_id,
            counted.c.run,
            counted.c.month_unexcused,
            counted.c.month_marked,
        ).where(or_(counted.c.run >= counted.c.in_a_row, counted.c.past_share))
    )
    return {
        (centre_id, person_id): (run_, unexcused_, marked_)
        for centre_id, person_id, run_, unexcused_, marked_ in rows
    }


def _not_closed(mark, closed, first: date, last: date) -> list:
    """Conditions leaving out the marks on the closed days of their centre in the period: the
    days closed everywhere, then each centre's own closures (centres alike share one term)."""
    within = {
        centre_id: frozenset(d for d in days if first <= d <= last)
        for centre_id, days in closed.items()
    }
    everywhere = frozenset.intersection(*within.values()) if within else frozenset()
    by_days: dict[frozenset, list[int]] = {}
    for centre_id, days in within.items():
        if days - everywhere:
            by_days.setdefault(days - everywhere, []).append(centre_id)
    conditions = [mark.day.not_in(sorted(everywhere))] if everywhere else []
    conditions += [
        ~and_(mark.centre_id.in_(centre_ids), mark.day.in_(sorted(days)))
        for days, centre_ids in by_days.items()
    ]
    return conditions


def _count(marks: list[tuple[date, AttendanceStatus]], day: date) -> tuple[int, int, int]:
    """(run, unexcused this month, marked this month) from operating-day marks, newest first."""
    run = 0
    for _, status in marks:
        if status is not S.ABSENT_UNEXCUSED:
            break
        run += 1
    this_month = [s for d, s in marks if d >= day.replace(day=1)]
    return run, sum(1 for s in this_month if s is S.ABSENT_UNEXCUSED), len(this_month)


def _alerts(current: dict, by_id: dict, rules: dict, day: date) -> list[AbsenceAlert]:
    """The alerts of the children ``current`` maps by (centre id, person id): one query for their
    marks of the last months (closure days come from the kept calendar)."""
    if not current:
        return []
    since = day - timedelta(days=LOOK_BACK_DAYS)
    history: dict[tuple[int, int], list[tuple[date, AttendanceStatus]]] = {}
    for centre_id, person_id, marked_on, status in db.session.execute(
        db.select(Attendance.centre_id, Attendance.person_id, Attendance.day, Attendance.status)
        .where(
            Attendance.centre_id.in_({centre_id for centre_id, _ in current}),
            Attendance.person_id.in_({pid for _, pid in current}),
            Attendance.day.between(since, day),
        )
        .order_by(Attendance.day.desc())
    ):
        history.setdefault((centre_id, person_id), []).append((marked_on, status))
    closed = closed_days_of([by_id[centre_id] for centre_id in {c for c, _ in current}], since, day)
    alerts = []
    for (centre_id, person_id), person in current.items():
        marks = [
            (d, s) for d, s in history.get((centre_id, person_id), []) if d not in closed[centre_id]
        ]
        run, unexcused, marked = _count(marks, day)
        alert = AbsenceAlert(
            person=person,
            centre=by_id[centre_id],
            consecutive=run,
            unexcused=unexcused,
            marked=marked,
            rule=rules[centre_id],
        )
        if alert.too_many_in_a_row or alert.too_many_this_month:
            alerts.append(alert)
    return sorted(alerts, key=lambda a: (a.centre.name, -a.consecutive, -a.percent))


# --- The monthly sheet's PDF, laid out once ---------------------------------------------------------

KEEP_SHEETS = timedelta(days=7)


def kept_sheet_pdf(html: str, fingerprint: str, lay_out) -> bytes:
    """The PDF of the sheet ``html``: the one kept for the same HTML and layout (``fingerprint``),
    or ``lay_out(html)``, then kept. WeasyPrint takes most of a second for a month of thirty
    children; the HTML, which holds every mark, name and closed day the PDF shows, takes a few
    milliseconds. Sheets older than ``KEEP_SHEETS`` go when a new one is kept."""
    digest = hashlib.sha256(f"{fingerprint}\0{html}".encode()).hexdigest()
    kept = db.session.scalar(db.select(KeptSheet.pdf).where(KeptSheet.digest == digest))
    if kept is not None:
        return kept
    pdf = lay_out(html)
    now = utcnow()
    db.session.execute(db.delete(KeptSheet).where(KeptSheet.made_at < now - KEEP_SHEETS))
    # Two people downloading the same new month at once both lay it out; one copy is kept.
    db.session.execute(
        _insert(KeptSheet)
        .values(digest=digest, pdf=pdf, made_at=now)
        .on_conflict_do_nothing(index_elements=["digest"])
    )
    return pdf


def forget_kept_sheets() -> None:
    """Every kept sheet goes: they name children whose data may have just been anonymised."""
    db.session.execute(db.delete(KeptSheet))


# --- Absences reported ahead by a parent ------------------------------------------------------
# A parent says ahead that the child will be absent; the roll shows it (``roll_page``), and the
# coordinator's save records what they chose. The parent's own pages pass the child, already
# checked to be of their family (``parents.services``).

#: The longest absence reported at once, and how far ahead.
REPORT_DAYS_AT_MOST = 31
REPORT_AHEAD_DAYS_AT_MOST = 90
REPORT_NOTE_LENGTH = 500


def _enrolments_of(person: Person, first: date, last: date) -> list[Enrolment]:
    return [
        e
        for e in person.enrolments
        if e.status in ACTIVE_ONCE
        and e.start_date is not None
        and e.start_date <= last
        and (e.exit_date is None or e.exit_date >= first)
    ]


def report_days(person: Person, first: date, last: date) -> tuple[Centre | None, list[date]]:
    """The days of the period the child is expected at the centre (enrolled, the centre and the
    group working), and that centre: the days a report covers."""
    for enrolment in sorted(_enrolments_of(person, first, last), key=lambda e: e.start_date):
        group = enrolment.group
        closed = closed_days(group.centre, group, first, last)
        days = [
            first + timedelta(days=n)
            for n in range((last - first).days + 1)
            if enrolment.active_on(first + timedelta(days=n))
            and first + timedelta(days=n) not in closed
        ]
        if days:
            return group.centre, days
    return None, []


def report_deadline(centre: Centre, day: date):
    """Until when an absence on ``day`` may be reported or withdrawn: the centre's cut-off that
    day, Bucharest time."""
    return local_instant(day, centre.absence_cutoff)


def _too_late(centre: Centre, day: date) -> Refused:
    return Refused(
        _l(
            "An absence on %(day)s could be reported until %(time)s that day; "
            "please call the centre.",
            day=format_date(day, "long"),
            time=format_time(centre.absence_cutoff, "short"),
        )
    )


def _covering(person_ids, first: date, last: date):
    return db.select(AbsenceReport).where(
        AbsenceReport.person_id.in_(list(person_ids)),
        AbsenceReport.withdrawn_at.is_(None),
        AbsenceReport.first_day <= last,
        AbsenceReport.last_day >= first,
    )


def report_absence(
    person: Person, *, actor, first_day: date, last_day: date | None, reason, note: str | None
) -> AbsenceReport:
    """A parent reports the child absent ahead, on working days of the child's centre, before
    the centre's cut-off on the first day."""
    last_day = last_day or first_day
    if last_day < first_day:
        raise Refused(_l("The last day cannot be before the first day."), "last_day")
    if first_day < today():
        raise Refused(_l("An absence is reported ahead; a past day cannot be."), "first_day")
    if (last_day - first_day).days >= REPORT_DAYS_AT_MOST:
        raise Refused(
            lazy_ngettext(
                "Report at most %(num)d day at once.",
                "Report at most %(num)d days at once.",
                REPORT_DAYS_AT_MOST,
            ),
            "last_day",
        )
    if (first_day - today()).days > REPORT_AHEAD_DAYS_AT_MOST:
        raise Refused(_l("An absence can be reported at most three months ahead."), "first_day")
    centre, days = report_days(person, first_day, last_day)
    if not days:
        raise Refused(
            _l("The centre does not expect %(name)s on these days.", name=person.full_name),
            "first_day",
        )
    if days[0] == today() and now() >= report_deadline(centre, days[0]):
        raise _too_late(centre, days[0])
    if db.session.scalar(_covering([person.id], first_day, last_day).limit(1)) is not None:
        raise Refused(_l("An absence is already reported for some of these days."), "first_day")
    note = (note or "").strip() or None
    if note and len(note) > REPORT_NOTE_LENGTH:
        raise Refused(_l("The note is too long."), "note")
    report = AbsenceReport(
        centre_id=centre.id,
        person_id=person.id,
        first_day=days[0],
        last_day=days[-1],
        reason=AbsenceReason(reason),
        note=note,
        reported_by_id=actor.id,
        reported_at=utcnow(),
    )
    db.session.add(report)
    db.session.flush()
    audit.record(
        audit.CREATE,
        report,
        actor=actor,
        centre_id=centre.id,
        person_id=person.id,
        changes=audit.snapshot(report),
    )
    return report


def may_withdraw(report: AbsenceReport, centre: Centre) -> bool:
    return report.withdrawn_at is None and now() < report_deadline(centre, report.first_day)


def withdraw_report(report: AbsenceReport, *, actor) -> AbsenceReport:
    """The parent takes a report back, before the cut-off of its first day."""
    centre = db.session.get(Centre, report.centre_id)
    if report.withdrawn_at is not None:
        raise Refused(_l("This report was already withdrawn."))
    if not may_withdraw(report, centre):
        raise Refused(
            _l(
                "This report could be withdrawn until %(time)s on %(day)s; please call the centre.",
                day=format_date(report.first_day, "long"),
                time=format_time(centre.absence_cutoff, "short"),
            )
        )
    report.withdrawn_at = utcnow()
    changes = audit.pending_changes(report)
    db.session.flush()
    audit.record(
        audit.WITHDRAW,
        report,
        actor=actor,
        centre_id=report.centre_id,
        person_id=report.person_id,
        changes=changes,
    )
    return report


def reports_of(person_ids, *, since: date) -> list[AbsenceReport]:
    """The children's reports ending on or after ``since``, withdrawn ones too, newest first."""
    return list(
        db.session.scalars(
            db.select(AbsenceReport)
            .where(AbsenceReport.person_id.in_(list(person_ids)), AbsenceReport.last_day >= since)
            .order_by(AbsenceReport.first_day.desc(), AbsenceReport.id.desc())
        )
    )


def reported_by_parent(child_ids, day: date) -> set[int]:
    """Those of the children whose parent reported them absent on ``day`` (a report in force)."""
    if not child_ids:
        return set()
    found = db.session.scalars(
        db.select(AbsenceReport.person_id).where(_covering(child_ids, day, day).whereclause)
    )
    return set(found)
