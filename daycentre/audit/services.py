"""Writing the audit trail: every write to personal data and every read of a sensitive record."""

import enum
from datetime import date, datetime, time
from decimal import Decimal
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import Column, insert, inspect

from daycentre.audit.models import AuditEntry
from daycentre.extensions import db

CREATE, UPDATE, DELETE, READ, EXPORT = "create", "update", "delete", "read", "export"
WITHDRAW = "withdraw"  # a consent withdrawn
SIGN_IN, SIGN_IN_FAILED, SIGN_OUT = "sign_in", "sign_in_failed", "sign_out"
SIGN_IN_LOCKED = "sign_in_locked"
SECOND_FACTOR_ENROLLED = "2fa_enrolled"
SECOND_FACTOR_RESET = "2fa_reset"
SECOND_FACTOR_FAILED = "2fa_failed"
RECOVERY_CODE_USED = "recovery_code_used"
IMPORT, IMPORT_UNDONE = "import", "import_undone"  # a spreadsheet moved in, and undone

ACTION_LABELS = {
    CREATE: _l("created"),
    UPDATE: _l("changed"),
    DELETE: _l("deleted"),
    READ: _l("opened"),
    EXPORT: _l("exported"),
    WITHDRAW: _l("withdrew"),
    SIGN_IN: _l("signed in"),
    SIGN_IN_FAILED: _l("failed to sign in"),
    SIGN_OUT: _l("signed out"),
    SIGN_IN_LOCKED: _l("was refused: too many attempts"),
    SECOND_FACTOR_ENROLLED: _l("set up a second factor"),
    SECOND_FACTOR_RESET: _l("reset the second factor"),
    SECOND_FACTOR_FAILED: _l("entered a wrong code"),
    RECOVERY_CODE_USED: _l("used a recovery code"),
    IMPORT: _l("imported"),
    IMPORT_UNDONE: _l("undid the import"),
}


def _plain(value: Any) -> Any:
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, set | frozenset | list | tuple):
        return sorted(_plain(v) for v in value)
    return value


def _audited_columns(obj):
    """The stored columns of a record (not what a query computes, like ``Centre.room_count``)."""
    return [
        c
        for c in inspect(obj).mapper.column_attrs
        if isinstance(c.columns[0], Column) and c.columns[0].info.get("audit", True)
    ]


def snapshot(obj) -> dict[str, Any]:
    """Every audited column of ``obj`` as plain JSON values."""
    return {attr.key: _plain(getattr(obj, attr.key)) for attr in _audited_columns(obj)}


def pending_changes(obj) -> dict[str, list[Any]]:
    """The columns changed on ``obj`` since it was loaded, as ``{name: [old, new]}``."""
    state = inspect(obj)
    changes = {}
    for attr in _audited_columns(obj):
        history = state.attrs[attr.key].history
        if history.has_changes():
            old = history.deleted[0] if history.deleted else None
            new = history.added[0] if history.added else None
            if old != new:
                changes[attr.key] = [_plain(old), _plain(new)]
    return changes


def entry_values(
    action: str,
    obj=None,
    *,
    actor,
    changes: dict[str, Any] | None = None,
    entity: str | None = None,
    entity_id: int | None = None,
    centre_id: int | None = None,
    person_id: int | None = None,
) -> dict[str, Any]:
    """The columns of one entry; for a create the object must have its id."""
    if obj is not None:
        entity = entity or obj.__tablename__
        entity_id = entity_id if entity_id is not None else obj.id
    return {
        "actor_id": getattr(actor, "id", None),
        "action": action,
        "entity": entity,
        "entity_id": entity_id,
        "centre_id": centre_id,
        "person_id": person_id,
        "changes": changes,
    }


def changes_to(obj, values: dict[str, Any]) -> dict[str, list[Any]]:
    """The audited columns ``values`` would change on ``obj``, as ``{name: [old, new]}``: what
    ``pending_changes`` reports once they are set, for a record changed by a bulk statement."""
    changes = {}
    for attr in _audited_columns(obj):
        if attr.key in values:
            old, new = getattr(obj, attr.key), values[attr.key]
            if old != new:
                changes[attr.key] = [_plain(old), _plain(new)]
    return changes


def record(
    action: str,
    obj=None,
    *,
    actor,
    changes: dict[str, Any] | None = None,
    entity: str | None = None,
    entity_id: int | None = None,
    centre_id: int | None = None,
    person_id: int | None = None,
) -> AuditEntry:
    """Append one entry; for a create the object must be flushed so it has its id."""
    values = entry_values(
        action,
        obj,
        actor=actor,
        changes=changes,
        entity=entity,
        entity_id=entity_id,
        centre_id=centre_id,
        person_id=person_id,
    )
    entry = AuditEntry(**values)
    db.session.add(entry)
    return entry


def record_all(entries: list[dict[str, Any]]) -> None:
    """Append many entries (``entry_values``) in one statement, in their order; a save that
    touches a whole group's records writes its trail at once."""
    if entries:
        db.session.execute(insert(AuditEntry), entries)
