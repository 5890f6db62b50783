"""Demo programme of the after-school centre: each group's weekly programme (with last term's
kept in the record, a slot led by a volunteer and one opened to volunteers), notes of the last
operating day, an outing being planned (one permission given, one refused, one pending) and one
that came back, two children's school link and results (one improved), who may collect them, a
consent to leave alone and the last operating day's departures (one by a person not on the list)."""

from datetime import date, time, timedelta
from decimal import Decimal

from daycentre.attendance.services import closed_days
from daycentre.auth.models import User
from daycentre.centres.models import Centre, CentreKind, Group, Room
from daycentre.core.localtime import local_instant, today
from daycentre.enrolment.services import children_active_on
from daycentre.extensions import db
from daycentre.people.services import by_family_name
from daycentre.programme.models import (
    Collector,
    Departure,
    LeavingAlone,
    Outing,
    OutingChild,
    OutingKind,
    OutingStatus,
    PermissionMedium,
    PermissionState,
    ProgrammeSlot,
    Qualifier,
    SchoolContact,
    SchoolLink,
    SchoolResult,
    SlotDay,
    SlotKind,
    Weekday,
    WeeklyProgramme,
)
from daycentre.programme.services import school_year_of
from daycentre.volunteers.models import Volunteer

K = SlotKind
DAY_SLOTS = [
    (time(12, 30), time(13, 0), K.MEAL, "Masa de prânz"),
    (time(13, 0), time(14, 30), K.HOMEWORK, "Ora de teme"),
    (time(14, 30), time(15, 30), K.EDUCATIONAL, "Lectură și povești"),
    (time(15, 30), time(16, 30), K.RECREATIONAL, "Joacă în curte"),
]


def _last_operating_day(centre: Centre) -> date:
    day = today() - timedelta(days=1)
    closed = closed_days(centre, None, day - timedelta(days=20), day)
    while day in closed:
        day -= timedelta(days=1)
    return day


def _programme(group, valid_from, coordinator, volunteer, room) -> WeeklyProgramme:
    programme = WeeklyProgramme(centre_id=group.centre_id, group_id=group.id, valid_from=valid_from)
    for weekday in list(Weekday)[:5]:
        for starts, ends, kind, title in DAY_SLOTS:
            slot = ProgrammeSlot(
                weekday=weekday, starts_at=starts, ends_at=ends, kind=kind, title=title, room=room
            )
            if kind is K.HOMEWORK:
                slot.leader_id = coordinator.id
            if kind is K.EDUCATIONAL and weekday is Weekday.TUESDAY and volunteer:
                slot.title, slot.volunteer_id = "Atelier de desen", volunteer.id
            if kind is K.RECREATIONAL and weekday is Weekday.WEDNESDAY:
                slot.title, slot.volunteer_places = "Jocuri de echipă", 2
            programme.slots.append(slot)
    db.session.add(programme)
    return programme


def load_programme() -> None:
    coordinator = db.session.scalar(db.select(User).where(User.username == "coordinator"))
    centre = db.session.scalar(db.select(Centre).where(Centre.kind == CentreKind.AFTER_SCHOOL))
    if centre is None or coordinator is None:
        return
    volunteer = db.session.scalar(db.select(Volunteer).where(Volunteer.given_name == "Ștefan"))
    room = db.session.scalar(db.select(Room).where(Room.centre_id == centre.id).order_by(Room.id))
    year = school_year_of(today())
    day = _last_operating_day(centre)
    groups = list(db.session.scalars(db.select(Group).where(Group.centre_id == centre.id)))
    for group in groups:
        _programme(group, date(year - 1, 9, 1), coordinator, None, room)
        current = _programme(group, date(year, 9, 1), coordinator, volunteer, room)
        db.session.flush()
        for slot in current.slots:
            if slot.weekday.value == str(day.isoweekday()) and slot.kind is K.HOMEWORK:
                db.session.add(
                    SlotDay(
                        slot_id=slot.id,
                        day=day,
                        note="Teme la matematică și citire",
                        written_by_id=coordinator.id,
                    )
                )
    children = by_family_name(e.person for e in children_active_on(groups[0].id, day))
    if len(children) < 3:
        db.session.flush()
        return
    _outings(centre, coordinator, children)
    _school(children[:2], coordinator, year)
    _pick_up(groups[0], children[:3], coordinator, day)
    db.session.flush()


def _a_weekday(day):
    """The day, or the Monday after it: the centre's outings are on school days."""
    return day + timedelta(days=max(0, 8 - day.isoweekday()) if day.isoweekday() > 5 else 0)


def _outings(centre, coordinator, children) -> None:
    # Places near the demo's Târgu Secuiesc, there and back within the day.
    start = local_instant(_a_weekday(today() + timedelta(days=12)), time(9))
    planned = Outing(
        centre_id=centre.id,
        kind=OutingKind.OUTING,
        title="Muzeul Național Secuiesc",
        destination="Sfântu Gheorghe, str. Kós Károly 10",
        starts_at=start,
        ends_at=start + timedelta(hours=7),
        transport="Microbuzul primăriei",
        children_per_adult=8,
        status=OutingStatus.PLANNED,
        staff=[coordinator],
    )
    answers = [
        (PermissionState.GIVEN, "ro"),
        (PermissionState.REFUSED, "hu"),
        (PermissionState.PENDING, "ro"),
    ]
    for child, (state, language) in zip(children, answers, strict=False):
        answered = state is not PermissionState.PENDING
        planned.children.append(
            OutingChild(
                person_id=child.id,
                permission=state,
                permission_by=f"{child.family_name} (părinte)" if answered else None,
                permission_on=today() - timedelta(days=2) if answered else None,
                permission_medium=PermissionMedium.PAPER if answered else None,
                recorded_by_id=coordinator.id if answered else None,
                language=language,
                on_final_list=state is PermissionState.GIVEN,
            )
        )
    back = local_instant(_a_weekday(today() - timedelta(days=30)), time(10))
    past = Outing(
        centre_id=centre.id,
        kind=OutingKind.OUTING,
        title="Muzeul Breslelor",
        destination="Târgu Secuiesc, Piața Gábor Áron",
        starts_at=back,
        ends_at=back + timedelta(hours=4),
        transport="Pe jos",
        children_per_adult=8,
        status=OutingStatus.RETURNED,
        departed_at=back,
        returned_at=back + timedelta(hours=4),
        staff=[coordinator],
    )
    for child in children[:2]:
        past.children.append(
            OutingChild(
                person_id=child.id,
                permission=PermissionState.GIVEN,
                permission_by=f"{child.family_name} (părinte)",
                permission_on=today() - timedelta(days=35),
                permission_medium=PermissionMedium.RECORDED,
                recorded_by_id=coordinator.id,
                on_final_list=True,
                left=True,
                came_back=True,
            )
        )
    db.session.add_all([planned, past])


def _school(children, coordinator, year) -> None:
    first, second = children
    for child, teacher in ((first, "Prof. Elena Mureșan"), (second, "Prof. Kovács Ilona")):
        db.session.add(
            SchoolLink(person_id=child.id, form_teacher=teacher, teacher_phone="0264 000 111")
        )
    db.session.add(
        SchoolContact(
            person_id=first.id,
            day=today() - timedelta(days=10),
            with_whom="Prof. Elena Mureșan",
            subject="Absențe la matematică",
            agreed="Temele la matematică se fac zilnic la centru; revedere la sfârșitul lunii.",
            recorded_by_id=coordinator.id,
        )
    )
    results = [
        (first, year - 1, 1, Decimal("7.20"), None),
        (first, year - 1, 2, Decimal("8.05"), None),
        (second, year - 1, 1, None, Qualifier.VERY_GOOD),
        (second, year - 1, 2, None, Qualifier.GOOD),
    ]
    for child, school_year, term, average, qualifier in results:
        db.session.add(
            SchoolResult(
                person_id=child.id,
                school_year=school_year,
                term=term,
                average=average,
                qualifier=qualifier,
                absences=4,
                unexcused_absences=1,
            )
        )


def _pick_up(group, children, coordinator, day) -> None:
    checked = today() - timedelta(days=60)
    collectors = {}
    for child in children[:2]:
        collector = Collector(
            person_id=child.id,
            name=f"{child.family_name} Maria",
            relation="mamă",
            phone="0740 111 222",
            id_document="CI CJ 123456",
            id_checked_by_id=coordinator.id,
            id_checked_on=checked,
        )
        db.session.add(collector)
        collectors[child.id] = collector
    db.session.add(
        LeavingAlone(person_id=children[2].id, consent_on=checked, given_by="tatăl, cu acord scris")
    )
    db.session.flush()
    first, second, third = children
    db.session.add_all(
        [
            Departure(
                centre_id=group.centre_id,
                group_id=group.id,
                person_id=first.id,
                day=day,
                left_at=time(16, 30),
                collector_id=collectors[first.id].id,
                collected_by=collectors[first.id].name,
                recorded_by_id=coordinator.id,
            ),
            Departure(
                centre_id=group.centre_id,
                group_id=group.id,
                person_id=second.id,
                day=day,
                left_at=time(16, 40),
                collected_by="Vecinul Ion Pop",
                not_allowed=True,
                recorded_by_id=coordinator.id,
            ),
            Departure(
                centre_id=group.centre_id,
                group_id=group.id,
                person_id=third.id,
                day=day,
                left_at=time(16, 0),
                alone=True,
                recorded_by_id=coordinator.id,
            ),
        ]
    )
