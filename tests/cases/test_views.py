"""Case screens: who sees a case, the main path through the forms, documents and counts."""

import io
from datetime import date

import pytest
from pypdf import PdfReader

from daycentre.audit.models import AuditEntry
from daycentre.cases import evaluations, plans, workflow
from daycentre.cases.models import Case, CaseStage, Plan, PlanStatus, ServiceKind
from daycentre.core.localtime import today
from daycentre.extensions import db
from tests.cases.test_services import sign
from tests.conftest import text_of
from tests.counting import figures_on
from tests.factories import make_case, make_centre, make_child, make_family, make_user


@pytest.fixture
def opened(users, centre):
    """A case whose manager is the counsellor of the ``users`` fixture."""
    case = make_case(centre, actor=users["coordinator"])
    workflow.decide_primary(
        case,
        actor=users["coordinator"],
        version=case.version,
        decided_on=date(2026, 3, 4),
        competent=True,
        manager=users["counsellor"],
    )
    db.session.commit()
    return case


def _reads(case_id):
    return db.session.scalars(
        db.select(AuditEntry).where(
            AuditEntry.action == "read",
            AuditEntry.entity == "cases",
            AuditEntry.entity_id == case_id,
        )
    ).all()


def test_the_case_manager_sees_the_case_and_the_reading_is_audited(client, login_as, opened):
    user = login_as("counsellor")
    response = client.get(f"/cases/{opened.id}")
    assert response.status_code == 200
    text = text_of(response)
    assert "Cazul 1/2026" in text
    assert "Manager de caz" in text and "Evaluare detaliată" in text
    reads = _reads(opened.id)
    assert [(r.actor_id, r.changes["part"]) for r in reads] == [(user.id, "case")]


def test_a_volunteer_is_refused(client, login_as, opened):
    login_as("volunteer")
    assert client.get(f"/cases/{opened.id}").status_code == 403
    assert client.get("/cases/").status_code == 403


def test_another_counsellor_of_the_centre_gets_404_until_added_to_the_team(
    client, login, users, centre, opened
):
    colleague = make_user("counsellor", centres=[centre], given_name="Réka")
    db.session.commit()
    login(colleague)
    assert client.get(f"/cases/{opened.id}").status_code == 404
    assert client.get(f"/cases/{opened.id}/evaluation.ro.pdf").status_code == 404
    assert "1/2026" not in text_of(client.get("/cases/"))
    workflow.add_team_member(opened, colleague, actor=users["counsellor"])
    db.session.commit()
    assert client.get(f"/cases/{opened.id}").status_code == 200


def test_a_coordinator_of_another_centre_gets_404(client, login, opened):
    outsider = make_user("coordinator", centres=[make_centre(name="Alt centru")])
    db.session.commit()
    login(outsider)
    assert client.get(f"/cases/{opened.id}").status_code == 404


def test_admins_are_supervisors(client, login_as, opened):
    login_as("admin")
    response = client.get(f"/cases/{opened.id}")
    assert response.status_code == 200
    assert "Propune închiderea" in text_of(response)


def test_registering_a_request_gives_the_next_number(client, login_as, users, centre):
    family = make_family(centre, name="Kovács")
    child = make_child(family, given_name="Anna")
    db.session.commit()
    login_as("coordinator")
    page = client.get("/cases/new")
    assert "Înregistrarea unei cereri sau sesizări" in text_of(page)
    response = client.post(
        "/cases/new",
        data={
            "centre_id": centre.id,
            "received_on": "2026-03-02",
            "source": "school",
            "channel": "letter",
            "requester": "Școala „Petőfi Sándor”",
            "family_id": family.id,
            "children": [child.id],
            "reported": "Absențe repetate.",
        },
        follow_redirects=True,
    )
    text = text_of(response)
    assert "Solicitarea a fost înregistrată cu numărul 1/2026." in text
    assert "Kovács Anna" in text or "Anna Kovács" in text
    case = db.session.scalar(db.select(Case))
    assert case.children == [child] and case.stage is CaseStage.REQUEST


def test_the_primary_evaluation_refers_and_the_answer_prints_in_hungarian(
    client, login_as, users, centre
):
    case = make_case(centre, actor=users["coordinator"])
    db.session.commit()
    login_as("coordinator")
    client.post(
        f"/cases/{case.id}/primary",
        data={
            "version": case.version,
            "decided_on": "2026-03-03",
            "competent": "no",
            "referred_to": "DGASPC Covasna",
            "answer": "A család Sepsiszentgyörgyön lakik.",
        },
    )
    db.session.refresh(case)
    assert case.stage is CaseStage.REFERRED
    response = client.get(f"/cases/{case.id}/answer.hu.pdf")
    assert response.mimetype == "application/pdf"
    text = PdfReader(io.BytesIO(response.data)).pages[0].extract_text()
    assert "Válasz az Ön kérelmére" in text
    assert "DGASPC Covasna" in text
    ro = client.get(f"/cases/{case.id}/answer.ro.pdf")
    assert (
        "Răspuns la solicitarea dumneavoastră"
        in PdfReader(io.BytesIO(ro.data)).pages[0].extract_text()
    )


def test_a_counsellor_cannot_make_the_primary_evaluation(client, login_as, users, centre):
    case = make_case(centre, actor=users["counsellor"])
    db.session.commit()
    login_as("counsellor")
    page = text_of(client.get(f"/cases/{case.id}"))
    assert "Evaluarea inițială o face un coordonator al centrului." in page
    response = client.post(f"/cases/{case.id}/primary", data={"competent": "yes"})
    assert response.status_code == 403


def test_the_main_path_through_the_screens(client, login_as, login, users, centre, opened):
    login_as("counsellor")
    response = client.post(
        f"/cases/{opened.id}/evaluations", data={"started_on": "2026-03-05", "started_at": "09:00"}
    )
    db.session.refresh(opened)
    evaluation = opened.evaluation
    assert response.headers["Location"].endswith(f"/cases/evaluations/{evaluation.id}")
    page = client.get(f"/cases/evaluations/{evaluation.id}")
    assert "Opinia copilului" in text_of(page)
    client.post(
        f"/cases/evaluations/{evaluation.id}",
        data={
            "version": evaluation.version,
            "housing": "Două camere, umezeală.",
            "conclusions": "Risc de separare moderat.",
            "needs": "Sprijin la teme, consiliere parentală.",
            "documents": "Certificat de naștere, 12.03.2026",
        },
    )
    db.session.refresh(evaluation)
    client.post(
        f"/cases/{opened.id}/visits",
        data={"visited_on": "2026-03-06", "visited_at": "11:30", "findings": "Casa curată."},
    )
    response = client.post(
        f"/cases/evaluations/{evaluation.id}/complete",
        data={"version": evaluation.version, "completed_on": "2026-03-10"},
    )
    db.session.refresh(opened)
    assert opened.stage is CaseStage.PLANNING

    client.post(f"/cases/{opened.id}/plans", data={"starts_on": "2026-03-12"})
    plan = db.session.scalar(db.select(Plan))
    client.post(f"/cases/plans/{plan.id}/objectives", data={"text": "Rezultate școlare mai bune"})
    db.session.refresh(plan)
    objective = plan.objectives[0]
    client.post(
        f"/cases/objectives/{objective.id}/services",
        data={
            "kind": ServiceKind.AFTER_SCHOOL.value,
            "description": "Grupa Clasele I–IV",
            "responsible": "Ioana Mureșan",
            "starts_on": "2026-03-12",
            "deadline": "2026-06-30",
            "record": "",
        },
    )
    client.post(
        f"/cases/plans/{plan.id}",
        data={
            "version": plan.version,
            "starts_on": "2026-03-12",
            "ends_on": "2027-03-12",
            "family_signed_on": "2026-03-13",
        },
    )
    db.session.refresh(plan)
    assert plan.family_signed_on == date(2026, 3, 13)
    # The case manager cannot approve; the coordinator can.
    assert (
        client.post(f"/cases/plans/{plan.id}/approve", data={"version": plan.version}).status_code
        == 403
    )
    client.post("/auth/logout")
    login_as("coordinator")
    client.post(f"/cases/plans/{plan.id}/approve", data={"version": plan.version})
    db.session.refresh(plan)
    assert plan.status is PlanStatus.ACTIVE

    client.post("/auth/logout")
    login_as("counsellor")
    page = text_of(client.get(f"/cases/{opened.id}"))
    assert "Servicii și monitorizare" in page
    assert "Planificat și realizat" in page
    client.post(
        f"/cases/{opened.id}/reviews/new",
        data={
            "reviewed_on": today().isoformat(),
            f"status-{objective.id}": "in_progress",
            f"comment-{objective.id}": "Note mai bune la română.",
        },
    )
    db.session.refresh(opened)
    assert [r.reviewed_on for r in opened.reviews] == [today()]
    client.post(
        f"/cases/{opened.id}/closure",
        data={
            "version": opened.version,
            "reason": "objectives_reached",
            "closed_on": today().isoformat(),
            "stays_in_family": "y",
        },
    )
    db.session.refresh(opened)
    assert opened.stage is CaseStage.CLOSING
    client.post("/auth/logout")
    login_as("coordinator")
    client.post(f"/cases/{opened.id}/closure/approve", data={"version": opened.version})
    db.session.refresh(opened)
    assert opened.stage is CaseStage.CLOSED
    for document in ("evaluation", "plan", "closure"):
        response = client.get(f"/cases/{opened.id}/{document}.ro.pdf")
        assert response.mimetype == "application/pdf", document
    closure = client.get(f"/cases/{opened.id}/closure.hu.pdf")
    text = PdfReader(io.BytesIO(closure.data)).pages[0].extract_text()
    assert "Az eset lezárása" in text and "A célkitűzések teljesültek" in text
    timeline = text_of(client.get(f"/cases/{opened.id}"))
    assert "Istoricul cazului" in timeline
    assert "Plan de servicii aprobat" in timeline and "Închiderea cazului aprobată" in timeline


def test_the_case_page_in_hungarian_uses_the_glossary(client, login, users, opened):
    users["counsellor"].locale = "hu"
    db.session.commit()
    login(users["counsellor"])
    text = text_of(client.get(f"/cases/{opened.id}"))
    assert "Esetfelelős" in text
    assert "Részletes felmérés" in text


def test_the_home_page_flags_an_overdue_primary_evaluation(client, login_as, users, centre):
    make_case(centre, actor=users["coordinator"], received_on=date(2026, 1, 5))
    db.session.commit()
    login_as("coordinator")
    text = text_of(client.get("/"))
    assert "Cazuri care cer atenție" in text
    assert "Evaluare inițială întârziată" in text


def test_counts_page_for_supervisors_only(client, login_as, users, centre):
    make_case(centre, actor=users["coordinator"], received_on=date(2026, 3, 2))
    make_case(centre, actor=users["coordinator"], received_on=date(2026, 3, 31))
    db.session.commit()
    login_as("coordinator")
    response = client.get("/cases/counts?date_from=2026-03-01&date_to=2026-03-31")
    text = text_of(response)
    assert "Solicitări primite 2" in text
    assert "Copii care au rămas în familie 0" in text
    # Every number is its measure's, over the coordinator's centres, with its records listed.
    assert figures_on(client, response) == {
        "cases_received": 2,
        "cases_referred": 0,
        "cases_opened": 0,
        "cases_active": 0,
        "cases_closed": 0,
        "children_stayed": 0,
        "reviews_on_time": 0,
        "evaluations": 0,
        "children_returned_home": 0,
        "children_home_six_months": 0,
    }
    client.post("/auth/logout")
    login_as("counsellor")
    assert client.get("/cases/counts").status_code == 403


def test_opening_the_evaluation_the_plan_and_a_document_is_audited(client, login_as, users, opened):
    evaluation = evaluations.start_evaluation(
        opened, actor=users["counsellor"], started_on=date(2026, 3, 5)
    )
    db.session.commit()
    login_as("coordinator")
    client.get(f"/cases/evaluations/{evaluation.id}")
    client.get(f"/cases/{opened.id}/evaluation.ro.pdf")
    parts = [entry.changes["part"] for entry in _reads(opened.id)]
    assert parts == ["evaluation", "evaluation.pdf"]


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("ro", ["1 serviciu depășit", "2 servicii depășite", "20 de servicii depășite"]),
        ("hu", ["1 szolgáltatás határideje lejárt", "2 szolgáltatás határideje lejárt"]),
    ],
)
def test_overdue_services_are_counted_in_the_languages_plural_forms(app, language, expected):
    from flask_babel import force_locale, ngettext

    with app.test_request_context(), force_locale(language):
        texts = [
            ngettext("%(num)d service past its deadline", "%(num)d services past their deadline", n)
            for n in (1, 2, 20)[: len(expected)]
        ]
    assert texts == expected


def test_the_managers_home_page_flags_an_overdue_review(client, login_as, users, opened):
    manager, coordinator = users["counsellor"], users["coordinator"]
    evaluation = evaluations.start_evaluation(opened, actor=manager, started_on=date(2026, 3, 5))
    evaluations.add_visit(opened, actor=manager, visited_on=date(2026, 3, 6), findings="Curat.")
    evaluations.save_evaluation(
        evaluation, actor=manager, version=evaluation.version, conclusions="c", needs="n"
    )
    evaluations.complete_evaluation(
        evaluation, actor=manager, version=evaluation.version, completed_on=date(2026, 3, 9)
    )
    plan = plans.create_plan(opened, actor=manager, starts_on=date(2026, 3, 10))
    objective = plans.add_objective(plan, actor=manager, text="Teme zilnic")
    plans.add_service(
        objective,
        actor=manager,
        kind=ServiceKind.MATERIAL_SUPPORT,
        description="Rechizite",
        responsible="Ioana Mureșan",
        starts_on=date(2026, 3, 10),
        deadline=date(2026, 4, 10),
    )
    sign(plan, manager, date(2026, 3, 10))
    plans.approve_plan(plan, actor=coordinator, version=plan.version, approved_on=date(2026, 3, 11))
    db.session.commit()
    login_as("counsellor")
    text = text_of(client.get("/"))
    assert "Cazul 1/2026" in text
    assert "Revizuire întârziată din 11.06.2026" in text
    assert "1 serviciu depășit" in text


def test_the_draft_plan_page_in_hungarian(client, login, users, opened):
    manager = users["counsellor"]
    evaluation = evaluations.start_evaluation(opened, actor=manager, started_on=date(2026, 3, 5))
    evaluations.save_evaluation(
        evaluation, actor=manager, version=evaluation.version, conclusions="c", needs="n"
    )
    evaluations.complete_evaluation(
        evaluation, actor=manager, version=evaluation.version, completed_on=date(2026, 3, 9)
    )
    plan = plans.create_plan(opened, actor=manager, starts_on=date(2026, 3, 10))
    users["coordinator"].locale = "hu"
    db.session.commit()
    login(users["coordinator"])
    text = text_of(client.get(f"/cases/plans/{plan.id}"))
    assert "Szolgáltatási terv" in text
    assert "Tervezet" in text
    assert "Terv jóváhagyása" in text  # the supervisor's button


def test_the_home_page_lists_twenty_cases_that_need_attention_and_counts_the_others(
    client, login_as, users, centre
):
    coordinator = login_as("coordinator")
    for number in range(22):  # requests whose primary evaluation is overdue
        make_case(centre, actor=coordinator, received_on=date(2026, 3, 2), family_name=f"F{number}")
    db.session.commit()
    page = client.get("/")
    listed = page.get_data(as_text=True).split("Cazuri care cer atenție")[1].split("</ul>")[0]
    assert listed.count("<li>") == 20
    assert "Încă 2 cazuri care cer atenție se află în lista cazurilor" in text_of(page)
