"""The count pages of cases, workshops and volunteers: the measures of each area
(``measures.figures``) over the centres the user sees and a period, each number linking to its
records. They live with the measures, above the areas (the import contract), and keep their
areas' addresses and endpoints (``cases.show_counts``, ...)."""

from datetime import date

from flask import render_template, request
from flask_login import current_user

from daycentre.auth.permissions import requires
from daycentre.cases import bp as cases_bp
from daycentre.cases.forms import CountsForm
from daycentre.centres.services import visible_centres
from daycentre.core.localtime import today
from daycentre.reports.measures import Scope, figures
from daycentre.volunteers import bp as volunteers_bp
from daycentre.volunteers.forms import PeriodForm
from daycentre.workshops import bp as workshops_bp


def _visible_ids() -> frozenset[int]:
    return frozenset(c.id for c in visible_centres(current_user))


@cases_bp.get("/counts", endpoint="show_counts")
@requires("cases.supervise")
def show_case_counts():
    form = CountsForm(request.args)
    first = today().replace(month=1, day=1)
    if not request.args:
        form.date_from.data, form.date_to.data = first, today()
    centres = visible_centres(current_user)
    result = scope = None
    if not request.args or form.validate():
        scope = Scope(
            frozenset(c.id for c in centres),
            form.date_from.data or first,
            form.date_to.data or today(),
        )
        result = figures("cases", scope)
    return render_template(
        "cases/show_counts.html", form=form, counts=result, scope=scope, centres=centres
    )


def _asked_date(name: str, default: date) -> date:
    try:
        return date.fromisoformat(request.args.get(name, ""))
    except ValueError:
        return default


@workshops_bp.get("/counts", endpoint="show_counts")
@requires("workshops.read")
def show_workshop_counts():
    last = _asked_date("last", today())
    first = _asked_date("first", last.replace(day=1))
    centres = visible_centres(current_user)
    centre_ids = {c.id for c in centres}
    asked = request.args.get("centre_id", type=int)
    if asked in centre_ids:
        centre_ids = {asked}
    scope = Scope(frozenset(centre_ids), first, last)
    return render_template(
        "workshops/show_counts.html",
        first=first,
        last=last,
        centres=centres,
        asked=asked,
        scope=scope,
        counts=figures("workshops", scope),
    )


@volunteers_bp.get("/report", endpoint="show_report")
@requires("volunteers.manage")
def show_volunteer_counts():
    form = PeriodForm(request.args)
    if not request.args:
        form.start.data = today().replace(day=1)
        form.end.data = today()
    counts = scope = None
    if not request.args or form.validate():
        scope = Scope(_visible_ids(), form.start.data, form.end.data)
        counts = figures("volunteers", scope)
    return render_template("volunteers/show_report.html", form=form, counts=counts, scope=scope)
