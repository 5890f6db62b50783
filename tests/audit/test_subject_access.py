"""Subject access: one person's data from every table that refers to them, and nobody else's."""

import json
from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import Table

from daycentre.audit import services as audit
from daycentre.audit.models import AuditEntry
from daycentre.audit.subject_access import (
    NOT_ABOUT_BENEFICIARIES,
    SUBJECTS,
    subject_data,
    tables_about_people,
    tables_about_volunteers,
    volunteer_data,
)
from daycentre.auth.models import User
from daycentre.extensions import db
from daycentre.parents.models import ParentAccount
from daycentre.people.models import Consent, ConsentPurpose, Person
from tests.conftest import text_of
from tests.factories import (
    make_activity,
    make_case,
    make_child,
    make_contract,
    make_enrolment,
    make_family,
    make_group,
    make_parent,
    make_room,
    make_session,
    make_user,
    make_volunteer,
)


def _leads_to(table: Table, goals: set[str], seen=(), closed=("families",)) -> bool:
    """Independently of the export: does a chain of foreign keys lead from ``table`` to a goal?"""
    for fk in table.foreign_keys:
        target = fk.column.table
        if target.name in goals:
            return True
        walkable = target.name not in (*closed, *NOT_ABOUT_BENEFICIARIES) and target not in seen
        if walkable and _leads_to(target, goals, (*seen, table), closed):
            return True
    return False


def test_every_table_that_refers_to_a_person_is_covered(app):
    linked = {
        t.info["makes_subject_of"]
        for t in db.metadata.sorted_tables
        if "makes_subject_of" in t.info
    }
    expected = {
        t.name
        for t in db.metadata.sorted_tables
        if t.name not in NOT_ABOUT_BENEFICIARIES and _leads_to(t, {"people", *linked})
    } | linked
    covered = {t.name for t in tables_about_people()} - {"people"}
    assert covered == expected
    assert {"consents", "enrolments"} <= covered


def test_every_table_that_refers_to_a_volunteer_is_covered(app):
    assert SUBJECTS["volunteers"] == set()  # nothing is left out of the walk from a volunteer
    expected = {
        t.name
        for t in db.metadata.sorted_tables
        if t.name not in NOT_ABOUT_BENEFICIARIES and _leads_to(t, {"volunteers"}, closed=())
    }
    covered = {t.name for t in tables_about_volunteers()} - {"volunteers"}
    assert covered == expected
    assert {
        "volunteer_contracts",
        "volunteer_signups",
        "volunteer_hours",
        "volunteer_certificates",
    } <= covered
    # The two kinds of subject do not leak into each other's exports.
    assert not covered & {t.name for t in tables_about_people()}


def test_the_export_holds_the_persons_rows_and_nobody_elses(app, centre):
    family = make_family(centre, name="Kovács")
    anna = make_child(family, family_name="Kovács", given_name="Anna", birth_date=date(2016, 5, 1))
    brother = make_child(
        family, family_name="Kovács", given_name="Bence", birth_date=date(2014, 2, 2)
    )
    group = make_group(centre)
    make_enrolment(anna, group, status="active")
    make_enrolment(brother, group, status="active")
    db.session.add(
        Consent(
            person=anna,
            purpose=ConsentPurpose.PHOTOS,
            given_by="Kovács Éva",
            given_on=date(2026, 1, 5),
        )
    )
    db.session.add(
        Consent(
            person=brother,
            purpose=ConsentPurpose.PHOTOS,
            given_by="Kovács Éva",
            given_on=date(2026, 1, 5),
        )
    )
    db.session.commit()

    data = subject_data(anna)
    assert [row["id"] for row in data["tables"]["people"]] == [anna.id]
    assert [row["id"] for row in data["tables"]["families"]] == [family.id]
    assert [row["person_id"] for row in data["tables"]["enrolments"]] == [anna.id]
    assert [row["person_id"] for row in data["tables"]["consents"]] == [anna.id]
    assert "Bence" not in json.dumps(data, ensure_ascii=False)


def test_a_parents_data_holds_their_sign_in_but_not_the_other_parents(app, centre, users):
    family = make_family(centre, name="Kovács")
    mother = make_parent(family, username="kovacs.erzsebet", email="erzsebet@example.org")
    father = make_parent(family, username="kovacs.istvan")
    audit.record(
        "update",
        db.session.get(User, mother.id),
        actor=users["admin"],
        changes={"locale": ["ro", "hu"]},
    )
    db.session.commit()
    erzsebet = db.session.scalar(
        db.select(ParentAccount.person_id).where(ParentAccount.user_id == mother.id)
    )

    data = subject_data(db.session.get(Person, erzsebet))

    assert [(row["username"], row["email"]) for row in data["tables"]["users"]] == [
        ("kovacs.erzsebet", "erzsebet@example.org")
    ]
    assert "password_hash" not in data["tables"]["users"][0]
    assert ("users", mother.id) in {(e["record"], e["record_id"]) for e in data["audit_trail"]}
    assert "kovacs.istvan" not in json.dumps(data, ensure_ascii=False)
    assert father.id not in [row["id"] for row in data["tables"]["users"]]


def test_the_admin_gets_a_page_and_json_and_the_export_is_audited(client, login_as, centre, users):
    family = make_family(centre, name="Ștefănescu")
    child = make_child(
        family, family_name="Ștefănescu", given_name="Ioana", birth_date=date(2017, 9, 9)
    )
    db.session.commit()
    login_as("admin")
    page = text_of(client.get(f"/audit/people/{child.id}/access"))
    assert "Date deținute despre Ioana Ștefănescu" in page
    response = client.get(f"/audit/people/{child.id}/access", query_string={"format": "json"})
    assert response.mimetype == "application/json"
    assert json.loads(response.data)["tables"]["people"][0]["given_name"] == "Ioana"
    exports = db.session.scalars(db.select(AuditEntry).where(AuditEntry.action == "export")).all()
    assert [entry.person_id for entry in exports] == [child.id, child.id]


def test_only_the_admin_asks_for_subject_access(client, login_as, centre):
    child = make_child(make_family(centre), birth_date=date(2017, 9, 9))
    db.session.commit()
    login_as("coordinator")
    assert client.get(f"/audit/people/{child.id}/access").status_code == 403


def test_a_case_about_the_child_is_part_of_their_data(app, centre, users):
    from daycentre.cases.models import Evaluation

    case = make_case(centre, actor=users["admin"])
    child = case.children[0]
    db.session.add(
        Evaluation(
            case=case,
            started_on=date(2018, 1, 15),
            housing="Locuință cu două camere, fără încălzire",
        )
    )
    db.session.commit()
    data = subject_data(child)
    assert [row["id"] for row in data["tables"]["cases"]] == [case.id]
    assert data["tables"]["case_evaluations"][0]["housing"].startswith("Locuință cu două camere")


def test_a_counselling_note_is_listed_but_its_text_is_not_shown(app, centre, users):
    from daycentre.counselling.models import SessionNote

    child = make_child(make_family(centre), birth_date=date(2016, 1, 1))
    session = make_session(users["counsellor"], make_room(centre), person=child)
    db.session.add(
        SessionNote(session_id=session.id, author_id=users["counsellor"].id, text="Tatăl bea.")
    )
    db.session.commit()
    data = subject_data(child)
    assert data["tables"]["session_notes"][0]["text"].startswith("[confidential")
    assert "Tatăl bea" not in json.dumps(data, ensure_ascii=False)


@pytest.fixture
def two_volunteers(centre, users):
    """Réka, with an account, a contract, a sign-up, hours and a certificate; Ilona likewise; and
    a child of the centre."""
    from daycentre.volunteers.models import (
        ActivitySignup,
        HoursStatus,
        SignupStatus,
        VolunteerCertificate,
        VolunteerHours,
    )

    account = make_user("volunteer", username="reka.szabo", given_name="Réka", family_name="Szabó")
    activity = make_activity(centre, title="Teatru de păpuși")
    made = []
    for given, family, user, phone in (
        ("Réka", "Szabó", account, "0740 123 456"),
        ("Ilona", "Bíró", None, "0755 987 654"),
    ):
        volunteer = make_volunteer(
            centre, user=user, given_name=given, family_name=family, phone=phone
        )
        contract = make_contract(volunteer, activities=f"Teme cu {given}")
        signup = ActivitySignup(
            activity_id=activity.id, volunteer_id=volunteer.id, status=SignupStatus.SIGNED_UP
        )
        hours = VolunteerHours(
            volunteer_id=volunteer.id,
            centre_id=centre.id,
            day=date(2026, 10, 1),
            hours=Decimal("2.5"),
            description=f"Pregătire serbare ({given})",
            status=HoursStatus.APPROVED,
        )
        certificate = VolunteerCertificate(
            centre_id=centre.id,
            number=contract.number,
            issued_on=date(2026, 10, 2),
            volunteer_id=volunteer.id,
            contract_id=contract.id,
            coordinator_id=users["coordinator"].id,
            period_start=date(2026, 9, 1),
            period_end=date(2026, 10, 1),
            total_hours=Decimal("2.5"),
            lines=[["2026-10-01", f"Pregătire serbare ({given})", "2.5"]],
        )
        db.session.add_all([signup, hours, certificate])
        db.session.flush()
        audit.record(
            audit.CREATE,
            contract,
            actor=users["coordinator"],
            centre_id=centre.id,
            changes={"activities": contract.activities},
        )
        made.append((volunteer, contract, signup, hours, certificate))
    make_child(make_family(centre, name="Kelemen"), given_name="Zsófia", family_name="Kelemen")
    db.session.commit()
    return made


def test_a_volunteers_export_holds_their_records_and_nobody_elses(app, two_volunteers):
    (reka, contract, signup, hours, certificate), (ilona, *_) = two_volunteers
    data = volunteer_data(reka)
    tables = data["tables"]
    assert [row["id"] for row in tables["volunteers"]] == [reka.id]
    assert [(row["id"], row["number"]) for row in tables["volunteer_contracts"]] == [
        (contract.id, contract.number)
    ]
    assert tables["volunteer_contracts"][0]["activities"] == "Teme cu Réka"
    assert [row["id"] for row in tables["volunteer_signups"]] == [signup.id]
    assert [(row["id"], row["hours"]) for row in tables["volunteer_hours"]] == [(hours.id, "2.50")]
    assert [row["id"] for row in tables["volunteer_certificates"]] == [certificate.id]
    assert [row["username"] for row in tables["users"]] == ["reka.szabo"]
    assert "password_hash" not in tables["users"][0]
    assert [(e["record"], e["record_id"]) for e in data["audit_trail"]] == [
        ("volunteer_contracts", contract.id)
    ]
    dumped = json.dumps(data, ensure_ascii=False)
    for elsewhere in ("Ilona", "Bíró", "0755 987 654", "Zsófia", "Kelemen"):
        assert elsewhere not in dumped
    assert "people" not in tables and "volunteer_activities" not in tables


def test_the_admin_opens_a_volunteers_data_from_their_page_and_it_is_audited(
    client, login_as, two_volunteers
):
    (reka, contract, *_), _ilona = two_volunteers
    login_as("admin")
    volunteer_page = client.get(f"/volunteers/{reka.id}").get_data(as_text=True)
    assert f'href="/audit/volunteers/{reka.id}/access"' in volunteer_page
    page = text_of(client.get(f"/audit/volunteers/{reka.id}/access"))
    assert "Date deținute despre Réka Szabó" in page
    assert "Contract de voluntariat (1)" in page
    assert "Teme cu Réka" in page and "Ilona" not in page
    response = client.get(f"/audit/volunteers/{reka.id}/access", query_string={"format": "json"})
    assert response.mimetype == "application/json"
    assert f"subject-access-volunteer-{reka.id}.json" in response.headers["Content-Disposition"]
    exported = json.loads(response.data)
    assert exported["tables"]["volunteer_contracts"][0]["number"] == contract.number
    exports = db.session.scalars(db.select(AuditEntry).where(AuditEntry.action == "export")).all()
    assert [(e.entity, e.entity_id, e.changes) for e in exports] == [
        ("volunteers", reka.id, {"subject_access": "html"}),
        ("volunteers", reka.id, {"subject_access": "json"}),
    ]
    # The next export lists the earlier reads among who read the volunteer's records.
    again = json.loads(
        client.get(f"/audit/volunteers/{reka.id}/access", query_string={"format": "json"}).data
    )
    assert [e["action"] for e in again["audit_trail"]].count("export") == 2


def test_a_volunteers_data_reads_in_hungarian(client, login_as, users, two_volunteers):
    (reka, *_), _ilona = two_volunteers
    users["admin"].locale = "hu"
    db.session.commit()
    login_as("admin")
    page = text_of(client.get(f"/audit/volunteers/{reka.id}/access"))
    assert "Önkéntességi szerződés (1)" in page
    assert "Jelentkezés önkéntes tevékenységre (1)" in page
    assert "más önkéntesek adatai nem szerepelnek benne" in page


@pytest.mark.parametrize("role", ["coordinator", "volunteer"])
def test_only_the_admin_asks_for_a_volunteers_data(client, login_as, two_volunteers, role):
    (reka, *_), _ilona = two_volunteers
    login_as(role)
    assert client.get(f"/audit/volunteers/{reka.id}/access").status_code in (403, 404)
    assert client.get(
        f"/audit/volunteers/{reka.id}/access", query_string={"format": "json"}
    ).status_code in (403, 404)
    if role == "coordinator":
        page = client.get(f"/volunteers/{reka.id}").get_data(as_text=True)
        assert "/access" not in page
    assert not db.session.scalars(db.select(AuditEntry).where(AuditEntry.action == "export")).all()
