"""Subject access: one person's data from every table that refers to them, and nobody else's."""

import json
from datetime import date

from sqlalchemy import Table

from daycentre.audit.models import AuditEntry
from daycentre.audit.subject_access import (
    NOT_ABOUT_BENEFICIARIES,
    subject_data,
    tables_about_people,
)
from daycentre.extensions import db
from daycentre.people.models import Consent, ConsentPurpose
from tests.conftest import text_of
from tests.factories import (
    make_case,
    make_child,
    make_enrolment,
    make_family,
    make_group,
    make_room,
    make_session,
)


def _leads_to(table: Table, goals: set[str], seen=()) -> bool:
    """Independently of the export: does a chain of foreign keys lead from ``table`` to a goal?"""
    for fk in table.foreign_keys:
        target = fk.column.table
        if target.name in goals:
            return True
        walkable = target.name not in ("families", *NOT_ABOUT_BENEFICIARIES) and target not in seen
        if walkable and _leads_to(target, goals, (*seen, table)):
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
