"""Demo counselling: a month of sessions (two weeks back, two ahead) for the two demo counsellors,
some weekly, the past ones held with notes, one no-show and one cancelled; one shared file."""

from datetime import time, timedelta

from daycentre.auth.models import User
from daycentre.centres.models import Centre, CentreKind
from daycentre.core.errors import Refused
from daycentre.core.localtime import local_instant, today, week_start
from daycentre.counselling import services as counselling
from daycentre.counselling.models import SessionStatus
from daycentre.enrolment.models import Enrolment, EnrolmentStatus
from daycentre.extensions import db
from daycentre.people.models import Person, PersonKind

NOTES = [
    "Mama relatează că a găsit un loc de muncă cu jumătate de normă; programul copiilor s-a "
    "stabilizat. De urmărit: plata chiriei.",
    "Copilul a vorbit deschis despre școală; anxietate înaintea lucrărilor de control. "
    "Exerciții de respirație exersate împreună.",
    "Au discutat regulile de acasă și timpul petrecut pe telefon. Tatăl participă de acum la "
    "ședințe.",
    "Informare despre alocația de susținere și actele necesare; s-a programat vizita la SPAS.",
    "Az anya kérte, hogy a következő alkalmat magyarul tartsuk. Jól halad a napirend kialakítása.",
]


def _book(centre, counsellor, room, beneficiary, kind, day, at, minutes=60, **series):
    """Book what the rules allow; a series that meets a holiday is booked date by date."""
    fields = {"person": beneficiary} if isinstance(beneficiary, Person) else {"family": beneficiary}
    start = local_instant(day, at)
    try:
        return counselling.schedule(
            centre,
            actor=counsellor,
            counsellor=counsellor,
            room=room,
            session_type=kind,
            start=start,
            minutes=minutes,
            **fields,
            **series,
        )
    except Refused:
        if not series:
            return []
    booked = []
    for index in range(series["occurrences"]):
        booked += _book(
            centre,
            counsellor,
            room,
            beneficiary,
            kind,
            day + timedelta(days=series["interval_days"] * index),
            at,
            minutes,
        )
    return booked


def load_sessions() -> None:
    centre = db.session.scalar(
        db.select(Centre).where(Centre.kind == CentreKind.PARENT_COUNSELLING)
    )
    rooms = {room.name: room for room in centre.rooms}
    tunde = db.session.scalar(db.select(User).where(User.username == "counsellor"))
    # The second demo counsellor, the psychologist, is one of the foundation's demo users.
    elena = db.session.scalar(db.select(User).where(User.username == "psiholog"))
    adults = db.session.scalars(
        db.select(Person)
        .join(Enrolment, Enrolment.person_id == Person.id)
        .where(
            Enrolment.centre_id == centre.id,
            Enrolment.status == EnrolmentStatus.ACTIVE,
            Person.kind == PersonKind.ADULT,
        )
        .order_by(Person.id)
    ).all()
    children = db.session.scalars(
        db.select(Person)
        .join(Enrolment, Enrolment.person_id == Person.id)
        .where(Enrolment.centre_id == centre.id, Person.kind == PersonKind.CHILD)
        .order_by(Person.id)
    ).all()
    monday = week_start(today()) - timedelta(days=14)
    cabinet, psychology = rooms["Cabinet de consiliere 1"], rooms["Cabinet psihologic"]
    weekly = {"interval_days": 7, "occurrences": 5}

    sessions = []
    # Tünde Fazakas, social worker: weekly family counselling and parental education.
    sessions += _book(
        centre,
        tunde,
        cabinet,
        adults[0].family,
        "social",
        monday + timedelta(1),
        time(10),
        **weekly,
    )
    sessions += _book(
        centre,
        tunde,
        cabinet,
        adults[1],
        "parental_education",
        monday + timedelta(3),
        time(14),
        90,
        **weekly,
    )
    for offset, adult in zip((0, 7, 16, 22), adults[2:6], strict=False):
        sessions += _book(
            centre, tunde, cabinet, adult, "information", monday + timedelta(offset), time(9), 45
        )
    # Elena Moldovan, psychologist: weekly sessions with children, fortnightly with a mother.
    for index, child in enumerate(children[:2]):
        sessions += _book(
            centre,
            elena,
            psychology,
            child,
            "psychological",
            monday,
            time(15 + index),
            50,
            **weekly,
        )
    sessions += _book(
        centre,
        elena,
        psychology,
        adults[6] if len(adults) > 6 else adults[0],
        "psychological",
        monday + timedelta(2),
        time(11),
        interval_days=14,
        occurrences=2,
    )
    sessions += _book(
        centre, elena, cabinet, adults[0].family, "legal", monday + timedelta(9), time(12)
    )

    now = local_instant(today(), time(0))
    past = [s for s in sessions if s.ends_at < now]
    for index, session in enumerate(past):
        actor = session.counsellor
        if index == 3:
            counselling.record_outcome(
                session, actor=actor, version=session.version, status=SessionStatus.NO_SHOW
            )
        elif index == 5:
            counselling.record_outcome(
                session,
                actor=actor,
                version=session.version,
                status=SessionStatus.CANCELLED,
                cancel_reason="Copilul este bolnav; reprogramare telefonică.",
            )
        else:
            counselling.record_outcome(
                session,
                actor=actor,
                version=session.version,
                status=SessionStatus.HELD,
                minutes_spent=session.duration_minutes - (index % 3) * 5,
            )
            counselling.save_note(session, actor=actor, text=NOTES[index % len(NOTES)])
    # The social worker shares the family's file with the psychologist.
    counselling.share_notes(actor=tunde, counsellor=elena, family=adults[0].family)
