"""The monthly meal report as spreadsheet rows, in the user's language."""

from flask_babel import gettext as _

from daycentre.attendance.months import month_label


def report_title(report) -> str:
    month = month_label(report.days[0])
    return _("Meal report %(centre)s %(month)s", centre=report.centre.name, month=month)


def report_rows(report) -> tuple[list[str], list[list]]:
    """Two tables on one sheet: the days, then the children; amounts in lei as numbers."""
    types = report.meal_types
    headers = (
        [_("Day")]
        + [t.name for t in types]
        + [_("Children fed"), _("Allowance (lei)"), _("Cost (lei)")]
    )
    rows = []
    for day in report.served_days:
        rows.append(
            [day]
            + [report.by_day[day][t.id] for t in types]
            + [report.children_fed[day], report.rates[day], report.costs[day]]
        )
    rows.append(
        [_("Total")]
        + [report.totals[t.id] for t in types]
        + [report.child_days, "", report.total_cost]
    )
    rows.append([])
    rows.append([_("Name")] + [t.name for t in types] + [_("Days fed"), "", _("Cost (lei)")])
    for person, counts, days, cost in report.rows:
        rows.append([person.full_name] + [counts[t.id] for t in types] + [days, "", cost])
    return headers, rows
