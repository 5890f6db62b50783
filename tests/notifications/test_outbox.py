"""Events queue messages for the right people, in their language, and a real SMTP server gets them."""

from datetime import datetime, time, timedelta

import pytest
from sqlalchemy import select

from daycentre.attendance import services as attendance
from daycentre.attendance.models import AbsenceReason, AbsenceReport, AttendanceStatus
from daycentre.attendance.services import Mark
from daycentre.core.database import utcnow
from daycentre.core.localtime import local_instant, today
from daycentre.counselling.models import SessionNote
from daycentre.extensions import db
from daycentre.notifications import services as notify
from daycentre.notifications.models import Channel, Event, Message, MessageState
from daycentre.people.models import Relationship
from daycentre.programme import services as programme
from tests.attendance.helpers import operating_days_back
from tests.factories import (
    make_adult,
    make_enrolment,
    make_family,
    make_group,
    make_outing,
    make_parent,
    make_room,
    make_session,
    make_user,
)
from tests.notifications.conftest import consenting_adult
from tests.queries import count_queries

PUBLIC_URL = "https://zi.dgaspc.example.ro"


@pytest.fixture
def roll_day(app, centre, monkeypatch):
    """An operating day the roll is saved on the same day (the clock may sit on a holiday)."""
    day = operating_days_back(centre, 1)[0]
    monkeypatch.setattr(attendance, "today", lambda: day)
    app.config["PUBLIC_URL"] = PUBLIC_URL
    return day


@pytest.fixture
def two_families(centre):
    """A group with two children of two families: the Popescus (ro) and the Kovácses, whose
    mother reads in Hungarian through her parent account."""
    group = make_group(centre)
    popescu, kovacs = make_family(centre, name="Popescu"), make_family(centre, name="Kovács")
    ana = make_enrolment_child(popescu, group, "Ana")
    bence = make_enrolment_child(kovacs, group, "Bence")
    maria = consenting_adult(popescu, given_name="Maria", email="maria@example.ro")
    eva = consenting_adult(kovacs, given_name="Éva", email="eva-person@example.ro")
    make_parent(adult=eva, family=kovacs, email="eva@example.ro", locale="hu")
    db.session.commit()
    return {"group": group, "ana": ana, "bence": bence, "maria": maria, "eva": eva}


def make_enrolment_child(family, group, given_name):
    from tests.factories import make_child

    child = make_child(family, given_name=given_name)
    make_enrolment(child, group)
    return child


def _turn_on(centre, event, actor=None):
    on = {e.value for e in notify.enabled_events(centre.id)} | {event.value}
    notify.save_settings(centre, actor=actor, enabled=on)


def _mark_absent(group, day, children, actor):
    """The roll with ``children`` absent (unexcused), everyone else of the group present."""
    absent = {child.id for child in children}
    everyone = [e.person_id for e in attendance.children_active_on(group.id, day)]
    attendance.record_roll(
        group,
        day,
        {
            pid: Mark(
                AttendanceStatus.ABSENT_UNEXCUSED if pid in absent else AttendanceStatus.PRESENT
            )
            for pid in everyone
        },
        actor=actor,
        version=attendance.roll_for(group, day).version,
    )
    db.session.commit()


def _messages(**criteria):
    return list(db.session.scalars(select(Message).filter_by(**criteria).order_by(Message.id)))


def test_an_absence_is_not_told_until_the_centre_turns_it_on(centre, users, two_families, roll_day):
    family = two_families
    _mark_absent(family["group"], roll_day, [family["ana"]], users["coordinator"])
    assert _messages() == []

    _turn_on(centre, Event.CHILD_ABSENT, users["coordinator"])
    _mark_absent(family["group"], roll_day, [family["ana"], family["bence"]], users["coordinator"])
    sent = {(m.address, m.channel) for m in _messages(event=Event.CHILD_ABSENT)}
    assert sent == {("maria@example.ro", Channel.EMAIL), ("eva@example.ro", Channel.EMAIL)}

    # Saved again (a correction): the same absence is one message.
    _mark_absent(family["group"], roll_day, [family["ana"], family["bence"]], users["coordinator"])
    assert len(_messages(event=Event.CHILD_ABSENT)) == 2


def test_a_past_day_or_a_parents_report_sends_nothing(
    centre, users, two_families, roll_day, monkeypatch
):
    _turn_on(centre, Event.CHILD_ABSENT)
    monkeypatch.setattr(attendance, "today", lambda: roll_day + timedelta(days=1))
    _mark_absent(two_families["group"], roll_day, [two_families["ana"]], users["coordinator"])
    assert _messages() == []

    monkeypatch.setattr(attendance, "today", lambda: roll_day)
    ana = two_families["ana"]
    db.session.add(
        AbsenceReport(
            centre_id=centre.id,
            person_id=ana.id,
            first_day=roll_day,
            last_day=roll_day,
            reason=AbsenceReason.ILLNESS,
            reported_by_id=make_parent(ana.family).id,
            reported_at=utcnow(),
        )
    )
    db.session.commit()
    _mark_absent(two_families["group"], roll_day, [two_families["ana"]], users["coordinator"])
    assert _messages() == []


def test_no_consent_no_message_and_a_withdrawn_one_stops_them(
    centre, users, two_families, roll_day
):
    _turn_on(centre, Event.CHILD_ABSENT)
    maria = two_families["maria"]
    maria.consents[0].withdrawn_on = roll_day - timedelta(days=1)
    make_adult(maria.family, given_name="Ion", relation=Relationship.FATHER, email="ion@example.ro")
    db.session.commit()
    _mark_absent(two_families["group"], roll_day, [two_families["ana"]], users["coordinator"])
    assert _messages() == []


def test_the_e_mails_reach_each_family_in_its_language_with_the_link(
    centre, users, two_families, roll_day, smtp
):
    _turn_on(centre, Event.CHILD_ABSENT)
    _mark_absent(
        two_families["group"],
        roll_day,
        [two_families["ana"], two_families["bence"]],
        users["coordinator"],
    )

    report = notify.send_due()

    assert report.sent == 2
    assert {tuple(m["to"]) for m in smtp.received} == {("maria@example.ro",), ("eva@example.ro",)}
    (to_maria,) = smtp.to("maria@example.ro")
    (to_eva,) = smtp.to("eva@example.ro")
    assert "Ana Popescu absentează astăzi" in to_maria["subject"]
    assert "Kovács Bence ma hiányzik" in to_eva["subject"]
    assert "hiányzóként szerepel" in to_eva["body"]
    # Nothing about the other family.
    assert "Bence" not in to_maria["subject"] + to_maria["body"]
    assert "Ana" not in to_eva["subject"] + to_eva["body"]
    assert f"{PUBLIC_URL}/parent/" in to_maria["body"]
    assert all(m.state is MessageState.SENT for m in _messages())


def test_a_counselling_reminder_gives_time_and_place_never_the_note(app, centre, users, smtp):
    family = make_family(centre, name="Szabó")
    client = consenting_adult(family, given_name="Ilona", email="ilona@example.ro")
    notify.save_preference(actor=None, person=client, email=True, sms=False, locale="hu")
    room = make_room(centre, name="Sala albastră")
    tomorrow = today() + timedelta(days=1)
    session = make_session(
        users["counsellor"],
        room,
        person=client,
        start=local_instant(tomorrow, time(10, 30)),
    )
    db.session.add(
        SessionNote(session=session, author_id=users["counsellor"].id, text="NOTA CONFIDENȚIALĂ")
    )
    db.session.commit()

    notify.queue_due(today())
    notify.queue_due(today())  # the sender runs every few minutes: still one reminder
    db.session.commit()
    assert len(_messages(event=Event.COUNSELLING_REMINDER)) == 1
    notify.send_due()

    (reminder,) = smtp.to("ilona@example.ro")
    assert "tanácsadási alkalom" in reminder["subject"]
    assert "Sala albastră" in reminder["body"] and "10:30" in reminder["body"]
    assert "CONFIDENȚIALĂ" not in reminder["subject"] + reminder["body"]


def test_parents_are_asked_for_an_outing_permission(app, centre, users, two_families):
    app.config["PUBLIC_URL"] = PUBLIC_URL
    coordinator = users["coordinator"]
    start = local_instant(today() + timedelta(days=10), time(9))
    outing = make_outing(centre, coordinator, start)
    programme.invite(outing, [two_families["bence"].id], actor=coordinator)
    db.session.commit()
    (asked,) = _messages(event=Event.OUTING_PERMISSION)
    assert asked.address == "eva@example.ro" and asked.locale == "hu"
    assert "Grădina botanică" in asked.subject and PUBLIC_URL in asked.text


def test_the_roll_save_tells_parents_in_a_fixed_number_of_queries(centre, users, roll_day):
    _turn_on(centre, Event.CHILD_ABSENT)
    counts = {}
    for size in (2, 12):
        group = make_group(centre, capacity=30)
        children = []
        for index in range(size):
            family = make_family(centre, name=f"Familia{size}-{index}")
            children.append(make_enrolment_child(family, group, "Ana"))
            consenting_adult(family, email=f"p{size}-{index}@example.ro")
        db.session.commit()
        people = {child.id: child for child in children}
        marks = {child.id: Mark(AttendanceStatus.ABSENT_UNEXCUSED) for child in children}
        assert group.centre.name  # the roll save has its group and centre loaded already
        with count_queries() as queries:
            attendance._tell_parents_of_absences(group, roll_day, people, marks)
        counts[size] = queries
    assert len(counts[2]) == len(counts[12]), counts[12].report()
    # The setting, the parents' absence reports, the families, the adults, the consents,
    # accounts, preferences, one INSERT.
    assert len(counts[12]) <= 8, counts[12].report()
    assert len(_messages(event=Event.CHILD_ABSENT)) == 14


def test_a_user_without_e_mail_or_choosing_none_gets_nothing(app, centre):
    coordinator = make_user("coordinator", centres=[centre], email=None)
    assert (
        notify.queue(
            Event.SIGNUP_CANCELLED,
            centre_id=centre.id,
            record=("volunteer_signups", 1),
            recipients=notify.recipients_for_user(coordinator),
            template="signup_cancelled",
            context={
                "volunteer_family": "Ionescu",
                "volunteer_given": "Ștefan",
                "title": "Teme",
                "starts_at": datetime(2026, 12, 2, 10, 0),
                "reason": "Bolnav",
                "link": "https://x",
            },
        )
        == 0
    )
