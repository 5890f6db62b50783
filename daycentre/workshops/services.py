"""Parenting workshops and support groups: sessions generated as a series without clashes,
registration within capacity with a first-come waiting list, attendance, completion and counts."""

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from flask import current_app
from flask_babel import format_date, lazy_ngettext
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import contains_eager

from daycentre import scheduling
from daycentre.audit import services as audit
from daycentre.auth import scope
from daycentre.auth.models import User
from daycentre.centres.models import Centre, Room
from daycentre.core.database import insert_unless_present, utcnow
from daycentre.core.errors import Refused, ensure_current
from daycentre.core.localtime import BUCHAREST, day_bounds, local_date, local_instant
from daycentre.core.places import free_place, take_place
from daycentre.counselling import services as counselling
from daycentre.extensions import db
from daycentre.notifications import services as notify
from daycentre.notifications.models import Event
from daycentre.people.models import Family, Person, PersonKind
from daycentre.workshops.models import (
    Audience,
    GroupMeeting,
    GroupMembership,
    MeetingAttendance,
    RegistrationStatus,
    SupportGroup,
    Workshop,
    WorkshopAttendance,
    WorkshopRegistration,
    WorkshopSession,
    workshop_facilitators,
)

R = RegistrationStatus
WS = WorkshopSession
MAX_SESSIONS = 52
SESSIONS_TABLE = WorkshopSession.__tablename__
MEETINGS_TABLE = GroupMeeting.__tablename__


# --- Queries --------------------------------------------------------------------------------------


def visible_workshops(user) -> list[Workshop]:
    query = scope.select_visible(Workshop, user).order_by(Workshop.id.desc())
    return list(db.session.scalars(query))


def visible_groups(user) -> list[SupportGroup]:
    query = scope.select_visible(SupportGroup, user).order_by(SupportGroup.topic)
    return list(db.session.scalars(query))


def participants(workshop: Workshop) -> list[WorkshopRegistration]:
    return [r for r in workshop.registrations if r.status is R.REGISTERED]


def waiting_list(workshop: Workshop) -> list[WorkshopRegistration]:
    """In the order places are offered: queue position, then who came first."""
    waiting = [r for r in workshop.registrations if r.status is R.WAITING]
    return sorted(waiting, key=lambda r: (r.queue_position, r.id))


def adults_of(centre_id: int) -> list[Person]:
    return list(
        db.session.scalars(
            select(Person)
            .join(Family)
            .where(Family.centre_id == centre_id, Person.kind == PersonKind.ADULT)
            .order_by(Person.family_name, Person.given_name)
        )
    )


def candidates(workshop: Workshop) -> list[Person]:
    """Adults of the workshop's centre who are not registered or waiting yet."""
    taken = {r.person_id for r in workshop.registrations if r.status is not R.CANCELLED}
    return [p for p in adults_of(workshop.centre_id) if p.id not in taken]


def group_candidates(group: SupportGroup) -> list[Person]:
    """Adults of the group's centre who are not current members."""
    current = {m.person_id for m in group.members if m.left_on is None}
    return [p for p in adults_of(group.centre_id) if p.id not in current]


# --- Busy sources: workshop sessions and group meetings hold facilitators and rooms ---------------


@scheduling.register_busy_source
def workshop_busy_slots(starts_at, ends_at, resources: scheduling.Resources):
    if not resources.users and not resources.rooms:
        return []
    facilitated = select(workshop_facilitators.c.workshop_id).where(
        workshop_facilitators.c.user_id.in_(resources.users or {0})
    )
    rows = db.session.scalars(
        select(WS)
        .join(Workshop)
        .where(
            or_(Workshop.room_id.in_(resources.rooms or {0}), Workshop.id.in_(facilitated)),
            WS.starts_at < ends_at,
            WS.ends_at > starts_at,
        )
    )
    what = _("workshop session")
    slots = []
    for row in rows:
        source = (SESSIONS_TABLE, row.id)
        if row.workshop.room_id in resources.rooms:
            slots.append(
                scheduling.BusySlot(
                    scheduling.ROOM, row.workshop.room_id, row.starts_at, row.ends_at, source, what
                )
            )
        for user_id in row.workshop.facilitator_ids & resources.users:
            slots.append(
                scheduling.BusySlot(
                    scheduling.USER, user_id, row.starts_at, row.ends_at, source, what
                )
            )
    return slots


@scheduling.register_busy_source
def meeting_busy_slots(starts_at, ends_at, resources: scheduling.Resources):
    if not resources.users and not resources.rooms:
        return []
    rows = db.session.scalars(
        select(GroupMeeting)
        .join(SupportGroup)
        .where(
            or_(
                SupportGroup.room_id.in_(resources.rooms or {0}),
                SupportGroup.facilitator_id.in_(resources.users or {0}),
            ),
            GroupMeeting.starts_at < ends_at,
            GroupMeeting.ends_at > starts_at,
        )
    )
    what = _("support group meeting")
    slots = []
    for row in rows:
        source = (MEETINGS_TABLE, row.id)
        group = row.group
        if group.room_id in resources.rooms:
            slots.append(
                scheduling.BusySlot(
                    scheduling.ROOM, group.room_id, row.starts_at, row.ends_at, source, what
                )
            )
        if group.facilitator_id in resources.users:
            slots.append(
                scheduling.BusySlot(
                    scheduling.USER, group.facilitator_id, row.starts_at, row.ends_at, source, what
                )
            )
    return slots


# --- Checks ---------------------------------------------------------------------------------------


def _check_centre(centre: Centre, actor) -> None:
    if not actor.sees_centre(centre.id):
        raise Refused(_l("Choose one of your centres."))


def _check_room(centre: Centre, room: Room | None) -> None:
    if room is None or room.centre_id != centre.id or not room.active:
        raise Refused(_l("Choose a room of this centre."))


def _check_facilitators(centre: Centre, facilitators: list[User]) -> None:
    if not facilitators:
        raise Refused(_l("Choose at least one facilitator."))
    for user in facilitators:
        if not scope.counsels(user) or not user.active or centre.id not in user.centre_ids:
            raise Refused(_l("Facilitators are counsellors of this centre."))


def _check_minutes(minutes: int) -> timedelta:
    if not minutes or minutes < 15 or minutes > 8 * 60:
        raise Refused(_l("A session lasts between 15 minutes and 8 hours."))
    return timedelta(minutes=minutes)


def series_starts(first: datetime, *, count: int, interval_days: int = 7) -> list[datetime]:
    """``count`` starts, ``interval_days`` apart, each at the first one's Bucharest wall-clock time."""
    if first.tzinfo is None:
        raise ValueError("first must be an aware datetime")
    if not count or count < 1 or count > MAX_SESSIONS:
        raise Refused(
            lazy_ngettext(
                "A workshop has between 1 and %(num)d session.",
                "A workshop has between 1 and %(num)d sessions.",
                MAX_SESSIONS,
            )
        )
    if not interval_days or interval_days < 1:
        raise Refused(_l("Repeat at least one day apart."))
    local = first.astimezone(BUCHAREST)
    return [
        local_instant(local.date() + timedelta(days=interval_days * i), local.time())
        for i in range(count)
    ]


def _workshop_resources(workshop: Workshop, facilitator_ids=None) -> scheduling.Resources:
    users = facilitator_ids if facilitator_ids is not None else workshop.facilitator_ids
    return scheduling.Resources(users=users, rooms={workshop.room_id})


def _record(action, record, *, actor, centre_id, person_id=None, changes=None) -> None:
    audit.record(
        action, record, actor=actor, centre_id=centre_id, person_id=person_id, changes=changes
    )


# --- Workshops ------------------------------------------------------------------------------------


def create_workshop(
    centre: Centre,
    *,
    actor,
    title: str,
    audience,
    room: Room | None,
    capacity: int,
    facilitators: list[User],
    first_start: datetime,
    minutes: int,
    count: int,
    interval_days: int = 7,
    description: str | None = None,
) -> Workshop:
    """A workshop and its sessions, all or nothing: every session is checked for clashes."""
    _check_centre(centre, actor)
    _check_room(centre, room)
    _check_facilitators(centre, facilitators)
    title = (title or "").strip()
    if not title:
        raise Refused(_l("The workshop needs a title."))
    if not capacity or capacity < 1:
        raise Refused(_l("A workshop has at least one place."))
    length = _check_minutes(minutes)
    starts = series_starts(first_start, count=count, interval_days=interval_days)
    if length >= timedelta(days=interval_days):
        raise Refused(_l("The sessions of a series cannot overlap each other."))
    intervals = [(start, start + length) for start in starts]
    resources = scheduling.Resources(users={u.id for u in facilitators}, rooms={room.id})
    counselling.check_bookable(centre, intervals, resources, series=True)
    workshop = Workshop(
        centre_id=centre.id,
        title=title,
        description=(description or "").strip() or None,
        audience=Audience(audience),
        room_id=room.id,
        capacity=capacity,
        taken_places=0,
        created_by_id=actor.id,
    )
    workshop.facilitators = list(facilitators)
    db.session.add(workshop)
    db.session.flush()
    _record(
        audit.CREATE, workshop, actor=actor, centre_id=centre.id, changes=audit.snapshot(workshop)
    )
    for start, end in intervals:
        session = WS(workshop=workshop, starts_at=start, ends_at=end)
        db.session.add(session)
        db.session.flush()
        _record(
            audit.CREATE, session, actor=actor, centre_id=centre.id, changes=audit.snapshot(session)
        )
    return workshop


def update_workshop(
    workshop: Workshop, *, actor, title: str, description: str | None, audience, capacity: int
) -> list[WorkshopRegistration]:
    """Change the programme's details; more places promote the first in line."""
    title = (title or "").strip()
    if not title:
        raise Refused(_l("The workshop needs a title."))
    db.session.refresh(workshop)
    if not capacity or capacity < workshop.taken_places:
        raise Refused(
            lazy_ngettext(
                "%(num)d person is already registered; there cannot be fewer places.",
                "%(num)d people are already registered; there cannot be fewer places.",
                workshop.taken_places,
            )
        )
    workshop.title = title
    workshop.description = (description or "").strip() or None
    workshop.audience = Audience(audience)
    workshop.capacity = capacity
    changes = audit.pending_changes(workshop)
    db.session.flush()
    if changes:
        _record(audit.UPDATE, workshop, actor=actor, centre_id=workshop.centre_id, changes=changes)
    promoted = []
    while (registration := _promote_first_waiting(workshop, actor=actor)) is not None:
        promoted.append(registration)
    return promoted


def move_session(
    session: WorkshopSession, *, actor, start: datetime, minutes: int, version=None
) -> WorkshopSession:
    """Move one session of the series; refused if the room or a facilitator is busy then."""
    ensure_current(session, version)
    workshop = session.workshop
    end = start + _check_minutes(minutes)
    counselling.check_bookable(
        workshop.centre,
        [(start, end)],
        _workshop_resources(workshop),
        ignore={(SESSIONS_TABLE, session.id)},
    )
    session.starts_at, session.ends_at = start, end
    changes = audit.pending_changes(session)
    db.session.flush()
    _record(audit.UPDATE, session, actor=actor, centre_id=workshop.centre_id, changes=changes)
    return session


# --- Registration and the waiting list ------------------------------------------------------------


def _next_position(workshop_id: int) -> int:
    highest = db.session.scalar(
        select(func.max(WorkshopRegistration.queue_position)).where(
            WorkshopRegistration.workshop_id == workshop_id
        )
    )
    return (highest or 0) + 1


def register(workshop: Workshop, person: Person, *, actor) -> WorkshopRegistration:
    """A place if one is free, else the end of the waiting list."""
    if person.family.centre_id != workshop.centre_id or not actor.sees_centre(workshop.centre_id):
        raise Refused(_l("Choose an adult of this centre."))
    return _register(workshop, person, actor=actor)


def open_to_parents(centre_id: int) -> list[Workshop]:
    """The centre's workshops a parent may join in the app: for adults, with a session to come."""
    upcoming = (
        select(WorkshopSession.id)
        .where(WorkshopSession.workshop_id == Workshop.id, WorkshopSession.starts_at > utcnow())
        .exists()
    )
    return list(
        db.session.scalars(
            select(Workshop)
            .where(
                Workshop.centre_id == centre_id,
                Workshop.audience != Audience.ADOLESCENTS,
                upcoming,
            )
            .order_by(Workshop.title, Workshop.id)
        )
    )


def register_in_app(workshop: Workshop, person: Person, *, actor) -> WorkshopRegistration:
    """A parent registers themselves (the parent's pages pass their own adult), under the same
    capacity and waiting-list rules as a registration by the staff."""
    if workshop not in open_to_parents(person.family.centre_id):
        raise Refused(_l("This workshop does not take registrations in the app."))
    return _register(workshop, person, actor=actor)


def _register(workshop: Workshop, person: Person, *, actor) -> WorkshopRegistration:
    if person.kind is not PersonKind.ADULT:
        raise Refused(_l("Workshops are for adults; choose an adult."))
    registration = db.session.scalar(
        select(WorkshopRegistration).where(
            WorkshopRegistration.workshop_id == workshop.id,
            WorkshopRegistration.person_id == person.id,
        )
    )
    if registration is not None and registration.status is not R.CANCELLED:
        raise Refused(_l("%(name)s is already registered.", name=person.full_name))
    status = R.REGISTERED if take_place(Workshop.capacity, workshop.id) else R.WAITING
    if registration is None:
        registration = WorkshopRegistration(workshop_id=workshop.id, person_id=person.id)
        db.session.add(registration)
    registration.status = status
    registration.registered_at = utcnow()
    registration.cancelled_at = None
    registration.queue_position = _next_position(workshop.id)
    try:
        db.session.flush()
    except IntegrityError:  # the same person registered by someone else at the same moment
        raise Refused(_l("%(name)s is already registered.", name=person.full_name)) from None
    db.session.refresh(workshop)
    _record(
        audit.CREATE,
        registration,
        actor=actor,
        centre_id=workshop.centre_id,
        person_id=person.id,
        changes={"workshop_id": workshop.id, "status": status.value},
    )
    return registration


def _promote(registration: WorkshopRegistration, *, actor) -> None:
    registration.status = R.REGISTERED
    db.session.flush()
    _record(
        audit.UPDATE,
        registration,
        actor=actor,
        centre_id=registration.workshop.centre_id,
        person_id=registration.person_id,
        changes={"status": [R.WAITING.value, R.REGISTERED.value]},
    )


def _promote_first_waiting(workshop: Workshop, *, actor) -> WorkshopRegistration | None:
    waiting = db.session.scalar(
        select(WorkshopRegistration)
        .where(
            WorkshopRegistration.workshop_id == workshop.id,
            WorkshopRegistration.status == R.WAITING,
        )
        .order_by(WorkshopRegistration.queue_position, WorkshopRegistration.id)
        .limit(1)
        .with_for_update()
    )
    if waiting is None or not take_place(Workshop.capacity, workshop.id):
        return None
    _promote(waiting, actor=actor)
    db.session.refresh(workshop)
    _tell_place_offered(waiting)
    return waiting


def cancel_registration(
    registration: WorkshopRegistration, *, actor
) -> WorkshopRegistration | None:
    """Cancel a place or a place in line; a freed place goes to the first in line (returned)."""
    if registration.status is R.CANCELLED:
        raise Refused(_l("This registration is already cancelled."))
    held_a_place = registration.status is R.REGISTERED
    old = registration.status
    registration.status = R.CANCELLED
    registration.cancelled_at = utcnow()
    db.session.flush()
    workshop = registration.workshop
    _record(
        audit.UPDATE,
        registration,
        actor=actor,
        centre_id=workshop.centre_id,
        person_id=registration.person_id,
        changes={"status": [old.value, R.CANCELLED.value]},
    )
    if not held_a_place:
        return None
    free_place(Workshop, workshop.id)
    promoted = _promote_first_waiting(workshop, actor=actor)
    db.session.refresh(workshop)
    return promoted


def cancel_in_app(registration: WorkshopRegistration, *, actor) -> WorkshopRegistration | None:
    """A parent cancels their own place while the workshop still has a session to come: a
    finished one keeps its registrations (its certificates) and offers nobody a place."""
    workshop = registration.workshop
    if workshop not in open_to_parents(workshop.centre_id):
        raise Refused(_l("This workshop is over: its registrations cannot be cancelled."))
    return cancel_registration(registration, actor=actor)


def promote(registration: WorkshopRegistration, *, actor) -> WorkshopRegistration:
    """The coordinator gives a free place to someone in line, whatever their position."""
    if registration.status is not R.WAITING:
        raise Refused(_l("Only someone on the waiting list can be given a place."))
    if not take_place(Workshop.capacity, registration.workshop_id):
        raise Refused(_l("The workshop is full; cancel a registration or add places first."))
    _promote(registration, actor=actor)
    db.session.refresh(registration.workshop)
    _tell_place_offered(registration)
    return registration


def _place(workshop: Workshop) -> str:
    return ", ".join(
        p for p in (workshop.room.name, workshop.centre.name, workshop.centre.address) if p
    )


def _tell_place_offered(registration: WorkshopRegistration) -> None:
    """The person given a place from the waiting list is told (if the centre sends it)."""
    workshop = registration.workshop
    first = db.session.scalar(
        select(func.min(WorkshopSession.starts_at)).where(
            WorkshopSession.workshop_id == workshop.id, WorkshopSession.starts_at > utcnow()
        )
    )
    notify.queue(
        Event.PLACE_OFFERED,
        centre_id=workshop.centre_id,
        record=registration,
        recipients=lambda: notify.recipients_for_person(registration.person),
        template="place_offered",
        context={
            "title": workshop.title,
            "centre_name": workshop.centre.name,
            "first_session": first,
        },
    )


@notify.collecting_due_messages.connect
def queue_session_reminders(_sender, *, today: date, **_kw) -> None:
    """The day before each workshop session, its registered participants are reminded."""
    start, end = day_bounds(today + timedelta(days=1), today + timedelta(days=1))
    sessions = db.session.scalars(
        select(WorkshopSession)
        .join(Workshop)
        .where(WorkshopSession.starts_at >= start, WorkshopSession.starts_at < end)
        .order_by(WorkshopSession.starts_at)
    )
    for session in sessions:
        workshop = session.workshop
        people = [r.person for r in workshop.registrations if r.status is R.REGISTERED]
        notify.queue(
            Event.WORKSHOP_REMINDER,
            centre_id=workshop.centre_id,
            record=session,
            recipients=lambda people=people: [
                r for person in people for r in notify.recipients_for_person(person)
            ],
            template="workshop_reminder",
            context={
                "title": workshop.title,
                "starts_at": session.starts_at,
                "place": _place(workshop),
            },
            day=today + timedelta(days=1),
        )


def move_in_line(registration: WorkshopRegistration, *, actor, up: bool) -> None:
    """Swap with the neighbour in the waiting list."""
    line = waiting_list(registration.workshop)
    if registration not in line:
        raise Refused(_l("Only someone on the waiting list can be moved."))
    index = line.index(registration)
    other_index = index - 1 if up else index + 1
    if not 0 <= other_index < len(line):
        return
    other = line[other_index]
    # Positions may be equal after a renumbering elsewhere: renumber the whole line first.
    for position, entry in enumerate(line, start=1):
        entry.queue_position = position
    registration.queue_position, other.queue_position = (
        other.queue_position,
        registration.queue_position,
    )
    db.session.flush()
    _record(
        audit.UPDATE,
        registration,
        actor=actor,
        centre_id=registration.workshop.centre_id,
        person_id=registration.person_id,
        changes={"queue_position": [index + 1, other_index + 1]},
    )


# --- Attendance and completion --------------------------------------------------------------------


def _marks(column, occasion_id: int) -> dict:
    """The attendance rows of one workshop session or group meeting, by person."""
    rows = db.session.scalars(select(column.class_).where(column == occasion_id))
    return {row.person_id: row for row in rows}


def _mark(column, occasion_id: int, people, present_ids, *, actor, centre_id) -> None:
    """One row per person, present or absent; only what changed is written and audited."""
    existing = _marks(column, occasion_id)
    for person_id in people:
        present = person_id in present_ids
        row, inserted = existing.get(person_id), False
        if row is None:  # a first save, perhaps sent by someone else at the same moment
            key = {column.key: occasion_id, "person_id": person_id}
            row, inserted = insert_unless_present(column.class_, key, present=present)
        if inserted:
            action, old = audit.CREATE, None
        elif row.present == present:
            continue
        else:
            action, old = audit.UPDATE, row.present
            row.present = present
        db.session.flush()
        _record(
            action,
            row,
            actor=actor,
            centre_id=centre_id,
            person_id=person_id,
            changes={column.key: occasion_id, "present": [old, present]},
        )


def attendance_of(session: WorkshopSession) -> dict[int, bool]:
    return {
        person_id: row.present
        for person_id, row in _marks(WorkshopAttendance.session_id, session.id).items()
    }


def record_attendance(session: WorkshopSession, *, actor, present_ids) -> int:
    """Mark every participant of the session present or absent; returns how many were present."""
    workshop = session.workshop
    people = [registration.person_id for registration in participants(workshop)]
    present_ids = set(present_ids) & set(people)
    _mark(
        WorkshopAttendance.session_id,
        session.id,
        people,
        present_ids,
        actor=actor,
        centre_id=workshop.centre_id,
    )
    return len(present_ids)


@dataclass(frozen=True)
class Progress:
    attended: int
    sessions: int
    completed: bool

    @property
    def percent(self) -> int:
        return round(100 * self.attended / self.sessions) if self.sessions else 0


def completion_percent() -> int:
    """The share of a programme's sessions a participant attends to complete it, in whole
    percent: the same number here and in the count of completions (reports.measures)."""
    return round(current_app.config["WORKSHOP_COMPLETION_SHARE"] * 100)


def completed(attended: int, sessions: int) -> bool:
    return bool(sessions) and attended * 100 >= sessions * completion_percent()


def progress(workshop: Workshop) -> dict[int, Progress]:
    """Per participant: sessions attended out of the programme's sessions, and completion."""
    total = len(workshop.sessions)
    session_ids = [s.id for s in workshop.sessions] or [0]
    counts = dict(
        db.session.execute(
            select(WorkshopAttendance.person_id, func.count())
            .where(
                WorkshopAttendance.session_id.in_(session_ids),
                WorkshopAttendance.present.is_(True),
            )
            .group_by(WorkshopAttendance.person_id)
        ).all()
    )
    return {
        r.person_id: Progress(
            attended=counts.get(r.person_id, 0),
            sessions=total,
            completed=completed(counts.get(r.person_id, 0), total),
        )
        for r in participants(workshop)
    }


# --- Support groups -------------------------------------------------------------------------------


def create_group(
    centre: Centre, *, actor, topic: str, facilitator: User | None, room: Room | None, schedule=None
) -> SupportGroup:
    _check_centre(centre, actor)
    _check_room(centre, room)
    _check_facilitators(centre, [facilitator] if facilitator else [])
    topic = (topic or "").strip()
    if not topic:
        raise Refused(_l("The group needs a topic."))
    group = SupportGroup(
        centre_id=centre.id,
        topic=topic,
        facilitator_id=facilitator.id,
        room_id=room.id,
        schedule=(schedule or "").strip() or None,
    )
    db.session.add(group)
    db.session.flush()
    _record(audit.CREATE, group, actor=actor, centre_id=centre.id, changes=audit.snapshot(group))
    return group


def current_membership(group: SupportGroup, person: Person) -> GroupMembership | None:
    return next((m for m in group.members if m.person_id == person.id and m.left_on is None), None)


def join_group(group: SupportGroup, person: Person, *, actor, on: date) -> GroupMembership:
    """A member from ``on``; refused while an earlier membership of hers still covers that day."""
    if person.family.centre_id != group.centre_id:
        raise Refused(_l("Choose an adult of this centre."), field="person_id")
    if person.kind is not PersonKind.ADULT:
        raise Refused(_l("Support groups are for adults; choose an adult."), field="person_id")
    for earlier in group.members:
        if earlier.person_id != person.id or (earlier.left_on and earlier.left_on < on):
            continue
        if earlier.left_on is None:
            raise Refused(
                _l(
                    "%(name)s is already a member, since %(day)s.",
                    name=person.full_name,
                    day=format_date(earlier.joined_on, "short"),
                ),
                field="person_id",
            )
        raise Refused(
            _l(
                "%(name)s was a member until %(day)s: a new membership starts after that day.",
                name=person.full_name,
                day=format_date(earlier.left_on, "short"),
            ),
            field="day",
        )
    membership = GroupMembership(group=group, person_id=person.id, joined_on=on)
    db.session.add(membership)
    db.session.flush()
    _record(
        audit.CREATE,
        membership,
        actor=actor,
        centre_id=group.centre_id,
        person_id=person.id,
        changes=audit.snapshot(membership),
    )
    return membership


def last_meeting_attended(membership: GroupMembership) -> date | None:
    """The day of the last meeting of the group where the member was marked present."""
    starts = db.session.scalars(
        select(GroupMeeting.starts_at)
        .join(MeetingAttendance, MeetingAttendance.meeting_id == GroupMeeting.id)
        .where(
            GroupMeeting.group_id == membership.group_id,
            MeetingAttendance.person_id == membership.person_id,
            MeetingAttendance.present.is_(True),
        )
    )
    days = [local_date(start) for start in starts]
    return max((day for day in days if day >= membership.joined_on), default=None)


def leave_group(membership: GroupMembership, *, actor, on: date) -> GroupMembership:
    """The member leaves on ``on``: not before joining, nor before a meeting they attended
    (those marks would stay counted and could no longer be corrected)."""
    if membership.left_on is not None:
        raise Refused(_l("This member has already left."))
    if on < membership.joined_on:
        raise Refused(_l("A member leaves on or after the day they joined."), field="day")
    attended = last_meeting_attended(membership)
    if attended is not None and on < attended:
        raise Refused(
            _l(
                "%(name)s was marked present at the meeting of %(day)s: the leaving date cannot "
                "be earlier.",
                name=membership.person.full_name,
                day=format_date(attended, "short"),
            ),
            field="day",
        )
    membership.left_on = on
    changes = audit.pending_changes(membership)
    db.session.flush()
    _record(
        audit.UPDATE,
        membership,
        actor=actor,
        centre_id=membership.group.centre_id,
        person_id=membership.person_id,
        changes=changes,
    )
    return membership


def add_meetings(
    group: SupportGroup,
    *,
    actor,
    first_start: datetime,
    minutes: int,
    count: int = 1,
    interval_days: int = 7,
) -> list[GroupMeeting]:
    """One meeting or a series, refused if the room or the facilitator is busy."""
    length = _check_minutes(minutes)
    starts = series_starts(first_start, count=count, interval_days=interval_days)
    intervals = [(start, start + length) for start in starts]
    resources = scheduling.Resources(users={group.facilitator_id}, rooms={group.room_id})
    counselling.check_bookable(group.centre, intervals, resources, series=count > 1)
    meetings = []
    for start, end in intervals:
        meeting = GroupMeeting(group=group, starts_at=start, ends_at=end)
        db.session.add(meeting)
        db.session.flush()
        _record(
            audit.CREATE, meeting, actor=actor, centre_id=group.centre_id,
            changes=audit.snapshot(meeting),
        )  # fmt: skip
        meetings.append(meeting)
    return meetings


def members_on(group: SupportGroup, day: date) -> list[GroupMembership]:
    return [m for m in group.members if m.member_on(day)]


def meeting_attendance(meeting: GroupMeeting) -> dict[int, bool]:
    return {
        person_id: row.present
        for person_id, row in _marks(MeetingAttendance.meeting_id, meeting.id).items()
    }


def record_meeting_attendance(meeting: GroupMeeting, *, actor, present_ids) -> int:
    """Mark the members of the day present or absent; returns how many were present."""
    group = meeting.group
    members = {m.person_id for m in members_on(group, meeting.local_start.date())}
    present_ids = set(present_ids) & members
    _mark(
        MeetingAttendance.meeting_id,
        meeting.id,
        sorted(members),
        present_ids,
        actor=actor,
        centre_id=group.centre_id,
    )
    return len(present_ids)


# --- Calendars ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CalendarEntry:
    """A workshop session or a group meeting as a line of a counsellor's or a room's calendar."""

    starts_at: datetime
    ends_at: datetime
    title: str
    kind: str  # "workshop" or "group"
    record_id: int
    facilitators: str
    room: str
    calendar_template = "workshops/_calendar_line.html"

    @property
    def local_start(self) -> datetime:
        return self.starts_at.astimezone(BUCHAREST)

    @property
    def local_end(self) -> datetime:
        return self.ends_at.astimezone(BUCHAREST)


def calendar_entries(
    first: date, last: date, *, centre_ids, user_id: int | None = None, room_id: int | None = None
) -> list[CalendarEntry]:
    """Workshop sessions and group meetings from ``first`` to ``last`` (Bucharest days)."""
    start, end = day_bounds(first, last)
    centres = centre_ids or {0}
    query = (
        select(WS)
        .join(Workshop)
        .options(
            contains_eager(WS.workshop).joinedload(Workshop.room),
            contains_eager(WS.workshop).joinedload(Workshop.facilitators),
        )
        .where(WS.starts_at < end, WS.ends_at > start, Workshop.centre_id.in_(centres))
    )
    if user_id is not None:
        query = query.where(Workshop.facilitators.any(User.id == user_id))
    if room_id is not None:
        query = query.where(Workshop.room_id == room_id)
    entries = [
        CalendarEntry(
            s.starts_at,
            s.ends_at,
            s.workshop.title,
            "workshop",
            s.workshop_id,
            ", ".join(u.full_name for u in s.workshop.facilitators),
            s.workshop.room.name,
        )
        for s in db.session.scalars(query).unique()
    ]
    query = (
        select(GroupMeeting)
        .join(SupportGroup)
        .options(
            contains_eager(GroupMeeting.group).joinedload(SupportGroup.room),
            contains_eager(GroupMeeting.group).joinedload(SupportGroup.facilitator),
        )
        .where(
            GroupMeeting.starts_at < end,
            GroupMeeting.ends_at > start,
            SupportGroup.centre_id.in_(centres),
        )
    )
    if user_id is not None:
        query = query.where(SupportGroup.facilitator_id == user_id)
    if room_id is not None:
        query = query.where(SupportGroup.room_id == room_id)
    entries += [
        CalendarEntry(
            m.starts_at,
            m.ends_at,
            m.group.topic,
            "group",
            m.group_id,
            m.group.facilitator.full_name,
            m.group.room.name,
        )
        for m in db.session.scalars(query)
    ]
    return sorted(entries, key=lambda e: e.starts_at)
