"""The return home from care on the case page: the forms in their order, refusals in the
reader's language, the printed record, and who may see it."""

import io
from datetime import date

from pypdf import PdfReader

from daycentre.cases import reintegration, workflow
from daycentre.cases.models import Case, CaseKind
from daycentre.extensions import db
from tests.conftest import text_of
from tests.factories import make_case, make_user


def _case(centre, users, *, measured=True):
    case = make_case(
        centre, actor=users["coordinator"], received_on=date(2026, 1, 5), kind="reintegration"
    )
    workflow.decide_primary(
        case,
        actor=users["coordinator"],
        version=case.version,
        decided_on=date(2026, 1, 6),
        competent=True,
        manager=users["counsellor"],
    )
    if measured:
        reintegration.record_measure(
            case,
            actor=users["counsellor"],
            measure_kind="foster_care",
            measure_decision="HCPC 112/2024",
            measure_decided_on=date(2024, 5, 10),
            ending_decision="HCPC 31/2026",
            measure_ends_on=date(2026, 2, 27),
            family_kind="biological",
        )
    db.session.commit()
    return case


def test_registering_a_return_home_case(client, login_as, users, centre):
    login_as("coordinator")
    page = client.get("/cases/new")
    assert "Reintegrare în familie" in text_of(page)
    child_case = make_case(centre, actor=users["coordinator"])  # a family and child to name
    db.session.commit()
    response = client.post(
        "/cases/new",
        data={
            "centre_id": centre.id,
            "kind": "reintegration",
            "received_on": "2026-03-02",
            "source": "spas",
            "channel": "letter",
            "requester": "DGASPC Covasna",
            "family_id": child_case.family_id,
            "children": [child_case.children[0].id],
            "reported": "Încetarea plasamentului la asistentul maternal.",
        },
    )
    assert response.status_code == 302
    case = db.session.scalars(db.select(Case).where(Case.kind == CaseKind.REINTEGRATION)).one()
    assert case.requester == "DGASPC Covasna"


def test_a_return_before_the_measure_ends_is_refused_in_the_readers_language(
    client, login_as, users, centre
):
    case = _case(centre, users)
    login_as("counsellor")
    page = text_of(client.get(f"/cases/{case.id}"))
    assert "Măsura de protecție din care iese copilul" in page
    assert "Asistent maternal profesionist" in page
    response = client.post(
        f"/cases/{case.id}/return",
        data={"version": case.reintegration.version, "returned_on": "2026-02-20"},
        follow_redirects=True,
    )
    assert (
        "Revenirea acasă nu poate fi datată înainte de încetarea măsurii de protecție"
        in text_of(response)
    )
    db.session.refresh(case.reintegration)
    assert case.reintegration.returned_on is None
    client.post("/auth/language", data={"language": "hu"})
    response = client.post(
        f"/cases/{case.id}/return",
        data={"version": case.reintegration.version, "returned_on": "2026-02-20"},
        follow_redirects=True,
    )
    assert "A hazatérés dátuma nem lehet korábbi" in text_of(response)


def test_from_the_return_to_the_first_monitoring_visit(client, login_as, users, centre):
    case = _case(centre, users)
    login_as("counsellor")
    client.post(
        f"/cases/{case.id}/preparations",
        data={"held_on": "2026-02-10", "prepared": "both", "description": "Weekend acasă."},
    )
    client.post(
        f"/cases/{case.id}/return",
        data={"version": case.reintegration.version, "returned_on": "2026-03-02"},
    )
    response = client.post(
        f"/cases/{case.id}/return-visits",
        data={"visited_on": "2026-03-01", "report": "Prea devreme."},
        follow_redirects=True,
    )
    assert "Vizita de monitorizare nu poate fi datată înainte de revenirea copilului" in text_of(
        response
    )
    response = client.post(
        f"/cases/{case.id}/return-visits",
        data={"visited_on": "2026-03-30", "report": "Copilul s-a readaptat bine."},
        follow_redirects=True,
    )
    text = text_of(response)
    assert "Vizita de monitorizare a fost înregistrată." in text
    assert "Copilul s-a readaptat bine." in text
    db.session.expire_all()
    case = db.session.get(Case, case.id)
    assert [v.report for v in case.return_visits] == ["Copilul s-a readaptat bine."]
    assert [p.description for p in case.preparations] == ["Weekend acasă."]
    for language, heading in (("ro", "Reintegrare în familie"), ("hu", "visszagondozás")):
        pdf = client.get(f"/cases/{case.id}/reintegration.{language}.pdf")
        assert pdf.status_code == 200
        text = PdfReader(io.BytesIO(pdf.data)).pages[0].extract_text()
        assert heading in text and "HCPC 31/2026" in text


def test_another_centre_or_a_colleague_off_the_case_gets_a_404(
    client, login, users, centre, other_centre
):
    case = _case(centre, users)
    outsider = make_user("coordinator", centres=[other_centre])
    colleague = make_user("counsellor", centres=[centre])
    db.session.commit()
    for user in (outsider, colleague):
        login(user)
        assert client.get(f"/cases/{case.id}").status_code == 404
        response = client.post(
            f"/cases/{case.id}/return",
            data={"version": case.reintegration.version, "returned_on": "2026-03-02"},
        )
        assert response.status_code == 404
        client.post("/auth/logout")
    db.session.refresh(case.reintegration)
    assert case.reintegration.returned_on is None


def test_a_prevention_case_shows_no_return_home(client, login_as, users, centre):
    case = make_case(centre, actor=users["coordinator"])
    db.session.commit()
    login_as("coordinator")
    assert "Măsura de protecție din care iese copilul" not in text_of(
        client.get(f"/cases/{case.id}")
    )
    response = client.post(
        f"/cases/{case.id}/measure",
        data={
            "measure_kind": "foster_care",
            "measure_decision": "1",
            "measure_decided_on": "2024-01-01",
            "ending_decision": "2",
            "measure_ends_on": "2026-01-01",
            "family_kind": "biological",
        },
    )
    assert response.status_code == 302
    db.session.refresh(case)
    assert case.reintegration is None
