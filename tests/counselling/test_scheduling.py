"""The shared busy-slot check as a later area (workshops, support groups) will use it."""

from datetime import datetime, time

import pytest

from daycentre import scheduling
from daycentre.core.errors import Refused
from daycentre.core.localtime import BUCHAREST
from daycentre.counselling import services as counselling
from daycentre.extensions import db
from tests.factories import make_child, make_family, make_room, make_session


def at(hour: int) -> datetime:
    return datetime(2026, 11, 24, hour, 0, tzinfo=BUCHAREST)


@pytest.fixture
def workshop_in_cabinet(monkeypatch):
    """A stand-in for the workshops area: it holds room ``room_id`` from 14:00 to 16:00."""
    holder = {}

    def workshop_slots(starts_at, ends_at, resources):
        room_id = holder.get("room_id")
        if room_id in resources.rooms and at(14) < ends_at and starts_at < at(16):
            yield scheduling.BusySlot(
                scheduling.ROOM, room_id, at(14), at(16), ("workshop_sessions", 7), "workshop"
            )

    monkeypatch.setattr(scheduling, "_SOURCES", [*scheduling._SOURCES, workshop_slots])
    return holder


def test_a_session_is_refused_where_another_area_holds_the_room(
    app, centre, users, workshop_in_cabinet
):
    room = make_room(centre, name="Cabinet 1")
    child = make_child(make_family(centre, name="Kovács"))
    workshop_in_cabinet["room_id"] = room.id
    with pytest.raises(Refused, match="workshop"):
        counselling.schedule(
            centre,
            actor=users["counsellor"],
            counsellor=users["counsellor"],
            room=room,
            person=child,
            session_type="social",
            start=at(15),
            minutes=60,
        )


def test_another_area_sees_counselling_sessions_through_the_same_question(app, centre, users):
    room = make_room(centre, name="Cabinet 1")
    family = make_family(centre, name="Kovács")
    child = make_child(family)
    session = make_session(users["counsellor"], room, person=child, start=at(13))
    db.session.commit()
    # A workshop wants the child's family and a room between 13:30 and 15:00.
    wanted = scheduling.Resources(families={family.id}, rooms={room.id})
    scheduling.lock(wanted)
    found = scheduling.clashes([(at(13).replace(minute=30), at(15))], wanted)
    assert {(c.slot.kind, c.slot.source) for c in found} == {
        ("family", ("counselling_sessions", session.id)),
        ("room", ("counselling_sessions", session.id)),
    }
    # The records being moved are left out of their own check.
    assert not scheduling.clashes(
        [(at(13), at(14))], wanted, ignore={("counselling_sessions", session.id)}
    )
    assert time(13) == session.local_start.time()
