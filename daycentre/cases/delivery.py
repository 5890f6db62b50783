"""What was delivered against the plan, read from attendance, counselling and the workshops."""

from dataclasses import dataclass

from sqlalchemy import func, or_

from daycentre.attendance.models import Attendance, AttendanceStatus
from daycentre.cases.models import Case, Plan, PlannedService, ServiceKind
from daycentre.cases.plans import centre_of, people_of
from daycentre.core.database import utcnow
from daycentre.core.localtime import day_bounds
from daycentre.counselling.models import CounsellingSession, SessionStatus
from daycentre.extensions import db
from daycentre.workshops.models import MeetingAttendance
from daycentre.workshops.services import progress as workshop_progress


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
    first, after = day_bounds(service.starts_on, service.deadline)
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
