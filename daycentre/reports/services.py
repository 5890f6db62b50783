"""The year's development plan and the centres' activity reports: editing with the audit trail,
and the indicators computed for a period and a set of centres."""

from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal

from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import selectinload

from daycentre.audit import services as audit
from daycentre.core.database import insert_unless_present
from daycentre.core.errors import Refused, ensure_current, flush_or_refuse
from daycentre.extensions import db
from daycentre.reports.measures import MEASURES, Measure, Scope
from daycentre.reports.models import (
    ActivityReport,
    DevelopmentPlan,
    PlanActivity,
    PlanIndicator,
    PlanObjective,
    ReportComment,
)


def _created(record, *, actor) -> None:
    db.session.add(record)
    db.session.flush()
    audit.record("create", record, actor=actor)


def _changed(record, fields: dict, *, actor) -> None:
    for name, value in fields.items():
        setattr(record, name, value)
    changes = audit.pending_changes(record)
    db.session.flush()
    if changes:
        audit.record("update", record, actor=actor, changes=changes)


def _deleted(record, siblings: list, *, actor) -> None:
    """Take ``record`` out of its parent's list; the orphan is deleted with the flush."""
    audit.record("delete", record, actor=actor, changes=audit.snapshot(record))
    siblings.remove(record)
    db.session.flush()


def plans() -> list[DevelopmentPlan]:
    return list(
        db.session.scalars(db.select(DevelopmentPlan).order_by(DevelopmentPlan.year.desc()))
    )


def plan_for(year: int) -> DevelopmentPlan | None:
    """The year's plan with its objectives, activities and indicators: three queries, whatever
    the size of the plan."""
    return db.session.scalar(
        db.select(DevelopmentPlan)
        .where(DevelopmentPlan.year == year)
        .options(
            selectinload(DevelopmentPlan.objectives)
            .selectinload(PlanObjective.activities)
            .selectinload(PlanActivity.indicators)
        )
    )


def create_plan(*, actor, year: int, title: str, general_objective=None) -> DevelopmentPlan:
    if plan_for(year) is not None:
        raise Refused(_l("There is already a plan for %(year)s.", year=year))
    plan = DevelopmentPlan(year=year, title=title, general_objective=general_objective)
    db.session.add(plan)
    flush_or_refuse(_l("There is already a plan for %(year)s.", year=year))
    audit.record("create", plan, actor=actor)
    return plan


def update_plan(plan: DevelopmentPlan, *, actor, version, **fields) -> DevelopmentPlan:
    ensure_current(plan, version)
    if fields.get("year") != plan.year and plan_for(fields.get("year")) is not None:
        raise Refused(_l("There is already a plan for %(year)s.", year=fields["year"]))
    _changed(plan, fields, actor=actor)
    return plan


def add_objective(plan: DevelopmentPlan, *, actor, title: str) -> PlanObjective:
    position = max((o.position for o in plan.objectives), default=0) + 1
    objective = PlanObjective(plan=plan, position=position, title=title)
    _created(objective, actor=actor)
    return objective


def update_objective(objective: PlanObjective, *, actor, title: str) -> PlanObjective:
    _changed(objective, {"title": title}, actor=actor)
    return objective


def delete_objective(objective: PlanObjective, *, actor) -> None:
    for activity in list(objective.activities):
        delete_activity(activity, actor=actor)
    _deleted(objective, objective.plan.objectives, actor=actor)


def add_activity(objective: PlanObjective, *, actor, description: str, responsible: str):
    activity = PlanActivity(objective=objective, description=description, responsible=responsible)
    _created(activity, actor=actor)
    return activity


def update_activity(activity: PlanActivity, *, actor, **fields) -> PlanActivity:
    _changed(activity, fields, actor=actor)
    return activity


def delete_activity(activity: PlanActivity, *, actor) -> None:
    for indicator in list(activity.indicators):
        delete_indicator(indicator, actor=actor)
    _deleted(activity, activity.objective.activities, actor=actor)


def _check_measure(key: str) -> None:
    if key not in MEASURES:
        raise Refused(_l("Choose a measure from the list."))


def add_indicator(activity: PlanActivity, *, actor, wording: str, measure: str, target=None):
    _check_measure(measure)
    indicator = PlanIndicator(activity=activity, wording=wording, measure=measure, target=target)
    _created(indicator, actor=actor)
    return indicator


def update_indicator(indicator: PlanIndicator, *, actor, **fields) -> PlanIndicator:
    _check_measure(fields.get("measure", indicator.measure))
    _changed(indicator, fields, actor=actor)
    return indicator


def delete_indicator(indicator: PlanIndicator, *, actor) -> None:
    db.session.execute(db.delete(ReportComment).where(ReportComment.indicator_id == indicator.id))
    _deleted(indicator, indicator.activity.indicators, actor=actor)


@dataclass(frozen=True)
class Result:
    """One indicator's figure: the plan's target and what the records show."""

    measure: Measure
    target: Decimal | None
    actual: Decimal | None
    indicator: PlanIndicator | None = None
    # Without a target, the largest figure of the same unit on the page: 1 and 11 differ.
    largest: Decimal | None = None

    def _width(self, value) -> int:
        top = max(self.target or 0, self.actual or 0, self.largest or 0)
        return int(value * 100 / top) if value and top else 0

    @property
    def target_width(self) -> int:
        """Bar lengths on a scale of 0-100 whose top is the larger of target and actual, or,
        without a target, the largest figure in the same unit among the untargeted results."""
        return self._width(self.target)

    @property
    def actual_width(self) -> int:
        return self._width(self.actual)

    @property
    def met(self) -> bool:
        return self.actual is not None and self.target is not None and self.actual >= self.target


def plan_results(plan: DevelopmentPlan, scope: Scope) -> list[Result]:
    """Each indicator of the plan with its measure computed once for ``scope``."""
    values: dict[str, Decimal | None] = {}
    results = []
    for indicator in plan.indicators:
        measure = MEASURES.get(indicator.measure)
        if measure is None:
            continue
        if measure.key not in values:
            values[measure.key] = measure.value(scope)
        results.append(Result(measure, indicator.target, values[measure.key], indicator))
    return _scaled_without_target(results)


def _scaled_without_target(results: list[Result]) -> list[Result]:
    """Untargeted bars share one scale per unit, topped by the largest of them."""
    largest: dict[str, Decimal] = {}
    for result in results:
        if result.target is None and result.actual is not None:
            unit = result.measure.unit
            largest[unit] = max(largest.get(unit, result.actual), result.actual)
    return [
        replace(result, largest=largest.get(result.measure.unit))
        if result.target is None
        else result
        for result in results
    ]


# The registers an inspection asks for, the satisfaction surveys and the children's programme
# (outings, school results): on every centre's activity report, whether or not the plan names them.
REGISTER_MEASURES = (
    "complaints_received",
    "complaints_on_time",
    "serious_incidents",
    "incidents_per_1000",
    "survey_score",
    "outings_held",
    "children_on_outings",
    "school_results_improved",
)


def register_figures(scope: Scope) -> list[tuple[Measure, object]]:
    return [(MEASURES[key], MEASURES[key].value(scope)) for key in REGISTER_MEASURES]


def year_scope(year: int, centre_ids, *, directorate: bool = False) -> Scope:
    return Scope(frozenset(centre_ids), date(year, 1, 1), date(year, 12, 31), directorate)


def report_for(centre, plan: DevelopmentPlan) -> ActivityReport | None:
    return db.session.scalar(
        db.select(ActivityReport).where(
            ActivityReport.centre_id == centre.id, ActivityReport.plan_id == plan.id
        )
    )


def _same_report(report, introduction, conclusions, comments: dict) -> bool:
    """Whether saving would change nothing: the same form sent twice is no conflict."""
    return (
        report.introduction == (introduction or None)
        and report.conclusions == (conclusions or None)
        and all(report.comment_on(i) == (text or "").strip() for i, text in comments.items())
    )


def save_report(centre, plan, *, actor, version, introduction, conclusions, comments: dict):
    """Store the commentary of the centre's report; ``comments`` maps indicator ids to text."""
    key = {"centre_id": centre.id, "plan_id": plan.id}
    # The first save, sent twice at once, makes one report; the later one is checked as an edit.
    report, inserted = insert_unless_present(ActivityReport, key)
    if inserted:
        audit.record("create", report, actor=actor, centre_id=centre.id)
    elif _same_report(report, introduction, conclusions, comments):
        return report
    else:
        ensure_current(report, version)
    report.introduction = introduction or None
    report.conclusions = conclusions or None
    known = {indicator.id for indicator in plan.indicators}
    by_indicator = {comment.indicator_id: comment for comment in report.comments}
    for indicator_id, text in comments.items():
        if indicator_id not in known:
            continue
        text = (text or "").strip()
        comment = by_indicator.get(indicator_id)
        if comment is None and text:
            report.comments.append(ReportComment(indicator_id=indicator_id, text=text))
        elif comment is not None and text:
            comment.text = text
        elif comment is not None:
            report.comments.remove(comment)
    changes = audit.pending_changes(report)
    db.session.flush()
    audit.record("update", report, actor=actor, centre_id=centre.id, changes=changes)
    return report
