"""Cases: registration numbers, the stage rules, deadlines, who sees a case, the period's counts."""

from datetime import date

import pytest

from daycentre.audit.models import AuditEntry
from daycentre.cases import access, deadlines, evaluations, overdue, plans, tasks, workflow
from daycentre.cases.models import (
    CaseStage,
    ClosureReason,
    PlanStatus,
    Progress,
    ServiceKind,
    TaskSource,
)
from daycentre.centres.calendar import add_working_days
from daycentre.core.errors import Refused
from daycentre.extensions import db
from daycentre.reports.measures import MEASURES, Scope, figures
from tests.factories import (
    make_case,
    make_centre,
    make_child,
    make_enrolment,
    make_family,
    make_group,
    make_user,
)


def open_case(case, staff, day=date(2026, 3, 4)):
    workflow.decide_primary(
        case,
        actor=staff["coordinator"],
        version=case.version,
        decided_on=day,
        competent=True,
        manager=staff["manager"],
    )


def evaluate(case, staff, started=date(2026, 3, 5), completed=date(2026, 3, 16)):
    evaluation = evaluations.start_evaluation(case, actor=staff["manager"], started_on=started)
    evaluations.save_evaluation(
        evaluation,
        actor=staff["manager"],
        version=evaluation.version,
        conclusions="Familia are nevoie de sprijin.",
        needs="Sprijin la teme, consiliere parentală.",
    )
    evaluations.complete_evaluation(
        evaluation, actor=staff["manager"], version=evaluation.version, completed_on=completed
    )
    return evaluation


def draft_plan(case, staff, starts=date(2026, 3, 18), signed=date(2026, 3, 19), record=None):
    plan = plans.create_plan(case, actor=staff["manager"], starts_on=starts)
    objective = plans.add_objective(plan, actor=staff["manager"], text="Frecventă școlară regulată")
    plans.add_service(
        objective,
        actor=staff["manager"],
        kind=ServiceKind.AFTER_SCHOOL,
        description="Grupa școală după școală",
        responsible="Ioana Mureșan",
        starts_on=starts,
        deadline=date(2026, 6, 30),
        record=record,
    )
    if signed:
        sign(plan, staff["manager"], signed)
    return plan


def sign(plan, manager, on):
    """The family signs the draft plan on ``on``; its dates stay."""
    plans.save_plan(
        plan,
        actor=manager,
        version=plan.version,
        starts_on=plan.starts_on,
        ends_on=plan.ends_on,
        family_signed_on=on,
    )


def active_case(centre, staff, **kwargs):
    case = make_case(centre, actor=staff["coordinator"], **kwargs)
    open_case(case, staff)
    evaluate(case, staff)
    plan = draft_plan(case, staff)
    plans.approve_plan(
        plan, actor=staff["coordinator"], version=plan.version, approved_on=date(2026, 3, 20)
    )
    return case


# --- Registration ------------------------------------------------------------------------------


def test_registration_numbers_count_per_centre_and_year(centre, staff):
    other = make_centre(name="Centrul „Kézdi”")
    staff["coordinator"].centres.append(other)
    first = make_case(centre, actor=staff["coordinator"], received_on=date(2025, 12, 30))
    second = make_case(centre, actor=staff["coordinator"], received_on=date(2026, 1, 5))
    third = make_case(centre, actor=staff["coordinator"], received_on=date(2026, 1, 6))
    elsewhere = make_case(other, actor=staff["coordinator"], received_on=date(2026, 1, 6))
    assert [first.reference, second.reference, third.reference] == ["1/2025", "1/2026", "2/2026"]
    assert elsewhere.reference == "1/2026"
    assert first.stage is CaseStage.REQUEST


def test_a_number_is_never_reused_even_after_a_referral(centre, staff):
    first = make_case(centre, actor=staff["coordinator"])
    workflow.decide_primary(
        first,
        actor=staff["coordinator"],
        version=first.version,
        decided_on=date(2026, 3, 3),
        competent=False,
        referred_to="DGASPC Covasna",
        answer="Cazul a fost transmis DGASPC Covasna.",
    )
    assert make_case(centre, actor=staff["coordinator"]).number == 2


def test_the_children_must_belong_to_the_family(centre, staff):
    other_family = make_family(centre, name="Szabó")
    stranger = make_child(other_family, given_name="Bence")
    with pytest.raises(Refused):
        make_case(centre, actor=staff["coordinator"], children=[stranger])


def test_primary_evaluation_is_due_in_working_days_without_holidays(centre, staff):
    # Friday 27 November 2026; 30 November and 1 December are public holidays.
    assert add_working_days(date(2026, 11, 27), 5) == date(2026, 12, 8)
    case = make_case(centre, actor=staff["coordinator"], received_on=date(2026, 3, 2))
    assert case.primary_due_on == date(2026, 3, 9)
    assert deadlines.primary_overdue(case, date(2026, 3, 10))
    assert not deadlines.primary_overdue(case, date(2026, 3, 9))


def test_the_primary_deadline_is_configurable(app, centre, staff):
    app.config["CASE_PRIMARY_EVALUATION_WORKING_DAYS"] = 2
    case = make_case(centre, actor=staff["coordinator"], received_on=date(2026, 3, 2))
    assert case.primary_due_on == date(2026, 3, 4)


def test_a_counsellor_who_registers_a_request_joins_its_team(centre, staff):
    case = make_case(centre, actor=staff["colleague"])
    assert case.team == [staff["colleague"]]
    assert access.case_visible(staff["colleague"], case)


# --- Primary evaluation ----------------------------------------------------------------------


def test_not_competent_closes_the_case_as_referred(centre, staff):
    case = make_case(centre, actor=staff["coordinator"])
    with pytest.raises(Refused):
        workflow.decide_primary(
            case,
            actor=staff["coordinator"],
            version=case.version,
            decided_on=date(2026, 3, 3),
            competent=False,
        )
    workflow.decide_primary(
        case,
        actor=staff["coordinator"],
        version=case.version,
        decided_on=date(2026, 3, 3),
        competent=False,
        referred_to="Direcția de Asistență Socială Sfântu Gheorghe",
        answer="Familia locuiește în Sfântu Gheorghe.",
    )
    assert case.stage is CaseStage.REFERRED
    assert case.referred_to == "Direcția de Asistență Socială Sfântu Gheorghe"
    assert not case.is_open


def test_the_case_manager_is_a_counsellor_or_coordinator_of_the_centre(centre, staff):
    case = make_case(centre, actor=staff["coordinator"])
    outsider = make_user("counsellor", centres=[make_centre(name="Alt centru")])
    for wrong in (outsider, staff["volunteer"], None):
        with pytest.raises(Refused):
            workflow.decide_primary(
                case,
                actor=staff["coordinator"],
                version=case.version,
                decided_on=date(2026, 3, 3),
                competent=True,
                manager=wrong,
            )
    open_case(case, staff)
    assert case.stage is CaseStage.EVALUATION
    assert case.manager == staff["manager"]


def test_only_a_supervisor_makes_the_primary_evaluation(centre, staff):
    case = make_case(centre, actor=staff["manager"])
    with pytest.raises(Refused):
        workflow.decide_primary(
            case,
            actor=staff["manager"],
            version=case.version,
            decided_on=date(2026, 3, 3),
            competent=True,
            manager=staff["manager"],
        )


def test_every_transition_is_audited_with_the_old_and_new_stage(centre, staff):
    case = make_case(centre, actor=staff["coordinator"])
    open_case(case, staff)
    db.session.flush()
    entries = db.session.scalars(
        db.select(AuditEntry).where(AuditEntry.entity == "cases", AuditEntry.entity_id == case.id)
    ).all()
    assert entries[0].action == "create" and entries[0].changes["stage"] == "request"
    stages = [e.changes["stage"] for e in entries if e.action == "update" and "stage" in e.changes]
    assert stages == [["request", "evaluation"]]
    assert entries[-1].centre_id == centre.id
    assert entries[-1].person_id == case.children[0].id
    event = case.events[-1]
    assert (event.old_stage, event.new_stage) == (CaseStage.REQUEST, CaseStage.EVALUATION)


# --- Detailed evaluation and home visits -------------------------------------------------


def test_no_plan_before_the_detailed_evaluation(centre, staff):
    case = make_case(centre, actor=staff["coordinator"])
    with pytest.raises(Refused, match="după evaluarea detaliată|after the detailed evaluation"):
        plans.create_plan(case, actor=staff["manager"])
    open_case(case, staff)
    evaluation = evaluations.start_evaluation(
        case, actor=staff["manager"], started_on=date(2026, 3, 5)
    )
    with pytest.raises(Refused, match="după evaluarea detaliată|after the detailed evaluation"):
        plans.create_plan(case, actor=staff["manager"])
    with pytest.raises(Refused, match="concluziile|conclusions"):
        evaluations.complete_evaluation(
            evaluation,
            actor=staff["manager"],
            version=evaluation.version,
            completed_on=date(2026, 3, 6),
        )
    evaluations.save_evaluation(
        evaluation,
        actor=staff["manager"],
        version=evaluation.version,
        conclusions="Risc de separare scăzut.",
        needs="Sprijin educațional.",
    )
    evaluations.complete_evaluation(
        evaluation,
        actor=staff["manager"],
        version=evaluation.version,
        completed_on=date(2026, 3, 9),
    )
    assert case.stage is CaseStage.PLANNING
    assert plans.create_plan(case, actor=staff["manager"]).status is PlanStatus.DRAFT


def test_the_first_home_visit_is_due_within_72_hours(centre, staff):
    case = make_case(centre, actor=staff["coordinator"])
    open_case(case, staff)
    with pytest.raises(Refused):
        evaluations.add_visit(
            case, actor=staff["manager"], visited_on=date(2026, 3, 5), findings="x"
        )
    evaluations.start_evaluation(case, actor=staff["manager"], started_on=date(2026, 3, 5))
    assert deadlines.first_visit_due(case) == date(2026, 3, 8)
    assert not deadlines.first_visit_late(case, date(2026, 3, 8))
    assert deadlines.first_visit_late(case, date(2026, 3, 9))
    evaluations.add_visit(
        case, actor=staff["manager"], visited_on=date(2026, 3, 10), findings="Locuință umedă."
    )
    assert deadlines.first_visit_late(case)  # the visit came late and stays flagged


def test_the_observatory_registration_is_recorded_with_its_date(centre, staff):
    case = make_case(centre, actor=staff["coordinator"])
    workflow.record_observatory(
        case, actor=staff["coordinator"], version=case.version, registered_on=date(2026, 3, 4)
    )
    assert case.observatory_registered and case.observatory_on == date(2026, 3, 4)


# --- The plan ---------------------------------------------------------------------------------


def test_no_active_plan_without_the_supervisors_approval(centre, staff):
    case = make_case(centre, actor=staff["coordinator"])
    open_case(case, staff)
    evaluate(case, staff)
    plan = draft_plan(case, staff, signed=None)
    assert plan.ends_on == date(2027, 3, 18)  # twelve months by default
    with pytest.raises(Refused, match="familia a semnat|family signed"):
        plans.approve_plan(plan, actor=staff["coordinator"], version=plan.version)
    sign(plan, staff["manager"], date(2026, 3, 19))
    with pytest.raises(Refused, match="coordonator|coordinator"):
        plans.approve_plan(plan, actor=staff["manager"], version=plan.version)
    assert case.stage is CaseStage.PLANNING and case.active_plan is None
    plans.approve_plan(plan, actor=staff["admin"], version=plan.version)
    assert plan.status is PlanStatus.ACTIVE
    assert case.stage is CaseStage.MONITORING
    with pytest.raises(Refused, match="nu se mai modifică|not changed"):
        plans.add_objective(plan, actor=staff["manager"], text="Altceva")


def test_a_revision_makes_a_new_version_and_keeps_the_earlier_one(centre, staff):
    case = active_case(centre, staff)
    first = case.active_plan
    revision = plans.create_plan(case, actor=staff["manager"], starts_on=date(2026, 6, 20))
    assert revision.number == 2
    assert [o.text for o in revision.objectives] == [o.text for o in first.objectives]
    assert revision.objectives[0].services[0].description == "Grupa școală după școală"
    sign(revision, staff["manager"], date(2026, 6, 21))
    plans.approve_plan(revision, actor=staff["coordinator"], version=revision.version)
    assert first.status is PlanStatus.SUPERSEDED
    assert case.active_plan is revision
    assert len(case.plans) == 2


def test_a_planned_service_links_to_the_childs_enrolment(centre, staff):
    group = make_group(centre)
    case = make_case(centre, actor=staff["coordinator"])
    child = case.children[0]
    stranger = make_child(make_family(centre, name="Szabó"), given_name="Bence")
    own = make_enrolment(child, group)
    other = make_enrolment(stranger, group)
    open_case(case, staff)
    evaluate(case, staff)
    plan = plans.create_plan(case, actor=staff["manager"], starts_on=date(2026, 3, 18))
    objective = plans.add_objective(plan, actor=staff["manager"], text="Teme făcute zilnic")
    fields = {
        "actor": staff["manager"],
        "description": "Grupa Clasele I–IV",
        "responsible": "Ioana Mureșan",
        "starts_on": date(2026, 3, 18),
        "deadline": date(2026, 6, 30),
    }
    with pytest.raises(Refused, match="copiii sau membrii familiei|children or family members"):
        plans.add_service(objective, kind=ServiceKind.AFTER_SCHOOL, record=other, **fields)
    with pytest.raises(Refused, match="de acest fel|of this kind"):
        plans.add_service(objective, kind=ServiceKind.WORKSHOP, record=own, **fields)
    with pytest.raises(Refused, match="instituția|institution"):
        plans.add_service(objective, kind=ServiceKind.EXTERNAL, **fields)
    service = plans.add_service(objective, kind=ServiceKind.AFTER_SCHOOL, record=own, **fields)
    assert service.linked_record is own


def test_linking_an_enrolment_after_approval_shows_what_was_delivered(centre, staff):
    group = make_group(centre)
    case = active_case(centre, staff)
    service = case.active_plan.objectives[0].services[0]
    assert service.linked_record is None
    enrolment = make_enrolment(case.children[0], group)
    plans.link_record(service, enrolment, actor=staff["manager"])
    assert service.linked_record is enrolment
    stranger = make_enrolment(make_child(make_family(centre, name="Szabó")), group)
    with pytest.raises(Refused):
        plans.link_record(service, stranger, actor=staff["manager"])
    assert service.linked_record is enrolment


def test_a_protection_referral_is_recorded_with_its_body_and_date(centre, staff):
    case = active_case(centre, staff)
    workflow.refer_for_protection(
        case,
        actor=staff["manager"],
        version=case.version,
        body="commission",
        referred_on=date(2026, 4, 1),
    )
    assert case.protection_body.value == "commission"
    assert "protection" in [event.kind for event in case.events]


# --- Monitoring -------------------------------------------------------------------------------


def test_reviews_fall_due_every_three_months_and_are_flagged_when_late(centre, staff):
    case = active_case(centre, staff)
    assert deadlines.next_review_due(case) == date(2026, 6, 20)
    assert not deadlines.review_overdue(case, date(2026, 6, 20))
    assert deadlines.review_overdue(case, date(2026, 6, 21))
    objective = case.active_plan.objectives[0]
    with pytest.raises(Refused, match="fiecărui obiectiv|every objective"):
        plans.record_review(
            case, actor=staff["manager"], reviewed_on=date(2026, 6, 25), progress={}
        )
    review = plans.record_review(
        case,
        actor=staff["manager"],
        reviewed_on=date(2026, 6, 25),
        progress={objective.id: (Progress.IN_PROGRESS, "Merge mai des la școală.")},
    )
    assert not review.on_time
    assert deadlines.next_review_due(case) == date(2026, 9, 25)


def test_services_past_their_deadline_are_overdue_until_the_objective_is_reached(centre, staff):
    case = active_case(centre, staff)
    objective = case.active_plan.objectives[0]
    assert deadlines.overdue_services(case, date(2026, 6, 30)) == []
    assert len(deadlines.overdue_services(case, date(2026, 7, 1))) == 1
    plans.record_review(
        case,
        actor=staff["manager"],
        reviewed_on=date(2026, 6, 15),
        progress={objective.id: (Progress.REACHED, "")},
    )
    assert deadlines.overdue_services(case, date(2026, 7, 1)) == []


def test_the_managers_overdue_list_holds_only_their_cases(centre, staff):
    mine = active_case(centre, staff)
    assert [item.case for item in overdue.overdue_for(staff["manager"], date(2026, 7, 1))] == [mine]
    assert overdue.overdue_for(staff["colleague"], date(2026, 7, 1)).items == []
    assert [item.case for item in overdue.overdue_for(staff["coordinator"], date(2026, 7, 1))] == [
        mine
    ]


# --- Closure ----------------------------------------------------------------------------------


def test_no_closure_without_the_supervisors_approval(centre, staff):
    case = active_case(centre, staff)
    workflow.propose_closure(
        case,
        actor=staff["manager"],
        version=case.version,
        reason=ClosureReason.OBJECTIVES_REACHED,
        closed_on=date(2026, 9, 30),
        stays_in_family=True,
        follow_up_on=date(2026, 12, 30),
    )
    assert case.stage is CaseStage.CLOSING
    with pytest.raises(Refused):
        workflow.approve_closure(case, actor=staff["manager"], version=case.version)
    workflow.approve_closure(case, actor=staff["coordinator"], version=case.version)
    assert case.stage is CaseStage.CLOSED
    assert case.closure_approved_by == staff["coordinator"]


def test_a_closed_case_is_reopened_with_a_reason(centre, staff):
    case = active_case(centre, staff)
    workflow.propose_closure(
        case,
        actor=staff["manager"],
        version=case.version,
        reason=ClosureReason.MOVED_AWAY,
        closed_on=date(2026, 9, 30),
        stays_in_family=True,
    )
    workflow.approve_closure(case, actor=staff["coordinator"], version=case.version)
    with pytest.raises(Refused):
        workflow.reopen(case, actor=staff["manager"], version=case.version, reason=" ")
    workflow.reopen(
        case, actor=staff["manager"], version=case.version, reason="Familia s-a întors."
    )
    assert case.stage is CaseStage.MONITORING
    assert case.closure_reason is None
    assert case.events[-1].detail == "Familia s-a întors."


def test_tasks_carry_their_source_for_later_areas(centre, staff):
    case = make_case(centre, actor=staff["coordinator"])
    task = tasks.add_task(case, text="3 absențe nemotivate", source=TaskSource.ABSENCES)
    assert task.source is TaskSource.ABSENCES and case.tasks == [task]


# --- Who sees a case --------------------------------------------------------------------------


def test_only_the_manager_the_team_and_the_supervisors_see_a_case(centre, staff):
    case = make_case(centre, actor=staff["coordinator"])
    open_case(case, staff)
    other_coordinator = make_user("coordinator", centres=[make_centre(name="Alt centru")])
    assert access.case_visible(staff["manager"], case)
    assert access.case_visible(staff["coordinator"], case)
    assert access.case_visible(staff["admin"], case)
    assert not access.case_visible(staff["colleague"], case)
    assert not access.case_visible(staff["volunteer"], case)
    assert not access.case_visible(other_coordinator, case)
    workflow.add_team_member(case, staff["colleague"], actor=staff["manager"])
    assert access.case_visible(staff["colleague"], case)
    assert access.visible_cases(staff["colleague"]) == [case]


# --- Counts -----------------------------------------------------------------------------------


def test_counts_for_a_period_include_both_ends(centre, staff):
    coordinator = staff["coordinator"]
    # Received before the period: not counted as received, but active in it.
    active = active_case(centre, staff, received_on=date(2026, 2, 27))
    referred = make_case(centre, actor=coordinator, received_on=date(2026, 3, 1))
    workflow.decide_primary(
        referred,
        actor=coordinator,
        version=referred.version,
        decided_on=date(2026, 3, 2),
        competent=False,
        referred_to="DGASPC Covasna",
        answer="Transmis.",
    )
    family = make_family(centre, name="Bíró")
    closed = make_case(
        centre,
        actor=coordinator,
        family=family,
        children=[make_child(family, given_name="Ádám"), make_child(family, given_name="Éva")],
        received_on=date(2026, 3, 31),
    )
    open_case(closed, staff, day=date(2026, 3, 31))
    workflow.propose_closure(
        closed,
        actor=staff["manager"],
        version=closed.version,
        reason=ClosureReason.NOT_NEEDED,
        closed_on=date(2026, 3, 31),
        stays_in_family=True,
    )
    workflow.approve_closure(closed, actor=coordinator, version=closed.version)
    objective = active.active_plan.objectives[0]
    plans.record_review(
        active,
        actor=staff["manager"],
        reviewed_on=date(2026, 3, 25),
        progress={objective.id: (Progress.IN_PROGRESS, "")},
    )
    make_case(centre, actor=coordinator, received_on=date(2026, 4, 1))  # after the period

    march = Scope(frozenset({centre.id}), date(2026, 3, 1), date(2026, 3, 31))
    result = {key: figure.value for key, figure in figures("cases", march).items()}
    assert result["cases_received"] == 2  # 1 March and 31 March
    assert result["cases_referred"] == 1
    assert result["cases_opened"] == 2  # the active case opened 4 March, the closed one 31 March
    assert result["cases_active"] == 2
    assert result["cases_closed"] == 1
    by_reason = dict(MEASURES["cases_closed"].parts(march))
    assert by_reason[ClosureReason.NOT_NEEDED.label] == 1
    assert by_reason[ClosureReason.OBJECTIVES_REACHED.label] == 0
    assert result["children_stayed"] == 2
    assert (result["reviews"], result["reviews_on_time"]) == (1, 1)
    assert result["evaluations"] == 1
    april = Scope(frozenset({centre.id}), date(2026, 4, 1), date(2026, 4, 30))
    assert MEASURES["cases_received"].value(april) == 1


def test_a_person_or_family_named_in_a_case_is_not_deleted(centre, staff):
    from daycentre.people import services as people

    case = make_case(centre, actor=staff["coordinator"])
    with pytest.raises(Refused):
        people.delete_person(case.children[0], actor=staff["coordinator"])
    empty = make_family(centre, name="Fülöp")
    make_case(centre, actor=staff["coordinator"], family=empty, children=[])
    with pytest.raises(Refused):
        people.delete_family(empty, actor=staff["coordinator"])


def test_a_decision_from_an_outdated_page_is_refused(centre, staff):
    from daycentre.core.errors import StaleRecord

    case = make_case(centre, actor=staff["coordinator"])
    seen = case.version
    workflow.record_observatory(
        case, actor=staff["coordinator"], version=seen, registered_on=date(2026, 3, 3)
    )
    with pytest.raises(StaleRecord):
        workflow.decide_primary(
            case,
            actor=staff["coordinator"],
            version=seen,
            decided_on=date(2026, 3, 4),
            competent=True,
            manager=staff["manager"],
        )
    assert case.stage is CaseStage.REQUEST
