from datetime import date, timedelta

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user
from sqlalchemy.orm import joinedload

from daycentre.attendance import bp
from daycentre.attendance import services as attendance
from daycentre.attendance.exports import sheet_rows, sheet_title
from daycentre.attendance.forms import AlertRuleForm, RollForm, read_marks, read_seen
from daycentre.attendance.models import AttendanceStatus
from daycentre.attendance.months import month_label, month_or_404, previous_and_next_month
from daycentre.attendance.roll_page import roll_page, show_in_form
from daycentre.audit import services as audit
from daycentre.auth import scope
from daycentre.auth.permissions import requires
from daycentre.centres.models import Centre, Group
from daycentre.centres.services import visible_centres
from daycentre.core.documents import (
    PDF,
    XLSX,
    download,
    lay_out_pdf,
    layout_fingerprint,
    pdf_html,
    spreadsheet,
)
from daycentre.core.errors import Refused
from daycentre.core.forms import run_service
from daycentre.core.i18n import current_language
from daycentre.core.localtime import today
from daycentre.extensions import db


def _day_or_404() -> date:
    raw = request.args.get("day")
    if not raw:
        return today()
    try:
        return date.fromisoformat(raw)
    except ValueError:
        abort(404)


@bp.context_processor
def _month_names():
    return {"month_label": month_label}


@bp.get("/")
@requires("attendance.read")
def list_groups():
    """The groups of the user's centres, each with today's roll and this month's sheet."""
    centres = visible_centres(current_user)
    return render_template("attendance/list_groups.html", centres=centres, today=today())


def _render_roll(
    group_id: int, day: date, form: RollForm | None = None, sent=None, status=200, conflicts=()
):
    """The roll page (404 for a group the user may not see); ``form`` is the one sent back (a
    GET writes RollForm's fields itself)."""
    group, roll = roll_page(group_id, day, current_user)
    # After conflicts the page holds the stored roll's version; after a refusal, the version the
    # page was loaded with, so that saving again is merged child by child.
    sent_version = form.version.data if form is not None and not conflicts else None
    version = roll.version if sent_version is None else sent_version
    editable = (
        not roll.closed_because
        and current_user.can("attendance.record")
        and attendance.may_record(current_user, day)
    )
    if editable:
        show_in_form(roll, sent)
    now = today()
    return (
        render_template(
            "attendance/take_roll.html",
            group=group,
            roll=roll,
            day=day,
            version=version,
            sent=sent,
            conflicts={conflict.person.id: conflict for conflict in conflicts},
            statuses=list(AttendanceStatus),
            choices=_status_choices(),
            editable=editable,
            correction_days=attendance.correction_days(),
            today=now,
            previous_day=day - timedelta(days=1),
            next_day=day + timedelta(days=1) if day < now else None,
        ),
        status,
    )


# The marks' labels in each language, translated once per process (every child's row shows them).
_STATUS_CHOICES: dict[str, list[tuple[str, str]]] = {}


def _status_choices() -> list[tuple[str, str]]:
    language = current_language()
    found = _STATUS_CHOICES.get(language)
    if found is None:
        found = _STATUS_CHOICES[language] = [
            (value, str(label)) for value, label in AttendanceStatus.choices()
        ]
    return found


@bp.get("/groups/<int:group_id>/roll")
@requires("attendance.read")
def take_roll(group_id: int):
    """The day's roll: every child on one screen, present by default until the roll is saved."""
    day = _day_or_404()
    if day > today():
        scope.record_or_404(Group, group_id)
        flash(_("The roll cannot be taken for a future day."), "error")
        return redirect(url_for("attendance.take_roll", group_id=group_id))
    return _render_roll(group_id, day)


@bp.post("/groups/<int:group_id>/roll")
@requires("attendance.record")
def save_roll(group_id: int):
    group = scope.record_or_404(Group, group_id, options=(joinedload(Group.centre),))
    day = _day_or_404()
    form = RollForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        marks, meals = read_marks(request.form)
        seen, keep_theirs = read_seen(request.form)
    except Refused as refusal:
        flash(refusal.message, "error")
        return _render_roll(group_id, day, form, sent=request.form)
    done = run_service(
        form,
        group,
        attendance.record_roll,
        group,
        day,
        marks,
        meals,
        actor=current_user,
        version=form.version.data,
        seen=seen,
        keep_theirs=keep_theirs,
    )
    if done is None and form.busy:
        # The page comes back with what was sent, read without queueing for the write lock.
        db.session.connection(execution_options={"isolation_level": "AUTOCOMMIT"})
        return _render_roll(group_id, day, form, sent=request.form, status=503)
    if done is None:
        return _render_roll(group_id, day, form, sent=request.form)
    if done.conflicts:
        flash(
            ngettext(
                "Someone else changed %(num)d child's mark after you opened the roll; the other "
                "children were saved. Choose which mark to keep, then save again.",
                "Someone else changed %(num)d children's marks after you opened the roll; the "
                "other children were saved. Choose which mark to keep for each, then save again.",
                len(done.conflicts),
            ),
            "error",
        )
        return _render_roll(group_id, day, form, sent=request.form, conflicts=done.conflicts)
    absent = sum(1 for mark in marks.values() if mark.status.is_absence)
    flash(
        _(
            "The roll was saved: %(present)s, %(absent)s.",
            present=ngettext("%(num)d present", "%(num)d present", len(marks) - absent),
            absent=ngettext("%(num)d absent", "%(num)d absent", absent),
        ),
        "success",
    )
    return redirect(url_for("attendance.take_roll", group_id=group_id, day=day.isoformat()))


@bp.get("/groups/<int:group_id>/sheet")
@requires("attendance.read")
def show_sheet(group_id: int):
    group = scope.record_or_404(Group, group_id, options=(joinedload(Group.centre),))
    year, month = month_or_404()
    before, after = previous_and_next_month(year, month)
    return render_template(
        "attendance/show_sheet.html",
        group=group,
        sheet=attendance.monthly_sheet(group, year, month),
        statuses=list(AttendanceStatus),
        month=f"{year:04d}-{month:02d}",
        previous_month=before,
        next_month=after,
    )


@bp.get("/groups/<int:group_id>/sheet.<any(pdf, xlsx):kind>")
@requires("attendance.read")
def export_sheet(group_id: int, kind: str):
    group = scope.record_or_404(Group, group_id, options=(joinedload(Group.centre),))
    year, month = month_or_404()
    sheet = attendance.monthly_sheet(group, year, month)
    title = sheet_title(sheet)
    filename = f"{title}.{kind}"
    if kind == "pdf":
        html = pdf_html(
            "attendance/sheet_pdf.html",
            language=current_language(),
            sheet=sheet,
            title=title,
            statuses=list(AttendanceStatus),
        )
        body = attendance.kept_sheet_pdf(html, layout_fingerprint(), lay_out_pdf)
        mimetype = PDF
    else:
        headers, rows = sheet_rows(sheet)
        body, mimetype = spreadsheet(_("Attendance sheet"), headers, rows), XLSX
    # The sheet names every child of the group: who took a copy stays in the trail. Written once
    # the file is made, so that the commit does not send the sheet's records back to the database.
    audit.record(
        audit.EXPORT,
        group,
        actor=current_user,
        centre_id=group.centre_id,
        changes={"format": kind, "month": f"{year}-{month:02d}", "rows": len(sheet.rows)},
    )
    db.session.commit()
    return download(body, mimetype, filename)


@bp.route("/centres/<int:centre_id>/alerts", methods=["GET", "POST"])
@requires("attendance.record")
def edit_alert_rule(centre_id: int):
    """The thresholds of the absence alerts on the home page, per centre."""
    centre = scope.record_or_404(Centre, centre_id)
    rule = attendance.alert_rule(centre.id)
    form = AlertRuleForm(obj=rule if request.method == "GET" else None)
    if request.method == "GET":
        form.version.data = rule.version or 0
        form.absence_cutoff.data = centre.absence_cutoff
    if form.validate_on_submit():
        saved = run_service(
            form,
            rule if rule.id else None,
            attendance.save_alert_rule,
            centre,
            actor=current_user,
            version=form.version.data if rule.id else None,
            consecutive_unexcused=form.consecutive_unexcused.data,
            unexcused_percent=form.unexcused_percent.data,
            absence_cutoff=form.absence_cutoff.data,
        )
        if saved is not None:
            flash(_("The alert thresholds were saved."), "success")
            return redirect(url_for("attendance.list_groups"))
    return render_template("attendance/edit_alert_rule.html", centre=centre, form=form)
