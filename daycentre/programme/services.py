"""The rules of the children's programme, outings, the school link and who may collect a child.

A child missing at an outing's return is written at once in the serious-incident register
(``registers.services.record_missing_child_incident``).
"""

from dataclasses import dataclass
from datetime import date, time, timedelta
from decimal import Decimal

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import (
    Select,
    and_,
    case,
    func,
    or_,
    select,
)
from sqlalchemy.orm import aliased, joinedload

from daycentre.audit import services as audit
from daycentre.auth.models import User
from daycentre.auth.roles import Role
from daycentre.centres.models import Centre, Group, Room
from daycentre.core.errors import Refused, ensure_current, flush_or_refuse
from daycentre.core.localtime import local_date, local_instant, now, today, week_start
from daycentre.core.text import fold
from daycentre.enrolment.services import children_active_on
from daycentre.extensions import db
from daycentre.notifications import services as notify
from daycentre.notifications.models import Event
from daycentre.people.models import Person
from daycentre.people.services import by_family_name, deleting_person
from daycentre.programme.models import (
    Collector,
    Departure,
    LeavingAlone,
    Outing,
    OutingChild,
    OutingStatus,
    PermissionMedium,
    PermissionState,
    ProgrammeSlot,
    Qualifier,
    SchoolContact,
    SchoolLink,
    SchoolResult,
    SlotDay,
    Weekday,
    WeeklyProgramme,
)
from daycentre.registers.services import record_missing_child_incident
from daycentre.volunteers import services as volunteering
from daycentre.volunteers.models import Activity, Volunteer


def _created(record, *, actor, centre_id, person_id=None) -> None:
    db.session.flush()
    audit.record(
        audit.CREATE,
        record,
        actor=actor,
        centre_id=centre_id,
        person_id=person_id,
        changes=audit.snapshot(record),
    )


def _updated(record, fields: dict, *, actor, centre_id, person_id=None, message=None) -> None:
    for name, value in fields.items():
        setattr(record, name, value)
    changes = audit.pending_changes(record)
    flush_or_refuse(message or _l("Someone else saved at the same moment. Try again."))
    if changes:
        audit.record(
            audit.UPDATE,
            record,
            actor=actor,
            centre_id=centre_id,
            person_id=person_id,
            changes=changes,
        )


def _sees(actor, centre_id: int) -> None:
    if not actor.sees_centre(centre_id):
        raise Refused(_l("Choose one of your centres."))


def _current(record, version) -> None:
    """A form's version is checked when the form sent one (a service called directly has none)."""
    if version is not None:
        ensure_current(record, version)


def _text(value) -> str | None:
    return (value or "").strip() or None


# --- The weekly programme ------------------------------------------------------------------------


def programmes_of(group: Group) -> list[WeeklyProgramme]:
    return list(
        db.session.scalars(
            select(WeeklyProgramme)
            .where(WeeklyProgramme.group_id == group.id)
            .order_by(WeeklyProgramme.valid_from.desc())
        )
    )


def programme_on(group_id: int, day: date) -> WeeklyProgramme | None:
    """The programme in force on ``day``: the latest one valid from that day or earlier."""
    return db.session.scalar(
        select(WeeklyProgramme).where(WeeklyProgramme.id == WeeklyProgramme.in_force(group_id, day))
    )


def valid_until(programme: WeeklyProgramme) -> date | None:
    """The last day of a programme: the day before the group's next one, if any."""
    following = db.session.scalar(
        select(WeeklyProgramme.valid_from)
        .where(
            WeeklyProgramme.group_id == programme.group_id,
            WeeklyProgramme.valid_from > programme.valid_from,
        )
        .order_by(WeeklyProgramme.valid_from)
        .limit(1)
    )
    return following - timedelta(days=1) if following else None


def create_programme(
    group: Group, *, actor, valid_from: date, notes: str | None = None, copy_current: bool = True
) -> WeeklyProgramme:
    """A new programme for the group from ``valid_from``; the slots of the one in force then are
    copied, so a new term starts from the last one."""
    _sees(actor, group.centre_id)
    if valid_from is None:
        raise Refused(_l("Enter the date the programme is valid from."), "valid_from")
    earlier = programme_on(group.id, valid_from) if copy_current else None
    programme = WeeklyProgramme(
        centre_id=group.centre_id, group_id=group.id, valid_from=valid_from, notes=_text(notes)
    )
    db.session.add(programme)
    flush_or_refuse(_l("The group already has a programme valid from this date."))
    if earlier is not None:
        for slot in earlier.slots:
            programme.slots.append(
                ProgrammeSlot(
                    weekday=slot.weekday,
                    starts_at=slot.starts_at,
                    ends_at=slot.ends_at,
                    kind=slot.kind,
                    title=slot.title,
                    leader_id=slot.leader_id,
                    volunteer_id=slot.volunteer_id,
                    volunteer_places=slot.volunteer_places,
                    room_id=slot.room_id,
                )
            )
    _created(programme, actor=actor, centre_id=group.centre_id)
    return programme


def save_slot(
    slot: ProgrammeSlot | None,
    *,
    programme: WeeklyProgramme,
    actor,
    version=None,
    weekday,
    starts_at: time,
    ends_at: time,
    kind,
    title: str,
    leader_id: int | None = None,
    volunteer_id: int | None = None,
    volunteer_places: int | None = None,
    room_id: int | None = None,
) -> ProgrammeSlot:
    """A slot is led by one staff member or one volunteer, or opened to volunteers (places)."""
    _sees(actor, programme.centre_id)
    title = _text(title)
    if not title:
        raise Refused(_l("Enter what the slot is."), "title")
    if starts_at >= ends_at:
        raise Refused(_l("The end must be later than the start."), "ends_at")
    if leader_id and volunteer_id:
        raise Refused(_l("Choose a staff member or a volunteer to lead the slot, not both."))
    if volunteer_id and volunteer_places:
        raise Refused(
            _l("A slot opened to volunteers has no volunteer named in advance."), "volunteer_id"
        )
    if volunteer_id and not _of_centre(Volunteer, volunteer_id, programme.centre_id):
        raise Refused(_l("Choose one of the centre's volunteers."), "volunteer_id")
    if room_id and not _of_centre(Room, room_id, programme.centre_id):
        raise Refused(_l("Choose one of the centre's rooms."), "room_id")
    fields = {
        "weekday": Weekday(weekday),
        "starts_at": starts_at,
        "ends_at": ends_at,
        "kind": kind,
        "title": title,
        "leader_id": leader_id or None,
        "volunteer_id": volunteer_id or None,
        "volunteer_places": volunteer_places or None,
        "room_id": room_id or None,
    }
    if slot is None:
        slot = ProgrammeSlot(programme=programme, **fields)
        db.session.add(slot)
        _created(slot, actor=actor, centre_id=programme.centre_id)
        return slot
    ensure_current(slot, version)
    _updated(slot, fields, actor=actor, centre_id=programme.centre_id)
    return slot


def delete_slot(slot: ProgrammeSlot, *, actor) -> None:
    programme = slot.programme
    _sees(actor, programme.centre_id)
    if db.session.scalar(select(SlotDay.id).where(SlotDay.slot_id == slot.id).limit(1)):
        raise Refused(
            _l("This slot already has notes of what was done; start a new programme instead.")
        )
    audit.record(audit.DELETE, slot, actor=actor, centre_id=programme.centre_id)
    programme.slots.remove(slot)
    db.session.flush()


def _of_centre(model, record_id: int, centre_id: int) -> bool:
    record = db.session.get(model, record_id)
    return record is not None and record.centre_id == centre_id


@dataclass
class DaySlot:
    slot: ProgrammeSlot
    day: SlotDay | None


def day_programme(group_id: int, day: date) -> list[DaySlot]:
    """The day's slots of the programme in force, each with its note of the day, as records in
    one query (the roll page reads them as plain values: ``programme.roll``)."""
    in_force = WeeklyProgramme.in_force(group_id, day)
    rows = db.session.execute(
        select(ProgrammeSlot, SlotDay)
        .outerjoin(SlotDay, and_(SlotDay.slot_id == ProgrammeSlot.id, SlotDay.day == day))
        .where(
            ProgrammeSlot.programme_id == in_force,
            ProgrammeSlot.weekday == Weekday(str(day.isoweekday())),
        )
        .options(
            joinedload(ProgrammeSlot.room),
            joinedload(ProgrammeSlot.leader),
            joinedload(ProgrammeSlot.volunteer),
        )
        .order_by(ProgrammeSlot.starts_at)
    )
    return [DaySlot(slot, slot_day) for slot, slot_day in rows]


def _slot_day(slot: ProgrammeSlot, day: date) -> SlotDay:
    found = db.session.scalar(select(SlotDay).where(SlotDay.slot_id == slot.id, SlotDay.day == day))
    if found is None:
        found = SlotDay(slot=slot, day=day)
        db.session.add(found)
    return found


def _check_slot_day(slot: ProgrammeSlot, day: date) -> None:
    if (
        slot.weekday.value != str(day.isoweekday())
        or programme_on(slot.programme.group_id, day) is not slot.programme
    ):
        raise Refused(_l("This slot is not in the group's programme on that day."))


def write_slot_note(slot: ProgrammeSlot, day: date, *, actor, note: str) -> SlotDay:
    """The short note of what was done in a slot that day; written on the day or after it."""
    _sees(actor, slot.programme.centre_id)
    _check_slot_day(slot, day)
    if day > today():
        raise Refused(_l("What was done can be written on the day or after it."), "note")
    slot_day = _slot_day(slot, day)
    creating = slot_day.id is None
    slot_day.written_by_id = actor.id
    if creating:
        slot_day.note = _text(note)
        _created(slot_day, actor=actor, centre_id=slot.programme.centre_id)
    else:
        _updated(slot_day, {"note": _text(note)}, actor=actor, centre_id=slot.programme.centre_id)
    return slot_day


def open_week_to_volunteers(programme: WeeklyProgramme, monday: date, *, actor) -> list[Activity]:
    """The week's slots opened to volunteers become volunteer activities they sign up for (once
    per slot and day; days already published are left as they are)."""
    _sees(actor, programme.centre_id)
    monday = week_start(monday)
    created = []
    for slot in programme.slots:
        if not slot.volunteer_places:
            continue
        day = monday + timedelta(days=int(slot.weekday.value) - 1)
        if day < today() or programme_on(programme.group_id, day) is not programme:
            continue
        slot_day = _slot_day(slot, day)
        if slot_day.activity_id is not None:
            continue
        activity = volunteering.save_activity(
            None,
            actor=actor,
            centre=programme.group.centre,
            skills=[],
            title=f"{programme.group.name}: {slot.title}",
            starts_at=local_instant(day, slot.starts_at),
            ends_at=local_instant(day, slot.ends_at),
            places=slot.volunteer_places,
            with_children=True,
            description=slot.room.name if slot.room else None,
        )
        slot_day.activity = activity
        db.session.flush()
        created.append(activity)
    if not created:
        raise Refused(_l("No slot of that week is left to open to volunteers."))
    return created


# --- Outings --------------------------------------------------------------------------------------


def default_ratio() -> int:
    return current_app.config["OUTING_CHILDREN_PER_ADULT"]


def save_outing(
    outing: Outing | None,
    *,
    centre,
    actor,
    version=None,
    staff_ids=(),
    volunteer_ids=(),
    **fields,
) -> Outing:
    _sees(actor, centre.id)
    if fields["starts_at"] >= fields["ends_at"]:
        raise Refused(_l("The end must be later than the start."), "ends_at")
    if outing is not None and outing.status not in (OutingStatus.PLANNED, OutingStatus.CONFIRMED):
        raise Refused(_l("An outing under way or over can no longer be changed."))
    staff = list(db.session.scalars(select(User).where(User.id.in_(staff_ids or []))))
    if any(not person.sees_centre(centre.id) for person in staff):
        raise Refused(_l("Choose the centre's staff."), "staff_ids")
    volunteers = list(
        db.session.scalars(
            select(Volunteer).where(
                Volunteer.id.in_(volunteer_ids or []), Volunteer.centre_id == centre.id
            )
        )
    )
    creating = outing is None
    if creating:
        outing = Outing(centre_id=centre.id, status=OutingStatus.PLANNED)
        db.session.add(outing)
    else:
        ensure_current(outing, version)
    outing.staff = staff
    outing.volunteers = volunteers
    if creating:
        for name, value in fields.items():
            setattr(outing, name, value)
        _created(outing, actor=actor, centre_id=centre.id)
    else:
        _updated(outing, fields, actor=actor, centre_id=centre.id)
        if outing.status is OutingStatus.CONFIRMED:
            _check_ratio(outing)
    return outing


def invitable_children(outing: Outing) -> list[Person]:
    """Children actively enrolled in one of the centre's groups on the outing's day."""
    day = local_date(outing.starts_at)
    people = {}
    for group in db.session.scalars(select(Group).where(Group.centre_id == outing.centre_id)):
        for enrolment in children_active_on(group.id, day):
            people[enrolment.person.id] = enrolment.person
    return by_family_name(people.values())


def invite(outing: Outing, person_ids, *, actor) -> list[OutingChild]:
    _sees(actor, outing.centre_id)
    if outing.status is not OutingStatus.PLANNED:
        raise Refused(_l("Children are invited while the outing is planned."))
    allowed = {p.id for p in invitable_children(outing)}
    invited = {c.person_id for c in outing.children}
    added = []
    for person_id in person_ids or []:
        if person_id not in allowed:
            raise Refused(_l("Choose children enrolled at the centre."), "person_ids")
        if person_id in invited:
            continue
        child = OutingChild(outing=outing, person_id=person_id)
        db.session.add(child)
        added.append(child)
    if not added:
        raise Refused(_l("Choose the children to invite."), "person_ids")
    db.session.flush()
    for child in added:
        audit.record(
            audit.CREATE,
            child,
            actor=actor,
            centre_id=outing.centre_id,
            person_id=child.person_id,
            changes=audit.snapshot(child),
        )
    _ask_parents_for_permission(outing, added)
    return added


def _ask_parents_for_permission(outing: Outing, invited: list[OutingChild]) -> None:
    """Each invited child's parents are asked for their permission (one INSERT)."""

    def items():
        people = {
            p.id: p
            for p in db.session.scalars(
                select(Person).where(Person.id.in_([c.person_id for c in invited]))
            )
        }
        parents = notify.parents_of_children(list(people))
        link = notify.absolute_url("parents.home")
        return [
            (
                child,
                parents.get(child.person_id, []),
                {
                    "child_family": people[child.person_id].family_name,
                    "child_given": people[child.person_id].given_name,
                    "title": outing.title,
                    "day": local_date(outing.starts_at),
                    "link": link,
                },
            )
            for child in invited
        ]

    notify.queue_each(
        Event.OUTING_PERMISSION,
        centre_id=outing.centre_id,
        template="outing_permission",
        items=items,
    )


def record_permission(
    child: OutingChild,
    *,
    actor,
    state,
    given_by: str | None,
    given_on: date | None,
    medium,
    language: str = "ro",
) -> OutingChild:
    """The legal representative's answer: who, when and how (on paper or recorded by staff)."""
    outing = child.outing
    _sees(actor, outing.centre_id)
    if outing.status not in (OutingStatus.PLANNED, OutingStatus.CONFIRMED):
        raise Refused(_l("Permissions are recorded before the outing leaves."))
    state = PermissionState(state)
    fields = {"permission": state, "language": language if language in ("ro", "hu") else "ro"}
    if state is PermissionState.PENDING:
        fields |= {"permission_by": None, "permission_on": None, "permission_medium": None}
    else:
        if not _text(given_by):
            raise Refused(_l("Say which legal representative answered."), "given_by")
        if given_on is None or given_on > today():
            raise Refused(_l("Enter the date of the answer, not later than today."), "given_on")
        fields |= {
            "permission_by": _text(given_by),
            "permission_on": given_on,
            "permission_medium": PermissionMedium(medium) if medium else PermissionMedium.PAPER,
        }
    fields["recorded_by_id"] = actor.id
    if state is not PermissionState.GIVEN and child.on_final_list:
        if outing.status is OutingStatus.CONFIRMED:
            raise Refused(
                _l(
                    "%(name)s is on the confirmed list; take the child off it first.",
                    name=child.person.full_name,
                )
            )
        fields["on_final_list"] = False
    _updated(child, fields, actor=actor, centre_id=outing.centre_id, person_id=child.person_id)
    return child


def permission_open(child: OutingChild) -> bool:
    """Whether the parent may still answer in the app: the outing is planned or confirmed and
    has not started."""
    outing = child.outing
    return (
        outing.status in (OutingStatus.PLANNED, OutingStatus.CONFIRMED) and now() < outing.starts_at
    )


def answer_permission_in_app(
    child: OutingChild, *, actor, given: bool, parent_name: str
) -> OutingChild:
    """A parent gives or refuses the permission in the app, for their own child (the parent's
    pages check the child is theirs). Refused once the outing has started."""
    outing = child.outing
    if not permission_open(child):
        raise Refused(_l("The outing has started; the permission can no longer be answered."))
    state = PermissionState.GIVEN if given else PermissionState.REFUSED
    fields = {
        "permission": state,
        "permission_by": _text(parent_name) or "—",
        "permission_on": today(),
        "permission_medium": PermissionMedium.APP,
        "answered_at": now(),
        "recorded_by_id": actor.id,
    }
    if not given and child.on_final_list:
        if outing.status is OutingStatus.CONFIRMED:
            raise Refused(
                _l(
                    "The outing is confirmed with %(name)s on its list; please call the centre.",
                    name=child.person.full_name,
                )
            )
        fields["on_final_list"] = False
    _updated(child, fields, actor=actor, centre_id=outing.centre_id, person_id=child.person_id)
    return child


def outings_asking(person_ids) -> list[OutingChild]:
    """The children's invitations to outings not yet started, soonest first."""
    if not person_ids:
        return []
    return list(
        db.session.scalars(
            select(OutingChild)
            .join(OutingChild.outing)
            .options(joinedload(OutingChild.outing), joinedload(OutingChild.person))
            .where(
                OutingChild.person_id.in_(list(person_ids)),
                Outing.status.in_([OutingStatus.PLANNED, OutingStatus.CONFIRMED]),
                Outing.starts_at > now(),
            )
            .order_by(Outing.starts_at, OutingChild.id)
        )
    )


def set_final_list(outing: Outing, person_ids, *, actor) -> list[OutingChild]:
    """The children who go. A child without a given permission is refused, by name."""
    _sees(actor, outing.centre_id)
    if outing.status is not OutingStatus.PLANNED:
        raise Refused(_l("The final list is set while the outing is planned."))
    chosen = set(person_ids or [])
    for child in outing.children:
        if child.person_id in chosen and child.permission is not PermissionState.GIVEN:
            raise Refused(
                _l(
                    "%(name)s has no permission from a legal representative and cannot go.",
                    name=child.person.full_name,
                ),
                "person_ids",
            )
    for child in outing.children:
        going = child.person_id in chosen
        if child.on_final_list != going:
            _updated(
                child,
                {"on_final_list": going},
                actor=actor,
                centre_id=outing.centre_id,
                person_id=child.person_id,
            )
    return outing.final_list


def adults_needed(outing: Outing) -> int:
    children = len(outing.final_list)
    return -(-children // outing.children_per_adult)


def _check_ratio(outing: Outing) -> None:
    if outing.adults < adults_needed(outing):
        raise Refused(
            _l(
                "%(children)s children need at least %(needed)s adults (one for every "
                "%(ratio)s children); %(adults)s are going.",
                children=len(outing.final_list),
                needed=adults_needed(outing),
                ratio=outing.children_per_adult,
                adults=outing.adults,
            )
        )


def confirm_outing(outing: Outing, *, actor, version=None) -> None:
    _sees(actor, outing.centre_id)
    _current(outing, version)
    if outing.status is not OutingStatus.PLANNED:
        raise Refused(_l("Only a planned outing can be confirmed."))
    if not outing.final_list:
        raise Refused(_l("Put the children who go on the final list first."))
    for child in outing.final_list:
        if child.permission is not PermissionState.GIVEN:
            raise Refused(
                _l(
                    "%(name)s has no permission from a legal representative and cannot go.",
                    name=child.person.full_name,
                )
            )
    _check_ratio(outing)
    _updated(outing, {"status": OutingStatus.CONFIRMED}, actor=actor, centre_id=outing.centre_id)


def cancel_outing(outing: Outing, *, actor, version=None) -> None:
    _sees(actor, outing.centre_id)
    _current(outing, version)
    if outing.status not in (OutingStatus.PLANNED, OutingStatus.CONFIRMED):
        raise Refused(_l("An outing under way or over can no longer be cancelled."))
    _updated(outing, {"status": OutingStatus.CANCELLED}, actor=actor, centre_id=outing.centre_id)


def count_departure(outing: Outing, present_ids, *, actor, version=None) -> list[OutingChild]:
    """The headcount when leaving: who of the final list actually went."""
    _sees(actor, outing.centre_id)
    _current(outing, version)
    if outing.status is not OutingStatus.CONFIRMED:
        raise Refused(_l("The headcount at departure is taken on a confirmed outing."))
    present = set(present_ids or [])
    going = [c for c in outing.final_list if c.person_id in present]
    if not going:
        raise Refused(_l("Tick the children who are leaving."), "person_ids")
    for child in outing.final_list:
        _updated(
            child,
            {"left": child.person_id in present},
            actor=actor,
            centre_id=outing.centre_id,
            person_id=child.person_id,
        )
    _updated(
        outing,
        {"status": OutingStatus.DEPARTED, "departed_at": now()},
        actor=actor,
        centre_id=outing.centre_id,
    )
    return going


def count_return(outing: Outing, present_ids, *, actor, version=None) -> list[OutingChild]:
    """The headcount when coming back. Returns the children missing; they are written in the
    serious-incident register as one open incident, for the person who counted to complete."""
    _sees(actor, outing.centre_id)
    _current(outing, version)
    if outing.status is not OutingStatus.DEPARTED:
        raise Refused(_l("The headcount at return is taken on an outing under way."))
    present = set(present_ids or [])
    went = [c for c in outing.final_list if c.left]
    missing = [c for c in went if c.person_id not in present]
    for child in went:
        _updated(
            child,
            {"came_back": child.person_id in present},
            actor=actor,
            centre_id=outing.centre_id,
            person_id=child.person_id,
        )
    _updated(
        outing,
        {"status": OutingStatus.RETURNED, "returned_at": now()},
        actor=actor,
        centre_id=outing.centre_id,
    )
    if missing:
        record_missing_child_incident(
            outing.centre,
            actor=actor,
            children=[c.person for c in missing],
            where=f"{outing.title}, {outing.destination}",
        )
    return missing


def missing_children(outing: Outing) -> list[OutingChild]:
    return [c for c in outing.children if c.left and c.came_back is False]


# --- The school -----------------------------------------------------------------------------------


def _centre_of(person: Person) -> int:
    return person.family.centre_id


def school_link(person: Person) -> SchoolLink | None:
    return db.session.scalar(select(SchoolLink).where(SchoolLink.person_id == person.id))


def save_school_link(
    person: Person, *, actor, version=None, form_teacher, teacher_phone, teacher_email
) -> SchoolLink:
    if not person.is_child:
        raise Refused(_l("School details are kept for children."))
    link = school_link(person)
    fields = {
        "form_teacher": _text(form_teacher),
        "teacher_phone": _text(teacher_phone),
        "teacher_email": _text(teacher_email),
    }
    if link is None:
        link = SchoolLink(person_id=person.id, **fields)
        db.session.add(link)
        _created(link, actor=actor, centre_id=_centre_of(person), person_id=person.id)
        return link
    ensure_current(link, version)
    _updated(link, fields, actor=actor, centre_id=_centre_of(person), person_id=person.id)
    return link


def school_contacts(person: Person) -> list[SchoolContact]:
    return list(
        db.session.scalars(
            select(SchoolContact)
            .where(SchoolContact.person_id == person.id)
            .order_by(SchoolContact.day.desc(), SchoolContact.id.desc())
        )
    )


def record_school_contact(
    person: Person, *, actor, day: date, with_whom: str, subject: str, agreed: str | None
) -> SchoolContact:
    if not person.is_child:
        raise Refused(_l("School details are kept for children."))
    if day is None or day > today():
        raise Refused(_l("Enter the date of the contact, not later than today."), "day")
    if not _text(with_whom) or not _text(subject):
        raise Refused(_l("Say with whom and about what."), "subject")
    contact = SchoolContact(
        person_id=person.id,
        day=day,
        with_whom=_text(with_whom),
        subject=_text(subject),
        agreed=_text(agreed),
        recorded_by_id=actor.id,
    )
    db.session.add(contact)
    _created(contact, actor=actor, centre_id=_centre_of(person), person_id=person.id)
    return contact


def school_year_of(day: date) -> int:
    """A school year is named by the year it starts in (September)."""
    return day.year if day.month >= 9 else day.year - 1


def school_results(person: Person) -> list[SchoolResult]:
    return list(
        db.session.scalars(
            select(SchoolResult)
            .where(SchoolResult.person_id == person.id)
            .order_by(SchoolResult.school_year.desc(), SchoolResult.term.desc())
        )
    )


def record_school_result(
    person: Person,
    *,
    actor,
    school_year: int,
    term: int,
    average: Decimal | None,
    qualifier,
    absences: int,
    unexcused_absences: int,
) -> SchoolResult:
    """A term's result; a term recorded again replaces the earlier figures (audited)."""
    if not person.is_child:
        raise Refused(_l("School details are kept for children."))
    if average is None and not qualifier:
        raise Refused(_l("Enter the general average or the qualifier."), "average")
    if average is not None and not (Decimal(1) <= average <= Decimal(10)):
        raise Refused(_l("The average is between 1 and 10."), "average")
    if term not in (1, 2, 3):
        raise Refused(_l("Choose the term."), "term")
    if school_year > school_year_of(today()):
        raise Refused(_l("Results are recorded for the current or past school years."))
    if (absences or 0) < 0 or (unexcused_absences or 0) < 0:
        raise Refused(_l("Absences cannot be negative."), "absences")
    if (unexcused_absences or 0) > (absences or 0):
        raise Refused(_l("Unexcused absences are part of all absences."), "unexcused_absences")
    fields = {
        "average": average,
        "qualifier": Qualifier(qualifier) if qualifier else None,
        "absences": absences or 0,
        "unexcused_absences": unexcused_absences or 0,
    }
    result = db.session.scalar(
        select(SchoolResult).where(
            SchoolResult.person_id == person.id,
            SchoolResult.school_year == school_year,
            SchoolResult.term == term,
        )
    )
    if result is None:
        result = SchoolResult(person_id=person.id, school_year=school_year, term=term, **fields)
        db.session.add(result)
        _created(result, actor=actor, centre_id=_centre_of(person), person_id=person.id)
    else:
        _updated(result, fields, actor=actor, centre_id=_centre_of(person), person_id=person.id)
    return result


def school_year_ends(school_year: int) -> date:
    """The last day of a school year: it runs from 1 September to 31 August."""
    return date(school_year + 1, 8, 31)


def school_years_ending(start: date, end: date) -> range:
    """The school years whose last day falls between ``start`` and ``end`` (both included): the
    years a period's indicator compares results over."""
    return range(school_year_of(start), school_year_of(end + timedelta(days=1)))


def _rank(result):
    return case({q: q.rank for q in Qualifier}, value=result.qualifier)


def _improved(first, last):
    """The last term's result above the first's, compared within one kind: the general averages,
    else the qualifiers; an average against a qualifier is no comparison."""
    return or_(
        and_(first.average.is_not(None), last.average.is_not(None), last.average > first.average),
        and_(first.average.is_(None), last.average.is_(None), _rank(last) > _rank(first)),
    )


def results_compared(school_years: range, *where) -> Select:
    """Per child and school year with results in two terms or more (``where`` narrowing the
    results, e.g. to some children): the first term's result against the last term's, and
    whether it improved.

    The one rule of "children whose school results improved over the year": the indicator
    (``reports.measures``) and the programme's page both read it here."""
    terms = (
        select(
            SchoolResult.person_id,
            SchoolResult.school_year,
            func.min(SchoolResult.term).label("first_term"),
            func.max(SchoolResult.term).label("last_term"),
        )
        .where(SchoolResult.school_year.in_(list(school_years)), *where)
        .group_by(SchoolResult.person_id, SchoolResult.school_year)
        .having(func.count() > 1)
        .subquery()
    )
    first, last = aliased(SchoolResult), aliased(SchoolResult)
    return (
        select(
            terms.c.person_id,
            terms.c.school_year,
            first.term.label("first_term"),
            first.average.label("first_average"),
            first.qualifier.label("first_qualifier"),
            last.term.label("last_term"),
            last.average.label("last_average"),
            last.qualifier.label("last_qualifier"),
            case((_improved(first, last), True), else_=False).label("improved"),
        )
        .join(
            first,
            and_(
                first.person_id == terms.c.person_id,
                first.school_year == terms.c.school_year,
                first.term == terms.c.first_term,
            ),
        )
        .join(
            last,
            and_(
                last.person_id == terms.c.person_id,
                last.school_year == terms.c.school_year,
                last.term == terms.c.last_term,
            ),
        )
    )


@dataclass(frozen=True)
class TermResult:
    term: int
    average: Decimal | None
    qualifier: Qualifier | None


@dataclass(frozen=True)
class YearResults:
    person: Person
    first: TermResult
    last: TermResult
    improved: bool


def results_over_year(person_ids, school_year: int) -> list[YearResults]:
    """``results_compared`` for some children and one school year, by name."""
    rows = db.session.execute(
        results_compared(
            range(school_year, school_year + 1), SchoolResult.person_id.in_(person_ids)
        )
    ).all()
    people = {
        p.id: p
        for p in db.session.scalars(
            select(Person).where(Person.id.in_({r.person_id for r in rows}))
        )
    }
    out = [
        YearResults(
            people[row.person_id],
            TermResult(row.first_term, row.first_average, row.first_qualifier),
            TermResult(row.last_term, row.last_average, row.last_qualifier),
            bool(row.improved),
        )
        for row in rows
    ]
    order = {p.id: n for n, p in enumerate(by_family_name(people.values()))}
    return sorted(out, key=lambda r: (order[r.person.id], r.first.term))


# --- Who may collect a child ---------------------------------------------------------------------


def collectors_of(person: Person, *, include_inactive=False) -> list[Collector]:
    query = select(Collector).where(Collector.person_id == person.id).order_by(Collector.name)
    if not include_inactive:
        query = query.where(Collector.active.is_(True))
    return list(db.session.scalars(query))


def save_collector(
    collector: Collector | None,
    *,
    person: Person,
    actor,
    version=None,
    name: str,
    relation: str,
    phone: str | None,
    id_document: str | None,
    id_checked: bool,
    active: bool = True,
) -> Collector:
    """A person allowed to collect the child; ticking the identity check records who checked and
    when (now, by the one saving)."""
    if not person.is_child:
        raise Refused(_l("Only a child is collected."))
    if not _text(name) or not _text(relation):
        raise Refused(_l("Enter the name and the relation to the child."), "name")
    if id_checked and not _text(id_document):
        raise Refused(_l("Enter the identity document that was checked."), "id_document")
    fields = {
        "name": _text(name),
        "relation": _text(relation),
        "phone": _text(phone),
        "id_document": _text(id_document),
        "active": bool(active),
    }
    if id_checked and (collector is None or collector.id_checked_on is None):
        fields |= {"id_checked_by_id": actor.id, "id_checked_on": today()}
    elif not id_checked:
        fields |= {"id_checked_by_id": None, "id_checked_on": None}
    if collector is None:
        collector = Collector(person_id=person.id, **fields)
        db.session.add(collector)
        _created(collector, actor=actor, centre_id=_centre_of(person), person_id=person.id)
        return collector
    ensure_current(collector, version)
    _updated(collector, fields, actor=actor, centre_id=_centre_of(person), person_id=person.id)
    return collector


def leaving_alone(person: Person) -> LeavingAlone | None:
    return db.session.scalar(select(LeavingAlone).where(LeavingAlone.person_id == person.id))


def may_leave_alone(person: Person, day: date) -> bool:
    consent = leaving_alone(person)
    return (
        consent is not None
        and consent.consent_on <= day
        and (consent.withdrawn_on is None or day < consent.withdrawn_on)
    )


def save_leaving_alone(
    person: Person, *, actor, allowed: bool, consent_on: date | None, given_by: str | None
) -> LeavingAlone | None:
    """The parents' written consent that the child leaves alone, or its withdrawal (from today)."""
    if not person.is_child:
        raise Refused(_l("Only a child is collected."))
    consent = leaving_alone(person)
    centre_id = _centre_of(person)
    if not allowed:
        if consent is None or consent.withdrawn_on is not None:
            raise Refused(_l("The child has no consent to leave alone."))
        _updated(
            consent,
            {"withdrawn_on": today()},
            actor=actor,
            centre_id=centre_id,
            person_id=person.id,
        )
        return consent
    if consent_on is None or consent_on > today():
        raise Refused(
            _l("Enter the date of the written consent, not later than today."), "consent_on"
        )
    if not _text(given_by):
        raise Refused(_l("Say which parent signed the consent."), "given_by")
    fields = {"consent_on": consent_on, "given_by": _text(given_by), "withdrawn_on": None}
    if consent is None:
        consent = LeavingAlone(person_id=person.id, **fields)
        db.session.add(consent)
        _created(consent, actor=actor, centre_id=centre_id, person_id=person.id)
    else:
        _updated(consent, fields, actor=actor, centre_id=centre_id, person_id=person.id)
    return consent


def departures_on(group_id: int, day: date) -> dict[int, Departure]:
    return {
        d.person_id: d
        for d in db.session.scalars(
            select(Departure).where(Departure.group_id == group_id, Departure.day == day)
        )
    }


def record_departure(
    group: Group,
    person: Person,
    day: date,
    *,
    actor,
    left_at: time,
    collected_by: str | None,
    alone: bool,
) -> Departure:
    """A child leaves: at what time, with whom. Someone not on the child's list (or leaving alone
    without the written consent) is written down as said and flagged, never silently accepted."""
    _sees(actor, group.centre_id)
    if day > today():
        raise Refused(_l("A departure is recorded on the day or after it."))
    if person.id not in {e.person.id for e in children_active_on(group.id, day)}:
        raise Refused(_l("The child is not enrolled in this group on that day."), "person_id")
    if left_at is None:
        raise Refused(_l("Enter the time the child left."), "left_at")
    name = _text(collected_by)
    if not alone and not name:
        raise Refused(
            _l("Say who collected the child, or that the child left alone."), "collected_by"
        )
    collector = None
    if alone:
        not_allowed = not may_leave_alone(person, day)
        name = None
    else:
        wanted = fold(name)
        collector = next((c for c in collectors_of(person) if fold(c.name) == wanted), None)
        not_allowed = collector is None
    fields = {
        "left_at": left_at,
        "collector_id": collector.id if collector else None,
        "collected_by": collector.name if collector else name,
        "alone": bool(alone),
        "not_allowed": not_allowed,
        "recorded_by_id": actor.id,
    }
    departure = db.session.scalar(
        select(Departure).where(Departure.person_id == person.id, Departure.day == day)
    )
    if departure is None:
        departure = Departure(
            centre_id=group.centre_id, group_id=group.id, person_id=person.id, day=day, **fields
        )
        db.session.add(departure)
        _created(departure, actor=actor, centre_id=group.centre_id, person_id=person.id)
    else:
        _updated(departure, fields, actor=actor, centre_id=group.centre_id, person_id=person.id)
    return departure


def active_children(group: Group, day: date) -> list[Person]:
    return by_family_name([e.person for e in children_active_on(group.id, day)])


def now_time() -> time:
    return now().time().replace(second=0, microsecond=0)


# --- Choices for the forms ------------------------------------------------------------------------


def staff_of(centre_id: int) -> list[User]:
    """The centre's active staff (not volunteers' accounts), who lead slots and go on outings."""
    return list(
        db.session.scalars(
            select(User)
            .where(
                User.active.is_(True),
                User.role != Role.VOLUNTEER,
                User.centres.any(Centre.id == centre_id),
            )
            .order_by(User.family_name, User.given_name)
        )
    )


def volunteers_of(centre_id: int) -> list[Volunteer]:
    return list(
        db.session.scalars(
            select(Volunteer)
            .where(Volunteer.centre_id == centre_id, Volunteer.active.is_(True))
            .order_by(Volunteer.family_name, Volunteer.given_name)
        )
    )


def rooms_of(centre_id: int) -> list[Room]:
    return list(
        db.session.scalars(
            select(Room)
            .where(Room.centre_id == centre_id, Room.active.is_(True))
            .order_by(Room.name)
        )
    )


def record_read(person: Person, *, actor) -> None:
    """Opening a child's school and pick-up page is a read of personal data."""
    audit.record(audit.READ, person, actor=actor, person_id=person.id, centre_id=_centre_of(person))


def record_slip_printed(child: OutingChild, *, actor) -> None:
    audit.record(
        audit.EXPORT,
        child,
        actor=actor,
        centre_id=child.outing.centre_id,
        person_id=child.person_id,
    )


@deleting_person.connect
def _keep_a_child_with_programme_records(person) -> None:
    """A child's outings, school records and departures are the centre's registers: a person who
    appears in them is not deleted."""
    for model in (OutingChild, SchoolContact, SchoolResult, Collector, Departure, SchoolLink):
        if db.session.scalar(select(model.id).where(model.person_id == person.id).limit(1)):
            raise Refused(
                _l("This child appears in the programme's registers and cannot be deleted.")
            )
