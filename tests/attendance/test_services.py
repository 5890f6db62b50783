"""Roll-call rules: who is on the roll, one mark per child and day, stale and concurrent saves,
meals only for present children, the correction window, the monthly sheet and the alerts."""

from datetime import date, timedelta

import pytest
from flask_babel import force_locale

from daycentre.attendance import services as attendance
from daycentre.attendance.models import AbsenceAlertRule, Attendance, AttendanceStatus, RollCall
from daycentre.attendance.services import Mark
from daycentre.audit.models import AuditEntry
from daycentre.auth.models import User
from daycentre.centres.models import ClosureDay, Group
from daycentre.core.errors import Refused
from daycentre.core.localtime import today
from daycentre.extensions import db
from daycentre.meals.models import MealServed
from tests.attendance.helpers import operating_days_back, weekend_day
from tests.concurrency import race, refused
from tests.factories import (
    make_child,
    make_enrolment,
    make_group,
    make_group_of_children,
    make_meal_type,
)

S = AttendanceStatus
P, E, U = S.PRESENT, S.ABSENT_EXCUSED, S.ABSENT_UNEXCUSED


@pytest.fixture
def group(centre):
    return make_group(centre, name="Clasele I–IV")


@pytest.fixture
def coordinator(users):
    return users["coordinator"]


def _marks(children, status=P, **exceptions):
    marks = {child.id: Mark(status) for child in children}
    for child_id, other in exceptions.get("absent", {}).items():
        marks[child_id] = Mark(other)
    return marks


def _stored(day):
    return {
        a.person_id: a.status
        for a in db.session.scalars(db.select(Attendance).where(Attendance.day == day))
    }


def test_roll_lists_the_children_active_on_the_day_by_family_name_in_romanian(app, centre, group):
    day = operating_days_back(centre, 1)[0]
    names = ["Țurcanu", "Szabó", "Albu", "Șerban", "Suciu"]
    for name in names:
        make_enrolment(make_child(centre=centre, family_name=name), group)
    later = make_child(centre=centre, family_name="Bălan")
    make_enrolment(later, group, applied_on=day + timedelta(days=1))
    gone = make_child(centre=centre, family_name="Ciobanu")
    make_enrolment(gone, group, status="exited", exit_date=day - timedelta(days=1))
    paused = make_child(centre=centre, family_name="Dinu")
    make_enrolment(paused, group, status="suspended", suspended_on=day)
    elsewhere = make_child(centre=centre, family_name="Enache")
    make_enrolment(elsewhere, make_group(centre))
    waiting = make_child(centre=centre, family_name="Florea")
    make_enrolment(waiting, group, status="waiting")
    with force_locale("ro"):
        roll = attendance.roll_for(group, day)
    assert [row.person.family_name for row in roll.rows] == [
        "Albu",
        "Suciu",
        "Szabó",
        "Șerban",
        "Țurcanu",
    ]
    assert roll.version == 0 and not roll.taken


def test_a_child_exiting_on_the_day_is_still_on_that_days_roll(app, centre, group):
    day = operating_days_back(centre, 1)[0]
    child = make_child(centre=centre)
    make_enrolment(child, group, status="exited", exit_date=day)
    assert [row.person.id for row in attendance.roll_for(group, day).rows] == [child.id]


def test_saving_twice_keeps_one_mark_per_child_and_audits_the_previous_value(
    app, centre, group, coordinator
):
    day = operating_days_back(centre, 1)[0]
    children = make_group_of_children(group, 3)
    attendance.record_roll(group, day, _marks(children), actor=coordinator, version=0)
    db.session.commit()
    marks = _marks(children, absent={children[1].id: E})
    attendance.record_roll(group, day, marks, actor=coordinator, version=1)
    db.session.commit()
    assert db.session.scalar(db.select(db.func.count(Attendance.id))) == 3
    assert _stored(day) == {children[0].id: P, children[1].id: E, children[2].id: P}
    assert db.session.scalar(db.select(RollCall.version)) == 2
    change = db.session.scalars(
        db.select(AuditEntry).where(
            AuditEntry.entity == "attendances",
            AuditEntry.action == "update",
            AuditEntry.person_id == children[1].id,
        )
    ).one()
    assert change.changes["status"] == ["present", "absent_excused"]
    assert change.centre_id == centre.id


def _page(group, day):
    """What a roll page carries when it is loaded: the roll's version and each child's mark."""
    roll = attendance.roll_for(group, day)
    return {"version": roll.version, "seen": {row.person.id: row.state for row in roll.rows}}


def test_a_save_from_an_outdated_page_keeps_what_nobody_else_changed(
    app, centre, group, coordinator, users
):
    """B takes the roll (everyone present) after A opened it; A's absence is merged in."""
    day = operating_days_back(centre, 1)[0]
    children = make_group_of_children(group, 3)
    loaded = _page(group, day)
    attendance.record_roll(group, day, _marks(children), actor=users["admin"], version=0)
    db.session.commit()
    saved = attendance.record_roll(
        group, day, _marks(children, absent={children[2].id: E}), actor=coordinator, **loaded
    )
    db.session.commit()
    assert saved.conflicts == []
    assert _stored(day) == {children[0].id: P, children[1].id: P, children[2].id: E}
    assert db.session.scalar(db.select(RollCall.version)) == 2


def test_a_child_both_changed_comes_back_with_both_marks_and_the_rest_is_saved(
    app, centre, group, coordinator, users
):
    day = operating_days_back(centre, 1)[0]
    children = make_group_of_children(group, 3)
    attendance.record_roll(group, day, _marks(children), actor=users["admin"], version=0)
    db.session.commit()
    loaded = _page(group, day)
    # Meanwhile the administrator excuses the first child and the second.
    attendance.record_roll(
        group,
        day,
        _marks(children, absent={children[0].id: E, children[1].id: E}),
        actor=users["admin"],
        version=1,
    )
    db.session.commit()
    # The coordinator marks the first child unexcused and the third excused; the second as shown.
    saved = attendance.record_roll(
        group,
        day,
        _marks(children, absent={children[0].id: U, children[2].id: E}),
        actor=coordinator,
        **loaded,
    )
    db.session.commit()
    (conflict,) = saved.conflicts
    assert conflict.person.id == children[0].id
    assert (conflict.theirs.status, conflict.yours.status) == (E, U)
    # The first child keeps the stored mark until one is chosen; the second keeps the other
    # person's change, which the coordinator did not touch; the third is saved.
    assert _stored(day) == {children[0].id: E, children[1].id: E, children[2].id: E}
    # Choosing "yours" on the page that came back saves it.
    again = _page(group, day)
    chosen = attendance.record_roll(
        group,
        day,
        _marks(children, absent={children[0].id: U, children[1].id: E, children[2].id: E}),
        actor=coordinator,
        version=loaded["version"],
        seen=again["seen"],
    )
    db.session.commit()
    assert chosen.conflicts == []
    assert _stored(day)[children[0].id] == U


def test_the_same_mark_on_both_sides_is_no_conflict(app, centre, group, coordinator, users):
    day = operating_days_back(centre, 1)[0]
    children = make_group_of_children(group, 2)
    attendance.record_roll(group, day, _marks(children), actor=users["admin"], version=0)
    db.session.commit()
    loaded = _page(group, day)
    same = _marks(children, absent={children[1].id: U})
    attendance.record_roll(group, day, same, actor=users["admin"], version=1)
    db.session.commit()
    saved = attendance.record_roll(group, day, same, actor=coordinator, **loaded)
    db.session.commit()
    assert saved.conflicts == []
    assert _stored(day) == {children[0].id: P, children[1].id: U}
    assert db.session.scalar(db.select(RollCall.version)) == 2  # nothing left to write


def test_keeping_their_mark_leaves_the_stored_one(app, centre, group, coordinator, users):
    day = operating_days_back(centre, 1)[0]
    children = make_group_of_children(group, 2)
    loaded = _page(group, day)
    attendance.record_roll(
        group, day, _marks(children, absent={children[0].id: E}), actor=users["admin"], version=0
    )
    db.session.commit()
    saved = attendance.record_roll(
        group,
        day,
        _marks(children, absent={children[0].id: U}),
        actor=coordinator,
        keep_theirs={children[0].id},
        **loaded,
    )
    db.session.commit()
    assert saved.conflicts == []
    assert _stored(day) == {children[0].id: E, children[1].id: P}


def test_a_page_without_the_loaded_marks_conflicts_on_every_difference(
    app, centre, group, coordinator
):
    day = operating_days_back(centre, 1)[0]
    children = make_group_of_children(group, 2)
    attendance.record_roll(
        group, day, _marks(children, absent={children[0].id: U}), actor=coordinator, version=0
    )
    db.session.commit()
    saved = attendance.record_roll(
        group, day, _marks(children, absent={children[1].id: E}), actor=coordinator, version=0
    )
    db.session.commit()
    assert {c.person.id for c in saved.conflicts} == {children[0].id, children[1].id}
    assert _stored(day) == {children[0].id: U, children[1].id: P}


def test_the_same_form_sent_twice_changes_nothing_and_is_not_refused(
    app, centre, group, coordinator
):
    day = operating_days_back(centre, 1)[0]
    children = make_group_of_children(group, 2)
    marks = _marks(children, absent={children[0].id: E})
    attendance.record_roll(group, day, marks, actor=coordinator, version=0)
    db.session.commit()
    attendance.record_roll(group, day, marks, actor=coordinator, version=0)
    db.session.commit()
    assert db.session.scalar(db.select(db.func.count(Attendance.id))) == 2
    assert db.session.scalar(db.select(RollCall.version)) == 1


def test_two_coordinators_saving_at_once_neither_duplicate_nor_mix_marks(
    app, centre, group, coordinator
):
    """Two threads, two connections to the file database, both from the same unsaved page."""
    day = operating_days_back(centre, 1)[0]
    children = make_group_of_children(group, 4)
    db.session.commit()
    group_id, user_id, ids = group.id, coordinator.id, [c.id for c in children]

    def save(status):
        saved_group = db.session.get(Group, group_id)
        actor = db.session.get(User, user_id)
        marks = {pid: Mark(status) for pid in ids}

        def record():
            saved = attendance.record_roll(saved_group, day, marks, actor=actor, version=0)
            return status, len(saved.conflicts)

        return record

    results = race(app, save, [E, U])
    # The second to save is merged child by child: every child differs, so each one comes back
    # with both marks and nothing of it is written (or it is refused when both wrote at once).
    assert refused(results) + sum(1 for r in results if r[1] == 4) == 1, results
    (winner,) = [r[0] for r in results if not isinstance(r, Refused) and r[1] == 0]
    assert db.session.scalar(db.select(db.func.count(Attendance.id))) == 4
    assert set(_stored(day).values()) == {winner}
    assert db.session.scalar(db.select(db.func.count(RollCall.id))) == 1


def test_no_roll_for_a_future_day(app, centre, group, coordinator):
    children = make_group_of_children(group, 1)
    with pytest.raises(Refused, match="zi viitoare"):
        attendance.record_roll(
            group, today() + timedelta(days=1), _marks(children), actor=coordinator
        )


def test_no_roll_on_a_weekend_or_a_closure_day(app, centre, group, coordinator):
    children = make_group_of_children(group, 1)
    with pytest.raises(Refused, match="nu este o zi de funcționare"):
        attendance.record_roll(group, weekend_day(), _marks(children), actor=coordinator)
    day = operating_days_back(centre, 1)[0]
    db.session.add(ClosureDay(centre=centre, day=day, reason="Inventar"))
    db.session.flush()
    with pytest.raises(Refused, match="nu este o zi de funcționare"):
        attendance.record_roll(group, day, _marks(children), actor=coordinator)
    assert attendance.roll_for(group, day).closed_because == "Închis: Inventar"


def test_a_public_holiday_is_not_an_operating_day(app, centre, group):
    roll = attendance.roll_for(group, date(2026, 12, 1))
    assert roll.closed_because == "Sărbătoare legală: Ziua Națională a României"


def test_a_child_outside_the_groups_enrolments_is_refused(app, centre, group, coordinator):
    day = operating_days_back(centre, 1)[0]
    children = make_group_of_children(group, 2)
    stranger = make_child(centre=centre, family_name="Străin")
    marks = _marks(children + [stranger])
    with pytest.raises(Refused, match="Doar copiii înscriși activ"):
        attendance.record_roll(group, day, marks, actor=coordinator)
    with pytest.raises(Refused, match="marcați și acești copii"):
        attendance.record_roll(group, day, _marks(children[:1]), actor=coordinator)
    assert _stored(day) == {}


def test_a_meal_is_never_recorded_for_an_absent_child(app, centre, group, coordinator):
    day = operating_days_back(centre, 1)[0]
    children = make_group_of_children(group, 2)
    lunch = make_meal_type(centre, name="Masă caldă")
    marks = _marks(children, absent={children[0].id: E})
    with pytest.raises(Refused, match="Nu se înregistrează masa pentru un copil absent"):
        attendance.record_roll(
            group, day, marks, {c.id: {lunch.id} for c in children}, actor=coordinator
        )
    attendance.record_roll(group, day, marks, {children[1].id: {lunch.id}}, actor=coordinator)
    db.session.commit()
    served = db.session.scalars(db.select(MealServed)).all()
    assert [(m.person_id, m.meal_type_id) for m in served] == [(children[1].id, lunch.id)]


def test_marking_a_child_absent_later_removes_the_meals_served(app, centre, group, coordinator):
    day = operating_days_back(centre, 1)[0]
    children = make_group_of_children(group, 1)
    lunch = make_meal_type(centre)
    attendance.record_roll(
        group, day, _marks(children), {children[0].id: {lunch.id}}, actor=coordinator, version=0
    )
    attendance.record_roll(group, day, _marks(children, U), {}, actor=coordinator, version=1)
    db.session.commit()
    assert db.session.scalar(db.select(db.func.count(MealServed.id))) == 0
    removed = db.session.scalars(
        db.select(AuditEntry).where(
            AuditEntry.entity == "meals_served", AuditEntry.action == "delete"
        )
    ).one()
    assert removed.person_id == children[0].id
    assert removed.changes["meal_type_id"] == lunch.id


def test_another_centres_meal_type_is_refused(app, centre, other_centre, group, coordinator):
    day = operating_days_back(centre, 1)[0]
    children = make_group_of_children(group, 1)
    foreign = make_meal_type(other_centre)
    with pytest.raises(Refused, match="tipurile de masă"):
        attendance.record_roll(
            group, day, _marks(children), {children[0].id: {foreign.id}}, actor=coordinator
        )


def test_coordinators_correct_within_the_window_older_days_only_the_admin(
    app, centre, group, users
):
    children = make_group_of_children(group, 1, start=date(2026, 1, 5))
    window = app.config["ATTENDANCE_CORRECTION_DAYS"]
    edge = today() - timedelta(days=window)
    recent = min(day for day in operating_days_back(centre, window + 1) if day >= edge)
    old = operating_days_back(centre, 1, edge - timedelta(days=1))[0]
    attendance.record_roll(group, recent, _marks(children), actor=users["coordinator"])
    with pytest.raises(Refused, match="doar de un administrator"):
        attendance.record_roll(group, old, _marks(children), actor=users["coordinator"])
    attendance.record_roll(group, old, _marks(children), actor=users["admin"])
    db.session.commit()
    assert set(_stored(old).values()) == {P}


def test_a_coordinator_of_another_centre_is_refused(app, centre, other_centre, group):
    from tests.factories import make_user

    outsider = make_user("coordinator", centres=[other_centre])
    children = make_group_of_children(group, 1)
    with pytest.raises(Refused):
        attendance.record_roll(
            group, operating_days_back(centre, 1)[0], _marks(children), actor=outsider
        )


def test_arrival_after_departure_is_refused(app, centre, group, coordinator):
    from datetime import time

    children = make_group_of_children(group, 1)
    marks = {children[0].id: Mark(P, time(15, 0), time(13, 0))}
    with pytest.raises(Refused, match="nu poate pleca înainte de a sosi"):
        attendance.record_roll(group, operating_days_back(centre, 1)[0], marks, actor=coordinator)


def test_allergies_matching_the_menu_are_found_accent_blind():
    from types import SimpleNamespace

    menus = [SimpleNamespace(allergens="Gluten, lactoză, ouă")]
    assert attendance.matching_allergens("lactoza; alune", menus) == ["lactoză"]
    assert attendance.matching_allergens("", menus) == []
    assert attendance.matching_allergens("fragi", menus) == []


# --- The monthly sheet ---------------------------------------------------------------------------


def test_monthly_sheet_counts_marks_and_never_counts_closed_days(app, centre, group, users):
    children = make_group_of_children(group, 2)
    days = [date(2026, 10, 1), date(2026, 10, 2), date(2026, 10, 5)]
    for day, status in zip(days, (P, U, E), strict=True):
        attendance.record_roll(
            group, day, _marks(children, absent={children[0].id: status}), actor=users["admin"]
        )
    db.session.commit()
    sheet = attendance.monthly_sheet(group, 2026, 10)
    assert len(sheet.days) == 31
    assert date(2026, 10, 3) in sheet.closed  # a Saturday
    assert len(sheet.operating_days) == 22
    first = sheet.rows[0]
    assert first.person.id == children[0].id
    assert [first.cells[d] for d in days] == [P, U, E]
    assert first.totals == {P: 1, U: 1, E: 1}
    assert sheet.rows[1].totals == {P: 3}
    assert sheet.per_day[date(2026, 10, 2)] == {P: 1, U: 1}
    assert sheet.totals == {P: 4, U: 1, E: 1}


def test_sheet_letters_follow_the_language(app):
    letters = {}
    for language in ("ro", "hu", "en"):
        with force_locale(language):
            letters[language] = "".join(str(s.letter) for s in AttendanceStatus)
    assert letters == {"ro": "PMN", "hu": "JIH", "en": "PEU"}


# --- Absence alerts ---------------------------------------------------------------------------------


def _history(group, child, others, statuses, actor):
    """Marks for ``child`` on the last operating days, oldest first; the others present."""
    days = list(reversed(operating_days_back(group.centre, len(statuses))))
    for day, status in zip(days, statuses, strict=True):
        marks = {c.id: Mark(P) for c in others} | {child.id: Mark(status)}
        attendance.record_roll(group, day, marks, actor=actor)
    db.session.flush()
    return days


def test_three_unexcused_absences_in_a_row_raise_an_alert_across_a_weekend(
    app, centre, group, users
):
    children = make_group_of_children(group, 2, start=date(2026, 1, 5))
    days = [date(2026, 11, d) for d in (10, 11, 12, 13, 16)]  # Tuesday to the next Monday
    for day, status in zip(days, (P, P, U, U, U), strict=True):
        marks = {children[0].id: Mark(status), children[1].id: Mark(P)}
        attendance.record_roll(group, day, marks, actor=users["admin"])
    db.session.flush()
    alerts = attendance.absence_alerts([centre], date(2026, 11, 16))
    assert [(a.person.id, a.consecutive) for a in alerts] == [(children[0].id, 3)]
    assert alerts[0].too_many_in_a_row
    # On the Friday the run was only 2 long, but 2 of 4 marked days (50 %) were unexcused.
    friday = attendance.absence_alerts([centre], date(2026, 11, 13))
    assert [(a.consecutive, a.too_many_in_a_row, a.percent) for a in friday] == [(2, False, 50)]


def test_an_excused_absence_breaks_the_run(app, centre, group, users):
    children = make_group_of_children(group, 2, start=date(2026, 1, 5))
    monday = operating_days_back(centre, 1, date(2026, 11, 9))[0]
    assert monday == date(2026, 11, 9)
    for day, status in [
        (date(2026, 11, 3), U),
        (date(2026, 11, 4), E),
        (date(2026, 11, 5), U),
        (date(2026, 11, 6), U),
    ]:
        attendance.record_roll(
            group,
            day,
            {children[0].id: Mark(status), children[1].id: Mark(P)},
            actor=users["admin"],
        )
    for day in (date(2026, 11, 2), *[date(2026, 11, d) for d in range(9, 14)]):
        attendance.record_roll(group, day, _marks(children), actor=users["admin"])
    db.session.flush()
    # 3 of 9 days unexcused: 33 % of the month, above the 20 % threshold; run of 2 only before.
    on_friday = attendance.absence_alerts([centre], date(2026, 11, 6))
    assert [(a.consecutive, a.too_many_in_a_row) for a in on_friday] == [(2, False)]
    assert on_friday[0].too_many_this_month and on_friday[0].percent == 60


def test_the_thresholds_are_set_per_centre(app, centre, group, users):
    children = make_group_of_children(group, 2, start=date(2026, 1, 5))
    days = _history(group, children[0], children[1:], [P, P, P, P, U, U], users["admin"])
    rule = attendance.save_alert_rule(
        centre, actor=users["coordinator"], consecutive_unexcused=2, unexcused_percent=50
    )
    assert rule.id
    alerts = attendance.absence_alerts([centre], days[-1])
    assert [(a.person.id, a.consecutive) for a in alerts] == [(children[0].id, 2)]
    attendance.save_alert_rule(
        centre, actor=users["coordinator"], consecutive_unexcused=4, unexcused_percent=90
    )
    assert db.session.scalar(db.select(db.func.count(AbsenceAlertRule.id))) == 1
    assert attendance.absence_alerts([centre], days[-1]) == []
