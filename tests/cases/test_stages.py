"""The stage rules: what the case page offers, and what its handlers accept, at each stage."""

from datetime import date

from daycentre.audit.models import AuditEntry
from daycentre.cases import evaluations, workflow
from daycentre.cases.models import CaseStage, ClosureReason
from daycentre.cases.stages import allowed_actions
from daycentre.extensions import db
from tests.cases.test_services import draft_plan, evaluate, open_case
from tests.conftest import text_of
from tests.factories import make_case


def _closed(case, staff):
    workflow.propose_closure(
        case,
        actor=staff["manager"],
        version=case.version,
        reason=ClosureReason.OBJECTIVES_REACHED,
        closed_on=date(2026, 4, 1),
        stays_in_family=True,
    )


def test_a_request_waits_for_the_coordinators_primary_evaluation(centre, staff):
    case = make_case(centre, actor=staff["coordinator"])
    assert "decide_primary" in allowed_actions(staff["coordinator"], case)
    assert "decide_primary" in allowed_actions(staff["admin"], case)
    assert "decide_primary" not in allowed_actions(staff["manager"], case)
    for action in ("start_evaluation", "create_plan", "propose_closure", "reopen"):
        assert action not in allowed_actions(staff["coordinator"], case)


def test_an_open_case_is_evaluated_then_planned(centre, staff):
    case = make_case(centre, actor=staff["coordinator"])
    open_case(case, staff)
    manager = staff["manager"]
    assert {"start_evaluation", "record_observatory", "add_team_member", "add_task"} <= (
        allowed_actions(manager, case)
    )
    assert {"propose_closure", "refer_for_protection"} <= allowed_actions(manager, case)
    assert not {"decide_primary", "create_plan", "add_visit", "reopen"} & (
        allowed_actions(manager, case)
    )

    evaluation = evaluations.start_evaluation(case, actor=manager, started_on=date(2026, 3, 5))
    assert "start_evaluation" not in allowed_actions(manager, case)  # one under way
    assert "add_visit" in allowed_actions(manager, case)
    assert "create_plan" not in allowed_actions(manager, case)

    db.session.delete(evaluation)
    db.session.flush()
    db.session.expire(case)
    evaluate(case, staff)
    assert case.stage is CaseStage.PLANNING
    assert "create_plan" in allowed_actions(manager, case)
    draft_plan(case, staff)
    assert "create_plan" not in allowed_actions(manager, case)  # a draft exists


def test_only_the_manager_or_a_supervisor_changes_the_team(centre, staff):
    case = make_case(centre, actor=staff["coordinator"])
    open_case(case, staff)
    workflow.add_team_member(case, staff["colleague"], actor=staff["manager"])
    assert "add_team_member" in allowed_actions(staff["coordinator"], case)
    assert "add_team_member" not in allowed_actions(staff["colleague"], case)
    assert "add_task" in allowed_actions(staff["colleague"], case)


def test_a_proposed_closure_is_approved_by_a_supervisor_or_taken_back(centre, staff):
    case = make_case(centre, actor=staff["coordinator"])
    open_case(case, staff)
    _closed(case, staff)
    assert "approve_closure" in allowed_actions(staff["coordinator"], case)
    assert "approve_closure" not in allowed_actions(staff["manager"], case)
    assert "reopen" in allowed_actions(staff["manager"], case)
    assert "propose_closure" not in allowed_actions(staff["manager"], case)

    workflow.approve_closure(case, actor=staff["coordinator"], version=case.version)
    assert allowed_actions(staff["manager"], case) == {"reopen", "complete_task"}
    assert allowed_actions(staff["volunteer"], case) == set()


def _proposed_for_closure(users, centre):
    case = make_case(centre, actor=users["coordinator"])
    workflow.decide_primary(
        case,
        actor=users["coordinator"],
        version=case.version,
        decided_on=date(2026, 3, 4),
        competent=True,
        manager=users["counsellor"],
    )
    _closed(case, {"manager": users["counsellor"]})
    return case


def test_the_case_page_offers_only_what_the_stage_allows(client, login_as, users, centre):
    case = _proposed_for_closure(users, centre)
    db.session.commit()
    login_as("counsellor")
    page = text_of(client.get(f"/cases/{case.id}"))
    assert "Redeschide cazul" in page  # reopen
    assert "Aprobă închiderea" not in page  # approving is the coordinator's
    assert "Propune închiderea" not in page


def test_an_action_the_stage_no_longer_allows_is_refused_and_changes_nothing(
    client, login_as, users, centre
):
    case = _proposed_for_closure(users, centre)
    workflow.approve_closure(case, actor=users["coordinator"], version=case.version)
    db.session.commit()
    changes = db.select(db.func.count(AuditEntry.id)).where(
        AuditEntry.entity == "cases", AuditEntry.action != "read"
    )
    before = db.session.scalar(changes)
    login_as("counsellor")
    response = client.post(
        f"/cases/{case.id}/observatory",
        data={"version": case.version, "registered_on": "2026-03-20"},
        follow_redirects=True,
    )
    assert "nu se poate face acum" in text_of(response)
    db.session.expire_all()
    assert not case.observatory_registered
    assert db.session.scalar(changes) == before
