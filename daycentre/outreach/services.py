"""Saving outreach records with their audit trail; searching the resource directory; counting."""

from daycentre.audit import services as audit
from daycentre.errors import ensure_current
from daycentre.extensions import db
from daycentre.outreach.models import CommunityResource
from daycentre.text import fold


def visible(model, user):
    """Records of the user's centres; the directorate's own (no centre) and all for an admin."""
    query = db.select(model)
    if not user.is_admin:
        query = query.where(model.centre_id.in_(user.centre_ids or {0}))
    return query


def save_record(record, *, model, actor, version=None, **fields):
    creating = record is None
    if creating:
        record = model()
        db.session.add(record)
    else:
        ensure_current(record, version)
    for name, value in fields.items():
        setattr(record, name, value)
    if isinstance(record, CommunityResource):
        record.search_key = _resource_search_key(record)
    changes = audit.pending_changes(record)
    db.session.flush()
    action = audit.CREATE if creating else audit.UPDATE
    audit.record(action, record, actor=actor, centre_id=record.centre_id, changes=changes)
    return record


def delete_record(record, *, actor) -> None:
    audit.record(
        audit.DELETE,
        record,
        actor=actor,
        centre_id=record.centre_id,
        changes=audit.snapshot(record),
    )
    db.session.delete(record)
    db.session.flush()


def _resource_search_key(resource: CommunityResource) -> str:
    parts = (
        resource.organisation,
        resource.service,
        resource.address,
        resource.eligibility,
        resource.languages,
    )
    return fold(" ".join(part for part in parts if part))


def search_resources(text: str = "", *, include_inactive: bool = False) -> list[CommunityResource]:
    """Every word must appear, ignoring case and accents ("szocialis" finds "Szociális")."""
    query = db.select(CommunityResource).order_by(
        CommunityResource.organisation, CommunityResource.service
    )
    if not include_inactive:
        query = query.where(CommunityResource.active.is_(True))
    for word in fold(text).split():
        escaped = word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        query = query.where(CommunityResource.search_key.like(f"%{escaped}%", escape="\\"))
    return list(db.session.scalars(query))
