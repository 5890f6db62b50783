from datetime import date, datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import CheckConstraint, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from daycentre.core.database import UTCDateTime, stored_enum, utcnow
from daycentre.core.labels import LabelledEnum
from daycentre.extensions import db


class EnrolmentStatus(LabelledEnum):
    APPLIED = "applied", _l("Applied")
    WAITING = "waiting", _l("On the waiting list")
    ACTIVE = "active", _l("Active")
    SUSPENDED = "suspended", _l("Suspended")
    EXITED = "exited", _l("Exited")


class ExitReason(LabelledEnum):
    """Why the services ended, as the quarterly statistics count the exits."""

    OBJECTIVES_REACHED = "objectives_reached", _l("Objectives of the plan reached")
    FAMILY_REQUEST = "family_request", _l("At the family's request")
    MOVED_AWAY = "moved_away", _l("Moved away")
    NO_LONGER_ELIGIBLE = "no_longer_eligible", _l("No longer eligible")
    SEPARATED = "separated", _l("Child separated from the family despite the services")
    OTHER = "other", _l("Other reason")


# A suspended beneficiary keeps the place: the suspension is temporary.
HOLDS_A_PLACE = (EnrolmentStatus.ACTIVE, EnrolmentStatus.SUSPENDED)
# Statuses of an enrolment whose service has started (a start date is then set).
ACTIVE_ONCE = (EnrolmentStatus.ACTIVE, EnrolmentStatus.SUSPENDED, EnrolmentStatus.EXITED)
OPEN_STATUSES = (
    EnrolmentStatus.APPLIED,
    EnrolmentStatus.WAITING,
    EnrolmentStatus.ACTIVE,
    EnrolmentStatus.SUSPENDED,
)


class Enrolment(db.Model):
    """One line of the centre's beneficiary register: a person in a group, from application to exit."""

    __tablename__ = "enrolments"
    audit_label = _l("Enrolment")

    id: Mapped[int] = mapped_column(primary_key=True)
    centre_id: Mapped[int] = mapped_column(ForeignKey("centres.id"), index=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("groups.id"), index=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"), index=True)
    # The number in the centre's register, given in order of application.
    number: Mapped[int]
    status: Mapped[EnrolmentStatus] = mapped_column(
        stored_enum(EnrolmentStatus, 20),
        index=True,
    )
    applied_on: Mapped[date]
    # When a freed place was offered to this application, first in the waiting list.
    offered_on: Mapped[date | None]
    contract_number: Mapped[str | None] = mapped_column(String(50))
    contract_date: Mapped[date | None]
    start_date: Mapped[date | None]
    suspended_on: Mapped[date | None]
    exit_date: Mapped[date | None]
    # Why, in the statistics' words (None for exits recorded before they were asked); and in words.
    exit_cause: Mapped[ExitReason | None] = mapped_column(stored_enum(ExitReason, 30))
    exit_reason: Mapped[str | None] = mapped_column(String(300))
    notes: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, info={"audit": False})
    version: Mapped[int] = mapped_column(default=1, server_default="1", info={"audit": False})

    centre = relationship("Centre")
    group = relationship("Group")
    person = relationship("Person", back_populates="enrolments")

    __table_args__ = (
        UniqueConstraint("centre_id", "number"),
        CheckConstraint(
            "start_date IS NULL OR start_date >= applied_on", name="starts_after_application"
        ),
        CheckConstraint(
            "exit_date IS NULL OR exit_date >= applied_on", name="exits_after_application"
        ),
        CheckConstraint(
            "exit_date IS NULL OR start_date IS NULL OR exit_date >= start_date",
            name="exits_after_start",
        ),
    )
    __mapper_args__ = {"version_id_col": version}

    def __repr__(self) -> str:
        return f"<Enrolment {self.centre_id}/{self.number} {self.status}>"

    @property
    def contract_signed(self) -> bool:
        """Activation records the service contract's number and date and the start: from
        then on the contract can be printed."""
        return bool(self.contract_number and self.contract_date and self.start_date)

    @property
    def holds_a_place(self) -> bool:
        return self.status in HOLDS_A_PLACE

    def active_on(self, day: date) -> bool:
        """Receiving the service on ``day``: started, not exited before it, not suspended from it.

        The exit date is the last day of the service; a suspension counts from its first day.
        """
        if self.status not in ACTIVE_ONCE or self.start_date is None or day < self.start_date:
            return False
        if self.exit_date is not None and day > self.exit_date:
            return False
        return self.suspended_on is None or day < self.suspended_on
