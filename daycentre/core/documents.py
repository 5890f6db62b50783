"""Documents people print or open: PDFs rendered from templates, spreadsheets and CSV files.

Every area builds its registers and certificates with these, so that fonts, file names and the
neutralising of spreadsheet formulas are handled once.
"""

import csv
import hashlib
import io
import re
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from functools import cache
from pathlib import Path
from urllib.parse import quote

from flask import Response, current_app, render_template
from flask_babel import force_locale
from openpyxl.utils import get_column_letter

from daycentre.core.i18n import current_language
from daycentre.core.localtime import BUCHAREST

PDF = "application/pdf"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV = "text/csv; charset=utf-8"

# A text cell beginning with one of these is a formula to Excel and LibreOffice.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "\n")


def neutralise(value):
    """Text that a spreadsheet would run as a formula is prefixed with an apostrophe."""
    if isinstance(value, str) and value.startswith(FORMULA_TRIGGERS):
        return "'" + value
    return value


def download(content: bytes, mimetype: str, filename: str) -> Response:
    """An attachment whose file name survives diacritics (RFC 6266 / 5987)."""
    ascii_name = filename.encode("ascii", "replace").decode().replace("?", "_").replace('"', "")
    disposition = f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(filename)}"
    return Response(content, mimetype=mimetype, headers={"Content-Disposition": disposition})


def render_pdf(template: str, *, language: str, **context) -> bytes:
    """Render ``template`` in ``language`` and lay it out as a PDF with WeasyPrint.

    The document may load the app's own static files (``css/print.css``) and nothing else:
    no network, no other file on the disk, whatever a stored text contains.
    """
    return lay_out_pdf(pdf_html(template, language=language, **context))


def pdf_html(template: str, *, language: str, **context) -> str:
    """The HTML that ``render_pdf`` lays out."""
    with force_locale(language):
        return render_template(template, language=language, **context)


def lay_out_pdf(html: str) -> bytes:
    static = Path(current_app.static_folder).resolve().as_uri() + "/"
    return _document_class()(
        string=html, base_url=static, url_fetcher=_static_files_only(static)
    ).write_pdf()


def layout_fingerprint() -> str:
    """What a PDF depends on besides its HTML: WeasyPrint's version and the static files the
    documents may load (css/print.css). Read once per process: a deployment restarts it."""
    return _layout_fingerprint(current_app.static_folder)


@cache
def _layout_fingerprint(static_folder: str) -> str:
    import weasyprint

    digest = hashlib.sha256(weasyprint.__version__.encode())
    for path in sorted((Path(static_folder) / "css").rglob("*.css")):
        digest.update(str(path.relative_to(static_folder)).encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


# Rules of WeasyPrint's browser style sheet that match every element through a pseudo-element
# (list markers, footnotes, notes): each costs a style computed for each of the thousand cells of
# a monthly sheet. Markers are kept for the elements that have them; our documents have no
# footnotes or notes.
_EVERY_ELEMENT = re.compile(r"^::(marker|footnote-[a-z]+|note-[a-z]+) \{[^}]*\}$", re.MULTILINE)


@cache
def _document_class():
    """WeasyPrint's ``HTML`` with a browser style sheet that lays out our documents the same
    way, with less work per element (WeasyPrint is pinned to one major version)."""
    from weasyprint import CSS, HTML  # imported late: it loads Pango, which only documents need
    from weasyprint.css.counters import CounterStyle
    from weasyprint.html import UA, UA_FORM_STYLESHEET

    def trimmed(rule):
        if rule.group(1) != "marker":
            return ""
        return rule.group(0).replace("::marker", "li::marker, summary::marker", 1)

    # The counter styles it defines are WeasyPrint's own, already known to every document.
    sheet = CSS(string=_EVERY_ELEMENT.sub(trimmed, UA), counter_style=CounterStyle())

    class Document(HTML):
        def _ua_stylesheets(self, forms=False):
            return [sheet, UA_FORM_STYLESHEET] if forms else [sheet]

    return Document


def _static_files_only(prefix: str):
    from weasyprint.urls import URLFetcher  # imported late, as in render_pdf

    class StaticFilesOnly(URLFetcher):
        def fetch(self, url, headers=None):
            if not url.startswith(prefix) or ".." in url:
                raise ValueError(f"refused to fetch {url}")
            return super().fetch(url, headers)

    return StaticFilesOnly(allowed_protocols=("file",))


DATE_FORMATS = {"ro": "DD.MM.YYYY", "hu": "YYYY. MM. DD.", "en": "YYYY-MM-DD"}


def spreadsheet(title: str, headers: Sequence[str], rows: Iterable[Sequence]) -> bytes:
    """One sheet with a bold, frozen header row; dates stay dates shown the locale's way, and
    text never runs as a formula."""
    return spreadsheet_book([(title, headers, rows)])


def spreadsheet_book(sheets: Iterable[tuple[str, Sequence[str], Iterable[Sequence]]]) -> bytes:
    """A workbook of several such sheets, one per (title, headers, rows)."""
    from openpyxl import Workbook  # imported late: only the spreadsheet downloads need it

    workbook = Workbook()
    workbook.remove(workbook.active)
    for title, headers, rows in sheets:
        _fill_sheet(workbook.create_sheet(title[:31]), headers, rows)
    stream = io.BytesIO()
    workbook.save(stream)
    return stream.getvalue()


def _fill_sheet(sheet, headers: Sequence[str], rows: Iterable[Sequence]) -> None:
    from openpyxl.styles import Font  # imported late, as above

    sheet.append([str(header) for header in headers])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    widths = [len(str(header)) for header in headers]
    date_format = DATE_FORMATS.get(current_language(), "YYYY-MM-DD")
    for row in rows:
        sheet.append([_cell_value(value) for value in row])
        for index, cell in enumerate(sheet[sheet.max_row]):
            if isinstance(cell.value, datetime):
                cell.number_format = date_format + " HH:MM"
            elif isinstance(cell.value, date):
                cell.number_format = date_format
            widths[index] = max(widths[index], len(_as_text(cell.value)))
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = min(width + 2, 60)
    sheet.freeze_panes = "A2"


def _cell_value(value):
    if isinstance(value, datetime) and value.tzinfo is not None:
        return value.astimezone(BUCHAREST).replace(tzinfo=None)  # spreadsheets have no time zones
    if isinstance(value, str):
        return neutralise(value)
    return value


def csv_file(headers: Sequence[str], rows: Iterable[Sequence]) -> bytes:
    """UTF-8 with a byte-order mark and semicolons, as Excel expects where the decimal mark is a
    comma (Romania, Hungary), so that it shows ș, ț and ő and splits the columns."""
    stream = io.StringIO()
    writer = csv.writer(stream, delimiter=";", lineterminator="\r\n")
    writer.writerow([str(header) for header in headers])
    for row in rows:
        writer.writerow([neutralise(_as_text(value)) for value in row])
    return ("\ufeff" + stream.getvalue()).encode("utf-8")


def _as_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime | date):
        return value.isoformat()
    return str(value)
