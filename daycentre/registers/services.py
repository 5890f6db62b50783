"""The complaints register and the serious-incident register: their rules, their audit trail,
and what they announce to the areas above (a suspicion of abuse or neglect, for the cases)."""

from datetime import date, datetime, timedelta

from blinker import Namespace
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import or_, select

from daycentre.audit import services as audit
from daycentre.auth import scope
from daycentre.auth.models import User
from daycentre.auth.roles import Role
from daycentre.centres.models import Centre
from daycentre.core.database import utcnow
from daycentre.core.errors import Refused, ensure_current
from daycentre.core.localtime import day_bounds, today
from daycentre.enrolment.models import Enrolment, EnrolmentStatus
from daycentre.extensions import db
from daycentre.notifications import services as notify
from daycentre.notifications.models import Event
from daycentre.people.models import Family, Person, PersonKind
from daycentre.registers.models import Complainant, Complaint, Incident, IncidentKind
from daycentre.volunteers.services import next_number

# Ordonanța 27/2002 on petitions: an answer within 30 days of registration.
ANSWER_DAYS = 30
# How far ahead the home page shows a complaint whose answer is coming due.
DUE_SOON_DAYS = 7

_signals = Namespace()
#: Sent with ``people`` (the children) when an incident records a suspicion of abuse or neglect:
#: ``cases.tasks`` raises a task on each child's open case, or registers a request for one.
abuse_suspected = _signals.signal("abuse-suspected")


def _clean(value):
    return value.strip() or None if isinstance(value, str) else value


def possible_handlers(centre_id: int) -> list[User]:
    """Who may handle a centre's complaint or incident: its coordinators and counsellors, and the
    administrators."""
    query = (
        select(User)
        .where(
            User.active.is_(True),
            (User.role == Role.ADMIN)
            | (
                User.role.in_((Role.COORDINATOR, Role.COUNSELLOR))
                & User.centres.any(Centre.id == centre_id)
            ),
        )
        .order_by(User.family_name, User.given_name)
    )
    return list(db.session.scalars(query))


def _check_handler(centre_id: int, handler: User | None) -> None:
    if handler is None or handler.id not in {u.id for u in possible_handlers(centre_id)}:
        raise Refused(
            _l("Choose as handler a coordinator or counsellor of the centre."), "handler_id"
        )


def _not_in_future(day: date | None, field: str) -> None:
    if day is not None and day > today():
        raise Refused(_l("The date cannot be in the future."), field)


# --- Complaints ---------------------------------------------------------------------------------


def _check_complainant(kind: Complainant, name: str | None) -> None:
    if kind is Complainant.ANONYMOUS and name:
        raise Refused(_l("An anonymous complaint has no complainant's name."), "complainant_name")
    if kind is not Complainant.ANONYMOUS and not name:
        raise Refused(_l("Enter who made the complaint."), "complainant_name")


def record_complaint(
    centre: Centre,
    *,
    actor,
    received_on: date,
    channel,
    complainant,
    subject: str,
    handler: User | None,
    complainant_name: str | None = None,
    complainant_contact: str | None = None,
) -> Complaint:
    """Enter a complaint in the centre's register under the next number of its year.

    The number comes from the centre's counter for that year's register, bumped in the same
    transaction: two complaints saved at once get consecutive numbers, and a save that fails
    gives its number back."""
    if not actor.sees_centre(centre.id):
        raise Refused(_l("Choose one of your centres."))
    if not received_on:
        raise Refused(_l("Enter the date the complaint was received."), "received_on")
    _not_in_future(received_on, "received_on")
    complainant = Complainant(complainant)
    complainant_name = _clean(complainant_name)
    _check_complainant(complainant, complainant_name)
    subject = _clean(subject)
    if not subject:
        raise Refused(_l("Write what the complaint is about."), "subject")
    _check_handler(centre.id, handler)
    complaint = Complaint(
        centre_id=centre.id,
        year=received_on.year,
        number=next_number(centre.id, f"complaints_{received_on.year}"),
        received_on=received_on,
        due_on=received_on + timedelta(days=ANSWER_DAYS),
        channel=channel,
        complainant=complainant,
        complainant_name=complainant_name,
        complainant_contact=_clean(complainant_contact),
        subject=subject,
        handler_id=handler.id,
        recorded_by_id=actor.id,
    )
    db.session.add(complaint)
    db.session.flush()
    audit.record(
        audit.CREATE, complaint, actor=actor, centre_id=centre.id, changes=audit.snapshot(complaint)
    )
    return complaint


def update_complaint(
    complaint: Complaint,
    *,
    actor,
    version=None,
    channel,
    complainant,
    subject: str,
    handler: User | None,
    complainant_name: str | None = None,
    complainant_contact: str | None = None,
) -> Complaint:
    """Correct what was recorded (not the number nor the date received)."""
    ensure_current(complaint, version)
    complainant = Complainant(complainant)
    complainant_name = _clean(complainant_name)
    _check_complainant(complainant, complainant_name)
    subject = _clean(subject)
    if not subject:
        raise Refused(_l("Write what the complaint is about."), "subject")
    _check_handler(complaint.centre_id, handler)
    complaint.channel = channel
    complaint.complainant = complainant
    complaint.complainant_name = complainant_name
    complaint.complainant_contact = _clean(complainant_contact)
    complaint.subject = subject
    complaint.handler_id = handler.id
    _save(complaint, actor)
    return complaint


def answer_complaint(
    complaint: Complaint, *, actor, version=None, answer: str, answered_on: date
) -> Complaint:
    """Record the answer given and its date; it may be corrected later."""
    ensure_current(complaint, version)
    answer = _clean(answer)
    if not answer:
        raise Refused(_l("Write the answer given."), "answer")
    if not answered_on:
        raise Refused(_l("Enter the date of the answer."), "answered_on")
    if answered_on < complaint.received_on:
        raise Refused(_l("The answer cannot be dated before the complaint."), "answered_on")
    _not_in_future(answered_on, "answered_on")
    complaint.answer = answer
    complaint.answered_on = answered_on
    _save(complaint, actor)
    _tell_complainant(complaint)
    return complaint


def _tell_complainant(complaint: Complaint) -> None:
    """A complainant who left an e-mail or phone is told that the answer was given (once; its
    text stays with the centre)."""
    notify.queue(
        Event.COMPLAINT_ANSWERED,
        centre_id=complaint.centre_id,
        record=complaint,
        recipients=lambda: notify.recipient_at_address(
            complaint.complainant_name or "", contact=complaint.complainant_contact
        ),
        template="complaint_answered",
        context={
            "number": complaint.reference,
            "received_on": complaint.received_on,
            "answered_on": complaint.answered_on,
            "centre_name": complaint.centre.name,
        },
    )


def _save(record, actor) -> None:
    changes = audit.pending_changes(record)
    db.session.flush()
    if changes:
        audit.record(audit.UPDATE, record, actor=actor, centre_id=record.centre_id, changes=changes)


def record_read(record, *, actor) -> None:
    """A complaint or an incident was opened: the register is restricted, so reads are audited."""
    audit.record(audit.READ, record, actor=actor, centre_id=record.centre_id)


def complaints_of(user, *, year: int | None = None, centre_id: int | None = None):
    query = scope.select_visible(Complaint, user)
    if year is not None:
        query = query.where(Complaint.year == year)
    if centre_id is not None:
        query = query.where(Complaint.centre_id == centre_id)
    return list(
        db.session.scalars(
            query.order_by(Complaint.centre_id, Complaint.year.desc(), Complaint.number.desc())
        )
    )


def complaints_due(user, day: date) -> list[Complaint]:
    """Unanswered complaints the user may read whose answer is due within a week, or overdue."""
    query = (
        scope.select_visible(Complaint, user)
        .where(
            Complaint.answered_on.is_(None),
            Complaint.due_on <= day + timedelta(days=DUE_SOON_DAYS),
        )
        .order_by(Complaint.due_on, Complaint.id)
    )
    return list(db.session.scalars(query))


def register_rows(complaints: list[Complaint]) -> tuple[list[str], list[list]]:
    """The register as a spreadsheet: an anonymous complainant's contact is never written."""
    headers = [
        _("Number"),
        _("Centre"),
        _("Received on"),
        _("Channel"),
        _("From"),
        _("Complainant"),
        _("Contact"),
        _("Subject"),
        _("Handled by"),
        _("Answer due"),
        _("Answered on"),
        _("Answer"),
    ]
    rows = []
    for c in complaints:
        anonymous = c.complainant is Complainant.ANONYMOUS
        rows.append(
            [
                c.reference,
                c.centre.name,
                c.received_on,
                str(c.channel.label),
                str(c.complainant.label),
                None if anonymous else c.complainant_name,
                None if anonymous else c.complainant_contact,
                c.subject,
                c.handler.full_name,
                c.due_on,
                c.answered_on,
                c.answer,
            ]
        )
    return headers, rows


def record_export(*, actor, entity: str, changes: dict) -> None:
    audit.record(audit.EXPORT, entity=entity, actor=actor, changes=changes)


# --- Serious incidents --------------------------------------------------------------------------


def _check_incident(fields: dict, *, occurred_at: datetime) -> None:
    if occurred_at is None:
        raise Refused(_l("Enter when the incident happened."), "occurred_on")
    if occurred_at > utcnow() + timedelta(minutes=5):
        raise Refused(_l("The incident cannot be in the future."), "occurred_on")
    if not fields.get("description"):
        raise Refused(_l("Write what happened."), "description")
    if not fields.get("measures"):
        raise Refused(_l("Write the immediate measures taken."), "measures")
    for who in ("parents", "directorate"):
        at, by = fields.get(f"{who}_told_at"), fields.get(f"{who}_told_by")
        if (at is None) != (by is None):
            raise Refused(_l("Enter both when they were told and by whom."), f"{who}_told_by")
        if at is not None and at < occurred_at:
            raise Refused(_l("They cannot have been told before the incident."), f"{who}_told_on")
        if at is not None and at > utcnow() + timedelta(minutes=5):
            raise Refused(_l("The date cannot be in the future."), f"{who}_told_on")
    if (
        fields.get("closed")
        and fields.get("kind") is IncidentKind.ABUSE_SUSPECTED
        and fields.get("directorate_told_at") is None
    ):
        raise Refused(
            _l(
                "A suspicion of abuse or neglect is closed only once the time it was reported "
                "to the directorate is recorded."
            ),
            "directorate_told_on",
        )


def _check_people(centre_id: int, children: list[Person], staff: list[User]) -> None:
    if any(not child.is_child for child in children):
        raise Refused(_l("Only children can be the children involved."), "children")
    staff_ids = {u.id for u in possible_handlers(centre_id)}
    if any(member.id not in staff_ids for member in staff):
        raise Refused(_l("Choose staff of the centre."), "staff")


def _checked_incident(
    centre_id: int, occurred_at: datetime, handler, children: list, staff: list, **values
) -> dict:
    """An incident's columns from what was entered (texts trimmed), after every check of the
    register: the same for a new incident and a correction."""
    fields = {name: _clean(value) for name, value in values.items()}
    fields["kind"] = IncidentKind(values["kind"])
    _check_incident(fields, occurred_at=occurred_at)
    _check_handler(centre_id, handler)
    _check_people(centre_id, children, staff)
    return fields


def record_incident(
    centre: Centre,
    *,
    actor,
    occurred_at: datetime,
    kind,
    description: str,
    measures: str,
    handler: User | None,
    children=(),
    staff=(),
    parents_told_at: datetime | None = None,
    parents_told_by: str | None = None,
    directorate_told_at: datetime | None = None,
    directorate_told_by: str | None = None,
    follow_up: str | None = None,
    closed: bool = False,
) -> Incident:
    if not actor.sees_centre(centre.id):
        raise Refused(_l("Choose one of your centres."))
    children, staff = list(children), list(staff)
    fields = _checked_incident(
        centre.id,
        occurred_at,
        handler,
        children,
        staff,
        kind=kind,
        description=description,
        measures=measures,
        parents_told_at=parents_told_at,
        parents_told_by=parents_told_by,
        directorate_told_at=directorate_told_at,
        directorate_told_by=directorate_told_by,
        follow_up=follow_up,
        closed=closed,
    )
    closed = fields.pop("closed")
    incident = Incident(
        centre_id=centre.id,
        occurred_at=occurred_at,
        handler_id=handler.id,
        recorded_by_id=actor.id,
        closed_on=today() if closed else None,
        children=children,
        staff=staff,
        **fields,
    )
    db.session.add(incident)
    db.session.flush()
    changes = audit.snapshot(incident) | {
        "children": [child.id for child in children],
        "staff": [member.id for member in staff],
    }
    audit.record(audit.CREATE, incident, actor=actor, centre_id=centre.id, changes=changes)
    if incident.kind is IncidentKind.ABUSE_SUSPECTED and children:
        abuse_suspected.send(incident, people=children, actor=actor)
    return incident


def update_incident(
    incident: Incident,
    *,
    actor,
    version=None,
    occurred_at: datetime,
    kind,
    description: str,
    measures: str,
    handler: User | None,
    children=(),
    staff=(),
    parents_told_at: datetime | None = None,
    parents_told_by: str | None = None,
    directorate_told_at: datetime | None = None,
    directorate_told_by: str | None = None,
    follow_up: str | None = None,
    closed: bool = False,
) -> Incident:
    """Complete or correct an incident; closing it is saving it as closed."""
    ensure_current(incident, version)
    children, staff = list(children), list(staff)
    fields = _checked_incident(
        incident.centre_id,
        occurred_at,
        handler,
        children,
        staff,
        kind=kind,
        description=description,
        measures=measures,
        parents_told_at=parents_told_at,
        parents_told_by=parents_told_by,
        directorate_told_at=directorate_told_at,
        directorate_told_by=directorate_told_by,
        follow_up=follow_up,
        closed=closed,
    )
    closed = fields.pop("closed")
    was_abuse = incident.kind is IncidentKind.ABUSE_SUSPECTED
    before_children = {child.id for child in incident.children}
    before_staff = {member.id for member in incident.staff}
    for name, value in fields.items():
        setattr(incident, name, value)
    incident.occurred_at = occurred_at
    incident.handler_id = handler.id
    if closed and incident.closed_on is None:
        incident.closed_on = today()
    elif not closed:
        incident.closed_on = None
    changes = audit.pending_changes(incident)
    if before_children != {child.id for child in children}:
        changes["children"] = [sorted(before_children), sorted(c.id for c in children)]
    if before_staff != {member.id for member in staff}:
        changes["staff"] = [sorted(before_staff), sorted(m.id for m in staff)]
    incident.children, incident.staff = children, staff
    db.session.flush()
    if changes:
        audit.record(
            audit.UPDATE, incident, actor=actor, centre_id=incident.centre_id, changes=changes
        )
    if incident.kind is IncidentKind.ABUSE_SUSPECTED:
        newly = [c for c in children if not was_abuse or c.id not in before_children]
        if newly:
            abuse_suspected.send(incident, people=newly, actor=actor)
    return incident


def record_missing_child_incident(
    centre: Centre,
    *,
    actor,
    children,
    noticed_at: datetime | None = None,
    where: str,
    measures: str | None = None,
) -> Incident:
    """A child missing at the return from an outing (the outings' headcount calls this): an open
    incident of the kind "child missing", handled by whoever counted, to be completed at once."""
    return record_incident(
        centre,
        actor=actor,
        occurred_at=noticed_at or utcnow(),
        kind=IncidentKind.CHILD_MISSING,
        description=_("Missing at the return headcount: %(where)s", where=where),
        measures=measures or _("The search was started; the coordinator was called."),
        handler=actor,
        children=children,
        staff=[actor] if actor.role is not Role.ADMIN else [],
    )


def incidents_of(user, *, year: int | None = None, centre_id: int | None = None):
    query = scope.select_visible(Incident, user)
    if year is not None:
        first, after = day_bounds(date(year, 1, 1), date(year, 12, 31))
        query = query.where(Incident.occurred_at >= first, Incident.occurred_at < after)
    if centre_id is not None:
        query = query.where(Incident.centre_id == centre_id)
    return list(db.session.scalars(query.order_by(Incident.occurred_at.desc())))


def open_incidents(user) -> list[Incident]:
    query = (
        scope.select_visible(Incident, user)
        .where(Incident.closed_on.is_(None))
        .order_by(Incident.occurred_at)
    )
    return list(db.session.scalars(query))


def children_of_centre(centre_id: int) -> list[Person]:
    """The children a centre's incident may name: enrolled there (not exited) or of a family
    registered there."""
    query = (
        select(Person)
        .where(
            Person.kind == PersonKind.CHILD,
            or_(
                Person.enrolments.any(
                    (Enrolment.centre_id == centre_id)
                    & (Enrolment.status != EnrolmentStatus.EXITED)
                ),
                Person.family.has(Family.centre_id == centre_id),
            ),
        )
        .order_by(Person.family_name, Person.given_name)
    )
    return list(db.session.scalars(query))
