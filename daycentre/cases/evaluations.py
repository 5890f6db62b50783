"""The detailed evaluation (the observation sheet), re-evaluations and the home visits."""

from datetime import date, time

from flask_babel import lazy_gettext as _l

from daycentre.audit import services as audit
from daycentre.cases.changes import add_event, change, clean, move, not_in_future, write_audit
from daycentre.cases.models import Case, CaseStage, Evaluation, HomeVisit
from daycentre.core.errors import Refused, ensure_current
from daycentre.extensions import db

S = CaseStage


EVALUATION_FIELDS = (
    "family_composition",
    "housing",
    "income",
    "health",
    "education",
    "relationships",
    "risk_factors",
    "strengths",
    "child_views",
    "professionals",
    "conclusions",
    "needs",
    "documents",
)


def start_evaluation(
    case: Case, *, actor, started_on: date, started_at: time | None = None
) -> Evaluation:
    """Open the observation sheet; during monitoring this is a re-evaluation. ``started_at``,
    the sheet's hour, sets the 72 hours of the first visit (``deadlines.first_visit_late``)."""
    current = case.evaluation
    if current is not None and current.completed_on is None:
        raise Refused(_l("An evaluation is already under way."))
    if case.stage is S.EVALUATION and current is None:
        kind, again = "evaluation_started", False
    elif case.stage is S.MONITORING:
        kind, again = "reevaluation_started", True
    else:
        raise Refused(_l("An evaluation cannot be started at this stage of the case."))
    if not started_on or started_on < case.received_on:
        raise Refused(_l("The evaluation cannot start before the request was received."))
    not_in_future(started_on)
    evaluation = Evaluation(
        case=case, started_on=started_on, started_at=started_at, is_reevaluation=again
    )
    db.session.add(evaluation)
    db.session.flush()
    write_audit(audit.CREATE, evaluation, case, actor=actor, changes=audit.snapshot(evaluation))
    add_event(case, kind, actor=actor, day=started_on)
    return evaluation


def save_evaluation(evaluation: Evaluation, *, actor, version=None, **fields) -> None:
    ensure_current(evaluation, version)
    if evaluation.completed_on:
        raise Refused(_l("A completed evaluation is not changed; start a re-evaluation."))
    unknown = set(fields) - set(EVALUATION_FIELDS)
    if unknown:
        raise TypeError(f"not evaluation fields: {unknown}")
    change(
        evaluation,
        evaluation.case,
        actor=actor,
        **{name: clean(value) for name, value in fields.items()},
    )


def complete_evaluation(evaluation: Evaluation, *, actor, version=None, completed_on: date) -> None:
    ensure_current(evaluation, version)
    case = evaluation.case
    if evaluation.completed_on:
        raise Refused(_l("This evaluation is already completed."))
    if not (evaluation.conclusions and evaluation.needs):
        raise Refused(_l("Write the conclusions and the needs before completing the evaluation."))
    if not completed_on or completed_on < evaluation.started_on:
        raise Refused(_l("The evaluation cannot be completed before it started."))
    not_in_future(completed_on)
    change(evaluation, case, actor=actor, completed_on=completed_on)
    if case.stage is S.EVALUATION:
        move(case, S.PLANNING, "evaluation_completed", actor=actor, day=completed_on)
    else:
        add_event(case, "evaluation_completed", actor=actor, day=completed_on)


def add_visit(
    case: Case, *, actor, visited_on: date, findings: str, visited_at: time | None = None
) -> HomeVisit:
    if not case.evaluations:
        raise Refused(_l("Home visits are recorded once the detailed evaluation has started."))
    if not case.is_open:
        raise Refused(_l("The case is closed."))
    findings = clean(findings)
    if not visited_on or not findings:
        raise Refused(_l("Enter the date of the visit and what was found."))
    if visited_on < case.received_on:
        raise Refused(_l("The visit cannot be dated before the request."))
    not_in_future(visited_on)
    visit = HomeVisit(
        case=case,
        visited_on=visited_on,
        visited_at=visited_at,
        findings=findings,
        visited_by_id=actor.id,
    )
    db.session.add(visit)
    db.session.flush()
    write_audit(audit.CREATE, visit, case, actor=actor, changes=audit.snapshot(visit))
    add_event(case, "home_visit", actor=actor, day=visited_on)
    return visit
