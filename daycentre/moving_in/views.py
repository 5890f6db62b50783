from flask import abort, current_app, flash, redirect, render_template, url_for
from flask_babel import force_locale, ngettext
from flask_babel import gettext as _
from flask_login import current_user

from daycentre.attendance.models import AttendanceStatus
from daycentre.audit import services as audit
from daycentre.auth import scope
from daycentre.auth.permissions import requires
from daycentre.centres.models import Centre
from daycentre.core.documents import XLSX, download, spreadsheet
from daycentre.core.errors import Refused
from daycentre.core.forms import run_service
from daycentre.extensions import db
from daycentre.moving_in import bp, rolls
from daycentre.moving_in import services as moving_in
from daycentre.moving_in.columns import ATTENDANCE, KINDS, columns_of
from daycentre.moving_in.forms import CancelForm, ConfirmForm, UndoForm, UploadForm, columns_form
from daycentre.moving_in.models import ImportBatch, ImportStatus


@bp.route(
    "/centres/<int:centre_id>/<any(beneficiaries,volunteers,attendance):kind>",
    methods=["GET", "POST"],
)
@requires("moving_in.import")
def start_import(centre_id: int, kind: str):
    """The upload form, the templates to fill in, and the centre's recent imports."""
    centre = scope.record_or_404(Centre, centre_id)
    form = UploadForm()
    if form.validate_on_submit():
        upload = form.spreadsheet.data
        batch = run_service(
            form,
            None,
            moving_in.read_upload,
            centre,
            kind=kind,
            file_name=upload.filename or "",
            # One byte past the limit is enough to refuse a file as too large.
            content=upload.read(current_app.config["IMPORT_MAX_BYTES"] + 1),
            actor=current_user,
        )
        if batch is not None:
            return redirect(url_for("moving_in.show_import", batch_id=batch.id))
    return render_template(
        "moving_in/start_import.html",
        centre=centre,
        kind=kind,
        kind_label=KINDS[kind],
        form=form,
        imports=moving_in.recent_imports(centre),
        undo_form=UndoForm(),
        can_undo=moving_in.can_undo,
        languages=("ro", "hu", "en"),
        letters=rolls.mark_letters() if kind == ATTENDANCE else "",
    )


@bp.get(
    "/centres/<int:centre_id>/<any(beneficiaries,volunteers,attendance):kind>"
    "/template-<any(ro,hu,en):language>.xlsx"
)
@requires("moving_in.import")
def export_template(centre_id: int, kind: str, language: str):
    """The columns in the chosen language, with one example row."""
    centre = scope.record_or_404(Centre, centre_id)
    if kind == ATTENDANCE:
        return _roll_template(centre, language)
    columns = list(columns_of(kind).values())
    with force_locale(language):
        headers = [str(column.label) for column in columns]
        title = str(KINDS[kind])
        example = [str(column.example) for column in columns]
    body = spreadsheet(title, headers, [example])
    return download(body, XLSX, f"{title}.xlsx")


ROLL_COLUMNS = ("family_name", "given_name", "birth_date", "cnp", "group")


def _roll_template(centre: Centre, language: str):
    """The month's roll to fill in: the centre's children enrolled this month, one column per
    day (a dash on the days without activity); one example row when no child is enrolled."""
    children, days = rolls.roll_to_fill_in(centre)
    columns = columns_of(ATTENDANCE)
    with force_locale(language):
        headers = [str(columns[key].label) for key in ROLL_COLUMNS] + [str(d.day) for d in days]
        title = str(KINDS[ATTENDANCE])
        present = str(AttendanceStatus.PRESENT.letter)
        closed = {
            group.id: rolls.closed_in_month(centre, group) for group in {g for _, g in children}
        }
        rows = [
            [person.family_name, person.given_name, person.birth_date, person.cnp or "", group.name]
            + ["–" if day in closed[group.id] else "" for day in days]
            for person, group in children
        ]
        if not rows:
            example = [str(columns[key].example) for key in ROLL_COLUMNS]
            rows = [example + [present if day.weekday() < 5 else "–" for day in days]]
        body = spreadsheet(title, headers, rows)
    if children:  # the roll names the centre's children: who took a copy stays in the trail
        audit.record(
            audit.EXPORT,
            centre,
            actor=current_user,
            centre_id=centre.id,
            changes={"format": "xlsx", "month": f"{days[0]:%Y-%m}", "rows": len(rows)},
        )
        db.session.commit()
    return download(body, XLSX, f"{title}.xlsx")


@bp.route("/imports/<int:batch_id>/columns", methods=["GET", "POST"])
@requires("moving_in.import")
def map_columns(batch_id: int):
    batch = scope.record_or_404(ImportBatch, batch_id)
    if batch.status is not ImportStatus.PREVIEWED:
        return redirect(url_for("moving_in.show_import", batch_id=batch.id))
    columns = columns_of(batch.kind)
    choices = [(key, str(column.label)) for key, column in columns.items()]
    form = columns_form(batch.headers, choices, moving_in.matched_columns(batch))
    if form.validate_on_submit():
        chosen = [form[f"column_{i}"].data or None for i in range(len(batch.headers))]
        if run_service(form, None, moving_in.remember_columns, batch, chosen, actor=current_user):
            return redirect(url_for("moving_in.show_import", batch_id=batch.id))
    return render_template(
        "moving_in/map_columns.html",
        batch=batch,
        form=form,
        fields=[form[f"column_{i}"] for i in range(len(batch.headers))],
        missing=moving_in.missing_columns(batch),
    )


@bp.get("/imports/<int:batch_id>")
@requires("moving_in.import")
def show_import(batch_id: int):
    """Each row as it will be stored, with every problem on its row and column."""
    batch = scope.record_or_404(ImportBatch, batch_id)
    if batch.status is ImportStatus.PREVIEWED and moving_in.missing_columns(batch):
        return redirect(url_for("moving_in.map_columns", batch_id=batch.id))
    rows = moving_in.check_rows(batch, actor=current_user)
    matched = moving_in.matched_columns(batch) if batch.headers else []
    header_of = {
        key: header for header, key in zip(batch.headers or [], matched, strict=False) if key
    }
    columns = columns_of(batch.kind)
    # The file's columns that hold something, or that a problem is about.
    used = {key for row in rows for key in row.values} | {
        problem.column for row in rows for problem in row.problems
    }
    if batch.kind == ATTENDANCE:  # the roll's days in the file's order
        shown = [key for key in header_of if key in used]
    else:
        shown = [key for key in columns if key in header_of and key in used]
    return render_template(
        "moving_in/preview_import.html",
        batch=batch,
        rows=rows,
        shown=shown,
        columns=columns,
        header_of=header_of,
        accepted=sum(1 for row in rows if row.accepted),
        confirm_form=ConfirmForm(),
        cancel_form=CancelForm(),
        undo_form=UndoForm(),
        can_undo=moving_in.can_undo(batch) if batch.imported_at else False,
        unknown=moving_in.unknown_headers(batch) if batch.headers else [],
    )


@bp.post("/imports/<int:batch_id>/confirm")
@requires("moving_in.import")
def confirm_import(batch_id: int):
    batch = scope.record_or_404(ImportBatch, batch_id)
    form = ConfirmForm()
    if form.validate_on_submit():
        count = run_service(form, None, moving_in.confirm_import, batch, actor=current_user)
        if count is not None:
            flash(
                ngettext("%(num)d row was imported.", "%(num)d rows were imported.", count),
                "success",
            )
            return redirect(
                url_for("moving_in.start_import", centre_id=batch.centre_id, kind=batch.kind)
            )
    return redirect(url_for("moving_in.show_import", batch_id=batch.id))


@bp.post("/imports/<int:batch_id>/cancel")
@requires("moving_in.import")
def cancel_import(batch_id: int):
    batch = scope.record_or_404(ImportBatch, batch_id)
    form = CancelForm()
    if form.validate_on_submit() and run_service(
        form, None, moving_in.cancel_import, batch, actor=current_user
    ):
        flash(_("The import was cancelled; nothing was saved."), "info")
    return redirect(url_for("moving_in.start_import", centre_id=batch.centre_id, kind=batch.kind))


@bp.post("/imports/<int:batch_id>/undo")
@requires("moving_in.import")
def undo_import(batch_id: int):
    batch = scope.record_or_404(ImportBatch, batch_id)
    form = UndoForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        moving_in.undo_import(batch, actor=current_user)
    except Refused as refusal:
        db.session.rollback()
        flash(refusal.message, "error")
    else:
        db.session.commit()
        flash(_("The import was undone: the records it created were removed."), "success")
    return redirect(url_for("moving_in.start_import", centre_id=batch.centre_id, kind=batch.kind))
