"""The demo plan: the Târgu Secuiesc 2026 development plan (seed 004), in Romanian as written,
with three slips of the pen put right ("pntu distribuie", "monitoriz.", "evaluari").

The seed sets no numeric targets, so none are loaded; the administrator enters them. Its indicator
"Număr de centre de zi înființate" (day centres founded) has no measure the app computes and is
left out."""

from datetime import date

from sqlalchemy import func

from daycentre.centres.models import Centre, CentreKind, Group
from daycentre.core.text import fold
from daycentre.enrolment.models import Enrolment, EnrolmentStatus, ExitReason
from daycentre.extensions import db
from daycentre.people.models import (
    Family,
    Person,
    PersonKind,
    Relationship,
    Residence,
    Sex,
    VulnerabilityFactor,
)
from daycentre.reports.models import DevelopmentPlan, PlanActivity, PlanIndicator, PlanObjective

DAS = "DAS Târgu Secuiesc"
DAS_ONG = "DAS Târgu Secuiesc, Furnizori ONG"

TITLE = (
    "Planul de dezvoltare a serviciilor de prevenire a separării copilului de familie "
    "din municipiul Târgu Secuiesc pentru anul 2026"
)
GENERAL_OBJECTIVE = (
    "Reducerea semnificativă a numărului de cazuri de separare familială în municipiul "
    "Târgu Secuiesc prin inițierea programelor de prevenție eficientă și consolidarea rețelelor "
    "de sprijin la nivel comunitar."
)

# (objective, [(activity, responsible, [(indicator as worded, measure)])])
PLAN = [
    (
        "Identificarea și înregistrarea copiilor aflați în risc de separare",
        [
            (
                "Colaborare cu instituțiile locale, ONG, pentru identificarea cazurilor",
                DAS,
                [("Număr de copii identificați", "children_identified")],
            ),
            (
                "Identificarea și înregistrarea în Observatorul Național al Copilului a tuturor "
                "copiilor aflați în risc de separare de familie și a familiilor aflate în situații "
                "de vulnerabilitate",
                DAS,
                [
                    ("Număr de copii identificați și înregistrați", "children_observatory"),
                    ("Număr de familii identificate și înregistrate", "families_registered"),
                ],
            ),
        ],
    ),
    (
        "Îmbunătățirea accesului la servicii de consiliere și mediere familială.",
        [
            (
                "Sesiuni de consiliere accesibile tuturor categoriilor sociale.",
                DAS_ONG,
                [
                    ("Număr ședințe de consiliere", "counselling_sessions"),
                    ("Număr persoane consiliate", "persons_counselled"),
                ],
            ),
            (
                "Formarea continuă a specialiștilor din domeniul serviciilor de prevenire a "
                "separării copilului de familie",
                DAS,
                [("Număr persoane formate", "persons_trained")],
            ),
        ],
    ),
    (
        "Creșterea gradului de conștientizare cu privire la importanța familiei și a relațiilor "
        "interpersonale",
        [
            (
                "Organizarea de campanii de informare publică pe parcursul unui an, utilizând "
                "diverse canale media.",
                DAS_ONG,
                [("Număr campanii realizate", "campaigns")],
            ),
            (
                "Elaborare materiale informative (broșuri, afișe, videoclipuri) pentru a fi "
                "distribuite în comunitate.",
                DAS_ONG,
                [("Număr materiale", "materials")],
            ),
            (
                "Organizare de ateliere de parenting pentru părinți, cupluri și adolescenți",
                "Furnizori ONG",
                [("Număr ateliere organizate", "parenting_workshops")],
            ),
        ],
    ),
    (
        "Consolidarea rețelei de sprijin comunitar",
        [
            (
                "Încheierea de parteneriate cu organizații non-guvernamentale care activează în "
                "domeniul protecției copilului și a familiei",
                DAS,
                [("Număr parteneriate încheiate", "partnerships")],
            ),
            (
                "Elaborarea și implementarea unui protocol unificat de intervenție în cazurile de "
                "risc de separare familială",
                DAS,
                [
                    ("Număr protocoale semnate", "protocols"),
                    ("Număr instituții implicate", "institutions_involved"),
                ],
            ),
            (
                "Dezvoltarea unei baze de date cu resursele disponibile în comunitate pentru "
                "familiile aflate în dificultate",
                DAS,
                [("Număr baze de date create", "resource_entries")],
            ),
        ],
    ),
    (
        "Implicarea de voluntari în programele de prevenție a separării familiale în următorii "
        "2 ani",
        [
            (
                "Organizarea de sesiuni de training și promovarea voluntariatului în comunitate",
                DAS,
                [("Număr de contracte de voluntariat încheiate", "volunteer_contracts")],
            ),
        ],
    ),
    (
        "Monitorizarea planurilor de servicii",
        [
            (
                "Vizite la domiciliu regulate și evaluări periodice ale progresului",
                DAS,
                [("Număr de planuri monitorizate", "plans_monitored")],
            ),
        ],
    ),
    (
        "Monitorizarea și evaluarea anuală a impactului programelor implementate",
        [
            (
                "Realizarea anuală a evaluării planului de implementare",
                DAS,
                [("Număr evaluări realizate", "evaluations")],
            ),
        ],
    ),
    (
        "Dezvoltarea infrastructurii",
        [
            (
                "Menținerea funcționalității centrului de zi Act for children destinat prevenirii "
                "separării copilului de familie",
                DAS_ONG,
                [("Număr de centre de zi funcționale", "day_centres")],
            ),
        ],
    ),
]


def load_plan() -> DevelopmentPlan:
    plan = DevelopmentPlan(year=2026, title=TITLE, general_objective=GENERAL_OBJECTIVE)
    for position, (objective_title, activities) in enumerate(PLAN, start=1):
        objective = PlanObjective(position=position, title=objective_title)
        plan.objectives.append(objective)
        for description, responsible, indicators in activities:
            activity = PlanActivity(description=description, responsible=responsible)
            objective.activities.append(activity)
            for wording, measure in indicators:
                activity.indicators.append(PlanIndicator(wording=wording, measure=measure))
    db.session.add(plan)
    db.session.flush()
    return plan


# ---- The third quarter of 2026 for the quarterly report ----------------------------------------

# The exit reasons the demo's earlier exits were written with, in the statistics' words.
EXIT_CAUSES = {
    "Absolvirea clasei a VIII-a": ExitReason.NO_LONGER_ELIGIBLE,
    "Familia s-a mutat în altă localitate": ExitReason.MOVED_AWAY,
    "La cererea familiei": ExitReason.FAMILY_REQUEST,
}


def load_quarter() -> None:
    """A family from the village of Lunga whose children came and left in the summer of 2026:
    Daria admitted in July (she left in October), Cosmin separated from the family in September
    despite the services (placed with a foster carer)."""
    for enrolment in db.session.scalars(
        db.select(Enrolment).where(Enrolment.exit_reason.is_not(None))
    ):
        enrolment.exit_cause = EXIT_CAUSES.get(enrolment.exit_reason, ExitReason.OTHER)
    centre = db.session.scalar(db.select(Centre).where(Centre.kind == CentreKind.AFTER_SCHOOL))
    group = db.session.scalar(db.select(Group).where(Group.name == "Clasele V–VIII"))
    family = Family(
        centre_id=centre.id,
        name="Lazăr",
        address="Strada Principală nr. 48, Lunga",
        city="Târgu Secuiesc",
        residence=Residence.RURAL,
        phone="0745 118 260",
        search_key=fold("Lazăr"),
    )
    family.factors = [VulnerabilityFactor.LOW_INCOME, VulnerabilityFactor.HOUSING]
    mother = _member(family, PersonKind.ADULT, "Maria", Sex.FEMALE, date(1986, 10, 3))
    mother.relation = Relationship.MOTHER
    daria = _member(family, PersonKind.CHILD, "Daria", Sex.FEMALE, date(2011, 5, 4))
    cosmin = _member(family, PersonKind.CHILD, "Cosmin", Sex.MALE, date(2013, 2, 11))
    db.session.add(family)
    numbers = db.session.scalar(
        db.select(func.max(Enrolment.number)).where(Enrolment.centre_id == centre.id)
    )
    for offset, (person, applied, start, exit_date, cause, reason) in enumerate(
        (
            (
                cosmin,
                date(2026, 1, 26),
                date(2026, 2, 2),
                date(2026, 9, 18),
                ExitReason.SEPARATED,
                "Plasament la asistent maternal (DGASPC Covasna)",
            ),
            (
                daria,
                date(2026, 6, 29),
                date(2026, 7, 6),
                date(2026, 10, 30),
                ExitReason.FAMILY_REQUEST,
                "La cererea familiei",
            ),
        ),
        start=1,
    ):
        db.session.add(
            Enrolment(
                centre_id=centre.id,
                group_id=group.id,
                person=person,
                number=numbers + offset,
                status=EnrolmentStatus.EXITED,
                applied_on=applied,
                contract_number=f"{numbers + offset}/{start:%Y}",
                contract_date=start,
                start_date=start,
                exit_date=exit_date,
                exit_cause=cause,
                exit_reason=reason,
            )
        )
    db.session.flush()


def _member(family: Family, kind: PersonKind, given: str, sex: Sex, birth: date) -> Person:
    return Person(
        family=family,
        kind=kind,
        family_name=family.name,
        given_name=given,
        sex=sex,
        birth_date=birth,
        search_key=fold(f"{family.name} {given}"),
    )
