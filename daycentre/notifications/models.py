from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from daycentre.core.database import UTCDateTime, stored_enum, utcnow
from daycentre.core.labels import LabelledEnum
from daycentre.extensions import db


class Channel(LabelledEnum):
    EMAIL = "email", _l("E-mail")
    SMS = "sms", _l("SMS")


class MessageState(LabelledEnum):
    WAITING = "waiting", _l("Waiting")
    SENDING = "sending", _l("Being sent")
    SENT = "sent", _l("Sent")
    FAILED = "failed", _l("Failed")


class Event(LabelledEnum):
    """Why a message is sent; each centre turns each event on or off (``NotificationSetting``)."""

    CHILD_ABSENT = "child_absent", _l("A child is absent without a parent's report")
    PLACE_OFFERED = "place_offered", _l("A place is offered from a waiting list")
    COUNSELLING_REMINDER = "counselling_reminder", _l("Reminder of a counselling session")
    WORKSHOP_REMINDER = "workshop_reminder", _l("Reminder of a workshop session")
    ACTIVITY_REMINDER = "activity_reminder", _l("Reminder of a volunteer activity")
    OUTING_PERMISSION = "outing_permission", _l("An outing permission is asked")
    CONTRACT_ENDING = "contract_ending", _l("A volunteer contract is ending")
    COMPLAINT_ANSWERED = "complaint_answered", _l("A complaint was answered")
    SIGNUP_CANCELLED = "signup_cancelled", _l("A volunteer cancelled inside the notice period")
    INVITATION = "invitation", _l("An invitation to a parent account")

    @property
    def on_by_default(self) -> bool:
        # Telling parents of every absence is a choice a centre makes for itself.
        return self is not Event.CHILD_ABSENT


# The sender's bookkeeping: out of the audit trail and of the subject-access page (the JSON export
# of the data held keeps them).
BOOKKEEPING = {"audit": False, "subject_access": False}


class Message(db.Model):
    """One message in the outbox: rendered when queued, sent by ``flask notify send``.

    ``dedup_key`` (event, record, recipient, channel and, for reminders, the day) makes an event
    queued twice one message.
    """

    __tablename__ = "outbox_messages"
    audit_label = _l("Message")

    id: Mapped[int] = mapped_column(primary_key=True)
    centre_id: Mapped[int | None] = mapped_column(ForeignKey("centres.id"), index=True)
    event: Mapped[Event] = mapped_column(stored_enum(Event, 30))
    record_type: Mapped[str] = mapped_column(String(40), info=BOOKKEEPING)
    record_id: Mapped[int] = mapped_column(info=BOOKKEEPING)
    # What the trail shows of a message is who sends it again (``retry``): its other columns are
    # the sender's bookkeeping, kept out of the audit trail.
    # Whom: a user account, a person without one, or only a name and an address (a complainant).
    user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), info=BOOKKEEPING
    )
    person_id: Mapped[int | None] = mapped_column(
        ForeignKey("people.id", ondelete="SET NULL"), info={"audit": False}
    )
    recipient_name: Mapped[str] = mapped_column(String(200), info={"audit": False})
    channel: Mapped[Channel] = mapped_column(stored_enum(Channel, 10), info={"audit": False})
    address: Mapped[str] = mapped_column(String(254))
    locale: Mapped[str] = mapped_column(String(5), info={"audit": False})
    subject: Mapped[str] = mapped_column(String(300), info={"audit": False})
    text: Mapped[str] = mapped_column(Text, info={"audit": False})
    dedup_key: Mapped[str] = mapped_column(String(200), unique=True, info=BOOKKEEPING)
    state: Mapped[MessageState] = mapped_column(
        stored_enum(MessageState, 10), default=MessageState.WAITING, info=BOOKKEEPING
    )
    attempts: Mapped[int] = mapped_column(default=0, server_default="0")
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, info=BOOKKEEPING)
    last_error: Mapped[str | None] = mapped_column(Text, info=BOOKKEEPING)
    # Which sender holds a message being sent, and since when (a crashed sender's claim expires).
    claim_token: Mapped[str | None] = mapped_column(String(32), info=BOOKKEEPING)
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, info=BOOKKEEPING)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime, info={"audit": False})

    centre = relationship("Centre")

    __table_args__ = (
        # The sender's question: what is waiting and due, oldest first.
        Index("ix_outbox_messages_state_next", "state", "next_attempt_at"),
        Index("ix_outbox_messages_record", "record_type", "record_id"),
    )


class NotificationPreference(db.Model):
    """The channels one person chose (and, without an account, the language of their messages).

    A user's row for their own account, or a person's row that the staff keep; without a row,
    e-mail only.
    """

    __tablename__ = "notification_preferences"
    audit_label = _l("Message preferences")

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), unique=True
    )
    person_id: Mapped[int | None] = mapped_column(
        ForeignKey("people.id", ondelete="CASCADE"), unique=True
    )
    email: Mapped[bool] = mapped_column(default=True)
    sms: Mapped[bool] = mapped_column(default=False)
    locale: Mapped[str | None] = mapped_column(String(5))
    updated_at: Mapped[datetime] = mapped_column(
        UTCDateTime, default=utcnow, onupdate=utcnow, info={"audit": False}
    )

    def channels(self) -> set["Channel"]:
        return {c for c, on in ((Channel.EMAIL, self.email), (Channel.SMS, self.sms)) if on}


class NotificationSetting(db.Model):
    """Whether a centre sends the messages of one event; without a row, the event's default."""

    __tablename__ = "notification_settings"
    audit_label = _l("Message setting")

    id: Mapped[int] = mapped_column(primary_key=True)
    centre_id: Mapped[int] = mapped_column(ForeignKey("centres.id", ondelete="CASCADE"))
    event: Mapped[Event] = mapped_column(stored_enum(Event, 30))
    enabled: Mapped[bool]

    __table_args__ = (UniqueConstraint("centre_id", "event"),)
