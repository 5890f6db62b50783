"""Volunteers (Legea 78/2014): contracts, the activities they sign up for, hours, certificates."""

from datetime import date, datetime
from decimal import Decimal

from flask_babel import lazy_gettext as _l
from sqlalchemy import JSON, CheckConstraint, ForeignKey, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from daycentre.core.database import UTCDateTime, stored_enum, utcnow
from daycentre.core.i18n import listed_name, person_name
from daycentre.core.labels import LabelledEnum
from daycentre.extensions import db


class Skill(LabelledEnum):
    HOMEWORK = "homework", _l("Homework help")
    MEALS = "meals", _l("Meal service")
    CRAFTS = "crafts", _l("Arts and crafts")
    SPORTS = "sports", _l("Sports and games")
    MUSIC = "music", _l("Music and theatre")
    COMPUTERS = "computers", _l("Computers")
    FIRST_AID = "first_aid", _l("First aid")
    DRIVING = "driving", _l("Driving licence")


class SkillSet:
    """Skills kept as comma-separated codes in ``skill_codes``."""

    @property
    def skills(self) -> set[Skill]:
        return {Skill(code) for code in (self.skill_codes or "").split(",") if code}

    @skills.setter
    def skills(self, values) -> None:
        self.skill_codes = ",".join(sorted({Skill(v).value for v in values}))


class ContractStatus(LabelledEnum):
    DRAFT = "draft", _l("Draft")
    SIGNED = "signed", _l("Signed")
    ACTIVE = "active", _l("In force")
    ENDED = "ended", _l("Ended")
    TERMINATED = "terminated", _l("Terminated")


OPEN_CONTRACT_STATUSES = (ContractStatus.DRAFT, ContractStatus.SIGNED, ContractStatus.ACTIVE)


class SignupStatus(LabelledEnum):
    SIGNED_UP = "signed_up", _l("Signed up")
    WAITING = "waiting", _l("On the waiting list")
    CANCELLED = "cancelled", _l("Cancelled")
    ATTENDED = "attended", _l("Attended")
    ABSENT = "absent", _l("Did not come")


# The statuses that hold a volunteer's time (and, for the first and the last, a place).
HOLDING_STATUSES = (SignupStatus.SIGNED_UP, SignupStatus.WAITING, SignupStatus.ATTENDED)


class HoursStatus(LabelledEnum):
    REPORTED = "reported", _l("Awaiting approval")
    APPROVED = "approved", _l("Approved")
    REJECTED = "rejected", _l("Rejected")


class RegisterCounter(db.Model):
    """The last number given in one of a centre's registers; numbers only ever go up."""

    __tablename__ = "register_counters"

    centre_id: Mapped[int] = mapped_column(
        ForeignKey("centres.id", ondelete="CASCADE"), primary_key=True
    )
    register: Mapped[str] = mapped_column(String(30), primary_key=True)
    last_number: Mapped[int] = mapped_column(default=0)


class Volunteer(SkillSet, db.Model):
    __tablename__ = "volunteers"
    audit_label = _l("Volunteer")

    id: Mapped[int] = mapped_column(primary_key=True)
    centre_id: Mapped[int] = mapped_column(ForeignKey("centres.id"), index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), unique=True)
    given_name: Mapped[str] = mapped_column(String(100))
    family_name: Mapped[str] = mapped_column(String(100))
    birth_date: Mapped[date]
    phone: Mapped[str | None] = mapped_column(String(30))
    email: Mapped[str | None] = mapped_column(String(254))
    address: Mapped[str | None] = mapped_column(String(300))
    skill_codes: Mapped[str] = mapped_column(String(200), default="")
    languages: Mapped[str | None] = mapped_column(String(200))
    availability: Mapped[str | None] = mapped_column(Text)
    parental_consent_on: Mapped[date | None]
    integrity_certificate_on: Mapped[date | None]
    certificate_requested_on: Mapped[date | None]
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    version: Mapped[int] = mapped_column(default=1, server_default="1", info={"audit": False})

    centre = relationship("Centre")
    user = relationship("User")
    contracts: Mapped[list["VolunteerContract"]] = relationship(
        back_populates="volunteer", order_by="VolunteerContract.starts_on.desc()"
    )

    __mapper_args__ = {"version_id_col": version}

    @property
    def full_name(self) -> str:
        return person_name(self.family_name, self.given_name)

    @property
    def listed_name(self) -> str:
        """The name as official lists and documents print it: family name first."""
        return listed_name(self.family_name, self.given_name)


class VolunteerContract(db.Model):
    """A contract de voluntariat, numbered in the centre's register of volunteers."""

    __tablename__ = "volunteer_contracts"
    audit_label = _l("Volunteer contract")

    id: Mapped[int] = mapped_column(primary_key=True)
    centre_id: Mapped[int] = mapped_column(ForeignKey("centres.id"), index=True)
    volunteer_id: Mapped[int] = mapped_column(ForeignKey("volunteers.id"), index=True)
    number: Mapped[int]
    coordinator_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    starts_on: Mapped[date]
    ends_on: Mapped[date]
    activities: Mapped[str] = mapped_column(Text)
    schedule: Mapped[str] = mapped_column(Text)
    rights_and_obligations: Mapped[str] = mapped_column(Text)
    requirements: Mapped[str] = mapped_column(Text)
    termination_conditions: Mapped[str] = mapped_column(Text)
    status: Mapped[ContractStatus] = mapped_column(
        stored_enum(ContractStatus, 20), default=ContractStatus.DRAFT
    )
    signed_on: Mapped[date | None]
    closed_on: Mapped[date | None]
    termination_reason: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    version: Mapped[int] = mapped_column(default=1, server_default="1", info={"audit": False})

    centre = relationship("Centre")
    coordinator = relationship("User")
    volunteer: Mapped[Volunteer] = relationship(back_populates="contracts")

    __table_args__ = (
        UniqueConstraint("centre_id", "number"),
        CheckConstraint("starts_on <= ends_on", name="starts_before_end"),
    )
    __mapper_args__ = {"version_id_col": version}

    def covers(self, day: date) -> bool:
        return self.status is ContractStatus.ACTIVE and self.starts_on <= day <= self.ends_on


class Activity(SkillSet, db.Model):
    """A shift volunteers sign up for; ``taken_places`` only moves by conditional updates."""

    __tablename__ = "volunteer_activities"
    audit_label = _l("Volunteer activity")

    id: Mapped[int] = mapped_column(primary_key=True)
    centre_id: Mapped[int] = mapped_column(ForeignKey("centres.id"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime)
    places: Mapped[int]
    taken_places: Mapped[int] = mapped_column(default=0, server_default="0", info={"audit": False})
    skill_codes: Mapped[str] = mapped_column(String(200), default="")
    with_children: Mapped[bool] = mapped_column(default=True)
    description: Mapped[str | None] = mapped_column(Text)
    cancelled: Mapped[bool] = mapped_column(default=False)
    version: Mapped[int] = mapped_column(default=1, server_default="1", info={"audit": False})

    centre = relationship("Centre")
    signups: Mapped[list["ActivitySignup"]] = relationship(
        back_populates="activity", order_by="ActivitySignup.created_at"
    )

    __table_args__ = (
        CheckConstraint("places > 0", name="places_positive"),
        CheckConstraint("taken_places >= 0 AND taken_places <= places", name="taken_within_places"),
        CheckConstraint("starts_at < ends_at", name="starts_before_end"),
    )
    __mapper_args__ = {"version_id_col": version}

    @property
    def free_places(self) -> int:
        return self.places - self.taken_places

    @property
    def duration_hours(self) -> Decimal:
        seconds = (self.ends_at - self.starts_at).total_seconds()
        return (Decimal(seconds) / 3600).quantize(Decimal("0.01"))


class ActivitySignup(db.Model):
    __tablename__ = "volunteer_signups"
    audit_label = _l("Sign-up for a volunteer activity")

    id: Mapped[int] = mapped_column(primary_key=True)
    activity_id: Mapped[int] = mapped_column(ForeignKey("volunteer_activities.id"), index=True)
    volunteer_id: Mapped[int] = mapped_column(ForeignKey("volunteers.id"), index=True)
    status: Mapped[SignupStatus] = mapped_column(stored_enum(SignupStatus, 20))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Why a volunteer cancelled inside the notice period (the coordinator is told at once).
    cancel_reason: Mapped[str | None] = mapped_column(String(500))
    hours: Mapped[Decimal | None] = mapped_column(Numeric(6, 2))
    confirmed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    activity: Mapped[Activity] = relationship(back_populates="signups")
    volunteer: Mapped[Volunteer] = relationship()

    __table_args__ = (UniqueConstraint("activity_id", "volunteer_id"),)


class VolunteerHours(db.Model):
    """Hours a volunteer reports outside the published activities; they count once approved."""

    __tablename__ = "volunteer_hours"
    audit_label = _l("Hours reported by a volunteer")

    id: Mapped[int] = mapped_column(primary_key=True)
    volunteer_id: Mapped[int] = mapped_column(ForeignKey("volunteers.id"), index=True)
    centre_id: Mapped[int] = mapped_column(ForeignKey("centres.id"), index=True)
    day: Mapped[date]
    hours: Mapped[Decimal] = mapped_column(Numeric(6, 2))
    description: Mapped[str] = mapped_column(String(500))
    status: Mapped[HoursStatus] = mapped_column(
        stored_enum(HoursStatus, 20), default=HoursStatus.REPORTED
    )
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    volunteer: Mapped[Volunteer] = relationship()

    __table_args__ = (CheckConstraint("hours > 0 AND hours <= 24", name="hours_in_a_day"),)


class VolunteerCertificate(db.Model):
    """A certificat de voluntariat: what it states is kept as issued."""

    __tablename__ = "volunteer_certificates"
    audit_label = _l("Volunteering certificate")

    id: Mapped[int] = mapped_column(primary_key=True)
    centre_id: Mapped[int] = mapped_column(ForeignKey("centres.id"), index=True)
    number: Mapped[int]
    issued_on: Mapped[date]
    volunteer_id: Mapped[int] = mapped_column(ForeignKey("volunteers.id"), index=True)
    contract_id: Mapped[int] = mapped_column(ForeignKey("volunteer_contracts.id"))
    coordinator_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    period_start: Mapped[date]
    period_end: Mapped[date]
    total_hours: Mapped[Decimal] = mapped_column(Numeric(8, 2))
    # The activities done, as stated on the day of issue: [[ISO date, what, hours], ...]
    lines: Mapped[list] = mapped_column(JSON, default=list)

    centre = relationship("Centre")
    volunteer: Mapped[Volunteer] = relationship()
    contract: Mapped[VolunteerContract] = relationship()
    coordinator = relationship("User")

    __table_args__ = (
        UniqueConstraint("centre_id", "number"),
        CheckConstraint("period_start <= period_end", name="period_in_order"),
    )

    @property
    def rows(self) -> list[tuple[date, str, Decimal]]:
        return [(date.fromisoformat(day), what, Decimal(hours)) for day, what, hours in self.lines]
