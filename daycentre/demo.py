"""Demo data: two centres in Târgu Secuiesc / Kézdivásárhely and one user per role.

Each area adds its part to ``DEMO_PARTS``; they run in order inside one transaction.
"""

from collections.abc import Callable
from datetime import date, time

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import func

from daycentre.attendance.demo import load_attendance
from daycentre.auth.models import User
from daycentre.auth.roles import Role
from daycentre.cases.demo import load_cases
from daycentre.centres.models import Centre, CentreKind, ClosureDay, Group, Room
from daycentre.core.errors import Refused
from daycentre.core.settings import get_setting, put_setting
from daycentre.counselling.demo import load_sessions
from daycentre.enrolment.demo import load_beneficiaries
from daycentre.extensions import db
from daycentre.notifications.demo import load_messages
from daycentre.outreach.demo import load_trainings
from daycentre.parents.demo import load_parent_actions, load_parents
from daycentre.people.demo import load_parents_abroad
from daycentre.programme.demo import load_programme
from daycentre.registers.demo import load_registers
from daycentre.reports.demo import load_plan, load_quarter
from daycentre.surveys.demo import load_surveys
from daycentre.volunteers.demo import load_volunteers
from daycentre.workshops.demo import load_workshops

DEMO_PASSWORD = "daycentre-demo"  # noqa: S105 - printed on purpose: it is the demo's published password
DEMO_MARKER = "demo_data_loaded"

DEMO_USERS = (
    ("admin", "Levente", "Bartha", Role.ADMIN, "ro"),
    ("coordinator", "Ioana", "Mureșan", Role.COORDINATOR, "ro"),
    ("counsellor", "Tünde", "Fazakas", Role.COUNSELLOR, "hu"),
    ("psiholog", "Elena", "Moldovan", Role.COUNSELLOR, "ro"),
    ("volunteer", "Ștefan", "Ionescu", Role.VOLUNTEER, "ro"),
    # Parents have no centres: each is linked to a mother of a demo family (parents/demo.py).
    ("parent", "Erzsébet", "Kovács", Role.PARENT, "hu"),
    ("parinte", "Zsuzsanna", "Nagy", Role.PARENT, "ro"),
)


def _centres() -> dict[str, Centre]:
    after_school = Centre(
        name="Centrul de zi „Școală după școală” Târgu Secuiesc",
        kind=CentreKind.AFTER_SCHOOL,
        service_code="8891 CZ-C-II",
        address="Strada Fabricilor nr. 12",
        city="Târgu Secuiesc",
        capacity=45,
        opens_at=time(12, 0),
        closes_at=time(18, 0),
    )
    after_school.weekdays = [1, 2, 3, 4, 5]
    after_school.groups = [
        Group(
            name="Clasele I–IV",
            capacity=25,
            starts_at=time(12, 0),
            ends_at=time(17, 0),
            days="12345",
        ),
        Group(
            name="Clasele V–VIII",
            capacity=20,
            starts_at=time(13, 0),
            ends_at=time(18, 0),
            days="12345",
        ),
    ]
    after_school.rooms = [
        Room(name="Sala de studiu 1", capacity=25),
        Room(name="Sala de studiu 2", capacity=20),
        Room(name="Sala de mese", capacity=45),
    ]
    after_school.closure_days = [
        ClosureDay(day=date(2026, 12, 31), reason="Inventar de sfârșit de an"),
        ClosureDay(day=date(2027, 1, 2), reason="Zi liberă acordată personalului"),
    ]

    counselling = Centre(
        name="Centrul de consiliere pentru părinți și copii „Kézdi”",
        kind=CentreKind.PARENT_COUNSELLING,
        service_code="8899 CZ-PC-I",
        address="Piața Gábor Áron nr. 3",
        city="Târgu Secuiesc",
        capacity=60,
        opens_at=time(8, 0),
        closes_at=time(18, 0),
    )
    counselling.weekdays = [1, 2, 3, 4, 5]
    counselling.groups = [
        Group(
            name="Consiliere pentru părinți",
            capacity=40,
            starts_at=time(8, 0),
            ends_at=time(18, 0),
            days="12345",
        ),
        Group(
            name="Sprijin pentru copii",
            capacity=15,
            starts_at=time(14, 0),
            ends_at=time(18, 0),
            days="135",
        ),
    ]
    counselling.rooms = [
        Room(name="Cabinet de consiliere 1", capacity=4),
        Room(name="Cabinet psihologic", capacity=4),
        Room(name="Sala de grup", capacity=20),
    ]
    return {"after_school": after_school, "counselling": counselling}


def _users(centres: dict[str, Centre]) -> list[User]:
    assignments = {
        "admin": [],
        "coordinator": [centres["after_school"]],
        "counsellor": [centres["counselling"], centres["after_school"]],
        "psiholog": [centres["counselling"]],
        "volunteer": [centres["after_school"]],
        "parent": [],
        "parinte": [],
    }
    users = []
    for username, given, family, role, locale in DEMO_USERS:
        user = User(
            username=username,
            given_name=given,
            family_name=family,
            role=role,
            locale=locale,
            must_change_password=False,
            centres=assignments[username],
        )
        user.set_password(DEMO_PASSWORD)
        users.append(user)
    return users


def load_foundation() -> None:
    centres = _centres()
    db.session.add_all(centres.values())
    db.session.add_all(_users(centres))
    db.session.flush()


DEMO_PARTS: list[Callable[[], None]] = [
    load_foundation,
    load_beneficiaries,
    load_attendance,
    load_sessions,
    load_volunteers,
    load_cases,
    load_workshops,
    load_trainings,
    load_programme,
    # After the outings: the parents, and the permission, absences and workshops of one of them.
    load_parents,
    load_parent_actions,
    load_plan,
    load_parents_abroad,
    load_quarter,
    load_registers,
    load_surveys,
    load_messages,
]


def demo_loaded() -> bool:
    return get_setting(DEMO_MARKER) == "yes"


def database_is_empty() -> bool:
    return not (
        db.session.scalar(db.select(func.count(User.id)))
        or db.session.scalar(db.select(func.count(Centre.id)))
    )


def load_demo() -> bool:
    """Load the demo into an empty database; False if it is already there. Refuses real data.

    Never in production: the demo accounts' password is published in the README.
    """
    if current_app.config.get("ENV_NAME") == "production":
        raise Refused(_l("The demo data are never loaded in production."))
    if demo_loaded():
        return False
    if not database_is_empty():
        raise Refused(
            _l("The database holds data that are not the demo's; the demo was not loaded.")
        )
    for load_part in DEMO_PARTS:
        load_part()
    put_setting(DEMO_MARKER, "yes")
    return True
