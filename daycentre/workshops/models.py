"""Parenting workshops (a programme of sessions with capacity and a waiting list) and support groups
(ongoing, members join and leave, meetings with attendance)."""

from datetime import date, datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import CheckConstraint, Column, ForeignKey, String, Table, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from daycentre.core.database import UTCDateTime, utcnow
from daycentre.core.labels import LabelledEnum
from daycentre.core.localtime import BUCHAREST
from daycentre.extensions import db


def _values(enum_class):
    return [member.value for member in enum_class]


class Audience(LabelledEnum):
    PARENTS = "parents", _l("Parents")
    COUPLES = "couples", _l("Couples")
    FUTURE_PARENTS = "future_parents", _l("Future parents")
    ADOLESCENTS = "adolescents", _l("Adolescents")


class RegistrationStatus(LabelledEnum):
    REGISTERED = "registered", _l("Registered")
    WAITING = "waiting", _l("On the waiting list")
    CANCELLED = "cancelled", _l("Cancelled")


class _Timed:
    @property
    def local_start(self) -> datetime:
        return self.starts_at.astimezone(BUCHAREST)

    @property
    def local_end(self) -> datetime:
        return self.ends_at.astimezone(BUCHAREST)


workshop_facilitators = Table(
    "workshop_facilitators",
    db.metadata,
    Column("workshop_id", ForeignKey("workshops.id", ondelete="CASCADE"), primary_key=True),
    Column("user_id", ForeignKey("users.id"), primary_key=True),
)


class Workshop(db.Model):
    """A parenting programme; ``taken_places`` only moves by conditional updates."""

    __tablename__ = "workshops"
    audit_label = _l("Workshop")

    id: Mapped[int] = mapped_column(primary_key=True)
    centre_id: Mapped[int] = mapped_column(ForeignKey("centres.id"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str | None] = mapped_column(Text)
    audience: Mapped[Audience] = mapped_column(
        db.Enum(Audience, native_enum=False, length=20, values_callable=_values)
    )
    room_id: Mapped[int] = mapped_column(ForeignKey("rooms.id"), index=True)
    capacity: Mapped[int]
    taken_places: Mapped[int] = mapped_column(default=0, server_default="0", info={"audit": False})
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, info={"audit": False})

    centre = relationship("Centre")
    room = relationship("Room")
    facilitators = relationship("User", secondary=workshop_facilitators, order_by="User.id")
    sessions: Mapped[list["WorkshopSession"]] = relationship(
        back_populates="workshop", order_by="WorkshopSession.starts_at"
    )
    registrations: Mapped[list["WorkshopRegistration"]] = relationship(
        back_populates="workshop",
        order_by="(WorkshopRegistration.queue_position, WorkshopRegistration.id)",
    )

    __table_args__ = (
        CheckConstraint("capacity > 0", name="capacity_positive"),
        CheckConstraint("taken_places >= 0 AND taken_places <= capacity", name="taken_within"),
    )

    @property
    def free_places(self) -> int:
        return self.capacity - self.taken_places

    @property
    def facilitator_ids(self) -> set[int]:
        return {user.id for user in self.facilitators}


class WorkshopSession(_Timed, db.Model):
    __tablename__ = "workshop_sessions"
    audit_label = _l("Workshop session")

    id: Mapped[int] = mapped_column(primary_key=True)
    workshop_id: Mapped[int] = mapped_column(ForeignKey("workshops.id"), index=True)
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    version: Mapped[int] = mapped_column(default=1, server_default="1", info={"audit": False})

    workshop: Mapped[Workshop] = relationship(back_populates="sessions")

    __table_args__ = (CheckConstraint("starts_at < ends_at", name="starts_before_end"),)
    __mapper_args__ = {"version_id_col": version}


class WorkshopRegistration(db.Model):
    """A participant's place, or their place in the waiting list (``queue_position`` orders it)."""

    __tablename__ = "workshop_registrations"
    audit_label = _l("Workshop registration")

    id: Mapped[int] = mapped_column(primary_key=True)
    workshop_id: Mapped[int] = mapped_column(ForeignKey("workshops.id"), index=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"), index=True)
    status: Mapped[RegistrationStatus] = mapped_column(
        db.Enum(RegistrationStatus, native_enum=False, length=20, values_callable=_values)
    )
    queue_position: Mapped[int] = mapped_column(default=0)
    registered_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    workshop: Mapped[Workshop] = relationship(back_populates="registrations")
    person = relationship("Person")

    __table_args__ = (UniqueConstraint("workshop_id", "person_id"),)


class WorkshopAttendance(db.Model):
    __tablename__ = "workshop_attendances"
    audit_label = _l("Workshop attendance")

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("workshop_sessions.id"), index=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"), index=True)
    present: Mapped[bool]

    session: Mapped[WorkshopSession] = relationship()
    person = relationship("Person")

    __table_args__ = (UniqueConstraint("session_id", "person_id"),)


class SupportGroup(db.Model):
    __tablename__ = "support_groups"
    audit_label = _l("Support group")

    id: Mapped[int] = mapped_column(primary_key=True)
    centre_id: Mapped[int] = mapped_column(ForeignKey("centres.id"), index=True)
    topic: Mapped[str] = mapped_column(String(200))
    facilitator_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    room_id: Mapped[int] = mapped_column(ForeignKey("rooms.id"), index=True)
    schedule: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, info={"audit": False})

    centre = relationship("Centre")
    facilitator = relationship("User")
    room = relationship("Room")
    members: Mapped[list["GroupMembership"]] = relationship(
        back_populates="group", order_by="GroupMembership.joined_on"
    )
    meetings: Mapped[list["GroupMeeting"]] = relationship(
        back_populates="group", order_by="GroupMeeting.starts_at"
    )


class GroupMembership(db.Model):
    __tablename__ = "support_group_members"
    audit_label = _l("Support group membership")

    id: Mapped[int] = mapped_column(primary_key=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("support_groups.id"), index=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"), index=True)
    joined_on: Mapped[date]
    left_on: Mapped[date | None]

    group: Mapped[SupportGroup] = relationship(back_populates="members")
    person = relationship("Person")

    __table_args__ = (
        CheckConstraint("left_on IS NULL OR left_on >= joined_on", name="leaves_after_joining"),
    )

    def member_on(self, day: date) -> bool:
        return self.joined_on <= day and (self.left_on is None or day <= self.left_on)


class GroupMeeting(_Timed, db.Model):
    __tablename__ = "support_group_meetings"
    audit_label = _l("Support group meeting")

    id: Mapped[int] = mapped_column(primary_key=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("support_groups.id"), index=True)
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)

    group: Mapped[SupportGroup] = relationship(back_populates="meetings")

    __table_args__ = (CheckConstraint("starts_at < ends_at", name="starts_before_end"),)


class MeetingAttendance(db.Model):
    __tablename__ = "support_group_attendances"
    audit_label = _l("Support group attendance")

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("support_group_meetings.id"), index=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"), index=True)
    present: Mapped[bool]

    meeting: Mapped[GroupMeeting] = relationship()
    person = relationship("Person")

    __table_args__ = (UniqueConstraint("meeting_id", "person_id"),)
