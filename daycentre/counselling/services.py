"""Counselling sessions: booking without double-booking, series, outcomes, confidential notes,
sharing a beneficiary's notes with another counsellor, and the private calendar feed."""

import secrets
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from blinker import Namespace
from flask_babel import format_date, format_time, lazy_ngettext
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, or_, select

from daycentre import scheduling
from daycentre.audit import services as audit
from daycentre.auth import scope
from daycentre.auth.models import User
from daycentre.auth.roles import roles_with
from daycentre.centres.calendar import holiday_name
from daycentre.centres.models import Centre, Room
from daycentre.core.database import insert_unless_present, utcnow
from daycentre.core.errors import Refused, ensure_current, flush_or_refuse
from daycentre.core.localtime import BUCHAREST, day_bounds, local_instant, now, week_start
from daycentre.counselling.models import (
    OCCUPYING,
    CalendarFeed,
    CounsellingSession,
    NoteShare,
    SessionNote,
    SessionSeries,
    SessionStatus,
    SessionType,
)
from daycentre.extensions import db
from daycentre.notifications import services as notify
from daycentre.notifications.models import Event
from daycentre.people.models import Family, Person

CS = CounsellingSession
S = SessionStatus
MAX_OCCURRENCES = 60
MAX_MINUTES = 8 * 60
TABLE = CounsellingSession.__tablename__

_signals = Namespace()
#: Sent with the session's ``people`` and the ``actor`` when a beneficiary missed sessions again;
#: the cases area, which counselling does not import, listens (``cases/tasks.py``).
repeated_no_shows = _signals.signal("repeated-no-shows")


class Clashing(Refused):
    """A booking refused because someone or a room is busy then; ``free_times`` are the next
    starts at which the same booking would fit."""

    def __init__(self, message, free_times: list[datetime]):
        super().__init__(message)
        self.free_times = free_times


class Booking(list):
    """The sessions booked, in order; ``skipped``: the series' days left out because the centre
    is closed then (public holidays, closure days), as (day, why)."""

    def __init__(self, sessions, skipped=()):
        super().__init__(sessions)
        self.skipped = list(skipped)


# --- Queries --------------------------------------------------------------------------------------


def counsellors_of(centre: Centre) -> list[User]:
    return [
        user
        for user in db.session.scalars(
            select(User)
            .where(User.role.in_(roles_with("counselling.hold_sessions")), User.active.is_(True))
            .order_by(User.family_name, User.given_name)
        )
        if centre.id in user.centre_ids
    ]


def shares_a_centre(viewer: User, user: User) -> bool:
    return scope.sees(viewer, user)


def sessions_between(
    first: date,
    last: date,
    *,
    centre_ids,
    counsellor_id: int | None = None,
    room_id: int | None = None,
    centre_id: int | None = None,
) -> list[CounsellingSession]:
    start, end = day_bounds(first, last)
    query = (
        select(CS)
        .where(CS.starts_at < end, CS.ends_at > start, CS.centre_id.in_(centre_ids or {0}))
        .order_by(CS.starts_at, CS.id)
    )
    if counsellor_id is not None:
        query = query.where(CS.counsellor_id == counsellor_id)
    if room_id is not None:
        query = query.where(CS.room_id == room_id)
    if centre_id is not None:
        query = query.where(CS.centre_id == centre_id)
    return list(db.session.scalars(query))


def sessions_of_person(person: Person) -> list[CounsellingSession]:
    """The person's own sessions and their family's, newest first."""
    return list(
        db.session.scalars(
            select(CS)
            .where(or_(CS.person_id == person.id, CS.family_id == person.family_id))
            .order_by(CS.starts_at.desc())
        )
    )


def sessions_of_family(family: Family) -> list[CounsellingSession]:
    member_ids = [member.id for member in family.members]
    return list(
        db.session.scalars(
            select(CS)
            .where(or_(CS.family_id == family.id, CS.person_id.in_(member_ids or [0])))
            .order_by(CS.starts_at.desc())
        )
    )


def tally(sessions) -> dict:
    """Counts by type and status, for the beneficiary's history."""
    counts = {t: dict.fromkeys(SessionStatus, 0) for t in SessionType}
    for session in sessions:
        counts[session.session_type][session.status] += 1
    return {t: row for t, row in counts.items() if any(row.values())}


# --- The busy source counselling feeds into scheduling ---------------------------------------------


def _families_of(people) -> dict[int, int]:
    if not people:
        return {}
    rows = db.session.execute(select(Person.id, Person.family_id).where(Person.id.in_(people)))
    return dict(rows.all())


def _members_of(families) -> dict[int, set[int]]:
    members: dict[int, set[int]] = {f: set() for f in families}
    if families:
        rows = db.session.execute(
            select(Person.id, Person.family_id).where(Person.family_id.in_(families))
        )
        for person_id, family_id in rows:
            members[family_id].add(person_id)
    return members


@scheduling.register_busy_source
def session_busy_slots(starts_at, ends_at, resources: scheduling.Resources):
    """Counselling sessions that hold any of ``resources`` during the window.

    A family session holds every member of the family; a member's session holds the family.
    """
    family_of = _families_of(resources.people)
    members = _members_of(resources.families)
    person_ids = set(resources.people) | set().union(*members.values())
    family_ids = set(resources.families) | set(family_of.values())
    conditions = []
    if resources.users:
        conditions.append(CS.counsellor_id.in_(resources.users))
    if resources.rooms:
        conditions.append(CS.room_id.in_(resources.rooms))
    if person_ids:
        conditions.append(CS.person_id.in_(person_ids))
    if family_ids:
        conditions.append(CS.family_id.in_(family_ids))
    if not conditions:
        return []
    rows = db.session.scalars(
        select(CS).where(
            or_(*conditions),
            CS.starts_at < ends_at,
            CS.ends_at > starts_at,
            CS.status.in_(OCCUPYING),
        )
    )
    what = _("counselling session")
    slots = []
    for row in rows:

        def slot(kind, resource_id, row=row):
            return scheduling.BusySlot(
                kind, resource_id, row.starts_at, row.ends_at, (TABLE, row.id), what
            )

        if row.counsellor_id in resources.users:
            slots.append(slot(scheduling.USER, row.counsellor_id))
        if row.room_id in resources.rooms:
            slots.append(slot(scheduling.ROOM, row.room_id))
        for person_id in resources.people:
            if row.person_id == person_id or row.family_id == family_of.get(person_id):
                slots.append(slot(scheduling.PERSON, person_id))
        for family_id in resources.families:
            if row.family_id == family_id or row.person_id in members[family_id]:
                slots.append(slot(scheduling.FAMILY, family_id))
    return slots


# --- Rules ---------------------------------------------------------------------------------------


def _when(start: datetime, end: datetime) -> str:
    start, end = start.astimezone(BUCHAREST), end.astimezone(BUCHAREST)
    return f"{format_date(start.date(), 'short')} {format_time(start, 'short')}–{format_time(end, 'short')}"


def _describe_clash(clash: scheduling.Clash) -> str:
    slot = clash.slot
    if slot.kind == scheduling.USER:
        user = db.session.get(User, slot.resource_id)
        who = _("counsellor %(name)s", name=user.full_name if user else "?")
    elif slot.kind == scheduling.ROOM:
        room = db.session.get(Room, slot.resource_id)
        who = _("room %(name)s", name=room.name if room else "?")
    elif slot.kind == scheduling.PERSON:
        person = db.session.get(Person, slot.resource_id)
        who = person.full_name if person else "?"
    else:
        family = db.session.get(Family, slot.resource_id)
        who = _("family %(name)s", name=family.name if family else "?")
    return _(
        "%(when)s: %(who)s is busy (%(what)s, %(then)s)",
        when=_when(clash.starts_at, clash.ends_at),
        who=who,
        what=slot.what,
        then=_when(slot.starts_at, slot.ends_at),
    )


def _holiday_name(day: date) -> str | None:
    return holiday_name(day)


def _closed_reason(centre: Centre, day: date) -> str | None:
    for closure in centre.closure_days:
        if closure.day == day:
            return _("the centre is closed (%(reason)s)", reason=closure.reason)
    holiday = _holiday_name(day)
    if holiday:
        return _("public holiday (%(name)s)", name=holiday)
    if not centre.is_open_on(day):
        return _("the centre is not open on this day of the week")
    return None


def _opening_problem(centre: Centre, start: datetime, end: datetime) -> str | None:
    local_start, local_end = start.astimezone(BUCHAREST), end.astimezone(BUCHAREST)
    day = local_start.date()
    reason = _closed_reason(centre, day)
    if reason:
        return f"{format_date(day, 'short')}: {reason}"
    if (
        local_end.date() != day
        or local_start.time() < centre.opens_at
        or local_end.time() > centre.closes_at
    ):
        return _(
            "%(when)s: outside the centre's opening hours (%(opens)s–%(closes)s)",
            when=_when(start, end),
            opens=format_time(centre.opens_at, "short"),
            closes=format_time(centre.closes_at, "short"),
        )
    return None


def _refuse_problems(problems: list[str], *, series: bool) -> None:
    if not problems:
        return
    if series:
        heading = _("The series was not saved; these dates cannot be booked:")
    else:
        heading = _("The session was not saved:")
    raise Refused(f"{heading} {'; '.join(problems)}.")


def check_bookable(
    centre: Centre,
    intervals: list[tuple[datetime, datetime]],
    resources: scheduling.Resources,
    *,
    ignore=frozenset(),
    series: bool = False,
) -> None:
    """Lock the resources, then refuse if any interval is outside opening hours or clashes.

    Must run after every change is known and before anything is flushed.
    """
    scheduling.lock(resources)
    problems = [p for start, end in intervals if (p := _opening_problem(centre, start, end))]
    seen = set()
    found = scheduling.clashes(intervals, resources, ignore=ignore)
    for clash in found:
        text = _describe_clash(clash)
        if text not in seen:
            seen.add(text)
            problems.append(text)
    if found and len(problems) == len(seen):  # only clashes: offer the next free times
        try:
            _refuse_problems(problems, series=series)
        except Refused as refusal:
            free = next_free_times(centre, intervals, resources, ignore=ignore)
            raise Clashing(refusal.message, free) from None
    _refuse_problems(problems, series=series)


FREE_TIMES_OFFERED = 3
FREE_TIME_STEP = timedelta(minutes=15)
FREE_TIME_SEARCH_DAYS = 14


def next_free_times(
    centre: Centre,
    intervals: list[tuple[datetime, datetime]],
    resources: scheduling.Resources,
    *,
    ignore=frozenset(),
    count: int = FREE_TIMES_OFFERED,
) -> list[datetime]:
    """The next starts after the first wanted one at which the same booking (one session or a
    whole series: the same days apart, closed days left out) fits within opening hours with
    nobody and no room busy; on open days of the next two weeks, every quarter of an hour.

    One read of what is booked, whatever the number of starts tried."""
    first, first_end = intervals[0]
    length = first_end - first
    local_first = first.astimezone(BUCHAREST)
    offsets = [
        (start.astimezone(BUCHAREST).date() - local_first.date()).days for start, _ in intervals
    ]
    last_day = local_first.date() + timedelta(days=FREE_TIME_SEARCH_DAYS + offsets[-1] + 1)
    window_end = local_instant(last_day, centre.closes_at)
    busy = [
        slot
        for slot in scheduling.busy_slots(first, window_end, resources)
        if slot.source not in ignore
    ]
    found: list[datetime] = []
    for shift in range(FREE_TIME_SEARCH_DAYS + 1):
        day = local_first.date() + timedelta(days=shift)
        if _closed_reason(centre, day):
            continue
        wall, closes = (
            datetime.combine(day, centre.opens_at),
            datetime.combine(day, centre.closes_at),
        )
        while wall + length <= closes and len(found) < count:
            at = local_instant(day, wall.time())
            if at > first and _fits(centre, at, length, offsets, busy):
                found.append(at)
            wall += FREE_TIME_STEP
        if len(found) >= count:
            break
    return found


def _fits(centre: Centre, start: datetime, length: timedelta, offsets, busy) -> bool:
    for offset in offsets:
        day = start.date() + timedelta(days=offset)
        if offset and _closed_reason(centre, day):
            continue
        begin = local_instant(day, start.time())
        end = begin + length
        if any(slot.starts_at < end and begin < slot.ends_at for slot in busy):
            return False
    return True


def occurrence_starts(
    first: datetime, *, interval_days: int, occurrences: int | None, until: date | None
) -> list[datetime]:
    """The starts of a series, each at the same Bucharest wall-clock time as the first."""
    if interval_days < 1:
        raise Refused(_l("Repeat at least one day apart."))
    if not occurrences and not until:
        raise Refused(_l("Say how many times the series repeats or until when."))
    local = first.astimezone(BUCHAREST)
    starts = []
    day = local.date()
    while True:
        if occurrences and len(starts) >= occurrences:
            break
        if until and day > until:
            break
        starts.append(local_instant(day, local.time()))
        if len(starts) > MAX_OCCURRENCES:
            raise Refused(
                lazy_ngettext(
                    "A series holds at most %(num)d session.",
                    "A series holds at most %(num)d sessions.",
                    MAX_OCCURRENCES,
                )
            )
        day += timedelta(days=interval_days)
    if not starts:
        raise Refused(_l("The series ends before its first session."))
    return starts


def _check_people(centre: Centre, *, actor, counsellor: User, room: Room, person, family) -> None:
    if not actor.sees_centre(centre.id):
        raise Refused(_l("Choose one of your centres."))
    if counsellor is None or not scope.counsels(counsellor) or not counsellor.active:
        raise Refused(_l("Choose a counsellor."))
    if centre.id not in counsellor.centre_ids:
        raise Refused(_l("The counsellor does not work at this centre."))
    if not scope.books_for(actor, counsellor):
        raise Refused(_l("A counsellor books sessions in their own calendar."))
    if room is None or room.centre_id != centre.id or not room.active:
        raise Refused(_l("Choose a room of this centre."))
    if (person is None) == (family is None):
        raise Refused(_l("Choose the beneficiary: a person or a family."))


def _resources(counsellor_id, room_id, person_id, family_id) -> scheduling.Resources:
    return scheduling.Resources(
        users={counsellor_id},
        rooms={room_id},
        people={person_id} if person_id else set(),
        families={family_id} if family_id else set(),
    )


def _check_minutes(minutes: int) -> timedelta:
    if not minutes or minutes < 5 or minutes > MAX_MINUTES:
        raise Refused(_l("A session lasts between 5 minutes and 8 hours."))
    return timedelta(minutes=minutes)


def _record(action, record, session: CounsellingSession, *, actor, changes) -> None:
    audit.record(
        action,
        record,
        actor=actor,
        centre_id=session.centre_id,
        person_id=session.person_id,
        changes=changes,
    )


# --- Booking --------------------------------------------------------------------------------------


def schedule(
    centre: Centre,
    *,
    actor,
    counsellor: User,
    room: Room,
    session_type,
    start: datetime,
    minutes: int,
    person: Person | None = None,
    family: Family | None = None,
    interval_days: int | None = None,
    occurrences: int | None = None,
    until: date | None = None,
) -> list[CounsellingSession]:
    """Book one session, or a series when ``interval_days`` is given; all or nothing."""
    _check_people(
        centre, actor=actor, counsellor=counsellor, room=room, person=person, family=family
    )
    if start.tzinfo is None:
        raise ValueError("start must be an aware datetime")
    length = _check_minutes(minutes)
    repeating = bool(interval_days)
    skipped = []
    if repeating:
        starts = occurrence_starts(
            start, interval_days=interval_days, occurrences=occurrences, until=until
        )
        if length >= timedelta(days=interval_days):
            raise Refused(_l("The sessions of a series cannot overlap each other."))
        starts, skipped = _without_closed_days(centre, starts)
    else:
        starts = [start]
    intervals = [(s, s + length) for s in starts]
    resources = _resources(
        counsellor.id, room.id, person.id if person else None, family.id if family else None
    )
    check_bookable(centre, intervals, resources, series=repeating)

    series = None
    if repeating:
        series = SessionSeries(
            centre_id=centre.id,
            interval_days=interval_days,
            occurrences=occurrences or None,
            until=until,
            created_by_id=actor.id,
        )
        db.session.add(series)
    sessions = []
    for begin, end in intervals:
        session = CS(
            centre_id=centre.id,
            series=series,
            counsellor_id=counsellor.id,
            room_id=room.id,
            person_id=person.id if person else None,
            family_id=family.id if family else None,
            session_type=SessionType(session_type),
            starts_at=begin,
            ends_at=end,
            status=S.SCHEDULED,
            booked_by_id=actor.id,
        )
        db.session.add(session)
        sessions.append(session)
    flush_or_refuse(_l("Someone else saved at the same moment. Try again."))
    for session in sessions:
        _record(audit.CREATE, session, session, actor=actor, changes=audit.snapshot(session))
    return Booking(sessions, skipped)


def _without_closed_days(centre: Centre, starts: list[datetime]):
    """A series' starts without the days the centre is closed (a public holiday, a closure day),
    and those days with why; refused when every day is closed."""
    kept, skipped = [], []
    for start in starts:
        day = start.astimezone(BUCHAREST).date()
        reason = _closed_reason(centre, day)
        if reason:
            skipped.append((day, reason))
        else:
            kept.append(start)
    if not kept:
        raise Refused(_l("The centre is closed on every date of the series; nothing was booked."))
    return kept, skipped


def following_in_series(session: CounsellingSession) -> list[CounsellingSession]:
    """This session and the later scheduled ones of its series."""
    if session.series_id is None:
        return [session]
    return list(
        db.session.scalars(
            select(CS)
            .where(
                CS.series_id == session.series_id,
                or_(
                    CS.id == session.id,
                    and_(CS.starts_at > session.starts_at, CS.status == S.SCHEDULED),
                ),
            )
            .order_by(CS.starts_at)
        )
    )


def reschedule(
    session: CounsellingSession,
    *,
    actor,
    version=None,
    counsellor: User,
    room: Room,
    session_type,
    start: datetime,
    minutes: int,
    following: bool = False,
) -> list[CounsellingSession]:
    """Move or change one session, or it and the rest of its series (same shift for each)."""
    ensure_current(session, version)
    if session.status is not S.SCHEDULED:
        raise Refused(_l("Only a scheduled session can be changed."))
    centre = session.centre
    _check_people(
        centre,
        actor=actor,
        counsellor=counsellor,
        room=room,
        person=session.person,
        family=session.family,
    )
    if not scope.changes_session(actor, session):
        raise Refused(_l("A counsellor books sessions in their own calendar."))
    length = _check_minutes(minutes)
    targets = following_in_series(session) if following else [session]
    old_local = session.local_start
    new_local = start.astimezone(BUCHAREST)
    day_shift = new_local.date() - old_local.date()
    plan = []
    for target in targets:
        day = target.local_start.date() + day_shift
        begin = local_instant(day, new_local.time())
        plan.append((target, begin, begin + length))
    resources = _resources(counsellor.id, room.id, session.person_id, session.family_id)
    check_bookable(
        centre,
        [(begin, end) for _target, begin, end in plan],
        resources,
        ignore={(TABLE, target.id) for target in targets},
        series=len(plan) > 1,
    )
    for target, begin, end in plan:
        target.counsellor_id = counsellor.id
        target.room_id = room.id
        target.session_type = SessionType(session_type)
        target.starts_at = begin
        target.ends_at = end
        changes = audit.pending_changes(target)
        db.session.flush()
        _record(audit.UPDATE, target, target, actor=actor, changes=changes)
    return targets


def record_outcome(
    session: CounsellingSession,
    *,
    actor,
    version=None,
    status,
    minutes_spent: int | None = None,
    cancel_reason: str | None = None,
) -> CounsellingSession:
    """Held (with the time spent), did not come, or cancelled (with a reason)."""
    ensure_current(session, version)
    status = SessionStatus(status)
    if not scope.changes_session(actor, session):
        raise Refused(_l("Only the session's counsellor records how it went."))
    cancel_reason = (cancel_reason or "").strip() or None
    if status in (S.HELD, S.NO_SHOW) and session.starts_at > utcnow():
        raise Refused(
            _l("A session that has not started yet cannot be recorded as held or missed.")
        )
    if status is S.CANCELLED:
        if not cancel_reason:
            raise Refused(_l("Say why the session was cancelled."))
        minutes_spent = None
    elif status is S.HELD:
        if minutes_spent is None:
            minutes_spent = session.duration_minutes
        if minutes_spent <= 0 or minutes_spent > MAX_MINUTES:
            raise Refused(_l("The time spent must be between 1 minute and 8 hours."))
        cancel_reason = None
    elif status is S.NO_SHOW:
        minutes_spent, cancel_reason = None, None
    if status is not S.CANCELLED and session.status is S.CANCELLED:
        # The freed time may have been booked meanwhile: check again as for a new booking.
        check_bookable(
            session.centre,
            [(session.starts_at, session.ends_at)],
            _resources(
                session.counsellor_id, session.room_id, session.person_id, session.family_id
            ),
            ignore={(TABLE, session.id)},
        )
    session.status = status
    session.minutes_spent = minutes_spent
    session.cancel_reason = cancel_reason
    changes = audit.pending_changes(session)
    db.session.flush()
    _record(audit.UPDATE, session, session, actor=actor, changes=changes)
    if status is S.NO_SHOW:
        _announce_repeated_no_shows(session, actor=actor)
    return session


REPEATED_NO_SHOWS = 2  # within NO_SHOW_WINDOW_DAYS
NO_SHOW_WINDOW_DAYS = 60


def _announce_repeated_no_shows(session: CounsellingSession, *, actor) -> None:
    """Missed sessions again: tell whoever listens (the cases area raises a task on the open case of
    the beneficiary, or of the family's children)."""
    since = session.starts_at - timedelta(days=NO_SHOW_WINDOW_DAYS)
    missed = db.session.scalar(
        db.select(db.func.count(CounsellingSession.id)).where(
            _beneficiary_filter(CounsellingSession, session),
            CounsellingSession.status == S.NO_SHOW,
            CounsellingSession.starts_at.between(since, session.starts_at),
        )
    )
    if missed < REPEATED_NO_SHOWS:
        return
    people = [session.person] if session.person_id else list(session.family.members)
    repeated_no_shows.send(session, people=people, actor=actor)


# --- Notes and sharing ----------------------------------------------------------------------------


def _beneficiary_filter(model, session: CounsellingSession):
    if session.person_id:
        return model.person_id == session.person_id
    return model.family_id == session.family_id


def note_visible(note: SessionNote | None, user) -> bool:
    """Only counsellors: the author, and those the author shares this beneficiary's file with."""
    if note is None or not scope.counsels(user):
        return False
    if note.author_id == user.id:
        return True
    shared = db.session.scalar(
        select(NoteShare.id).where(
            NoteShare.author_id == note.author_id,
            NoteShare.counsellor_id == user.id,
            _beneficiary_filter(NoteShare, note.session),
        )
    )
    return shared is not None


def read_note(session: CounsellingSession, *, actor) -> SessionNote | None:
    """The note if ``actor`` may read it, recording the reading in the audit trail."""
    note = session.note
    if not note_visible(note, actor):
        return None
    _record(audit.READ, note, session, actor=actor, changes=None)
    return note


def can_write_note(session: CounsellingSession, user) -> bool:
    return scope.may_write_note(user, session)


def save_note(session: CounsellingSession, *, actor, text: str, version=None) -> SessionNote:
    if not can_write_note(session, actor):
        raise Refused(_l("Only the session's counsellor writes its note."))
    text = (text or "").strip()
    if not text:
        raise Refused(_l("Write the note."))
    note = session.note
    if note is None:
        note = SessionNote(session=session, author_id=actor.id, text=text)
        db.session.add(note)
        flush_or_refuse(_l("Someone else saved at the same moment. Try again."))
        _record(audit.CREATE, note, session, actor=actor, changes=audit.snapshot(note))
    else:
        if version is not None:
            ensure_current(note, version)
        note.text = text
        db.session.flush()
        # The text itself never goes to the trail; that it changed does.
        _record(audit.UPDATE, note, session, actor=actor, changes={"text": ["…", "…"]})
    return note


def shares_of(author: User) -> list[NoteShare]:
    return list(
        db.session.scalars(
            select(NoteShare).where(NoteShare.author_id == author.id).order_by(NoteShare.id)
        )
    )


def share_notes(*, actor, counsellor: User, person=None, family=None) -> NoteShare:
    if not scope.counsels(actor):
        raise Refused(_l("Only counsellors share their notes."))
    if counsellor is None or not scope.counsels(counsellor) or counsellor.id == actor.id:
        raise Refused(_l("Choose another counsellor."))
    if not shares_a_centre(actor, counsellor):
        raise Refused(_l("Choose another counsellor."))
    if (person is None) == (family is None):
        raise Refused(_l("Choose the beneficiary: a person or a family."))
    existing = db.session.scalar(
        select(NoteShare.id).where(
            NoteShare.author_id == actor.id,
            NoteShare.counsellor_id == counsellor.id,
            NoteShare.person_id == person.id if person else NoteShare.person_id.is_(None),
            NoteShare.family_id == family.id if family else NoteShare.family_id.is_(None),
        )
    )
    if existing:
        raise Refused(_l("These notes are already shared with this counsellor."))
    share = NoteShare(
        author_id=actor.id,
        counsellor_id=counsellor.id,
        person_id=person.id if person else None,
        family_id=family.id if family else None,
    )
    db.session.add(share)
    flush_or_refuse(_l("These notes are already shared with this counsellor."))
    audit.record(
        audit.CREATE,
        share,
        actor=actor,
        person_id=share.person_id,
        changes=audit.snapshot(share),
    )
    return share


def stop_sharing(share: NoteShare, *, actor) -> bool:
    if share.author_id != actor.id:
        raise Refused(_l("Only the author stops sharing their notes."))
    audit.record(
        audit.DELETE, share, actor=actor, person_id=share.person_id, changes=audit.snapshot(share)
    )
    db.session.delete(share)
    db.session.flush()
    return True


# --- The private calendar feed --------------------------------------------------------------------


def feed_of(user: User) -> CalendarFeed | None:
    return db.session.scalar(select(CalendarFeed).where(CalendarFeed.user_id == user.id))


def regenerate_feed(*, actor) -> CalendarFeed:
    """A new secret address; the old one stops working at once."""
    if not scope.counsels(actor):
        raise Refused(_l("Only counsellors have a calendar feed."))
    token = secrets.token_urlsafe(32)
    feed, _inserted = insert_unless_present(CalendarFeed, {"user_id": actor.id}, token=token)
    feed.token = token
    feed.created_at = now()
    db.session.flush()
    audit.record(audit.UPDATE, feed, actor=actor, changes=None)
    return feed


def revoke_feed(*, actor) -> bool:
    feed = feed_of(actor)
    if feed is None:
        raise Refused(_l("You have no calendar feed."))
    audit.record(audit.DELETE, feed, actor=actor, changes=None)
    db.session.delete(feed)
    db.session.flush()
    return True


def feed_by_token(token: str) -> CalendarFeed | None:
    if not token or len(token) > 64:
        return None
    feed = db.session.scalar(select(CalendarFeed).where(CalendarFeed.token == token))
    if feed is None or not feed.user.active or not secrets.compare_digest(feed.token, token):
        return None
    return feed


def feed_sessions(user: User, *, around: date) -> list[CounsellingSession]:
    first, last = around - timedelta(days=60), around + timedelta(days=180)
    start, end = day_bounds(first, last)
    return list(
        db.session.scalars(
            select(CS)
            .where(
                CS.counsellor_id == user.id,
                CS.starts_at < end,
                CS.ends_at > start,
                CS.centre_id.in_(user.centre_ids or {0}),
            )
            .order_by(CS.starts_at)
        )
    )


def home_week(user: User, day: date) -> list:
    """The counsellor's own week, for their home page."""
    first = week_start(day)
    sessions = sessions_between(
        first, first + timedelta(days=6), centre_ids=user.centre_ids, counsellor_id=user.id
    )
    return week_days(list(user.centres), first, 7, sessions)


@dataclass
class DayOfWeek:
    day: date
    sessions: list
    closed: str | None


def week_days(centre_list, first: date, days: int, sessions) -> list[DayOfWeek]:
    """Days with their sessions; a day all the given centres are closed says why."""
    result = []
    for offset in range(days):
        day = first + timedelta(days=offset)
        todays = [s for s in sessions if s.local_start.date() == day]
        reasons = [_closed_reason(c, day) for c in centre_list]
        closed = reasons[0] if centre_list and all(reasons) else None
        result.append(DayOfWeek(day, todays, closed))
    return result


@notify.collecting_due_messages.connect
def queue_session_reminders(_sender, *, today: date, **_kw) -> None:
    """The day before a scheduled session, its beneficiary (or the family's adults) is reminded:
    the time and the place only, never anything written about the session."""
    tomorrow = today + timedelta(days=1)
    start, end = day_bounds(tomorrow, tomorrow)
    sessions = db.session.scalars(
        select(CounsellingSession)
        .where(
            CounsellingSession.starts_at >= start,
            CounsellingSession.starts_at < end,
            CounsellingSession.status == SessionStatus.SCHEDULED,
        )
        .order_by(CounsellingSession.starts_at)
    )
    for session in sessions:
        place = ", ".join(
            p for p in (session.room.name, session.centre.name, session.centre.address) if p
        )

        def recipients(session=session):
            people = [session.person] if session.person else session.family.adults
            return [r for person in people for r in notify.recipients_for_person(person)]

        notify.queue(
            Event.COUNSELLING_REMINDER,
            centre_id=session.centre_id,
            record=session,
            recipients=recipients,
            template="counselling_reminder",
            context={"starts_at": session.starts_at, "place": place},
            day=tomorrow,
        )
