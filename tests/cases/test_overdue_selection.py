"""The overdue cases selected in SQL are those the deadline rules of ``cases.deadlines`` name,
with the same reasons, on a varied set of cases and days (month ends, leap days, a change of
clocks): the query and the case page cannot drift apart."""

import random
from datetime import date, time, timedelta

import pytest

from daycentre.cases import deadlines, overdue
from daycentre.cases.models import (
    OPEN_STAGES,
    Case,
    CaseStage,
    CaseTask,
    Evaluation,
    HomeVisit,
    MeasureKind,
    Objective,
    ObjectiveProgress,
    Plan,
    PlannedService,
    PlanStatus,
    Progress,
    Reintegration,
    ReturnFamily,
    ReturnVisit,
    Review,
    ServiceKind,
    TaskSource,
)
from daycentre.cases.tasks import open_tasks
from daycentre.extensions import db
from tests.factories import make_case

FIRST, LAST = date(2024, 10, 1), date(2025, 12, 31)
# Month ends, the leap day's neighbours, the spring and autumn changes of clocks (30 March and
# 26 October 2025) and ordinary days.
DAYS = [
    date(2025, 1, 31),
    date(2025, 2, 28),
    date(2025, 3, 1),
    date(2025, 3, 30),
    date(2025, 3, 31),
    date(2025, 4, 2),
    date(2025, 5, 31),
    date(2025, 6, 30),
    date(2025, 8, 31),
    date(2025, 10, 26),
    date(2025, 10, 28),
    date(2025, 11, 30),
    date(2025, 12, 31),
]
# Dates the rules count months from: month ends above all.
MONTH_ENDS = [date(2024, 11, 30), date(2024, 12, 31), date(2025, 1, 31), date(2025, 5, 31)]


def _day(rng: random.Random) -> date:
    if rng.random() < 0.3:
        return rng.choice(MONTH_ENDS + DAYS)
    return FIRST + timedelta(days=rng.randrange((LAST - FIRST).days))


def _hour(rng: random.Random, day: date) -> time | None:
    if rng.random() < 0.3:
        return None
    # Near the hours the clocks change (never the hour skipped in spring, which does not exist).
    hour = rng.choice([0, 1, 2, 3, 4, 9, 15, 23]) if day != date(2025, 3, 30) else 9
    return time(hour, rng.choice([0, 1, 29, 59]))


def _a_case(rng: random.Random, centre, staff) -> Case:
    case = make_case(centre, actor=staff["coordinator"], received_on=_day(rng))
    case.stage = rng.choice([*CaseStage, CaseStage.MONITORING, CaseStage.MONITORING])
    case.primary_due_on = _day(rng)
    case.manager_id = rng.choice([staff["manager"].id, staff["colleague"].id])
    db.session.flush()
    if rng.random() < 0.7:
        for _ in range(rng.choice([1, 1, 2])):
            started = _day(rng)
            db.session.add(
                Evaluation(case_id=case.id, started_on=started, started_at=_hour(rng, started))
            )
    if rng.random() < 0.4:
        visited = _day(rng)
        db.session.add(
            HomeVisit(
                case_id=case.id, visited_on=visited, visited_at=_hour(rng, visited), findings="-"
            )
        )
    if rng.random() < 0.7:
        _plans(rng, case)
    if rng.random() < 0.5:
        _return_home(rng, case)
    for _ in range(rng.choice([0, 0, 1, 2])):
        done = _day(rng) if rng.random() < 0.5 else None
        db.session.add(
            CaseTask(case_id=case.id, source=TaskSource.MANUAL, text="Sună", done_on=done)
        )
    return case


def _plans(rng: random.Random, case: Case) -> None:
    statuses = rng.choice(
        [[PlanStatus.ACTIVE], [PlanStatus.SUPERSEDED, PlanStatus.ACTIVE], [PlanStatus.DRAFT]]
    )
    for number, status in enumerate(statuses, start=1):
        starts = _day(rng)
        plan = Plan(
            case_id=case.id,
            number=number,
            status=status,
            starts_on=starts,
            ends_on=starts + timedelta(days=365),
            approved_on=_day(rng) if rng.random() < 0.6 else None,
        )
        db.session.add(plan)
        db.session.flush()
        objectives = []
        for position in range(rng.choice([1, 2])):
            objective = Objective(plan_id=plan.id, position=position, text="Școala")
            db.session.add(objective)
            db.session.flush()
            objectives.append(objective)
            for _ in range(rng.choice([0, 1, 2])):
                db.session.add(
                    PlannedService(
                        objective_id=objective.id,
                        kind=rng.choice(list(ServiceKind)),
                        description="Consiliere",
                        responsible="Tünde",
                        starts_on=starts,
                        deadline=_day(rng),
                    )
                )
        reviewed = sorted(rng.sample(range((LAST - FIRST).days), rng.choice([0, 1, 2])))
        for offset in reviewed:
            review = Review(
                case_id=case.id,
                plan_id=plan.id,
                reviewed_on=FIRST + timedelta(days=offset),
                due_on=FIRST + timedelta(days=offset),
            )
            db.session.add(review)
            db.session.flush()
            for objective in objectives:
                if rng.random() < 0.7:
                    db.session.add(
                        ObjectiveProgress(
                            review_id=review.id,
                            objective_id=objective.id,
                            status=rng.choice(list(Progress)),
                        )
                    )


def _return_home(rng: random.Random, case: Case) -> None:
    returned = rng.choice(MONTH_ENDS + [_day(rng), None])
    db.session.add(
        Reintegration(
            case_id=case.id,
            measure_kind=MeasureKind.FOSTER_CARE,
            measure_decision="HCPC 1/2024",
            measure_decided_on=date(2024, 1, 10),
            ending_decision="HCPC 2/2024",
            measure_ends_on=date(2024, 9, 30),
            family_kind=ReturnFamily.BIOLOGICAL,
            returned_on=returned,
            at_home_3_months=rng.choice([None, None, True]),
            at_home_6_months=rng.choice([None, None, True]),
            new_measure_on=_day(rng) if rng.random() < 0.15 else None,
        )
    )
    for _ in range(rng.choice([0, 1, 2, 3, 4]) if returned else 0):
        db.session.add(ReturnVisit(case_id=case.id, visited_on=returned, report="-"))


def _by_the_rules(user, day: date) -> dict:
    """What the case page's rules say of each of the user's open cases, as the list shows it."""
    found = {}
    for case in db.session.scalars(db.select(Case).where(Case.stage.in_(OPEN_STAGES))):
        if not user.can("cases.supervise") and case.manager_id != user.id:
            continue
        review = deadlines.next_review_due(case) if deadlines.review_overdue(case, day) else None
        visit_due = (
            deadlines.next_return_visit_due(case)
            if deadlines.return_visit_overdue(case, day)
            else None
        )
        reasons = (
            review,
            len(deadlines.overdue_services(case, day)),
            deadlines.first_visit_late(case, day) and not case.visits,
            deadlines.primary_overdue(case, day),
            len(open_tasks(case)),
            visit_due,
            tuple(deadlines.outcomes_due(case, day)),
        )
        if any(reasons):
            found[case.id] = reasons
    return found


def _selected(user, day: date) -> dict:
    return {
        item.case.id: (
            item.review_due,
            item.services,
            item.first_visit_late,
            item.primary_late,
            item.open_tasks,
            item.return_visit_due,
            item.outcomes_due,
        )
        for item in overdue.overdue_for(user, day).items
    }


@pytest.mark.parametrize("seed", [14, 15])
def test_the_overdue_cases_selected_in_sql_are_those_the_rules_name(centre, staff, seed):
    rng = random.Random(seed)
    for _ in range(30):
        _a_case(rng, centre, staff)
    db.session.flush()
    db.session.expire_all()
    reasons_seen = set()
    for user in (staff["manager"], staff["coordinator"]):
        for day in DAYS:
            expected = _by_the_rules(user, day)
            assert _selected(user, day) == expected, day
            for reasons in expected.values():
                reasons_seen |= {n for n, reason in enumerate(reasons) if reason}
    assert reasons_seen == set(range(7))  # every reason was met on some case and day


def test_the_home_page_lists_the_first_cases_and_counts_the_others(centre, staff):
    rng = random.Random(3)
    for _ in range(30):
        _a_case(rng, centre, staff)
    db.session.flush()
    db.session.expire_all()
    day = date(2025, 12, 31)
    everything = overdue.overdue_for(staff["coordinator"], day)
    first = overdue.overdue_for(staff["coordinator"], day, limit=5)
    assert first.total == everything.total == len(everything.items) > 5
    assert [item.case for item in first.items] == [item.case for item in everything.items[:5]]
    # The cases with a missed deadline come before those with only a task open.
    missed = [item.deadline_missed for item in everything.items]
    assert missed == sorted(missed, reverse=True)
