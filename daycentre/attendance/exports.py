"""The monthly attendance sheet as rows for a spreadsheet, in the user's language."""

from flask_babel import gettext as _

from daycentre.attendance.models import AttendanceStatus
from daycentre.attendance.months import month_label


def sheet_title(sheet) -> str:
    month = month_label(sheet.days[0])
    return _("Attendance sheet %(group)s %(month)s", group=sheet.group.name, month=month)


def cell_text(sheet, row, day) -> str:
    """A letter for a mark, a dash for a day without service, empty when not enrolled or unmarked."""
    if day in sheet.closed:
        return "–"
    status = row.cells.get(day)
    return str(status.letter) if status else ""


def sheet_rows(sheet) -> tuple[list[str], list[list]]:
    statuses = list(AttendanceStatus)
    headers = [_("No."), _("Name")]
    headers += [str(day.day) for day in sheet.days]
    headers += [str(status.letter) for status in statuses]
    rows = []
    for number, row in enumerate(sheet.rows, start=1):
        rows.append(
            [number, row.person.listed_name]
            + [cell_text(sheet, row, day) for day in sheet.days]
            + [row.totals[status] for status in statuses]
        )
    for status in statuses:
        rows.append(
            ["", _("Total %(letter)s (%(label)s)", letter=status.letter, label=status.label)]
            + ["" if day in sheet.closed else sheet.per_day[day][status] for day in sheet.days]
            + [sheet.totals[status] if s is status else "" for s in statuses]
        )
    legend = "; ".join(f"{s.letter} = {s.label}" for s in statuses)
    rows.append(["", legend + "; – = " + _("no activity")])
    return headers, rows
