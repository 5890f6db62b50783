"""Moving in the current month's paper roll: one row per child, one column per day.

A child is found in the centre's register by name (accents aside) and date of birth, or by CNP;
each mark goes to the group the child was actively enrolled in on that day. A mark on a day
outside the current month, not yet come, without activity (weekend, public holiday, closure),
for a day the child was not enrolled, or that is not one of the roll's letters is a problem on
its row and column. A roll already taken in the app is never overwritten: a different mark for
such a day is a problem; the same mark is simply not written again.

The import may fill in the whole current month (not only the correction window of the roll
page): it moves in the paper roll kept before the app, by the administrator or the centre's
coordinator, audited as one import and undone as a whole within the import's undo period.
Meals are not imported.
"""

import calendar
from dataclasses import dataclass
from datetime import date

from flask_babel import lazy_gettext as _l
from sqlalchemy import or_
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload

from daycentre.attendance.models import Attendance, AttendanceStatus, RollCall
from daycentre.audit import services as audit
from daycentre.centres.calendar import closed_days
from daycentre.centres.models import Centre
from daycentre.core.database import utcnow
from daycentre.core.errors import Refused
from daycentre.core.localtime import today
from daycentre.core.text import fold, sort_key
from daycentre.enrolment.models import ACTIVE_ONCE, Enrolment
from daycentre.extensions import db
from daycentre.moving_in.columns import OTHER_MONTH_PREFIX, day_number, read_mark
from daycentre.moving_in.problems import CheckedRow, Problem
from daycentre.people import services as people
from daycentre.people.models import Person, PersonKind


@dataclass(frozen=True)
class ImportedMark:
    person_id: int
    group_id: int
    day: date
    status: AttendanceStatus


def current_month() -> tuple[date, date]:
    first = today().replace(day=1)
    return first, first.replace(day=calendar.monthrange(first.year, first.month)[1])


def mark_letters() -> str:
    """The roll's letters in the user's language, for the problems and the page."""
    return ", ".join(f"{s.letter} = {s.label}" for s in AttendanceStatus)


# --- Checking a row on its own ------------------------------------------------------------------


def check_row(values: dict, parsed: dict, problems: list[Problem], centre: Centre) -> None:
    """The row's marks read, the days placed in the current month, the group found."""
    first, last = current_month()
    if not values.get("birth_date") and not values.get("cnp"):
        problems.append(Problem("birth_date", _l("Enter the date of birth or the CNP.")))
    cnp = (values.get("cnp") or "").replace(" ", "")
    parsed["cnp"] = cnp or None
    if cnp and (problem := people.cnp_problem(cnp, parsed.get("birth_date"))):
        problems.append(Problem("cnp", problem))
    parsed["group"] = None
    if values.get("group"):
        groups = {fold(g.name): g for g in centre.groups}
        parsed["group"] = groups.get(fold(values["group"]))
        if parsed["group"] is None:
            problems.append(
                Problem(
                    "group", _l("The centre has no group named %(name)s.", name=values["group"])
                )
            )
    marks: dict[date, AttendanceStatus] = {}
    for key, text in values.items():
        number = day_number(key)
        if number is None and not key.startswith(OTHER_MONTH_PREFIX):
            continue
        try:
            status = read_mark(text)
        except ValueError:
            problems.append(
                Problem(
                    key,
                    _l(
                        "This mark is not one of the roll's (%(letters)s): %(value)s",
                        letters=mark_letters(),
                        value=text,
                    ),
                )
            )
            continue
        if status is None:
            continue
        if number is None or number > last.day:
            problems.append(Problem(key, _l("This day is not in the current month.")))
            continue
        marks[first.replace(day=number)] = status
    parsed["marks"] = marks


# --- Checking the rows against the register -----------------------------------------------------


class Register:
    """The centre's children, enrolments, rolls and marks of the month that a file's rows may
    name: a fixed number of queries for the whole file, whatever its length."""

    def __init__(self, centre: Centre, rows: list[dict]):
        self.centre = centre
        self.groups = {group.id: group for group in centre.groups}
        self.first, self.last = current_month()
        cnps = {row["cnp"] for row in rows if row.get("cnp")}
        names = {fold(row["name"]) for row in rows if row.get("name")}
        names |= {
            fold(f"{row['family_name']} {row['given_name']}")
            for row in rows
            if row.get("family_name") and row.get("given_name")
        }
        names |= {_reversed(name) for name in names}
        enrolled_here = db.select(Enrolment.person_id).where(Enrolment.centre_id == centre.id)
        found = list(
            db.session.scalars(
                db.select(Person).where(
                    Person.kind == PersonKind.CHILD,
                    Person.id.in_(enrolled_here),
                    or_(Person.cnp.in_(cnps or {""}), Person.search_key.in_(names or {""})),
                )
            )
        )
        self.by_cnp = {p.cnp: p for p in found if p.cnp}
        self.by_name: dict[tuple[str, date | None], list[Person]] = {}
        for person in found:
            self.by_name.setdefault((person.search_key, person.birth_date), []).append(person)
        ids = [p.id for p in found] or [0]
        self.enrolments: dict[int, list[Enrolment]] = {}
        for enrolment in db.session.scalars(
            db.select(Enrolment).where(
                Enrolment.centre_id == centre.id,
                Enrolment.person_id.in_(ids),
                Enrolment.status.in_(ACTIVE_ONCE),
                Enrolment.start_date <= self.last,
                or_(Enrolment.exit_date.is_(None), Enrolment.exit_date >= self.first),
            )
        ):
            self.enrolments.setdefault(enrolment.person_id, []).append(enrolment)
        self.rolls_taken = {
            (group_id, day)
            for group_id, day in db.session.execute(
                db.select(RollCall.group_id, RollCall.day).where(
                    RollCall.centre_id == centre.id,
                    RollCall.day.between(self.first, self.last),
                )
            )
        }
        self.stored = {
            (person_id, day): status
            for person_id, day, status in db.session.execute(
                db.select(Attendance.person_id, Attendance.day, Attendance.status).where(
                    Attendance.centre_id == centre.id,
                    Attendance.day.between(self.first, self.last),
                    Attendance.person_id.in_(ids),
                )
            )
        }
        self._closed: dict[int, dict[date, str]] = {}
        self.seen: dict[int, int] = {}  # person id -> the file's row that named the child

    def closed(self, group) -> dict[date, str]:
        """The group's days without activity this month (the centre's calendar is kept in the
        process, so this reads the database once per centre, not once per group)."""
        if group.id not in self._closed:
            self._closed[group.id] = closed_days(self.centre, group, self.first, self.last)
        return self._closed[group.id]

    def child(self, parsed: dict) -> Person | None:
        if parsed.get("cnp") and parsed["cnp"] in self.by_cnp:
            return self.by_cnp[parsed["cnp"]]
        birth_date = parsed.get("birth_date")
        if birth_date is None and parsed.get("cnp"):
            birth_date = people.cnp_birth_date(parsed["cnp"])
        if parsed.get("name"):
            keys = [fold(parsed["name"]), _reversed(fold(parsed["name"]))]
        else:
            keys = [fold(f"{parsed.get('family_name', '')} {parsed.get('given_name', '')}")]
        for key in keys:
            found = self.by_name.get((key, birth_date))
            if found and len(found) == 1:
                return found[0]
        return None


def _reversed(name: str) -> str:
    """ "Ana Popescu" as the register keeps it, "popescu ana" (a roll may put the given name
    first); a name of more than two words is compared as written and with its last word first."""
    words = name.split()
    return " ".join([words[-1], *words[:-1]]) if len(words) > 1 else name


def check_against_register(row: CheckedRow, register: Register) -> None:
    """The child found, and each mark's day checked against the child's enrolments, the group's
    days of activity and the rolls already taken in the app."""
    parsed = row.parsed
    name_column = "name" if parsed.get("name") else "given_name"
    child = register.child(parsed)
    if child is None:
        row.problems.append(
            Problem(
                name_column,
                _l(
                    "No child with this name and date of birth (or CNP) is in the centre's register."
                ),
            )
        )
        return
    if child.id in register.seen:
        row.problems.append(
            Problem(
                name_column,
                _l(
                    "This child is already on row %(row)d of the file.", row=register.seen[child.id]
                ),
            )
        )
        return
    register.seen[child.id] = row.number
    parsed["person"] = child
    enrolments = [
        e
        for e in register.enrolments.get(child.id, [])
        if parsed.get("group") is None or e.group_id == parsed["group"].id
    ]
    marks = []
    for day, status in sorted(parsed["marks"].items()):
        column = f"day_{day.day}"
        active = [e for e in enrolments if e.active_on(day)]
        if len(active) != 1:
            problem = (
                _l("The child was not actively enrolled in the group on this day.")
                if not active
                else _l("The child was in two groups on this day: add the group's column.")
            )
            row.problems.append(Problem(column, problem))
            continue
        group = register.groups[active[0].group_id]
        if reason := register.closed(group).get(day):
            row.problems.append(
                Problem(column, _l("No activity on this day (%(why)s).", why=reason))
            )
            continue
        if day > today():
            row.problems.append(Problem(column, _l("This day has not come yet.")))
            continue
        stored = register.stored.get((child.id, day))
        if stored is status:
            continue  # the app already holds this very mark
        if stored is not None or (group.id, day) in register.rolls_taken:
            row.problems.append(
                Problem(
                    column,
                    _l(
                        "The roll of this day was already taken in the app; its marks stay: "
                        "leave this day out of the file."
                    ),
                )
            )
            continue
        marks.append(ImportedMark(child.id, group.id, day, status))
    parsed["to_write"] = marks


# --- Writing the marks ----------------------------------------------------------------------------


def write_marks(centre: Centre, rows: list[CheckedRow], *, actor) -> list:
    """The accepted rows' marks and a roll call for each group's day they fill in, in a few
    statements; each mark's creation goes to the audit trail (the import itself is audited by
    the caller). Returns the records created."""
    marks = [mark for row in rows for mark in row.parsed.get("to_write", [])]
    if not marks:
        raise Refused(_l("The file holds no mark to import: correct it and send it again."))
    days = sorted({(m.group_id, m.day) for m in marks})
    roll_calls = [
        RollCall(
            centre_id=centre.id, group_id=group_id, day=day, saved_at=utcnow(), saved_by_id=actor.id
        )
        for group_id, day in days
    ]
    rows_of_marks = [
        {
            "centre_id": centre.id,
            "group_id": m.group_id,
            "person_id": m.person_id,
            "day": m.day,
            "status": m.status,
            "version": 1,
        }
        for m in marks
    ]
    db.session.add_all(roll_calls)
    try:
        with db.session.begin_nested():
            db.session.flush()
            # One statement for all the marks (the ORM would send one per mark on SQLite).
            new_ids = db.session.execute(
                db.insert(Attendance).returning(
                    Attendance.id, Attendance.person_id, Attendance.day
                ),
                rows_of_marks,
            ).all()
    except IntegrityError:  # a roll saved in the app between the check and now
        raise Refused(
            _l("A roll of these days was saved in the app meanwhile; send the file again.")
        ) from None
    id_of = {(person_id, day): id_ for id_, person_id, day in new_ids}
    # Detached copies holding the new ids: for the audit trail and the import's undo.
    attendances = [
        Attendance(id=id_of[(row["person_id"], row["day"])], **row) for row in rows_of_marks
    ]
    audit.record_all(
        [
            audit.entry_values(
                audit.CREATE,
                attendance,
                actor=actor,
                centre_id=centre.id,
                person_id=attendance.person_id,
                changes=audit.snapshot(attendance),
            )
            for attendance in attendances
        ]
    )
    return roll_calls + attendances


# --- The roll to fill in --------------------------------------------------------------------------


def roll_to_fill_in(centre: Centre) -> tuple[list[tuple], list[date]]:
    """The children actively enrolled in the centre's groups during the month as (person,
    group), by group and name, and the month's days: the roll the centre fills in."""
    first, last = current_month()
    groups = {group.id: group for group in centre.groups}
    found = db.session.scalars(
        db.select(Enrolment)
        .options(joinedload(Enrolment.person))
        .where(
            Enrolment.centre_id == centre.id,
            Enrolment.status.in_(ACTIVE_ONCE),
            Enrolment.start_date <= last,
            or_(Enrolment.exit_date.is_(None), Enrolment.exit_date >= first),
        )
    ).unique()
    # A child enrolled twice in a group this month (left and came back) is one row.
    children = list(
        dict.fromkeys(
            (e.person, groups[e.group_id]) for e in found if e.person.kind is PersonKind.CHILD
        )
    )
    children.sort(
        key=lambda pair: (
            sort_key(pair[1].name),
            sort_key(pair[0].family_name),
            sort_key(pair[0].given_name),
            pair[0].id,
        )
    )
    days = [first.replace(day=n) for n in range(1, last.day + 1)]
    return children, days


def closed_in_month(centre: Centre, group) -> dict[date, str]:
    first, last = current_month()
    return closed_days(centre, group, first, last)
