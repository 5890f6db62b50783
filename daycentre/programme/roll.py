"""What the roll page shows of the programme: the day's slots with their notes, and each child's
departure.

They are parts of the roll page's one statement (``attendance.roll_page``), not statements of
their own: the page is opened all day in every centre, and each statement is a round trip to the
database. The slots are a part of the group's day of their own, the departures come with each
child's row.
"""

from dataclasses import dataclass
from datetime import time

from sqlalchemy import ColumnElement, Select, and_, select

from daycentre.auth.models import User
from daycentre.centres.models import Room
from daycentre.core.i18n import person_name
from daycentre.programme.models import (
    Departure,
    ProgrammeSlot,
    SlotDay,
    SlotKind,
    WeeklyProgramme,
)
from daycentre.volunteers.models import Volunteer

_slot, _slot_day = ProgrammeSlot.__table__, SlotDay.__table__
_room, _leader, _volunteer = Room.__table__, User.__table__.alias("leader"), Volunteer.__table__
_departure = Departure.__table__


@dataclass(slots=True)
class RollSlot:
    """A slot of the day as the roll page shows it, with its note of the day."""

    id: int
    starts_at: time
    ends_at: time
    kind: SlotKind
    title: str
    room: str | None
    led_by: str | None  # the staff member's or the volunteer's name
    note: str | None


@dataclass(slots=True)
class RollDeparture:
    left_at: time
    collected_by: str | None
    alone: bool
    not_allowed: bool


def day_slots(group, day, weekday) -> Select:
    """The day's slots of the group's programme in force (the latest one valid from that day or
    earlier), one row each with the columns ``roll_slot`` takes; the arguments are SQL values."""
    return (
        select(
            _slot.c.id,
            _slot.c.starts_at,
            _slot.c.ends_at,
            _slot.c.kind,
            _slot.c.title,
            _room.c.name,
            _leader.c.family_name,
            _leader.c.given_name,
            _volunteer.c.family_name,
            _volunteer.c.given_name,
            _slot_day.c.note,
        )
        .select_from(
            _slot.outerjoin(
                _slot_day, and_(_slot_day.c.slot_id == _slot.c.id, _slot_day.c.day == day)
            )
            .outerjoin(_room, _room.c.id == _slot.c.room_id)
            .outerjoin(_leader, _leader.c.id == _slot.c.leader_id)
            .outerjoin(_volunteer, _volunteer.c.id == _slot.c.volunteer_id)
        )
        .where(
            _slot.c.programme_id == WeeklyProgramme.in_force(group, day), _slot.c.weekday == weekday
        )
    )


def roll_slot(row) -> RollSlot:
    """A row of ``day_slots`` as the roll page shows it."""
    (slot_id, starts_at, ends_at, kind, title, room, *names, note) = row
    leader_family, leader_given, volunteer_family, volunteer_given = names
    if leader_family is not None:
        led_by = person_name(leader_family, leader_given)
    elif volunteer_family is not None:
        led_by = person_name(volunteer_family, volunteer_given)
    else:
        led_by = None
    return RollSlot(slot_id, starts_at, ends_at, SlotKind(kind), title, room, led_by, note)


# A child's departure of the day, joined to the child's row (one at most: one per child and day).
DEPARTURES = _departure
DEPARTURE_COLUMNS = (
    _departure.c.left_at,
    _departure.c.collected_by,
    _departure.c.alone,
    _departure.c.not_allowed,
)


def departure_of(person, group, day) -> ColumnElement[bool]:
    """The join condition of a child's departure from the group on the day (SQL values)."""
    return and_(
        _departure.c.person_id == person,
        _departure.c.group_id == group,
        _departure.c.day == day,
    )


def roll_departure(left_at, collected_by, alone, not_allowed) -> RollDeparture | None:
    """The ``DEPARTURE_COLUMNS`` of a child's row, or None when the child has not left."""
    if left_at is None:
        return None
    return RollDeparture(left_at, collected_by, bool(alone), bool(not_allowed))
