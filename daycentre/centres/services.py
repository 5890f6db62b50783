"""Centres, their groups, rooms and closure days; queries scoped to what a user may see."""

from datetime import date

import holidays
from flask_babel import lazy_gettext as _l

from daycentre.audit import services as audit
from daycentre.centres.models import Centre, CentreKind, ClosureDay, Group, Room
from daycentre.errors import ensure_current, flush_or_refuse
from daycentre.extensions import db


def visible_centres(user, *, include_inactive: bool = False) -> list[Centre]:
    query = db.select(Centre).order_by(Centre.name)
    if not user.is_admin:
        query = query.where(Centre.id.in_(user.centre_ids or {0}))
    if not include_inactive:
        query = query.where(Centre.active.is_(True))
    return list(db.session.scalars(query))


def _apply(record, fields: dict) -> dict:
    for name, value in fields.items():
        setattr(record, name, value)
    return audit.pending_changes(record)


def save_centre(centre: Centre | None, *, actor, version=None, weekdays, kind, **fields) -> Centre:
    creating = centre is None
    if creating:
        centre = Centre()
        db.session.add(centre)
    else:
        ensure_current(centre, version)
    centre.weekdays = weekdays
    changes = _apply(centre, fields | {"kind": CentreKind(kind)})
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


def public_holidays(year: int) -> holidays.HolidayBase:
    return holidays.country_holidays("RO", years=year, language="en_US")


# The holidays package names Romania's public holidays in Romanian and English only; the
# catalogs carry them in every language of the interface.
HOLIDAY_NAMES = {
    "New Year's Day": _l("New Year's Day"),
    "Epiphany": _l("Epiphany"),
    "Saint John the Baptist": _l("Saint John the Baptist"),
    "Unification of the Romanian Principalities Day": _l(
        "Unification of the Romanian Principalities Day"
    ),
    "Good Friday": _l("Good Friday"),
    "Easter": _l("Easter"),
    "Labor Day": _l("Labour Day"),
    "Children's Day": _l("Children's Day"),
    "Pentecost": _l("Pentecost"),
    "Dormition of the Mother of God": _l("Dormition of the Mother of God"),
    "Saint Andrew's Day": _l("Saint Andrew's Day"),
    "National Day": _l("National Day of Romania"),
    "Christmas Day": _l("Christmas Day"),
}


def holiday_name(day: date) -> str | None:
    """The public holiday on ``day`` named in the user's language, or None."""
    names = public_holidays(day.year).get(day)
    if names is None:
        return None
    return "; ".join(str(HOLIDAY_NAMES.get(name.strip(), name)) for name in names.split(";"))


def is_operating_day(centre: Centre, day: date) -> bool:
    """Days outside the centre's week, Romanian public holidays and closure days are closed."""
    if not centre.is_open_on(day) or day in public_holidays(day.year):
        return False
    return all(closure.day != day for closure in centre.closure_days)
