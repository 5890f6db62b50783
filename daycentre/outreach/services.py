"""Saving outreach records with their audit trail; searching the resource directory; counting."""

from flask_babel import lazy_gettext as _l
from sqlalchemy import or_

from daycentre.audit import services as audit
from daycentre.auth import scope
from daycentre.core.errors import Refused, ensure_current
from daycentre.core.text import fold
from daycentre.extensions import db
from daycentre.outreach.models import (
    CommunityResource,
    ParticipantKind,
    Training,
    TrainingParticipant,
)

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
    if isinstance(record, Training) and record.participants:
        # Once people are named, the number is theirs: a typed number would not be counted.
        record.persons_trained = len(record.participants)
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


# ---- Who took part in a training ------------------------------------------------------------


def _person_key(kind: ParticipantKind, user, volunteer, name, organisation) -> str:
    if kind is ParticipantKind.STAFF:
        return f"staff:{user.id}"
    if kind is ParticipantKind.VOLUNTEER:
        return f"volunteer:{volunteer.id}"
    return f"partner:{fold(name)}|{fold(organisation)}"[:450]


def add_participant(
    training: Training,
    *,
    actor,
    kind: ParticipantKind,
    user=None,
    volunteer=None,
    name: str | None = None,
    organisation: str | None = None,
) -> TrainingParticipant:
    """Name someone who took part; the training's number of persons trained becomes the number
    of people named on it (the typed number stands only while nobody is named)."""
    name, organisation = (name or "").strip() or None, (organisation or "").strip() or None
    if kind is ParticipantKind.STAFF and user is None:
        raise Refused(_l("Choose the staff member who took part."), field="user_id")
    if kind is ParticipantKind.VOLUNTEER and volunteer is None:
        raise Refused(_l("Choose the volunteer who took part."), field="volunteer_id")
    if kind is ParticipantKind.PARTNER and not (name and organisation):
        raise Refused(_l("Enter the specialist's name and organisation."), field="name")
    if kind is not ParticipantKind.PARTNER:
        name = organisation = None
    if kind is not ParticipantKind.STAFF:
        user = None
    if kind is not ParticipantKind.VOLUNTEER:
        volunteer = None
    key = _person_key(kind, user, volunteer, name, organisation)
    if any(p.person_key == key for p in training.participants):
        raise Refused(_l("This person is already named on the training."))
    participant = TrainingParticipant(
        training=training,
        kind=kind,
        user=user,
        volunteer=volunteer,
        name=name,
        organisation=organisation,
        person_key=key,
    )
    db.session.add(participant)
    db.session.flush()
    audit.record(
        audit.CREATE,
        participant,
        actor=actor,
        centre_id=training.centre_id,
        changes=audit.snapshot(participant),
    )
    _count_named(training, actor=actor)
    return participant


def remove_participant(participant: TrainingParticipant, *, actor) -> None:
    training = participant.training
    audit.record(
        audit.DELETE,
        participant,
        actor=actor,
        centre_id=training.centre_id,
        changes=audit.snapshot(participant),
    )
    training.participants.remove(participant)
    db.session.flush()
    _count_named(training, actor=actor)


def _count_named(training: Training, *, actor) -> None:
    # With the last one removed nobody is named: the training counts 0 until a number is typed.
    training.persons_trained = len(training.participants)
    changes = audit.pending_changes(training)
    db.session.flush()
    if changes:
        audit.record(
            audit.UPDATE, training, actor=actor, centre_id=training.centre_id, changes=changes
        )
