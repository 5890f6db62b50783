"""Enrolment: application, waiting list, activation within the group's capacity, suspension, exit."""

from datetime import date

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, or_, update
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import contains_eager

from daycentre.audit import services as audit
from daycentre.centres.models import Centre, CentreKind, Group
from daycentre.core.errors import Busy, Refused, ensure_current, is_busy
from daycentre.core.localtime import today
from daycentre.enrolment.models import (
    ACTIVE_ONCE,
    HOLDS_A_PLACE,
    OPEN_STATUSES,
    Enrolment,
    EnrolmentStatus,
    ExitReason,
)
from daycentre.extensions import db
from daycentre.people.models import Person, PersonKind

W = EnrolmentStatus


def _record(action: str, enrolment: Enrolment, *, actor, changes) -> None:
    audit.record(
        action,
        enrolment,
        actor=actor,
        centre_id=enrolment.centre_id,
        person_id=enrolment.person_id,
        changes=changes,
    )


def _change(enrolment: Enrolment, *, actor, **fields) -> None:
    for name, value in fields.items():
        setattr(enrolment, name, value)
    changes = audit.pending_changes(enrolment)
    db.session.flush()
    _record(audit.UPDATE, enrolment, actor=actor, changes=changes)


def _not_in_future(day: date | None, message) -> None:
    if day and day > today():
        raise Refused(message)


# --- Queries ------------------------------------------------------------------------------------


def occupied_places(group_id: int) -> int:
    return db.session.scalar(
        db.select(func.count(Enrolment.id)).where(
            Enrolment.group_id == group_id, Enrolment.status.in_(HOLDS_A_PLACE)
        )
    )


def waiting_list(group_id: int) -> list[Enrolment]:
    """The waiting list in order of application (the register number breaks ties)."""
    return list(
        db.session.scalars(
            db.select(Enrolment)
            .where(Enrolment.group_id == group_id, Enrolment.status == W.WAITING)
            .order_by(Enrolment.applied_on, Enrolment.number)
        )
    )


def waiting_counts(centre_ids) -> dict[int, int]:
    """How many wait for a place at each of the centres (one query)."""
    counted = db.session.execute(
        db.select(Enrolment.centre_id, func.count(Enrolment.id))
        .where(Enrolment.centre_id.in_(centre_ids or {0}), Enrolment.status == W.WAITING)
        .group_by(Enrolment.centre_id)
    )
    return dict.fromkeys(centre_ids, 0) | dict(counted.all())


def register_entries(
    centre: Centre,
    *,
    date_from: date | None = None,
    date_to: date | None = None,
    status: EnrolmentStatus | str | None = None,
) -> list[Enrolment]:
    """The centre's register: enrolments whose time at the centre overlaps the period."""
    query = db.select(Enrolment).where(Enrolment.centre_id == centre.id).order_by(Enrolment.number)
    if date_to:
        query = query.where(Enrolment.applied_on <= date_to)
    if date_from:
        query = query.where(or_(Enrolment.exit_date.is_(None), Enrolment.exit_date >= date_from))
    if status:
        query = query.where(Enrolment.status == EnrolmentStatus(status))
    return list(db.session.scalars(query))


def enrolments_active_between_query(group_id: int, first: date, last: date):
    """The query behind ``enrolments_active_between``, for a caller that reads more with it."""
    return (
        db.select(Enrolment)
        .join(Enrolment.person)
        .options(contains_eager(Enrolment.person))
        .where(
            Enrolment.group_id == group_id,
            Person.kind == PersonKind.CHILD,
            Enrolment.status.in_(ACTIVE_ONCE),
            Enrolment.start_date.is_not(None),
            Enrolment.start_date <= last,
            or_(Enrolment.exit_date.is_(None), Enrolment.exit_date >= first),
            or_(Enrolment.suspended_on.is_(None), Enrolment.suspended_on > first),
        )
    )


def enrolments_active_between(group_id: int, first: date, last: date) -> list[Enrolment]:
    """Children's enrolments in the group that were active on at least one day of the period,
    with their person loaded; ``Enrolment.active_on(day)`` says which days."""
    return list(db.session.scalars(enrolments_active_between_query(group_id, first, last)).unique())


def children_active_on(group_id: int, day: date) -> list[Enrolment]:
    """The children actively enrolled in the group on ``day`` (not suspended, not yet exited)."""
    return [e for e in enrolments_active_between(group_id, day, day) if e.active_on(day)]


# --- Application ---------------------------------------------------------------------------------


def _next_number(centre_id: int) -> int:
    highest = db.session.scalar(
        db.select(func.max(Enrolment.number)).where(Enrolment.centre_id == centre_id)
    )
    return (highest or 0) + 1


def apply(
    person: Person, *, group: Group, applied_on: date, actor, notes: str | None = None
) -> Enrolment:
    """Register an application; a full group (or one with a waiting list) puts it on the waiting list."""
    centre = group.centre
    if not group.active or not centre.active:
        raise Refused(_l("This group does not take new beneficiaries."))
    if not actor.sees_centre(centre.id):
        raise Refused(_l("Choose one of your centres."))
    if person.kind is PersonKind.ADULT and centre.kind is not CentreKind.PARENT_COUNSELLING:
        raise Refused(
            _l("Adults are enrolled only in the services of a parent-counselling centre.")
        )
    _not_in_future(applied_on, _l("The date of the application cannot be in the future."))
    if person.birth_date and applied_on < person.birth_date:
        raise Refused(_l("The application cannot be dated before the date of birth."))
    already = db.session.scalar(
        db.select(Enrolment.id).where(
            Enrolment.person_id == person.id,
            Enrolment.group_id == group.id,
            Enrolment.status.in_(OPEN_STATUSES),
        )
    )
    if already:
        raise Refused(_l("This person is already enrolled in this group."))
    full = occupied_places(group.id) >= group.capacity or bool(waiting_list(group.id))
    enrolment = Enrolment(
        centre_id=centre.id,
        group_id=group.id,
        person=person,
        number=_next_number(centre.id),
        status=W.WAITING if full else W.APPLIED,
        applied_on=applied_on,
        notes=(notes or "").strip() or None,
    )
    db.session.add(enrolment)
    try:
        db.session.flush()
    except IntegrityError:  # another application took the same register number at the same moment
        raise Refused(_l("Someone else saved at the same moment. Try again.")) from None
    _record(audit.CREATE, enrolment, actor=actor, changes=audit.snapshot(enrolment))
    return enrolment


def put_on_waiting_list(enrolment: Enrolment, *, actor, version=None) -> None:
    ensure_current(enrolment, version)
    if enrolment.status is not W.APPLIED:
        raise Refused(_l("Only an application can be put on the waiting list."))
    _change(enrolment, actor=actor, status=W.WAITING)


# --- Activation: the capacity rule -----------------------------------------------------------------


def _lock_places(group_id: int) -> None:
    """Serialise activations in one group until the transaction ends.

    Writing the group's row takes its lock first (PostgreSQL's row lock, SQLite's write lock), so a
    second activation waits for the first to commit and then counts the place it took.
    """
    try:
        db.session.execute(
            update(Group)
            .where(Group.id == group_id)
            .values(capacity=Group.capacity)
            .execution_options(synchronize_session=False)
        )
    except OperationalError as error:  # the wait for the other writer ran out
        if not is_busy(error):
            raise
        raise Busy() from None


def can_be_activated(enrolment: Enrolment) -> bool:
    """Whether the activation form is worth offering now: an application, or a waiting-list entry
    whose turn has come (a free place for everyone ahead of it and for it)."""
    if enrolment.status is W.APPLIED:
        return True
    if enrolment.status is not W.WAITING:
        return False
    free = enrolment.group.capacity - occupied_places(enrolment.group_id)
    line = [entry.id for entry in waiting_list(enrolment.group_id)]
    return enrolment.id in line and line.index(enrolment.id) < free


def activate(
    enrolment: Enrolment,
    *,
    actor,
    version=None,
    contract_number: str,
    contract_date: date,
    start_date: date,
) -> None:
    """Sign the service contract and start the service, if the group has a free place."""
    ensure_current(enrolment, version)
    if enrolment.status not in (W.APPLIED, W.WAITING):
        raise Refused(_l("Only an application or a waiting-list entry can be activated."))
    contract_number = (contract_number or "").strip()
    if not contract_number or not contract_date or not start_date:
        raise Refused(_l("Enter the service contract's number and date and the start date."))
    _not_in_future(contract_date, _l("The date of the contract cannot be in the future."))
    if contract_date < enrolment.applied_on or start_date < enrolment.applied_on:
        raise Refused(_l("The contract and the start cannot be dated before the application."))
    if start_date < contract_date:
        raise Refused(_l("The service cannot start before the contract is signed."))
    _lock_places(enrolment.group_id)
    free = enrolment.group.capacity - occupied_places(enrolment.group_id)
    if free <= 0:
        raise Refused(_l("The group has no free place. Put the application on the waiting list."))
    if enrolment.status is W.WAITING:
        line = waiting_list(enrolment.group_id)
        if [entry.id for entry in line].index(enrolment.id) >= free:
            raise Refused(
                _l(
                    "%(name)s applied earlier and is first on the waiting list.",
                    name=line[0].person.full_name,
                )
            )
    _change(
        enrolment,
        actor=actor,
        status=W.ACTIVE,
        contract_number=contract_number,
        contract_date=contract_date,
        start_date=start_date,
    )


def suspend(enrolment: Enrolment, *, actor, version=None, suspended_on: date) -> None:
    ensure_current(enrolment, version)
    if enrolment.status is not W.ACTIVE:
        raise Refused(_l("Only an active enrolment can be suspended."))
    if not suspended_on or suspended_on < enrolment.start_date:
        raise Refused(_l("The suspension cannot begin before the start date."))
    _change(enrolment, actor=actor, status=W.SUSPENDED, suspended_on=suspended_on)


def resume(enrolment: Enrolment, *, actor, version=None) -> None:
    ensure_current(enrolment, version)
    if enrolment.status is not W.SUSPENDED:
        raise Refused(_l("Only a suspended enrolment can be resumed."))
    _change(enrolment, actor=actor, status=W.ACTIVE, suspended_on=None)


def exit_service(
    enrolment: Enrolment,
    *,
    actor,
    version=None,
    exit_date: date,
    exit_reason: str,
    exit_cause: ExitReason | str | None = None,
) -> Enrolment | None:
    """End the service (încetarea serviciilor); a freed place is offered to the first in line.

    Returns the waiting-list entry the place was offered to, if any.
    """
    ensure_current(enrolment, version)
    if enrolment.status is W.EXITED:
        raise Refused(_l("This enrolment has already ended."))
    exit_reason = (exit_reason or "").strip()
    if not exit_date or not exit_reason:
        raise Refused(_l("Enter the exit date and the reason."))
    _not_in_future(exit_date, _l("The exit date cannot be in the future."))
    if exit_date < (enrolment.start_date or enrolment.applied_on):
        raise Refused(_l("The exit date cannot be before the start date."))
    held_a_place = enrolment.holds_a_place
    _change(
        enrolment,
        actor=actor,
        status=W.EXITED,
        exit_date=exit_date,
        exit_reason=exit_reason,
        exit_cause=ExitReason(exit_cause) if exit_cause else None,
    )
    if held_a_place:
        return offer_free_places(enrolment.group, actor=actor, day=exit_date)
    return None


def offer_free_places(group: Group, *, actor, day: date | None = None) -> Enrolment | None:
    """Offer each free place to the first on the waiting list who has no offer yet."""
    free = group.capacity - occupied_places(group.id)
    line = waiting_list(group.id)
    free -= sum(1 for entry in line if entry.offered_on)
    offered = None
    for entry in line:
        if free <= 0:
            break
        if entry.offered_on is None:
            _change(entry, actor=actor, offered_on=day or today())
            offered = offered or entry
            free -= 1
    return offered
