from dataclasses import dataclass
from datetime import date

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from daycentre.audit import services as audit
from daycentre.auth import scope as rows
from daycentre.auth.permissions import requires
from daycentre.centres.models import Centre
from daycentre.centres.services import visible_centres
from daycentre.core import submissions
from daycentre.core.documents import (
    PDF,
    XLSX,
    download,
    render_pdf,
    spreadsheet,
    spreadsheet_book,
)
from daycentre.core.errors import Refused
from daycentre.core.forms import Form, run_service, service_done
from daycentre.core.i18n import current_language
from daycentre.core.localtime import today
from daycentre.extensions import db
from daycentre.reports import bp, quarterly
from daycentre.reports import services as plans
from daycentre.reports.forms import (
    ActivityForm,
    IndicatorForm,
    ObjectiveForm,
    PeriodForm,
    PlanForm,
    QuarterForm,
    ReportForm,
)
from daycentre.reports.links import linked
from daycentre.reports.measures import MEASURES, Scope, indicators, pending
from daycentre.reports.models import (
    DevelopmentPlan,
    PlanActivity,
    PlanIndicator,
    PlanObjective,
)
from daycentre.reports.quarterly import Quarter

LISTED = sorted(key for key, m in MEASURES.items() if m.lists_records)
LANGUAGES = ("ro", "hu")
RECORDS_PER_PAGE = 100


@dataclass(frozen=True)
class Part:
    """A piece of the plan edited on its own page: what it is, its form, its services."""

    model: type
    form: type
    parent: type | None
    add: object
    update: object
    delete: object
    label: object
    fields: tuple


PARTS = {
    "objectives": Part(
        PlanObjective,
        ObjectiveForm,
        DevelopmentPlan,
        plans.add_objective,
        plans.update_objective,
        plans.delete_objective,
        _l("Strategic objective"),
        ("title",),
    ),
    "activities": Part(
        PlanActivity,
        ActivityForm,
        PlanObjective,
        plans.add_activity,
        plans.update_activity,
        plans.delete_activity,
        _l("Activity"),
        ("description", "responsible"),
    ),
    "indicators": Part(
        PlanIndicator,
        IndicatorForm,
        PlanActivity,
        plans.add_indicator,
        plans.update_indicator,
        plans.delete_indicator,
        _l("Indicator"),
        ("wording", "measure", "target"),
    ),
}
PART_SLUGS = "any(" + ", ".join(PARTS) + ")"


def _plan_of(record) -> DevelopmentPlan:
    while not isinstance(record, DevelopmentPlan):
        record = (
            record.plan
            if isinstance(record, PlanObjective)
            else (record.objective if isinstance(record, PlanActivity) else record.activity)
        )
    return record


# ---- The plan editor (admin) ------------------------------------------------------------------


@bp.get("/plans/")
@requires("plans.manage")
def list_plans():
    return render_template("reports/list_plans.html", plans=plans.plans())


@bp.route("/plans/new", methods=["GET", "POST"])
@requires("plans.manage")
def create_plan():
    form = PlanForm()
    if not form.is_submitted():
        form.year.data = today().year
    if form.validate_on_submit():
        plan = run_service(
            form,
            None,
            plans.create_plan,
            actor=current_user,
            year=form.year.data,
            title=form.title.data,
            general_objective=form.general_objective.data or None,
        )
        if plan:
            flash(_("Saved."), "success")
            return redirect(url_for("reports.edit_plan", plan_id=plan.id))
    return render_template("reports/create_plan.html", form=form)


@bp.route("/plans/<int:plan_id>", methods=["GET", "POST"])
@requires("plans.manage")
def edit_plan(plan_id: int):
    plan = db.get_or_404(DevelopmentPlan, plan_id)
    form = PlanForm(obj=plan)
    if form.validate_on_submit():
        saved = run_service(
            form,
            plan,
            plans.update_plan,
            plan,
            actor=current_user,
            version=form.version.data,
            year=form.year.data,
            title=form.title.data,
            general_objective=form.general_objective.data or None,
        )
        if saved:
            flash(_("Saved."), "success")
            return redirect(url_for("reports.edit_plan", plan_id=plan.id))
    return render_template(
        "reports/edit_plan.html",
        plan=plan,
        form=form,
        measures=MEASURES,
    )


@bp.route(f"/plans/<{PART_SLUGS}:slug>/new/<int:parent_id>", methods=["GET", "POST"])
@requires("plans.manage")
def add_part(slug: str, parent_id: int):
    part = PARTS[slug]
    parent = db.get_or_404(part.parent, parent_id)
    form = part.form()
    if form.validate_on_submit():
        fields = {name: form[name].data for name in part.fields}
        page = url_for("reports.edit_plan", plan_id=_plan_of(parent).id)
        if run_service(
            form,
            None,
            submissions.once(form, part.add, lambda _: page),
            parent,
            actor=current_user,
            **fields,
        ):
            flash(_("Saved."), "success")
            return redirect(url_for("reports.edit_plan", plan_id=_plan_of(parent).id))
    return render_template(
        "reports/edit_part.html", part=part, form=form, plan=_plan_of(parent), record=None
    )


@bp.route(f"/plans/<{PART_SLUGS}:slug>/<int:part_id>/edit", methods=["GET", "POST"])
@requires("plans.manage")
def edit_part(slug: str, part_id: int):
    part = PARTS[slug]
    record = db.get_or_404(part.model, part_id)
    form = part.form(obj=record)
    if form.validate_on_submit():
        fields = {name: form[name].data for name in part.fields}
        if run_service(form, record, part.update, record, actor=current_user, **fields):
            flash(_("Saved."), "success")
            return redirect(url_for("reports.edit_plan", plan_id=_plan_of(record).id))
    return render_template(
        "reports/edit_part.html",
        part=part,
        form=form,
        plan=_plan_of(record),
        record=record,
        slug=slug,
    )


@bp.post(f"/plans/<{PART_SLUGS}:slug>/<int:part_id>/delete")
@requires("plans.manage")
def delete_part(slug: str, part_id: int):
    part = PARTS[slug]
    record = db.get_or_404(part.model, part_id)
    plan_id = _plan_of(record).id
    if Form().validate_on_submit() and service_done(
        None, None, part.delete, record, actor=current_user
    ):
        flash(_("Deleted."), "success")
    return redirect(url_for("reports.edit_plan", plan_id=plan_id))


# ---- Indicators for a period and a set of centres -----------------------------------------------


def _period_form() -> tuple[PeriodForm, Scope | None, list[Centre]]:
    centres = visible_centres(current_user)
    year = today().year
    if request.args:
        # Another centre's id is dropped quietly: its existence is not disclosed.
        args = request.args.copy()
        visible_ids = {str(c.id) for c in centres}
        args.setlist("centres", [v for v in args.getlist("centres") if v in visible_ids])
        form = PeriodForm(formdata=args)
    else:
        form = PeriodForm(
            formdata=None,
            start=date(year, 1, 1),
            end=date(year, 12, 31),
            centres=[c.id for c in centres],
            directorate=current_user.is_admin,
        )
    form.centres.choices = [(c.id, c.name) for c in centres]
    if not current_user.is_admin:
        del form.directorate
    if request.args and not form.validate():
        return form, None, centres
    visible = {c.id for c in centres}
    chosen = (set(form.centres.data or ()) & visible) or visible
    directorate = current_user.is_admin and bool(form.directorate.data)
    return form, Scope(frozenset(chosen), form.start.data, form.end.data, directorate), centres


@bp.get("/")
@requires("reports.read")
def show_indicators():
    """The plan's indicators for the period: target, actual and a bar; then every other measure."""
    form, scope, _centres = _period_form()
    plan = results = others = None
    if scope is not None:
        plan = plans.plan_for(scope.start.year)
        results = plans.plan_results(plan, scope) if plan else []
        bound = {result.measure.key for result in results}
        others = [
            plans.Result(measure, None, measure.value(scope))
            for measure in indicators()
            if measure.key not in bound
        ]
    return render_template(
        "reports/show_indicators.html",
        form=form,
        scope=scope,
        plan=plan,
        results=results,
        others=others,
        pending=pending(),
        period_args=scope.args if scope else {},
    )


@bp.get(f"/measures/<any({', '.join(LISTED)}):key>")
@requires("reports.read")
def list_records(key: str):
    """The records behind one number, in the user's centres only."""
    measure = MEASURES[key]
    form, scope, _centres = _period_form()
    if scope is None:
        abort(400)
    page = request.args.get("page", 1, type=int)
    listing = measure.listing(scope, max(page, 1), RECORDS_PER_PAGE)
    if listing.page > listing.pages:
        abort(404)
    return render_template(
        "reports/list_records.html",
        measure=measure,
        scope=scope,
        listing=listing,
        value=listing.value,
        records=linked(listing.records, current_user),
        totals=listing.totals,
        parts=measure.parts(scope) if measure.parts else None,
        period_args=scope.args,
    )


# ---- The yearly activity report of a centre -----------------------------------------------------


def _report_context(centre_id: int, year: int):
    centre = rows.record_or_404(Centre, centre_id)
    plan = plans.plan_for(year)
    if plan is None:
        abort(404)
    scope = plans.year_scope(year, {centre.id})
    return centre, plan, scope


@bp.get("/activity/")
@requires("reports.read")
def list_reports():
    return render_template(
        "reports/list_reports.html", centres=visible_centres(current_user), plans=plans.plans()
    )


@bp.route("/activity/<int:centre_id>/<int:year>", methods=["GET", "POST"])
@requires("reports.comment")
def edit_report(centre_id: int, year: int):
    centre, plan, scope = _report_context(centre_id, year)
    report = plans.report_for(centre, plan)
    form = ReportForm(obj=report)
    if form.validate_on_submit():
        comments = {}
        for indicator in plan.indicators:
            text = request.form.get(f"comment-{indicator.id}", "").replace("\x00", "")
            if len(text) > 5000:
                flash(_("A commentary can be at most 5000 characters long."), "error")
                break
            comments[indicator.id] = text
        else:
            saved = run_service(
                form,
                report,
                plans.save_report,
                centre,
                plan,
                actor=current_user,
                version=form.version.data,
                introduction=form.introduction.data,
                conclusions=form.conclusions.data,
                comments=comments,
            )
            if saved:
                flash(_("Saved."), "success")
                return redirect(url_for("reports.edit_report", centre_id=centre.id, year=year))
    return render_template(
        "reports/edit_report.html",
        centre=centre,
        plan=plan,
        report=report,
        form=form,
        results=plans.plan_results(plan, scope),
        registers=plans.register_figures(scope),
        scope=scope,
        languages=LANGUAGES,
    )


@bp.get("/activity/<int:centre_id>/<int:year>/report.<any(pdf, xlsx):fmt>")
@requires("reports.read")
def export_report(centre_id: int, year: int, fmt: str):
    """The activity report as PDF or spreadsheet, in Romanian or Hungarian."""
    centre, plan, scope = _report_context(centre_id, year)
    language = request.args.get("language", current_language())
    if language not in LANGUAGES:
        abort(400)
    report = plans.report_for(centre, plan)
    results = plans.plan_results(plan, scope)
    with force_locale(language):
        title = _("Activity report %(year)s", year=year)
        filename = f"{title} – {centre.name}.{fmt}"
        if fmt == "pdf":
            content = render_pdf(
                "reports/report_pdf.html",
                language=language,
                centre=centre,
                plan=plan,
                report=report,
                results=results,
                registers=plans.register_figures(scope),
                year=year,
            )
            return _audited_export(download(content, PDF, filename), plan, centre, fmt, language)
        headers = [
            _("Strategic objective"),
            _("Indicator"),
            _("Target"),
            _("Actual"),
            _("Commentary"),
        ]
        rows = [
            [
                result.indicator.activity.objective.title,
                result.indicator.wording,
                result.target,
                result.actual if result.actual is not None else _("pending"),
                report.comment_on(result.indicator.id) if report else "",
            ]
            for result in results
        ]
        rows += [
            [
                _("Registers, surveys and the children's programme"),
                str(measure.label),
                None,
                value,
                "",
            ]
            for measure, value in plans.register_figures(scope)
        ]
        content = spreadsheet(title, headers, rows)
        return _audited_export(download(content, XLSX, filename), plan, centre, fmt, language)


def _audited_export(response, plan, centre, fmt: str, language: str):
    """Each copy of the report taken is an export in the trail, as every other download."""
    audit.record(
        audit.EXPORT,
        plan,
        actor=current_user,
        centre_id=centre.id,
        changes={"document": "activity report", "format": fmt, "language": language},
    )
    db.session.commit()
    return response


# ---- The quarterly statistical report ---------------------------------------------------------


def _quarter_asked():
    """The quarter and the centres asked for (by default the last quarter ended and every centre
    the user sees); an error message instead of a report for a quarter in the future."""
    centres = visible_centres(current_user)
    if request.args:
        form = QuarterForm(request.args, centres=centres)
    else:
        last = Quarter.last_ended(today())
        form = QuarterForm(
            formdata=None,
            centres=centres,
            year=last.year,
            quarter=last.number,
            centre_id=centres[0].id if len(centres) == 1 else 0,
        )
    if request.args and not form.validate():
        return form, None, []
    quarter = Quarter(form.year.data, form.quarter.data)
    try:
        quarterly.refuse_future(quarter)
    except Refused as refusal:
        form.quarter.errors = [*form.quarter.errors, str(refusal.message)]
        return form, None, []
    chosen = [c for c in centres if c.id == form.centre_id.data] or centres
    return form, quarter, chosen


def _quarter_args(quarter: Quarter, centres: list[Centre]) -> dict:
    centre_id = centres[0].id if len(centres) == 1 else 0
    return {"year": quarter.year, "quarter": quarter.number, "centre_id": centre_id}


@bp.get("/quarterly/")
@requires("quarterly.read")
def show_quarterly():
    form, quarter, centres = _quarter_asked()
    report = quarterly.report_of(centres, quarter) if quarter else None
    single = centres[0] if len(centres) == 1 else None
    return render_template(
        "reports/show_quarterly.html",
        form=form,
        report=report,
        tables=quarterly.TABLES,
        differences=quarterly.differences(report) if report else [],
        single=single,
        args=_quarter_args(quarter, centres) if quarter else {},
        may_submit=bool(
            single
            and report.submitted is None
            and current_user.can("quarterly.submit")
            and quarter.end < today()
        )
        if report
        else False,
        button_form=Form(),
        languages=LANGUAGES,
    )


@bp.get("/quarterly/records")
@requires("quarterly.read")
def list_quarterly_records():
    """The records behind one figure of the quarterly report (as submitted, if it was)."""
    form, quarter, centres = _quarter_asked()
    table = quarterly.TABLES_BY_KEY.get(request.args.get("table", ""))
    if quarter is None or table is None:
        abort(404)
    row, column = request.args.get("row", ""), request.args.get("col", "")
    if row not in dict(table.all_rows) or column not in dict(table.all_columns):
        abort(404)
    report = quarterly.report_of(centres, quarter)
    records = quarterly.named_records(report.entries(table.key, row, column), current_user)
    row_label, column_label = table.label_of(row, column)
    return render_template(
        "reports/list_quarterly_records.html",
        report=report,
        table=table,
        row_label=row_label,
        column_label=column_label,
        records=records,
        args=_quarter_args(quarter, centres),
    )


@bp.post("/quarterly/<int:centre_id>/<int:year>/<int:number>/submit")
@requires("quarterly.submit")
def submit_quarterly(centre_id: int, year: int, number: int):
    centre = rows.record_or_404(Centre, centre_id)
    if number not in (1, 2, 3, 4):
        abort(404)
    quarter = Quarter(year, number)
    if Form().validate_on_submit() and service_done(
        None, None, quarterly.submit_report, centre, quarter, actor=current_user
    ):
        flash(_("The report was submitted; its figures are kept as they are now."), "success")
    return redirect(
        url_for("reports.show_quarterly", year=year, quarter=number, centre_id=centre.id)
    )


@bp.get("/quarterly/report.<any(pdf, xlsx):fmt>")
@requires("quarterly.read")
def export_quarterly(fmt: str):
    """The quarterly report as PDF or as a workbook (one sheet per table), in Romanian or
    Hungarian."""
    form, quarter, centres = _quarter_asked()
    if quarter is None:
        abort(404)
    language = request.args.get("language", current_language())
    if language not in LANGUAGES:
        abort(400)
    report = quarterly.report_of(centres, quarter)
    with force_locale(language):
        title = _("Quarterly statistical report %(quarter)s", quarter=quarter.slug)
        place = centres[0].name if len(centres) == 1 else _("All my centres")
        filename = f"{title} – {place}.{fmt}"
        if fmt == "pdf":
            content = render_pdf(
                "reports/quarterly_pdf.html",
                language=language,
                report=report,
                tables=quarterly.TABLES,
                title=title,
            )
            response = download(content, PDF, filename)
        else:
            response = download(_quarterly_book(report), XLSX, filename)
    audit.record(
        audit.EXPORT,
        report.submitted,
        entity=None if report.submitted else "quarterly_report",
        actor=current_user,
        centre_id=centres[0].id if len(centres) == 1 else None,
        changes={
            "document": "quarterly report",
            "quarter": quarter.slug,
            "centres": sorted(c.id for c in centres),
            "format": fmt,
            "language": language,
        },
    )
    db.session.commit()
    return response


def _quarterly_book(report: quarterly.Report) -> bytes:
    """The service's sheet, then one sheet per table: its rows, a column per column."""
    service = (
        _("Service"),
        [_("Centre"), _("Service code"), _("Provider type")],
        [[centre.name, *map(str, report.service_of(centre))] for centre in report.centres],
    )
    sheets = [service]
    for table in quarterly.TABLES:
        headers = [""] + [str(label) for _key, label in table.all_columns]
        lines = [
            [str(row_label)]
            + [report.value(table.key, row, column) for column, _label in table.all_columns]
            for row, row_label in table.all_rows
        ]
        sheets.append((str(table.title), headers, lines))
    return spreadsheet_book(sheets)
