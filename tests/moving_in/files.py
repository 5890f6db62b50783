"""Real spreadsheets written the way centres' files come: openpyxl for XLSX, csv for CSV."""

import csv
import io
import re
import zipfile

from openpyxl import Workbook

HEADERS_RO = [
    "Nume de familie",
    "Prenume",
    "Data nașterii",
    "Sex",
    "CNP",
    "Adresa familiei",
    "Localitate",
    "Părinte 1: nume de familie",
    "Părinte 1: prenume",
    "Părinte 1: relația",
    "Acord pentru prelucrarea datelor: data",
    "Grupa",
    "Data cererii",
    "Numărul contractului de furnizare servicii",
    "Data contractului",
    "Data începerii",
]


def child_row(
    family="Popescu",
    given="Ana",
    birth="14.03.2016",
    sex="F",
    cnp="",
    address="Strada Gábor Áron nr. 5",
    city="Târgu Secuiesc",
    parent_family="Popescu",
    parent_given="Maria",
    relation="mamă",
    consent="01.09.2026",
    group="Clasele I-IV",
    applied="01.09.2026",
    contract="",
    contract_date="",
    start="",
):
    return [family, given, birth, sex, cnp, address, city, parent_family, parent_given, relation,
            consent, group, applied, contract, contract_date, start]  # fmt: skip


def xlsx(headers, rows, *, merged=(), hidden_sheet=False, cached=None) -> bytes:
    """An XLSX workbook; ``cached`` gives the value a spreadsheet program would have stored for
    each formula (openpyxl writes formulas without one)."""
    book = Workbook()
    sheet = book.active
    sheet.title = "Registru"
    sheet.append(headers)
    for row in rows:
        sheet.append(row)
    for cells in merged:
        sheet.merge_cells(cells)
    if hidden_sheet:
        secret = book.create_sheet("Ascuns")
        secret.append(["nu se citește"])
        secret.sheet_state = "hidden"
    stream = io.BytesIO()
    book.save(stream)
    content = stream.getvalue()
    if cached:
        content = _with_cached_values(content, cached)
    return content


def _with_cached_values(content: bytes, cached: dict[str, str]) -> bytes:
    source = zipfile.ZipFile(io.BytesIO(content))
    target_stream = io.BytesIO()
    with zipfile.ZipFile(target_stream, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                text = data.decode()
                for ref, value in cached.items():
                    text = re.sub(
                        rf'(<c r="{ref}"[^>]*)><f>(.*?)</f><v\s*/>',
                        rf'\1 t="str"><f>\2</f><v>{value}</v>',
                        text,
                    )
                data = text.encode()
            target.writestr(item, data)
    return target_stream.getvalue()


def csv_bytes(headers, rows, *, encoding="utf-8-sig", delimiter=";") -> bytes:
    """As LibreOffice saves a sheet: Windows-1250 and ';' for a Romanian locale."""
    stream = io.StringIO()
    writer = csv.writer(stream, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow(headers)
    writer.writerows(rows)
    text = stream.getvalue()
    if encoding == "cp1250":  # it has only the cedilla forms, which old Romanian files hold
        text = text.translate(str.maketrans("șțȘȚ", "şţŞŢ"))
    return text.encode(encoding)


def cnp_for(birth, sex="F", county="14", serial="123") -> str:
    """A valid CNP for a child born in 2000 or later (``birth`` as date)."""
    from stdnum.ro.cnp import calc_check_digit

    first = "6" if sex == "F" else "5"
    body = f"{first}{birth:%y%m%d}{county}{serial}"
    return body + calc_check_digit(body)


ROLL_HEADERS_RO = ["Nume de familie", "Prenume", "Data nașterii", "CNP", "Grupa"]


def roll_row(family, given, birth="", cnp="", group="", marks=None, days=30):
    """One child's row of a month's roll: ``marks`` by day number, the other days empty."""
    marks = marks or {}
    return [family, given, birth, cnp, group] + [marks.get(day, "") for day in range(1, days + 1)]


def roll_headers(days=30, extra=()):
    return ROLL_HEADERS_RO + [str(day) for day in range(1, days + 1)] + list(extra)
