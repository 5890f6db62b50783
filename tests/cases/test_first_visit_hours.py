"""The first home visit within 72 hours of the observation sheet, judged to the hour."""

from datetime import date, datetime, time

from daycentre.cases import deadlines, evaluations, overdue, workflow
from daycentre.cases.models import Evaluation, HomeVisit
from daycentre.core.localtime import BUCHAREST
from daycentre.extensions import db
from tests.factories import make_case

MONDAY, THURSDAY = date(2026, 3, 2), date(2026, 3, 5)


def _opened(centre, staff):
    case = make_case(centre, actor=staff["coordinator"], received_on=MONDAY)
    workflow.decide_primary(
        case,
        actor=staff["coordinator"],
        version=case.version,
        decided_on=MONDAY,
        competent=True,
        manager=staff["manager"],
    )
    return case


def _visit(case, staff, day, at):
    evaluations.add_visit(
        case, actor=staff["manager"], visited_on=day, visited_at=at, findings="Locuință curată."
    )


def test_a_thursday_10_00_visit_after_a_monday_09_00_sheet_is_late(centre, staff):
    case = _opened(centre, staff)
    evaluations.start_evaluation(
        case, actor=staff["manager"], started_on=MONDAY, started_at=time(9, 0)
    )
    assert deadlines.first_visit_deadline(case) == datetime(2026, 3, 5, 9, 0, tzinfo=BUCHAREST)
    _visit(case, staff, THURSDAY, time(10, 0))
    assert deadlines.first_visit_late(case)


def test_a_visit_at_the_72nd_hour_is_on_time(centre, staff):
    case = _opened(centre, staff)
    evaluations.start_evaluation(
        case, actor=staff["manager"], started_on=MONDAY, started_at=time(9, 0)
    )
    _visit(case, staff, THURSDAY, time(9, 0))
    assert not deadlines.first_visit_late(case)


def test_without_a_visit_the_case_is_late_from_the_hour_past_72(centre, staff):
    case = _opened(centre, staff)
    evaluations.start_evaluation(
        case, actor=staff["manager"], started_on=MONDAY, started_at=time(9, 0)
    )
    assert not deadlines.first_visit_late(case, at=datetime(2026, 3, 5, 8, 59, tzinfo=BUCHAREST))
    assert deadlines.first_visit_late(case, at=datetime(2026, 3, 5, 9, 1, tzinfo=BUCHAREST))
    # The home page asks about a whole day: late on Thursday, since its end is past 09:00.
    assert deadlines.first_visit_late(case, THURSDAY)
    assert not deadlines.first_visit_late(case, date(2026, 3, 4))


def test_an_old_record_without_hours_is_judged_by_the_day_as_before(centre, staff):
    """A sheet and a visit saved before hours were kept (their hour is unknown): the Thursday
    visit after a Monday sheet is on time, as it always was."""
    case = _opened(centre, staff)
    db.session.add(Evaluation(case=case, started_on=MONDAY))
    db.session.add(HomeVisit(case=case, visited_on=THURSDAY, findings="Vizită veche."))
    db.session.flush()
    db.session.refresh(case)
    assert case.evaluations[0].started_at is None and case.visits[0].visited_at is None
    assert deadlines.first_visit_deadline(case) is None
    assert deadlines.first_visit_due(case) == THURSDAY
    assert not deadlines.first_visit_late(case)


def test_an_old_sheet_with_a_visit_on_the_day_after_the_due_day_is_still_late(centre, staff):
    case = _opened(centre, staff)
    db.session.add(Evaluation(case=case, started_on=MONDAY))
    db.session.flush()
    db.session.refresh(case)
    _visit(case, staff, date(2026, 3, 6), time(8, 0))
    assert deadlines.first_visit_late(case)


def test_the_home_page_flags_a_missing_first_visit_by_the_hour(centre, staff):
    case = _opened(centre, staff)
    evaluations.start_evaluation(
        case, actor=staff["manager"], started_on=MONDAY, started_at=time(9, 0)
    )
    flagged = overdue.overdue_for(staff["manager"], THURSDAY).items
    assert [item.case for item in flagged if item.first_visit_late] == [case]
    assert not [
        i for i in overdue.overdue_for(staff["manager"], MONDAY).items if i.first_visit_late
    ]
