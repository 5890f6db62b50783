from datetime import datetime
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import JSON, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from daycentre.core.database import UTCDateTime, stored_enum, utcnow
from daycentre.core.labels import LabelledEnum
from daycentre.extensions import db


class ImportStatus(LabelledEnum):
    PREVIEWED = "previewed", _l("Waiting for confirmation")
    IMPORTED = "imported", _l("Imported")
    UNDONE = "undone", _l("Undone")
    CANCELLED = "cancelled", _l("Cancelled")


class ImportBatch(db.Model):
    """One spreadsheet brought in: its rows until they are confirmed, then the records it created.

    Its own columns stay out of the audit trail (the file's rows are personal data kept only for
    the preview); the import and its undoing are audited with their counts and records.
    """

    __tablename__ = "import_batches"
    audit_label = _l("Import")

    id: Mapped[int] = mapped_column(primary_key=True)
    centre_id: Mapped[int] = mapped_column(ForeignKey("centres.id"), index=True)
    kind: Mapped[str] = mapped_column(String(30))
    file_name: Mapped[str] = mapped_column(String(200), info={"audit": False})
    status: Mapped[ImportStatus] = mapped_column(stored_enum(ImportStatus, 20))
    # The file's column headers and its rows as text, kept only until the import is confirmed or
    # cancelled: they hold personal data the register does not need twice.
    headers: Mapped[list[str] | None] = mapped_column(JSON, info={"audit": False})
    rows: Mapped[list[list[Any]] | None] = mapped_column(JSON, info={"audit": False})
    # The names of the workbook's sheets that were not read (hidden, or after the first).
    notices: Mapped[list[str] | None] = mapped_column(JSON, info={"audit": False})
    row_count: Mapped[int] = mapped_column(default=0, info={"audit": False})
    imported_count: Mapped[int] = mapped_column(default=0, info={"audit": False})
    # {table: {id: version}} of the records the import created, for undoing it as a whole.
    created: Mapped[dict[str, dict[str, int]] | None] = mapped_column(JSON, info={"audit": False})
    uploaded_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"), info={"audit": False})
    uploaded_at: Mapped[datetime] = mapped_column(
        UTCDateTime, default=utcnow, info={"audit": False}
    )
    imported_at: Mapped[datetime | None] = mapped_column(UTCDateTime, info={"audit": False})
    undone_at: Mapped[datetime | None] = mapped_column(UTCDateTime, info={"audit": False})

    centre = relationship("Centre")
    uploaded_by = relationship("User")


class ColumnMapping(db.Model):
    """How a centre's own spreadsheet names the columns: remembered for its next file."""

    __tablename__ = "column_mappings"
    audit_label = _l("Column mapping")

    id: Mapped[int] = mapped_column(primary_key=True)
    centre_id: Mapped[int] = mapped_column(ForeignKey("centres.id"), index=True)
    kind: Mapped[str] = mapped_column(String(30))
    # {folded header: field name}; an empty field name means the column is ignored.
    columns: Mapped[dict[str, str]] = mapped_column(JSON, default=dict, info={"audit": False})

    __table_args__ = (UniqueConstraint("centre_id", "kind"),)
