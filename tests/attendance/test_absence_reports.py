"""A parent's absence reported ahead: only on the days the child is expected, before the centre's
cut-off on the day itself, withdrawn before it; the roll shows it and the coordinator decides.

The clock is set to known days (Bucharest time) whatever day the suite runs on."""

from datetime import date, datetime, time

import pytest
from flask_babel import force_locale

from daycentre.attendance import services as attendance
from daycentre.attendance.models import AbsenceReport, AttendanceStatus
from daycentre.attendance.roll_page import roll_page, show_in_form
from daycentre.audit.models import AuditEntry
from daycentre.core.errors import Refused
from daycentre.core.localtime import BUCHAREST
from daycentre.extensions import db
from tests.factories import make_group, make_group_of_children, make_parent

# A Monday; the next Monday and Tuesday (30 November, 1 December) are public holidays.
MONDAY = date(2026, 11, 23)


def at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=BUCHAREST)


@pytest.fixture
def child(centre):
    group = make_group(centre, name="Clasele I–IV")
    return make_group_of_children(group, 1, start=date(2026, 9, 1))[0]


@pytest.fixture
def parent(child):
    return make_parent(child.family)


def report(child, parent, first, last=None, reason="illness", note=None):
    return attendance.report_absence(
        child, actor=parent, first_day=first, last_day=last, reason=reason, note=note
    )


def test_a_report_before_the_cut_off_is_kept_and_audited(time_machine, child, parent):
    time_machine.move_to(at(MONDAY, 8, 59), tick=False)

    saved = report(child, parent, MONDAY, note="Are febră")

    assert (saved.first_day, saved.last_day, saved.reason.value) == (MONDAY, MONDAY, "illness")
    assert saved.reported_by_id == parent.id
    assert attendance.reported_by_parent([child.id], MONDAY) == {child.id}
    entry = db.session.scalar(db.select(AuditEntry).where(AuditEntry.entity == "absence_reports"))
    assert entry.person_id == child.id and entry.action == "create"


def test_after_the_cut_off_the_day_is_refused_saying_until_when(time_machine, child, parent):
    time_machine.move_to(at(MONDAY, 9, 1), tick=False)

    with force_locale("ro"), pytest.raises(Refused) as refusal:
        report(child, parent, MONDAY)

    assert "până la 09:00" in str(refusal.value.message)
    assert db.session.scalar(db.select(AbsenceReport)) is None
    report(child, parent, MONDAY.replace(day=24))  # the next day is still open


def test_the_centre_sets_its_own_cut_off(time_machine, centre, child, parent):
    centre.absence_cutoff = time(7, 30)
    time_machine.move_to(at(MONDAY, 8), tick=False)

    with force_locale("hu"), pytest.raises(Refused) as refusal:
        report(child, parent, MONDAY)

    assert "7:30" in str(refusal.value.message)


def test_past_days_are_refused(time_machine, child, parent):
    time_machine.move_to(at(MONDAY, 8), tick=False)

    with pytest.raises(Refused):
        report(child, parent, date(2026, 11, 20))


def test_a_range_counts_only_the_days_the_centre_works(time_machine, child, parent):
    """From Thursday to the Wednesday after: the weekend and the two public holidays between
    are no absences; the report runs from the first to the last working day."""
    time_machine.move_to(at(MONDAY, 12), tick=False)

    saved = report(child, parent, date(2026, 11, 26), date(2026, 12, 2), reason="family")

    assert (saved.first_day, saved.last_day) == (date(2026, 11, 26), date(2026, 12, 2))
    assert attendance.reported_by_parent([child.id], date(2026, 12, 2)) == {child.id}
    assert attendance.reported_by_parent([child.id], date(2026, 12, 3)) == set()


def test_a_range_of_closed_days_only_is_refused(time_machine, child, parent):
    time_machine.move_to(at(MONDAY, 12), tick=False)

    with pytest.raises(Refused):  # Saturday to Tuesday: a weekend and two public holidays
        report(child, parent, date(2026, 11, 28), date(2026, 12, 1))


def test_a_day_the_child_is_not_enrolled_is_refused(time_machine, centre, parent):
    time_machine.move_to(at(MONDAY, 8), tick=False)
    group = make_group(centre)
    later = make_group_of_children(group, 1, start=date(2026, 12, 7))[0]

    with pytest.raises(Refused):
        report(later, parent, MONDAY)


def test_the_same_days_are_not_reported_twice(time_machine, child, parent):
    time_machine.move_to(at(MONDAY, 8), tick=False)
    report(child, parent, MONDAY, date(2026, 11, 25))

    with pytest.raises(Refused):
        report(child, parent, date(2026, 11, 25))


def test_a_report_is_withdrawn_before_the_cut_off_and_not_after(time_machine, child, parent):
    time_machine.move_to(at(MONDAY, 8), tick=False)
    first = report(child, parent, MONDAY)
    second = report(child, parent, date(2026, 11, 24))

    attendance.withdraw_report(first, actor=parent)
    assert first.withdrawn_at is not None
    assert attendance.reported_by_parent([child.id], MONDAY) == set()

    time_machine.move_to(at(date(2026, 11, 24), 9, 30), tick=False)
    with pytest.raises(Refused):
        attendance.withdraw_report(second, actor=parent)
    assert attendance.reported_by_parent([child.id], date(2026, 11, 24)) == {child.id}


def test_the_roll_shows_the_report_as_an_excused_absence_until_the_coordinator_decides(
    time_machine, app, child, parent, users
):
    time_machine.move_to(at(MONDAY, 8), tick=False)
    report(child, parent, MONDAY, reason="illness", note="Are febră")
    group = child.enrolments[0].group

    _group, page = roll_page(group.id, MONDAY, users["coordinator"])
    show_in_form(page)
    [line] = page.lines
    assert line.reported.value == "illness" and line.reported_note == "Are febră"
    assert line.status == AttendanceStatus.ABSENT_EXCUSED.value

    # The coordinator keeps the last word: the child came after all.
    time_machine.move_to(at(MONDAY, 13), tick=False)
    attendance.record_roll(
        group, MONDAY, {child.id: attendance.Mark(AttendanceStatus.PRESENT)}, actor=users["admin"]
    )
    _group, page = roll_page(group.id, MONDAY, users["coordinator"])
    show_in_form(page)
    assert page.lines[0].status == "present"
    assert page.lines[0].reported is not None  # still shown beside the name


def test_the_roll_page_says_which_children_are_marked_absent_already(
    time_machine, client, login_as, child, parent
):
    time_machine.move_to(at(MONDAY, 8), tick=False)
    report(child, parent, MONDAY)
    db.session.commit()
    login_as("coordinator")

    page = client.get(f"/attendance/groups/{child.enrolments[0].group_id}/roll")

    assert "copilul al cărui părinte a anunțat absența este trecut absent" in page.text
    assert "toți sunt trecuți prezenți" not in page.text


def test_the_coordinator_sets_the_centres_cut_off_and_it_is_audited(client, login_as, centre):
    login_as("coordinator")
    form = client.get(f"/attendance/centres/{centre.id}/alerts")
    assert 'value="09:00"' in form.text

    response = client.post(
        f"/attendance/centres/{centre.id}/alerts",
        data={
            "version": "0",
            "consecutive_unexcused": "3",
            "unexcused_percent": "20",
            "absence_cutoff": "08:30",
        },
    )

    assert response.status_code == 302
    db.session.refresh(centre)
    assert centre.absence_cutoff == time(8, 30)
    entry = db.session.scalar(
        db.select(AuditEntry).where(AuditEntry.entity == "centres", AuditEntry.action == "update")
    )
    assert entry.changes == {"absence_cutoff": ["09:00:00", "08:30:00"]}
