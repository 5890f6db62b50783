from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, String, event
from sqlalchemy.orm import Mapped, mapped_column, relationship

from daycentre.database import UTCDateTime, utcnow
from daycentre.extensions import db


class AuditEntry(db.Model):
    """Who did what to which record, and when. Append-only: rows are never changed or removed."""

    __tablename__ = "audit_entries"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    action: Mapped[str] = mapped_column(String(20))
    entity: Mapped[str] = mapped_column(String(50))
    entity_id: Mapped[int | None] = mapped_column(index=True)
    centre_id: Mapped[int | None] = mapped_column(index=True)
    # The person the record is about, kept without a foreign key so the trail outlives the record.
    person_id: Mapped[int | None] = mapped_column(index=True)
    changes: Mapped[dict[str, Any] | None] = mapped_column(JSON)

    actor = relationship("User")


@event.listens_for(AuditEntry, "before_update")
@event.listens_for(AuditEntry, "before_delete")
def _refuse_rewriting_history(mapper, connection, target):
    raise PermissionError("audit entries are append-only")
