"""Cases for preventing the separation of a child from the family: from request to closure.

The stages follow the process of the DGASPC/SPAS services (seed 000): a request or referral is
registered, a primary evaluation decides whether the centre is competent (if not, the case is
referred elsewhere), a case manager carries out the detailed evaluation, a service plan is approved
by the supervisor, its services are provided and monitored, and the case is closed with the
supervisor's approval.
"""

from datetime import date, datetime, time

from flask_babel import lazy_gettext as _l
from sqlalchemy import Column, ForeignKey, String, Table, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from daycentre.core.database import UTCDateTime, stored_enum, utcnow
from daycentre.core.labels import LabelledEnum
from daycentre.extensions import db


class CaseStage(LabelledEnum):
    # registered, waiting for the primary evaluation
    REQUEST = "request", _l("Request registered")
    # competent, manager named, detailed evaluation under way
    EVALUATION = "evaluation", _l("Detailed evaluation")
    # evaluation done, service plan being drafted and approved
    PLANNING = "planning", _l("Service plan being prepared")
    # an approved plan is being provided and monitored
    MONITORING = "monitoring", _l("Services and monitoring")
    # closure proposed, waiting for the supervisor's approval
    CLOSING = "closing", _l("Closure awaiting approval")
    CLOSED = "closed", _l("Closed")
    # the centre was not competent: referred to another institution
    REFERRED = "referred", _l("Referred elsewhere")


OPEN_STAGES = (
    CaseStage.REQUEST,
    CaseStage.EVALUATION,
    CaseStage.PLANNING,
    CaseStage.MONITORING,
    CaseStage.CLOSING,
)


class CaseKind(LabelledEnum):
    """What a case is for: keeping a child in the family, or bringing one home from care."""

    PREVENTION = "prevention", _l("Prevention of separation")
    REINTEGRATION = "reintegration", _l("Return home from care")


class MeasureKind(LabelledEnum):
    """The special protection measure the child leaves."""

    FOSTER_CARE = "foster_care", _l("Foster care (professional foster carer)")
    RESIDENTIAL = "residential", _l("Residential service")
    FAMILY_PLACEMENT = "family_placement", _l("Placement with another family or person")


class ReturnFamily(LabelledEnum):
    BIOLOGICAL = "biological", _l("Biological family")
    EXTENDED = "extended", _l("Extended family")
    SUBSTITUTE = "substitute", _l("Substitute family")


class PreparationFor(LabelledEnum):
    CHILD = "child", _l("The child")
    FAMILY = "family", _l("The family")
    BOTH = "both", _l("The child and the family")


class RequestSource(LabelledEnum):
    PARENT = "parent", _l("Parent or family")
    SCHOOL = "school", _l("School")
    DOCTOR = "doctor", _l("Doctor")
    POLICE = "police", _l("Police")
    NEIGHBOUR = "neighbour", _l("Neighbour")
    SPAS = "spas", _l("SPAS")
    INSTITUTION = "institution", _l("Other institution")
    CENTRE = "centre", _l("The centre's own staff")


class RequestChannel(LabelledEnum):
    PHONE = "phone", _l("Phone")
    IN_PERSON = "in_person", _l("In person")
    LETTER = "letter", _l("Letter")
    EMAIL = "email", _l("Email")


class ProtectionBody(LabelledEnum):
    COMMISSION = "commission", _l("Child Protection Commission")
    COURT = "court", _l("Court")


class ClosureReason(LabelledEnum):
    OBJECTIVES_REACHED = "objectives_reached", _l("Objectives reached")
    NOT_NEEDED = "not_needed", _l("Services no longer needed")
    MOVED_AWAY = "moved_away", _l("Moved away")
    PROTECTION_MEASURE = "protection_measure", _l("Protection measure")
    OTHER = "other", _l("Other reason")


class PlanStatus(LabelledEnum):
    DRAFT = "draft", _l("Draft")
    ACTIVE = "active", _l("Approved, in force")
    SUPERSEDED = "superseded", _l("Replaced by a later version")


class ServiceKind(LabelledEnum):
    """What a planned service is; the centre's own kinds are delivered by records it keeps.

    After-school is delivered by an enrolment, a workshop by a registration and a support group
    by a membership, each linked to the service; counselling by the sessions of the case's
    people within the service's dates, found rather than linked (see
    ``cases.delivery.deliveries``).
    """

    AFTER_SCHOOL = "after_school", _l("After-school group")
    COUNSELLING = "counselling", _l("Counselling sessions")
    WORKSHOP = "workshop", _l("Parenting workshop")
    SUPPORT_GROUP = "support_group", _l("Support group")
    MATERIAL_SUPPORT = "material_support", _l("Material support")
    EXTERNAL = "external", _l("Service of another institution")


class Progress(LabelledEnum):
    NOT_STARTED = "not_started", _l("Not started")
    IN_PROGRESS = "in_progress", _l("In progress")
    REACHED = "reached", _l("Reached")
    DROPPED = "dropped", _l("Dropped")


class TaskSource(LabelledEnum):
    """Where a task on a case came from: the case manager, or an alert raised by roll-call
    (repeated unexcused absences) or counselling (repeated no-shows) through
    ``cases.tasks.flag_for_case_managers``."""

    MANUAL = "manual", _l("Added by hand")
    ABSENCES = "absences", _l("Repeated absences")
    NO_SHOWS = "no_shows", _l("Missed counselling sessions")
    ABUSE_SUSPECTED = "abuse_suspected", _l("Serious incident: suspicion of abuse or neglect")


case_children = Table(
    "case_children",
    db.metadata,
    Column("case_id", ForeignKey("cases.id", ondelete="CASCADE"), primary_key=True),
    Column("person_id", ForeignKey("people.id"), primary_key=True),
    # The case is about each child named here: subject access and retention follow this link.
    info={"makes_subject_of": "cases"},
)

case_team = Table(
    "case_team",
    db.metadata,
    Column("case_id", ForeignKey("cases.id", ondelete="CASCADE"), primary_key=True),
    Column("user_id", ForeignKey("users.id"), primary_key=True),
)


class Case(db.Model):
    """One request or referral about children at risk, carried by a case manager to closure."""

    __tablename__ = "cases"
    audit_label = _l("Case")

    id: Mapped[int] = mapped_column(primary_key=True)
    centre_id: Mapped[int] = mapped_column(ForeignKey("centres.id"), index=True)
    # Registration number: per centre and year, "12/2026"; never reused since cases are never
    # deleted.
    year: Mapped[int]
    number: Mapped[int]
    received_on: Mapped[date]
    source: Mapped[RequestSource] = mapped_column(stored_enum(RequestSource))
    channel: Mapped[RequestChannel] = mapped_column(stored_enum(RequestChannel))
    requester: Mapped[str] = mapped_column(String(200))
    requester_address: Mapped[str | None] = mapped_column(String(300))
    reported: Mapped[str] = mapped_column(Text)
    kind: Mapped[CaseKind] = mapped_column(
        stored_enum(CaseKind, 20), default=CaseKind.PREVENTION, server_default="prevention"
    )
    family_id: Mapped[int | None] = mapped_column(ForeignKey("families.id"), index=True)
    stage: Mapped[CaseStage] = mapped_column(stored_enum(CaseStage), index=True)
    primary_due_on: Mapped[date]
    # Primary evaluation.
    primary_on: Mapped[date | None]
    competent: Mapped[bool | None]
    referred_to: Mapped[str | None] = mapped_column(String(300))
    answer: Mapped[str | None] = mapped_column(Text)
    manager_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    # Observatorul Național al Copilului.
    observatory_registered: Mapped[bool] = mapped_column(default=False, server_default="0")
    observatory_on: Mapped[date | None]
    # Referral for a protection measure.
    protection_body: Mapped[ProtectionBody | None] = mapped_column(stored_enum(ProtectionBody))
    protection_on: Mapped[date | None]
    # Closure.
    closure_reason: Mapped[ClosureReason | None] = mapped_column(stored_enum(ClosureReason, 30))
    closure_notes: Mapped[str | None] = mapped_column(Text)
    stays_in_family: Mapped[bool | None]
    closed_on: Mapped[date | None]
    closure_approved_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    closure_approved_on: Mapped[date | None]
    follow_up_on: Mapped[date | None]
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, info={"audit": False})
    version: Mapped[int] = mapped_column(default=1, server_default="1", info={"audit": False})

    centre = relationship("Centre")
    family = relationship("Family")
    manager = relationship("User", foreign_keys=[manager_id])
    closure_approved_by = relationship("User", foreign_keys=[closure_approved_by_id])
    children = relationship("Person", secondary=case_children, order_by="Person.birth_date")
    team = relationship("User", secondary=case_team, order_by="User.family_name")
    evaluations: Mapped[list["Evaluation"]] = relationship(
        back_populates="case", order_by="Evaluation.id"
    )
    visits: Mapped[list["HomeVisit"]] = relationship(
        back_populates="case", order_by="HomeVisit.visited_on"
    )
    plans: Mapped[list["Plan"]] = relationship(back_populates="case", order_by="Plan.number")
    reviews: Mapped[list["Review"]] = relationship(
        back_populates="case", order_by="Review.reviewed_on"
    )
    events: Mapped[list["CaseEvent"]] = relationship(
        back_populates="case", order_by="(CaseEvent.happened_on, CaseEvent.id)"
    )
    tasks: Mapped[list["CaseTask"]] = relationship(back_populates="case", order_by="CaseTask.id")
    reintegration: Mapped["Reintegration | None"] = relationship(back_populates="case")
    preparations: Mapped[list["Preparation"]] = relationship(
        back_populates="case", order_by="(Preparation.held_on, Preparation.id)"
    )
    return_visits: Mapped[list["ReturnVisit"]] = relationship(
        back_populates="case", order_by="(ReturnVisit.visited_on, ReturnVisit.id)"
    )

    __table_args__ = (UniqueConstraint("centre_id", "year", "number"),)
    __mapper_args__ = {"version_id_col": version}

    def __repr__(self) -> str:
        return f"<Case {self.reference} {self.stage}>"

    @property
    def reference(self) -> str:
        return f"{self.number}/{self.year}"

    @property
    def evaluation(self) -> "Evaluation | None":
        """The latest detailed evaluation (a re-evaluation adds a new one)."""
        return self.evaluations[-1] if self.evaluations else None

    @property
    def active_plan(self) -> "Plan | None":
        return next((p for p in self.plans if p.status is PlanStatus.ACTIVE), None)

    @property
    def draft_plan(self) -> "Plan | None":
        return next((p for p in self.plans if p.status is PlanStatus.DRAFT), None)

    @property
    def is_open(self) -> bool:
        return self.stage in OPEN_STAGES

    @property
    def is_reintegration(self) -> bool:
        return self.kind is CaseKind.REINTEGRATION


class Evaluation(db.Model):
    """The detailed evaluation (social inquiry); it starts with the observation sheet."""

    __tablename__ = "case_evaluations"
    audit_label = _l("Detailed evaluation")

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    started_on: Mapped[date]
    # The hour of the observation sheet (Bucharest wall clock); None on sheets recorded before
    # hours were kept, which are judged by the day.
    started_at: Mapped[time | None]
    is_reevaluation: Mapped[bool] = mapped_column(default=False, server_default="0")
    family_composition: Mapped[str | None] = mapped_column(Text)
    housing: Mapped[str | None] = mapped_column(Text)
    income: Mapped[str | None] = mapped_column(Text)
    health: Mapped[str | None] = mapped_column(Text)
    education: Mapped[str | None] = mapped_column(Text)
    relationships: Mapped[str | None] = mapped_column(Text)
    risk_factors: Mapped[str | None] = mapped_column(Text)
    strengths: Mapped[str | None] = mapped_column(Text)
    child_views: Mapped[str | None] = mapped_column(Text)
    professionals: Mapped[str | None] = mapped_column(Text)
    conclusions: Mapped[str | None] = mapped_column(Text)
    needs: Mapped[str | None] = mapped_column(Text)
    # The documents in the child's file, one per line ("Certificat de naștere, 12.03.2026").
    documents: Mapped[str | None] = mapped_column(Text)
    completed_on: Mapped[date | None]
    version: Mapped[int] = mapped_column(default=1, server_default="1", info={"audit": False})

    case: Mapped[Case] = relationship(back_populates="evaluations")

    __mapper_args__ = {"version_id_col": version}

    @property
    def document_lines(self) -> list[str]:
        return [line.strip() for line in (self.documents or "").splitlines() if line.strip()]


class HomeVisit(db.Model):
    __tablename__ = "case_home_visits"
    audit_label = _l("Home visit")

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    visited_on: Mapped[date]
    # The hour of the visit; None on visits recorded before hours were kept.
    visited_at: Mapped[time | None]
    findings: Mapped[str] = mapped_column(Text)
    visited_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    case: Mapped[Case] = relationship(back_populates="visits")
    visited_by = relationship("User")


class Plan(db.Model):
    """One version of the service plan; a revision adds a version and keeps the earlier ones."""

    __tablename__ = "case_plans"
    audit_label = _l("Service plan")

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    number: Mapped[int]
    status: Mapped[PlanStatus] = mapped_column(stored_enum(PlanStatus))
    starts_on: Mapped[date]
    ends_on: Mapped[date]
    family_signed_on: Mapped[date | None]
    approved_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    approved_on: Mapped[date | None]
    version: Mapped[int] = mapped_column(default=1, server_default="1", info={"audit": False})

    case: Mapped[Case] = relationship(back_populates="plans")
    approved_by = relationship("User")
    objectives: Mapped[list["Objective"]] = relationship(
        back_populates="plan", order_by="Objective.position"
    )

    __table_args__ = (UniqueConstraint("case_id", "number"),)
    __mapper_args__ = {"version_id_col": version}


class Objective(db.Model):
    __tablename__ = "case_objectives"
    audit_label = _l("Plan objective")

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("case_plans.id"), index=True)
    position: Mapped[int]
    text: Mapped[str] = mapped_column(Text)

    plan: Mapped[Plan] = relationship(back_populates="objectives")
    services: Mapped[list["PlannedService"]] = relationship(
        back_populates="objective", order_by="PlannedService.id"
    )


class PlannedService(db.Model):
    """A service or intervention the plan assigns for an objective, and what delivers it."""

    __tablename__ = "case_services"
    audit_label = _l("Planned service")

    id: Mapped[int] = mapped_column(primary_key=True)
    objective_id: Mapped[int] = mapped_column(ForeignKey("case_objectives.id"), index=True)
    kind: Mapped[ServiceKind] = mapped_column(stored_enum(ServiceKind))
    description: Mapped[str] = mapped_column(String(500))
    provider: Mapped[str | None] = mapped_column(String(200))
    responsible: Mapped[str] = mapped_column(String(200))
    starts_on: Mapped[date]
    deadline: Mapped[date]
    # What delivers the service. The service stays the case's: the link does not make it the
    # delivering person's record (subject access, retention).
    enrolment_id: Mapped[int | None] = mapped_column(
        ForeignKey("enrolments.id"), info={"about_subject": False}
    )
    registration_id: Mapped[int | None] = mapped_column(
        ForeignKey("workshop_registrations.id"), info={"about_subject": False}
    )
    membership_id: Mapped[int | None] = mapped_column(
        ForeignKey("support_group_members.id"), info={"about_subject": False}
    )

    objective: Mapped[Objective] = relationship(back_populates="services")
    enrolment = relationship("Enrolment")
    registration = relationship("WorkshopRegistration")
    membership = relationship("GroupMembership")

    @property
    def linked_record(self):
        """The enrolment, registration or membership that delivers this service, if linked."""
        attribute = LINKED_RECORDS.get(self.kind)
        return getattr(self, attribute) if attribute else None


#: The kinds of service delivered by one linked record, and the attribute that holds it.
LINKED_RECORDS = {
    ServiceKind.AFTER_SCHOOL: "enrolment",
    ServiceKind.WORKSHOP: "registration",
    ServiceKind.SUPPORT_GROUP: "membership",
}


class Review(db.Model):
    """A monitoring review of the plan in force; ``due_on`` tells whether it was on time."""

    __tablename__ = "case_reviews"
    audit_label = _l("Monitoring review")

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("case_plans.id"), index=True)
    reviewed_on: Mapped[date]
    due_on: Mapped[date]
    notes: Mapped[str | None] = mapped_column(Text)
    reviewed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    case: Mapped[Case] = relationship(back_populates="reviews")
    plan = relationship("Plan")
    reviewed_by = relationship("User")
    progress: Mapped[list["ObjectiveProgress"]] = relationship(back_populates="review")

    @property
    def on_time(self) -> bool:
        return self.reviewed_on <= self.due_on


class ObjectiveProgress(db.Model):
    __tablename__ = "case_objective_progress"
    audit_label = _l("Progress of an objective")

    id: Mapped[int] = mapped_column(primary_key=True)
    review_id: Mapped[int] = mapped_column(ForeignKey("case_reviews.id"), index=True)
    objective_id: Mapped[int] = mapped_column(ForeignKey("case_objectives.id"), index=True)
    status: Mapped[Progress] = mapped_column(stored_enum(Progress))
    comment: Mapped[str | None] = mapped_column(Text)

    review: Mapped[Review] = relationship(back_populates="progress")
    objective = relationship("Objective")


class Reintegration(db.Model):
    """A child's return home from a protection measure: the measure and its ending, the day of
    return, the monitoring after it and the outcome at three and six months."""

    __tablename__ = "case_reintegrations"
    audit_label = _l("Return home from care")

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), unique=True)
    measure_kind: Mapped[MeasureKind] = mapped_column(stored_enum(MeasureKind, 20))
    measure_decision: Mapped[str] = mapped_column(String(100))
    measure_decided_on: Mapped[date]
    # The decision ending the measure (the Commission's or the court's) and the day it ends.
    ending_decision: Mapped[str] = mapped_column(String(100))
    measure_ends_on: Mapped[date]
    family_kind: Mapped[ReturnFamily] = mapped_column(stored_enum(ReturnFamily, 20))
    returned_on: Mapped[date | None]
    # Six months after the return: the day "still at home six months later" is counted on.
    six_months_on: Mapped[date | None]
    at_home_3_months: Mapped[bool | None]
    at_home_6_months: Mapped[bool | None]
    new_measure_on: Mapped[date | None]
    new_measure_decision: Mapped[str | None] = mapped_column(String(100))
    version: Mapped[int] = mapped_column(default=1, server_default="1", info={"audit": False})

    case: Mapped[Case] = relationship(back_populates="reintegration")

    __mapper_args__ = {"version_id_col": version}


class Preparation(db.Model):
    """An activity preparing the child or the family for the return."""

    __tablename__ = "case_preparations"
    audit_label = _l("Preparation for the return")

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    held_on: Mapped[date]
    prepared: Mapped[PreparationFor] = mapped_column(stored_enum(PreparationFor, 20))
    description: Mapped[str] = mapped_column(Text)
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    case: Mapped[Case] = relationship(back_populates="preparations")
    recorded_by = relationship("User")


class ReturnVisit(db.Model):
    """A monitoring visit after the return, with its short report; ``due_on`` is the day the
    schedule set for it (``cases.deadlines.return_visits_due``)."""

    __tablename__ = "case_return_visits"
    audit_label = _l("Monitoring visit after the return")

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    visited_on: Mapped[date]
    due_on: Mapped[date | None]
    report: Mapped[str] = mapped_column(Text)
    visited_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    case: Mapped[Case] = relationship(back_populates="return_visits")
    visited_by = relationship("User")

    @property
    def on_time(self) -> bool:
        return self.due_on is None or self.visited_on <= self.due_on


class CaseEvent(db.Model):
    """One line of the case's timeline, written by the services with each step."""

    __tablename__ = "case_events"
    audit_label = _l("Case event")

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    happened_on: Mapped[date]
    kind: Mapped[str] = mapped_column(String(30))
    old_stage: Mapped[CaseStage | None] = mapped_column(stored_enum(CaseStage))
    new_stage: Mapped[CaseStage | None] = mapped_column(stored_enum(CaseStage))
    detail: Mapped[str | None] = mapped_column(Text)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, info={"audit": False})

    case: Mapped[Case] = relationship(back_populates="events")
    actor = relationship("User")

    @property
    def label(self):
        return EVENT_LABELS.get(self.kind, self.kind)


class CaseTask(db.Model):
    """Something to do on a case, open until someone marks it done."""

    __tablename__ = "case_tasks"
    audit_label = _l("Case task")

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    source: Mapped[TaskSource] = mapped_column(stored_enum(TaskSource))
    # A task typed by hand keeps its text; one raised by an alert stores only whom it is about,
    # and is worded in the reader's language (TASK_WORDING).
    text: Mapped[str | None] = mapped_column(String(500))
    person_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"), index=True)
    due_on: Mapped[date | None]
    done_on: Mapped[date | None]
    done_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, info={"audit": False})

    case: Mapped[Case] = relationship(back_populates="tasks")
    person = relationship("Person")
    done_by = relationship("User")

    @property
    def wording(self) -> str:
        """What to do, in the reader's language for a task an alert raised."""
        if self.text is not None or self.person is None:
            return self.text or ""
        return str(TASK_WORDING[self.source]) % {"name": self.person.full_name}


TASK_WORDING = {
    TaskSource.ABSENCES: _l(
        "%(name)s is on the absence alert of the day centre: talk to the family."
    ),
    TaskSource.NO_SHOWS: _l("%(name)s missed counselling sessions again: talk to the family."),
    TaskSource.ABUSE_SUSPECTED: _l(
        "A suspicion of abuse or neglect about %(name)s was entered in the serious-incident "
        "register: act on it and see that the directorate was told."
    ),
}


EVENT_LABELS = {
    "registered": _l("Request registered"),
    "competent": _l("Primary evaluation: the centre is competent; case manager named"),
    "referred": _l("Primary evaluation: referred to another institution"),
    "evaluation_started": _l("Detailed evaluation started (observation sheet)"),
    "reevaluation_started": _l("Re-evaluation started"),
    "evaluation_completed": _l("Detailed evaluation completed"),
    "home_visit": _l("Home visit"),
    "observatory": _l("Registered in the National Child Observatory"),
    "team": _l("Added to the case team"),
    "plan_drafted": _l("Service plan drafted"),
    "plan_approved": _l("Service plan approved"),
    "protection": _l("Referred for a protection measure"),
    "review": _l("Monitoring review"),
    "closure_proposed": _l("Closure proposed"),
    "closure_approved": _l("Case closure approved"),
    "reopened": _l("Case reopened"),
    "task": _l("Task added"),
    "task_absences": _l("Task raised by the absence alert"),
    "task_no_shows": _l("Task raised by missed counselling sessions"),
    "task_abuse_suspected": _l("Task raised by a suspicion of abuse or neglect"),
    "task_done": _l("Task done"),
    "measure": _l("Protection measure and its ending recorded"),
    "preparation": _l("Preparation for the return"),
    "returned_home": _l("The child returned home"),
    "return_visit": _l("Monitoring visit after the return"),
    "outcome_3_home": _l("Still at home three months after the return"),
    "outcome_3_away": _l("No longer at home three months after the return"),
    "outcome_6_home": _l("Still at home six months after the return"),
    "outcome_6_away": _l("No longer at home six months after the return"),
    "new_measure": _l("New protection measure"),
}
