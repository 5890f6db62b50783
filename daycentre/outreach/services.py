"""Saving outreach records with their audit trail; searching the resource directory; counting."""

from sqlalchemy import or_

from daycentre.audit import services as audit
from daycentre.auth import scope
from daycentre.core.errors import ensure_current
from daycentre.core.text import fold
from daycentre.extensions import db
from daycentre.outreach.models import CommunityResource

# The rule for outreach records: each belongs to one centre (or, without a centre, to the
# directorate) and only that centre's staff (the directorate's: an administrator) change or delete
# it. The community resource directory alone is shared for reading: every centre lists, searches,
# counts and prints every centre's active resources, since a family may need an organisation
# another centre found. A resource set inactive is listed only to those who may edit it.
SHARED_FOR_READING = (CommunityResource,)


def visible(model, user):
    """Records the user may change: their centres'; the directorate's own and all for an admin."""
    return scope.select_visible(model, user)


def listed(model, user):
    """Records the user sees in a list or a count: the shared directory, else what they may change."""
    if model in SHARED_FOR_READING:
        return db.select(model).where(or_(model.active.is_(True), scope.visible(model, user)))
    return visible(model, user)


def may_change(record, user) -> bool:
    return scope.sees_centre(user, record.centre_id) or user.is_admin


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


def search_resources(text: str = "", *, user) -> list[CommunityResource]:
    """The directory as ``user`` sees it; every word must appear, ignoring case and accents
    ("szocialis" finds "Szociális")."""
    query = listed(CommunityResource, user).order_by(
        CommunityResource.organisation, CommunityResource.service
    )
    for word in fold(text).split():
        escaped = word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        query = query.where(CommunityResource.search_key.like(f"%{escaped}%", escape="\\"))
    return list(db.session.scalars(query))
