"""The home page's absence alerts, counted by the database for a whole county, say exactly what
the child-by-child reading of the marks says: same children, runs, shares and order."""

import random

import pytest

from daycentre.attendance import services as attendance
from daycentre.attendance.models import AbsenceAlertRule, Attendance, AttendanceStatus
from daycentre.centres.models import ClosureDay
from daycentre.core.localtime import today
from daycentre.extensions import db
from tests.attendance.helpers import operating_days_back
from tests.factories import make_group, make_group_of_children

S = AttendanceStatus


def _read_child_by_child(centres, day):
    """The reference: every current child's marks of the look-back, read and counted in Python."""
    by_id = {c.id: c for c in centres}
    rules = {c.id: attendance.alert_rule(c.id) for c in centres}
    current = {}
    for centre in centres:
        for group in centre.groups:
            for enrolment in attendance.children_active_on(group.id, day):
                current[(centre.id, enrolment.person_id)] = enrolment.person
    return attendance._alerts(current, by_id, rules, day)


def _summary(alerts):
    return [(a.centre.id, a.person.id, a.consecutive, a.unexcused, a.marked) for a in alerts]


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_alerts_counted_by_the_database_equal_the_marks_read_one_by_one(
    app, centre, other_centre, seed
):
    chance = random.Random(seed)
    day = today()
    db.session.add(
        AbsenceAlertRule(centre_id=other_centre.id, consecutive_unexcused=2, unexcused_percent=40)
    )
    for place in (centre, other_centre):
        group = make_group(place)
        children = make_group_of_children(group, 8)
        days = operating_days_back(place, 45)
        for child in children:
            weight = chance.choice([0.05, 0.3, 0.7])
            for marked_on in days:
                if chance.random() < 0.1:
                    continue  # no roll that day
                status = (
                    S.ABSENT_UNEXCUSED
                    if chance.random() < weight
                    else chance.choice([S.PRESENT, S.PRESENT, S.ABSENT_EXCUSED])
                )
                db.session.add(
                    Attendance(
                        centre_id=place.id,
                        group_id=group.id,
                        person_id=child.id,
                        day=marked_on,
                        status=status,
                    )
                )
        # A closure declared after the roll was taken: its marks count for nothing.
        db.session.add(
            ClosureDay(centre=place, day=days[chance.randrange(1, 4)], reason="Inventar")
        )
    db.session.flush()
    centres = [centre, other_centre]
    expected = _summary(_read_child_by_child(centres, day))
    assert expected, "the data hold some alerts"
    assert _summary(attendance.absence_alerts(centres, day)) == expected


def test_a_child_whose_last_present_day_became_a_closure_day_keeps_the_whole_run(app, centre):
    group = make_group(centre)
    (child,) = make_group_of_children(group, 1)
    days = operating_days_back(centre, 5)  # newest first
    statuses = [S.ABSENT_UNEXCUSED, S.ABSENT_UNEXCUSED, S.PRESENT, S.ABSENT_UNEXCUSED, S.PRESENT]
    for marked_on, status in zip(days, statuses, strict=True):
        db.session.add(
            Attendance(
                centre_id=centre.id,
                group_id=group.id,
                person_id=child.id,
                day=marked_on,
                status=status,
            )
        )
    db.session.add(ClosureDay(centre=centre, day=days[2], reason="Dezinsecție"))
    db.session.flush()
    (alert,) = attendance.absence_alerts([centre], today())
    assert alert.consecutive == 3
    assert _summary([alert]) == _summary(_read_child_by_child([centre], today()))
