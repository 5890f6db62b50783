"""What a parent reads about their own children and family, each read already scoped.

Every function takes a child the parent reached through ``services.child_or_404``, the family of
``services.family_of`` or the ids of ``services.family_people`` (the parent and their children,
never another adult of the family): nothing here opens a record by an id from the address. A counselling
appointment shows its time and place only: the session's note is never loaded.
"""

import calendar
from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import or_, select

from daycentre.attendance.models import Attendance, AttendanceStatus
from daycentre.centres.calendar import closed_days
from daycentre.centres.models import Centre, Room
from daycentre.counselling.models import CounsellingSession, SessionStatus
from daycentre.enrolment.models import Enrolment, EnrolmentStatus
from daycentre.extensions import db
from daycentre.meals.models import MealType, Menu
from daycentre.people.models import Family, Person
from daycentre.programme import services as programme
from daycentre.programme.models import (
    Outing,
    OutingChild,
    OutingStatus,
    PermissionState,
    ProgrammeSlot,
)
from daycentre.workshops import services as workshops
from daycentre.workshops.models import (
    RegistrationStatus,
    Workshop,
    WorkshopRegistration,
    WorkshopSession,
)


def enrolment_of(child: Person) -> Enrolment | None:
    """The child's active enrolment (its centre and group), if any."""
    return db.session.scalar(
        select(Enrolment)
        .where(Enrolment.person_id == child.id, Enrolment.status == EnrolmentStatus.ACTIVE)
        .order_by(Enrolment.start_date.desc(), Enrolment.id.desc())
        .limit(1)
    )


# --- Attendance this month ----------------------------------------------------------------------


@dataclass(frozen=True)
class MonthAttendance:
    first: date
    marks: dict[date, AttendanceStatus]
    counts: Counter


def attendance_in_month(child: Person, day: date) -> MonthAttendance:
    first = day.replace(day=1)
    last = first.replace(day=calendar.monthrange(first.year, first.month)[1])
    rows = db.session.execute(
        select(Attendance.day, Attendance.status).where(
            Attendance.person_id == child.id, Attendance.day.between(first, last)
        )
    )
    marks = {row.day: row.status for row in rows}
    return MonthAttendance(first, marks, Counter(marks.values()))


# --- Today's menu -------------------------------------------------------------------------------


def menu_on(centre_id: int, day: date) -> list[tuple[MealType, Menu]]:
    rows = db.session.execute(
        select(MealType, Menu)
        .join(Menu, Menu.meal_type_id == MealType.id)
        .where(Menu.centre_id == centre_id, Menu.day == day)
        .order_by(MealType.position, MealType.id)
    )
    return [(row.MealType, row.Menu) for row in rows]


# --- The programme this week --------------------------------------------------------------------


def programme_week(
    enrolment: Enrolment, monday: date
) -> list[tuple[date, list[ProgrammeSlot], str | None]]:
    """Each day of the week with the slots of the programme in force that day, or why the centre
    is closed then (a public holiday, a closure day): the programme does not run on those."""
    sunday = monday + timedelta(days=6)
    closed = closed_days(enrolment.centre, enrolment.group, monday, sunday)
    days = []
    for offset in range(7):
        day = monday + timedelta(days=offset)
        slots = [entry.slot for entry in programme.day_programme(enrolment.group_id, day)]
        if slots:
            days.append((day, [], closed[day]) if day in closed else (day, slots, None))
    return days


# --- Outings waiting for the parent -------------------------------------------------------------


def outings_waiting(child: Person, now: datetime) -> list[OutingChild]:
    return list(
        db.session.scalars(
            select(OutingChild)
            .join(Outing, Outing.id == OutingChild.outing_id)
            .where(
                OutingChild.person_id == child.id,
                OutingChild.permission == PermissionState.PENDING,
                Outing.status.in_((OutingStatus.PLANNED, OutingStatus.CONFIRMED)),
                Outing.starts_at > now,
            )
            .order_by(Outing.starts_at)
        )
    )


# --- The family's appointments ------------------------------------------------------------------


@dataclass(frozen=True)
class Appointment:
    """A time and a place, and what it is: nothing a counsellor wrote."""

    starts_at: datetime
    ends_at: datetime
    what: str
    who: str
    centre: Centre
    room: Room | None
    counselling: bool


def appointments(
    family: Family, person_ids: list[int], now: datetime, *, limit: int = 20
) -> list[Appointment]:
    """The family's own sessions and those of ``person_ids`` (the parent and their children,
    ``services.family_people``): another adult's session stays theirs."""
    member_ids = person_ids or [0]
    rows = db.session.execute(select(Person.id, Person.given_name).where(Person.id.in_(member_ids)))
    names = {row.id: row.given_name for row in rows}
    sessions = db.session.execute(
        select(
            CounsellingSession.starts_at,
            CounsellingSession.ends_at,
            CounsellingSession.session_type,
            CounsellingSession.person_id,
            Centre,
            Room,
        )
        .join(Centre, Centre.id == CounsellingSession.centre_id)
        .join(Room, Room.id == CounsellingSession.room_id)
        .where(
            or_(
                CounsellingSession.family_id == family.id,
                CounsellingSession.person_id.in_(member_ids),
            ),
            CounsellingSession.status == SessionStatus.SCHEDULED,
            CounsellingSession.ends_at > now,
        )
        .order_by(CounsellingSession.starts_at)
        .limit(limit)
    )
    found = [
        Appointment(
            row.starts_at,
            row.ends_at,
            row.session_type.label,
            names.get(row.person_id, ""),
            row.Centre,
            row.Room,
            True,
        )
        for row in sessions
    ]
    workshop_sessions = db.session.execute(
        select(WorkshopSession, WorkshopRegistration.person_id)
        .join(Workshop, Workshop.id == WorkshopSession.workshop_id)
        .join(WorkshopRegistration, WorkshopRegistration.workshop_id == Workshop.id)
        .where(
            WorkshopRegistration.person_id.in_(member_ids),
            WorkshopRegistration.status == RegistrationStatus.REGISTERED,
            WorkshopSession.ends_at > now,
        )
        .order_by(WorkshopSession.starts_at)
        .limit(limit)
    )
    found += [
        Appointment(
            session.starts_at,
            session.ends_at,
            session.workshop.title,
            names.get(person_id, ""),
            session.workshop.centre,
            session.workshop.room,
            False,
        )
        for session, person_id in workshop_sessions
    ]
    return sorted(found, key=lambda a: a.starts_at)[:limit]


# --- Documents issued to the family -------------------------------------------------------------


@dataclass(frozen=True)
class Certificate:
    registration: WorkshopRegistration
    workshop: Workshop
    person: Person
    progress: workshops.Progress


def certificates(person_ids: list[int]) -> list[Certificate]:
    """The workshop certificates the parent and their children earned (what the staff print)."""
    registrations = db.session.scalars(
        select(WorkshopRegistration)
        .where(
            WorkshopRegistration.person_id.in_(person_ids),
            WorkshopRegistration.status == RegistrationStatus.REGISTERED,
        )
        .order_by(WorkshopRegistration.registered_at)
    )
    found = []
    for registration in registrations:
        progress = workshops.progress(registration.workshop).get(registration.person_id)
        if progress is not None and progress.completed:
            found.append(
                Certificate(registration, registration.workshop, registration.person, progress)
            )
    return found


def contracts(person_ids: list[int]) -> list[Enrolment]:
    """The service contracts signed for the parent and their children (current and ended)."""
    enrolments = db.session.scalars(
        select(Enrolment)
        .where(Enrolment.person_id.in_(person_ids), Enrolment.contract_number.is_not(None))
        .order_by(Enrolment.contract_date, Enrolment.id)
    )
    return [enrolment for enrolment in enrolments if enrolment.contract_signed]


def contract_or_none(person_ids: list[int], enrolment_id: int) -> Enrolment | None:
    return next((e for e in contracts(person_ids) if e.id == enrolment_id), None)


def certificate_or_none(person_ids: list[int], registration_id: int) -> Certificate | None:
    found = certificates(person_ids)
    return next((c for c in found if c.registration.id == registration_id), None)
