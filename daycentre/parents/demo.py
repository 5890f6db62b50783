"""The demo's parents and what they do in the app.

``parent`` is Kovács Erzsébet (Hungarian), mother of Anna and Bence at the after-school centre;
``parinte`` is Nagy Zsuzsanna (Romanian). Nagy Attila, the father, has a printed invitation not yet
used, whose code the README gives (the demo's one published code; never in production).

``parent`` has the permission of an outing to give, absences reported a week ahead (on the second
of those days ``parinte`` reports her own child too), a consent to withdraw, and two parenting
workshops at the after-school centre (one to join, one she joined).
"""

from datetime import time, timedelta

from sqlalchemy import select

from daycentre.attendance.models import AbsenceReason, AbsenceReport
from daycentre.auth.models import User
from daycentre.centres.calendar import closed_days
from daycentre.centres.models import Centre, CentreKind, Room
from daycentre.core.database import utcnow
from daycentre.core.localtime import local_instant, today
from daycentre.extensions import db
from daycentre.parents.invitations import code_hash, valid_for
from daycentre.parents.models import InvitationKind, ParentAccount, ParentInvitation
from daycentre.people.models import Consent, ConsentPurpose, Family, Person, PersonKind
from daycentre.programme.models import Outing, OutingChild, OutingStatus, PermissionState
from daycentre.workshops.models import (
    Audience,
    RegistrationStatus,
    Workshop,
    WorkshopRegistration,
    WorkshopSession,
)

DEMO_INVITATION_CODE = "DEMPARENTS"  # printed as DEMPA-RENTS
# username: (family name, given name of the adult)
PARENT_USERNAME = "parent"  # the demo parent with things to do in the app
DEMO_PARENTS = {"parent": ("Kovács", "Erzsébet"), "parinte": ("Nagy", "Zsuzsanna")}


def _adult(family_name: str, given_name: str) -> Person:
    return db.session.scalar(
        select(Person)
        .join(Family, Family.id == Person.family_id)
        .where(Family.name == family_name, Person.given_name == given_name)
        .order_by(Person.id)
        .limit(1)
    )


def load_parents() -> None:
    for username, (family_name, given_name) in DEMO_PARENTS.items():
        user = db.session.scalar(select(User).where(User.username == username))
        db.session.add(ParentAccount(user_id=user.id, person_id=_adult(family_name, given_name).id))
    father = _adult("Nagy", "Attila")
    coordinator = db.session.scalar(select(User).where(User.username == "coordinator"))
    created = utcnow() - timedelta(days=1)
    db.session.add(
        ParentInvitation(
            person_id=father.id,
            centre_id=father.family.centre_id,
            kind=InvitationKind.LETTER,
            secret_hash=code_hash(DEMO_INVITATION_CODE),
            language="ro",
            created_by_id=coordinator.id,
            created_at=created,
            expires_at=created + valid_for(),
        )
    )
    db.session.flush()


def _working_days(centre: Centre, first, count: int, step: int) -> list:
    days, day = [], first
    closed = closed_days(centre, None, first - timedelta(days=40), first + timedelta(days=40))
    while len(days) < count:
        if day not in closed:
            days.append(day)
        day += timedelta(days=step)
    return days


def load_parent_actions() -> None:
    """What ``parent`` (made by ``load_parents``) has to do: her child is invited on the
    after-school centre's planned outing, its permission pending."""
    centre = db.session.scalar(select(Centre).where(Centre.kind == CentreKind.AFTER_SCHOOL))
    parent = db.session.scalar(select(User).where(User.username == PARENT_USERNAME))
    mother = parent_account_person(parent) if parent else None
    child = next((p for p in mother.family.children if p.enrolments), None) if mother else None
    outing = db.session.scalar(
        select(Outing)
        .where(
            Outing.centre_id == (centre.id if centre else None),
            Outing.status == OutingStatus.PLANNED,
        )
        .order_by(Outing.id)
    )
    if centre is None or child is None or outing is None:
        return
    if not any(c.person_id == child.id for c in outing.children):
        db.session.add(
            OutingChild(
                outing=outing, person_id=child.id, permission=PermissionState.PENDING, language="hu"
            )
        )
    others = [
        p
        for p in db.session.scalars(
            select(Person)
            .join(Person.family)
            .where(Person.kind == PersonKind.CHILD, Person.family_id != child.family_id)
        )
        if any(e.centre_id == centre.id and e.start_date for e in p.enrolments)
    ][:2]
    # A week ahead: the journeys that take a roll of the days before find it as it was.
    ahead = _working_days(centre, today() + timedelta(days=7), 2, 1)
    reports = [
        (
            child,
            ahead[0],
            ahead[1],
            AbsenceReason.ILLNESS,
            "Are febră; revine după control.",
            parent,
        )
    ]
    # Each report is sent by a parent of the child: the other demo parents report their own.
    for username in DEMO_PARENTS.keys() - {PARENT_USERNAME}:
        user = db.session.scalar(select(User).where(User.username == username))
        adult = parent_account_person(user) if user else None
        theirs = next(
            (
                p
                for p in (adult.family.children if adult else [])
                if any(e.centre_id == centre.id and e.start_date for e in p.enrolments)
            ),
            None,
        )
        if theirs is not None:
            reports.append((theirs, ahead[1], ahead[1], AbsenceReason.FAMILY, None, user))
    for person, first, end, reason, note, sender in reports:
        db.session.add(
            AbsenceReport(
                centre_id=centre.id,
                person_id=person.id,
                first_day=first,
                last_day=end,
                reason=reason,
                note=note,
                reported_by_id=sender.id,
                reported_at=utcnow() - timedelta(days=1),
            )
        )
    if not any(c.purpose is ConsentPurpose.PHOTOS for c in child.consents):
        db.session.add(
            Consent(
                person_id=child.id,
                purpose=ConsentPurpose.PHOTOS,
                given_by=f"{parent.full_name} (părinte)",
                given_on=today() - timedelta(days=60),
            )
        )
    other_adult = next(
        (
            p
            for o in others
            for p in o.family.members
            if p.kind is PersonKind.ADULT and p.family_id != child.family_id
        ),
        None,
    )
    # One workshop the parent may join (another parent is registered already), one they joined.
    _workshop(centre, "Școala părinților: temele și timpul de ecran", 3, other_adult)
    _workshop(centre, "Cercul părinților: disciplina pozitivă", 1, parent_account_person(parent))
    db.session.flush()


def parent_account_person(user: User) -> Person | None:
    account = db.session.scalar(select(ParentAccount).where(ParentAccount.user_id == user.id))
    return account.person if account else None


def _workshop(centre: Centre, title: str, weekday: int, registered: Person | None) -> None:
    """Four weekly sessions from the next week's ``weekday`` (Monday is 0), 18:00."""
    room = db.session.scalar(select(Room).where(Room.centre_id == centre.id).order_by(Room.id))
    counsellor = db.session.scalar(select(User).where(User.username == "counsellor"))
    if room is None or counsellor is None:
        return
    workshop = Workshop(
        centre_id=centre.id,
        title=title,
        description="Patru întâlniri de câte o oră și jumătate, după-amiaza.",
        audience=Audience.PARENTS,
        room_id=room.id,
        capacity=8,
        taken_places=1 if registered else 0,
        created_by_id=counsellor.id,
    )
    workshop.facilitators = [counsellor]
    db.session.add(workshop)
    start = local_instant(today() + timedelta(days=(weekday - today().weekday()) % 7 + 7), time(18))
    for week in range(4):
        begin = start + timedelta(weeks=week)
        db.session.add(
            WorkshopSession(
                workshop=workshop, starts_at=begin, ends_at=begin + timedelta(minutes=90)
            )
        )
    if registered is not None:
        db.session.add(
            WorkshopRegistration(
                workshop=workshop,
                person_id=registered.id,
                status=RegistrationStatus.REGISTERED,
                queue_position=1,
            )
        )
