"""The pseudonymised export, for statistics and research (GDPR Art. 4(5), 25, 89).

Every person, household and case appears under a keyed hash of its id (HMAC-SHA256 with the
installation's ``PSEUDONYM_KEY``): the same in every export from this installation, so that
exports can be joined over the years, and impossible to recompute or reverse without the key.
Names, CNP, contacts, addresses and every free text are left out; what stays is what statistics
count: dates, categories (as their stored codes), centre, group, sex, year of birth, town.

Each sheet lists its columns once, with their translated header and how a row fills them; a
test fills every column that retention treats as personal with a marker and finds none of them
in the files.
"""

import hashlib
import hmac
import io
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from daycentre.attendance.models import Attendance
from daycentre.cases.models import Case, case_children
from daycentre.centres.models import Centre, Group
from daycentre.core.documents import csv_file, spreadsheet_book
from daycentre.counselling.models import CounsellingSession
from daycentre.enrolment.models import Enrolment
from daycentre.extensions import db
from daycentre.meals.models import MealServed, MealType
from daycentre.people.models import Family, Person
from daycentre.workshops.models import (
    GroupMeeting,
    GroupMembership,
    MeetingAttendance,
    SupportGroup,
    Workshop,
    WorkshopAttendance,
    WorkshopRegistration,
    WorkshopSession,
)


def pseudonym(kind: str, record_id: int | None) -> str | None:
    """The record's stable pseudonym: 20 hex digits of HMAC-SHA256(key, "kind:id")."""
    if record_id is None:
        return None
    key = current_app.config["PSEUDONYM_KEY"].encode()
    return hmac.new(key, f"{kind}:{record_id}".encode(), hashlib.sha256).hexdigest()[:20]


def _code(value) -> Any:
    return getattr(value, "value", value)


def _year(day) -> int | None:
    return day.year if day else None


@dataclass(frozen=True)
class Column:
    header: Any  # a lazy string: translated when the file is written
    value: Callable[[Any], Any]


@dataclass(frozen=True)
class Sheet:
    name: str  # the file and audit name
    title: Any
    columns: tuple[Column, ...]
    rows: Callable[[], list]  # the records, each turned into a row by the columns

    def table(self) -> tuple[list[str], list[list]]:
        headers = [str(column.header) for column in self.columns]
        return headers, [[column.value(row) for column in self.columns] for row in self.rows()]


def _all(query) -> Callable[[], list]:
    return lambda: list(db.session.execute(query))


def _person(row) -> str | None:
    return pseudonym("person", row.person_id)


def _household(row) -> str | None:
    return pseudonym("family", row.family_id)


def sheets() -> list[Sheet]:
    """The tables of the export, in order."""
    centre, group = Centre.name.label("centre"), Group.name.label("group")
    person, household = Column(_l("Person"), _person), Column(_l("Household"), _household)
    centre_column = Column(_l("Centre"), lambda r: r.centre)
    return [
        Sheet(
            "people",
            _l("People"),
            (
                person,
                household,
                centre_column,
                Column(_l("Who"), lambda r: _code(r.kind)),
                Column(_l("Relationship"), lambda r: _code(r.relation)),
                Column(_l("Sex"), lambda r: _code(r.sex)),
                Column(_l("Year of birth"), lambda r: _year(r.birth_date)),
                Column(_l("Town"), lambda r: r.city),
            ),
            _all(
                select(
                    Person.id.label("person_id"),
                    Person.family_id,
                    centre,
                    Person.kind,
                    Person.relation,
                    Person.sex,
                    Person.birth_date,
                    Family.city,
                )
                .join(Family, Family.id == Person.family_id)
                .join(Centre, Centre.id == Family.centre_id)
                .order_by(Person.id)
            ),
        ),
        Sheet(
            "register",
            _l("Register"),
            (
                person,
                centre_column,
                Column(_l("Group"), lambda r: r.group),
                Column(_l("Status"), lambda r: _code(r.status)),
                Column(_l("Application date"), lambda r: r.applied_on),
                Column(_l("Start date"), lambda r: r.start_date),
                Column(_l("Suspended on"), lambda r: r.suspended_on),
                Column(_l("Exit date"), lambda r: r.exit_date),
            ),
            _all(
                select(
                    Enrolment.person_id,
                    centre,
                    group,
                    Enrolment.status,
                    Enrolment.applied_on,
                    Enrolment.start_date,
                    Enrolment.suspended_on,
                    Enrolment.exit_date,
                )
                .join(Centre, Centre.id == Enrolment.centre_id)
                .join(Group, Group.id == Enrolment.group_id)
                .order_by(Enrolment.centre_id, Enrolment.number)
            ),
        ),
        Sheet(
            "attendance",
            _l("Attendance"),
            (
                person,
                centre_column,
                Column(_l("Group"), lambda r: r.group),
                Column(_l("Date"), lambda r: r.day),
                Column(_l("Status"), lambda r: _code(r.status)),
            ),
            _all(
                select(Attendance.person_id, centre, group, Attendance.day, Attendance.status)
                .join(Centre, Centre.id == Attendance.centre_id)
                .join(Group, Group.id == Attendance.group_id)
                .order_by(Attendance.day, Attendance.id)
            ),
        ),
        Sheet(
            "meals",
            _l("Meals"),
            (
                person,
                centre_column,
                Column(_l("Meal"), lambda r: r.meal),
                Column(_l("Date"), lambda r: r.day),
            ),
            _all(
                select(MealServed.person_id, centre, MealType.name.label("meal"), MealServed.day)
                .join(Centre, Centre.id == MealServed.centre_id)
                .join(MealType, MealType.id == MealServed.meal_type_id)
                .order_by(MealServed.day, MealServed.id)
            ),
        ),
        Sheet(
            "counselling",
            _l("Counselling sessions"),
            (
                person,
                household,
                centre_column,
                Column(_l("Kind"), lambda r: _code(r.session_type)),
                Column(_l("Status"), lambda r: _code(r.status)),
                Column(_l("Date"), lambda r: r.starts_at),
                Column(_l("Minutes"), lambda r: r.minutes_spent),
            ),
            _all(
                select(
                    CounsellingSession.person_id,
                    CounsellingSession.family_id,
                    centre,
                    CounsellingSession.session_type,
                    CounsellingSession.status,
                    CounsellingSession.starts_at,
                    CounsellingSession.minutes_spent,
                )
                .join(Centre, Centre.id == CounsellingSession.centre_id)
                .order_by(CounsellingSession.starts_at, CounsellingSession.id)
            ),
        ),
        Sheet(
            "workshop_registrations",
            _l("Workshop registrations"),
            (
                person,
                centre_column,
                Column(_l("Workshop"), lambda r: r.workshop),
                Column(_l("Status"), lambda r: _code(r.status)),
            ),
            _all(
                select(
                    WorkshopRegistration.person_id,
                    centre,
                    Workshop.title.label("workshop"),
                    WorkshopRegistration.status,
                )
                .join(Workshop, Workshop.id == WorkshopRegistration.workshop_id)
                .join(Centre, Centre.id == Workshop.centre_id)
                .order_by(WorkshopRegistration.id)
            ),
        ),
        Sheet(
            "workshop_attendance",
            _l("Workshop attendance"),
            (
                person,
                centre_column,
                Column(_l("Workshop"), lambda r: r.workshop),
                Column(_l("Date"), lambda r: r.starts_at),
                Column(_l("Present"), lambda r: r.present),
            ),
            _all(
                select(
                    WorkshopAttendance.person_id,
                    centre,
                    Workshop.title.label("workshop"),
                    WorkshopSession.starts_at,
                    WorkshopAttendance.present,
                )
                .join(WorkshopSession, WorkshopSession.id == WorkshopAttendance.session_id)
                .join(Workshop, Workshop.id == WorkshopSession.workshop_id)
                .join(Centre, Centre.id == Workshop.centre_id)
                .order_by(WorkshopSession.starts_at, WorkshopAttendance.id)
            ),
        ),
        Sheet(
            "support_group_members",
            _l("Support group members"),
            (
                person,
                centre_column,
                Column(_l("Support group"), lambda r: r.topic),
                Column(_l("Joined on"), lambda r: r.joined_on),
                Column(_l("Left on"), lambda r: r.left_on),
            ),
            _all(
                select(
                    GroupMembership.person_id,
                    centre,
                    SupportGroup.topic,
                    GroupMembership.joined_on,
                    GroupMembership.left_on,
                )
                .join(SupportGroup, SupportGroup.id == GroupMembership.group_id)
                .join(Centre, Centre.id == SupportGroup.centre_id)
                .order_by(GroupMembership.id)
            ),
        ),
        Sheet(
            "support_group_attendance",
            _l("Support group attendance"),
            (
                person,
                centre_column,
                Column(_l("Support group"), lambda r: r.topic),
                Column(_l("Date"), lambda r: r.starts_at),
                Column(_l("Present"), lambda r: r.present),
            ),
            _all(
                select(
                    MeetingAttendance.person_id,
                    centre,
                    SupportGroup.topic,
                    GroupMeeting.starts_at,
                    MeetingAttendance.present,
                )
                .join(GroupMeeting, GroupMeeting.id == MeetingAttendance.meeting_id)
                .join(SupportGroup, SupportGroup.id == GroupMeeting.group_id)
                .join(Centre, Centre.id == SupportGroup.centre_id)
                .order_by(GroupMeeting.starts_at, MeetingAttendance.id)
            ),
        ),
        Sheet(
            "cases",
            _l("Cases"),
            (
                Column(_l("Case"), lambda r: pseudonym("case", r.id)),
                household,
                centre_column,
                Column(_l("Date received"), lambda r: r.received_on),
                Column(_l("Source"), lambda r: _code(r.source)),
                Column(_l("Channel"), lambda r: _code(r.channel)),
                Column(_l("Stage"), lambda r: _code(r.stage)),
                Column(_l("Protection measure"), lambda r: _code(r.protection_body)),
                Column(_l("Reason for closure"), lambda r: _code(r.closure_reason)),
                Column(_l("Stays in the family"), lambda r: r.stays_in_family),
                Column(_l("Closed on"), lambda r: r.closed_on),
            ),
            _all(
                select(
                    Case.id,
                    Case.family_id,
                    centre,
                    Case.received_on,
                    Case.source,
                    Case.channel,
                    Case.stage,
                    Case.protection_body,
                    Case.closure_reason,
                    Case.stays_in_family,
                    Case.closed_on,
                )
                .join(Centre, Centre.id == Case.centre_id)
                .order_by(Case.id)
            ),
        ),
        Sheet(
            "case_children",
            _l("Children of the cases"),
            (Column(_l("Case"), lambda r: pseudonym("case", r.case_id)), person),
            _all(
                select(case_children.c.case_id, case_children.c.person_id).order_by(
                    case_children.c.case_id, case_children.c.person_id
                )
            ),
        ),
    ]


def tables() -> list[tuple[Sheet, list[str], list[list]]]:
    return [(sheet, *sheet.table()) for sheet in sheets()]


def workbook(tables_) -> bytes:
    """One XLSX workbook, a sheet per table."""
    return spreadsheet_book([(str(sheet.title), headers, rows) for sheet, headers, rows in tables_])


def csv_archive(tables_) -> bytes:
    """A zip of one CSV file per table."""
    stream = io.BytesIO()
    with zipfile.ZipFile(stream, "w", zipfile.ZIP_DEFLATED) as archive:
        for sheet, headers, rows in tables_:
            archive.writestr(f"{sheet.name}.csv", csv_file(headers, rows))
    return stream.getvalue()
