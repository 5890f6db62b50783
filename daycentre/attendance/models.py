from datetime import date, datetime, time

from flask_babel import lazy_gettext as _l
from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    ForeignKey,
    Index,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
    event,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from daycentre.attendance.stamps import keep_stamps
from daycentre.core.database import UTCDateTime, stored_enum, utcnow
from daycentre.core.labels import LabelledEnum
from daycentre.extensions import db


class AttendanceStatus(LabelledEnum):
    PRESENT = "present", _l("Present")
    ABSENT_EXCUSED = "absent_excused", _l("Excused absence")
    ABSENT_UNEXCUSED = "absent_unexcused", _l("Unexcused absence")

    @property
    def letter(self):
        """The sheet's one-letter mark in the user's language (ro P/M/N, hu J/I/H, en P/E/U)."""
        return ATTENDANCE_LETTERS[self]

    @property
    def is_absence(self) -> bool:
        return self is not AttendanceStatus.PRESENT


# Translators: one-letter marks of the attendance sheet, for present, excused, unexcused.
ATTENDANCE_LETTERS = {
    AttendanceStatus.PRESENT: _l("P"),
    AttendanceStatus.ABSENT_EXCUSED: _l("E"),
    AttendanceStatus.ABSENT_UNEXCUSED: _l("U"),
}


class RollCall(db.Model):
    """That a group's roll was taken on a day; its version guards the whole roll against stale saves."""

    __tablename__ = "roll_calls"
    audit_label = _l("Roll call")

    id: Mapped[int] = mapped_column(primary_key=True)
    centre_id: Mapped[int] = mapped_column(ForeignKey("centres.id"), index=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("groups.id"))
    day: Mapped[date]
    saved_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    saved_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    version: Mapped[int] = mapped_column(default=1, server_default="1", info={"audit": False})

    group = relationship("Group")
    saved_by = relationship("User")

    __table_args__ = (UniqueConstraint("group_id", "day"),)
    __mapper_args__ = {"version_id_col": version}


class Attendance(db.Model):
    """One child's mark on one day at one centre: present, or absent with or without an excuse."""

    __tablename__ = "attendances"
    audit_label = _l("Attendance")

    id: Mapped[int] = mapped_column(primary_key=True)
    centre_id: Mapped[int] = mapped_column(ForeignKey("centres.id"))
    group_id: Mapped[int] = mapped_column(ForeignKey("groups.id"))
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"), index=True)
    day: Mapped[date] = mapped_column(index=True)
    status: Mapped[AttendanceStatus] = mapped_column(stored_enum(AttendanceStatus, 20))
    arrives_at: Mapped[time | None]
    leaves_at: Mapped[time | None]
    note: Mapped[str | None] = mapped_column(Text)
    version: Mapped[int] = mapped_column(default=1, server_default="1", info={"audit": False})

    person = relationship("Person")

    __table_args__ = (
        UniqueConstraint("person_id", "centre_id", "day"),
        # A centre's or a group's marks of a day or a month: the roll, the sheet, the alerts.
        Index("ix_attendances_centre_day", "centre_id", "day"),
        Index("ix_attendances_group_day", "group_id", "day"),
        CheckConstraint(
            "arrives_at IS NULL OR leaves_at IS NULL OR arrives_at <= leaves_at",
            name="arrives_before_leaving",
        ),
        # The absence alerts count each child's unexcused marks among these few, not among all.
        Index(
            "ix_attendances_unexcused",
            "person_id",
            "centre_id",
            "day",
            sqlite_where=text("status = 'absent_unexcused'"),
            postgresql_where=text("status = 'absent_unexcused'"),
        ),
    )
    __mapper_args__ = {"version_id_col": version}


class AbsenceAlertRule(db.Model):
    """When a centre's home page warns about a child's absences; the defaults hold until set."""

    __tablename__ = "absence_alert_rules"
    audit_label = _l("Absence alert thresholds")

    DEFAULT_CONSECUTIVE = 3
    DEFAULT_PERCENT = 20

    id: Mapped[int] = mapped_column(primary_key=True)
    centre_id: Mapped[int] = mapped_column(ForeignKey("centres.id"), unique=True)
    consecutive_unexcused: Mapped[int] = mapped_column(default=DEFAULT_CONSECUTIVE)
    unexcused_percent: Mapped[int] = mapped_column(default=DEFAULT_PERCENT)
    version: Mapped[int] = mapped_column(default=1, server_default="1", info={"audit": False})

    __table_args__ = (
        CheckConstraint("consecutive_unexcused >= 1", name="consecutive_positive"),
        CheckConstraint(
            "unexcused_percent >= 0 AND unexcused_percent <= 100", name="percent_in_range"
        ),
    )
    __mapper_args__ = {"version_id_col": version}


class AlertStamp(db.Model):
    """A centre's stamp, new with every change to its marks or enrolments (``attendance.stamps``).
    Written by triggers, never by a person; no foreign key, so that it never holds a centre back
    from being removed."""

    __tablename__ = "alert_stamps"

    centre_id: Mapped[int] = mapped_column(
        primary_key=True, autoincrement=False, info={"audit": False}
    )
    stamp: Mapped[int] = mapped_column(BigInteger, info={"audit": False})


@event.listens_for(db.metadata, "after_create")
def _keep_stamps_of_new_tables(target, connection, **kw):
    if {"attendances", "enrolments", "alert_stamps"} <= set(target.tables):
        keep_stamps(connection)


class KeptSheet(db.Model):
    """A monthly sheet's PDF as laid out once, by the digest of everything it was made from (its
    HTML, WeasyPrint's version, the print style sheet): a second download of an unchanged month
    is not laid out again, and any change to the sheet makes another digest. Kept a few days
    (``attendance.services.KEEP_SHEETS``); emptied when people's data are anonymised."""

    __tablename__ = "kept_sheets"

    digest: Mapped[str] = mapped_column(String(64), primary_key=True, info={"audit": False})
    pdf: Mapped[bytes] = mapped_column(LargeBinary, info={"audit": False})
    made_at: Mapped[datetime] = mapped_column(
        UTCDateTime, default=utcnow, index=True, info={"audit": False}
    )


class AbsenceReason(LabelledEnum):
    ILLNESS = "illness", _l("Illness")
    FAMILY = "family", _l("Family reason")
    OTHER = "other", _l("Other reason")


class AbsenceReport(db.Model):
    """A parent's word, sent ahead, that their child will be absent from ``first_day`` to
    ``last_day``: the roll shows it as an excused absence, the coordinator keeps the last word."""

    __tablename__ = "absence_reports"
    audit_label = _l("Absence reported by a parent")

    id: Mapped[int] = mapped_column(primary_key=True)
    centre_id: Mapped[int] = mapped_column(ForeignKey("centres.id"))
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"), index=True)
    first_day: Mapped[date]
    last_day: Mapped[date]
    reason: Mapped[AbsenceReason] = mapped_column(stored_enum(AbsenceReason, 10))
    note: Mapped[str | None] = mapped_column(Text)
    reported_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    reported_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    withdrawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    person = relationship("Person")
    reported_by = relationship("User")

    __table_args__ = (
        CheckConstraint("first_day <= last_day", name="report_first_before_last"),
        # The roll's read: a centre's reports in force around one day.
        Index("ix_absence_reports_centre_days", "centre_id", "last_day", "first_day"),
    )
