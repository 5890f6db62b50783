from datetime import date, time
from uuid import uuid4

from flask_babel import lazy_gettext as _l
from sqlalchemy import CheckConstraint, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, query_expression, relationship

from daycentre.core.database import stored_enum
from daycentre.core.labels import LabelledEnum
from daycentre.extensions import db


class CentreKind(LabelledEnum):
    AFTER_SCHOOL = "after_school", _l("After-school centre")
    PARENT_COUNSELLING = "parent_counselling", _l("Parent-counselling centre")


class ProviderType(LabelledEnum):
    """Who provides the social service, as the quarterly statistics name it."""

    PUBLIC = "public", _l("Public provider")
    PRIVATE = "private", _l("Private provider")


class WeeklyHours:
    """Days of the week (ISO numbers, Monday = 1, kept as a string such as "12345") and hours."""

    @property
    def weekdays(self) -> set[int]:
        return {int(d) for d in self.days or ""}

    @weekdays.setter
    def weekdays(self, values) -> None:
        self.days = "".join(sorted({str(int(v)) for v in values}))

    def is_open_on(self, day: date) -> bool:
        return day.isoweekday() in self.weekdays


class Centre(WeeklyHours, db.Model):
    __tablename__ = "centres"
    audit_label = _l("Centre")

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    kind: Mapped[CentreKind] = mapped_column(stored_enum(CentreKind, 30))
    # The service's code in the nomenclature of social services (8891 CZ-C-II, ...).
    service_code: Mapped[str] = mapped_column(String(50))
    provider_type: Mapped[ProviderType] = mapped_column(
        stored_enum(ProviderType, 10),
        default=ProviderType.PUBLIC,
        server_default=ProviderType.PUBLIC.value,
    )
    address: Mapped[str] = mapped_column(String(300))
    city: Mapped[str] = mapped_column(String(100))
    capacity: Mapped[int]
    days: Mapped[str] = mapped_column(String(7), default="12345")
    opens_at: Mapped[time]
    closes_at: Mapped[time]
    active: Mapped[bool] = mapped_column(default=True)
    # Until when, on the day itself, a parent may report the child's absence in the app.
    absence_cutoff: Mapped[time] = mapped_column(default=time(9), server_default="09:00:00")
    version: Mapped[int] = mapped_column(default=1, server_default="1")
    # A new random token whenever a closure day changes: the key of the cached calendar (see
    # ``daycentre.centres.calendar``); not part of what a person edits.
    calendar_stamp: Mapped[str | None] = mapped_column(
        String(32), default=lambda: uuid4().hex, info={"audit": False}
    )

    groups: Mapped[list["Group"]] = relationship(back_populates="centre", order_by="Group.name")
    rooms: Mapped[list["Room"]] = relationship(back_populates="centre", order_by="Room.name")
    # Filled only where a query asks for it (``services.with_room_count``), counted in that query.
    room_count: Mapped[int | None] = query_expression()
    closure_days: Mapped[list["ClosureDay"]] = relationship(
        back_populates="centre", order_by="ClosureDay.day", cascade="all, delete-orphan"
    )

    __table_args__ = (
        CheckConstraint("capacity >= 0", name="capacity_not_negative"),
        CheckConstraint("opens_at < closes_at", name="opens_before_closing"),
    )
    __mapper_args__ = {"version_id_col": version}

    def __repr__(self) -> str:
        return f"<Centre {self.name}>"


class Group(WeeklyHours, db.Model):
    __tablename__ = "groups"
    audit_label = _l("Group")

    id: Mapped[int] = mapped_column(primary_key=True)
    centre_id: Mapped[int] = mapped_column(ForeignKey("centres.id"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    capacity: Mapped[int]
    days: Mapped[str] = mapped_column(String(7), default="12345")
    starts_at: Mapped[time]
    ends_at: Mapped[time]
    active: Mapped[bool] = mapped_column(default=True)
    version: Mapped[int] = mapped_column(default=1, server_default="1")

    centre: Mapped[Centre] = relationship(back_populates="groups")

    __table_args__ = (
        UniqueConstraint("centre_id", "name"),
        CheckConstraint("capacity > 0", name="capacity_positive"),
        CheckConstraint("starts_at < ends_at", name="starts_before_end"),
    )
    __mapper_args__ = {"version_id_col": version}


class Room(db.Model):
    __tablename__ = "rooms"
    audit_label = _l("Room")

    id: Mapped[int] = mapped_column(primary_key=True)
    centre_id: Mapped[int] = mapped_column(ForeignKey("centres.id"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    capacity: Mapped[int | None]
    notes: Mapped[str | None] = mapped_column(Text)
    active: Mapped[bool] = mapped_column(default=True)
    version: Mapped[int] = mapped_column(default=1, server_default="1")

    centre: Mapped[Centre] = relationship(back_populates="rooms")

    __table_args__ = (UniqueConstraint("centre_id", "name"),)
    __mapper_args__ = {"version_id_col": version}


class ClosureDay(db.Model):
    """A day the centre is closed beyond weekends and public holidays (e.g. staff training)."""

    __tablename__ = "closure_days"
    audit_label = _l("Closure day")

    id: Mapped[int] = mapped_column(primary_key=True)
    centre_id: Mapped[int] = mapped_column(ForeignKey("centres.id", ondelete="CASCADE"))
    day: Mapped[date]
    reason: Mapped[str] = mapped_column(String(200))

    centre: Mapped[Centre] = relationship(back_populates="closure_days")

    __table_args__ = (UniqueConstraint("centre_id", "day"),)
