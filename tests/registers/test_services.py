from datetime import time, timedelta

import pytest
from sqlalchemy import select

from daycentre.audit.models import AuditEntry
from daycentre.auth.models import User
from daycentre.cases.models import Case, CaseStage, CaseTask, TaskSource
from daycentre.centres.models import Centre
from daycentre.core.database import utcnow
from daycentre.core.errors import Refused
from daycentre.core.localtime import local_instant, today
from daycentre.extensions import db
from daycentre.registers import services as registers
from daycentre.registers.models import Complainant, ComplaintChannel, IncidentKind
from tests.concurrency import race
from tests.factories import make_case, make_child, make_family, make_user


def _complaint(centre, actor, **fields):
    values = {
        "received_on": today() - timedelta(days=2),
        "channel": ComplaintChannel.PHONE,
        "complainant": Complainant.PARENT,
        "complainant_name": "Kovács Erzsébet",
        "subject": "Porția de la masa caldă",
        "handler": actor,
    } | fields
    return registers.record_complaint(centre, actor=actor, **values)


def test_complaints_are_numbered_per_centre_and_year_without_gaps(users, centre, other_centre):
    coordinator = users["coordinator"]
    db.session.commit()
    _complaint(centre, coordinator)
    db.session.rollback()  # a save that fails gives its number back
    with pytest.raises(Refused):
        _complaint(centre, coordinator, subject="  ")
    first = _complaint(centre, coordinator)
    second = _complaint(centre, coordinator)
    admin = users["admin"]
    elsewhere = _complaint(other_centre, admin)
    last_year = _complaint(
        centre, coordinator, received_on=today().replace(month=1, day=1) - timedelta(days=1)
    )
    assert (first.number, second.number) == (1, 2)
    assert elsewhere.number == 1
    assert last_year.number == 1 and last_year.year == today().year - 1
    assert first.due_on == first.received_on + timedelta(days=30)


def test_anonymous_complaint_has_no_name_and_named_one_needs_one(users, centre):
    coordinator = users["coordinator"]
    with pytest.raises(Refused) as refusal:
        _complaint(centre, coordinator, complainant=Complainant.ANONYMOUS)
    assert refusal.value.field == "complainant_name"
    with pytest.raises(Refused):
        _complaint(centre, coordinator, complainant_name="")
    anonymous = _complaint(
        centre, coordinator, complainant=Complainant.ANONYMOUS, complainant_name=None
    )
    assert anonymous.complainant is Complainant.ANONYMOUS


def test_handler_must_work_at_the_centre(users, centre, other_centre):
    stranger = make_user("counsellor", centres=[other_centre])
    with pytest.raises(Refused) as refusal:
        _complaint(centre, users["coordinator"], handler=stranger)
    assert refusal.value.field == "handler_id"


def test_answer_cannot_precede_the_complaint_nor_be_in_the_future(users, centre):
    coordinator = users["coordinator"]
    complaint = _complaint(centre, coordinator)
    for day in (complaint.received_on - timedelta(days=1), today() + timedelta(days=1)):
        with pytest.raises(Refused):
            registers.answer_complaint(
                complaint,
                actor=coordinator,
                version=complaint.version,
                answer="Răspuns",
                answered_on=day,
            )
    registers.answer_complaint(
        complaint,
        actor=coordinator,
        version=complaint.version,
        answer="Răspuns",
        answered_on=today(),
    )
    assert complaint.answered


def test_due_and_overdue_complaints_for_the_home_page(users, centre):
    coordinator = users["coordinator"]
    overdue = _complaint(centre, coordinator, received_on=today() - timedelta(days=40))
    soon = _complaint(centre, coordinator, received_on=today() - timedelta(days=25))
    _complaint(centre, coordinator, received_on=today())  # due in 30 days: not yet
    answered = _complaint(centre, coordinator, received_on=today() - timedelta(days=35))
    registers.answer_complaint(
        answered, actor=coordinator, version=answered.version, answer="Da", answered_on=today()
    )
    assert registers.complaints_due(coordinator, today()) == [overdue, soon]
    assert registers.complaints_due(users["admin"], today()) == [overdue, soon]
    assert registers.complaints_due(users["counsellor"], today()) == []


def test_a_counsellor_reads_only_the_complaints_they_handle(users, centre):
    coordinator, counsellor = users["coordinator"], users["counsellor"]
    theirs = _complaint(centre, coordinator, handler=counsellor)
    _complaint(centre, coordinator)
    assert registers.complaints_of(counsellor) == [theirs]
    assert len(registers.complaints_of(coordinator)) == 2


def test_export_leaves_out_an_anonymous_complainants_contact(users, centre):
    coordinator = users["coordinator"]
    _complaint(
        centre,
        coordinator,
        complainant=Complainant.ANONYMOUS,
        complainant_name=None,
        complainant_contact="secret@example.org",
    )
    _complaint(centre, coordinator, complainant_contact="Strada Mare 1")
    headers, rows = registers.register_rows(registers.complaints_of(coordinator))
    cells = [str(cell) for row in rows for cell in row]
    assert "secret@example.org" not in cells
    assert "Strada Mare 1" in cells


# --- Incidents ----------------------------------------------------------------------------------


def _incident(centre, actor, **fields):
    values = {
        "occurred_at": utcnow() - timedelta(hours=2),
        "kind": IncidentKind.ACCIDENT,
        "description": "A căzut în curte.",
        "measures": "Prim ajutor.",
        "handler": actor,
    } | fields
    return registers.record_incident(centre, actor=actor, **values)


def test_suspected_abuse_closes_only_once_the_directorate_was_told(users, centre):
    coordinator = users["coordinator"]
    child = make_child(centre=centre)
    with pytest.raises(Refused) as refusal:
        _incident(
            centre, coordinator, kind=IncidentKind.ABUSE_SUSPECTED, children=[child], closed=True
        )
    assert refusal.value.field == "directorate_told_on"
    told = utcnow() - timedelta(hours=1)
    incident = _incident(
        centre,
        coordinator,
        kind=IncidentKind.ABUSE_SUSPECTED,
        children=[child],
        directorate_told_at=told,
        directorate_told_by="Ioana Mureșan",
        closed=True,
    )
    assert incident.closed_on == today()


def test_told_before_the_incident_or_without_by_whom_is_refused(users, centre):
    coordinator = users["coordinator"]
    occurred = utcnow() - timedelta(hours=2)
    with pytest.raises(Refused):
        _incident(
            centre,
            coordinator,
            occurred_at=occurred,
            parents_told_at=occurred - timedelta(hours=1),
            parents_told_by="Ioana",
        )
    with pytest.raises(Refused):
        _incident(centre, coordinator, parents_told_at=occurred + timedelta(minutes=5))


def test_suspected_abuse_raises_a_task_on_the_childs_open_case(users, centre):
    coordinator = users["coordinator"]
    family = make_family(centre)
    child = make_child(family)
    case = make_case(centre, actor=coordinator, family=family, children=[child])
    _incident(centre, coordinator, kind=IncidentKind.ABUSE_SUSPECTED, children=[child])
    tasks = db.session.scalars(select(CaseTask).where(CaseTask.case_id == case.id)).all()
    assert [(t.source, t.person_id) for t in tasks] == [(TaskSource.ABUSE_SUSPECTED, child.id)]


def test_suspected_abuse_of_a_child_without_a_case_registers_a_request(users, centre):
    coordinator = users["coordinator"]
    child = make_child(centre=centre, family_name="Szabó")
    incident = _incident(centre, coordinator, kind=IncidentKind.ABUSE_SUSPECTED, children=[child])
    [case] = db.session.scalars(select(Case)).all()
    assert case.stage is CaseStage.REQUEST
    assert [c.id for c in case.children] == [child.id]
    assert case.reported == incident.description


def test_missing_child_at_an_outing_is_recorded_as_an_open_incident(users, centre):
    coordinator = users["coordinator"]
    child = make_child(centre=centre)
    incident = registers.record_missing_child_incident(
        centre, actor=coordinator, children=[child], where="Grădina Zoologică Brașov"
    )
    assert incident.kind is IncidentKind.CHILD_MISSING
    assert not incident.closed
    assert "Grădina Zoologică Brașov" in incident.description
    assert incident.children == [child]


def test_incident_writes_are_audited(users, centre):
    coordinator = users["coordinator"]
    incident = _incident(
        centre, coordinator, occurred_at=local_instant(today(), time(0, 0)) - timedelta(hours=1)
    )
    actions = db.session.scalars(
        select(AuditEntry.action).where(
            AuditEntry.entity == "incidents", AuditEntry.entity_id == incident.id
        )
    ).all()
    assert actions == ["create"]


def test_complaints_saved_at_the_same_moment_get_consecutive_numbers(app, users, centre):
    db.session.commit()
    centre_id, coordinator_id = centre.id, users["coordinator"].id

    def attempt(subject):
        here = db.session.get(Centre, centre_id)
        actor = db.session.get(User, coordinator_id)
        return lambda: _complaint(here, actor, subject=subject).number

    numbers = race(app, attempt, ["Prima", "A doua", "A treia"])
    assert sorted(numbers) == [1, 2, 3]
