"""Floors: what a page would cost with one raw SQL query and a plain template of the same markup.

The roll page's floor reuses the real page's own markup around the list of children (captured
once) and renders the list itself from one query with a template that writes the same rows. The
monthly sheet's floor renders the same sheet HTML from one query and lays it out with WeasyPrint,
as the real export does. A page's ratio to its floor says how much the app adds on top of the
work that cannot be avoided.
"""

import calendar
from collections import Counter
from datetime import date
from pathlib import Path

from babel.dates import format_date, format_skeleton
from jinja2 import Environment, FileSystemLoader, select_autoescape
from sqlalchemy import text

TEMPLATES = Path(__file__).resolve().parent / "templates"
ENVIRONMENT = Environment(
    loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(("html",)), trim_blocks=False
)

ROLL_SQL = text(
    """
    SELECT p.id, p.family_name, p.given_name, p.allergies, p.diet,
           a.status, a.arrives_at, a.leaves_at, a.note, m.meal_type_id
    FROM enrolments e
    JOIN people p ON p.id = e.person_id
    LEFT JOIN attendances a ON a.person_id = p.id AND a.centre_id = e.centre_id AND a.day = :day
    LEFT JOIN meals_served m ON m.person_id = p.id AND m.centre_id = e.centre_id AND m.day = :day
    WHERE e.group_id = :group AND e.start_date <= :day
      AND (e.exit_date IS NULL OR e.exit_date >= :day)
      AND (e.suspended_on IS NULL OR e.suspended_on > :day)
      AND e.status IN ('active', 'suspended', 'exited') AND p.kind = 'child'
    ORDER BY p.family_name, p.given_name, p.id
    """
)

SHEET_SQL = text(
    """
    SELECT p.id, p.family_name, p.given_name, a.day, a.status
    FROM enrolments e
    JOIN people p ON p.id = e.person_id
    LEFT JOIN attendances a ON a.person_id = p.id AND a.centre_id = e.centre_id
         AND a.day BETWEEN :first AND :last
    WHERE e.group_id = :group AND e.start_date <= :last
      AND (e.exit_date IS NULL OR e.exit_date >= :first)
      AND e.status IN ('active', 'suspended', 'exited') AND p.kind = 'child'
    ORDER BY p.family_name, p.given_name, p.id
    """
)


def _hhmm(value) -> str:
    if value is None:
        return ""
    return str(value)[:5]


class RollFloor:
    """The roll page from one query; ``markup`` is the real page, whose frame is reused."""

    def __init__(self, markup: str, labels: dict, meal_types: list[tuple[int, str]]):
        start = markup.index('<ol class="roll">') + len('<ol class="roll">')
        end = markup.index("</ol>", start)
        self.prefix, self.suffix = markup[:start], markup[end:]
        self.rows_size = end - start  # the real page's list of children, for comparison
        self.labels = labels
        self.meal_types = meal_types
        self.template = ENVIRONMENT.get_template("roll_rows.html")

    def render(self, connection, group_id: int, day: date) -> str:
        rows: dict[int, dict] = {}
        for (
            pid,
            family,
            given,
            allergies,
            diet,
            status,
            arrives,
            leaves,
            note,
            meal,
        ) in connection.execute(ROLL_SQL, {"group": group_id, "day": day.isoformat()}):
            row = rows.get(pid)
            if row is None:
                row = rows[pid] = {
                    "id": pid,
                    "name": f"{given} {family}",
                    "allergies": allergies,
                    "diet": diet,
                    "status": status,
                    "arrives": _hhmm(arrives),
                    "leaves": _hhmm(leaves),
                    "note": note or "",
                    "meals": set(),
                }
            if meal is not None:
                row["meals"].add(meal)
        body = self.template.render(
            rows=list(rows.values()), labels=self.labels, meal_types=self.meal_types
        )
        return self.prefix + body + self.suffix


class SheetFloor:
    """The monthly sheet's HTML from one query, laid out by WeasyPrint like the real export."""

    def __init__(self, static_folder: str, labels: dict, closed: set[date], language="ro"):
        self.static = Path(static_folder).resolve().as_uri() + "/"
        self.labels = labels
        self.closed = closed
        self.language = language
        self.template = ENVIRONMENT.get_template("sheet_pdf.html")

    def html(self, connection, group_id: int, year: int, month: int, centre: str, group: str):
        days = [date(year, month, d) for d in range(1, calendar.monthrange(year, month)[1] + 1)]
        first, last = days[0], days[-1]
        people: dict[int, dict] = {}
        for pid, family, given, day, status in connection.execute(
            SHEET_SQL, {"group": group_id, "first": first.isoformat(), "last": last.isoformat()}
        ):
            row = people.setdefault(
                pid, {"name": f"{given} {family}", "cells": {}, "totals": Counter()}
            )
            if day is not None:
                day = date.fromisoformat(str(day)[:10])
                if first <= day <= last and day not in self.closed:
                    row["cells"][day] = status
                    row["totals"][status] += 1
        per_day = {d: Counter() for d in days}
        totals = Counter()
        for row in people.values():
            for day, status in row["cells"].items():
                per_day[day][status] += 1
                totals[status] += 1
        return self.template.render(
            language=self.language,
            title=f"{group} {year}-{month:02d}",
            centre=centre,
            group=group,
            month=format_skeleton("yMMMM", first, locale=self.language),
            days=[(d, format_date(d, "full", locale=self.language)) for d in days],
            closed=self.closed,
            rows=list(people.values()),
            per_day=per_day,
            totals=totals,
            labels=self.labels,
        )

    def pdf(self, connection, *args) -> bytes:
        from weasyprint import HTML

        markup = self.html(connection, *args)
        return HTML(string=markup, base_url=self.static).write_pdf()
