"""Cases: the stage rules, who may see a case, the monitoring deadlines and the period's counts.

Who sees a case (the domain's permission table): its case manager, the members of its team and
its supervisors (the coordinators of the case's centre, and administrators). Other counsellors of
the centre do not learn that it exists (404); volunteers are refused by the permission (403).
"""

import calendar
from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, or_
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload, selectinload

from daycentre.attendance.models import Attendance, AttendanceStatus
from daycentre.audit import services as audit
from daycentre.auth.models import User
from daycentre.auth.roles import Role
from daycentre.cases.models import (
    LINKED_RECORDS,
    OPEN_STAGES,
    Case,
    CaseEvent,
    CaseStage,
    CaseTask,
    ClosureReason,
    Evaluation,
    HomeVisit,
    Objective,
    ObjectiveProgress,
    Plan,
    PlannedService,
    PlanStatus,
    Progress,
    ProtectionBody,
    RequestChannel,
    RequestSource,
    Review,
    ServiceKind,
    TaskSource,
    case_children,
    case_team,
)
from daycentre.centres.calendar import public_holidays
from daycentre.centres.models import Centre
from daycentre.counselling.models import CounsellingSession, SessionStatus
from daycentre.database import utcnow
from daycentre.enrolment.models import Enrolment
from daycentre.errors import Refused, ensure_current
from daycentre.extensions import db
from daycentre.localtime import BUCHAREST, today
from daycentre.people.models import Family
from daycentre.workshops.models import (
    GroupMembership,
    MeetingAttendance,
    RegistrationStatus,
    SupportGroup,
    Workshop,
    WorkshopRegistration,
)
from daycentre.workshops.services import progress as workshop_progress

S = CaseStage

#: The models that deliver a service, by the attribute of ``PlannedService`` that links them.
LINKABLE = {
    "enrolment": Enrolment,
    "registration": WorkshopRegistration,
    "membership": GroupMembership,
}

DEFAULTS = {
    "CASE_PRIMARY_EVALUATION_WORKING_DAYS": 5,
    "CASE_FIRST_VISIT_DAYS": 3,  # 72 hours from the observation sheet
    "CASE_REVIEW_MONTHS": 3,
    "CASE_PLAN_MONTHS": 12,
}


def setting(name: str) -> int:
    return int(current_app.config.get(name, DEFAULTS[name]))


# --- Dates ----------------------------------------------------------------------------------------


def add_working_days(day: date, count: int) -> date:
    """``count`` working days after ``day``: weekends and Romanian public holidays are skipped."""
    while count > 0:
        day += timedelta(days=1)
        if day.weekday() < 5 and day not in public_holidays(day.year):
            count -= 1
    return day


def add_months(day: date, months: int) -> date:
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


# --- Who sees a case --------------------------------------------------------------------------


def is_supervisor(user, case: Case) -> bool:
    if user.role is Role.ADMIN:
        return True
    return user.role is Role.COORDINATOR and case.centre_id in user.centre_ids


def case_visible(user, case: Case) -> bool:
    if is_supervisor(user, case):
        return True
    if user.role is Role.VOLUNTEER or case.centre_id not in user.centre_ids:
        return False
    return case.manager_id == user.id or any(member.id == user.id for member in case.team)


def visible_cases(user, *, open_only: bool = False, options=()) -> list[Case]:
    """The cases the user may see; ``options`` load their related rows in the same go."""
    query = db.select(Case).options(*options).order_by(Case.year.desc(), Case.number.desc())
    if user.role is Role.VOLUNTEER:
        return []
    if user.role is Role.COORDINATOR:
        query = query.where(Case.centre_id.in_(user.centre_ids or {0}))
    elif user.role is Role.COUNSELLOR:
        in_team = db.select(case_team.c.case_id).where(case_team.c.user_id == user.id)
        query = query.where(
            Case.centre_id.in_(user.centre_ids or {0}),
            or_(Case.manager_id == user.id, Case.id.in_(in_team)),
        )
    if open_only:
        query = query.where(Case.stage.in_(OPEN_STAGES))
    return list(db.session.scalars(query).unique())


def possible_managers(centre_id: int) -> list[User]:
    """Counsellors and coordinators of the centre, who may carry a case."""
    users = db.session.scalars(
        db.select(User)
        .where(User.active.is_(True), User.role.in_((Role.COUNSELLOR, Role.COORDINATOR)))
        .order_by(User.family_name, User.given_name)
    )
    return [user for user in users if centre_id in user.centre_ids]


def _ensure_supervisor(case: Case, actor) -> None:
    if not is_supervisor(actor, case):
        raise Refused(_l("Only a coordinator of the centre or an administrator may approve this."))


def _ensure_stage(case: Case, *stages: CaseStage, message) -> None:
    if case.stage not in stages:
        raise Refused(message)


def _not_in_future(day: date | None, message=None) -> None:
    if day and day > today():
        raise Refused(message or _l("The date cannot be in the future."))


def _clean(value):
    return value.strip() or None if isinstance(value, str) else value


# --- The audit trail and the timeline ------------------------------------------------------


def _person_id(case: Case) -> int | None:
    return case.children[0].id if case.children else None


def _audit(action: str, obj, case: Case, *, actor, changes) -> None:
    audit.record(
        action,
        obj,
        actor=actor,
        centre_id=case.centre_id,
        person_id=_person_id(case),
        changes=changes,
    )


def _event(case: Case, kind: str, *, actor, day: date, detail=None, old=None, new=None) -> None:
    db.session.add(
        CaseEvent(
            case=case,
            kind=kind,
            happened_on=day,
            detail=_clean(detail),
            old_stage=old,
            new_stage=new,
            actor_id=getattr(actor, "id", None),
        )
    )


def _change(obj, case: Case, *, actor, **fields) -> None:
    for name, value in fields.items():
        setattr(obj, name, value)
    changes = audit.pending_changes(obj)
    db.session.flush()
    if changes:
        _audit(audit.UPDATE, obj, case, actor=actor, changes=changes)


def _move(case: Case, stage: CaseStage, kind: str, *, actor, day: date, detail=None, **fields):
    """Change the case's stage; the audit entry carries the old and the new stage."""
    old = case.stage
    _change(case, case, actor=actor, stage=stage, **fields)
    _event(case, kind, actor=actor, day=day, detail=detail, old=old, new=stage)


def record_read(case: Case, *, actor, part: str = "case") -> None:
    """Every opening of a case record is written to the audit trail."""
    _audit(audit.READ, case, case, actor=actor, changes={"part": part})


# --- Registration and primary evaluation -----------------------------------------------------


def _next_number(centre_id: int, year: int) -> int:
    highest = db.session.scalar(
        db.select(func.max(Case.number)).where(Case.centre_id == centre_id, Case.year == year)
    )
    return (highest or 0) + 1


def register_request(
    centre: Centre,
    *,
    actor,
    received_on: date,
    source,
    channel,
    requester: str,
    reported: str,
    family: Family | None = None,
    children=(),
    requester_address: str | None = None,
) -> Case:
    """Register a request or referral; it gets the centre's next number for the year."""
    if not actor.sees_centre(centre.id):
        raise Refused(_l("Choose one of your centres."))
    if not received_on:
        raise Refused(_l("Enter the date the request was received."))
    _not_in_future(received_on)
    requester, reported = _clean(requester), _clean(reported)
    if not requester or not reported:
        raise Refused(_l("Say who made the request and what is reported."))
    children = list(children)
    if any(not child.is_child for child in children):
        raise Refused(_l("Only children can be the children concerned."))
    if family is not None and any(child.family_id != family.id for child in children):
        raise Refused(_l("The children concerned must belong to the family concerned."))
    case = Case(
        centre_id=centre.id,
        year=received_on.year,
        number=_next_number(centre.id, received_on.year),
        received_on=received_on,
        source=RequestSource(source),
        channel=RequestChannel(channel),
        requester=requester,
        requester_address=_clean(requester_address),
        reported=reported,
        family_id=family.id if family else None,
        stage=S.REQUEST,
        primary_due_on=add_working_days(
            received_on, setting("CASE_PRIMARY_EVALUATION_WORKING_DAYS")
        ),
        children=children,
    )
    if actor.role is Role.COUNSELLOR:
        case.team = [actor]  # whoever took the request keeps seeing it
    db.session.add(case)
    try:
        db.session.flush()
    except IntegrityError:
        raise Refused(_l("Someone else saved at the same moment. Try again.")) from None
    changes = audit.snapshot(case) | {"children": [child.id for child in children]}
    _audit(audit.CREATE, case, case, actor=actor, changes=changes)
    _event(case, "registered", actor=actor, day=received_on, detail=case.reported, new=S.REQUEST)
    return case


def primary_overdue(case: Case, day: date | None = None) -> bool:
    return case.stage is S.REQUEST and (day or today()) > case.primary_due_on


def decide_primary(
    case: Case,
    *,
    actor,
    version=None,
    decided_on: date,
    competent: bool,
    manager: User | None = None,
    referred_to: str | None = None,
    answer: str | None = None,
) -> None:
    """The primary evaluation: competent → a case manager is named; otherwise referred elsewhere."""
    ensure_current(case, version)
    _ensure_stage(case, S.REQUEST, message=_l("The primary evaluation has already been made."))
    _ensure_supervisor(case, actor)
    if not decided_on or decided_on < case.received_on:
        raise Refused(_l("The primary evaluation cannot be dated before the request."))
    _not_in_future(decided_on)
    if competent:
        if manager is None or manager.id not in {u.id for u in possible_managers(case.centre_id)}:
            raise Refused(
                _l("Name as case manager a counsellor or a coordinator of the case's centre.")
            )
        _move(
            case,
            S.EVALUATION,
            "competent",
            actor=actor,
            day=decided_on,
            detail=manager.full_name,
            primary_on=decided_on,
            competent=True,
            manager_id=manager.id,
        )
        return
    referred_to, answer = _clean(referred_to), _clean(answer)
    if not referred_to or not answer:
        raise Refused(
            _l(
                "Name the institution the case is referred to and write the answer to the requester."
            )
        )
    _move(
        case,
        S.REFERRED,
        "referred",
        actor=actor,
        day=decided_on,
        detail=referred_to,
        primary_on=decided_on,
        competent=False,
        referred_to=referred_to,
        answer=answer,
        closed_on=decided_on,
    )


def add_team_member(case: Case, user: User, *, actor) -> None:
    if not is_supervisor(actor, case) and actor.id != case.manager_id:
        raise Refused(_l("Only the case manager or a supervisor may change the case team."))
    if case.centre_id not in user.centre_ids or user.role is Role.VOLUNTEER:
        raise Refused(_l("The case team is made of staff of the case's centre."))
    if user in case.team or user.id == case.manager_id:
        raise Refused(_l("This person is already on the case."))
    case.team.append(user)
    db.session.flush()
    _audit(audit.UPDATE, case, case, actor=actor, changes={"team": ["+", user.id]})
    _event(case, "team", actor=actor, day=today(), detail=user.full_name)


# --- Detailed evaluation ----------------------------------------------------------------------

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


def start_evaluation(case: Case, *, actor, started_on: date) -> Evaluation:
    """Open the observation sheet; during monitoring this is a re-evaluation."""
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
    _not_in_future(started_on)
    evaluation = Evaluation(case=case, started_on=started_on, is_reevaluation=again)
    db.session.add(evaluation)
    db.session.flush()
    _audit(audit.CREATE, evaluation, case, actor=actor, changes=audit.snapshot(evaluation))
    _event(case, kind, actor=actor, day=started_on)
    return evaluation


def save_evaluation(evaluation: Evaluation, *, actor, version=None, **fields) -> None:
    ensure_current(evaluation, version)
    if evaluation.completed_on:
        raise Refused(_l("A completed evaluation is not changed; start a re-evaluation."))
    unknown = set(fields) - set(EVALUATION_FIELDS)
    if unknown:
        raise TypeError(f"not evaluation fields: {unknown}")
    _change(
        evaluation,
        evaluation.case,
        actor=actor,
        **{name: _clean(value) for name, value in fields.items()},
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
    _not_in_future(completed_on)
    _change(evaluation, case, actor=actor, completed_on=completed_on)
    if case.stage is S.EVALUATION:
        _move(case, S.PLANNING, "evaluation_completed", actor=actor, day=completed_on)
    else:
        _event(case, "evaluation_completed", actor=actor, day=completed_on)


def first_visit_due(case: Case) -> date | None:
    first = case.evaluations[0] if case.evaluations else None
    return first.started_on + timedelta(days=setting("CASE_FIRST_VISIT_DAYS")) if first else None


def first_visit_late(case: Case, day: date | None = None) -> bool:
    """The first home visit is due within 72 hours of the observation sheet."""
    due = first_visit_due(case)
    if due is None:
        return False
    if case.visits:
        return case.visits[0].visited_on > due
    return case.is_open and (day or today()) > due


def add_visit(case: Case, *, actor, visited_on: date, findings: str) -> HomeVisit:
    if not case.evaluations:
        raise Refused(_l("Home visits are recorded once the detailed evaluation has started."))
    if not case.is_open:
        raise Refused(_l("The case is closed."))
    findings = _clean(findings)
    if not visited_on or not findings:
        raise Refused(_l("Enter the date of the visit and what was found."))
    if visited_on < case.received_on:
        raise Refused(_l("The visit cannot be dated before the request."))
    _not_in_future(visited_on)
    visit = HomeVisit(case=case, visited_on=visited_on, findings=findings, visited_by_id=actor.id)
    db.session.add(visit)
    db.session.flush()
    _audit(audit.CREATE, visit, case, actor=actor, changes=audit.snapshot(visit))
    _event(case, "home_visit", actor=actor, day=visited_on)
    return visit


def record_observatory(case: Case, *, actor, version=None, registered_on: date) -> None:
    ensure_current(case, version)
    if not registered_on:
        raise Refused(_l("Enter the date of the registration."))
    if registered_on < case.received_on:
        raise Refused(_l("The registration cannot be dated before the request."))
    _not_in_future(registered_on)
    _change(case, case, actor=actor, observatory_registered=True, observatory_on=registered_on)
    _event(case, "observatory", actor=actor, day=registered_on)


# --- The service plan -------------------------------------------------------------------------


def create_plan(case: Case, *, actor, starts_on: date | None = None) -> Plan:
    """Draft a plan; a revision copies the objectives and services of the plan in force."""
    if case.stage not in (S.PLANNING, S.MONITORING):
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
    _audit(audit.CREATE, plan, case, actor=actor, changes=audit.snapshot(plan))
    _event(case, "plan_drafted", actor=actor, day=min(starts_on, today()), detail=str(plan.number))
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
    _not_in_future(family_signed_on, _l("The family's signature cannot be dated in the future."))
    _change(
        plan,
        plan.case,
        actor=actor,
        starts_on=starts_on,
        ends_on=ends_on,
        family_signed_on=family_signed_on,
    )


def add_objective(plan: Plan, *, actor, text: str) -> Objective:
    _ensure_draft(plan)
    text = _clean(text)
    if not text:
        raise Refused(_l("Write the objective."))
    objective = Objective(plan=plan, position=len(plan.objectives) + 1, text=text)
    db.session.add(objective)
    db.session.flush()
    _audit(audit.CREATE, objective, plan.case, actor=actor, changes=audit.snapshot(objective))
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
    description, responsible, provider = _clean(description), _clean(responsible), _clean(provider)
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
    _audit(audit.CREATE, service, plan.case, actor=actor, changes=audit.snapshot(service))
    return service


def link_record(service: PlannedService, record, *, actor) -> None:
    """Link a planned service to the enrolment, registration or membership that delivers it.

    Allowed on any version of the plan: linking records what was delivered, not what was planned.
    """
    case = service.objective.plan.case
    _check_record(case, service.kind, record, actor=actor)
    _change(service, case, actor=actor, **_link_fields(service.kind, record))
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


# --- What was delivered against the plan ------------------------------------------------------


@dataclass(frozen=True)
class Delivery:
    """What delivered one planned service: the linked record (or the counselling sessions found)
    and how much of it the person took part in."""

    record: object = None
    attended: int = 0  # days present, sessions or meetings attended
    out_of: int = 0  # days marked, sessions held, meetings held while a member
    sessions: tuple = ()  # counselling: the sessions within the service's dates
    completed: bool = False  # a workshop attended at the completion share
    elsewhere: bool = False  # linked to a record of a centre the viewer does not see


def deliveries(plan: Plan, *, centre_ids) -> dict[int, Delivery]:
    """Per planned service of ``plan``: what was delivered, as far as the viewer's centres go."""
    found = {}
    case = plan.case
    for objective in plan.objectives:
        for service in objective.services:
            deliver = _DELIVERED_BY.get(service.kind)
            record = service.linked_record
            if record is not None and centre_of(record) not in centre_ids:
                found[service.id] = Delivery(elsewhere=True)
            elif deliver is not None:
                found[service.id] = deliver(service, case, set(centre_ids))
    return found


def _after_school(service: PlannedService, case: Case, centre_ids) -> Delivery:
    enrolment = service.enrolment
    if enrolment is None:
        return Delivery()
    marks = db.session.execute(
        db.select(Attendance.status, func.count())
        .where(
            Attendance.person_id == enrolment.person_id,
            Attendance.group_id == enrolment.group_id,
            Attendance.day.between(service.starts_on, service.deadline),
        )
        .group_by(Attendance.status)
    ).all()
    counted = dict(marks)
    return Delivery(
        enrolment,
        attended=counted.get(AttendanceStatus.PRESENT, 0),
        out_of=sum(counted.values()),
    )


def _counselling(service: PlannedService, case: Case, centre_ids) -> Delivery:
    first = datetime.combine(service.starts_on, time.min, BUCHAREST)
    after = datetime.combine(service.deadline + timedelta(days=1), time.min, BUCHAREST)
    conditions = [CounsellingSession.person_id.in_(people_of(case) or {0})]
    if case.family_id is not None:
        conditions.append(CounsellingSession.family_id == case.family_id)
    sessions = tuple(
        db.session.scalars(
            db.select(CounsellingSession)
            .where(
                or_(*conditions),
                CounsellingSession.centre_id.in_(centre_ids or {0}),
                CounsellingSession.starts_at >= first,
                CounsellingSession.starts_at < after,
                CounsellingSession.status != SessionStatus.CANCELLED,
            )
            .order_by(CounsellingSession.starts_at)
        )
    )
    held = sum(s.status is SessionStatus.HELD for s in sessions)
    missed = sum(s.status is SessionStatus.NO_SHOW for s in sessions)
    return Delivery(attended=held, out_of=held + missed, sessions=sessions)


def _workshop(service: PlannedService, case: Case, centre_ids) -> Delivery:
    registration = service.registration
    if registration is None:
        return Delivery()
    progress = workshop_progress(registration.workshop).get(registration.person_id)
    if progress is None:  # waiting or cancelled
        return Delivery(registration, out_of=len(registration.workshop.sessions))
    return Delivery(
        registration,
        attended=progress.attended,
        out_of=progress.sessions,
        completed=progress.completed,
    )


def _support_group(service: PlannedService, case: Case, centre_ids) -> Delivery:
    membership = service.membership
    if membership is None:
        return Delivery()
    now = utcnow()
    meetings = [
        meeting
        for meeting in membership.group.meetings
        if meeting.starts_at <= now
        and membership.member_on(meeting.local_start.date())
        and service.starts_on <= meeting.local_start.date() <= service.deadline
    ]
    attended = db.session.scalar(
        db.select(func.count()).where(
            MeetingAttendance.person_id == membership.person_id,
            MeetingAttendance.present.is_(True),
            MeetingAttendance.meeting_id.in_([m.id for m in meetings] or [0]),
        )
    )
    return Delivery(membership, attended=attended or 0, out_of=len(meetings))


_DELIVERED_BY = {
    ServiceKind.AFTER_SCHOOL: _after_school,
    ServiceKind.COUNSELLING: _counselling,
    ServiceKind.WORKSHOP: _workshop,
    ServiceKind.SUPPORT_GROUP: _support_group,
}


def approve_plan(plan: Plan, *, actor, version=None, approved_on: date | None = None) -> None:
    """The supervisor's approval puts the plan in force; an earlier version is kept, replaced."""
    ensure_current(plan, version)
    case = plan.case
    _ensure_draft(plan)
    _ensure_supervisor(case, actor)
    if not plan.objectives or any(not objective.services for objective in plan.objectives):
        raise Refused(_l("Each objective of the plan needs at least one service."))
    if plan.family_signed_on is None:
        raise Refused(_l("Record the date the family signed the plan before approving it."))
    approved_on = approved_on or today()
    in_force = case.active_plan
    if in_force is not None:
        _change(in_force, case, actor=actor, status=PlanStatus.SUPERSEDED)
    _change(
        plan,
        case,
        actor=actor,
        status=PlanStatus.ACTIVE,
        approved_by_id=actor.id,
        approved_on=approved_on,
    )
    if case.stage is S.PLANNING:
        _move(case, S.MONITORING, "plan_approved", actor=actor, day=approved_on)
    else:
        _event(case, "plan_approved", actor=actor, day=approved_on, detail=str(plan.number))


def refer_for_protection(
    case: Case, *, actor, version=None, body, referred_on: date, detail: str | None = None
) -> None:
    """A protection measure is decided by the Child Protection Commission or the court."""
    ensure_current(case, version)
    _ensure_stage(
        case,
        S.EVALUATION,
        S.PLANNING,
        S.MONITORING,
        message=_l("A closed case is not referred; reopen it first."),
    )
    if not referred_on or referred_on < case.received_on:
        raise Refused(_l("The referral cannot be dated before the request."))
    _not_in_future(referred_on)
    body = ProtectionBody(body)
    _change(case, case, actor=actor, protection_body=body, protection_on=referred_on)
    _event(case, "protection", actor=actor, day=referred_on, detail=detail)


# --- Monitoring -------------------------------------------------------------------------------


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


def record_review(
    case: Case, *, actor, reviewed_on: date, notes: str | None = None, progress: dict
) -> Review:
    """A review of the plan in force; ``progress`` maps objective id → (Progress, comment)."""
    _ensure_stage(case, S.MONITORING, message=_l("Reviews are made while the plan is in force."))
    plan = case.active_plan
    if not reviewed_on:
        raise Refused(_l("Enter the date of the review."))
    _not_in_future(reviewed_on)
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
        notes=_clean(notes),
        reviewed_by_id=actor.id,
    )
    for objective_id, (status, comment) in sorted(progress.items()):
        review.progress.append(
            ObjectiveProgress(
                objective_id=objective_id, status=Progress(status), comment=_clean(comment)
            )
        )
    db.session.add(review)
    db.session.flush()
    changes = audit.snapshot(review) | {
        "progress": {str(p.objective_id): p.status.value for p in review.progress}
    }
    _audit(audit.CREATE, review, case, actor=actor, changes=changes)
    _event(case, "review", actor=actor, day=reviewed_on, detail=review.notes)
    return review


# --- Closure ----------------------------------------------------------------------------------


def propose_closure(
    case: Case,
    *,
    actor,
    version=None,
    reason,
    closed_on: date,
    stays_in_family: bool,
    notes: str | None = None,
    follow_up_on: date | None = None,
) -> None:
    ensure_current(case, version)
    _ensure_stage(
        case,
        S.EVALUATION,
        S.PLANNING,
        S.MONITORING,
        message=_l("Only a case under way can be proposed for closure."),
    )
    if not closed_on or closed_on < case.received_on:
        raise Refused(_l("The closure cannot be dated before the request."))
    if follow_up_on and follow_up_on <= closed_on:
        raise Refused(_l("Post-closure monitoring comes after the closure."))
    reason = ClosureReason(reason)
    if reason is ClosureReason.OTHER and not _clean(notes):
        raise Refused(_l("Say why the case is closed."))
    _move(
        case,
        S.CLOSING,
        "closure_proposed",
        actor=actor,
        day=today(),
        closure_reason=reason,
        closed_on=closed_on,
        stays_in_family=bool(stays_in_family),
        closure_notes=_clean(notes),
        follow_up_on=follow_up_on,
    )


def approve_closure(case: Case, *, actor, version=None) -> None:
    ensure_current(case, version)
    _ensure_stage(case, S.CLOSING, message=_l("No closure is waiting for approval."))
    _ensure_supervisor(case, actor)
    day = today()
    _move(
        case,
        S.CLOSED,
        "closure_approved",
        actor=actor,
        day=day,
        closure_approved_by_id=actor.id,
        closure_approved_on=day,
    )


def reopen(case: Case, *, actor, version=None, reason: str, reopened_on: date | None = None):
    """A closed case (or a proposed closure) goes back to where its work stopped."""
    ensure_current(case, version)
    _ensure_stage(case, S.CLOSED, S.CLOSING, message=_l("Only a closed case can be reopened."))
    reason = _clean(reason)
    if not reason:
        raise Refused(_l("Say why the case is reopened."))
    if case.active_plan is not None:
        stage = S.MONITORING
    elif case.evaluation is not None and case.evaluation.completed_on:
        stage = S.PLANNING
    else:
        stage = S.EVALUATION
    _move(
        case,
        stage,
        "reopened",
        actor=actor,
        day=reopened_on or today(),
        detail=reason,
        closure_reason=None,
        closed_on=None,
        stays_in_family=None,
        closure_notes=None,
        closure_approved_by_id=None,
        closure_approved_on=None,
        follow_up_on=None,
    )


# --- Tasks: the hook for roll-call and counselling -----------------------------------------


def add_task(
    case: Case, *, text: str, source=TaskSource.MANUAL, due_on: date | None = None, actor=None
) -> CaseTask:
    """Add a task to an open case; its case manager sees it on the case and on the home page."""
    text = _clean(text)
    if not text:
        raise Refused(_l("Write the task."))
    task = CaseTask(case=case, source=TaskSource(source), text=text, due_on=due_on)
    return _raise(task, actor=actor, event="task", detail=text)


def _raise(task: CaseTask, *, actor, event: str, detail: str) -> CaseTask:
    db.session.add(task)
    db.session.flush()
    _audit(audit.CREATE, task, task.case, actor=actor, changes=audit.snapshot(task))
    _event(task.case, event, actor=actor, day=today(), detail=detail)
    return task


def complete_task(task: CaseTask, *, actor) -> bool:
    """Mark an open task done today; a task already done (a second click) stays as it was."""
    done = db.session.execute(
        db.update(CaseTask)
        .where(CaseTask.id == task.id, CaseTask.done_on.is_(None))
        .values(done_on=today(), done_by_id=actor.id)
        .execution_options(synchronize_session=False)
    )
    if done.rowcount != 1:  # done already, perhaps by the same click a moment ago
        db.session.refresh(task)
        return False
    db.session.refresh(task)
    _audit(
        audit.UPDATE,
        task,
        task.case,
        actor=actor,
        changes={"done_on": [None, task.done_on.isoformat()], "done_by_id": [None, actor.id]},
    )
    detail = task.text if task.text is not None else _named(task.person)
    _event(task.case, "task_done", actor=actor, day=today(), detail=detail)
    return True


def open_tasks(case: Case) -> list[CaseTask]:
    return [task for task in case.tasks if task.done_on is None]


def flag_for_case_managers(people, *, source: TaskSource, actor=None) -> list[CaseTask]:
    """Raise a task on every open case naming one of ``people``, once for each child while the
    task stays open: roll-call's absence alerts and counselling's repeated no-shows call this.

    The task stores whom it is about, not a sentence: each reader sees it in their language."""
    if not people:
        return []
    by_id = {person.id: person for person in people}
    open_cases = db.session.execute(
        db.select(Case, case_children.c.person_id)
        .join(case_children, case_children.c.case_id == Case.id)
        .where(case_children.c.person_id.in_(by_id), Case.stage.in_(OPEN_STAGES))
    ).all()
    raised = []
    for case, person_id in open_cases:
        if any(
            task.source is source and task.done_on is None and task.person_id == person_id
            for task in case.tasks
        ):
            continue
        person = by_id[person_id]
        task = CaseTask(case=case, source=source, person=person)
        raised.append(_raise(task, actor=actor, event=f"task_{source}", detail=_named(person)))
    return raised


def _named(person) -> str | None:
    """A name stored in the timeline, family name first as in registers, whatever the language
    of whoever raised the task (the timeline's detail is shown as stored)."""
    return f"{person.family_name} {person.given_name}" if person is not None else None


# --- The home page: what is overdue -------------------------------------------------------


@dataclass
class Overdue:
    case: Case
    review_due: date | None
    services: list
    first_visit_late: bool
    primary_late: bool
    open_tasks: list


# What ``overdue_for`` reads of each case, loaded for all the cases at once.
# A case has few of each: the plans' chain and the reviews' progress come joined.
_WHAT_IS_OVERDUE = (
    joinedload(Case.evaluations),
    selectinload(Case.plans).joinedload(Plan.objectives).joinedload(Objective.services),
    selectinload(Case.reviews).joinedload(Review.progress),
    selectinload(Case.visits),
    selectinload(Case.tasks),
)


def overdue_for(user, day: date | None = None) -> list[Overdue]:
    """Cases the user manages (or supervises) with an overdue review, service or visit, or with
    open tasks."""
    day = day or today()
    found = []
    for case in visible_cases(user, open_only=True, options=_WHAT_IS_OVERDUE):
        if user.role is Role.COUNSELLOR and case.manager_id != user.id:
            continue
        late_review = review_overdue(case, day)
        services = overdue_services(case, day)
        visit = first_visit_late(case, day) and not case.visits
        primary = primary_overdue(case, day)
        tasks = open_tasks(case)
        if late_review or services or visit or primary or tasks:
            due = next_review_due(case) if late_review else None
            found.append(Overdue(case, due, services, visit, primary, tasks))
    return found


# --- Counts for a period ---------------------------------------------------------------------


def counts(centre_ids, date_from: date, date_to: date) -> dict:
    """What the centres did in the period, both ends included (dates are Bucharest dates)."""
    centre_ids = set(centre_ids) or {0}
    cases = list(db.session.scalars(db.select(Case).where(Case.centre_id.in_(centre_ids))))

    def within(day):
        return day is not None and date_from <= day <= date_to

    closed = [c for c in cases if c.stage is S.CLOSED and within(c.closed_on)]
    opened = [c for c in cases if c.competent and within(c.primary_on)]
    active = [
        c
        for c in cases
        if c.competent
        and c.primary_on <= date_to
        and (c.stage is not S.CLOSED or c.closed_on >= date_from)
    ]
    reviews = db.session.scalars(
        db.select(Review)
        .join(Case)
        .where(
            Case.centre_id.in_(centre_ids),
            Review.reviewed_on >= date_from,
            Review.reviewed_on <= date_to,
        )
    ).all()
    evaluations = db.session.scalar(
        db.select(func.count(Evaluation.id))
        .join(Case)
        .where(
            Case.centre_id.in_(centre_ids),
            Evaluation.completed_on >= date_from,
            Evaluation.completed_on <= date_to,
        )
    )
    by_reason = Counter(c.closure_reason for c in closed)
    return {
        "received": sum(1 for c in cases if within(c.received_on)),
        "referred": sum(1 for c in cases if c.stage is S.REFERRED and within(c.primary_on)),
        "opened": len(opened),
        "active": len(active),
        "closed": len(closed),
        "closed_by_reason": {reason: by_reason.get(reason, 0) for reason in ClosureReason},
        "children_stayed": sum(len(c.children) for c in closed if c.stays_in_family),
        "reviews": len(reviews),
        "reviews_on_time": sum(1 for review in reviews if review.on_time),
        "evaluations": evaluations or 0,
    }
