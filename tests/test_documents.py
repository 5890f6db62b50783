"""Shared document helpers: PDFs in the user's language, spreadsheets that cannot run formulas."""

import csv
import io
from datetime import UTC, date, datetime

from openpyxl import load_workbook
from pypdf import PdfReader

from daycentre.core.documents import csv_file, download, neutralise, render_pdf, spreadsheet


def test_formula_triggers_are_neutralised():
    assert neutralise('=HYPERLINK("http://x")') == '\'=HYPERLINK("http://x")'
    assert neutralise("+40 722 000 000") == "'+40 722 000 000"
    assert neutralise("-") == "'-"
    assert neutralise("@SUM(A1)") == "'@SUM(A1)"
    assert neutralise("Ștefan") == "Ștefan"
    assert neutralise(-3) == -3


def test_spreadsheet_keeps_types_and_diacritics(app):
    content = spreadsheet(
        "Registru",
        ["Nume", "Data", "Număr", "Notă"],
        [
            ["Kovács Enikő", date(2026, 2, 1), 12, "=1+1"],
            ["Ștefănescu Țuțu", datetime(2026, 3, 29, 1, 30, tzinfo=UTC), 0, None],
        ],
    )
    sheet = load_workbook(io.BytesIO(content)).active
    assert [c.value for c in sheet[1]] == ["Nume", "Data", "Număr", "Notă"]
    assert sheet["A2"].value == "Kovács Enikő"
    assert sheet["B2"].value == datetime(2026, 2, 1)
    assert sheet["C2"].value == 12
    assert sheet["D2"].value == "'=1+1"
    assert sheet["B3"].value == datetime(
        2026, 3, 29, 4, 30
    )  # shown in Bucharest time (DST started at 03:00)
    assert sheet.freeze_panes == "A2"


def test_csv_has_a_bom_and_neutralised_cells():
    content = csv_file(["Nume", "Telefon"], [["Szabó Ágnes", "+40 744 123 456"]])
    assert content.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig")), delimiter=";"))
    assert rows == [["Nume", "Telefon"], ["Szabó Ágnes", "'+40 744 123 456"]]


def test_download_names_survive_diacritics(app):
    with app.test_request_context():
        response = download(b"x", "application/pdf", "Foaie de prezență — Clasele I–IV.pdf")
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith('attachment; filename="Foaie de prezen')
    assert "filename*=UTF-8''Foaie%20de%20prezen%C8%9B%C4%83" in disposition


def test_pdf_is_rendered_in_the_requested_language(app, tmp_path):
    (tmp_path / "doc.html").write_text(
        "<html><body><h1>{{ _('Closure days') }}</h1><p>Țară, ő, ű</p></body></html>"
    )
    app.jinja_loader.searchpath.append(str(tmp_path))
    with app.test_request_context():
        ro = render_pdf("doc.html", language="ro")
        hu = render_pdf("doc.html", language="hu")
    ro_text = PdfReader(io.BytesIO(ro)).pages[0].extract_text()
    hu_text = PdfReader(io.BytesIO(hu)).pages[0].extract_text()
    assert "Zile de închidere" in ro_text
    assert "Zárvatartási napok" in hu_text
    assert "Țară, ő, ű" in ro_text
