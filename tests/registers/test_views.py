import io
from datetime import timedelta

from openpyxl import load_workbook
from sqlalchemy import select

from daycentre.audit.models import AuditEntry
from daycentre.core.localtime import today
from daycentre.extensions import db
from daycentre.registers import services as registers
from daycentre.registers.models import Complainant, Complaint, ComplaintChannel, Incident
from tests.conftest import text_of
from tests.factories import make_child, make_user


def _complaint(centre, actor, **fields):
    values = {
        "received_on": today() - timedelta(days=1),
        "channel": ComplaintChannel.PHONE,
        "complainant": Complainant.PARENT,
        "complainant_name": "Kovács Erzsébet",
        "subject": "Porția de la masa caldă",
        "handler": actor,
    } | fields
    complaint = registers.record_complaint(centre, actor=actor, **values)
    db.session.commit()
    return complaint


def test_a_coordinator_records_and_answers_a_complaint(client, login_as, centre):
    coordinator = login_as("coordinator")
    response = client.post(
        f"/registers/centres/{centre.id}/complaints/new",
        data={
            "received_on": today().isoformat(),
            "channel": "box",
            "complainant": "anonymous",
            "complainant_name": "",
            "subject": "Curtea nu este supravegheată.",
            "handler_id": coordinator.id,
        },
    )
    assert response.status_code == 302
    complaint = db.session.scalar(select(Complaint))
    assert complaint.number == 1
    page = client.get(f"/registers/complaints/{complaint.id}")
    assert "Curtea nu este supravegheată." in text_of(page)
    response = client.post(
        f"/registers/complaints/{complaint.id}/answer",
        data={
            "version": complaint.version,
            "answer": "Am numit un educator de serviciu în curte.",
            "answered_on": today().isoformat(),
        },
    )
    assert response.status_code == 302
    db.session.refresh(complaint)
    assert complaint.answered_on == today()


def test_bad_input_is_refused_with_a_field_error_and_nothing_saved(client, login_as, centre):
    coordinator = login_as("coordinator")
    response = client.post(
        f"/registers/centres/{centre.id}/complaints/new",
        data={
            "received_on": today().isoformat(),
            "channel": "phone",
            "complainant": "parent",
            "complainant_name": "",
            "subject": "Ceva",
            "handler_id": coordinator.id,
        },
        headers={"Accept-Language": "ro"},
    )
    assert response.status_code == 200
    assert "field-error" in response.get_data(as_text=True)
    assert db.session.scalar(select(Complaint)) is None


def test_another_centres_complaint_and_incident_answer_404(client, login_as, users, other_centre):
    admin = make_user("admin")
    elsewhere = make_user("coordinator", centres=[other_centre])
    complaint = _complaint(other_centre, elsewhere)
    incident = registers.record_incident(
        other_centre,
        actor=admin,
        occurred_at=complaint.created_at,
        kind="accident",
        description="x",
        measures="y",
        handler=elsewhere,
    )
    db.session.commit()
    login_as("coordinator")
    assert client.get(f"/registers/complaints/{complaint.id}").status_code == 404
    assert client.get(f"/registers/incidents/{incident.id}").status_code == 404
    assert client.get(f"/registers/centres/{other_centre.id}/complaints/new").status_code == 404


def test_a_counsellor_opens_only_the_complaint_they_handle(client, login_as, users, centre):
    theirs = _complaint(centre, users["coordinator"], handler=users["counsellor"])
    other = _complaint(centre, users["coordinator"])
    login_as("counsellor")
    assert client.get(f"/registers/complaints/{theirs.id}").status_code == 200
    assert client.get(f"/registers/complaints/{other.id}").status_code == 404


def test_reading_a_complaint_is_audited(client, login_as, users, centre):
    complaint = _complaint(centre, users["coordinator"])
    admin = login_as("admin")
    client.get(f"/registers/complaints/{complaint.id}")
    entry = db.session.scalar(
        select(AuditEntry).where(AuditEntry.action == "read", AuditEntry.entity == "complaints")
    )
    assert (entry.actor_id, entry.entity_id) == (admin.id, complaint.id)


def test_export_is_audited_and_leaves_out_anonymous_contacts(client, login_as, users, centre):
    coordinator = users["coordinator"]
    _complaint(
        centre,
        coordinator,
        complainant=Complainant.ANONYMOUS,
        complainant_name=None,
        complainant_contact="ascuns@example.org",
    )
    _complaint(centre, coordinator, complainant_contact="Strada Mare 1")
    login_as("coordinator")
    response = client.get("/registers/complaints.xlsx")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.data)).active
    cells = {str(cell.value) for row in sheet.iter_rows() for cell in row}
    assert "Strada Mare 1" in cells
    assert not any("ascuns@example.org" in cell for cell in cells)
    assert db.session.scalar(
        select(AuditEntry).where(AuditEntry.action == "export", AuditEntry.entity == "complaints")
    )


def test_due_complaints_show_on_the_coordinators_home_page(client, login_as, users, centre):
    complaint = _complaint(centre, users["coordinator"], received_on=today() - timedelta(days=31))
    login_as("coordinator")
    page = client.get("/", headers={"Accept-Language": "en"})
    assert f"/registers/complaints/{complaint.id}" in page.get_data(as_text=True)


def test_an_incident_is_recorded_with_its_children(client, login_as, users, centre):
    coordinator = login_as("coordinator")
    child = make_child(centre=centre)
    db.session.commit()
    day = today().isoformat()
    response = client.post(
        f"/registers/centres/{centre.id}/incidents/new",
        data={
            "occurred_on": day,
            "occurred_time": "00:01",
            "kind": "violence",
            "children": [child.id],
            "staff": [coordinator.id],
            "description": "Doi copii s-au bătut.",
            "measures": "Separați; discuție.",
            "handler_id": coordinator.id,
        },
    )
    assert response.status_code == 302, text_of(response)
    incident = db.session.scalar(select(Incident))
    assert [c.id for c in incident.children] == [child.id]
    page = client.get(f"/registers/incidents/{incident.id}/edit")
    assert page.status_code == 200
