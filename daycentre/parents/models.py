from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from daycentre.core.database import UTCDateTime, stored_enum, utcnow
from daycentre.core.labels import LabelledEnum
from daycentre.extensions import db


class ParentAccount(db.Model):
    """The sign-in of a parent (legal representative): the adult of one family it acts as.

    A parent sees that family's children and nothing else; each parent page reads them through
    ``parents.services``, which starts from this link.
    """

    __tablename__ = "parent_accounts"
    audit_label = _l("Parent account")

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), unique=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, info={"audit": False})

    user = relationship("User")
    person = relationship("Person")


class InvitationKind(LabelledEnum):
    LINK = "link", _l("Link sent by e-mail")
    LETTER = "letter", _l("Printed letter with a code")


class ParentInvitation(db.Model):
    """A one-time key a parent opens their account with: a link for e-mail, or a printed code.

    Only the key's hash is kept (the key itself is shown or printed once). It works once, until
    ``expires_at``; inviting the same adult again revokes the earlier invitation.
    """

    __tablename__ = "parent_invitations"
    audit_label = _l("Parent invitation")

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"), index=True)
    centre_id: Mapped[int] = mapped_column(ForeignKey("centres.id"), index=True)
    kind: Mapped[InvitationKind] = mapped_column(stored_enum(InvitationKind, 10))
    secret_hash: Mapped[str] = mapped_column(String(64), unique=True, info={"audit": False})
    # The language of the message or letter, and the account's language offered on acceptance.
    language: Mapped[str] = mapped_column(String(2))
    email: Mapped[str | None] = mapped_column(String(254))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    person = relationship("Person")
    centre = relationship("Centre")
    created_by = relationship("User", foreign_keys=[created_by_id])

    def is_open(self, now: datetime) -> bool:
        return self.used_at is None and self.revoked_at is None and now < self.expires_at
