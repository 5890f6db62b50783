"""Refusals are checked in Romanian, the default language services speak outside a request."""

import csv
import io
import time
from datetime import date

import pytest
from openpyxl import load_workbook

from daycentre.audit.models import AuditEntry
from daycentre.centres.models import CentreKind
from daycentre.core.documents import csv_file, spreadsheet
from daycentre.core.errors import Refused, StaleRecord
from daycentre.enrolment import exports
from daycentre.enrolment import services as enrolments
from daycentre.enrolment.models import Enrolment, EnrolmentStatus
from daycentre.extensions import db
from tests.concurrency import race, refused
from tests.factories import (
    make_adult,
    make_centre,
    make_child,
    make_enrolment,
    make_family,
    make_group,
)

S = EnrolmentStatus


@pytest.fixture
def group(centre):
    return make_group(centre, name="Clasele I–IV", capacity=2)


def child(centre, given_name="Anna", family_name="Kovács"):
    return make_child(
        make_family(centre, name=family_name), given_name=given_name, family_name=family_name
    )


def test_an_application_to_a_group_with_room_waits_for_its_contract(users, centre, group):
    enrolment = enrolments.apply(
        child(centre), group=group, applied_on=date(2026, 9, 1), actor=users["coordinator"]
    )
    assert enrolment.status is S.APPLIED
    assert enrolment.number == 1
    (entry,) = db.session.scalars(db.select(AuditEntry).filter_by(entity="enrolments")).all()
    assert (entry.action, entry.person_id, entry.centre_id) == (
        "create",
        enrolment.person_id,
        centre.id,
    )


def test_a_full_group_puts_applications_on_the_waiting_list_in_order(users, centre, group):
    for name in ("Anna", "Bence"):
        make_enrolment(child(centre, name), group, status="active")
    late = enrolments.apply(
        child(centre, "Csilla"), group=group, applied_on=date(2026, 9, 5), actor=users["admin"]
    )
    early = enrolments.apply(
        child(centre, "Dávid"), group=group, applied_on=date(2026, 9, 2), actor=users["admin"]
    )
    assert late.status is early.status is S.WAITING
    assert enrolments.waiting_list(group.id) == [early, late]
    # Numbered as registered, but the line follows the date of application.
    assert late.number < early.number


def test_activation_needs_a_free_place(users, centre, group):
    for name in ("Anna", "Bence"):
        make_enrolment(child(centre, name), group, status="active")
    applied = make_enrolment(child(centre, "Csilla"), group, status="applied")
    with pytest.raises(Refused, match="locuri libere"):
        enrolments.activate(
            applied,
            actor=users["coordinator"],
            version=applied.version,
            contract_number="CF-3",
            contract_date=date(2026, 9, 2),
            start_date=date(2026, 9, 3),
        )


def test_the_first_in_line_gets_the_freed_place(users, centre, group):
    leaving = make_enrolment(child(centre, "Anna"), group, status="active")
    make_enrolment(child(centre, "Bence"), group, status="suspended")  # keeps the place
    first = make_enrolment(
        child(centre, "Csilla"), group, status="waiting", applied_on=date(2026, 9, 2)
    )
    second = make_enrolment(
        child(centre, "Dávid"), group, status="waiting", applied_on=date(2026, 9, 3)
    )

    offered = enrolments.exit_service(
        leaving,
        actor=users["coordinator"],
        version=leaving.version,
        exit_date=date(2026, 10, 1),
        exit_reason="Familia s-a mutat",
    )
    db.session.commit()
    assert offered == first and first.offered_on == date(2026, 10, 1)
    assert second.offered_on is None
    with pytest.raises(Refused, match="primul loc"):
        enrolments.activate(
            second,
            actor=users["coordinator"],
            version=second.version,
            contract_number="CF-4",
            contract_date=date(2026, 10, 2),
            start_date=date(2026, 10, 5),
        )
    db.session.rollback()
    enrolments.activate(
        first,
        actor=users["coordinator"],
        version=first.version,
        contract_number="CF-4",
        contract_date=date(2026, 10, 2),
        start_date=date(2026, 10, 5),
    )
    assert first.status is S.ACTIVE and first.contract_number == "CF-4"


def test_dates_must_make_sense(users, centre, group):
    active = make_enrolment(child(centre), group, status="active", applied_on=date(2026, 9, 1))
    applied = make_enrolment(
        child(centre, "Bence"), group, status="applied", applied_on=date(2026, 9, 10)
    )
    db.session.commit()
    with pytest.raises(Refused, match="înaintea datei de începere"):
        enrolments.exit_service(
            active,
            actor=users["coordinator"],
            version=active.version,
            exit_date=date(2026, 8, 31),
            exit_reason="Renunțare",
        )
    db.session.rollback()
    with pytest.raises(Refused, match="motivul"):
        enrolments.exit_service(
            active,
            actor=users["coordinator"],
            version=active.version,
            exit_date=date(2026, 9, 30),
            exit_reason=" ",
        )
    db.session.rollback()
    with pytest.raises(Refused, match="înaintea cererii"):
        enrolments.activate(
            applied,
            actor=users["coordinator"],
            version=applied.version,
            contract_number="CF-9",
            contract_date=date(2026, 9, 1),
            start_date=date(2026, 9, 12),
        )
    db.session.rollback()
    assert db.session.get(Enrolment, active.id).status is S.ACTIVE


def test_no_person_is_enrolled_twice_in_one_group(users, centre, group):
    anna = child(centre)
    make_enrolment(anna, group, status="active")
    with pytest.raises(Refused, match="deja înscrisă"):
        enrolments.apply(
            anna, group=group, applied_on=date(2026, 10, 1), actor=users["coordinator"]
        )


def test_adults_are_enrolled_only_at_the_counselling_centre(users, centre, group):
    mother = make_adult(make_family(centre))
    with pytest.raises(Refused, match="consiliere pentru părinți"):
        enrolments.apply(mother, group=group, applied_on=date(2026, 9, 1), actor=users["admin"])
    counselling = make_centre(name="Centrul Kézdi", kind=CentreKind.PARENT_COUNSELLING)
    parents = make_group(counselling, name="Consiliere pentru părinți")
    enrolment = enrolments.apply(
        mother, group=parents, applied_on=date(2026, 9, 1), actor=users["admin"]
    )
    assert enrolment.status is S.APPLIED


def test_stale_changes_are_refused(users, centre, group):
    active = make_enrolment(child(centre), group, status="active")
    seen = active.version
    enrolments.suspend(
        active, actor=users["coordinator"], version=seen, suspended_on=date(2026, 10, 1)
    )
    with pytest.raises(StaleRecord):
        enrolments.exit_service(
            active,
            actor=users["counsellor"],
            version=seen,
            exit_date=date(2026, 10, 2),
            exit_reason="Mutare",
        )


def test_suspension_keeps_the_place_and_resume_restores_it(users, centre, group):
    active = make_enrolment(child(centre), group, status="active")
    enrolments.suspend(
        active, actor=users["coordinator"], version=active.version, suspended_on=date(2026, 10, 1)
    )
    assert enrolments.occupied_places(group.id) == 1
    enrolments.resume(active, actor=users["coordinator"], version=active.version)
    assert active.status is S.ACTIVE and active.suspended_on is None
    changes = [
        e.changes for e in db.session.scalars(db.select(AuditEntry).filter_by(action="update"))
    ]
    assert changes[0]["status"] == ["active", "suspended"] and changes[1]["status"] == [
        "suspended",
        "active",
    ]


def test_two_activations_for_the_last_place_never_both_succeed(app, users, centre, monkeypatch):
    """Two coordinators save at the same moment; each one's count is taken while the other waits."""
    last_place = make_group(centre, name="Grupa mică", capacity=1)
    ids = [
        make_enrolment(child(centre, name), last_place, status="applied").id
        for name in ("Anna", "Bence")
    ]
    actor_id = users["coordinator"].id
    db.session.commit()

    counted = enrolments.occupied_places

    def slow_count(group_id):  # widen the window between counting and saving
        result = counted(group_id)
        time.sleep(0.3)
        return result

    monkeypatch.setattr(enrolments, "occupied_places", slow_count)

    def save(enrolment_id):
        from daycentre.auth.models import User

        enrolment = db.session.get(Enrolment, enrolment_id)
        actor = db.session.get(User, actor_id)
        return lambda: enrolments.activate(
            enrolment,
            actor=actor,
            version=enrolment.version,
            contract_number=f"CF-{enrolment_id}",
            contract_date=date(2026, 9, 2),
            start_date=date(2026, 9, 3),
        )

    outcomes = race(app, save, ids)
    assert len(outcomes) == 2 and refused(outcomes) == 1, outcomes
    assert enrolments.occupied_places(last_place.id) == 1


# --- The register and its exports ------------------------------------------------------------


def test_the_register_filters_by_period_and_status(users, centre, group):
    gone = make_enrolment(
        child(centre, "Anna"),
        group,
        status="exited",
        applied_on=date(2026, 1, 10),
        exit_date=date(2026, 3, 1),
        exit_reason="Mutare",
    )
    current = make_enrolment(
        child(centre, "Bence"), group, status="active", applied_on=date(2026, 9, 1)
    )
    later = make_enrolment(
        child(centre, "Csilla"), group, status="waiting", applied_on=date(2026, 11, 2)
    )
    assert enrolments.register_entries(centre) == [gone, current, later]
    assert enrolments.register_entries(
        centre, date_from=date(2026, 4, 1), date_to=date(2026, 10, 31)
    ) == [current]
    assert enrolments.register_entries(centre, date_to=date(2026, 2, 1)) == [gone]
    assert enrolments.register_entries(centre, status="exited") == [gone]


def test_csv_and_xlsx_carry_the_rows_with_formulas_neutralised(app, users, centre, group):
    person = child(centre, given_name="=cmd|' /C calc'!A0")
    make_enrolment(
        person, group, status="exited", exit_date=date(2026, 10, 1), exit_reason="+Mutare"
    )
    rows = exports.register_rows(enrolments.register_entries(centre))
    with app.test_request_context():
        headers = exports.register_headers()
        table = list(
            csv.reader(io.StringIO(csv_file(headers, rows).decode("utf-8-sig")), delimiter=";")
        )
        book = load_workbook(io.BytesIO(spreadsheet("Registru", headers, rows)))
    assert table[1][2] == "'=cmd|' /C calc'!A0"
    assert table[1][12] == "'+Mutare"
    sheet = book.active
    assert sheet["C2"].value == "'=cmd|' /C calc'!A0"
    assert sheet["C2"].data_type == "s"
    assert sheet["K2"].value.date() == date(2026, 9, 1)
