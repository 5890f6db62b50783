"""Demo cases at the after-school centre, one at each stage: fresh and overdue requests, a referral
elsewhere, evaluations, a draft plan, plans in force (one with an overdue review), a closure
awaiting approval and closed cases; and two children returning home from foster care, one in its
first months of monitoring (a visit and the three-month outcome due) and one still at home six
months later. Dates count back from today, so the flags stay meaningful."""

from datetime import time, timedelta

from daycentre.auth.models import User
from daycentre.cases import deadlines, evaluations, plans, reintegration, workflow
from daycentre.cases.models import CaseKind, ClosureReason, Progress, ServiceKind
from daycentre.centres.models import Centre, CentreKind
from daycentre.core.localtime import today
from daycentre.enrolment.models import Enrolment
from daycentre.extensions import db
from daycentre.people.models import Family

REPORTS = [
    ("school", "letter", "Școala Gimnazială „Petőfi Sándor”", "Absențe repetate de la școală."),
    ("parent", "in_person", "Mama copiilor", "Mama cere sprijin: a rămas singură cu doi copii."),
    ("neighbour", "phone", "Vecină (anonim)", "Copiii sunt lăsați singuri seara."),
    ("doctor", "letter", "Cabinetul medical de familie dr. Kiss", "Copil subnutrit la control."),
    (
        "spas",
        "email",
        "SPAS Târgu Secuiesc",
        "Familie cu venituri foarte mici, locuință degradată.",
    ),
    ("police", "letter", "Poliția municipiului Târgu Secuiesc", "Conflicte violente în familie."),
    ("school", "email", "Liceul „Nagy Mózes”", "Scădere bruscă a rezultatelor școlare."),
    ("institution", "letter", "DGASPC Covasna", "Părinți plecați la muncă în străinătate."),
    ("parent", "phone", "Tatăl copilului", "Dificultăți de comunicare cu fiul adolescent."),
    ("school", "letter", "Școala Gimnazială nr. 1", "Copilul vine fără rechizite și fără mâncare."),
    ("neighbour", "in_person", "Vecin", "Copilul a fost văzut cerșind."),
]


def _evaluate(case, manager, started, completed=None):
    evaluation = evaluations.start_evaluation(
        case, actor=manager, started_on=started, started_at=time(9, 30)
    )
    evaluations.add_visit(
        case,
        actor=manager,
        visited_on=started + timedelta(days=2),
        visited_at=time(14, 0),
        findings="Locuință cu două camere, curată; copiii au spațiu pentru teme.",
    )
    evaluations.save_evaluation(
        evaluation,
        actor=manager,
        version=evaluation.version,
        family_composition="Mama și doi copii; tatăl lucrează în străinătate.",
        housing="Două camere, încălzire cu lemne.",
        income="Alocații și venit minim de incluziune.",
        risk_factors="Venit redus, supraveghere insuficientă după școală.",
        strengths="Mama cooperează; bunica locuiește aproape.",
        child_views="Copilul vrea să rămână acasă și să vină la centru.",
        professionals="Asistent social, psiholog, diriginta.",
        conclusions="Risc de separare moderat; familia poate fi sprijinită.",
        needs="Supraveghere după școală, masă caldă, consiliere parentală.",
        documents="Certificat de naștere\nAdeverință de venit\nAncheta socială SPAS",
    )
    if completed:
        evaluations.complete_evaluation(
            evaluation, actor=manager, version=evaluation.version, completed_on=completed
        )


def _plan(case, manager, coordinator, starts, approved=None):
    plan = plans.create_plan(case, actor=manager, starts_on=starts)
    school = plans.add_objective(
        plan, actor=manager, text="Frecvență școlară regulată și teme făcute"
    )
    enrolment = db.session.scalar(
        db.select(Enrolment).where(Enrolment.person_id.in_([c.id for c in case.children]))
    )
    plans.add_service(
        school,
        actor=manager,
        kind=ServiceKind.AFTER_SCHOOL,
        description="Program școală după școală cu masă caldă",
        responsible="Ioana Mureșan",
        starts_on=starts,
        deadline=starts + timedelta(days=180),
        record=enrolment,
    )
    parenting = plans.add_objective(plan, actor=manager, text="Abilități parentale consolidate")
    plans.add_service(
        parenting,
        actor=manager,
        kind=ServiceKind.COUNSELLING,
        description="Consiliere parentală, o ședință la două săptămâni",
        responsible="Tünde Fazakas",
        starts_on=starts,
        deadline=starts + timedelta(days=90),
    )
    plans.save_plan(
        plan,
        actor=manager,
        version=plan.version,
        starts_on=plan.starts_on,
        ends_on=plan.ends_on,
        family_signed_on=starts,
    )
    if approved:
        plans.approve_plan(plan, actor=coordinator, version=plan.version, approved_on=approved)
    return plan


def load_cases() -> None:
    centre = db.session.scalar(db.select(Centre).filter_by(kind=CentreKind.AFTER_SCHOOL))
    coordinator = db.session.scalar(db.select(User).filter_by(username="coordinator"))
    manager = db.session.scalar(db.select(User).filter_by(username="counsellor"))
    families = [
        family
        for family in db.session.scalars(
            db.select(Family).filter_by(centre_id=centre.id).order_by(Family.id)
        )
        if family.children
    ]
    day = today()

    def request(index, days_ago):
        source, channel, requester, reported = REPORTS[index]
        family = families[index % len(families)]
        return workflow.register_request(
            centre,
            actor=coordinator,
            received_on=day - timedelta(days=days_ago),
            source=source,
            channel=channel,
            requester=requester,
            reported=reported,
            family=family,
            children=family.children[:1],
        )

    def open_(case, days_ago):
        workflow.decide_primary(
            case,
            actor=coordinator,
            version=case.version,
            decided_on=day - timedelta(days=days_ago),
            competent=True,
            manager=manager,
        )

    request(0, 1)  # new, within the deadline
    request(1, 20)  # the primary evaluation is overdue
    referred = request(2, 40)
    workflow.decide_primary(
        referred,
        actor=coordinator,
        version=referred.version,
        decided_on=day - timedelta(days=37),
        competent=False,
        referred_to="Direcția de Asistență Socială Sfântu Gheorghe",
        answer="Familia locuiește în Sfântu Gheorghe; cazul a fost transmis serviciului competent.",
    )

    in_evaluation = request(3, 14)
    open_(in_evaluation, 12)
    evaluations.start_evaluation(
        in_evaluation, actor=manager, started_on=day - timedelta(days=10), started_at=time(10, 0)
    )

    planning = request(4, 30)
    open_(planning, 28)
    _evaluate(planning, manager, day - timedelta(days=27), day - timedelta(days=15))
    workflow.record_observatory(
        planning, actor=manager, version=planning.version, registered_on=day - timedelta(days=26)
    )
    _plan(planning, manager, coordinator, day - timedelta(days=5))

    monitored = request(5, 120)
    open_(monitored, 118)
    _evaluate(monitored, manager, day - timedelta(days=117), day - timedelta(days=105))
    _plan(monitored, manager, coordinator, day - timedelta(days=100), day - timedelta(days=100))
    plans.record_review(
        monitored,
        actor=manager,
        reviewed_on=day - timedelta(days=10),
        notes="Copilul frecventează centrul zilnic.",
        progress={o.id: (Progress.IN_PROGRESS, "") for o in monitored.active_plan.objectives},
    )
    workflow.refer_for_protection(
        monitored,
        actor=manager,
        version=monitored.version,
        body="commission",
        referred_on=day - timedelta(days=8),
    )

    overdue = request(6, 200)
    open_(overdue, 198)
    _evaluate(overdue, manager, day - timedelta(days=197), day - timedelta(days=185))
    _plan(overdue, manager, coordinator, day - timedelta(days=180), day - timedelta(days=180))

    closing = request(7, 300)
    open_(closing, 298)
    _evaluate(closing, manager, day - timedelta(days=297), day - timedelta(days=285))
    _plan(closing, manager, coordinator, day - timedelta(days=280), day - timedelta(days=280))
    workflow.propose_closure(
        closing,
        actor=manager,
        version=closing.version,
        reason=ClosureReason.MOVED_AWAY,
        closed_on=day - timedelta(days=3),
        stays_in_family=True,
        notes="Familia s-a mutat la Brașov.",
    )

    for index, (days_ago, reason, stays) in enumerate(
        [
            (400, ClosureReason.OBJECTIVES_REACHED, True),
            (380, ClosureReason.NOT_NEEDED, True),
        ],
        start=8,
    ):
        closed = request(index, days_ago)
        open_(closed, days_ago - 2)
        _evaluate(
            closed, manager, day - timedelta(days=days_ago - 3), day - timedelta(days=days_ago - 15)
        )
        _plan(
            closed,
            manager,
            coordinator,
            day - timedelta(days=days_ago - 20),
            day - timedelta(days=days_ago - 20),
        )
        plans.record_review(
            closed,
            actor=manager,
            reviewed_on=day - timedelta(days=days_ago - 100),
            progress={o.id: (Progress.REACHED, "") for o in closed.active_plan.objectives},
        )
        workflow.propose_closure(
            closed,
            actor=manager,
            version=closed.version,
            reason=reason,
            closed_on=day - timedelta(days=days_ago - 110),
            stays_in_family=stays,
            follow_up_on=day - timedelta(days=days_ago - 200),
        )
        workflow.approve_closure(closed, actor=coordinator, version=closed.version)
    _returns_home(centre, coordinator, manager, families)
    db.session.flush()


RETURN_VISITS = (
    "Copilul s-a readaptat bine; doarme în camera lui, merge la școală.",
    "Mama respectă programul; relația cu fratele mai mare s-a îmbunătățit.",
    "Familia primește alocația; copilul vine zilnic la centru după școală.",
    "Situație stabilă; nu mai este nevoie de vizite lunare.",
)


def _returns_home(centre, coordinator, manager, families) -> None:
    """Two children leaving foster care: one returned about three months ago, the other eight
    months ago and still at home after six."""
    day = today()
    for family, returned_days_ago, visits in (
        (families[-1], 98, 2),
        (families[-2], 245, 4),
    ):
        received = day - timedelta(days=returned_days_ago + 60)
        case = workflow.register_request(
            centre,
            actor=coordinator,
            received_on=received,
            source="institution",
            channel="letter",
            requester="DGASPC Covasna",
            reported="Încetarea plasamentului la asistentul maternal profesionist; "
            "reintegrare în familia biologică.",
            family=family,
            children=family.children[-1:],
            kind=CaseKind.REINTEGRATION,
        )
        workflow.decide_primary(
            case,
            actor=coordinator,
            version=case.version,
            decided_on=received + timedelta(days=2),
            competent=True,
            manager=manager,
        )
        returned = day - timedelta(days=returned_days_ago)
        measure = reintegration.record_measure(
            case,
            actor=manager,
            measure_kind="foster_care",
            measure_decision=f"HCPC {40 + returned_days_ago}/{received.year - 2}",
            measure_decided_on=received.replace(year=received.year - 2, day=1),
            ending_decision=f"HCPC {returned_days_ago}/{returned.year}",
            measure_ends_on=returned - timedelta(days=1),
            family_kind="biological",
        )
        for weeks, prepared, text in (
            (7, "child", "Întâlnire a copilului cu mama la centru, cu psihologul."),
            (4, "family", "Consiliere parentală pentru mamă: rutina zilnică, școala."),
            (2, "both", "Weekend de acomodare acasă."),
        ):
            reintegration.add_preparation(
                case,
                actor=manager,
                held_on=returned - timedelta(weeks=weeks),
                prepared=prepared,
                description=text,
            )
        reintegration.record_return(
            case, actor=manager, version=measure.version, returned_on=returned
        )
        for visit_day in deadlines.return_visits_due(case)[:visits]:
            reintegration.add_return_visit(
                case,
                actor=manager,
                visited_on=visit_day - timedelta(days=2),
                report=RETURN_VISITS[len(case.return_visits)],
            )
        if visits == 4:
            for months in deadlines.OUTCOME_MONTHS:
                reintegration.record_outcome(
                    case, actor=manager, version=measure.version, months=months, at_home=True
                )
