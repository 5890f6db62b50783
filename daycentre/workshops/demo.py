"""Demo workshops: a running parenting programme with a waiting list (past sessions with attendance)
and a support group with past meetings, at the parent-counselling centre."""

from datetime import time, timedelta

from daycentre.auth.models import User
from daycentre.centres.models import Centre, CentreKind
from daycentre.core.database import utcnow
from daycentre.core.errors import Refused
from daycentre.core.localtime import local_instant, today, week_start
from daycentre.extensions import db
from daycentre.people.models import Family, Person, PersonKind
from daycentre.workshops import services as workshops


def _first_free(make, monday, at):
    """The first week day (from ``monday``, up to four weeks on) the rules accept."""
    for offset in range(28):
        try:
            with db.session.begin_nested():
                return make(local_instant(monday + timedelta(days=offset), at))
        except Refused:
            continue
    return None


def load_workshops() -> None:
    centre = db.session.scalar(
        db.select(Centre).where(Centre.kind == CentreKind.PARENT_COUNSELLING)
    )
    room = next(r for r in centre.rooms if r.name == "Sala de grup")
    tunde = db.session.scalar(db.select(User).where(User.username == "counsellor"))
    elena = db.session.scalar(db.select(User).where(User.username == "psiholog"))
    coordinator = tunde
    adults = db.session.scalars(
        db.select(Person)
        .join(Family)
        .where(Family.centre_id == centre.id, Person.kind == PersonKind.ADULT)
        .order_by(Person.id)
    ).all()
    monday = week_start(today()) - timedelta(days=21)

    workshop = _first_free(
        lambda start: workshops.create_workshop(
            centre,
            actor=coordinator,
            title="Cei cinci ani de acasă – disciplina pozitivă",
            description="Opt întâlniri despre reguli, emoții și timpul petrecut împreună.",
            audience="parents",
            room=room,
            capacity=max(2, min(6, len(adults) - 2)),
            facilitators=[tunde, elena] if elena else [tunde],
            first_start=start,
            minutes=90,
            count=8,
        ),
        monday + timedelta(days=1),
        time(16, 15),
    )
    if workshop is not None:
        for adult in adults:
            workshops.register(workshop, adult, actor=coordinator)
        present = [r.person_id for r in workshops.participants(workshop)]
        now = local_instant(today(), time(0))
        for index, session in enumerate(s for s in workshop.sessions if s.ends_at < now):
            # Everyone came, except one different person each week.
            missing = present[index % len(present)] if present else None
            workshops.record_attendance(
                session, actor=tunde, present_ids={p for p in present if p != missing}
            )

    group = workshops.create_group(
        centre,
        actor=coordinator,
        topic="Támogató csoport egyedülálló szülőknek / Grup de suport pentru părinți singuri",
        facilitator=elena or tunde,
        room=room,
        schedule="Joi, 16:30–17:30",
    )
    for adult in adults[:5]:
        workshops.join_group(group, adult, actor=coordinator, on=monday - timedelta(days=14))
    meetings = []
    for week in range(4):
        found = _first_free(
            lambda start: workshops.add_meetings(
                group, actor=coordinator, first_start=start, minutes=60
            ),
            monday + timedelta(days=3 + 7 * week),
            time(16, 30),
        )
        meetings += found or []
    members = [m.person_id for m in group.members]
    for index, meeting in enumerate(m for m in meetings if m.starts_at < utcnow()):
        workshops.record_meeting_attendance(
            meeting, actor=elena or tunde, present_ids=set(members[: 3 + index % 3])
        )
