"""The home page's list: the cases with something overdue or a task open."""

from dataclasses import dataclass
from datetime import date

from sqlalchemy.orm import joinedload, selectinload

from daycentre.cases.access import visible_cases
from daycentre.cases.deadlines import (
    first_visit_late,
    next_return_visit_due,
    next_review_due,
    outcomes_due,
    overdue_services,
    primary_overdue,
    return_visit_overdue,
    review_overdue,
)
from daycentre.cases.models import Case, Objective, Plan, Review
from daycentre.cases.tasks import open_tasks
from daycentre.core.localtime import today


@dataclass
class Overdue:
    case: Case
    review_due: date | None
    services: list
    first_visit_late: bool
    primary_late: bool
    open_tasks: list
    # After a child's return home: the monitoring visit due (when overdue) and the outcomes
    # (3, 6 months) to record.
    return_visit_due: date | None = None
    outcomes_due: tuple = ()


def _what_is_overdue() -> tuple:
    """What ``overdue_for`` reads of each case, loaded for all the cases at once.

    A case has few of each: the plans' chain and the reviews' progress come joined. Built when
    called: the loader options need every model mapped, which importing this module does not do.
    """
    return (
        joinedload(Case.evaluations),
        selectinload(Case.plans).joinedload(Plan.objectives).joinedload(Objective.services),
        selectinload(Case.reviews).joinedload(Review.progress),
        selectinload(Case.visits),
        selectinload(Case.tasks),
        joinedload(Case.reintegration),
        selectinload(Case.return_visits),
    )


def overdue_for(user, day: date | None = None) -> list[Overdue]:
    """Cases the user manages (or supervises) with an overdue review, service or visit, or with
    open tasks."""
    day = day or today()
    found = []
    for case in visible_cases(user, open_only=True, options=_what_is_overdue()):
        if not user.can("cases.supervise") and case.manager_id != user.id:
            continue
        late_review = review_overdue(case, day)
        services = overdue_services(case, day)
        visit = first_visit_late(case, day) and not case.visits
        primary = primary_overdue(case, day)
        tasks = open_tasks(case)
        return_due = next_return_visit_due(case) if return_visit_overdue(case, day) else None
        outcomes = tuple(outcomes_due(case, day))
        if late_review or services or visit or primary or tasks or return_due or outcomes:
            due = next_review_due(case) if late_review else None
            found.append(Overdue(case, due, services, visit, primary, tasks, return_due, outcomes))
    return found
