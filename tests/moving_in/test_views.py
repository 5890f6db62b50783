import io
from datetime import timedelta

import pytest
from openpyxl import load_workbook

from daycentre.audit.models import AuditEntry
from daycentre.extensions import db
from daycentre.moving_in.models import ImportBatch, ImportStatus
from daycentre.people.models import Person, PersonKind
from tests.conftest import text_of
from tests.factories import make_group
from tests.moving_in.files import HEADERS_RO, child_row, cnp_for, csv_bytes, xlsx


@pytest.fixture
def group(centre):
    group = make_group(centre, name="Clasele I-IV", capacity=30)
    db.session.commit()
    return group


def send(client, centre, content, name="registru.xlsx", follow=True):
    return client.post(
        f"/moving-in/centres/{centre.id}/beneficiaries",
        data={"spreadsheet": (io.BytesIO(content), name)},
        content_type="multipart/form-data",
        follow_redirects=follow,
    )


def children():
    return db.session.scalars(db.select(Person).where(Person.kind == PersonKind.CHILD)).all()


def test_the_register_page_leads_a_coordinator_to_the_import(client, login_as, centre, group):
    login_as("coordinator")
    page = client.get(f"/enrolment/centres/{centre.id}/register").get_data(as_text=True)
    assert f"/moving-in/centres/{centre.id}/beneficiaries" in page
    client.post("/auth/logout")
    login_as("counsellor")
    page = client.get(f"/enrolment/centres/{centre.id}/register").get_data(as_text=True)
    assert "/moving-in/" not in page


def test_upload_preview_confirm_and_undo(client, login_as, centre, group):
    from datetime import date

    login_as("coordinator")
    rows = [
        child_row(given="Ana", cnp=cnp_for(date(2016, 3, 14))),
        child_row(given="Bad", cnp="6160314141230"),
    ]
    preview = send(client, centre, xlsx(HEADERS_RO, rows))
    text = text_of(preview)
    assert "1 rând poate fi importat" in text
    assert "CNP: Acest CNP nu este valid" in text  # the problem on its column, in Romanian
    assert children() == []

    batch = db.session.scalars(db.select(ImportBatch)).one()
    done = client.post(f"/moving-in/imports/{batch.id}/confirm", follow_redirects=True)
    assert "A fost importat 1 rând." in text_of(done)
    assert [p.given_name for p in children()] == ["Ana"]
    entry = db.session.scalars(db.select(AuditEntry).filter_by(action="import")).one()
    assert entry.changes["rows"] == 1 and entry.changes["left_out"] == 1

    undone = client.post(f"/moving-in/imports/{batch.id}/undo", follow_redirects=True)
    assert "Importul a fost anulat" in text_of(undone)
    assert children() == []


def test_the_preview_speaks_hungarian(client, login_as, centre, group, users):
    users["coordinator"].locale = "hu"
    db.session.commit()
    login_as("coordinator")
    preview = send(client, centre, xlsx(HEADERS_RO, [child_row(group="Nincs ilyen")]))
    assert "A központnak nincs Nincs ilyen nevű csoportja." in text_of(preview)


def test_a_spreadsheet_with_its_own_columns_goes_through_the_mapping(
    client, login_as, centre, group
):
    login_as("coordinator")
    headers = ["Numele copilului", *HEADERS_RO[1:]]
    page = send(client, centre, csv_bytes(headers, [child_row()]), name="r.csv")
    assert "Coloanele fișierului" in text_of(page)
    batch = db.session.scalars(db.select(ImportBatch)).one()
    form = {f"column_{i}": "" for i in range(len(headers))}
    page = client.post(f"/moving-in/imports/{batch.id}/columns", data=form, follow_redirects=True)
    assert "Alegeți coloana din fișier pentru: Nume de familie, Prenume" in text_of(page)
    from daycentre.moving_in.services import matched_columns

    chosen = matched_columns(batch)
    form = {f"column_{i}": key or "" for i, key in enumerate(chosen)} | {"column_0": "family_name"}
    page = client.post(f"/moving-in/imports/{batch.id}/columns", data=form, follow_redirects=True)
    assert "1 rând poate fi importat" in text_of(page)
    # The next file with the same columns goes straight to the preview.
    again = send(client, centre, csv_bytes(headers, [child_row(given="Ion")]), name="r.csv")
    assert "1 rând poate fi importat" in text_of(again)


def test_limits_are_refused_with_the_limit_named(app, client, login_as, centre, group):
    app.config["IMPORT_MAX_ROWS"] = 2
    login_as("coordinator")
    page = send(client, centre, csv_bytes(HEADERS_RO, [child_row()] * 3), name="r.csv")
    assert "Fișierul are mai mult de 2 de rânduri" in text_of(page)
    page = send(client, centre, b"PK\x03\x04not a workbook", name="r.xlsx")
    assert "Acest fișier nu poate fi citit ca registru Excel" in text_of(page)
    assert db.session.scalar(db.select(db.func.count(ImportBatch.id))) == 0


def test_another_centre_answers_404(client, login_as, users, centre, other_centre, group):
    other_group = make_group(other_centre, name="Clasele I-IV")
    db.session.commit()
    login_as("coordinator")
    assert client.get(f"/moving-in/centres/{other_centre.id}/beneficiaries").status_code == 404
    assert (
        send(client, other_centre, xlsx(HEADERS_RO, [child_row()]), follow=False).status_code == 404
    )
    batch = ImportBatch(
        centre_id=other_centre.id,
        kind="beneficiaries",
        file_name="x.xlsx",
        status=ImportStatus.PREVIEWED,
        headers=HEADERS_RO,
        rows=[[2, child_row()]],
        uploaded_by_id=users["admin"].id,
    )
    db.session.add(batch)
    db.session.commit()
    for method, url in (
        ("get", f"/moving-in/imports/{batch.id}"),
        ("get", f"/moving-in/imports/{batch.id}/columns"),
        ("post", f"/moving-in/imports/{batch.id}/confirm"),
        ("post", f"/moving-in/imports/{batch.id}/undo"),
        ("post", f"/moving-in/imports/{batch.id}/cancel"),
    ):
        assert getattr(client, method)(url).status_code == 404, url
    assert other_group.id


def test_undo_after_seven_days_is_refused_with_a_message(client, login_as, centre, group):
    login_as("coordinator")
    send(client, centre, xlsx(HEADERS_RO, [child_row()]))
    batch = db.session.scalars(db.select(ImportBatch)).one()
    client.post(f"/moving-in/imports/{batch.id}/confirm")
    batch = db.session.get(ImportBatch, batch.id)
    batch.imported_at -= timedelta(days=8)
    db.session.commit()
    page = client.post(f"/moving-in/imports/{batch.id}/undo", follow_redirects=True)
    assert "Un import poate fi anulat în 7 zile" in text_of(page)
    assert len(children()) == 1


def test_templates_in_each_language_have_one_example_row(client, login_as, centre, group):
    login_as("coordinator")
    for language, first in (("ro", "Nume de familie"), ("hu", "Vezetéknév"), ("en", "Family name")):
        response = client.get(
            f"/moving-in/centres/{centre.id}/beneficiaries/template-{language}.xlsx"
        )
        sheet = load_workbook(io.BytesIO(response.data)).active
        rows = list(sheet.values)
        assert rows[0][0] == first and len(rows) == 2


def test_the_filled_in_template_imports(client, login_as, centre, group):
    login_as("coordinator")
    template = client.get(f"/moving-in/centres/{centre.id}/beneficiaries/template-hu.xlsx").data
    page = send(client, centre, template, name="sablon.xlsx")
    assert "1 rând poate fi importat" in text_of(
        page
    )  # the headers in Hungarian, the page in Romanian
    batch = db.session.scalars(db.select(ImportBatch)).one()
    client.post(f"/moving-in/imports/{batch.id}/confirm")
    assert [p.full_name for p in children()] == ["Ana Popescu"]


def test_a_cancelled_upload_forgets_the_rows(client, login_as, centre, group):
    login_as("coordinator")
    send(client, centre, xlsx(HEADERS_RO, [child_row()]))
    batch = db.session.scalars(db.select(ImportBatch)).one()
    client.post(f"/moving-in/imports/{batch.id}/cancel")
    batch = db.session.get(ImportBatch, batch.id)
    assert batch.status is ImportStatus.CANCELLED and batch.rows is None


def test_the_volunteers_import_page_and_its_template(client, login_as, centre):
    login_as("coordinator")
    assert f"Import de voluntari · {centre.name}" in text_of(client.get("/volunteers/"))
    page = client.get(f"/moving-in/centres/{centre.id}/volunteers")
    assert "certificatele lor de integritate" in text_of(page)
    response = client.get(f"/moving-in/centres/{centre.id}/volunteers/template-ro.xlsx")
    rows = list(load_workbook(io.BytesIO(response.data)).active.values)
    assert rows[0][:3] == ("Nume de familie", "Prenume", "Data nașterii") and len(rows) == 2


def test_the_months_roll_template_is_filled_in_and_moved_in(client, login_as, centre, group):
    """The coordinator downloads the roll with the centre's children, writes the marks as on
    paper and sends it back: the preview in Romanian, then the marks are stored."""
    from datetime import datetime

    import time_machine

    from daycentre.attendance.models import Attendance
    from daycentre.core.localtime import BUCHAREST
    from tests.factories import make_child, make_enrolment

    child = make_child(centre=centre, family_name="Kovács", given_name="Ádám")
    make_enrolment(child, group)
    db.session.commit()
    with time_machine.travel(datetime(2026, 11, 20, 10, tzinfo=BUCHAREST), tick=False):
        login_as("coordinator")
        page = text_of(client.get(f"/moving-in/centres/{centre.id}/attendance"))
        assert "Mesele nu se importă." in page
        response = client.get(f"/moving-in/centres/{centre.id}/attendance/template-hu.xlsx")
        book = load_workbook(io.BytesIO(response.data))
        sheet = book.active
        rows = [list(row) for row in sheet.values]
        assert rows[0][:6] == [
            "Vezetéknév",
            "Keresztnév",
            "Születési dátum",
            "Személyi szám (CNP)",
            "Csoport",
            "1",
        ]
        assert len(rows[0]) == 5 + 30 and len(rows) == 2
        assert rows[1][:2] == ["Kovács", "Ádám"] and rows[1][5 + 6] == "–"  # Saturday the 7th
        exported = db.session.scalars(db.select(AuditEntry).filter_by(action="export")).one()
        assert exported.changes["rows"] == 1
        for day, mark in ((2, "J"), (3, "I"), (7, "J")):
            sheet.cell(row=2, column=5 + day, value=mark)
        stream = io.BytesIO()
        book.save(stream)
        preview = text_of(
            client.post(
                f"/moving-in/centres/{centre.id}/attendance",
                data={"spreadsheet": (io.BytesIO(stream.getvalue()), "jelenlet.xlsx")},
                content_type="multipart/form-data",
                follow_redirects=True,
            )
        )
        assert "Nu există activitate în această zi (Nu există activitate" in preview
        assert db.session.scalar(db.select(db.func.count(Attendance.id))) == 0
        batch = db.session.scalars(db.select(ImportBatch)).one()
        client.post(f"/moving-in/imports/{batch.id}/confirm")  # nothing: the row has a problem
        assert db.session.scalar(db.select(db.func.count(Attendance.id))) == 0

        sheet.cell(row=2, column=5 + 7, value="–")
        stream = io.BytesIO()
        book.save(stream)
        client.post(
            f"/moving-in/centres/{centre.id}/attendance",
            data={"spreadsheet": (io.BytesIO(stream.getvalue()), "jelenlet.xlsx")},
            content_type="multipart/form-data",
        )
        batch = db.session.scalars(db.select(ImportBatch).order_by(ImportBatch.id.desc())).first()
        done = client.post(f"/moving-in/imports/{batch.id}/confirm", follow_redirects=True)
        assert "A fost importat 1 rând." in text_of(done)
        assert db.session.scalar(db.select(db.func.count(Attendance.id))) == 2


def test_the_roll_import_is_offered_where_the_roll_is_kept(client, login_as, centre, group):
    login_as("coordinator")
    address = f"/moving-in/centres/{centre.id}/attendance"
    assert address in client.get("/attendance/").get_data(as_text=True)
    assert address in client.get(f"/enrolment/centres/{centre.id}").get_data(as_text=True)
    client.post("/auth/logout")
    login_as("counsellor")
    assert address not in client.get("/attendance/").get_data(as_text=True)
    assert client.get(address).status_code == 403
