"""Roll-call: who is expected on a day, saving a group's marks and meals, the monthly sheet and
the absence alerts. Every list here costs a fixed number of queries, whatever the group's size."""

import calendar
import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, time, timedelta

from flask import current_app
from flask_babel import lazy_gettext as _l
from flask_babel import lazy_ngettext
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm.exc import StaleDataError

from daycentre.attendance.models import AbsenceAlertRule, Attendance, AttendanceStatus, RollCall
from daycentre.audit import services as audit
from daycentre.centres.models import Centre, ClosureDay, Group
from daycentre.centres.services import holiday_name, public_holidays
from daycentre.database import utcnow
from daycentre.enrolment.models import Enrolment
from daycentre.enrolment.services import children_active_on, enrolments_active_between
from daycentre.errors import Refused, StaleRecord
from daycentre.extensions import db
from daycentre.localtime import today
from daycentre.meals.models import MealServed, MealType, Menu
from daycentre.people.services import by_family_name
from daycentre.text import fold

S = AttendanceStatus
NOTE_LENGTH = 300


@dataclass
class Mark:
    """What the coordinator chose for one child."""

    status: AttendanceStatus
    arrives_at: time | None = None
    leaves_at: time | None = None
    note: str | None = None


# --- Operating days -------------------------------------------------------------------------------


def closed_days(centre: Centre, group: Group | None, first: date, last: date) -> dict[date, str]:
    """Each day of the period without service, with why: the week, a public holiday, a closure.

    One query (the closure days) for any length of period.
    """
    closures = dict(
        db.session.execute(
            db.select(ClosureDay.day, ClosureDay.reason).where(
                ClosureDay.centre_id == centre.id, ClosureDay.day.between(first, last)
            )
        ).all()
    )
    holidays = {}
    for year in range(first.year, last.year + 1):
        holidays.update({day: holiday_name(day) for day in public_holidays(year)})
    closed = {}
    day = first
    while day <= last:
        if day in closures:
            closed[day] = str(_l("Closed: %(reason)s", reason=closures[day]))
        elif day in holidays:
            closed[day] = str(_l("Public holiday: %(name)s", name=holidays[day]))
        elif not centre.is_open_on(day) or (group is not None and not group.is_open_on(day)):
            closed[day] = str(_l("No activity on this day of the week"))
        day += timedelta(days=1)
    return closed


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


def _roll_call(group_id: int, day: date) -> RollCall | None:
    return db.session.scalar(
        db.select(RollCall).where(RollCall.group_id == group_id, RollCall.day == day)
    )


def roll_for(group: Group, day: date) -> Roll:
    """Every child actively enrolled in the group on ``day``, by family name, with the stored marks."""
    centre = group.centre
    enrolments = children_active_on(group.id, day)
    people = by_family_name(e.person for e in enrolments)
    ids = [p.id for p in people] or [0]
    marks = {
        a.person_id: a
        for a in db.session.scalars(
            db.select(Attendance).where(
                Attendance.centre_id == centre.id,
                Attendance.day == day,
                Attendance.person_id.in_(ids),
            )
        )
    }
    served: dict[int, set[int]] = {}
    for person_id, meal_type_id in db.session.execute(
        db.select(MealServed.person_id, MealServed.meal_type_id).where(
            MealServed.centre_id == centre.id,
            MealServed.day == day,
            MealServed.person_id.in_(ids),
        )
    ):
        served.setdefault(person_id, set()).add(meal_type_id)
    menus = menus_of(centre.id, day)
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
        roll_call=_roll_call(group.id, day),
        rows=rows,
        meal_types=meal_types_of(centre.id),
        menus=menus,
    )


def _differences(roll: Roll, marks: dict[int, Mark], meals: dict[int, set[int]]) -> list[str]:
    """Children whose stored mark or meals differ from what was sent, as "name: stored mark"."""
    changed = []
    for row in roll.rows:
        sent = marks.get(row.person.id)
        stored = row.mark.status if row.mark else None
        if (
            sent is None
            or stored is not sent.status
            or row.meals != meals.get(row.person.id, set())
        ):
            label = stored.label if stored else _l("not marked")
            changed.append(f"{row.person.full_name}: {label}")
    return changed


def _validate(group: Group, day: date, marks, meals, *, actor) -> dict[int, Enrolment]:
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
    meal_type_ids = {m.id for m in meal_types_of(centre.id)}
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
    return enrolled


def _lock_roll(group: Group, day: date, *, actor, version, marks, meals) -> tuple[RollCall, bool]:
    """Take the roll's version: a second save from an outdated page is refused, not merged.

    Returns the roll call and whether to write; an outdated page that sent exactly what is
    stored (a form sent twice) writes nothing and is not refused.
    """
    try:
        seen = int(version or 0)
    except (TypeError, ValueError):
        seen = -1
    roll_call = _roll_call(group.id, day)
    current = roll_call.version if roll_call else 0
    if seen != current:
        changed = _differences(roll_for(group, day), marks, meals)
        if not changed:
            return roll_call or RollCall(group_id=group.id, day=day), False
        raise StaleRecord(
            _l(
                "Someone else saved this roll after you opened it; nothing was saved. "
                "Changed meanwhile: %(changes)s. Check the marks and save again.",
                changes="; ".join(changed),
            )
        )
    try:
        if roll_call is None:
            roll_call = RollCall(centre_id=group.centre_id, group_id=group.id, day=day)
            db.session.add(roll_call)
        roll_call.saved_at = utcnow()
        roll_call.saved_by_id = actor.id
        db.session.flush()
    except (IntegrityError, StaleDataError, OperationalError):
        raise StaleRecord(
            _l("Someone else saved this roll at the same moment; nothing was saved. Reload it.")
        ) from None
    return roll_call, True


def record_roll(
    group: Group,
    day: date,
    marks: dict[int, Mark],
    meals: dict[int, set[int]] | None = None,
    *,
    actor,
    version=None,
) -> RollCall:
    """Save the whole group's roll and meals for ``day`` at once; each change goes to the audit
    trail with its previous value."""
    meals = {pid: set(types) for pid, types in (meals or {}).items() if types}
    _validate(group, day, marks, meals, actor=actor)
    roll_call, write = _lock_roll(
        group, day, actor=actor, version=version, marks=marks, meals=meals
    )
    if not write:
        return roll_call
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
            attendance = Attendance(centre_id=centre_id, person_id=person_id, day=day, **values)
            db.session.add(attendance)
            created.append(attendance)
        else:
            for name, value in values.items():
                setattr(attendance, name, value)
            changes = audit.pending_changes(attendance)
            if changes:
                updated.append((attendance, changes))
    served = {
        (m.person_id, m.meal_type_id): m
        for m in db.session.scalars(
            db.select(MealServed).where(
                MealServed.centre_id == centre_id,
                MealServed.day == day,
                MealServed.person_id.in_(list(marks)),
            )
        )
    }
    wanted = {(pid, mt) for pid, types in meals.items() for mt in types}
    for key in sorted(set(served) - wanted):
        meal = served[key]
        audit.record(
            audit.DELETE,
            meal,
            actor=actor,
            centre_id=centre_id,
            person_id=meal.person_id,
            changes=audit.snapshot(meal),
        )
        db.session.delete(meal)
    new_meals = [
        MealServed(centre_id=centre_id, person_id=pid, meal_type_id=mt, day=day)
        for pid, mt in sorted(wanted - set(served))
    ]
    db.session.add_all(new_meals)
    try:
        db.session.flush()
    except (IntegrityError, OperationalError, StaleDataError):
        raise StaleRecord(
            _l("Someone else saved this roll at the same moment; nothing was saved. Reload it.")
        ) from None
    for record in created + new_meals:
        audit.record(
            audit.CREATE,
            record,
            actor=actor,
            centre_id=centre_id,
            person_id=record.person_id,
            changes=audit.snapshot(record),
        )
    for attendance, changes in updated:
        audit.record(
            audit.UPDATE,
            attendance,
            actor=actor,
            centre_id=centre_id,
            person_id=attendance.person_id,
            changes=changes,
        )
    db.session.flush()
    _flag_alerts_on_cases(group, day, marks, actor=actor)
    return roll_call


def _flag_alerts_on_cases(group: Group, day: date, marks: dict, *, actor) -> None:
    """A child of this roll now on the absence alert gets a task on their open case, if any."""
    from daycentre.cases.models import TaskSource
    from daycentre.cases.services import flag_for_case_managers

    alerted = [
        alert.person for alert in absence_alerts([group.centre], day) if alert.person.id in marks
    ]
    flag_for_case_managers(
        alerted,
        source=TaskSource.ABSENCES,
        text_for=lambda person: _l(
            "%(name)s is on the absence alert of the day centre: talk to the family.",
            name=person.full_name,
        ),
        actor=actor,
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
    centre: Centre, *, actor, version=None, consecutive_unexcused: int, unexcused_percent: int
) -> AbsenceAlertRule:
    if not 1 <= consecutive_unexcused <= 60 or not 0 <= unexcused_percent <= 100:
        raise Refused(_l("Enter between 1 and 60 days and a percentage between 0 and 100."))
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
    """
    day = day or today()
    if not centres:
        return []
    by_id = {c.id: c for c in centres}
    rules = {
        r.centre_id: r
        for r in db.session.scalars(
            db.select(AbsenceAlertRule).where(AbsenceAlertRule.centre_id.in_(list(by_id)))
        )
    }
    enrolments = db.session.scalars(
        db.select(Enrolment)
        .join(Enrolment.person)
        .where(Enrolment.centre_id.in_(list(by_id)), Enrolment.start_date <= day)
    ).all()
    current = {(e.centre_id, e.person_id): e.person for e in enrolments if e.active_on(day)}
    if not current:
        return []
    since = day - timedelta(days=LOOK_BACK_DAYS)
    history: dict[tuple[int, int], list[tuple[date, AttendanceStatus]]] = {}
    for centre_id, person_id, marked_on, status in db.session.execute(
        db.select(Attendance.centre_id, Attendance.person_id, Attendance.day, Attendance.status)
        .where(
            Attendance.centre_id.in_(list(by_id)),
            Attendance.person_id.in_({pid for _, pid in current}),
            Attendance.day.between(since, day),
        )
        .order_by(Attendance.day.desc())
    ):
        history.setdefault((centre_id, person_id), []).append((marked_on, status))
    for centre_id in by_id:
        rules.setdefault(centre_id, _default_rule(centre_id))
    closed = {c.id: closed_days(c, None, since, day) for c in centres}
    month_start = day.replace(day=1)
    alerts = []
    for (centre_id, person_id), person in current.items():
        marks = [
            (d, s) for d, s in history.get((centre_id, person_id), []) if d not in closed[centre_id]
        ]
        run = 0
        for _, status in marks:
            if status is not S.ABSENT_UNEXCUSED:
                break
            run += 1
        this_month = [s for d, s in marks if d >= month_start]
        alert = AbsenceAlert(
            person=person,
            centre=by_id[centre_id],
            consecutive=run,
            unexcused=sum(1 for s in this_month if s is S.ABSENT_UNEXCUSED),
            marked=len(this_month),
            rule=rules[centre_id],
        )
        if alert.too_many_in_a_row or alert.too_many_this_month:
            alerts.append(alert)
    return sorted(alerts, key=lambda a: (a.centre.name, -a.consecutive, -a.percent))
