"""The cases with something overdue or a task open, selected in SQL (the home page, the list).

Each reason is one column of one query, by the rules of ``cases.deadlines``: the dates are
compared with cutoffs that those rules compute (``reached_from``, ``first_visit_cutoff``), so
no month or hour is added in SQL and the query cannot read a deadline differently from the case
page. ``tests/cases/test_overdue_selection.py`` compares the two on a varied set of cases.
"""

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import and_, case, exists, func, or_, select
from sqlalchemy.orm import aliased

from daycentre.auth import scope
from daycentre.cases.deadlines import (
    OUTCOME_MONTHS,
    first_visit_checked_at,
    first_visit_cutoff,
    first_visit_days,
    reached_from,
    return_visit_months,
    setting,
)
from daycentre.cases.models import (
    OPEN_STAGES,
    Case,
    CaseStage,
    CaseTask,
    Evaluation,
    HomeVisit,
    Objective,
    ObjectiveProgress,
    Plan,
    PlannedService,
    PlanStatus,
    Progress,
    Reintegration,
    ReturnVisit,
    Review,
)
from daycentre.core.localtime import add_months, today
from daycentre.extensions import db

S = CaseStage
# The home page lists this many (a county administrator sees every centre's) and says how many
# more there are; the list of cases shows them all.
HOME_PAGE_LIMIT = 20


@dataclass
class Overdue:
    case: Case
    review_due: date | None
    services: int  # the services of the plan in force past their deadline
    first_visit_late: bool
    primary_late: bool
    open_tasks: int
    # After a child's return home: the monitoring visit due (when overdue) and the outcomes
    # (3, 6 months) to record.
    return_visit_due: date | None = None
    outcomes_due: tuple = ()

    @property
    def deadline_missed(self) -> bool:
        return bool(
            self.review_due
            or self.services
            or self.first_visit_late
            or self.primary_late
            or self.return_visit_due
            or self.outcomes_due
        )


@dataclass
class OverdueList:
    items: list[Overdue]
    total: int  # all the user's cases with something overdue, listed or not

    def __iter__(self):
        return iter(self.items)

    def __len__(self) -> int:
        return len(self.items)


def _reasons(day: date, at: datetime) -> list:
    """The columns saying what is overdue on each case (``Case`` and its joins below)."""
    sheet = aliased(Evaluation)
    first_sheet = (
        select(func.min(sheet.id)).where(sheet.case_id == Case.id).correlate(Case).scalar_subquery()
    )
    cutoff_day, cutoff_hour = first_visit_cutoff(at)
    first_visit_late = and_(
        Evaluation.id.is_not(None),
        ~exists().where(HomeVisit.case_id == Case.id),
        or_(
            and_(
                Evaluation.started_at.is_(None),
                Evaluation.started_on < day - timedelta(days=first_visit_days()),
            ),
            and_(
                Evaluation.started_at.is_not(None),
                or_(
                    Evaluation.started_on < cutoff_day,
                    and_(Evaluation.started_on == cutoff_day, Evaluation.started_at <= cutoff_hour),
                ),
            ),
        ),
    )
    monitored = and_(Case.stage == S.MONITORING, Plan.id.is_not(None))
    last_review = (
        select(func.max(Review.reviewed_on)).where(Review.case_id == Case.id).scalar_subquery()
    )
    reviewed_from = func.coalesce(last_review, Plan.approved_on, Plan.starts_on)
    latest_progress = (
        select(ObjectiveProgress.status)
        .join(Review, Review.id == ObjectiveProgress.review_id)
        .where(ObjectiveProgress.objective_id == Objective.id, Review.case_id == Case.id)
        .order_by(Review.reviewed_on.desc(), Review.id.desc())
        .limit(1)
        .scalar_subquery()
    )
    late_services = (
        select(func.count(PlannedService.id))
        .join(Objective, Objective.id == PlannedService.objective_id)
        .where(
            Objective.plan_id == Plan.id,
            PlannedService.deadline < day,
            or_(
                latest_progress.is_(None),
                latest_progress.not_in([Progress.REACHED, Progress.DROPPED]),
            ),
        )
        .scalar_subquery()
    )
    return_visits = (
        select(func.count(ReturnVisit.id)).where(ReturnVisit.case_id == Case.id).scalar_subquery()
    )
    months = return_visit_months()
    next_visit_from = case(
        *((return_visits == done, reached_from(day, m)) for done, m in enumerate(months))
    )
    returned = and_(Reintegration.id.is_not(None), Reintegration.returned_on.is_not(None))
    recorded = {3: Reintegration.at_home_3_months, 6: Reintegration.at_home_6_months}
    return [
        first_sheet,
        and_(Case.stage == S.REQUEST, Case.primary_due_on < day).label("primary_late"),
        first_visit_late.label("first_visit_late"),
        case(
            (
                and_(
                    monitored,
                    reviewed_from < reached_from(day, setting("CASE_REVIEW_MONTHS")),
                ),
                reviewed_from,
            )
        ).label("review_from"),
        case((monitored, late_services), else_=0).label("services"),
        case(
            (
                and_(
                    returned,
                    Reintegration.new_measure_on.is_(None),
                    Reintegration.returned_on < next_visit_from,
                ),
                return_visits,
            )
        ).label("return_visits_done"),
        Reintegration.returned_on,
        *(
            and_(
                returned,
                recorded[m].is_(None),
                Reintegration.returned_on < reached_from(day + timedelta(days=1), m),
            ).label(f"outcome_{m}")
            for m in OUTCOME_MONTHS
        ),
        select(func.count(CaseTask.id))
        .where(CaseTask.case_id == Case.id, CaseTask.done_on.is_(None))
        .scalar_subquery()
        .label("open_tasks"),
    ]


def _selection(user, day: date, at: datetime):
    """The user's open cases (managed, or supervised) with each reason, as a subquery."""
    plan = aliased(Plan)
    active_plan = (
        select(plan.id)
        .where(plan.case_id == Case.id, plan.status == PlanStatus.ACTIVE)
        .order_by(plan.number)
        .limit(1)
        .correlate(Case)
        .scalar_subquery()
    )
    reasons = _reasons(day, at)
    first_sheet = reasons.pop(0)
    query = (
        select(Case.id, Case.year, Case.number, *reasons)
        .select_from(Case)
        .outerjoin(Evaluation, Evaluation.id == first_sheet)
        .outerjoin(Plan, Plan.id == active_plan)
        .outerjoin(Reintegration, Reintegration.case_id == Case.id)
        .where(scope.visible(Case, user), Case.stage.in_(OPEN_STAGES))
    )
    if not user.can("cases.supervise"):
        query = query.where(Case.manager_id == user.id)
    return query.subquery()


def overdue_for(user, day: date | None = None, *, limit: int | None = None) -> OverdueList:
    """Cases the user manages (or supervises) with an overdue review, service or visit, or with
    open tasks: those with a missed deadline first, then the oldest registrations first; at most
    ``limit`` of them, with how many there are in all. Two queries whatever the number."""
    day = day or today()
    found = _selection(user, day, first_visit_checked_at(day))
    c = found.c
    missed = or_(
        c.primary_late,
        c.first_visit_late,
        c.review_from.is_not(None),
        c.services > 0,
        c.return_visits_done.is_not(None),
        *(c[f"outcome_{m}"] for m in OUTCOME_MONTHS),
    )
    query = (
        select(found, func.count().over().label("total"))
        .where(or_(missed, c.open_tasks > 0))
        .order_by(case((missed, 0), else_=1), c.year, c.number, c.id)
        .limit(limit)
    )
    rows = db.session.execute(query).all()
    if not rows:
        return OverdueList([], 0)
    cases = {
        record.id: record
        for record in db.session.scalars(select(Case).where(Case.id.in_([r.id for r in rows])))
    }
    review_months, months = setting("CASE_REVIEW_MONTHS"), return_visit_months()
    items = [
        Overdue(
            case=cases[row.id],
            review_due=add_months(row.review_from, review_months) if row.review_from else None,
            services=row.services or 0,
            first_visit_late=bool(row.first_visit_late),
            primary_late=bool(row.primary_late),
            open_tasks=row.open_tasks,
            return_visit_due=add_months(row.returned_on, months[row.return_visits_done])
            if row.return_visits_done is not None
            else None,
            outcomes_due=tuple(m for m in OUTCOME_MONTHS if row._mapping[f"outcome_{m}"]),
        )
        for row in rows
    ]
    return OverdueList(items, rows[0].total)


def overdue_by_case(user, day: date | None = None) -> dict[int, Overdue]:
    """Every one of the user's cases with something overdue, by case id (the list of cases)."""
    return {item.case.id: item for item in overdue_for(user, day).items}
