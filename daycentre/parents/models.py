from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import ForeignKey
from sqlalchemy.orm import Mapped, mapped_column, relationship

from daycentre.core.database import UTCDateTime, utcnow
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
