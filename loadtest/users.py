"""Load-test accounts and centres in an existing database: ``make load-users`` (or
``.venv/bin/python -m loadtest.users``), with the same DATABASE_URL / DAYCENTRE_ENV / SECRET_KEY as
the server. Safe to run again: what exists already is kept.

It adds, next to whatever the database holds (the demo, a county built by the benchmark, real
data in a copy), 40 after-school centres with one group of 25 active children each and one
coordinator each (``load-coord-01`` … ``-40``), 8 counsellors over those centres
(``load-counsellor-1`` … ``-8``) and 2 administrators (``load-admin-1``, ``-2``), all with the
password in ``LOAD_PASSWORD`` (default ``load-test-password``), plus ``load-probe`` (a coordinator
for the two-server check in CI). Each has a second factor whose secret the load test derives from
the password and the username (``totp_secret``), so it can answer the code page as an app would.
Run it with the server's SECRET_KEY: the secret is stored encrypted with it. Never run it on a
live database: the accounts are real accounts with a published password and second factor.
"""

import os
from datetime import date, time, timedelta

from daycentre import create_app
from daycentre.auth.models import SecondFactor, User
from daycentre.auth.roles import Role
from daycentre.auth.second_factor import encrypt_secret
from daycentre.centres.models import Centre, CentreKind, Group
from daycentre.core.text import fold
from daycentre.enrolment.models import Enrolment, EnrolmentStatus
from daycentre.extensions import db
from daycentre.meals.models import MealType
from daycentre.people.models import Family, Person, PersonKind, Sex
from loadtest.accounts import PASSWORD, totp_secret

COORDINATORS = 40
COUNSELLORS = 8
ADMINISTRATORS = 2
CHILDREN_PER_GROUP = int(os.environ.get("LOAD_CHILDREN_PER_GROUP", "25"))
CENTRE_NAME = "Centrul de zi de test {:02d}"
FAMILY_NAMES = ("Kovács", "Popescu", "Szabó", "Ionescu", "Nagy", "Mureșan", "Fazakas", "Moldovan")
GIVEN_NAMES = ("Anna", "Bence", "Ioana", "Matei", "Réka", "Andrei", "Emese", "Maria", "Botond")


def _account(username: str, role: Role, centres: list[Centre], given: str, family: str) -> User:
    user = db.session.scalar(db.select(User).where(User.username == username))
    if user is None:
        user = User(username=username, given_name=given, family_name=family, role=role)
        db.session.add(user)
    user.role, user.active, user.must_change_password = role, True, False
    user.centres = centres
    user.set_password(PASSWORD)
    secret = encrypt_secret(totp_secret(username))
    if user.second_factor is None:
        user.second_factor = SecondFactor(secret_encrypted=secret)
    else:  # again, perhaps under another SECRET_KEY: a fresh secret, no step used yet
        user.second_factor.secret_encrypted = secret
        user.second_factor.last_used_step = None
    return user


def _children(centre: Centre, group: Group, number: int) -> None:
    start = date(2025, 9, 1)
    for index in range(CHILDREN_PER_GROUP):
        name = FAMILY_NAMES[(number + index) % len(FAMILY_NAMES)]
        given = GIVEN_NAMES[index % len(GIVEN_NAMES)]
        family = Family(
            centre_id=centre.id,
            name=name,
            address=f"Strada Testului nr. {index + 1}",
            city="Târgu Secuiesc",
            search_key=fold(name),
        )
        child = Person(
            family=family,
            kind=PersonKind.CHILD,
            family_name=name,
            given_name=f"{given} {number:02d}-{index:02d}",
            sex=Sex.FEMALE if index % 2 else Sex.MALE,
            birth_date=date(2015 + index % 5, 1 + index % 12, 1 + index % 28),
            search_key=fold(f"{name} {given} {number:02d}-{index:02d}"),
        )
        db.session.add_all([family, child])
        db.session.add(
            Enrolment(
                person=child,
                centre_id=centre.id,
                group_id=group.id,
                number=index + 1,
                status=EnrolmentStatus.ACTIVE,
                applied_on=start - timedelta(days=14),
                contract_number=f"{index + 1}/2025",
                contract_date=start - timedelta(days=7),
                start_date=start,
            )
        )


def _centre(number: int) -> Centre:
    name = CENTRE_NAME.format(number)
    centre = db.session.scalar(db.select(Centre).where(Centre.name == name))
    if centre is not None:
        return centre
    centre = Centre(
        name=name,
        kind=CentreKind.AFTER_SCHOOL,
        service_code="8891 CZ-C-II",
        address=f"Strada Școlii nr. {number}",
        city="Târgu Secuiesc",
        capacity=CHILDREN_PER_GROUP,
        opens_at=time(12, 0),
        closes_at=time(18, 0),
    )
    centre.weekdays = [1, 2, 3, 4, 5]
    group = Group(
        name="Grupa de test",
        capacity=CHILDREN_PER_GROUP,
        starts_at=time(12, 0),
        ends_at=time(17, 0),
        days="12345",
    )
    centre.groups = [group]
    db.session.add(centre)
    db.session.flush()
    db.session.add_all(
        [
            MealType(centre_id=centre.id, name="Masă caldă", position=1),
            MealType(centre_id=centre.id, name="Gustare", position=2),
        ]
    )
    _children(centre, group, number)
    db.session.flush()
    return centre


def create_load_users() -> None:
    centres = [_centre(number) for number in range(1, COORDINATORS + 1)]
    for number, centre in enumerate(centres, start=1):
        _account(f"load-coord-{number:02d}", Role.COORDINATOR, [centre], "Ioana", f"Test{number}")
    share = len(centres) // COUNSELLORS
    for number in range(1, COUNSELLORS + 1):
        own = centres[(number - 1) * share : number * share]
        _account(f"load-counsellor-{number}", Role.COUNSELLOR, own, "Tünde", f"Test{number}")
    for number in range(1, ADMINISTRATORS + 1):
        _account(f"load-admin-{number}", Role.ADMIN, [], "Levente", f"Test{number}")
    _account("load-probe", Role.COORDINATOR, centres[:1], "Ioana", "Proba")
    db.session.commit()


def main() -> None:
    app = create_app()
    with app.app_context():
        create_load_users()
    print(
        f"{COORDINATORS} coordinators (load-coord-01…), {COUNSELLORS} counsellors, "
        f"{ADMINISTRATORS} administrators (load-admin-1…), password from LOAD_PASSWORD; "
        f"{COORDINATORS} centres with {CHILDREN_PER_GROUP} children each."
    )


if __name__ == "__main__":
    main()
