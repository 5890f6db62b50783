"""The pseudonymised export: no names, contacts or free text; stable keyed pseudonyms; the
administrator's alone; audited."""

import csv
import hashlib
import hmac
import io
import zipfile
from datetime import date, datetime

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from daycentre import create_app
from daycentre.attendance.models import Attendance, AttendanceStatus
from daycentre.audit.models import AuditEntry
from daycentre.audit.pseudonymised import pseudonym
from daycentre.core.localtime import BUCHAREST
from daycentre.extensions import db
from daycentre.workshops import services as workshops
from tests.factories import (
    make_adult,
    make_case,
    make_child,
    make_enrolment,
    make_family,
    make_group,
    make_room,
    make_session,
)

# Every personal value of the world below: none may be in an export.
MARKERS = (
    "Xantippa",
    "Zebedeu",
    "Ulpiu",
    "Strada Marker 13",
    "0799 123 456",
    "marker@example.org",
    "5100303123457",
    "Școala Marker",
    "alune marker",
    "dietă marker",
    "notă despre familie",
    "notă despre copil",
    "mutat la Marker",
    "contract MK-77",
    "a venit târziu marker",
    "vecinul Marker",
    "Str. Reclamantului 1",
    "lovituri marker",
    "răspuns marker",
    "anulat marker",
)


@pytest.fixture
def world(centre, users):
    family = make_family(
        centre,
        name="Xantippa",
        address="Strada Marker 13",
        phone="0799 123 456",
        email="marker@example.org",
        notes="notă despre familie",
    )
    child = make_child(
        family,
        family_name="Xantippa",
        given_name="Zebedeu",
        cnp="5100303123457",
        birth_date=date(2010, 3, 3),
        school="Școala Marker",
        allergies="alune marker",
        diet="dietă marker",
        notes="notă despre copil",
    )
    mother = make_adult(family, family_name="Xantippa", given_name="Ulpiu", relation="mother")
    group = make_group(centre, name="Grupa mare")
    make_enrolment(
        child,
        group,
        status="exited",
        start_date=date(2026, 9, 1),
        exit_date=date(2026, 10, 30),
        exit_reason="mutat la Marker",
        contract_number="contract MK-77",
    )
    db.session.add(
        Attendance(
            centre_id=centre.id,
            group_id=group.id,
            person_id=child.id,
            day=date(2026, 10, 1),
            status=AttendanceStatus.PRESENT,
            note="a venit târziu marker",
        )
    )
    make_case(
        centre,
        actor=users["admin"],
        family=family,
        children=[child],
        requester="vecinul Marker",
        requester_address="Str. Reclamantului 1",
        reported="lovituri marker",
    ).answer = "răspuns marker"
    room = make_room(centre)
    make_session(
        users["counsellor"],
        room,
        person=mother,
        start=datetime(2026, 10, 5, 10, tzinfo=BUCHAREST),
        cancel_reason="anulat marker",
    )
    support = workshops.create_group(
        centre, actor=users["coordinator"], topic="Mame", facilitator=users["counsellor"], room=room
    )
    workshops.join_group(support, mother, actor=users["coordinator"], on=date(2026, 9, 1))
    db.session.commit()
    return child, mother


def _export(client, file_format="xlsx"):
    response = client.post("/audit/pseudonymised-export", data={"file_format": file_format})
    assert response.status_code == 200, response.status_code
    return response


def _xlsx_tables(data: bytes) -> dict[str, list[list]]:
    book = load_workbook(io.BytesIO(data))
    return {sheet.title: [list(row) for row in sheet.iter_rows(values_only=True)] for sheet in book}


def _flat(tables) -> str:
    return "\n".join(repr(row) for rows in tables.values() for row in rows)


def test_the_export_holds_no_name_contact_or_free_text(client, login_as, world):
    child, mother = world
    login_as("admin")
    response = _export(client)
    assert "attachment" in response.headers["Content-Disposition"]
    tables = _xlsx_tables(response.data)
    stored = _flat(tables)
    for marker in MARKERS:
        assert marker not in stored, f"{marker!r} is in the export"
    # The headers are translated; every table named in the task is there.
    assert {"Persoane", "Registru", "Prezență", "Cazuri"} <= set(tables)
    assert tables["Persoane"][0][:3] == ["Persoană", "Gospodărie", "Centru"]
    people = {row[0]: row for row in tables["Persoane"][1:]}
    row = people[pseudonym("person", child.id)]
    assert (
        row[1] == pseudonym("family", child.family_id) == people[pseudonym("person", mother.id)][1]
    )
    assert (row[3], row[6], row[7]) == ("child", 2010, "Târgu Secuiesc")
    register = tables["Registru"][1:]
    assert [row[0] for row in register] == [pseudonym("person", child.id)]


def test_pseudonyms_are_keyed_stable_and_change_with_the_key(client, login_as, world, app):
    child, _mother = world
    login_as("admin")
    first = _xlsx_tables(_export(client).data)
    second = _xlsx_tables(_export(client).data)
    assert first == second
    expected = hmac.new(
        app.config["PSEUDONYM_KEY"].encode(), f"person:{child.id}".encode(), hashlib.sha256
    ).hexdigest()[:20]
    assert expected in _flat(first)
    assert str(child.id) not in {row[0] for row in first["Persoane"][1:]}

    app.config["PSEUDONYM_KEY"] = "another-installation"
    other = _xlsx_tables(_export(client).data)
    assert expected not in _flat(other)
    assert len(other["Persoane"]) == len(first["Persoane"])


def test_the_csv_archive_has_a_file_per_table_and_the_same_rows(client, login_as, world):
    login_as("admin")
    workbook = _xlsx_tables(_export(client).data)
    archive = zipfile.ZipFile(io.BytesIO(_export(client, "csv").data))
    assert "people.csv" in archive.namelist() and "cases.csv" in archive.namelist()
    assert len(archive.namelist()) == len(workbook)
    text = archive.read("people.csv").decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text), delimiter=";"))
    assert len(rows) == len(workbook["Persoane"])
    everything = "".join(archive.read(name).decode("utf-8-sig") for name in archive.namelist())
    for marker in MARKERS:
        assert marker not in everything


def test_each_export_is_audited_and_only_the_administrator_may_export(client, login, users, world):
    for role in ("coordinator", "counsellor", "volunteer"):
        login(users[role])
        assert (
            client.post("/audit/pseudonymised-export", data={"file_format": "xlsx"}).status_code
            == 403
        )
        client.post("/auth/logout")
    login(users["admin"])
    page = client.get("/audit/pseudonymised-export")
    assert page.status_code == 200 and page.mimetype == "text/html"
    assert not db.session.scalars(select(AuditEntry).where(AuditEntry.action == "export")).all()
    _export(client, "csv")
    [entry] = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "export"))
    assert (entry.entity, entry.actor_id) == ("pseudonymised_export", users["admin"].id)
    assert entry.changes["format"] == "csv"
    assert entry.changes["rows"]["people"] == 2


def test_production_needs_a_pseudonym_key_and_development_keeps_one(monkeypatch, tmp_path):
    monkeypatch.setenv("DAYCENTRE_ENV", "production")
    with pytest.raises(RuntimeError, match="PSEUDONYM_KEY"):
        create_app({"SECRET_KEY": "s" * 40, "PSEUDONYM_KEY": None, "INSTANCE_PATH": tmp_path})
    monkeypatch.setenv("DAYCENTRE_ENV", "development")
    first = create_app({"PSEUDONYM_KEY": None, "INSTANCE_PATH": tmp_path})
    second = create_app({"PSEUDONYM_KEY": None, "INSTANCE_PATH": tmp_path})
    assert first.config["PSEUDONYM_KEY"] == second.config["PSEUDONYM_KEY"]
    assert len(first.config["PSEUDONYM_KEY"]) >= 40
    assert first.config["PSEUDONYM_KEY"] != first.config["SECRET_KEY"]
    assert (tmp_path / "pseudonym_key").stat().st_mode & 0o077 == 0
