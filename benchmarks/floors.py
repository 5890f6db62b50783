"""Floors: what a page would cost with one raw SQL query and a plain template of the same markup.

The roll page's floor reuses the real page's own markup around the list of children (captured
once) and renders the list itself from one query with a template that writes the same rows. The
monthly sheet's floor renders the same sheet HTML from one query and lays it out with WeasyPrint,
as the real export does. A page's ratio to its floor says how much the app adds on top of the
work that cannot be avoided.
"""

import calendar
import hashlib
import time
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

# Everything the page reads for its rows and its programme's section, in one statement: each
# child with the day's mark, meals and departure, then the day's slots of the programme in force
# with their notes (issue 15), told apart by the first column.
ROLL_SQL = text(
    """
    SELECT 'c', p.id, p.family_name, p.given_name, p.allergies, p.diet,
           a.status, a.arrives_at, a.leaves_at, a.note, m.meal_type_id,
           d.left_at, d.collected_by, d.alone, d.not_allowed
    FROM enrolments e
    JOIN people p ON p.id = e.person_id
    LEFT JOIN attendances a ON a.person_id = p.id AND a.centre_id = e.centre_id AND a.day = :day
    LEFT JOIN meals_served m ON m.person_id = p.id AND m.centre_id = e.centre_id AND m.day = :day
    LEFT JOIN departures d ON d.person_id = p.id AND d.group_id = e.group_id AND d.day = :day
    WHERE e.group_id = :group AND e.start_date <= :day
      AND (e.exit_date IS NULL OR e.exit_date >= :day)
      AND (e.suspended_on IS NULL OR e.suspended_on > :day)
      AND e.status IN ('active', 'suspended', 'exited') AND p.kind = 'child'
    UNION ALL
    SELECT 's', s.id, s.title, s.kind, r.name,
           COALESCE(u.given_name || ' ' || u.family_name, v.given_name || ' ' || v.family_name),
           NULL, s.starts_at, s.ends_at, n.note, NULL, NULL, NULL, NULL, NULL
    FROM programme_slots s
    LEFT JOIN programme_slot_days n ON n.slot_id = s.id AND n.day = :day
    LEFT JOIN rooms r ON r.id = s.room_id
    LEFT JOIN users u ON u.id = s.leader_id
    LEFT JOIN volunteers v ON v.id = s.volunteer_id
    WHERE s.weekday = :weekday AND s.programme_id = (
        SELECT w.id FROM weekly_programmes w WHERE w.group_id = :group AND w.valid_from <= :day
        ORDER BY w.valid_from DESC LIMIT 1)
    ORDER BY 1, 3, 4, 2
    """
)


def roll_parameters(group_id: int, day: date) -> dict:
    return {"group": group_id, "day": day.isoformat(), "weekday": str(day.isoweekday())}


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


def _state(row: dict) -> str:
    """What the page sends back as the mark it showed (``attendance.services.state_token``)."""
    if row["status"] is None:
        return ""
    meals = ",".join(str(m) for m in sorted(row["meals"]))
    parts = (row["status"], row["arrives"], row["leaves"], row["note"].strip(), meals)
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()[:16]


class RollFloor:
    """The roll page from one query; ``markup`` is the real page, whose frame is reused.

    The list of children and the programme's section (the day's slots, the departures and the
    departure form, which lists the children again) are rendered from the query's rows; the
    rest of the page is the captured frame."""

    def __init__(self, markup: str, labels: dict, meal_types: list[tuple[int, str]]):
        start = markup.index('<ol class="roll">') + len('<ol class="roll">')
        end = markup.index("</ol>", start)
        self.prefix = markup[:start]
        self.rows_size = end - start  # the real page's list of children, for comparison
        section = markup.find('<section class="programme-day', end)
        if section < 0:  # a page without the programme's section (a user who may not read it)
            self.middle, self.suffix, self.programme = markup[end:], "", None
        else:
            section_end = markup.index("</section>", section) + len("</section>")
            self.middle, self.suffix = markup[end:section], markup[section_end:]
            self.programme = ENVIRONMENT.get_template("roll_programme.html")
            self.rows_size += section_end - section
            self.may_record = 'class="departure-form' in markup or 'class="slot-note"' in markup
            token = markup.find('name="csrf_token" value="', section)
            self.csrf = markup[token:].split('"', 4)[3] if token >= 0 else ""
        self.labels = labels
        self.meal_types = meal_types
        self.template = ENVIRONMENT.get_template("roll_rows.html")

    def render(self, connection, group_id: int, day: date) -> str:
        rows: dict[int, dict] = {}
        slots = []
        for (
            kind,
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
            left_at,
            collected_by,
            alone,
            not_allowed,
        ) in connection.execute(ROLL_SQL, roll_parameters(group_id, day)):
            if kind == "s":
                slots.append(
                    {
                        "id": pid,
                        "title": family,
                        "kind": given,
                        "room": allergies,
                        "led_by": diet,
                        "starts": _hhmm(arrives),
                        "ends": _hhmm(leaves),
                        "note": note,
                    }
                )
                continue
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
                    "departure": None
                    if left_at is None
                    else {
                        "left_at": _hhmm(left_at),
                        "collected_by": collected_by,
                        "alone": alone,
                        "not_allowed": not_allowed,
                    },
                }
            if meal is not None:
                row["meals"].add(meal)
        children = list(rows.values())
        for row in children:
            row["state"] = _state(row)
        body = self.template.render(rows=children, labels=self.labels, meal_types=self.meal_types)
        if self.programme is None:
            return self.prefix + body + self.middle
        slots.sort(key=lambda slot: slot["starts"])
        programme = self.programme.render(
            rows=children,
            slots=slots,
            departures=any(row["departure"] for row in children),
            labels=self.labels,
            may_record=self.may_record,
            csrf=self.csrf,
            group_id=group_id,
            day=day.isoformat(),
            left_at=time.strftime("%H:%M") if day == date.today() else "",
        )
        return self.prefix + body + self.middle + programme + self.suffix


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
        closed = {d for d in days if d.isoweekday() > 5 or d in self.closed}
        month_name = format_skeleton("yMMMM", first, locale=self.language)
        people: dict[int, dict] = {}
        for pid, family, given, day, status in connection.execute(
            SHEET_SQL, {"group": group_id, "first": first.isoformat(), "last": last.isoformat()}
        ):
            row = people.setdefault(
                pid, {"name": f"{given} {family}", "cells": {}, "totals": Counter()}
            )
            if day is not None:
                day = date.fromisoformat(str(day)[:10])
                if first <= day <= last and day not in closed:
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
            title=f"{self.labels['sheet']} {group} {month_name}",
            centre=centre,
            group=group,
            month=month_name,
            days=[(d, format_date(d, "full", locale=self.language)) for d in days],
            closed=closed,
            rows=list(people.values()),
            per_day=per_day,
            totals=totals,
            labels=self.labels,
        )

    def pdf(self, connection, *args) -> bytes:
        from weasyprint import HTML

        markup = self.html(connection, *args)
        return HTML(string=markup, base_url=self.static).write_pdf()
