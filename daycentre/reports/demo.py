"""The demo plan: the Târgu Secuiesc 2026 development plan (seed 004), in Romanian as written,
with three slips of the pen put right ("pntu distribuie", "monitoriz.", "evaluari").

The seed sets no numeric targets, so none are loaded; the administrator enters them. Its indicator
"Număr de centre de zi înființate" (day centres founded) has no measure the app computes and is
left out."""

from daycentre.extensions import db
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
