"""The registers an inspection asks for beside the care itself: the complaints register
("registrul de sesizări și reclamații") and the serious-incident register ("incidente deosebite")."""

from datetime import date, datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import Column, ForeignKey, String, Table, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from daycentre.core.database import UTCDateTime, stored_enum, utcnow
from daycentre.core.labels import LabelledEnum
from daycentre.extensions import db


class ComplaintChannel(LabelledEnum):
    IN_PERSON = "in_person", _l("In person")
    PHONE = "phone", _l("Phone")
    WRITTEN = "written", _l("In writing")
    EMAIL = "email", _l("Email")
    BOX = "box", _l("Complaint box")


class Complainant(LabelledEnum):
    CHILD = "child", _l("A child")
    PARENT = "parent", _l("A parent")
    OTHER = "other", _l("Another person")
    ANONYMOUS = "anonymous", _l("Anonymous")


class Complaint(db.Model):
    """One complaint or notice, numbered per centre and year; answered within 30 days."""

    __tablename__ = "complaints"
    audit_label = _l("Complaint")

    id: Mapped[int] = mapped_column(primary_key=True)
    centre_id: Mapped[int] = mapped_column(ForeignKey("centres.id"), index=True)
    year: Mapped[int]
    number: Mapped[int]
    received_on: Mapped[date]
    due_on: Mapped[date] = mapped_column(index=True)
    channel: Mapped[ComplaintChannel] = mapped_column(stored_enum(ComplaintChannel))
    complainant: Mapped[Complainant] = mapped_column(stored_enum(Complainant))
    complainant_name: Mapped[str | None] = mapped_column(String(200))
    # Where the answer goes; an anonymous complainant's is never exported.
    complainant_contact: Mapped[str | None] = mapped_column(String(300))
    subject: Mapped[str] = mapped_column(Text)
    handler_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    answer: Mapped[str | None] = mapped_column(Text)
    answered_on: Mapped[date | None]
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, info={"audit": False})
    version: Mapped[int] = mapped_column(default=1, server_default="1", info={"audit": False})

    centre = relationship("Centre")
    handler = relationship("User", foreign_keys=[handler_id])
    recorded_by = relationship("User", foreign_keys=[recorded_by_id])

    __table_args__ = (UniqueConstraint("centre_id", "year", "number"),)
    __mapper_args__ = {"version_id_col": version}

    @property
    def reference(self) -> str:
        return f"{self.number}/{self.year}"

    @property
    def answered(self) -> bool:
        return self.answered_on is not None


class IncidentKind(LabelledEnum):
    ACCIDENT = "accident", _l("Accident")
    ILLNESS = "illness", _l("Illness")
    VIOLENCE = "violence", _l("Violence between children")
    ABUSE_SUSPECTED = "abuse_suspected", _l("Suspicion of abuse or neglect")
    CHILD_MISSING = "child_missing", _l("Child missing")
    DAMAGE = "damage", _l("Damage")
    OTHER = "other", _l("Other")


incident_children = Table(
    "incident_children",
    db.metadata,
    Column("incident_id", ForeignKey("incidents.id", ondelete="CASCADE"), primary_key=True),
    Column("person_id", ForeignKey("people.id"), primary_key=True),
)

incident_staff = Table(
    "incident_staff",
    db.metadata,
    Column("incident_id", ForeignKey("incidents.id", ondelete="CASCADE"), primary_key=True),
    Column("user_id", ForeignKey("users.id"), primary_key=True),
)


class Incident(db.Model):
    """A serious incident: what happened, what was done at once, who was told and when."""

    __tablename__ = "incidents"
    audit_label = _l("Serious incident")

    id: Mapped[int] = mapped_column(primary_key=True)
    centre_id: Mapped[int] = mapped_column(ForeignKey("centres.id"), index=True)
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    kind: Mapped[IncidentKind] = mapped_column(stored_enum(IncidentKind))
    description: Mapped[str] = mapped_column(Text)
    measures: Mapped[str] = mapped_column(Text)
    parents_told_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    parents_told_by: Mapped[str | None] = mapped_column(String(200))
    directorate_told_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    directorate_told_by: Mapped[str | None] = mapped_column(String(200))
    follow_up: Mapped[str | None] = mapped_column(Text)
    closed_on: Mapped[date | None]
    handler_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, info={"audit": False})
    version: Mapped[int] = mapped_column(default=1, server_default="1", info={"audit": False})

    centre = relationship("Centre")
    handler = relationship("User", foreign_keys=[handler_id])
    recorded_by = relationship("User", foreign_keys=[recorded_by_id])
    children = relationship("Person", secondary=incident_children, order_by="Person.family_name")
    staff = relationship("User", secondary=incident_staff, order_by="User.family_name")

    __mapper_args__ = {"version_id_col": version}

    @property
    def closed(self) -> bool:
        return self.closed_on is not None
