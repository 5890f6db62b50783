"""Reading a spreadsheet a centre already keeps: XLSX or CSV, into a header and rows of text.

Nothing in the file is run: formulas are read as the values the spreadsheet last computed (a
formula never computed reads as an empty cell), macros are never loaded, and a CSV cell is text.
Merged cells are read as values: the value of a merged range counts for every cell of it (a
family name merged over the rows of siblings belongs to each of them). Hidden sheets are not
read; only the first visible sheet is, and the preview names the sheets left out.
"""

import csv
import io
from dataclasses import dataclass, field
from datetime import date, datetime, time

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import iterparse
from flask_babel import lazy_gettext as _l

from daycentre.core.errors import Refused

SHEET_NAMESPACE = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
# Cells beyond this many in a row are not read (no register has that many columns).
MAX_COLUMNS = 200
# An apostrophe put before text that a spreadsheet would run as a formula (documents.neutralise).
NEUTRALISED = ("'=", "'+", "'-", "'@")


@dataclass
class Table:
    headers: list[str]
    # (the row's number in the file, its cells as text)
    rows: list[tuple[int, list[str]]]
    notices: list[str] = field(default_factory=list)


def read_table(file_name: str, content: bytes, *, max_rows: int) -> Table:
    """The first non-empty row is the header (a caller may choose a later one); empty rows are
    skipped; rows keep all their cells."""
    name = file_name.lower()
    if name.endswith(".xlsx"):
        table = _read_xlsx(content, max_rows)
    elif name.endswith(".csv") or name.endswith(".txt"):
        table = _read_csv(content, max_rows)
    else:
        raise Refused(_l("Send an Excel workbook (.xlsx) or a CSV file (.csv)."))
    if not table.headers:
        raise Refused(_l("The file is empty."))
    return table


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == time() else value.isoformat(" ")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    text = str(value).strip()
    if text.startswith(NEUTRALISED):
        text = text[1:]
    return text


def _tabulate(lines, max_rows: int) -> Table:
    headers: list[str] = []
    rows: list[tuple[int, list[str]]] = []
    for number, cells in lines:
        texts = [_text(cell) for cell in list(cells)[:MAX_COLUMNS]]
        if not any(texts):
            continue
        if not headers:
            headers = texts
            continue
        if len(rows) >= max_rows:
            raise Refused(
                _l(
                    "The file has more than %(limit)d rows; send it in parts of at most "
                    "%(limit)d rows.",
                    limit=max_rows,
                )
            )
        rows.append((number, texts))
    return Table(headers=headers, rows=rows)


# --- CSV ----------------------------------------------------------------------------------------


def _decode(content: bytes) -> str:
    """UTF-8 (with or without the byte-order mark Excel writes), else Windows-1250, in which
    Romanian and Hungarian spreadsheets are often saved."""
    try:
        return content.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        return content.decode("cp1250")
    except UnicodeDecodeError:
        raise Refused(
            _l("The file's text encoding cannot be read: save it as CSV UTF-8.")
        ) from None


def _delimiter(first_line: str) -> str:
    """The separator the header uses: LibreOffice and Excel write ';' where the decimal mark is
    a comma (Romania, Hungary), ',' elsewhere."""
    counts = {sep: first_line.count(sep) for sep in (";", ",", "\t")}
    return max(counts, key=lambda sep: counts[sep]) if any(counts.values()) else ";"


def _read_csv(content: bytes, max_rows: int) -> Table:
    text = _decode(content)
    if "\x00" in text:
        raise Refused(_l("This is not a CSV file."))
    first = next((line for line in text.splitlines() if line.strip()), "")
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(first))
    try:
        return _tabulate(((reader.line_num, row) for row in reader), max_rows)
    except csv.Error:
        raise Refused(_l("The CSV file cannot be read: check its quotes.")) from None


# --- XLSX ---------------------------------------------------------------------------------------


def _read_xlsx(content: bytes, max_rows: int) -> Table:
    try:
        return _read_workbook(content, max_rows)
    except Refused:
        raise
    except Exception:  # whatever is wrong inside someone's file, the file is refused
        raise Refused(_l("This file cannot be read as an Excel workbook (.xlsx).")) from None


def _read_workbook(content: bytes, max_rows: int) -> Table:
    from openpyxl import load_workbook
    from openpyxl.utils.cell import range_boundaries

    book = load_workbook(io.BytesIO(content), read_only=True, data_only=True, keep_vba=False)
    try:
        visible = [sheet for sheet in book.worksheets if sheet.sheet_state == "visible"]
        if not visible:
            raise Refused(_l("The workbook has no visible sheet."))
        sheet = visible[0]
        # The names of the sheets left out, for the preview to say.
        notices = [other.title for other in book.worksheets if other is not sheet]
        merged = _merged_ranges(book, sheet, range_boundaries)
        if sheet.max_row and sheet.max_row > max_rows + 50:
            raise Refused(
                _l(
                    "The file has more than %(limit)d rows; send it in parts of at most "
                    "%(limit)d rows.",
                    limit=max_rows,
                )
            )
        lines = _with_merged_values(sheet.iter_rows(values_only=True), merged)
        table = _tabulate(lines, max_rows)
    finally:
        book.close()
    table.notices = notices
    return table


def _merged_ranges(book, sheet, range_boundaries) -> list[tuple[int, int, int, int]]:
    """(min_col, min_row, max_col, max_row) of each merged range: read-only sheets do not list
    them, so they are read from the sheet's XML, streamed."""
    ranges = []
    try:
        with book._archive.open(sheet._worksheet_path) as source:
            for _event, element in iterparse(source):
                if element.tag == f"{SHEET_NAMESPACE}mergeCell":
                    ranges.append(range_boundaries(element.get("ref")))
                element.clear()
    except (KeyError, ValueError, SyntaxError, DefusedXmlException):
        return []
    return ranges


def _with_merged_values(rows, merged):
    """Rows numbered from 1, each merged range's top-left value copied into all its cells."""
    filled: dict[tuple[int, int], object] = {}
    for number, row in enumerate(rows, start=1):
        cells = list(row)
        for min_col, min_row, max_col, max_row in merged:
            if not min_row <= number <= max_row:
                continue
            if number == min_row:
                value = cells[min_col - 1] if len(cells) >= min_col else None
                filled[(min_row, min_col)] = value
            value = filled.get((min_row, min_col))
            if len(cells) < max_col:
                cells += [None] * (max_col - len(cells))
            for col in range(min_col, max_col + 1):
                cells[col - 1] = value
        yield number, cells
