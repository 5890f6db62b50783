"""The service plan: drafting, objectives, services and the records that deliver them, approval,
and the reviews of the plan in force."""

from datetime import date

from flask_babel import lazy_gettext as _l

from daycentre.audit import services as audit
from daycentre.cases.changes import (
    add_event,
    change,
    clean,
    ensure_stage,
    ensure_supervisor,
    move,
    not_in_future,
    write_audit,
)
from daycentre.cases.deadlines import next_review_due, setting
from daycentre.cases.models import (
    LINKED_RECORDS,
    Case,
    CaseStage,
    Objective,
    ObjectiveProgress,
    Plan,
    PlannedService,
    PlanStatus,
    Progress,
    Review,
    ServiceKind,
)
from daycentre.cases.stages import STAGES
from daycentre.core.errors import Refused, ensure_current
from daycentre.core.localtime import add_months, today
from daycentre.enrolment.models import Enrolment
from daycentre.extensions import db
from daycentre.workshops.models import (
    GroupMembership,
    RegistrationStatus,
    SupportGroup,
    Workshop,
    WorkshopRegistration,
)

S = CaseStage


#: The models that deliver a service, by the attribute of ``PlannedService`` that links them.
LINKABLE = {
    "enrolment": Enrolment,
    "registration": WorkshopRegistration,
    "membership": GroupMembership,
}


def create_plan(case: Case, *, actor, starts_on: date | None = None) -> Plan:
    """Draft a plan; a revision copies the objectives and services of the plan in force."""
    if case.stage not in STAGES["create_plan"]:
        raise Refused(_l("A service plan is made after the detailed evaluation."))
    if case.evaluation is None or case.evaluation.completed_on is None:
        raise Refused(_l("A service plan is made after the detailed evaluation."))
    if case.draft_plan is not None:
        raise Refused(_l("A draft of the plan already exists."))
    starts_on = starts_on or today()
    plan = Plan(
        case=case,
        number=len(case.plans) + 1,
        status=PlanStatus.DRAFT,
        starts_on=starts_on,
        ends_on=add_months(starts_on, setting("CASE_PLAN_MONTHS")),
    )
    db.session.add(plan)
    in_force = case.active_plan
    if in_force is not None:
        for objective in in_force.objectives:
            copy = Objective(plan=plan, position=objective.position, text=objective.text)
            db.session.add(copy)  # before the old services load, which flushes the session
            for service in objective.services:
                copy.services.append(
                    PlannedService(
                        kind=service.kind,
                        description=service.description,
                        provider=service.provider,
                        responsible=service.responsible,
                        starts_on=service.starts_on,
                        deadline=service.deadline,
                        enrolment_id=service.enrolment_id,
                        registration_id=service.registration_id,
                        membership_id=service.membership_id,
                    )
                )
    db.session.flush()
    write_audit(audit.CREATE, plan, case, actor=actor, changes=audit.snapshot(plan))
    add_event(
        case, "plan_drafted", actor=actor, day=min(starts_on, today()), detail=str(plan.number)
    )
    return plan


def _ensure_draft(plan: Plan) -> None:
    if plan.status is not PlanStatus.DRAFT:
        raise Refused(_l("An approved plan is not changed; revise it to make a new version."))


def save_plan(
    plan: Plan, *, actor, version=None, starts_on: date, ends_on: date, family_signed_on=None
) -> None:
    ensure_current(plan, version)
    _ensure_draft(plan)
    if not starts_on or not ends_on or ends_on <= starts_on:
        raise Refused(_l("The plan must end after it starts."))
    not_in_future(family_signed_on, _l("The family's signature cannot be dated in the future."))
    change(
        plan,
        plan.case,
        actor=actor,
        starts_on=starts_on,
        ends_on=ends_on,
        family_signed_on=family_signed_on,
    )


def add_objective(plan: Plan, *, actor, text: str) -> Objective:
    _ensure_draft(plan)
    text = clean(text)
    if not text:
        raise Refused(_l("Write the objective."))
    objective = Objective(plan=plan, position=len(plan.objectives) + 1, text=text)
    db.session.add(objective)
    db.session.flush()
    write_audit(audit.CREATE, objective, plan.case, actor=actor, changes=audit.snapshot(objective))
    return objective


def people_of(case: Case) -> set[int]:
    """Who the case's services are for: its children and the members of its family."""
    people = {child.id for child in case.children}
    if case.family is not None:
        people |= {member.id for member in case.family.members}
    return people


def centre_of(record) -> int:
    """The centre of an enrolment, a workshop registration or a group membership."""
    if isinstance(record, WorkshopRegistration):
        return record.workshop.centre_id
    if isinstance(record, GroupMembership):
        return record.group.centre_id
    return record.centre_id


def _check_record(case: Case, kind: ServiceKind, record, *, actor) -> None:
    """A record may deliver a service of its own kind, for one of the case's people, at one of
    the actor's centres."""
    if record is None:
        return
    attribute = LINKED_RECORDS.get(kind)
    if attribute is None or not isinstance(record, LINKABLE[attribute]):
        raise Refused(_l("This record does not deliver a service of this kind."))
    if record.person_id not in people_of(case):
        raise Refused(_l("Link a record of one of the case's children or family members."))
    if not actor.sees_centre(centre_of(record)):
        raise Refused(_l("Link a record of one of your centres."))


def _link_fields(kind: ServiceKind, record) -> dict:
    """The link columns: the one of the service's kind holds the record, the others are empty."""
    own = LINKED_RECORDS.get(kind)
    return {
        f"{attribute}_id": record.id if record is not None and attribute == own else None
        for attribute in LINKABLE
    }


def add_service(
    objective: Objective,
    *,
    actor,
    kind,
    description: str,
    responsible: str,
    starts_on: date,
    deadline: date,
    provider: str | None = None,
    record=None,
) -> PlannedService:
    """Add a service to a draft plan; ``record`` is what delivers it, when it already exists."""
    plan = objective.plan
    _ensure_draft(plan)
    kind = ServiceKind(kind)
    description, responsible, provider = clean(description), clean(responsible), clean(provider)
    if not description or not responsible or not starts_on or not deadline:
        raise Refused(
            _l("Describe the service and give the person responsible, start and deadline.")
        )
    if deadline < starts_on:
        raise Refused(_l("The deadline cannot be before the start."))
    if kind is ServiceKind.EXTERNAL and not provider:
        raise Refused(_l("Name the institution that provides the service."))
    _check_record(plan.case, kind, record, actor=actor)
    service = PlannedService(
        objective=objective,
        kind=kind,
        description=description,
        responsible=responsible,
        provider=provider,
        starts_on=starts_on,
        deadline=deadline,
        **_link_fields(kind, record),
    )
    db.session.add(service)
    db.session.flush()
    write_audit(audit.CREATE, service, plan.case, actor=actor, changes=audit.snapshot(service))
    return service


def link_record(service: PlannedService, record, *, actor) -> None:
    """Link a planned service to the enrolment, registration or membership that delivers it.

    Allowed on any version of the plan: linking records what was delivered, not what was planned.
    """
    case = service.objective.plan.case
    _check_record(case, service.kind, record, actor=actor)
    change(service, case, actor=actor, **_link_fields(service.kind, record))
    db.session.expire(service, list(LINKABLE))


def linkable_records(case: Case, *, centre_ids) -> dict[ServiceKind, list]:
    """Per kind of service, the records of the case's people in ``centre_ids`` that could
    deliver it."""
    people, centre_ids = people_of(case) or {0}, set(centre_ids) or {0}
    queries = {
        ServiceKind.AFTER_SCHOOL: db.select(Enrolment).where(Enrolment.centre_id.in_(centre_ids)),
        ServiceKind.WORKSHOP: db.select(WorkshopRegistration)
        .join(Workshop)
        .where(
            Workshop.centre_id.in_(centre_ids),
            WorkshopRegistration.status != RegistrationStatus.CANCELLED,
        ),
        ServiceKind.SUPPORT_GROUP: db.select(GroupMembership)
        .join(SupportGroup)
        .where(SupportGroup.centre_id.in_(centre_ids)),
    }
    found = {}
    for kind, query in queries.items():
        model = LINKABLE[LINKED_RECORDS[kind]]
        found[kind] = list(
            db.session.scalars(query.where(model.person_id.in_(people)).order_by(model.id))
        )
    return found


def approve_plan(plan: Plan, *, actor, version=None, approved_on: date | None = None) -> None:
    """The supervisor's approval puts the plan in force; an earlier version is kept, replaced."""
    ensure_current(plan, version)
    case = plan.case
    _ensure_draft(plan)
    ensure_supervisor(case, actor)
    if not plan.objectives or any(not objective.services for objective in plan.objectives):
        raise Refused(_l("Each objective of the plan needs at least one service."))
    if plan.family_signed_on is None:
        raise Refused(_l("Record the date the family signed the plan before approving it."))
    approved_on = approved_on or today()
    in_force = case.active_plan
    if in_force is not None:
        change(in_force, case, actor=actor, status=PlanStatus.SUPERSEDED)
    change(
        plan,
        case,
        actor=actor,
        status=PlanStatus.ACTIVE,
        approved_by_id=actor.id,
        approved_on=approved_on,
    )
    if case.stage is S.PLANNING:
        move(case, S.MONITORING, "plan_approved", actor=actor, day=approved_on)
    else:
        add_event(case, "plan_approved", actor=actor, day=approved_on, detail=str(plan.number))


def record_review(
    case: Case, *, actor, reviewed_on: date, notes: str | None = None, progress: dict
) -> Review:
    """A review of the plan in force; ``progress`` maps objective id → (Progress, comment)."""
    ensure_stage(
        case, *STAGES["record_review"], message=_l("Reviews are made while the plan is in force.")
    )
    plan = case.active_plan
    if not reviewed_on:
        raise Refused(_l("Enter the date of the review."))
    not_in_future(reviewed_on)
    if reviewed_on < (plan.approved_on or plan.starts_on):
        raise Refused(_l("The review cannot be dated before the plan was approved."))
    if case.reviews and reviewed_on < case.reviews[-1].reviewed_on:
        raise Refused(_l("The review cannot be dated before the previous one."))
    objective_ids = {objective.id for objective in plan.objectives}
    if set(progress) != objective_ids:
        raise Refused(_l("Record the progress of every objective."))
    review = Review(
        case=case,
        plan_id=plan.id,
        reviewed_on=reviewed_on,
        due_on=next_review_due(case),
        notes=clean(notes),
        reviewed_by_id=actor.id,
    )
    for objective_id, (status, comment) in sorted(progress.items()):
        review.progress.append(
            ObjectiveProgress(
                objective_id=objective_id, status=Progress(status), comment=clean(comment)
            )
        )
    db.session.add(review)
    db.session.flush()
    changes = audit.snapshot(review) | {
        "progress": {str(p.objective_id): p.status.value for p in review.progress}
    }
    write_audit(audit.CREATE, review, case, actor=actor, changes=changes)
    add_event(case, "review", actor=actor, day=reviewed_on, detail=review.notes)
    return review
