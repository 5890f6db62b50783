"""The stages of a case: the request, the primary evaluation, the team, a referral for protection,
the observatory registration, the closure and a reopening."""

from datetime import date

from flask_babel import lazy_gettext as _l
from sqlalchemy import func
from sqlalchemy.exc import IntegrityError

from daycentre.audit import services as audit
from daycentre.auth.models import User
from daycentre.cases.access import is_supervisor, possible_managers
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
from daycentre.cases.deadlines import setting
from daycentre.cases.models import (
    Case,
    CaseKind,
    CaseStage,
    ClosureReason,
    ProtectionBody,
    RequestChannel,
    RequestSource,
)
from daycentre.cases.stages import STAGES
from daycentre.centres.calendar import add_working_days
from daycentre.centres.models import Centre
from daycentre.core.errors import Refused, ensure_current
from daycentre.core.localtime import today
from daycentre.extensions import db
from daycentre.people.models import Family, Person
from daycentre.people.services import deleting_family, deleting_person

S = CaseStage


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
    kind=CaseKind.PREVENTION,
) -> Case:
    """Register a request or referral; it gets the centre's next number for the year. ``kind``:
    preventing a separation, or a child's return home from care."""
    if not actor.sees_centre(centre.id):
        raise Refused(_l("Choose one of your centres."))
    if not received_on:
        raise Refused(_l("Enter the date the request was received."))
    not_in_future(received_on)
    requester, reported = clean(requester), clean(reported)
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
        requester_address=clean(requester_address),
        reported=reported,
        kind=CaseKind(kind),
        family_id=family.id if family else None,
        stage=S.REQUEST,
        primary_due_on=add_working_days(
            received_on, setting("CASE_PRIMARY_EVALUATION_WORKING_DAYS")
        ),
        children=children,
    )
    if not actor.can("cases.supervise"):
        case.team = [actor]  # whoever took the request keeps seeing it
    db.session.add(case)
    try:
        db.session.flush()
    except IntegrityError:
        raise Refused(_l("Someone else saved at the same moment. Try again.")) from None
    changes = audit.snapshot(case) | {"children": [child.id for child in children]}
    write_audit(audit.CREATE, case, case, actor=actor, changes=changes)
    add_event(case, "registered", actor=actor, day=received_on, detail=case.reported, new=S.REQUEST)
    return case


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
    ensure_stage(
        case, *STAGES["decide_primary"], message=_l("The primary evaluation has already been made.")
    )
    ensure_supervisor(case, actor)
    if not decided_on or decided_on < case.received_on:
        raise Refused(_l("The primary evaluation cannot be dated before the request."))
    not_in_future(decided_on)
    if competent:
        if manager is None or manager.id not in {u.id for u in possible_managers(case.centre_id)}:
            raise Refused(
                _l("Name as case manager a counsellor or a coordinator of the case's centre.")
            )
        move(
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
    referred_to, answer = clean(referred_to), clean(answer)
    if not referred_to or not answer:
        raise Refused(
            _l(
                "Name the institution the case is referred to and write the answer to the requester."
            )
        )
    move(
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
    if case.centre_id not in user.centre_ids or not user.can("cases.read"):
        raise Refused(_l("The case team is made of staff of the case's centre."))
    if user in case.team or user.id == case.manager_id:
        raise Refused(_l("This person is already on the case."))
    case.team.append(user)
    db.session.flush()
    write_audit(audit.UPDATE, case, case, actor=actor, changes={"team": ["+", user.id]})
    add_event(case, "team", actor=actor, day=today(), detail=user.full_name)


def refer_for_protection(
    case: Case, *, actor, version=None, body, referred_on: date, detail: str | None = None
) -> None:
    """A protection measure is decided by the Child Protection Commission or the court."""
    ensure_current(case, version)
    ensure_stage(
        case,
        *STAGES["refer_for_protection"],
        message=_l("A closed case is not referred; reopen it first."),
    )
    if not referred_on or referred_on < case.received_on:
        raise Refused(_l("The referral cannot be dated before the request."))
    not_in_future(referred_on)
    body = ProtectionBody(body)
    change(case, case, actor=actor, protection_body=body, protection_on=referred_on)
    add_event(case, "protection", actor=actor, day=referred_on, detail=detail)


def record_observatory(case: Case, *, actor, version=None, registered_on: date) -> None:
    ensure_current(case, version)
    if not registered_on:
        raise Refused(_l("Enter the date of the registration."))
    if registered_on < case.received_on:
        raise Refused(_l("The registration cannot be dated before the request."))
    not_in_future(registered_on)
    change(case, case, actor=actor, observatory_registered=True, observatory_on=registered_on)
    add_event(case, "observatory", actor=actor, day=registered_on)


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
    ensure_stage(
        case,
        *STAGES["propose_closure"],
        message=_l("Only a case under way can be proposed for closure."),
    )
    if not closed_on or closed_on < case.received_on:
        raise Refused(_l("The closure cannot be dated before the request."))
    if follow_up_on and follow_up_on <= closed_on:
        raise Refused(_l("Post-closure monitoring comes after the closure."))
    reason = ClosureReason(reason)
    if reason is ClosureReason.OTHER and not clean(notes):
        raise Refused(_l("Say why the case is closed."))
    move(
        case,
        S.CLOSING,
        "closure_proposed",
        actor=actor,
        day=today(),
        closure_reason=reason,
        closed_on=closed_on,
        stays_in_family=bool(stays_in_family),
        closure_notes=clean(notes),
        follow_up_on=follow_up_on,
    )


def approve_closure(case: Case, *, actor, version=None) -> None:
    ensure_current(case, version)
    ensure_stage(
        case, *STAGES["approve_closure"], message=_l("No closure is waiting for approval.")
    )
    ensure_supervisor(case, actor)
    day = today()
    move(
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
    ensure_stage(case, *STAGES["reopen"], message=_l("Only a closed case can be reopened."))
    reason = clean(reason)
    if not reason:
        raise Refused(_l("Say why the case is reopened."))
    if case.active_plan is not None:
        stage = S.MONITORING
    elif case.evaluation is not None and case.evaluation.completed_on:
        stage = S.PLANNING
    else:
        stage = S.EVALUATION
    move(
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


# --- A case file keeps the people and the family it names ---------------------------------


@deleting_family.connect
def _keep_a_family_named_in_a_case(family) -> None:
    if db.session.scalar(db.select(Case.id).where(Case.family_id == family.id).limit(1)):
        raise Refused(_l("This family is named in a case and cannot be deleted."))


@deleting_person.connect
def _keep_a_person_named_in_a_case(person) -> None:
    named = db.select(Case.id).where(Case.children.any(Person.id == person.id)).limit(1)
    if db.session.scalar(named):
        raise Refused(_l("This person is named in a case and cannot be deleted."))
