"""Centres, their groups, rooms and closure days; queries scoped to what a user may see."""

from datetime import date

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.orm import with_expression

from daycentre.audit import services as audit
from daycentre.auth import scope
from daycentre.centres import calendar
from daycentre.centres.calendar import holiday_name, public_holidays  # noqa: F401 (kept names)
from daycentre.centres.models import Centre, CentreKind, ClosureDay, Group, ProviderType, Room
from daycentre.core.errors import ensure_current, flush_or_refuse
from daycentre.extensions import db


def visible_centres(user, *, include_inactive: bool = False, options=()) -> list[Centre]:
    """The centres the user may see; ``options`` load their related rows in the same go."""
    query = scope.select_visible(Centre, user, options=options).order_by(Centre.name)
    if not include_inactive:
        query = query.where(Centre.active.is_(True))
    return list(db.session.scalars(query))


def with_room_count():
    """A loader option for centres: ``room_count`` counted in the centres' own query."""
    counted = select(func.count(Room.id)).where(Room.centre_id == Centre.id).scalar_subquery()
    return with_expression(Centre.room_count, counted)


def _apply(record, fields: dict) -> dict:
    for name, value in fields.items():
        setattr(record, name, value)
    return audit.pending_changes(record)


def save_centre(
    centre: Centre | None,
    *,
    actor,
    version=None,
    weekdays,
    kind,
    provider_type=ProviderType.PUBLIC,
    **fields,
) -> Centre:
    creating = centre is None
    if creating:
        centre = Centre()
        db.session.add(centre)
    else:
        ensure_current(centre, version)
    centre.weekdays = weekdays
    if fields.get("absence_cutoff") is None:  # left empty: the centre's cut-off stays as it is
        fields.pop("absence_cutoff", None)
    changes = _apply(
        centre, fields | {"kind": CentreKind(kind), "provider_type": ProviderType(provider_type)}
    )
    flush_or_refuse(_l("A centre with this name already exists."))
    action = audit.CREATE if creating else audit.UPDATE
    audit.record(action, centre, actor=actor, centre_id=centre.id, changes=changes)
    return centre


def save_group(
    group: Group | None, *, centre: Centre, actor, version=None, weekdays, **fields
) -> Group:
    creating = group is None
    if creating:
        group = Group(centre=centre)
        db.session.add(group)
    else:
        ensure_current(group, version)
    group.weekdays = weekdays
    changes = _apply(group, fields)
    flush_or_refuse(_l("This centre already has a group with this name."))
    action = audit.CREATE if creating else audit.UPDATE
    audit.record(action, group, actor=actor, centre_id=centre.id, changes=changes)
    return group


def save_room(room: Room | None, *, centre: Centre, actor, version=None, **fields) -> Room:
    creating = room is None
    if creating:
        room = Room(centre=centre)
        db.session.add(room)
    else:
        ensure_current(room, version)
    changes = _apply(room, fields)
    flush_or_refuse(_l("This centre already has a room with this name."))
    action = audit.CREATE if creating else audit.UPDATE
    audit.record(action, room, actor=actor, centre_id=centre.id, changes=changes)
    return room


def add_closure_day(centre: Centre, *, actor, day: date, reason: str) -> ClosureDay:
    closure = ClosureDay(centre=centre, day=day, reason=reason.strip())
    db.session.add(closure)
    flush_or_refuse(_l("This day is already a closure day."))
    audit.record(
        audit.CREATE, closure, actor=actor, centre_id=centre.id, changes=audit.snapshot(closure)
    )
    return closure


def remove_closure_day(closure: ClosureDay, *, actor) -> None:
    audit.record(
        audit.DELETE,
        closure,
        actor=actor,
        centre_id=closure.centre_id,
        changes=audit.snapshot(closure),
    )
    db.session.delete(closure)
    db.session.flush()


def is_operating_day(centre: Centre, day: date) -> bool:
    """Days outside the centre's week, Romanian public holidays and closure days are closed."""
    return calendar.operating_today([centre], day)[centre.id]
