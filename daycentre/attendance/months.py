"""The month a sheet or report shows, read from ``?month=YYYY-MM`` (this month by default)."""

from datetime import date, timedelta

from babel.dates import format_skeleton
from flask import abort, request
from flask_babel import get_locale

from daycentre.core.localtime import today


def month_or_404() -> tuple[int, int]:
    raw = request.args.get("month") or today().strftime("%Y-%m")
    try:
        first = date.fromisoformat(f"{raw}-01")
    except ValueError:
        abort(404)
    if not 2000 <= first.year <= 2100:
        abort(404)
    return first.year, first.month


def previous_and_next_month(year: int, month: int) -> tuple[str, str]:
    first = date(year, month, 1)
    before = (first - timedelta(days=1)).strftime("%Y-%m")
    after = (first + timedelta(days=32)).strftime("%Y-%m")
    return before, after


def month_label(day: date) -> str:
    """The month and year the locale's way: "octombrie 2026", "2026. október", "October 2026"."""
    return format_skeleton("yMMMM", day, locale=get_locale() or "ro")
