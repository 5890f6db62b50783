"""Known records around the period 1 January – 31 March 2026, and what each measure must count.

Every kind of record is laid down ``n`` times inside the period and once or more just outside it
(the day before, the day after, another centre, a wrong status); the expected numbers are worked
out here from how the records were built, independently of the code that counts them.
"""

from datetime import date, datetime, timedelta
from decimal import Decimal

from daycentre.attendance.models import Attendance, AttendanceStatus
from daycentre.cases.models import (
    CaseKind,
    Evaluation,
    MeasureKind,
    PlanStatus,
    Reintegration,
    ReturnFamily,
    Review,
)
from daycentre.cases.models import Plan as ServicePlan
from daycentre.core.localtime import BUCHAREST, add_months
from daycentre.counselling.models import SessionStatus
from daycentre.extensions import db
from daycentre.meals.models import FoodAllowance, MealServed
from daycentre.outreach.models import (
    Agreement,
    AgreementKind,
    AgreementStatus,
    Campaign,
    CommunityResource,
    InformationMaterial,
    MaterialKind,
    ParticipantKind,
    Training,
    TrainingAudience,
)
from daycentre.outreach.services import add_participant
from daycentre.reports.measures import Scope
from daycentre.volunteers.models import (
    ActivitySignup,
    ContractStatus,
    HoursStatus,
    SignupStatus,
    VolunteerHours,
)
from tests.factories import (
    make_activity,
    make_adult,
    make_case,
    make_child,
    make_contract,
    make_enrolment,
    make_family,
    make_group,
    make_meal_type,
    make_room,
    make_session,
    make_user,
    make_volunteer,
    make_workshop,
)

START, END = date(2026, 1, 1), date(2026, 3, 31)
LAST_EVENING = datetime(2026, 3, 31, 23, 30, tzinfo=BUCHAREST)  # counts
NEXT_NIGHT = datetime(2026, 4, 1, 0, 30, tzinfo=BUCHAREST)  # does not
BEFORE, AFTER = date(2025, 12, 31), date(2026, 4, 1)


def scope_of(*centres, directorate=False) -> Scope:
    return Scope(frozenset(c.id for c in centres), START, END, directorate)


def rates() -> None:
    db.session.add_all(
        [
            FoodAllowance(valid_from=date(2022, 1, 1), amount=Decimal("22.00")),
            FoodAllowance(valid_from=date(2026, 2, 1), amount=Decimal("32.00")),
        ]
    )


def build(n: int, centre, other_centre, *, tag: str = "") -> dict:
    """Lay down the records; return the value each measure must have for ``scope_of(centre)``."""
    admin = make_user("admin")
    counsellor = make_user("counsellor", centres=[centre])
    room = make_room(centre, name=f"Sala {tag}")
    other_room = make_room(other_centre, name=f"Sala {tag}")
    group = make_group(centre, name=f"Grupa {tag}", capacity=500)
    hot = make_meal_type(centre, name=f"Masă caldă {tag}")
    snack = make_meal_type(centre, name=f"Gustare {tag}", position=2)
    expected = dict.fromkeys(
        (
            "children_identified",
            "children_observatory",
            "families_registered",
            "counselling_sessions",
            "persons_counselled",
            "persons_trained",
            "campaigns",
            "materials",
            "partnerships",
            "protocols",
            "institutions_involved",
            "resource_entries",
            "volunteer_contracts",
            "plans_monitored",
            "evaluations",
            "active_beneficiaries",
            "meals_served",
            "parenting_workshops",
            "workshop_completions",
            "children_returned_home",
            "children_home_six_months",
            "complaints_received",
            "complaints_on_time",
            "serious_incidents",
            "outings_held",
            "children_on_outings",
            # The period holds no end of a school year (31 August): see test_programme_figures.
            "school_results_improved",
        ),
        0,
    )
    scores = []
    expected.update(volunteer_hours=Decimal(0), meal_cost=Decimal(0))
    present = marks = 0

    for i in range(n):
        # Cases: two children each; every other one registered in the observatory on the last day.
        family = make_family(centre, name=f"Kovács{tag}{i}")
        children = [make_child(family, given_name=name) for name in ("Anna", "Béla")]
        case = make_case(centre, actor=admin, family=family, children=children)
        expected["children_identified"] += 2
        case.observatory_registered = True
        case.observatory_on = END if i % 2 == 0 else AFTER
        if i % 2 == 0:
            expected["children_observatory"] += 2
            expected["families_registered"] += 1
        # The same children in a second request: still two children identified.
        make_case(centre, actor=admin, family=family, children=children, received_on=END)
        make_case(centre, actor=admin, family=family, children=children, received_on=BEFORE)
        make_case(other_centre, actor=admin, family_name=f"Altă{tag}{i}")
        # Evaluations and monitoring: two reviews of one plan count as one plan monitored.
        db.session.add(Evaluation(case=case, started_on=START, completed_on=END))
        db.session.add(Evaluation(case=case, started_on=START, completed_on=None))
        db.session.add(Evaluation(case=case, started_on=START, completed_on=AFTER))
        expected["evaluations"] += 1
        plan = ServicePlan(
            case=case, number=1, status=PlanStatus.ACTIVE, starts_on=START, ends_on=AFTER
        )
        db.session.add(plan)
        db.session.flush()
        for day in (date(2026, 2, 1), END, AFTER):
            db.session.add(Review(case=case, plan_id=plan.id, reviewed_on=day, due_on=day))
        expected["plans_monitored"] += 1

        # Counselling: held at 23:30 on the last day, again for the same person, and a family.
        person = children[0]
        make_session(counsellor, room, person=person, start=LAST_EVENING, status=SessionStatus.HELD)
        make_session(
            counsellor,
            room,
            person=person,
            start=datetime(2026, 1, 15, 10, tzinfo=BUCHAREST),
            status=SessionStatus.HELD,
        )
        make_session(
            counsellor,
            room,
            family=family,
            start=datetime(2026, 2, 15, 10, tzinfo=BUCHAREST),
            status=SessionStatus.HELD,
        )
        make_session(counsellor, room, person=person, start=NEXT_NIGHT, status=SessionStatus.HELD)
        make_session(
            counsellor,
            room,
            person=children[1],
            start=datetime(2026, 2, 16, 10, tzinfo=BUCHAREST),
            status=SessionStatus.CANCELLED,
        )
        make_session(
            counsellor, other_room, person=person, start=LAST_EVENING, status=SessionStatus.HELD
        )
        expected["counselling_sessions"] += 3
        expected["persons_counselled"] += 2

        # Outreach.
        db.session.add_all(
            [
                _training(centre, date(2026, 2, 1), i + 3),
                _training(centre, AFTER, 50),
                _training(other_centre, START, 50),
                _training(None, START, 7),
                _campaign(centre, date(2025, 12, 1), date(2026, 1, 15)),
                _campaign(centre, AFTER, date(2026, 5, 1)),
                _campaign(None, START, END),
                _material(centre, END),
                _material(centre, AFTER),
                _agreement(centre, AgreementKind.PARTNERSHIP, date(2026, 2, 1)),
                _agreement(centre, AgreementKind.PROTOCOL, date(2026, 2, 2), institutions=3),
                _agreement(
                    centre, AgreementKind.PROTOCOL, None, status=AgreementStatus.NEGOTIATING
                ),
                _agreement(other_centre, AgreementKind.PROTOCOL, date(2026, 2, 2)),
                _resource(centre, True),
                _resource(centre, False),
                _resource(None, True),
            ]
        )
        expected["persons_trained"] += i + 3

        # Children returning home from care (cases received before the period, so as not to be
        # identified in it): one returned in the period; one whose six months fell in it, still
        # at home; one whose six months fell in it, no longer at home; one returned after it.
        for returned_on, at_home, returned, home in (
            (date(2026, 2, 10), None, 1, 0),
            (date(2025, 8, 15), True, 0, 1),
            (date(2025, 8, 1), False, 0, 0),
            (AFTER, None, 0, 0),
        ):
            _returned(centre, admin, returned_on, at_home, tag=f"{tag}{i}")
            expected["children_returned_home"] += returned
            expected["children_home_six_months"] += home
        expected["campaigns"] += 1
        expected["materials"] += 1
        expected["partnerships"] += 1
        expected["protocols"] += 1
        expected["institutions_involved"] += 3
        expected["resource_entries"] += 1

        # Volunteers: one contract signed in the period; a draft; hours approved and attended.
        volunteer = make_volunteer(centre, given_name=f"Vol{tag}{i}")
        make_contract(volunteer, starts_on=START, ends_on=END, signed_on=date(2026, 1, 5))
        make_contract(
            volunteer, starts_on=AFTER, ends_on=AFTER, status=ContractStatus.DRAFT, signed_on=None
        )
        make_contract(volunteer, starts_on=BEFORE, ends_on=BEFORE, signed_on=BEFORE)
        expected["volunteer_contracts"] += 1
        for day, status, hours in (
            (END, HoursStatus.APPROVED, "2.5"),
            (END, HoursStatus.REPORTED, "4"),
            (AFTER, HoursStatus.APPROVED, "4"),
        ):
            db.session.add(
                VolunteerHours(
                    volunteer_id=volunteer.id,
                    centre_id=centre.id,
                    day=day,
                    hours=Decimal(hours),
                    description="Teme",
                    status=status,
                )
            )
        expected["volunteer_hours"] += Decimal("2.5")
        for start, hours in ((LAST_EVENING, "3"), (NEXT_NIGHT, "5")):
            activity = make_activity(centre, starts_at=start)
            db.session.add(
                ActivitySignup(
                    activity_id=activity.id,
                    volunteer_id=volunteer.id,
                    status=SignupStatus.ATTENDED,
                    hours=Decimal(hours),
                )
            )
        expected["volunteer_hours"] += Decimal(3)

        # The day centre: one child active in the period, one who left before, one waiting.
        pupil = make_child(centre=centre, family_name=f"Elev{tag}{i}")
        make_enrolment(pupil, group, applied_on=date(2026, 1, 10))
        gone = make_child(centre=centre, family_name=f"Plecat{tag}{i}")
        make_enrolment(
            gone, group, applied_on=date(2025, 9, 1), status="exited", exit_date=date(2025, 12, 20)
        )
        waiting = make_child(centre=centre, family_name=f"Așteaptă{tag}{i}")
        make_enrolment(waiting, group, applied_on=date(2026, 1, 10), status="waiting")
        expected["active_beneficiaries"] += 1
        for day, status in (
            (date(2026, 3, 30), AttendanceStatus.PRESENT),
            (END, AttendanceStatus.PRESENT),
            (date(2026, 3, 27), AttendanceStatus.ABSENT_EXCUSED),
            (AFTER, AttendanceStatus.ABSENT_UNEXCUSED),
        ):
            db.session.add(
                Attendance(
                    centre_id=centre.id,
                    group_id=group.id,
                    person_id=pupil.id,
                    day=day,
                    status=status,
                )
            )
        present += 2
        marks += 3
        for day, meal_type in (
            (date(2026, 1, 30), hot),
            (date(2026, 2, 2), hot),
            (date(2026, 2, 2), snack),
            (AFTER, hot),
        ):
            db.session.add(
                MealServed(
                    centre_id=centre.id, person_id=pupil.id, meal_type_id=meal_type.id, day=day
                )
            )
        expected["meals_served"] += 3
        expected["meal_cost"] += Decimal("22.00") + Decimal("32.00")  # one child fed each day

        # A programme held in the period, its participant completing it; one starting just after
        # the period; one of another centre.
        from daycentre.workshops import services as workshops

        held = make_workshop(
            centre,
            room,
            [counsellor],
            capacity=5,
            sessions=2,
            start=LAST_EVENING - timedelta(days=7),
        )
        parent = make_adult(make_family(centre, name=f"Părinte {tag}{i}"), given_name=f"Ana{i}")
        workshops.register(held, parent, actor=admin)
        for session in held.sessions:
            workshops.record_attendance(session, actor=admin, present_ids={parent.id})
        make_workshop(
            centre, room, [counsellor], sessions=1, start=NEXT_NIGHT + timedelta(days=7 * (i + 1))
        )
        make_workshop(
            other_centre,
            other_room,
            [counsellor],
            sessions=1,
            start=LAST_EVENING - timedelta(days=14),
        )
        expected["parenting_workshops"] += 1
        expected["workshop_completions"] += 1

        # The registers: a complaint answered on time, one answered late, one after the period,
        # one of another centre; an incident on the last evening, one the next night, one
        # elsewhere; a survey ending on the last day, one ending the day after.
        _registers(centre, other_centre, admin, i)
        expected["complaints_received"] += 2
        expected["complaints_on_time"] += 1
        expected["serious_incidents"] += 1
        scores.append(3 + i % 3)

        # Outings: two held in the period by the case's children, Anna on both (one child), Béla
        # invited to the second but not counted at its departure; one leaving the next night,
        # one confirmed that never left, one of another centre.
        _outings(centre, other_centre, children, i)
        expected["outings_held"] += 2
        expected["children_on_outings"] += 1

    db.session.flush()
    expected["incidents_per_1000"] = (
        (Decimal(n) * 1000 / Decimal(present)).quantize(Decimal("0.01")) if present else 0
    )
    expected["survey_score"] = (Decimal(sum(scores)) / len(scores)).quantize(Decimal("0.01"))
    expected["day_centres"] = 1
    expected["attendance_rate"] = (
        (Decimal(present) * 100 / Decimal(marks)).quantize(Decimal("0.1")) if marks else 0
    )
    expected["meals_by_type"] = {hot.name: 2 * n, snack.name: n}
    # Trainings naming who took part: the same counsellor and the same partner's specialist
    # (typed differently) at two trainings of the period count once each; a training after the
    # period does not count its new person.
    for day, specialist, organisation in (
        (date(2026, 1, 20), "Maria Pop", "DGASPC Covasna"),
        (END, "maria  POP", "dgaspc covasna"),
        (AFTER, "Ioan Rus", "Poliția locală"),
    ):
        training = _training(centre, day, 40)
        db.session.add(training)
        db.session.flush()
        add_participant(training, actor=admin, kind=ParticipantKind.STAFF, user=counsellor)
        add_participant(
            training,
            actor=admin,
            kind=ParticipantKind.PARTNER,
            name=specialist,
            organisation=organisation,
        )
    expected["persons_trained"] += 2
    db.session.flush()

    return {
        key: Decimal(value) if key != "meals_by_type" else value for key, value in expected.items()
    }


def _returned(centre, actor, returned_on, at_home, *, tag):
    family = make_family(centre, name=f"Acasă{tag}{returned_on.isoformat()}")
    case = make_case(
        centre,
        actor=actor,
        family=family,
        children=[make_child(family, given_name="Ilona")],
        received_on=date(2025, 6, 2),
        kind=CaseKind.REINTEGRATION,
    )
    db.session.add(
        Reintegration(
            case=case,
            measure_kind=MeasureKind.FOSTER_CARE,
            measure_decision="12/2024",
            measure_decided_on=date(2024, 3, 1),
            ending_decision="40/2025",
            measure_ends_on=min(returned_on, date(2025, 7, 1)),
            family_kind=ReturnFamily.BIOLOGICAL,
            returned_on=returned_on,
            six_months_on=add_months(returned_on, 6),
            at_home_6_months=at_home,
        )
    )


def _training(centre, day, persons):
    return Training(
        centre_id=centre.id if centre else None,
        topic=f"Prevenirea separării {persons}",
        audience=TrainingAudience.STAFF,
        held_on=day,
        hours=Decimal(8),
        persons_trained=persons,
    )


def _campaign(centre, starts_on, ends_on):
    return Campaign(
        centre_id=centre.id if centre else None,
        title="Familia contează",
        starts_on=starts_on,
        ends_on=ends_on,
        audience="Părinți",
    )


def _material(centre, day):
    return InformationMaterial(
        centre_id=centre.id,
        title="Broșură pentru părinți",
        kind=MaterialKind.BROCHURE,
        produced_on=day,
        languages="ro, hu",
    )


def _agreement(centre, kind, signed_on, *, institutions=1, status=AgreementStatus.ACTIVE):
    return Agreement(
        centre_id=centre.id,
        kind=kind,
        subject="Intervenție unificată",
        parties="DAS, Poliția locală",
        institutions_involved=institutions,
        signed_on=signed_on,
        status=status,
    )


def _resource(centre, active):
    return CommunityResource(
        centre_id=centre.id if centre else None,
        organisation="Asociația Szentkereszty Stephanie",
        service="Consiliere",
        languages="ro, hu",
        active=active,
    )


def _outings(centre, other_centre, children, i):
    from daycentre.programme.models import (
        Outing,
        OutingChild,
        OutingKind,
        OutingStatus,
        PermissionState,
    )

    anna, bela = children

    def outing(where, at, status, went=(), stayed=()):
        record = Outing(
            centre_id=where.id,
            kind=OutingKind.OUTING,
            title=f"Excursie {i} {at:%d.%m %H:%M}",
            destination="Tușnad",
            starts_at=at,
            ends_at=at + timedelta(hours=1),
            children_per_adult=8,
            status=status,
        )
        for person, left in [(p, True) for p in went] + [(p, False) for p in stayed]:
            record.children.append(
                OutingChild(
                    person_id=person.id,
                    permission=PermissionState.GIVEN,
                    permission_by="Părinte",
                    permission_on=START,
                    on_final_list=True,
                    left=left,
                    came_back=left if status is OutingStatus.RETURNED else None,
                )
            )
        db.session.add(record)

    outing(centre, datetime(2026, 1, 10, 9, tzinfo=BUCHAREST), OutingStatus.RETURNED, [anna])
    outing(centre, LAST_EVENING, OutingStatus.DEPARTED, [anna], stayed=[bela])
    outing(centre, NEXT_NIGHT, OutingStatus.RETURNED, [anna, bela])
    outing(centre, datetime(2026, 2, 10, 9, tzinfo=BUCHAREST), OutingStatus.CONFIRMED)
    outing(other_centre, datetime(2026, 2, 10, 9, tzinfo=BUCHAREST), OutingStatus.RETURNED, [bela])


def _registers(centre, other_centre, admin, i):
    from daycentre.registers import services as registers
    from daycentre.surveys import services as surveys
    from daycentre.surveys.models import Audience, QuestionKind

    def complaint(where, received_on, answered_on=None):
        record = registers.record_complaint(
            where,
            actor=admin,
            received_on=received_on,
            channel="phone",
            complainant="parent",
            complainant_name=f"Petent {i}",
            subject="Subiect",
            handler=admin,
        )
        if answered_on is not None:
            registers.answer_complaint(
                record, actor=admin, version=record.version, answer="Da", answered_on=answered_on
            )

    complaint(centre, END, END)
    complaint(centre, START, START + timedelta(days=40))
    complaint(centre, AFTER)
    complaint(other_centre, START)

    def incident(where, at):
        registers.record_incident(
            where,
            actor=admin,
            occurred_at=at,
            kind="accident",
            description="A căzut.",
            measures="Prim ajutor.",
            handler=admin,
        )

    incident(centre, LAST_EVENING)
    incident(centre, NEXT_NIGHT)
    incident(other_centre, LAST_EVENING)

    def survey(ends_on, scale):
        campaign = surveys.create_campaign(
            centre,
            actor=admin,
            audience=Audience.PARENTS,
            title=f"Chestionar {i} {ends_on}",
            starts_on=START,
            ends_on=ends_on,
        )
        values = {
            q.id: scale if q.kind is QuestionKind.SCALE else None
            for q in campaign.questionnaire.questions
        }
        surveys.enter_paper_answers(campaign, actor=admin, values=values)

    survey(END, 3 + i % 3)
    survey(AFTER, 1)
