"""Records for tests, with realistic defaults; each takes keyword overrides."""

from datetime import date, time, timedelta
from itertools import count

from daycentre.auth.models import User
from daycentre.auth.roles import Role
from daycentre.centres.models import Centre, CentreKind, Group, Room
from daycentre.core.database import utcnow
from daycentre.core.localtime import today
from daycentre.core.text import fold
from daycentre.enrolment.models import Enrolment, EnrolmentStatus
from daycentre.extensions import db
from daycentre.parents.models import ParentAccount
from daycentre.people.models import Family, Person, PersonKind, Relationship, Sex
from daycentre.volunteers.models import Activity, ContractStatus, Volunteer, VolunteerContract

DEFAULT_PASSWORD = "correct-horse-battery"  # noqa: S105
_serial = count(1)


def years_ago(years: int, on: date | None = None) -> date:
    """The same day ``years`` before ``on`` (today); 29 February falls back to the 28th."""
    on = on or today()
    try:
        return on.replace(year=on.year - years)
    except ValueError:
        return on.replace(year=on.year - years, day=28)


def make_centre(**fields) -> Centre:
    centre = Centre(
        name=fields.pop("name", f"Centrul de zi nr. {next(_serial)}"),
        kind=fields.pop("kind", CentreKind.AFTER_SCHOOL),
        service_code=fields.pop("service_code", "8891 CZ-C-II"),
        address=fields.pop("address", "Strada Fabricilor nr. 12"),
        city=fields.pop("city", "Târgu Secuiesc"),
        capacity=fields.pop("capacity", 40),
        opens_at=fields.pop("opens_at", time(12, 0)),
        closes_at=fields.pop("closes_at", time(18, 0)),
        **fields,
    )
    centre.weekdays = [1, 2, 3, 4, 5]
    db.session.add(centre)
    db.session.flush()
    return centre


def make_group(centre: Centre, **fields) -> Group:
    group = Group(
        centre=centre,
        name=fields.pop("name", f"Grupa {next(_serial)}"),
        capacity=fields.pop("capacity", 25),
        starts_at=fields.pop("starts_at", time(12, 0)),
        ends_at=fields.pop("ends_at", time(17, 0)),
        days=fields.pop("days", "12345"),
        **fields,
    )
    db.session.add(group)
    db.session.flush()
    return group


def make_room(centre: Centre, **fields) -> Room:
    room = Room(centre=centre, name=fields.pop("name", f"Sala {next(_serial)}"), **fields)
    db.session.add(room)
    db.session.flush()
    return room


def make_user(role="coordinator", *, centres=(), password=DEFAULT_PASSWORD, **fields) -> User:
    role = Role(role)
    user = User(
        username=fields.pop("username", f"{role.value}{next(_serial)}"),
        given_name=fields.pop("given_name", "Ioana"),
        family_name=fields.pop("family_name", "Mureșan"),
        role=role,
        must_change_password=fields.pop("must_change_password", False),
        centres=list(centres),
        **fields,
    )
    user.set_password(password)
    db.session.add(user)
    db.session.flush()
    return user


def make_family(centre: Centre, **fields) -> Family:
    name = fields.pop("name", "Popescu")
    family = Family(
        centre_id=centre.id,
        name=name,
        address=fields.pop("address", "Strada Gábor Áron nr. 5"),
        city=fields.pop("city", "Târgu Secuiesc"),
        search_key=fold(name),
        **fields,
    )
    db.session.add(family)
    db.session.flush()
    return family


def make_person(family, *, kind="child", **fields) -> Person:
    kind = PersonKind(kind)
    person = Person(
        family=family,
        kind=kind,
        family_name=fields.pop("family_name", family.name),
        given_name=fields.pop("given_name", "Ana" if kind is PersonKind.CHILD else "Maria"),
        birth_date=fields.pop(
            "birth_date", date(2016, 3, 14) if kind is PersonKind.CHILD else None
        ),
        sex=fields.pop("sex", Sex.FEMALE),
        relation=fields.pop("relation", None if kind is PersonKind.CHILD else Relationship.MOTHER),
        **fields,
    )
    person.search_key = fold(f"{person.family_name} {person.given_name}")
    db.session.add(person)
    db.session.flush()
    return person


def make_child(family=None, *, centre=None, **fields) -> Person:
    family = family or make_family(centre, name=fields.get("family_name", "Popescu"))
    return make_person(family, kind="child", **fields)


def make_adult(family, **fields) -> Person:
    return make_person(family, kind="adult", **fields)


def make_parent(family=None, *, centre=None, adult=None, **fields) -> User:
    """A parent's account, signed in as an adult of ``family`` (a new family at ``centre``)."""
    family = family or make_family(centre)
    adult = adult or make_adult(family)
    user = make_user("parent", **fields)
    db.session.add(ParentAccount(user_id=user.id, person_id=adult.id))
    db.session.flush()
    return user


def make_enrolment(person, group, **fields) -> Enrolment:
    status = EnrolmentStatus(fields.pop("status", "active"))
    applied_on = fields.pop("applied_on", date(2026, 9, 1))
    active_like = status in (
        EnrolmentStatus.ACTIVE,
        EnrolmentStatus.SUSPENDED,
        EnrolmentStatus.EXITED,
    )
    enrolment = Enrolment(
        centre_id=group.centre_id,
        group_id=group.id,
        person_id=person.id,
        number=fields.pop("number", next(_serial)),
        status=status,
        applied_on=applied_on,
        contract_number=fields.pop("contract_number", "CF-12/2026" if active_like else None),
        contract_date=fields.pop("contract_date", applied_on if active_like else None),
        start_date=fields.pop("start_date", applied_on if active_like else None),
        **fields,
    )
    db.session.add(enrolment)
    db.session.flush()
    return enrolment


def make_volunteer(centre: Centre, *, user=None, skills=(), **fields) -> Volunteer:
    volunteer = Volunteer(
        centre_id=centre.id,
        centre=centre,
        user=user,
        given_name=fields.pop("given_name", "Ștefan"),
        family_name=fields.pop("family_name", "Ionescu"),
        birth_date=fields.pop("birth_date", date(2000, 5, 17)),
        integrity_certificate_on=fields.pop(
            "integrity_certificate_on", today() - timedelta(days=30)
        ),
        **fields,
    )
    volunteer.skills = skills
    db.session.add(volunteer)
    db.session.flush()
    return volunteer


def make_contract(volunteer: Volunteer, **fields) -> VolunteerContract:
    """A contract in force from a month ago for a year, numbered as the register would."""
    from daycentre.volunteers.services import CONTRACTS_REGISTER, next_number

    contract = VolunteerContract(
        volunteer=volunteer,
        centre_id=volunteer.centre_id,
        number=fields.pop("number", None) or next_number(volunteer.centre_id, CONTRACTS_REGISTER),
        starts_on=fields.pop("starts_on", today() - timedelta(days=30)),
        ends_on=fields.pop("ends_on", today() + timedelta(days=335)),
        activities=fields.pop("activities", "Sprijin la teme și la masa caldă"),
        schedule=fields.pop("schedule", "Marți și joi, 14:00–17:00"),
        rights_and_obligations=fields.pop("rights_and_obligations", "Conform Legii 78/2014"),
        requirements=fields.pop("requirements", "Certificat de integritate comportamentală"),
        termination_conditions=fields.pop("termination_conditions", "Preaviz de 15 zile"),
        status=fields.pop("status", ContractStatus.ACTIVE),
        signed_on=fields.pop("signed_on", today() - timedelta(days=31)),
        **fields,
    )
    db.session.add(contract)
    db.session.flush()
    return contract


def make_activity(centre: Centre, *, starts_in=timedelta(days=3), hours=3, skills=(), **fields):
    start = fields.pop("starts_at", None) or (utcnow() + starts_in).replace(microsecond=0)
    activity = Activity(
        centre_id=centre.id,
        centre=centre,
        title=fields.pop("title", f"Ajutor la teme {next(_serial)}"),
        starts_at=start,
        ends_at=fields.pop("ends_at", start + timedelta(hours=hours)),
        places=fields.pop("places", 3),
        **fields,
    )
    activity.skills = skills
    db.session.add(activity)
    db.session.flush()
    return activity


def make_case(centre, *, actor, family=None, children=None, received_on=None, **fields):
    """A registered request (stage "request") about a family's children."""
    from daycentre.cases import workflow

    family = family or make_family(centre, name=fields.pop("family_name", "Kovács"))
    if children is None:
        children = [make_child(family, given_name="Anna")]
    return workflow.register_request(
        centre,
        actor=actor,
        received_on=received_on or date(2026, 3, 2),
        source=fields.pop("source", "school"),
        channel=fields.pop("channel", "letter"),
        requester=fields.pop("requester", "Școala Gimnazială „Petőfi Sándor”"),
        reported=fields.pop("reported", "Absențe repetate, copilul pare neglijat."),
        family=family,
        children=children,
        **fields,
    )


def make_meal_type(centre: Centre, **fields):
    from daycentre.meals.models import MealType

    meal_type = MealType(
        centre_id=centre.id,
        name=fields.pop("name", f"Masă caldă {next(_serial)}"),
        position=fields.pop("position", 1),
        **fields,
    )
    db.session.add(meal_type)
    db.session.flush()
    return meal_type


def make_group_of_children(group, number: int, *, start=date(2026, 9, 1), **fields) -> list[Person]:
    """``number`` children actively enrolled in ``group`` from ``start``, one family each."""
    centre = db.session.get(Centre, group.centre_id)
    children = []
    for index in range(number):
        child = make_child(
            centre=centre, family_name=fields.get("family_name", f"Familia{index:02d}")
        )
        make_enrolment(child, group, applied_on=start)
        children.append(child)
    return children


def make_session(counsellor, room, *, person=None, family=None, start=None, minutes=60, **fields):
    """A scheduled counselling session, stored as is (no conflict check): for arranging tests."""
    from datetime import datetime, timedelta

    from daycentre.core.localtime import BUCHAREST
    from daycentre.counselling.models import CounsellingSession, SessionStatus, SessionType

    start = start or datetime(2026, 11, 24, 13, 0, tzinfo=BUCHAREST)
    session = CounsellingSession(
        centre_id=room.centre_id,
        counsellor_id=counsellor.id,
        room_id=room.id,
        person_id=person.id if person else None,
        family_id=family.id if family else None,
        session_type=fields.pop("session_type", SessionType.SOCIAL),
        starts_at=start,
        ends_at=start + timedelta(minutes=minutes),
        status=fields.pop("status", SessionStatus.SCHEDULED),
        booked_by_id=fields.pop("booked_by_id", counsellor.id),
        **fields,
    )
    db.session.add(session)
    db.session.flush()
    return session


def make_plan(
    year=2026, *, indicators=(("Număr ședințe de consiliere", "counselling_sessions", 40),)
):
    """A development plan with one objective, one activity and the given indicators."""
    from daycentre.reports.models import DevelopmentPlan, PlanActivity, PlanIndicator, PlanObjective

    plan = DevelopmentPlan(year=year, title=f"Planul de dezvoltare {year}")
    objective = PlanObjective(plan=plan, position=1, title="Îmbunătățirea accesului la consiliere")
    activity = PlanActivity(
        objective=objective, description="Sesiuni de consiliere", responsible="DAS"
    )
    for wording, measure, target in indicators:
        activity.indicators.append(PlanIndicator(wording=wording, measure=measure, target=target))
    db.session.add(plan)
    db.session.flush()
    return plan


def make_outing(centre, coordinator, start, *, staff=None, children_per_adult=8):
    """An eight-hour outing saved by ``coordinator`` through the programme's service, led by
    ``staff`` (by the coordinator when not given)."""
    from daycentre.programme import services as programme
    from daycentre.programme.models import OutingKind

    return programme.save_outing(
        None,
        centre=centre,
        actor=coordinator,
        staff_ids=[coordinator.id] if staff is None else [u.id for u in staff],
        kind=OutingKind.OUTING,
        title="Grădina botanică",
        destination="Cluj-Napoca",
        starts_at=start,
        ends_at=start + timedelta(hours=8),
        transport="Microbuz",
        children_per_adult=children_per_adult,
        notes=None,
    )


def make_workshop(centre, room, facilitators, *, capacity=2, sessions=4, start=None, **fields):
    """A workshop with weekly 90-minute sessions, stored as is (no conflict check)."""
    from datetime import datetime

    from daycentre.core.localtime import BUCHAREST
    from daycentre.workshops.models import Audience, Workshop, WorkshopSession

    start = start or datetime(2026, 11, 24, 16, 0, tzinfo=BUCHAREST)
    workshop = Workshop(
        centre_id=centre.id,
        title=fields.pop("title", "Părinți buni, copii fericiți"),
        audience=fields.pop("audience", Audience.PARENTS),
        room_id=room.id,
        capacity=capacity,
        taken_places=0,
        created_by_id=facilitators[0].id,
        **fields,
    )
    workshop.facilitators = list(facilitators)
    db.session.add(workshop)
    for week in range(sessions):
        begin = start + timedelta(weeks=week)
        db.session.add(
            WorkshopSession(
                workshop=workshop, starts_at=begin, ends_at=begin + timedelta(minutes=90)
            )
        )
    db.session.flush()
    return workshop
