"""The children's programme around the roll: the weekly programme of a group, outings and camps
with the parents' permission, the link with the school and who may collect a child."""

from datetime import date, datetime, time
from decimal import Decimal

from flask_babel import lazy_gettext as _l
from sqlalchemy import (
    CheckConstraint,
    Column,
    ForeignKey,
    Numeric,
    String,
    Table,
    Text,
    UniqueConstraint,
    select,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship
from sqlalchemy.sql.selectable import ScalarSelect

from daycentre.core.database import UTCDateTime, stored_enum, utcnow
from daycentre.core.labels import LabelledEnum
from daycentre.extensions import db


class SlotKind(LabelledEnum):
    HOMEWORK = "homework", _l("Homework hour")
    EDUCATIONAL = "educational", _l("Educational activity")
    RECREATIONAL = "recreational", _l("Recreational activity")
    MEAL = "meal", _l("Meal")
    OTHER = "other", _l("Other")


class Weekday(LabelledEnum):
    MONDAY = "1", _l("Monday")
    TUESDAY = "2", _l("Tuesday")
    WEDNESDAY = "3", _l("Wednesday")
    THURSDAY = "4", _l("Thursday")
    FRIDAY = "5", _l("Friday")
    SATURDAY = "6", _l("Saturday")
    SUNDAY = "7", _l("Sunday")


class WeeklyProgramme(db.Model):
    """A group's week, in force from a date until the next programme of the group: last term's
    programme stays in the record."""

    __tablename__ = "weekly_programmes"
    audit_label = _l("Weekly programme")

    id: Mapped[int] = mapped_column(primary_key=True)
    centre_id: Mapped[int] = mapped_column(ForeignKey("centres.id"), index=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("groups.id"), index=True)
    valid_from: Mapped[date]
    notes: Mapped[str | None] = mapped_column(Text)
    version: Mapped[int] = mapped_column(default=1, server_default="1", info={"audit": False})

    group = relationship("Group")
    slots: Mapped[list["ProgrammeSlot"]] = relationship(
        back_populates="programme",
        order_by="(ProgrammeSlot.weekday, ProgrammeSlot.starts_at)",
        cascade="all, delete-orphan",
    )

    __table_args__ = (UniqueConstraint("group_id", "valid_from"),)
    __mapper_args__ = {"version_id_col": version}

    @classmethod
    def in_force(cls, group, day) -> ScalarSelect[int]:
        """The id of the group's programme in force on ``day``, the latest one valid from that
        day or earlier, as a scalar subquery (``group`` and ``day`` are values or SQL)."""
        return (
            select(cls.id)
            .where(cls.group_id == group, cls.valid_from <= day)
            .order_by(cls.valid_from.desc())
            .limit(1)
            .scalar_subquery()
        )


class ProgrammeSlot(db.Model):
    """One time slot of the week, led by a staff member or a volunteer, or opened to volunteers as
    an activity they sign up for (``volunteer_places``)."""

    __tablename__ = "programme_slots"
    audit_label = _l("Programme slot")

    id: Mapped[int] = mapped_column(primary_key=True)
    programme_id: Mapped[int] = mapped_column(ForeignKey("weekly_programmes.id"), index=True)
    weekday: Mapped[Weekday] = mapped_column(stored_enum(Weekday, 1))
    starts_at: Mapped[time]
    ends_at: Mapped[time]
    kind: Mapped[SlotKind] = mapped_column(stored_enum(SlotKind, 20))
    title: Mapped[str] = mapped_column(String(200))
    leader_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    volunteer_id: Mapped[int | None] = mapped_column(ForeignKey("volunteers.id"))
    volunteer_places: Mapped[int | None]
    room_id: Mapped[int | None] = mapped_column(ForeignKey("rooms.id"))
    version: Mapped[int] = mapped_column(default=1, server_default="1", info={"audit": False})

    programme: Mapped[WeeklyProgramme] = relationship(back_populates="slots")
    leader = relationship("User")
    volunteer = relationship("Volunteer")
    room = relationship("Room")

    __table_args__ = (
        CheckConstraint("starts_at < ends_at", name="slot_starts_before_end"),
        CheckConstraint(
            "volunteer_places IS NULL OR volunteer_places > 0", name="slot_places_positive"
        ),
    )
    __mapper_args__ = {"version_id_col": version}


class SlotDay(db.Model):
    """What happened in one slot on one day: the short note of what was done, and the volunteer
    activity the slot was opened as on that day."""

    __tablename__ = "programme_slot_days"
    audit_label = _l("Programme slot of a day")

    id: Mapped[int] = mapped_column(primary_key=True)
    slot_id: Mapped[int] = mapped_column(ForeignKey("programme_slots.id"), index=True)
    day: Mapped[date]
    note: Mapped[str | None] = mapped_column(Text)
    written_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), info={"audit": False})
    activity_id: Mapped[int | None] = mapped_column(ForeignKey("volunteer_activities.id"))

    slot: Mapped[ProgrammeSlot] = relationship()
    written_by = relationship("User")
    activity = relationship("Activity")

    __table_args__ = (UniqueConstraint("slot_id", "day"),)


# --- Outings and camps ----------------------------------------------------------------------------


class OutingKind(LabelledEnum):
    OUTING = "outing", _l("Outing")
    CAMP = "camp", _l("Camp")


class OutingStatus(LabelledEnum):
    PLANNED = "planned", _l("Planned")
    CONFIRMED = "confirmed", _l("Confirmed")
    DEPARTED = "departed", _l("Under way")
    RETURNED = "returned", _l("Returned")
    CANCELLED = "cancelled", _l("Cancelled")


class PermissionState(LabelledEnum):
    PENDING = "pending", _l("Pending")
    GIVEN = "given", _l("Given")
    REFUSED = "refused", _l("Refused")


class PermissionMedium(LabelledEnum):
    PAPER = "paper", _l("Signed on paper")
    RECORDED = "recorded", _l("Recorded by staff")
    APP = "app", _l("Answered by the parent in the app")


outing_staff = Table(
    "outing_staff",
    db.metadata,
    Column("outing_id", ForeignKey("outings.id", ondelete="CASCADE"), primary_key=True),
    Column("user_id", ForeignKey("users.id"), primary_key=True),
)

outing_volunteers = Table(
    "outing_volunteers",
    db.metadata,
    Column("outing_id", ForeignKey("outings.id", ondelete="CASCADE"), primary_key=True),
    Column("volunteer_id", ForeignKey("volunteers.id"), primary_key=True),
)


class Outing(db.Model):
    """An outing or a camp: who goes, who is invited, and who actually went and came back."""

    __tablename__ = "outings"
    audit_label = _l("Outing")

    id: Mapped[int] = mapped_column(primary_key=True)
    centre_id: Mapped[int] = mapped_column(ForeignKey("centres.id"), index=True)
    kind: Mapped[OutingKind] = mapped_column(stored_enum(OutingKind, 10))
    title: Mapped[str] = mapped_column(String(200))
    destination: Mapped[str] = mapped_column(String(300))
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime)
    transport: Mapped[str | None] = mapped_column(String(200))
    children_per_adult: Mapped[int]
    status: Mapped[OutingStatus] = mapped_column(
        stored_enum(OutingStatus, 20), default=OutingStatus.PLANNED
    )
    departed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    returned_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    notes: Mapped[str | None] = mapped_column(Text)
    version: Mapped[int] = mapped_column(default=1, server_default="1", info={"audit": False})

    centre = relationship("Centre")
    staff = relationship("User", secondary=outing_staff)
    volunteers = relationship("Volunteer", secondary=outing_volunteers)
    children: Mapped[list["OutingChild"]] = relationship(
        back_populates="outing", cascade="all, delete-orphan"
    )

    __table_args__ = (
        CheckConstraint("starts_at < ends_at", name="outing_starts_before_end"),
        CheckConstraint("children_per_adult > 0", name="outing_ratio_positive"),
    )
    __mapper_args__ = {"version_id_col": version}

    @property
    def adults(self) -> int:
        return len(self.staff) + len(self.volunteers)

    @property
    def final_list(self) -> list["OutingChild"]:
        return [c for c in self.children if c.on_final_list]


class OutingChild(db.Model):
    """A child invited on an outing, the legal representative's permission, and the headcounts."""

    __tablename__ = "outing_children"
    audit_label = _l("Child on an outing")

    id: Mapped[int] = mapped_column(primary_key=True)
    outing_id: Mapped[int] = mapped_column(ForeignKey("outings.id", ondelete="CASCADE"), index=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"), index=True)
    permission: Mapped[PermissionState] = mapped_column(
        stored_enum(PermissionState, 10), default=PermissionState.PENDING
    )
    permission_by: Mapped[str | None] = mapped_column(String(200))
    permission_on: Mapped[date | None]
    permission_medium: Mapped[PermissionMedium | None] = mapped_column(
        stored_enum(PermissionMedium, 10)
    )
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    # The instant of an answer given in the app (``permission_on`` holds its day).
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The language the family reads: the permission slip is printed in it.
    language: Mapped[str] = mapped_column(String(2), default="ro", server_default="ro")
    on_final_list: Mapped[bool] = mapped_column(default=False)
    left: Mapped[bool | None]
    came_back: Mapped[bool | None]

    outing: Mapped[Outing] = relationship(back_populates="children")
    person = relationship("Person")
    recorded_by = relationship("User")

    __table_args__ = (
        UniqueConstraint("outing_id", "person_id"),
        CheckConstraint(
            "permission = 'pending' OR (permission_by IS NOT NULL AND permission_on IS NOT NULL)",
            name="permission_answer_named",
        ),
    )


# --- The school -----------------------------------------------------------------------------------


class SchoolLink(db.Model):
    """A child's form teacher (the school and class are on the person's record)."""

    __tablename__ = "school_links"
    audit_label = _l("School details")

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"), unique=True)
    form_teacher: Mapped[str | None] = mapped_column(String(200))
    teacher_phone: Mapped[str | None] = mapped_column(String(40))
    teacher_email: Mapped[str | None] = mapped_column(String(254))
    version: Mapped[int] = mapped_column(default=1, server_default="1", info={"audit": False})

    person = relationship("Person")

    __mapper_args__ = {"version_id_col": version}


class SchoolContact(db.Model):
    """One contact with a child's school: when, with whom, about what, what was agreed."""

    __tablename__ = "school_contacts"
    audit_label = _l("Contact with the school")

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"), index=True)
    day: Mapped[date]
    with_whom: Mapped[str] = mapped_column(String(200))
    subject: Mapped[str] = mapped_column(String(300))
    agreed: Mapped[str | None] = mapped_column(Text)
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    recorded_by = relationship("User")


class Qualifier(LabelledEnum):
    """The primary school's qualifiers, from the lowest."""

    INSUFFICIENT = "i", _l("Insufficient")
    SUFFICIENT = "s", _l("Sufficient")
    GOOD = "b", _l("Good")
    VERY_GOOD = "fb", _l("Very good")

    @property
    def rank(self) -> int:
        return list(Qualifier).index(self)


class SchoolResult(db.Model):
    """A child's result for one term of a school year (first year of it: 2026 is 2026-2027)."""

    __tablename__ = "school_results"
    audit_label = _l("School result")

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"), index=True)
    school_year: Mapped[int]
    term: Mapped[int]
    average: Mapped[Decimal | None] = mapped_column(Numeric(4, 2))
    qualifier: Mapped[Qualifier | None] = mapped_column(stored_enum(Qualifier, 2))
    absences: Mapped[int] = mapped_column(default=0)
    unexcused_absences: Mapped[int] = mapped_column(default=0)
    version: Mapped[int] = mapped_column(default=1, server_default="1", info={"audit": False})

    __table_args__ = (
        UniqueConstraint("person_id", "school_year", "term"),
        CheckConstraint("term BETWEEN 1 AND 3", name="result_term_known"),
        CheckConstraint("average IS NULL OR (average >= 1 AND average <= 10)", name="average_1_10"),
        CheckConstraint("average IS NOT NULL OR qualifier IS NOT NULL", name="result_given"),
    )
    __mapper_args__ = {"version_id_col": version}


# --- Who may collect a child ----------------------------------------------------------------------


class Collector(db.Model):
    """A person allowed to collect a child, with the identity document checked by whom and when."""

    __tablename__ = "collectors"
    audit_label = _l("Person allowed to collect a child")

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    relation: Mapped[str] = mapped_column(String(100))
    phone: Mapped[str | None] = mapped_column(String(40))
    id_document: Mapped[str | None] = mapped_column(String(100))
    id_checked_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    id_checked_on: Mapped[date | None]
    active: Mapped[bool] = mapped_column(default=True)
    version: Mapped[int] = mapped_column(default=1, server_default="1", info={"audit": False})

    person = relationship("Person")
    id_checked_by = relationship("User")

    __mapper_args__ = {"version_id_col": version}


class LeavingAlone(db.Model):
    """The parents' written consent that a child may leave the centre alone, with its date."""

    __tablename__ = "leaving_alone_consents"
    audit_label = _l("Consent to leave alone")

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"), unique=True)
    consent_on: Mapped[date]
    given_by: Mapped[str] = mapped_column(String(200))
    withdrawn_on: Mapped[date | None]


class Departure(db.Model):
    """A child leaving the centre on a day: at what time and who collected them. A collector not
    on the list (or a child leaving alone without the consent) is written down and flagged."""

    __tablename__ = "departures"
    audit_label = _l("Departure")

    id: Mapped[int] = mapped_column(primary_key=True)
    centre_id: Mapped[int] = mapped_column(ForeignKey("centres.id"), index=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("groups.id"))
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"), index=True)
    day: Mapped[date]
    left_at: Mapped[time]
    collector_id: Mapped[int | None] = mapped_column(ForeignKey("collectors.id"))
    collected_by: Mapped[str | None] = mapped_column(String(200))
    alone: Mapped[bool] = mapped_column(default=False)
    not_allowed: Mapped[bool] = mapped_column(default=False)
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    person = relationship("Person")
    collector = relationship("Collector")

    __table_args__ = (UniqueConstraint("person_id", "day"),)
