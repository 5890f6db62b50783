"""Who and what is busy when: the one check that keeps a person, a room or a staff member in one
place at a time, whichever area books them (counselling sessions now; workshops and support-group
meetings later).

An area that occupies people, rooms or staff registers a *busy source*: a function that answers, for
a time window and a set of resources, the slots it holds. ``clashes`` asks every source; ``lock``
serialises bookings of the same resources across transactions so that check-then-insert is safe.

Usage by a booking service::

    scheduling.lock(Resources(users={counsellor_id}, rooms={room_id}, families={family_id}))
    found = scheduling.clashes(intervals, resources, ignore={("counselling_sessions", 5)})
    if found: raise Refused(...)
    ... insert, flush ...

A new area adds ``scheduling.register_busy_source(my_busy_slots)`` at import time; its function takes
``(starts_at, ends_at, resources)`` and returns ``BusySlot`` rows overlapping the window.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.exc import OperationalError

from daycentre.auth.models import User
from daycentre.centres.models import Room
from daycentre.core.errors import Busy, is_busy
from daycentre.extensions import db
from daycentre.people.models import Family, Person

USER, ROOM, PERSON, FAMILY = "user", "room", "person", "family"


@dataclass(frozen=True)
class Resources:
    """What a booking occupies. A person's booking also occupies their family's shared slots."""

    users: frozenset[int] = field(default_factory=frozenset)
    rooms: frozenset[int] = field(default_factory=frozenset)
    people: frozenset[int] = field(default_factory=frozenset)
    families: frozenset[int] = field(default_factory=frozenset)

    def __post_init__(self):
        for name in ("users", "rooms", "people", "families"):
            object.__setattr__(self, name, frozenset(i for i in getattr(self, name) if i))


@dataclass(frozen=True)
class BusySlot:
    """One resource held from ``starts_at`` to ``ends_at`` by a record of some area."""

    kind: str  # USER, ROOM, PERSON or FAMILY
    resource_id: int
    starts_at: datetime
    ends_at: datetime
    source: tuple[str, int]  # (table, id) of the record that holds the slot
    what: str = ""  # a short description for the refusal ("counselling session")


BusySource = Callable[[datetime, datetime, Resources], Iterable[BusySlot]]
_SOURCES: list[BusySource] = []


def register_busy_source(source: BusySource) -> BusySource:
    if source not in _SOURCES:
        _SOURCES.append(source)
    return source


def busy_slots(starts_at: datetime, ends_at: datetime, resources: Resources) -> list[BusySlot]:
    """Every slot any area holds on these resources that overlaps [starts_at, ends_at)."""
    slots = []
    for source in _SOURCES:
        slots.extend(source(starts_at, ends_at, resources))
    return slots


@dataclass(frozen=True)
class Clash:
    """One wanted interval and a slot that overlaps it."""

    starts_at: datetime
    ends_at: datetime
    slot: BusySlot


def clashes(
    intervals: list[tuple[datetime, datetime]],
    resources: Resources,
    *,
    ignore: set[tuple[str, int]] = frozenset(),
) -> list[Clash]:
    """The overlaps between the wanted intervals and what is already booked on ``resources``.

    Records named in ``ignore`` (the ones being moved) do not count. Intervals are half-open:
    a session ending at 11:00 does not clash with one starting at 11:00.
    """
    if not intervals:
        return []
    window_start = min(start for start, _ in intervals)
    window_end = max(end for _, end in intervals)
    slots = [s for s in busy_slots(window_start, window_end, resources) if s.source not in ignore]
    found = []
    for start, end in sorted(intervals):
        for slot in slots:
            if slot.starts_at < end and start < slot.ends_at:
                found.append(Clash(start, end, slot))
    return found


def lock(resources: Resources) -> None:
    """Serialise bookings of these resources until the transaction ends; call before checking.

    PostgreSQL: the rows of the users, rooms and families involved are locked (SELECT ... FOR
    UPDATE) in one fixed order, so two bookings of the same counsellor, room or family wait for each
    other and never deadlock. A person's booking locks the person's family: a family session and a
    session of one of its members then also wait for each other.
    SQLite: any write takes the database's single write lock, so a no-op update makes this
    transaction the only writer until it commits; the check that follows sees every committed
    booking, and a second booking waits (busy timeout) and then sees this one.
    """
    families = set(resources.families)
    if resources.people:
        families |= set(
            db.session.scalars(select(Person.family_id).where(Person.id.in_(resources.people)))
        )
    try:
        if db.session.get_bind().dialect.name == "sqlite":
            db.session.execute(
                update(User)
                .where(User.id == min(resources.users or {0}))
                .values(id=User.id)
                .execution_options(synchronize_session=False)
            )
            return
        for model, ids in ((User, resources.users), (Room, resources.rooms), (Family, families)):
            if ids:
                db.session.execute(
                    select(model.id)
                    .where(model.id.in_(sorted(ids)))
                    .order_by(model.id)
                    .with_for_update()
                ).all()
    except OperationalError as error:  # the wait for the other writer ran out
        if not is_busy(error):
            raise
        raise Busy() from None
