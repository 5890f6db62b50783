from datetime import date, datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from daycentre.core.database import UTCDateTime, stored_enum, utcnow
from daycentre.core.labels import LabelledEnum
from daycentre.core.localtime import BUCHAREST
from daycentre.extensions import db


class SessionType(LabelledEnum):
    SOCIAL = "social", _l("Social counselling")
    PSYCHOLOGICAL = "psychological", _l("Psychological counselling")
    LEGAL = "legal", _l("Legal counselling")
    PARENTAL_EDUCATION = "parental_education", _l("Parental education")
    INFORMATION = "information", _l("Information")


class SessionStatus(LabelledEnum):
    SCHEDULED = "scheduled", _l("Scheduled")
    HELD = "held", _l("Held")
    NO_SHOW = "no_show", _l("Did not come")
    CANCELLED = "cancelled", _l("Cancelled")


# A cancelled session frees its time; every other status keeps the counsellor, room and
# beneficiary busy (a no-show still took the counsellor's hour).
OCCUPYING = (SessionStatus.SCHEDULED, SessionStatus.HELD, SessionStatus.NO_SHOW)


class SessionSeries(db.Model):
    """Sessions booked together: every ``interval_days`` days, a number of times or until a date."""

    __tablename__ = "session_series"
    audit_label = _l("Series of sessions")

    id: Mapped[int] = mapped_column(primary_key=True)
    centre_id: Mapped[int] = mapped_column(ForeignKey("centres.id"), index=True)
    interval_days: Mapped[int]
    occurrences: Mapped[int | None]
    until: Mapped[date | None]
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, info={"audit": False})

    sessions: Mapped[list["CounsellingSession"]] = relationship(
        back_populates="series", order_by="CounsellingSession.starts_at"
    )

    __table_args__ = (CheckConstraint("interval_days > 0", name="interval_positive"),)


class CounsellingSession(db.Model):
    """One individual or family session: who, with whom, where, when, and how it went."""

    __tablename__ = "counselling_sessions"
    audit_label = _l("Counselling session")

    id: Mapped[int] = mapped_column(primary_key=True)
    centre_id: Mapped[int] = mapped_column(ForeignKey("centres.id"))
    series_id: Mapped[int | None] = mapped_column(ForeignKey("session_series.id"), index=True)
    counsellor_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    room_id: Mapped[int] = mapped_column(ForeignKey("rooms.id"), index=True)
    # The beneficiary: one person, or a whole family.
    person_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"), index=True)
    family_id: Mapped[int | None] = mapped_column(ForeignKey("families.id"), index=True)
    session_type: Mapped[SessionType] = mapped_column(stored_enum(SessionType, 30))
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    status: Mapped[SessionStatus] = mapped_column(
        stored_enum(SessionStatus, 20),
        default=SessionStatus.SCHEDULED,
    )
    cancel_reason: Mapped[str | None] = mapped_column(String(300))
    minutes_spent: Mapped[int | None]
    booked_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, info={"audit": False})
    version: Mapped[int] = mapped_column(default=1, server_default="1", info={"audit": False})

    centre = relationship("Centre")
    counsellor = relationship("User", foreign_keys=[counsellor_id])
    booked_by = relationship("User", foreign_keys=[booked_by_id])
    room = relationship("Room")
    person = relationship("Person")
    family = relationship("Family")
    series: Mapped[SessionSeries | None] = relationship(back_populates="sessions")
    note: Mapped["SessionNote | None"] = relationship(back_populates="session", uselist=False)

    __table_args__ = (
        CheckConstraint("starts_at < ends_at", name="starts_before_end"),
        CheckConstraint("(person_id IS NULL) <> (family_id IS NULL)", name="one_beneficiary"),
        CheckConstraint("minutes_spent IS NULL OR minutes_spent >= 0", name="minutes_not_negative"),
        # A counsellor's week, a centre's sessions of a period.
        Index("ix_counselling_sessions_counsellor_starts", "counsellor_id", "starts_at"),
        Index("ix_counselling_sessions_centre_starts", "centre_id", "starts_at"),
    )
    __mapper_args__ = {"version_id_col": version}

    def __repr__(self) -> str:
        return f"<CounsellingSession {self.id} {self.starts_at:%Y-%m-%d %H:%M}Z {self.status}>"

    @property
    def local_start(self) -> datetime:
        return self.starts_at.astimezone(BUCHAREST)

    @property
    def local_end(self) -> datetime:
        return self.ends_at.astimezone(BUCHAREST)

    @property
    def duration_minutes(self) -> int:
        return int((self.ends_at - self.starts_at).total_seconds() // 60)

    @property
    def beneficiary(self):
        return self.person or self.family

    @property
    def beneficiary_name(self) -> str:
        if self.person is not None:
            return self.person.full_name
        return self.family.name

    @property
    def beneficiary_key(self) -> str:
        return f"p{self.person_id}" if self.person_id else f"f{self.family_id}"

    @property
    def initials(self) -> str:
        """What the private calendar feed says about the beneficiary, and nothing more."""
        person = self.person
        names = (person.given_name, person.family_name) if person else (self.family.name,)
        return "".join(f"{name.strip()[:1].upper()}." for name in names if name.strip())


class SessionNote(db.Model):
    """The counsellor's confidential note on one session.

    Its text is never written to the audit trail (``audit: False``): the trail is read by admins.
    """

    __tablename__ = "session_notes"
    audit_label = _l("Session note")

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("counselling_sessions.id"), unique=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    # Confidential: neither the audit trail nor a subject-access export (read by admins) shows it.
    text: Mapped[str] = mapped_column(Text, info={"audit": False, "confidential": True})
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    version: Mapped[int] = mapped_column(default=1, server_default="1", info={"audit": False})

    session: Mapped[CounsellingSession] = relationship(back_populates="note")
    author = relationship("User")

    __mapper_args__ = {"version_id_col": version}


class NoteShare(db.Model):
    """The author shares the notes on one beneficiary's sessions with another counsellor."""

    __tablename__ = "note_shares"
    audit_label = _l("Shared notes")

    id: Mapped[int] = mapped_column(primary_key=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    counsellor_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    person_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"), index=True)
    family_id: Mapped[int | None] = mapped_column(ForeignKey("families.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    author = relationship("User", foreign_keys=[author_id])
    counsellor = relationship("User", foreign_keys=[counsellor_id])
    person = relationship("Person")
    family = relationship("Family")

    __table_args__ = (
        UniqueConstraint("author_id", "counsellor_id", "person_id", "family_id"),
        CheckConstraint("(person_id IS NULL) <> (family_id IS NULL)", name="one_beneficiary"),
        CheckConstraint("author_id <> counsellor_id", name="not_with_oneself"),
    )

    @property
    def beneficiary_name(self) -> str:
        return self.person.full_name if self.person is not None else self.family.name


class CalendarFeed(db.Model):
    """A counsellor's private calendar address; regenerating the token revokes the old address."""

    __tablename__ = "calendar_feeds"
    audit_label = _l("Calendar feed")

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), unique=True)
    token: Mapped[str] = mapped_column(String(64), unique=True, info={"audit": False})
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    user = relationship("User")
