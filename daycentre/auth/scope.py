"""Who may see which record: one visibility clause per model, beside the role table.

The role table (``auth.roles``) says which pages a role may use; this table says which rows of a
model a user may see on them. ``SCOPE[Model](user)`` is a SQL criterion, so a page that opens one
record (``record_or_404``), a list, a search and the links of the reports (``reports.links``)
all apply the same rule. A record outside the user's scope answers 404, never 403: its existence
is not disclosed.

The few rules about one record rather than a set of rows (a counsellor changes only their own
sessions) are named functions at the end.
"""

from collections.abc import Callable

from flask import abort
from flask_login import current_user
from sqlalchemy import and_, false, or_, select, true
from sqlalchemy.orm import aliased
from sqlalchemy.sql.elements import ColumnElement

from daycentre.attendance.models import AbsenceReport
from daycentre.auth.models import User, user_centres
from daycentre.auth.roles import roles_with
from daycentre.cases.models import (
    Case,
    CaseTask,
    Evaluation,
    Objective,
    Plan,
    PlannedService,
    case_team,
)
from daycentre.centres.models import Centre, ClosureDay, Group, Room
from daycentre.counselling.models import CounsellingSession, NoteShare, SessionStatus
from daycentre.enrolment.models import Enrolment
from daycentre.extensions import db
from daycentre.meals.models import MealType
from daycentre.moving_in.models import ImportBatch
from daycentre.notifications.models import Message
from daycentre.outreach.models import (
    Agreement,
    Campaign,
    CommunityResource,
    InformationMaterial,
    Training,
    TrainingParticipant,
)
from daycentre.people.models import AbroadVisit, Consent, Family, ParentsAbroad, Person, PersonKind
from daycentre.programme.models import (
    Collector,
    Outing,
    OutingChild,
    ProgrammeSlot,
    WeeklyProgramme,
)
from daycentre.registers.models import Complaint, Incident
from daycentre.surveys.models import SurveyCampaign
from daycentre.volunteers.models import (
    Activity,
    ActivitySignup,
    Volunteer,
    VolunteerCertificate,
    VolunteerContract,
    VolunteerHours,
)
from daycentre.workshops.models import (
    GroupMeeting,
    GroupMembership,
    SupportGroup,
    Workshop,
    WorkshopRegistration,
    WorkshopSession,
)

Clause = Callable[[User], ColumnElement[bool]]


def _centres_of(user):
    """The user's centres as a subquery, not read first: a page costs as many queries for a
    coordinator as for an administrator."""
    return select(user_centres.c.centre_id).where(user_centres.c.user_id == user.id)


def in_centres(column) -> Clause:
    """Rows whose centre is one of the user's; every centre's for an administrator."""

    def clause(user) -> ColumnElement[bool]:
        return true() if user.is_admin else column.in_(_centres_of(user))

    return clause


def _people(user) -> ColumnElement[bool]:
    """People of families registered at the user's centres, or enrolled in one of them, and the
    adults of a family whose child is: the centre reaches a child's parents (their telephone,
    the service contract, a parent account) wherever the family was registered."""
    if user.is_admin:
        return true()
    ids = _centres_of(user)
    enrolled = aliased(Person)
    families_enrolled_here = (
        select(enrolled.family_id)
        .join(Enrolment, Enrolment.person_id == enrolled.id)
        .where(Enrolment.centre_id.in_(ids))
    )
    return or_(
        Person.family.has(Family.centre_id.in_(ids)),
        Person.enrolments.any(Enrolment.centre_id.in_(ids)),
        and_(Person.kind == PersonKind.ADULT, Person.family_id.in_(families_enrolled_here)),
    )


def _families(user) -> ColumnElement[bool]:
    """Families registered at the user's centres, or with a member enrolled in one of them."""
    if user.is_admin:
        return true()
    ids = _centres_of(user)
    return or_(
        Family.centre_id.in_(ids),
        Family.members.any(Person.enrolments.any(Enrolment.centre_id.in_(ids))),
    )


def _cases(user) -> ColumnElement[bool]:
    """A case is seen by its supervisors (coordinators of its centre, admins), its manager and its
    team; other counsellors of the centre do not learn that it exists."""
    if user.can("cases.supervise"):
        return in_centres(Case.centre_id)(user)
    if not user.can("cases.read"):
        return false()
    in_team = select(case_team.c.case_id).where(case_team.c.user_id == user.id)
    return and_(
        Case.centre_id.in_(user.centre_ids),
        or_(Case.manager_id == user.id, Case.id.in_(in_team)),
    )


def _handled(model) -> Clause:
    """A complaint or incident: the administrators, the coordinators of its centre and the person
    handling it; nobody else learns that it exists."""

    def clause(user) -> ColumnElement[bool]:
        if user.is_admin:
            return true()
        if not user.can("registers.read"):
            return false()
        mine = model.handler_id == user.id
        if user.can("registers.manage"):
            return or_(model.centre_id.in_(_centres_of(user)), mine)
        return mine

    return clause


def _colleagues(user) -> ColumnElement[bool]:
    """Users who work at one of the user's centres; every user for an administrator."""
    if user.is_admin:
        return true()
    return User.centres.any(Centre.id.in_(user.centre_ids))


def _staff_or_own(model, staff: Clause) -> Clause:
    """A volunteer's record: seen by the centre's staff, and by the volunteer on their own pages."""
    return lambda user: or_(staff(user), model.volunteer.has(Volunteer.user_id == user.id))


def _of(relationship, model) -> Clause:
    """Rows seen when the record they belong to (through ``relationship``) is seen."""
    return lambda user: relationship.has(SCOPE[model](user))


SCOPE: dict[type, Clause] = {
    # Centres and what belongs to one centre.
    Centre: in_centres(Centre.id),
    Group: in_centres(Group.centre_id),
    Room: in_centres(Room.centre_id),
    ClosureDay: in_centres(ClosureDay.centre_id),
    MealType: in_centres(MealType.centre_id),
    Enrolment: in_centres(Enrolment.centre_id),
    AbsenceReport: in_centres(AbsenceReport.centre_id),
    User: _colleagues,
    # Families, children and adults: where they are registered or enrolled.
    Family: _families,
    Person: _people,
    Consent: _of(Consent.person, Person),
    ParentsAbroad: _of(ParentsAbroad.family, Family),
    AbroadVisit: _of(AbroadVisit.situation, ParentsAbroad),
    # Cases: the case manager, the team and the supervisors.
    Case: _cases,
    Evaluation: _of(Evaluation.case, Case),
    Plan: _of(Plan.case, Case),
    Objective: _of(Objective.plan, Plan),
    PlannedService: _of(PlannedService.objective, Objective),
    CaseTask: _of(CaseTask.case, Case),
    # Counselling sessions are seen by the centre's staff; their notes by counsellors alone (below).
    CounsellingSession: in_centres(CounsellingSession.centre_id),
    NoteShare: lambda user: NoteShare.author_id == user.id,
    # Workshops and support groups.
    Workshop: in_centres(Workshop.centre_id),
    WorkshopSession: _of(WorkshopSession.workshop, Workshop),
    WorkshopRegistration: _of(WorkshopRegistration.workshop, Workshop),
    SupportGroup: in_centres(SupportGroup.centre_id),
    GroupMembership: _of(GroupMembership.group, SupportGroup),
    GroupMeeting: _of(GroupMeeting.group, SupportGroup),
    # Volunteers, seen by their centre's coordinators.
    Volunteer: in_centres(Volunteer.centre_id),
    VolunteerContract: _staff_or_own(VolunteerContract, in_centres(VolunteerContract.centre_id)),
    VolunteerCertificate: _staff_or_own(
        VolunteerCertificate, in_centres(VolunteerCertificate.centre_id)
    ),
    VolunteerHours: in_centres(VolunteerHours.centre_id),
    Activity: in_centres(Activity.centre_id),
    ActivitySignup: _staff_or_own(ActivitySignup, _of(ActivitySignup.activity, Activity)),
    # Outreach records: their centre's staff; the directorate's own (no centre) an administrator.
    Training: in_centres(Training.centre_id),
    TrainingParticipant: _of(TrainingParticipant.training, Training),
    Campaign: in_centres(Campaign.centre_id),
    InformationMaterial: in_centres(InformationMaterial.centre_id),
    Agreement: in_centres(Agreement.centre_id),
    # A spreadsheet being moved in, seen by its centre's coordinators.
    ImportBatch: in_centres(ImportBatch.centre_id),
    CommunityResource: in_centres(CommunityResource.centre_id),
    # The registers an inspection asks for: restricted to the centre's coordinators, the
    # administrators and the person handling the record.
    Complaint: _handled(Complaint),
    Incident: _handled(Incident),
    SurveyCampaign: in_centres(SurveyCampaign.centre_id),
    # The children's programme, outings and who may collect a child.
    WeeklyProgramme: in_centres(WeeklyProgramme.centre_id),
    ProgrammeSlot: _of(ProgrammeSlot.programme, WeeklyProgramme),
    Outing: in_centres(Outing.centre_id),
    OutingChild: _of(OutingChild.outing, Outing),
    Collector: _of(Collector.person, Person),
    # The outbox: the centre's coordinators and the administrators (messages with no centre).
    Message: in_centres(Message.centre_id),
}


def visible(model, user) -> ColumnElement[bool]:
    """The criterion saying which rows of ``model`` the user may see."""
    return SCOPE[model](user)


def select_visible(model, user, *, options=()):
    return select(model).options(*options).where(visible(model, user))


def sees(user, record) -> bool:
    """Whether the user may see this record (one query)."""
    model = type(record)
    query = select(model.id).where(model.id == record.id, visible(model, user))
    return db.session.scalar(query) is not None


def visible_ids(model, user, ids) -> set[int]:
    """Those of ``ids`` whose records the user may see (one query)."""
    query = select(model.id).where(model.id.in_(ids), visible(model, user))
    return set(db.session.scalars(query))


def record_or_404(
    model, record_id: int, *, rule: Callable[[object], bool] | None = None, options=()
):
    """The record of ``model`` with this id if the signed-in user may see it, else 404.

    ``rule``, one of the named rules below, narrows further (the session is the user's to change).
    """
    query = select_visible(model, current_user, options=options).where(model.id == record_id)
    record = db.session.scalar(query)
    if record is None or (rule is not None and not rule(record)):
        abort(404)
    return record


# --- Rules about one record ---------------------------------------------------------------------


def sees_centre(user, centre_id: int | None) -> bool:
    return centre_id is not None and (user.is_admin or centre_id in user.centre_ids)


def supervises(user, case: Case) -> bool:
    """Coordinators of the case's centre and administrators supervise a case."""
    return user.can("cases.supervise") and sees_centre(user, case.centre_id)


def counsels(user) -> bool:
    """Whether the user holds counselling sessions (has a calendar, writes notes)."""
    return user.role in roles_with("counselling.hold_sessions")


def books_for(actor, counsellor) -> bool:
    """A counsellor books, moves and records only their own sessions; a coordinator any
    counsellor's of their centres."""
    return actor.id == counsellor.id or not counsels(actor)


def changes_session(actor, session: CounsellingSession) -> bool:
    """A counsellor changes only their own sessions."""
    return actor.id == session.counsellor_id or not counsels(actor)


def may_write_note(user, session: CounsellingSession) -> bool:
    """The session's counsellor writes its note (its author goes on editing it), unless cancelled."""
    if not counsels(user) or session.status is SessionStatus.CANCELLED:
        return False
    if session.note is not None:
        return session.note.author_id == user.id
    return session.counsellor_id == user.id


def owns_volunteer_record(volunteer, record) -> bool:
    """A volunteer's own contract, certificate or signup, on the volunteer's own pages."""
    return volunteer is not None and record.volunteer_id == volunteer.id


def in_centre(centre) -> Callable[[object], bool]:
    """A centre's group, room or closure day is opened under that centre's address only."""
    return lambda record: record.centre_id == centre.id


def of_person(person) -> Callable[[object], bool]:
    """A consent is opened under its own person's address only."""
    return lambda record: record.person_id == person.id
