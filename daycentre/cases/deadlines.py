"""The deadlines of the prevention-of-separation process and whether a case has missed them."""

from datetime import date, timedelta

from flask import current_app

from daycentre.cases.models import Case, CaseStage, ObjectiveProgress, PlannedService, Progress
from daycentre.core.localtime import add_months, today

S = CaseStage


DEFAULTS = {
    "CASE_PRIMARY_EVALUATION_WORKING_DAYS": 5,
    "CASE_FIRST_VISIT_DAYS": 3,  # 72 hours from the observation sheet
    "CASE_REVIEW_MONTHS": 3,
    "CASE_PLAN_MONTHS": 12,
}


def setting(name: str) -> int:
    return int(current_app.config.get(name, DEFAULTS[name]))


def primary_overdue(case: Case, day: date | None = None) -> bool:
    return case.stage is S.REQUEST and (day or today()) > case.primary_due_on


def first_visit_due(case: Case) -> date | None:
    first = case.evaluations[0] if case.evaluations else None
    return first.started_on + timedelta(days=setting("CASE_FIRST_VISIT_DAYS")) if first else None


def first_visit_late(case: Case, day: date | None = None) -> bool:
    """The first home visit is due within 72 hours of the observation sheet."""
    due = first_visit_due(case)
    if due is None:
        return False
    if case.visits:
        return case.visits[0].visited_on > due
    return case.is_open and (day or today()) > due


def next_review_due(case: Case) -> date | None:
    plan = case.active_plan
    if plan is None or case.stage is not S.MONITORING:
        return None
    reviews = list(case.reviews)
    last = reviews[-1].reviewed_on if reviews else plan.approved_on or plan.starts_on
    return add_months(last, setting("CASE_REVIEW_MONTHS"))


def review_overdue(case: Case, day: date | None = None) -> bool:
    due = next_review_due(case)
    return due is not None and (day or today()) > due


def latest_progress(case: Case) -> dict[int, ObjectiveProgress]:
    progress = {}
    for review in case.reviews:
        for entry in review.progress:
            progress[entry.objective_id] = entry
    return progress


def overdue_services(case: Case, day: date | None = None) -> list[PlannedService]:
    """Services of the plan in force past their deadline while their objective is not reached."""
    plan = case.active_plan
    if plan is None or case.stage is not S.MONITORING:
        return []
    day = day or today()
    progress = latest_progress(case)
    done = (Progress.REACHED, Progress.DROPPED)
    late = []
    for objective in plan.objectives:
        entry = progress.get(objective.id)
        if entry and entry.status in done:
            continue
        late.extend(service for service in objective.services if service.deadline < day)
    return late
