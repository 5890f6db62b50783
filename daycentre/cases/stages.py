"""The stage rules of a case: which actions are open now, and to whom.

The case page shows the form of an action only when ``allowed_actions`` lists it, and the action's
POST handler refuses it otherwise; the services check the same ``STAGES`` as their last word, with
the reason a stale page needs.
"""

from daycentre.cases.access import is_supervisor
from daycentre.cases.deadlines import outcomes_due
from daycentre.cases.models import Case, CaseStage

S = CaseStage
UNDER_WAY = (S.EVALUATION, S.PLANNING, S.MONITORING)

#: The stages at which an action is open, by the name of its endpoint.
STAGES = {
    "decide_primary": (S.REQUEST,),
    "start_evaluation": (S.EVALUATION, S.MONITORING),
    "create_plan": (S.PLANNING, S.MONITORING),
    "refer_for_protection": UNDER_WAY,
    "record_review": (S.MONITORING,),
    "propose_closure": UNDER_WAY,
    "approve_closure": (S.CLOSING,),
    "reopen": (S.CLOSED, S.CLOSING),
    # A child's return home from care: from the primary evaluation to the closure.
    "record_measure": UNDER_WAY,
    "add_preparation": UNDER_WAY,
    "record_return": UNDER_WAY,
    "add_return_visit": UNDER_WAY,
    "record_outcome": UNDER_WAY,
    "record_new_measure": UNDER_WAY,
}


def _evaluation_under_way(case: Case) -> bool:
    return case.evaluation is not None and case.evaluation.completed_on is None


def _evaluation_completed(case: Case) -> bool:
    return case.evaluation is not None and case.evaluation.completed_on is not None


def _return_steps(manages: bool, case: Case) -> dict[str, bool]:
    """The steps of a child's return home from care, in their order."""
    on_case = manages and case.is_reintegration
    reintegration = case.reintegration
    measured = on_case and reintegration is not None
    returned = measured and reintegration.returned_on is not None
    return {
        "record_measure": on_case and not returned,
        "add_preparation": measured and not returned,
        "record_return": measured and not returned,
        "add_return_visit": returned,
        "record_outcome": returned and bool(outcomes_due(case)),
        "record_new_measure": returned and reintegration.new_measure_on is None,
    }


def _open_to(user, case: Case) -> dict[str, bool]:
    """Each action of the case page, and whether ``user`` may take it on ``case`` now (the stage
    aside, which ``STAGES`` says)."""
    manages = user.can("cases.manage")
    supervises = is_supervisor(user, case)
    return {
        "decide_primary": supervises,
        "add_team_member": manages
        and case.manager_id is not None
        and case.is_open
        and (supervises or user.id == case.manager_id),
        "start_evaluation": manages
        and not _evaluation_under_way(case)
        and (case.stage is S.MONITORING or case.evaluation is None),
        "add_visit": manages and bool(case.evaluations) and case.is_open,
        "record_observatory": manages
        and bool(case.competent)
        and case.is_open
        and not case.observatory_registered,
        "create_plan": manages and case.draft_plan is None and _evaluation_completed(case),
        "refer_for_protection": manages and case.protection_body is None,
        "record_review": manages and case.active_plan is not None,
        "add_task": manages and case.is_open,
        "complete_task": manages,
        "propose_closure": manages,
        "approve_closure": supervises,
        "reopen": manages,
    } | _return_steps(manages, case)


def allowed_actions(user, case: Case) -> frozenset[str]:
    """The actions ``user`` may take on ``case`` now, named as their endpoints (``"reopen"``)."""
    return frozenset(
        action
        for action, open_to_user in _open_to(user, case).items()
        if open_to_user and case.stage in STAGES.get(action, (case.stage,))
    )
