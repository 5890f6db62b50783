"""The home page keeps each centre's absence-alert figures between visits; a change to the marks,
the enrolments or the thresholds shows on the very next visit, and a change that was rolled
back leaves nothing behind."""

import pytest

from daycentre.attendance import services as attendance
from daycentre.attendance.models import AbsenceAlertRule, AttendanceStatus, RollCall
from daycentre.attendance.services import Mark
from daycentre.enrolment.models import Enrolment
from daycentre.extensions import db
from tests.attendance.helpers import operating_days_back
from tests.factories import make_group, make_group_of_children

P, U = AttendanceStatus.PRESENT, AttendanceStatus.ABSENT_UNEXCUSED


@pytest.fixture
def group(centre):
    group = make_group(centre, name="Clasele I–IV")
    # Only runs of absences raise an alert here: the month's share never does.
    db.session.add(
        AbsenceAlertRule(centre_id=centre.id, consecutive_unexcused=3, unexcused_percent=100)
    )
    return group


def _alerted(client) -> str:
    """The absence alerts of the home page, as the reader sees them ('' when there are none)."""
    page = client.get("/").get_data(as_text=True)
    start = page.find('id="absence-alerts-heading"')
    return "" if start < 0 else page[start : page.index("</article>", start)]


def _roll(group, day, children, absent=(), *, actor):
    marks = {c.id: Mark(U if c in absent else P) for c in children}
    stored = db.session.scalar(
        db.select(RollCall.version).where(RollCall.group_id == group.id, RollCall.day == day)
    )
    attendance.record_roll(group, day, marks, actor=actor, version=stored or 0)
    db.session.commit()


def test_a_new_mark_changes_the_alert_on_the_next_visit(client, login_as, centre, group, users):
    coordinator = login_as("coordinator")
    children = make_group_of_children(group, 3)
    latest, before, first = operating_days_back(centre, 3)
    child = children[0]
    _roll(group, first, children, [child], actor=coordinator)
    _roll(group, before, children, [child], actor=coordinator)
    assert child.full_name not in _alerted(client)  # two in a row
    assert child.full_name not in _alerted(client)

    _roll(group, latest, children, [child], actor=coordinator)
    assert child.full_name in _alerted(client)  # the third, on the next visit

    _roll(group, latest, children, [], actor=coordinator)  # the mark corrected
    assert child.full_name not in _alerted(client)


def test_a_child_who_left_is_off_the_alerts_on_the_next_visit(
    client, login_as, centre, group, users
):
    coordinator = login_as("coordinator")
    children = make_group_of_children(group, 2)
    days = operating_days_back(centre, 4)
    for day in reversed(days):
        _roll(group, day, children, [children[0]], actor=coordinator)
    assert children[0].full_name in _alerted(client)

    enrolment = db.session.scalar(db.select(Enrolment).where(Enrolment.person_id == children[0].id))
    enrolment.suspended_on = days[0]
    db.session.commit()
    assert children[0].full_name not in _alerted(client)


def test_new_thresholds_show_on_the_next_visit(client, login_as, centre, group, users):
    coordinator = login_as("coordinator")
    children = make_group_of_children(group, 2)
    latest, before = operating_days_back(centre, 2)
    for day in (before, latest):
        _roll(group, day, children, [children[1]], actor=coordinator)
    assert children[1].full_name not in _alerted(client)

    rule = db.session.scalar(db.select(AbsenceAlertRule))
    attendance.save_alert_rule(
        centre,
        actor=coordinator,
        version=rule.version,
        consecutive_unexcused=2,
        unexcused_percent=100,
    )
    db.session.commit()
    assert children[1].full_name in _alerted(client)


def test_a_change_rolled_back_leaves_the_alerts_as_they_were(app, centre, group, users):
    children = make_group_of_children(group, 2)
    days = operating_days_back(centre, 3)
    for day in reversed(days[1:]):
        _roll(group, day, children, [children[0]], actor=users["coordinator"])
    assert attendance.absence_alerts([centre], days[0]) == []

    nested = db.session.begin_nested()
    attendance.record_roll(
        group,
        days[0],
        {children[0].id: Mark(U), children[1].id: Mark(P)},
        actor=users["coordinator"],
    )
    alerted = attendance.absence_alerts([centre], days[0])
    assert [a.person.id for a in alerted] == [children[0].id]
    nested.rollback()

    assert attendance.absence_alerts([centre], days[0]) == []
