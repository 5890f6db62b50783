from datetime import date

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from daycentre.attendance import services as roll
from daycentre.attendance.months import month_label, month_or_404, previous_and_next_month
from daycentre.audit import services as audit
from daycentre.auth import scope
from daycentre.auth.permissions import requires
from daycentre.centres.models import Centre
from daycentre.core.documents import PDF, XLSX, download, render_pdf, spreadsheet
from daycentre.core.forms import run_service
from daycentre.core.i18n import current_language
from daycentre.core.localtime import today
from daycentre.extensions import db
from daycentre.meals import bp
from daycentre.meals import services as meals
from daycentre.meals.exports import report_rows, report_title
from daycentre.meals.forms import AllowanceForm, MealTypeForm, MenuForm
from daycentre.meals.models import MealType


@bp.context_processor
def _month_names():
    return {"month_label": month_label}


@bp.route("/centres/<int:centre_id>/types", methods=["GET", "POST"])
@requires("meals.manage")
def list_meal_types(centre_id: int):
    centre = scope.record_or_404(Centre, centre_id)
    form = MealTypeForm()
    if form.validate_on_submit():
        saved = run_service(
            form,
            None,
            meals.save_meal_type,
            None,
            centre=centre,
            actor=current_user,
            name=form.name.data,
            position=form.position.data,
            active=form.active.data,
        )
        if saved is not None:
            flash(_("The meal type was saved."), "success")
            return redirect(url_for("meals.list_meal_types", centre_id=centre.id))
    return render_template(
        "meals/list_meal_types.html",
        centre=centre,
        form=form,
        meal_types=roll.meal_types_of(centre.id, include_inactive=True),
    )


@bp.route("/types/<int:meal_type_id>/edit", methods=["GET", "POST"])
@requires("meals.manage")
def edit_meal_type(meal_type_id: int):
    meal_type = scope.record_or_404(MealType, meal_type_id)
    form = MealTypeForm(obj=meal_type)
    if form.validate_on_submit():
        saved = run_service(
            form,
            meal_type,
            meals.save_meal_type,
            meal_type,
            centre=meal_type.centre,
            actor=current_user,
            version=form.version.data,
            name=form.name.data,
            position=form.position.data,
            active=form.active.data,
        )
        if saved is not None:
            flash(_("The meal type was saved."), "success")
            return redirect(url_for("meals.list_meal_types", centre_id=meal_type.centre_id))
    return render_template(
        "meals/edit_meal_type.html", centre=meal_type.centre, form=form, meal_type=meal_type
    )


def _day_or_404() -> date:
    raw = request.args.get("day")
    try:
        return date.fromisoformat(raw) if raw else today()
    except ValueError:
        abort(404)


@bp.route("/centres/<int:centre_id>/menus", methods=["GET", "POST"])
@requires("meals.manage")
def edit_menus(centre_id: int):
    """The day's menu, one form per meal type, each with its allergens."""
    centre = scope.record_or_404(Centre, centre_id)
    day = _day_or_404()
    meal_types = roll.meal_types_of(centre.id)
    menus = roll.menus_of(centre.id, day)
    forms = {}
    for meal_type in meal_types:
        menu = menus.get(meal_type.id)
        form = MenuForm(formdata=None, obj=menu, prefix=f"m{meal_type.id}")
        form.meal_type_id.data = meal_type.id
        form.version.data = menu.version if menu else 0
        forms[meal_type.id] = form
    if request.method == "POST":
        sent = next((m for m in meal_types if f"m{m.id}-dishes" in request.form), None)
        if sent is None:
            abort(400)
        form = MenuForm(prefix=f"m{sent.id}")
        forms[sent.id] = form
        if form.validate_on_submit():
            menu = menus.get(sent.id)
            saved = run_service(
                form,
                menu,
                meals.save_menu,
                centre,
                sent,
                day,
                actor=current_user,
                version=form.version.data if menu else None,
                dishes=form.dishes.data,
                allergens=form.allergens.data,
            )
            if saved is not None:
                flash(_("The menu was saved."), "success")
                return redirect(url_for("meals.edit_menus", centre_id=centre.id, day=day))
    return render_template(
        "meals/edit_menus.html", centre=centre, day=day, meal_types=meal_types, forms=forms
    )


@bp.get("/centres/<int:centre_id>/report")
@requires("meals.read")
def show_report(centre_id: int):
    centre = scope.record_or_404(Centre, centre_id)
    year, month = month_or_404()
    before, after = previous_and_next_month(year, month)
    return render_template(
        "meals/show_report.html",
        centre=centre,
        report=meals.meal_report(centre, year, month),
        month=f"{year:04d}-{month:02d}",
        previous_month=before,
        next_month=after,
    )


@bp.get("/centres/<int:centre_id>/report.<any(pdf, xlsx):kind>")
@requires("meals.read")
def export_report(centre_id: int, kind: str):
    centre = scope.record_or_404(Centre, centre_id)
    year, month = month_or_404()
    report = meals.meal_report(centre, year, month)
    title = report_title(report)
    if kind == "pdf":
        body, mimetype = (
            render_pdf(
                "meals/report_pdf.html", language=current_language(), report=report, title=title
            ),
            PDF,
        )
    else:
        headers, rows = report_rows(report)
        body, mimetype = spreadsheet(_("Meal report"), headers, rows), XLSX
    # The report names every child fed that month: who took a copy stays in the trail (written
    # once the file is made, so that the commit does not send the records back to the database).
    audit.record(
        audit.EXPORT,
        centre,
        actor=current_user,
        centre_id=centre.id,
        changes={"format": kind, "month": f"{year}-{month:02d}", "rows": len(report.rows)},
    )
    db.session.commit()
    return download(body, mimetype, f"{title}.{kind}")


@bp.route("/allowances", methods=["GET", "POST"])
@requires("rates.manage")
def list_allowances():
    """The food allowance per child per day over time, as the law changes it."""
    form = AllowanceForm()
    if form.validate_on_submit():
        saved = run_service(
            form,
            None,
            meals.set_allowance,
            actor=current_user,
            valid_from=form.valid_from.data,
            amount=form.amount.data,
            legal_basis=form.legal_basis.data,
        )
        if saved is not None:
            flash(_("The food allowance was saved."), "success")
            return redirect(url_for("meals.list_allowances"))
    return render_template("meals/list_allowances.html", form=form, rates=meals.allowances())
