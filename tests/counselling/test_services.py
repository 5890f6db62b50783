import time as clock
from datetime import UTC, date, datetime, time, timedelta

import pytest

from daycentre import scheduling
from daycentre.audit.models import AuditEntry
from daycentre.centres.models import ClosureDay
from daycentre.core.errors import Refused
from daycentre.core.localtime import BUCHAREST, now
from daycentre.counselling import services as counselling
from daycentre.counselling.models import (
    CounsellingSession,
    NoteShare,
    SessionSeries,
    SessionStatus,
)
from daycentre.extensions import db
from tests.concurrency import race, refused
from tests.factories import (
    make_adult,
    make_child,
    make_family,
    make_room,
    make_session,
    make_user,
)

TUESDAY = date(2026, 11, 24)


def at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute)).replace(tzinfo=BUCHAREST)


@pytest.fixture
def setting(app, centre, users):
    centre.opens_at = time(8, 0)
    room = make_room(centre, name="Cabinet 1")
    family = make_family(centre, name="Kovács")
    child = make_child(family, given_name="Anna")
    parent = make_adult(family, given_name="Erzsébet")
    db.session.commit()
    return {
        "centre": centre,
        "room": room,
        "family": family,
        "child": child,
        "parent": parent,
        "counsellor": users["counsellor"],
        "coordinator": users["coordinator"],
    }


def book(s, *, start, minutes=60, actor=None, counsellor=None, room=None, **kwargs):
    if "person" not in kwargs and "family" not in kwargs:
        kwargs["person"] = s["child"]
    return counselling.schedule(
        s["centre"],
        actor=actor or s["counsellor"],
        counsellor=counsellor or s["counsellor"],
        room=room or s["room"],
        session_type="psychological",
        start=start,
        minutes=minutes,
        **kwargs,
    )


def test_a_session_is_stored_in_utc_and_read_in_bucharest_time(setting):
    (session,) = book(setting, start=at(TUESDAY, 10))
    db.session.commit()
    db.session.expire_all()
    stored = db.session.get(CounsellingSession, session.id)
    assert stored.starts_at == datetime(2026, 11, 24, 8, 0, tzinfo=UTC)
    assert stored.local_start.hour == 10
    assert stored.duration_minutes == 60
    entry = db.session.scalar(db.select(AuditEntry).where(AuditEntry.entity_id == session.id))
    assert entry.action == "create"
    assert entry.person_id == setting["child"].id


def test_the_same_counsellor_cannot_be_in_two_sessions_at_once(setting):
    book(setting, start=at(TUESDAY, 10))
    other_room = make_room(setting["centre"], name="Cabinet 2")
    other_child = make_child(make_family(setting["centre"], name="Nagy"), given_name="Botond")
    with pytest.raises(Refused, match="consilierul Ioana Mureșan este ocupat") as refusal:
        book(setting, start=at(TUESDAY, 10, 30), room=other_room, person=other_child)
    assert "Mureșan" in refusal.value.message


def test_a_room_is_not_booked_twice(setting):
    book(setting, start=at(TUESDAY, 10))
    colleague = make_user("counsellor", centres=[setting["centre"]], family_name="Dobre")
    other_child = make_child(make_family(setting["centre"], name="Nagy"), given_name="Botond")
    with pytest.raises(Refused) as refusal:
        book(
            setting,
            start=at(TUESDAY, 10, 59),
            actor=colleague,
            counsellor=colleague,
            person=other_child,
        )
    assert "Cabinet 1" in refusal.value.message


def test_a_family_session_clashes_with_a_session_of_one_of_its_members(setting):
    book(setting, start=at(TUESDAY, 10))
    colleague = make_user("counsellor", centres=[setting["centre"]], family_name="Dobre")
    other_room = make_room(setting["centre"], name="Cabinet 2")
    with pytest.raises(Refused) as refusal:
        book(
            setting,
            start=at(TUESDAY, 10, 30),
            actor=colleague,
            counsellor=colleague,
            room=other_room,
            family=setting["family"],
        )
    assert "Kovács" in refusal.value.message


def test_back_to_back_sessions_do_not_clash(setting):
    book(setting, start=at(TUESDAY, 10))
    assert book(setting, start=at(TUESDAY, 11))


def test_a_cancelled_session_frees_its_time(setting):
    (first,) = book(setting, start=at(TUESDAY, 10))
    counselling.record_outcome(
        first,
        actor=setting["counsellor"],
        version=first.version,
        status="cancelled",
        cancel_reason="Copilul este bolnav",
    )
    assert book(setting, start=at(TUESDAY, 10))
    with pytest.raises(Refused):  # and cannot be brought back over the new one
        counselling.record_outcome(
            first, actor=setting["counsellor"], version=first.version, status="held"
        )


@pytest.mark.parametrize(
    ("start", "minutes", "reason"),
    [
        (at(TUESDAY, 7, 30), 60, "în afara programului centrului"),
        (at(TUESDAY, 17, 30), 60, "în afara programului centrului"),
        (at(date(2026, 11, 28), 10), 60, "nu este deschis în această zi"),  # a Saturday
        (at(date(2026, 12, 1), 10), 60, "sărbătoare legală \\(Ziua Națională a României\\)"),
    ],
)
def test_outside_the_centre_s_hours_and_days_is_refused(setting, start, minutes, reason):
    with pytest.raises(Refused, match=reason):
        book(setting, start=start, minutes=minutes)


def test_a_closure_day_is_refused_with_its_reason(setting):
    db.session.add(
        ClosureDay(centre=setting["centre"], day=date(2026, 11, 26), reason="Instruire personal")
    )
    with pytest.raises(Refused, match="Instruire personal"):
        book(setting, start=at(date(2026, 11, 26), 10))


def test_a_weekly_series_keeps_its_local_time_across_the_end_of_summer_time(setting):
    # The last Sunday of October 2026 is the 25th: Bucharest goes from UTC+3 to UTC+2.
    sessions = book(setting, start=at(date(2026, 10, 20), 10), interval_days=7, occurrences=3)
    db.session.commit()
    db.session.expire_all()
    stored = db.session.scalars(
        db.select(CounsellingSession).order_by(CounsellingSession.starts_at)
    ).all()
    assert [s.local_start.strftime("%d.%m %H:%M") for s in stored] == [
        "20.10 10:00",
        "27.10 10:00",
        "03.11 10:00",
    ]
    assert [s.starts_at.hour for s in stored] == [7, 8, 8]  # UTC
    assert len({s.series_id for s in sessions}) == 1


def test_a_series_until_a_date_and_every_n_days(setting):
    sessions = book(setting, start=at(TUESDAY, 10), interval_days=2, until=date(2026, 11, 27))
    assert [s.local_start.date() for s in sessions] == [date(2026, 11, 24), date(2026, 11, 26)]
    assert all(s.local_start.hour == 10 for s in sessions)


def test_a_series_with_one_clashing_date_is_refused_whole_and_names_the_dates(setting):
    book(setting, start=at(date(2026, 12, 8), 10, 30))
    db.session.commit()
    with pytest.raises(Refused) as refusal:
        book(setting, start=at(date(2026, 11, 24), 10), interval_days=7, occurrences=4)
    message = refusal.value.message
    assert "08.12.2026" in message or "12/8/26" in message
    assert "24.11.2026" not in message and "11/24/26" not in message
    # The public holiday of 1 December is left out of the series, not a reason to refuse it.
    assert "01.12.2026" not in message and "12/1/26" not in message
    db.session.rollback()
    assert db.session.scalar(db.select(db.func.count(SessionSeries.id))) == 0
    assert db.session.scalar(db.select(db.func.count(CounsellingSession.id))) == 1


def test_a_weekly_series_across_epiphany_is_booked_without_it(setting):
    sessions = book(setting, start=at(date(2026, 12, 30), 10), interval_days=7, occurrences=3)
    db.session.commit()
    assert [s.local_start.date() for s in sessions] == [date(2026, 12, 30), date(2027, 1, 13)]
    ((day, why),) = sessions.skipped
    assert day == date(2027, 1, 6)
    assert "Boboteaza" in why


def test_a_series_leaves_out_the_centre_s_closure_days(setting):
    db.session.add(ClosureDay(centre=setting["centre"], day=date(2026, 12, 8), reason="Inventar"))
    db.session.commit()
    sessions = book(
        setting, start=at(date(2026, 11, 24), 10), interval_days=7, until=date(2026, 12, 15)
    )
    assert [s.local_start.date() for s in sessions] == [
        date(2026, 11, 24),
        date(2026, 12, 15),
    ]  # 1 December: a public holiday; 8 December: the closure
    assert [day for day, _ in sessions.skipped] == [date(2026, 12, 1), date(2026, 12, 8)]
    assert "Inventar" in sessions.skipped[1][1]


def test_a_series_on_closed_days_only_is_refused(setting):
    with pytest.raises(Refused):
        book(setting, start=at(date(2027, 1, 6), 10), interval_days=7, occurrences=1)


def test_after_a_clash_the_next_free_times_of_the_counsellor_and_room_are_offered(setting, users):
    colleague = make_user("counsellor", centres=[setting["centre"]])
    other_room = make_room(setting["centre"], name="Cabinet 2")
    other = make_child(make_family(setting["centre"], name="Nagy"), given_name="Botond")
    # The counsellor is busy 10:30–11:30; the room, with a colleague, 11:30–12:15.
    make_session(setting["counsellor"], other_room, person=other, start=at(TUESDAY, 10, 30))
    make_session(colleague, setting["room"], person=other, start=at(TUESDAY, 11, 30), minutes=45)
    db.session.commit()
    with pytest.raises(counselling.Clashing) as clash:
        book(setting, start=at(TUESDAY, 10))
    assert clash.value.free_times == [
        at(TUESDAY, 12, 15),
        at(TUESDAY, 12, 30),
        at(TUESDAY, 12, 45),
    ]
    db.session.rollback()
    (session,) = book(setting, start=clash.value.free_times[0])
    assert session.local_start.time() == time(12, 15)


def test_the_free_times_of_a_series_fit_every_one_of_its_days(setting):
    centre = setting["centre"]
    centre.closes_at = time(12, 0)
    other = make_child(make_family(centre, name="Nagy"), given_name="Botond")
    # The second Tuesday is full from 10:00; the series moves to the next day with room.
    busy = at(date(2026, 12, 15), 10)
    make_session(setting["counsellor"], setting["room"], person=other, start=busy, minutes=120)
    db.session.commit()
    with pytest.raises(counselling.Clashing) as clash:
        book(setting, start=at(date(2026, 12, 8), 10), interval_days=7, occurrences=2)
    # 8 December after 10:00 would put 15 December in the busy morning; 9 December from 8:00 fits.
    wednesday = date(2026, 12, 9)
    assert clash.value.free_times == [at(wednesday, 8), at(wednesday, 8, 15), at(wednesday, 8, 30)]


def test_moving_the_rest_of_a_series_moves_each_later_session_and_checks_them(setting):
    sessions = book(setting, start=at(date(2026, 11, 2), 10), interval_days=7, occurrences=4)
    db.session.commit()
    second = sessions[1]
    counselling.reschedule(
        second,
        actor=setting["counsellor"],
        version=second.version,
        counsellor=setting["counsellor"],
        room=setting["room"],
        session_type="social",
        start=at(second.local_start.date(), 14),
        minutes=45,
        following=True,
    )
    times = [(s.local_start.day, s.local_start.hour, s.duration_minutes) for s in sessions]
    assert times == [(2, 10, 60), (9, 14, 45), (16, 14, 45), (23, 14, 45)]

    other = make_child(make_family(setting["centre"], name="Nagy"), given_name="Botond")
    make_session(
        setting["counsellor"], setting["room"], person=other, start=at(date(2026, 11, 23), 9)
    )
    with pytest.raises(Refused, match="23.11.2026|11/23/26"):
        counselling.reschedule(
            sessions[1],
            actor=setting["counsellor"],
            version=sessions[1].version,
            counsellor=setting["counsellor"],
            room=setting["room"],
            session_type="social",
            start=at(date(2026, 11, 9), 9),
            minutes=60,
            following=True,
        )


def test_editing_one_session_into_another_s_time_is_refused(setting):
    (first,) = book(setting, start=at(TUESDAY, 10))
    (second,) = book(setting, start=at(TUESDAY, 12))
    with pytest.raises(Refused):
        counselling.reschedule(
            second,
            actor=setting["counsellor"],
            version=second.version,
            counsellor=setting["counsellor"],
            room=setting["room"],
            session_type="social",
            start=at(TUESDAY, 10, 30),
            minutes=60,
        )
    # Moving a session within its own time is not a clash with itself.
    counselling.reschedule(
        first,
        actor=setting["counsellor"],
        version=first.version,
        counsellor=setting["counsellor"],
        room=setting["room"],
        session_type="social",
        start=at(TUESDAY, 10, 15),
        minutes=60,
    )
    assert first.local_start.minute == 15


def test_a_coordinator_books_for_a_counsellor_but_a_counsellor_only_for_themselves(setting):
    (session,) = book(setting, start=at(TUESDAY, 10), actor=setting["coordinator"])
    assert session.booked_by_id == setting["coordinator"].id
    colleague = make_user("counsellor", centres=[setting["centre"]])
    with pytest.raises(Refused):
        book(setting, start=at(TUESDAY, 14), actor=colleague)


def test_two_bookings_at_the_same_moment_leave_exactly_one_session(app, setting, monkeypatch):
    """Two transactions race: each would pass the check if it did not wait for the other's lock."""
    original = scheduling.busy_slots

    def slow_busy_slots(*args):
        found = original(*args)
        clock.sleep(0.3)  # widen the window between the check and the insert
        return found

    monkeypatch.setattr(scheduling, "busy_slots", slow_busy_slots)
    ids = {k: setting[k].id for k in ("centre", "room", "child", "counsellor")}
    other_room = make_room(setting["centre"], name="Cabinet 2")
    db.session.commit()
    other_room_id = other_room.id

    def attempt(room_id):
        from daycentre.auth.models import User
        from daycentre.centres.models import Centre, Room
        from daycentre.people.models import Person

        counsellor = db.session.get(User, ids["counsellor"])
        return lambda: counselling.schedule(
            db.session.get(Centre, ids["centre"]),
            actor=counsellor,
            counsellor=counsellor,
            room=db.session.get(Room, room_id),
            person=db.session.get(Person, ids["child"]),
            session_type="social",
            start=at(TUESDAY, 10),
            minutes=60,
        )

    outcomes = race(app, attempt, [ids["room"], other_room_id])
    assert refused(outcomes) == 1, outcomes
    assert db.session.scalar(db.select(db.func.count(CounsellingSession.id))) == 1


def test_a_note_is_read_by_its_author_and_by_those_it_is_shared_with(setting):
    (session,) = book(setting, start=at(TUESDAY, 10))
    author = setting["counsellor"]
    counselling.save_note(session, actor=author, text="Mama relatează conflicte acasă.")
    colleague = make_user("counsellor", centres=[setting["centre"]], family_name="Dobre")
    assert counselling.note_visible(session.note, author)
    assert not counselling.note_visible(session.note, colleague)
    assert not counselling.note_visible(session.note, setting["coordinator"])

    counselling.share_notes(actor=author, counsellor=colleague, person=setting["child"])
    assert counselling.note_visible(session.note, colleague)
    before = db.session.scalar(
        db.select(db.func.count(AuditEntry.id)).where(AuditEntry.action == "read")
    )
    assert counselling.read_note(session, actor=colleague).text.startswith("Mama")
    reads = db.session.scalars(
        db.select(AuditEntry).where(
            AuditEntry.action == "read", AuditEntry.entity == "session_notes"
        )
    ).all()
    assert len(reads) == before + 1
    assert reads[-1].actor_id == colleague.id
    assert reads[-1].person_id == setting["child"].id
    # The trail never holds the text.
    for entry in db.session.scalars(db.select(AuditEntry)):
        assert "conflicte" not in str(entry.changes)

    share = db.session.scalar(db.select(NoteShare))
    counselling.stop_sharing(share, actor=author)
    assert not counselling.note_visible(session.note, colleague)
    assert counselling.read_note(session, actor=setting["coordinator"]) is None


def test_only_the_session_s_counsellor_writes_the_note(setting):
    (session,) = book(setting, start=at(TUESDAY, 10))
    with pytest.raises(Refused):
        counselling.save_note(session, actor=setting["coordinator"], text="x")
    colleague = make_user("counsellor", centres=[setting["centre"]])
    with pytest.raises(Refused):
        counselling.save_note(session, actor=colleague, text="x")


HOUR = timedelta(hours=1)


def test_outcome_held_records_the_time_and_cancelling_needs_a_reason(setting):
    coming = make_session(
        setting["counsellor"], setting["room"], person=setting["child"], start=now() + HOUR
    )
    for status in ("held", "no_show"):
        with pytest.raises(Refused, match="nu a început încă"):
            counselling.record_outcome(
                coming, actor=setting["counsellor"], version=coming.version, status=status
            )
    assert coming.status is SessionStatus.SCHEDULED
    (session,) = book(setting, start=at(TUESDAY - timedelta(days=7), 10))
    with pytest.raises(Refused, match="motivul anulării"):
        counselling.record_outcome(
            session, actor=setting["counsellor"], version=session.version, status="cancelled"
        )
    counselling.record_outcome(
        session,
        actor=setting["counsellor"],
        version=session.version,
        status="held",
        minutes_spent=50,
    )
    assert session.status is SessionStatus.HELD
    assert session.minutes_spent == 50
