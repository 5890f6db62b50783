"""The beneficiary register as a spreadsheet: XLSX and CSV, safe to open in Excel or LibreOffice."""

import csv
import io
from datetime import date

from flask_babel import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font

from daycentre.enrolment.models import Enrolment
from daycentre.i18n import current_language

# A cell starting with one of these is read as a formula by spreadsheet programs.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

DATE_FORMATS = {"ro": "DD.MM.YYYY", "hu": "YYYY. MM. DD.", "en": "YYYY-MM-DD"}


def neutralise(value):
    """Text that a spreadsheet would run as a formula is prefixed with an apostrophe."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def register_headers() -> list[str]:
    return [
        _("No."),
        _("Family name"),
        _("Given name"),
        _("Date of birth"),
        _("CNP"),
        _("Group"),
        _("Application date"),
        _("Status"),
        _("Service contract number"),
        _("Contract date"),
        _("Start date"),
        _("Exit date"),
        _("Reason for exit"),
    ]


def register_rows(entries: list[Enrolment]) -> list[list]:
    return [
        [
            entry.number,
            entry.person.family_name,
            entry.person.given_name,
            entry.person.birth_date,
            entry.person.cnp,
            entry.group.name,
            entry.applied_on,
            str(entry.status.label),
            entry.contract_number,
            entry.contract_date,
            entry.start_date,
            entry.exit_date,
            entry.exit_reason,
        ]
        for entry in entries
    ]


def to_csv(headers: list[str], rows: list[list]) -> bytes:
    """UTF-8 with a byte-order mark and semicolons, as spreadsheet programs in Romania expect."""
    stream = io.StringIO()
    writer = csv.writer(stream, delimiter=";", lineterminator="\r\n")
    writer.writerow([neutralise(h) for h in headers])
    for row in rows:
        writer.writerow(
            ["" if v is None else v.isoformat() if isinstance(v, date) else neutralise(v) for v in row]
        )
    return ("\ufeff" + stream.getvalue()).encode("utf-8")


def to_xlsx(headers: list[str], rows: list[list], *, title: str) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = title[:31]
    sheet.append([neutralise(h) for h in headers])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    date_format = DATE_FORMATS.get(current_language(), "YYYY-MM-DD")
    for row in rows:
        sheet.append([neutralise(v) for v in row])
        for cell in sheet[sheet.max_row]:
            if isinstance(cell.value, date):
                cell.number_format = date_format
    sheet.freeze_panes = "A2"
    for column in sheet.columns:
        width = max(len(str(c.value or "")) for c in column)
        sheet.column_dimensions[column[0].column_letter].width = min(max(width + 2, 8), 50)
    stream = io.BytesIO()
    workbook.save(stream)
    return stream.getvalue()
