"""A child's return home from care: the measure left and its ending, the preparation, the day of
return, the monitoring visits after it and the outcome (seed 001: "asistență pentru reîntoarcerea
copiilor în familia biologică, extinsă sau substitutivă"; "monitorizează situația post-reintegrare").

The case itself (request, primary evaluation, team, plan, approvals, tasks, closure) is the same
as a prevention case's; these records sit beside it on a case of the reintegration kind.
"""

from datetime import date

from flask_babel import format_date
from flask_babel import lazy_gettext as _l

from daycentre.audit import services as audit
from daycentre.cases.changes import add_event, change, clean, not_in_future, write_audit
from daycentre.cases.deadlines import OUTCOME_MONTHS, next_return_visit_due, outcome_on
from daycentre.cases.models import (
    Case,
    MeasureKind,
    Preparation,
    PreparationFor,
    Reintegration,
    ReturnFamily,
    ReturnVisit,
)
from daycentre.cases.stages import STAGES
from daycentre.core.errors import Refused, ensure_current
from daycentre.core.localtime import add_months, today
from daycentre.extensions import db


def _ensure_under_way(case: Case, action: str) -> None:
    if not case.is_reintegration:
        raise Refused(_l("This is recorded on a case of a child's return home from care."))
    if case.stage not in STAGES[action]:
        raise Refused(_l("This cannot be done on the case now; the page shows what can."))


def _measure(case: Case) -> Reintegration:
    if case.reintegration is None:
        raise Refused(_l("Record first the protection measure the child leaves."))
    return case.reintegration


def _returned(case: Case) -> Reintegration:
    reintegration = _measure(case)
    if reintegration.returned_on is None:
        raise Refused(_l("Record first the day the child returned home."))
    return reintegration


def record_measure(
    case: Case,
    *,
    actor,
    version=None,
    measure_kind,
    measure_decision: str,
    measure_decided_on: date,
    ending_decision: str,
    measure_ends_on: date,
    family_kind,
) -> Reintegration:
    """The measure the child leaves (decision, date) and its ending (decision, date), and the
    family the child returns to; corrected by saving again."""
    _ensure_under_way(case, "record_measure")
    reintegration = case.reintegration
    if reintegration is not None:
        ensure_current(reintegration, version)
    measure_decision, ending_decision = clean(measure_decision), clean(ending_decision)
    if not (measure_decision and ending_decision and measure_decided_on and measure_ends_on):
        raise Refused(_l("Enter both decisions with their dates."))
    if measure_ends_on < measure_decided_on:
        raise Refused(_l("The measure cannot end before it was decided."), field="measure_ends_on")
    not_in_future(measure_decided_on)
    if reintegration and reintegration.returned_on and reintegration.returned_on < measure_ends_on:
        raise Refused(
            _l("The child returned home before this end of the measure; correct the dates."),
            field="measure_ends_on",
        )
    fields = {
        "measure_kind": MeasureKind(measure_kind),
        "measure_decision": measure_decision,
        "measure_decided_on": measure_decided_on,
        "ending_decision": ending_decision,
        "measure_ends_on": measure_ends_on,
        "family_kind": ReturnFamily(family_kind),
    }
    if reintegration is None:
        reintegration = Reintegration(case=case, **fields)
        db.session.add(reintegration)
        db.session.flush()
        write_audit(
            audit.CREATE, reintegration, case, actor=actor, changes=audit.snapshot(reintegration)
        )
        add_event(case, "measure", actor=actor, day=measure_decided_on, detail=measure_decision)
    else:
        change(reintegration, case, actor=actor, **fields)
    return reintegration


def add_preparation(case: Case, *, actor, held_on: date, prepared, description: str) -> Preparation:
    """An activity preparing the child or the family; the preparation comes before the return."""
    _ensure_under_way(case, "add_preparation")
    reintegration = _measure(case)
    description = clean(description)
    if not held_on or not description:
        raise Refused(_l("Enter the date of the activity and what was done."))
    if held_on < case.received_on:
        raise Refused(_l("The activity cannot be dated before the request."), field="held_on")
    if reintegration.returned_on and held_on > reintegration.returned_on:
        raise Refused(
            _l("A preparation activity cannot be dated after the child's return."),
            field="held_on",
        )
    not_in_future(held_on)
    preparation = Preparation(
        case=case,
        held_on=held_on,
        prepared=PreparationFor(prepared),
        description=description,
        recorded_by_id=actor.id,
    )
    db.session.add(preparation)
    db.session.flush()
    write_audit(audit.CREATE, preparation, case, actor=actor, changes=audit.snapshot(preparation))
    add_event(case, "preparation", actor=actor, day=held_on, detail=description)
    return preparation


def record_return(case: Case, *, actor, version=None, returned_on: date) -> None:
    """The day the child returned home; it cannot come before the measure ends."""
    _ensure_under_way(case, "record_return")
    reintegration = _measure(case)
    ensure_current(reintegration, version)
    if reintegration.returned_on is not None:
        raise Refused(_l("The day of the return is already recorded."))
    if not returned_on:
        raise Refused(_l("Enter the day the child returned home."))
    if returned_on < reintegration.measure_ends_on:
        raise Refused(
            _l("The return cannot be dated before the protection measure ends (%(day)s).")
            % {"day": format_date(reintegration.measure_ends_on, "short")},
            field="returned_on",
        )
    if any(p.held_on > returned_on for p in case.preparations):
        raise Refused(
            _l("A preparation activity is dated after this day; correct the dates."),
            field="returned_on",
        )
    not_in_future(returned_on)
    change(
        reintegration,
        case,
        actor=actor,
        returned_on=returned_on,
        six_months_on=add_months(returned_on, 6),
    )
    add_event(case, "returned_home", actor=actor, day=returned_on)


def add_return_visit(case: Case, *, actor, visited_on: date, report: str) -> ReturnVisit:
    """A monitoring visit after the return, with its short report; the schedule says when it
    was due."""
    _ensure_under_way(case, "add_return_visit")
    reintegration = _returned(case)
    report = clean(report)
    if not visited_on or not report:
        raise Refused(_l("Enter the date of the visit and a short report."))
    if visited_on < reintegration.returned_on:
        raise Refused(
            _l("A monitoring visit cannot be dated before the child's return."),
            field="visited_on",
        )
    not_in_future(visited_on)
    visit = ReturnVisit(
        case=case,
        visited_on=visited_on,
        due_on=next_return_visit_due(case),
        report=report,
        visited_by_id=actor.id,
    )
    db.session.add(visit)
    db.session.flush()
    write_audit(audit.CREATE, visit, case, actor=actor, changes=audit.snapshot(visit))
    add_event(case, "return_visit", actor=actor, day=visited_on)
    return visit


def record_outcome(case: Case, *, actor, version=None, months: int, at_home: bool) -> None:
    """Whether the child is still at home three or six months after the return."""
    _ensure_under_way(case, "record_outcome")
    reintegration = _returned(case)
    ensure_current(reintegration, version)
    if months not in OUTCOME_MONTHS:
        raise Refused(_l("Choose three or six months after the return."))
    checkpoint = outcome_on(case, months)
    if checkpoint > today():
        raise Refused(
            _l("The outcome after %(months)s months can be recorded from %(day)s.")
            % {"months": months, "day": format_date(checkpoint, "short")}
        )
    if at_home and reintegration.new_measure_on and reintegration.new_measure_on <= checkpoint:
        raise Refused(_l("A new protection measure was taken before this day."))
    change(reintegration, case, actor=actor, **{f"at_home_{months}_months": bool(at_home)})
    where = "home" if at_home else "away"
    add_event(case, f"outcome_{months}_{where}", actor=actor, day=today())


def record_new_measure(case: Case, *, actor, version=None, decided_on: date, decision: str) -> None:
    """A new protection measure after the return: the outcomes not yet recorded at or after it
    are "not at home"."""
    _ensure_under_way(case, "record_new_measure")
    reintegration = _returned(case)
    ensure_current(reintegration, version)
    decision = clean(decision)
    if not decided_on or not decision:
        raise Refused(_l("Enter the decision and its date."))
    if decided_on < reintegration.returned_on:
        raise Refused(
            _l("A new measure cannot be dated before the child's return."), field="decided_on"
        )
    not_in_future(decided_on)
    fields = {"new_measure_on": decided_on, "new_measure_decision": decision}
    for months in OUTCOME_MONTHS:
        if outcome_on(case, months) >= decided_on:
            fields[f"at_home_{months}_months"] = False
    change(reintegration, case, actor=actor, **fields)
    add_event(case, "new_measure", actor=actor, day=decided_on, detail=decision)
