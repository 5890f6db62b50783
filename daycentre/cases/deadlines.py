"""The deadlines of the prevention-of-separation process and whether a case has missed them."""

from datetime import UTC, date, datetime, time, timedelta

from flask import current_app

from daycentre.cases.models import Case, CaseStage, ObjectiveProgress, PlannedService, Progress
from daycentre.core.localtime import BUCHAREST, add_months, local_date, local_instant, now, today

S = CaseStage


DEFAULTS = {
    "CASE_PRIMARY_EVALUATION_WORKING_DAYS": 5,
    "CASE_FIRST_VISIT_HOURS": 72,  # from the observation sheet
    "REINTEGRATION_MONTHLY_VISITS": 3,
    "REINTEGRATION_LATER_EVERY_MONTHS": 3,
    "REINTEGRATION_MONITORING_MONTHS": 6,
    "CASE_REVIEW_MONTHS": 3,
    "CASE_PLAN_MONTHS": 12,
}


def setting(name: str) -> int:
    return int(current_app.config.get(name, DEFAULTS[name]))


def primary_overdue(case: Case, day: date | None = None) -> bool:
    return case.stage is S.REQUEST and (day or today()) > case.primary_due_on


def _first_sheet(case: Case):
    return case.evaluations[0] if case.evaluations else None


def _first_visit(case: Case):
    """The earliest visit; one without an hour counts from the start of its day."""
    if not case.visits:
        return None
    return min(case.visits, key=lambda v: (v.visited_on, v.visited_at or time.min, v.id or 0))


def _instant(day: date, at: time) -> datetime:
    return local_instant(day, at).astimezone(UTC)


def first_visit_days() -> int:
    """72 hours' worth of days, for a sheet or a visit recorded without its hour."""
    return -(-setting("CASE_FIRST_VISIT_HOURS") // 24)


def first_visit_due(case: Case) -> date | None:
    """The last day of the first visit, for a sheet recorded without its hour (judged by the
    day, as before hours were kept): the sheet's day plus 72 hours' worth of days."""
    first = _first_sheet(case)
    return first.started_on + timedelta(days=first_visit_days()) if first else None


def first_visit_deadline(case: Case) -> datetime | None:
    """The instant the first visit is due by: 72 hours after the observation sheet's date and
    hour (real hours, across a change of clocks); None when the sheet's hour is unknown."""
    first = _first_sheet(case)
    if first is None or first.started_at is None:
        return None
    return _instant(first.started_on, first.started_at) + timedelta(
        hours=setting("CASE_FIRST_VISIT_HOURS")
    )


def first_visit_late(case: Case, day: date | None = None, at: datetime | None = None) -> bool:
    """The first home visit is due within 72 hours of the observation sheet: to the hour when
    both hours are known, by the day when either was recorded without one.

    With no visit yet, an open case is late once ``at`` (by default now; ``day``: its end) is
    past the deadline."""
    if _first_sheet(case) is None:
        return False
    deadline = first_visit_deadline(case)
    visit = _first_visit(case)
    if visit is not None:
        if deadline is not None and visit.visited_at is not None:
            return _instant(visit.visited_on, visit.visited_at) > deadline
        return visit.visited_on > first_visit_due(case)
    if not case.is_open:
        return False
    if deadline is None:
        return (day or (local_date(at) if at else today())) > first_visit_due(case)
    return first_visit_checked_at(day, at) > deadline


def first_visit_checked_at(day: date | None = None, at: datetime | None = None) -> datetime:
    """The instant ``first_visit_late`` judges a missing visit at: ``at``, else now for today
    (or no day), else the end of ``day``."""
    if at is not None:
        return at
    return now() if day is None or day == today() else _instant(day, time.max)


def first_visit_cutoff(at: datetime) -> tuple[date, time]:
    """For a query: the latest observation sheet (day, hour), in wall-clock order, whose first
    visit was due before ``at``. A sheet of (d, t) without a visit is late at ``at`` exactly when
    ``(d, t) <= first_visit_cutoff(at)``: the same 72 hours, counted across a change of clocks
    by ``_instant`` itself (found by halving, to the microsecond; a sheet hour that does not
    exist, in the hour skipped in spring, is the one place the two may differ)."""
    limit = at - timedelta(hours=setting("CASE_FIRST_VISIT_HOURS"))
    guess = limit.astimezone(BUCHAREST).replace(tzinfo=None)
    late, on_time = guess - timedelta(hours=3), guess + timedelta(hours=3)
    while on_time - late > timedelta(microseconds=1):
        middle = late + (on_time - late) / 2
        if _instant(middle.date(), middle.time()) < limit:
            late = middle
        else:
            on_time = middle
    return late.date(), late.time()


def reached_from(day: date, months: int) -> date:
    """For a query: the earliest day whose date ``months`` later (``add_months``) is ``day`` or
    after, so that ``add_months(x, months) < day`` exactly when ``x < reached_from(day, months)``;
    a stored date is compared with it instead of adding months in SQL."""
    found = add_months(day, -months)
    while add_months(found, months) < day:
        found += timedelta(days=1)
    while add_months(found - timedelta(days=1), months) >= day:
        found -= timedelta(days=1)
    return found


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


# ---- After a child's return home from care --------------------------------------------------

OUTCOME_MONTHS = (3, 6)  # the outcome is recorded three and six months after the return


def return_visits_due(case: Case) -> list[date]:
    """The days the monitoring visits after the return are due: monthly for the first months
    (``REINTEGRATION_MONTHLY_VISITS``, 3), then every ``REINTEGRATION_LATER_EVERY_MONTHS`` (3)
    until ``REINTEGRATION_MONITORING_MONTHS`` (6) after the return: months 1, 2, 3 and 6."""
    reintegration = case.reintegration
    if reintegration is None or reintegration.returned_on is None:
        return []
    return [add_months(reintegration.returned_on, month) for month in return_visit_months()]


def return_visit_months() -> list[int]:
    """The months after the return at which the monitoring visits are due, in order."""
    monthly = setting("REINTEGRATION_MONTHLY_VISITS")
    every = max(1, setting("REINTEGRATION_LATER_EVERY_MONTHS"))
    months = list(range(1, monthly + 1))
    months += range(monthly + every, setting("REINTEGRATION_MONITORING_MONTHS") + 1, every)
    return months


def next_return_visit_due(case: Case) -> date | None:
    """The day the next monitoring visit is due; None once the schedule is done, the case is
    closed or a new protection measure was taken."""
    reintegration = case.reintegration
    if reintegration is None or reintegration.new_measure_on or not case.is_open:
        return None
    due = return_visits_due(case)
    done = len(case.return_visits)
    return due[done] if done < len(due) else None


def return_visit_overdue(case: Case, day: date | None = None) -> bool:
    due = next_return_visit_due(case)
    return due is not None and (day or today()) > due


def outcome_on(case: Case, months: int) -> date | None:
    reintegration = case.reintegration
    if reintegration is None or reintegration.returned_on is None:
        return None
    return add_months(reintegration.returned_on, months)


def outcomes_due(case: Case, day: date | None = None) -> list[int]:
    """The checkpoints (3, 6 months) reached and not recorded yet."""
    reintegration = case.reintegration
    if reintegration is None or reintegration.returned_on is None or not case.is_open:
        return []
    day = day or today()
    recorded = {3: reintegration.at_home_3_months, 6: reintegration.at_home_6_months}
    return [
        months
        for months in OUTCOME_MONTHS
        if recorded[months] is None and outcome_on(case, months) <= day
    ]
