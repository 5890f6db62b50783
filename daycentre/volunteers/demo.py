"""The demo's volunteers at the after-school centre, loaded through the same services as the UI.

Five people come forward: four are registered, and the fifth, Bence Kovács, is 14; his
registration is attempted below and refused by the age rule, so the demo holds no record of him.
Zoltán Molnár's integrity certificate has expired, so he cannot sign up for activities with
children. The demo user ``volunteer`` (Ștefan Ionescu) has a contract in force, a valid
certificate, activities coming up, hours done and a certificate of volunteering.
"""

from datetime import date, time, timedelta

from daycentre.auth.models import User
from daycentre.centres.models import Centre, CentreKind
from daycentre.core.database import utcnow
from daycentre.core.errors import Refused
from daycentre.core.localtime import local_instant, today
from daycentre.extensions import db
from daycentre.volunteers import services as volunteering
from daycentre.volunteers.clauses import STANDARD_CLAUSES, standard_clause
from daycentre.volunteers.models import Activity


def _years_ago(years: int, month: int, day: int) -> date:
    return date(today().year - years, month, day)


def _contract(volunteer, coordinator, *, starts_on, ends_on, activities, schedule, state):
    contract = volunteering.create_contract(
        volunteer,
        actor=coordinator,
        starts_on=starts_on,
        ends_on=ends_on,
        activities=activities,
        schedule=schedule,
        # The standard clauses in Romanian: a Hungarian copy prints them in Hungarian.
        **{field: standard_clause(field) for field in STANDARD_CLAUSES},
    )
    if state in ("signed", "active"):
        volunteering.sign_contract(
            contract, actor=coordinator, signed_on=starts_on - timedelta(days=3)
        )
    if state == "active":
        volunteering.activate_contract(contract, actor=coordinator)
    return contract


def _next_weekday(start: date, weekday: int) -> date:
    """The first ISO ``weekday`` strictly after ``start``."""
    return start + timedelta(days=(weekday - start.isoweekday() - 1) % 7 + 1)


def _activity(centre, coordinator, *, day, start, end, **fields) -> Activity:
    return volunteering.save_activity(
        None,
        actor=coordinator,
        centre=centre,
        starts_at=local_instant(day, start),
        ends_at=local_instant(day, end),
        **fields,
    )


def load_volunteers() -> None:
    centre = db.session.scalars(
        db.select(Centre).where(Centre.kind == CentreKind.AFTER_SCHOOL).order_by(Centre.id)
    ).first()
    coordinator = db.session.scalar(db.select(User).where(User.username == "coordinator"))
    stefan_user = db.session.scalar(db.select(User).where(User.username == "volunteer"))
    day = today()

    def register(**fields):
        return volunteering.register_volunteer(
            actor=coordinator, centre=centre, today=day, **fields
        )

    stefan = register(
        given_name="Ștefan",
        family_name="Ionescu",
        birth_date=_years_ago(27, 3, 14),
        phone="0744 123 456",
        address="Strada Gábor Áron nr. 5, Târgu Secuiesc",
        skills=["homework", "meals", "crafts"],
        languages="română, maghiară (conversație), engleză",
        availability="Marți și joi după-amiaza; sâmbăta dimineața",
        integrity_certificate_on=day - timedelta(days=60),
    )
    stefan.user = stefan_user
    kinga = register(
        given_name="Kinga",
        family_name="Benedek",
        birth_date=_years_ago(24, 9, 2),
        phone="0755 987 321",
        skills=["music", "crafts", "homework"],
        languages="maghiară, română",
        availability="Luni, miercuri și vineri",
        integrity_certificate_on=day - timedelta(days=35),
    )
    zoltan = register(
        given_name="Zoltán",
        family_name="Molnár",
        birth_date=_years_ago(41, 1, 20),
        phone="0766 222 333",
        skills=["driving", "sports", "first_aid"],
        languages="maghiară, română",
        availability="Sâmbăta",
        integrity_certificate_on=day - timedelta(days=250),  # expired: 6 months of validity
    )
    andreea = register(
        given_name="Andreea",
        family_name="Pop",
        birth_date=_years_ago(15, 1, 1),
        parental_consent_on=day - timedelta(days=7),
        skills=["crafts"],
        languages="română",
        availability="Vineri după-amiaza",
        integrity_certificate_on=day - timedelta(days=7),
    )
    try:  # the fifth applicant is 14: the age rule refuses him and nothing is stored
        with db.session.begin_nested():
            register(
                given_name="Bence",
                family_name="Kovács",
                birth_date=_years_ago(14, 6, 1),
                skills=["sports"],
            )
    except Refused:
        pass

    since = day - timedelta(days=90)
    _contract(
        stefan,
        coordinator,
        starts_on=since,
        ends_on=since + timedelta(days=364),
        activities="Sprijin la efectuarea temelor (clasele I–IV), servirea mesei calde, ateliere.",
        schedule="Marți și joi, 14:00–17:00, pe durata anului școlar.",
        state="active",
    )
    _contract(
        kinga,
        coordinator,
        starts_on=day - timedelta(days=160),
        ends_on=day + timedelta(days=20),  # ends within 30 days: flagged to the coordinator
        activities="Atelier de muzică și teatru de păpuși.",
        schedule="Luni și miercuri, 15:00–17:00.",
        state="active",
    )
    _contract(
        zoltan,
        coordinator,
        starts_on=day - timedelta(days=300),
        ends_on=day + timedelta(days=65),
        activities="Însoțitor și șofer la excursii, jocuri sportive.",
        schedule="Sâmbăta, ocazional, 09:00–15:00.",
        state="active",
    )
    _contract(
        andreea,
        coordinator,
        starts_on=day + timedelta(days=10),
        ends_on=day + timedelta(days=190),
        activities="Ateliere de lucru manual.",
        schedule="Vineri, 15:00–17:00.",
        state="draft",
    )

    tuesday, thursday = _next_weekday(day, 2), _next_weekday(day, 4)
    homework = _activity(
        centre,
        coordinator,
        day=tuesday,
        start=time(14, 0),
        end=time(17, 0),
        title="Ajutor la teme — clasele I–IV",
        places=3,
        skills=["homework"],
        with_children=True,
        description="Citire și matematică cu grupa mică. Vă rugăm să veniți cu 10 minute înainte.",
        cancelled=False,
    )
    meal = _activity(
        centre,
        coordinator,
        day=thursday,
        start=time(12, 30),
        end=time(14, 0),
        title="Servirea mesei calde",
        places=2,
        skills=["meals"],
        with_children=True,
        description="Ajutor la servirea mesei și la strânsul mesei.",
        cancelled=False,
    )
    _activity(
        centre,
        coordinator,
        day=thursday,
        start=time(15, 0),
        end=time(17, 0),
        title="Atelier de lucru manual: felicitări de iarnă",
        places=2,
        skills=["crafts"],
        with_children=True,
        description="Materialele sunt pregătite de centru.",
        cancelled=False,
    )
    _activity(
        centre,
        coordinator,
        day=_next_weekday(day, 6),
        start=time(9, 0),
        end=time(15, 0),
        title="Excursie la Băile Balvanyos",
        places=2,
        skills=["driving"],
        with_children=True,
        description="Însoțitor cu permis de conducere pentru microbuzul centrului.",
        cancelled=False,
    )
    past = _activity(
        centre,
        coordinator,
        day=_next_weekday(day - timedelta(days=8), 2),
        start=time(14, 0),
        end=time(17, 0),
        title="Ajutor la teme — clasele I–IV",
        places=3,
        skills=["homework"],
        with_children=True,
        description="",
        cancelled=False,
    )

    before = utcnow() - timedelta(days=10)
    past_signup = volunteering.sign_up(past, stefan, actor=stefan_user, now=before)
    kinga_signup = volunteering.sign_up(past, kinga, actor=None, now=before)
    for signup in (past_signup, kinga_signup):
        volunteering.confirm_attendance(signup, actor=coordinator, attended=True, now=utcnow())
    volunteering.sign_up(homework, stefan, actor=stefan_user, now=utcnow())
    volunteering.sign_up(meal, stefan, actor=stefan_user, now=utcnow())

    reported = volunteering.report_hours(
        stefan,
        actor=stefan_user,
        day=day - timedelta(days=3),
        hours="2",
        description="Pregătirea serbării de Crăciun",
        today=day,
    )
    volunteering.decide_hours(reported, actor=coordinator, approve=True, now=utcnow())
    volunteering.report_hours(
        stefan,
        actor=stefan_user,
        day=day - timedelta(days=1),
        hours="1.5",
        description="Sortarea cărților donate pentru bibliotecă",
        today=day,
    )
    volunteering.issue_certificate(
        stefan,
        actor=coordinator,
        contract=stefan.contracts[0],
        period_start=since,
        period_end=day,
        today=day,
    )
    db.session.flush()
