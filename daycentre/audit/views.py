import json
from datetime import timedelta

from flask import render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from daycentre.audit import bp, pseudonymised
from daycentre.audit import services as audit
from daycentre.audit.forms import AuditFilterForm, PseudonymisedExportForm
from daycentre.audit.labels import (
    describe_change,
    describe_value,
    entity_labels,
    field_labels,
    hidden_columns,
)
from daycentre.audit.models import AuditEntry
from daycentre.audit.services import ACTION_LABELS
from daycentre.audit.subject_access import subject_data, table_labels, volunteer_data
from daycentre.auth import scope
from daycentre.auth.models import User
from daycentre.auth.permissions import requires
from daycentre.centres.models import Centre
from daycentre.core.documents import XLSX, download
from daycentre.core.localtime import day_start, today
from daycentre.extensions import db
from daycentre.people.models import Person
from daycentre.volunteers.models import Volunteer

PAGE_SIZE = 100


@bp.get("/")
@requires("audit.read")
def list_entries():
    form = AuditFilterForm(request.args)
    users = db.session.scalars(db.select(User).order_by(User.username)).all()
    form.actor_id.choices = [(0, "—")] + [(u.id, f"{u.username} ({u.full_name})") for u in users]
    centres = db.session.scalars(db.select(Centre).order_by(Centre.name)).all()
    form.centre_id.choices = [(0, "—")] + [(c.id, c.name) for c in centres]

    query = db.select(AuditEntry).order_by(AuditEntry.at.desc(), AuditEntry.id.desc())
    if form.validate():
        if form.actor_id.data:
            query = query.where(AuditEntry.actor_id == form.actor_id.data)
        if form.centre_id.data:
            query = query.where(AuditEntry.centre_id == form.centre_id.data)
        if form.person_id.data:
            query = query.where(AuditEntry.person_id == form.person_id.data)
        if form.date_from.data:
            query = query.where(AuditEntry.at >= day_start(form.date_from.data))
        if form.date_to.data:
            query = query.where(AuditEntry.at < day_start(form.date_to.data + timedelta(days=1)))
    page = db.paginate(query, per_page=PAGE_SIZE, error_out=False)
    filters = {
        field.name: field.raw_data[0] for field in form if field.raw_data and field.raw_data[0]
    }
    return render_template(
        "audit/list_entries.html",
        form=form,
        page=page,
        filters=filters,
        action_labels=ACTION_LABELS,
        entity_labels=entity_labels(),
        field_labels=field_labels(),
        describe_change=describe_change,
    )


def _subject_access(subject, data: dict, *, filename, back_url, json_url, intro, **audited):
    """Audit the read, then answer with the readable page or the JSON file."""
    audit.record(
        audit.EXPORT,
        subject,
        actor=current_user,
        changes={"subject_access": request.args.get("format", "html")},
        **audited,
    )
    db.session.commit()
    if request.args.get("format") == "json":
        content = json.dumps(data, ensure_ascii=False, indent=2, default=str).encode()
        return download(content, "application/json", filename)
    return render_template(
        "audit/subject_access.html",
        name=subject.full_name,
        back_url=back_url,
        json_url=json_url,
        intro=intro,
        data=data,
        labels=table_labels([*data["tables"], *(e["record"] for e in data["audit_trail"])]),
        field_labels=field_labels(),
        hidden=hidden_columns(),
        describe_value=describe_value,
        action_labels=ACTION_LABELS,
    )


@bp.get("/people/<int:person_id>/access")
@requires("audit.read")
def subject_access(person_id: int):
    """Everything held about one person: a readable page, or JSON to hand over."""
    # Imported here: the audit area loads before the areas whose records it describes.
    person = scope.record_or_404(Person, person_id)
    return _subject_access(
        person,
        subject_data(person),
        filename=f"subject-access-{person.id}.json",
        back_url=url_for("people.show_person", person_id=person.id),
        json_url=url_for("audit.subject_access", person_id=person.id, format="json"),
        intro=_(
            "Everything the application holds about this person, record by record, and who read "
            "or changed it. Records of other family members are not included."
        ),
        person_id=person.id,
        centre_id=person.family.centre_id,
    )


@bp.get("/volunteers/<int:volunteer_id>/access")
@requires("audit.read")
def volunteer_access(volunteer_id: int):
    """Everything held about one volunteer: a readable page, or JSON to hand over."""
    volunteer = scope.record_or_404(Volunteer, volunteer_id)
    return _subject_access(
        volunteer,
        volunteer_data(volunteer),
        filename=f"subject-access-volunteer-{volunteer.id}.json",
        back_url=url_for("volunteers.show_volunteer", volunteer_id=volunteer.id),
        json_url=url_for("audit.volunteer_access", volunteer_id=volunteer.id, format="json"),
        intro=_(
            "Everything the application holds about this volunteer, record by record, and who "
            "read or changed it. Activities they signed up for are named by number only; other "
            "volunteers' records are not included."
        ),
        centre_id=volunteer.centre_id,
    )


@bp.route("/pseudonymised-export", methods=["GET", "POST"])
@requires("research.export")
def pseudonymised_export():
    """Every centre's register, attendance, services and cases for statistics and research,
    each person under a keyed pseudonym, without names, contacts or free text."""
    form = PseudonymisedExportForm()
    if not form.validate_on_submit():
        return render_template(
            "audit/pseudonymised_export.html", form=form, sheets=pseudonymised.sheets()
        )
    tables = pseudonymised.tables()
    kind = form.file_format.data
    audit.record(
        audit.EXPORT,
        entity="pseudonymised_export",
        actor=current_user,
        changes={"format": kind, "rows": {sheet.name: len(rows) for sheet, _h, rows in tables}},
    )
    db.session.commit()
    name = f"{_('Pseudonymised export')} {today().isoformat()}"
    if kind == "csv":
        return download(pseudonymised.csv_archive(tables), "application/zip", f"{name}.zip")
    return download(pseudonymised.workbook(tables), XLSX, f"{name}.xlsx")
