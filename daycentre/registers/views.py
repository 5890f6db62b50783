from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from daycentre.auth import scope
from daycentre.auth.models import User
from daycentre.auth.permissions import requires
from daycentre.centres.models import Centre
from daycentre.centres.services import visible_centres
from daycentre.core import submissions
from daycentre.core.documents import XLSX, download, spreadsheet
from daycentre.core.forms import run_service
from daycentre.core.localtime import BUCHAREST, local_instant, now, today
from daycentre.extensions import db
from daycentre.people.models import Person
from daycentre.registers import bp
from daycentre.registers import services as registers
from daycentre.registers.forms import AnswerForm, ComplaintForm, IncidentForm
from daycentre.registers.models import Complaint, Incident


def _year() -> int | None:
    value = request.args.get("year", "")
    return int(value) if value.isdecimal() and 1900 <= int(value) <= 2200 else None


def _centres_kept():
    """The centres whose registers the user keeps (records new complaints and incidents in)."""
    if not current_user.can("registers.manage"):
        return []
    return visible_centres(current_user)


# --- Complaints ---------------------------------------------------------------------------------


@bp.get("/complaints")
@requires("registers.read")
def list_complaints():
    year = _year()
    return render_template(
        "registers/list_complaints.html",
        complaints=registers.complaints_of(current_user, year=year),
        year=year,
        centres=_centres_kept(),
        today=today(),
    )


@bp.get("/complaints.xlsx")
@requires("registers.manage")
def export_complaints():
    year = _year()
    complaints = registers.complaints_of(current_user, year=year)
    headers, rows = registers.register_rows(complaints)
    content = spreadsheet(_("Complaints register"), headers, rows)
    registers.record_export(
        actor=current_user,
        entity=Complaint.__tablename__,
        changes={"format": "xlsx", "year": year, "complaints": [c.id for c in complaints]},
    )
    db.session.commit()
    return download(content, XLSX, _("Complaints register") + ".xlsx")


def _handlers(centre_id: int) -> list[User]:
    return registers.possible_handlers(centre_id)


@bp.route("/centres/<int:centre_id>/complaints/new", methods=["GET", "POST"])
@requires("registers.manage")
def new_complaint(centre_id: int):
    centre = scope.record_or_404(Centre, centre_id)
    form = ComplaintForm(handlers=_handlers(centre.id))
    if request.method == "GET":
        form.received_on.data = today()
        form.handler_id.data = current_user.id
    if form.validate_on_submit():
        save = submissions.once(
            form,
            registers.record_complaint,
            lambda c: url_for("registers.show_complaint", complaint_id=c.id),
        )
        try:
            complaint = run_service(
                form,
                None,
                save,
                centre,
                actor=current_user,
                received_on=form.received_on.data,
                channel=form.channel.data,
                complainant=form.complainant.data,
                complainant_name=form.complainant_name.data,
                complainant_contact=form.complainant_contact.data,
                subject=form.subject.data,
                handler=db.session.get(User, form.handler_id.data),
            )
        except submissions.AlreadySaved as error:
            return submissions.show_earlier_save(error)
        if complaint:
            flash(_("Complaint %(number)s recorded.", number=complaint.reference), "success")
            return redirect(url_for("registers.show_complaint", complaint_id=complaint.id))
    return render_template("registers/edit_complaint.html", form=form, centre=centre)


@bp.get("/complaints/<int:complaint_id>")
@requires("registers.read")
def show_complaint(complaint_id: int):
    complaint = scope.record_or_404(Complaint, complaint_id)
    registers.record_read(complaint, actor=current_user)
    db.session.commit()
    form = AnswerForm(obj=complaint)
    if complaint.answered_on is None:
        form.answered_on.data = today()
    return render_template(
        "registers/show_complaint.html", complaint=complaint, form=form, today=today()
    )


@bp.post("/complaints/<int:complaint_id>/answer")
@requires("registers.read")
def answer_complaint(complaint_id: int):
    complaint = scope.record_or_404(Complaint, complaint_id)
    form = AnswerForm()
    if form.validate_on_submit() and run_service(
        form,
        complaint,
        registers.answer_complaint,
        complaint,
        actor=current_user,
        version=form.version.data,
        answer=form.answer.data,
        answered_on=form.answered_on.data,
    ):
        flash(_("The answer was saved."), "success")
        return redirect(url_for("registers.show_complaint", complaint_id=complaint.id))
    return render_template(
        "registers/show_complaint.html", complaint=complaint, form=form, today=today()
    ), 422


@bp.route("/complaints/<int:complaint_id>/edit", methods=["GET", "POST"])
@requires("registers.manage")
def edit_complaint(complaint_id: int):
    complaint = scope.record_or_404(Complaint, complaint_id)
    form = ComplaintForm(obj=complaint, handlers=_handlers(complaint.centre_id))
    del form.received_on
    if request.method == "GET":
        form.channel.data = complaint.channel.value
        form.complainant.data = complaint.complainant.value
    if form.validate_on_submit() and run_service(
        form,
        complaint,
        registers.update_complaint,
        complaint,
        actor=current_user,
        version=form.version.data,
        channel=form.channel.data,
        complainant=form.complainant.data,
        complainant_name=form.complainant_name.data,
        complainant_contact=form.complainant_contact.data,
        subject=form.subject.data,
        handler=db.session.get(User, form.handler_id.data),
    ):
        flash(_("Saved."), "success")
        return redirect(url_for("registers.show_complaint", complaint_id=complaint.id))
    return render_template(
        "registers/edit_complaint.html", form=form, centre=complaint.centre, complaint=complaint
    )


# --- Serious incidents --------------------------------------------------------------------------


@bp.get("/incidents")
@requires("registers.read")
def list_incidents():
    year = _year()
    return render_template(
        "registers/list_incidents.html",
        incidents=registers.incidents_of(current_user, year=year),
        year=year,
        centres=_centres_kept(),
    )


def _instant(day, at):
    return local_instant(day, at) if day is not None and at is not None else None


def _incident_fields(form: IncidentForm) -> dict:
    chosen = set(form.children.data or ())
    children = (
        list(db.session.scalars(db.select(Person).where(Person.id.in_(chosen)))) if chosen else []
    )
    staff_ids = set(form.staff.data or ())
    staff = list(db.session.scalars(db.select(User).where(User.id.in_(staff_ids))))
    return {
        "occurred_at": _instant(form.occurred_on.data, form.occurred_time.data),
        "kind": form.kind.data,
        "description": form.description.data,
        "measures": form.measures.data,
        "children": children,
        "staff": staff,
        "parents_told_at": _instant(form.parents_told_on.data, form.parents_told_time.data),
        "parents_told_by": form.parents_told_by.data,
        "directorate_told_at": _instant(
            form.directorate_told_on.data, form.directorate_told_time.data
        ),
        "directorate_told_by": form.directorate_told_by.data,
        "follow_up": form.follow_up.data,
        "closed": form.closed.data,
        "handler": db.session.get(User, form.handler_id.data),
    }


@bp.route("/centres/<int:centre_id>/incidents/new", methods=["GET", "POST"])
@requires("registers.manage")
def new_incident(centre_id: int):
    centre = scope.record_or_404(Centre, centre_id)
    form = IncidentForm(
        handlers=_handlers(centre.id), children=registers.children_of_centre(centre.id)
    )
    if request.method == "GET":
        moment = now()
        form.occurred_on.data = moment.date()
        form.occurred_time.data = moment.time().replace(second=0, microsecond=0, tzinfo=None)
        form.handler_id.data = current_user.id
    if form.validate_on_submit():
        save = submissions.once(
            form,
            registers.record_incident,
            lambda i: url_for("registers.show_incident", incident_id=i.id),
        )
        try:
            incident = run_service(
                form, None, save, centre, actor=current_user, **_incident_fields(form)
            )
        except submissions.AlreadySaved as error:
            return submissions.show_earlier_save(error)
        if incident:
            flash(_("The incident was recorded."), "success")
            return redirect(url_for("registers.show_incident", incident_id=incident.id))
    return render_template("registers/edit_incident.html", form=form, centre=centre)


@bp.get("/incidents/<int:incident_id>")
@requires("registers.read")
def show_incident(incident_id: int):
    incident = scope.record_or_404(Incident, incident_id)
    registers.record_read(incident, actor=current_user)
    db.session.commit()
    return render_template("registers/show_incident.html", incident=incident)


def _local(instant):
    return instant.astimezone(BUCHAREST) if instant is not None else None


@bp.route("/incidents/<int:incident_id>/edit", methods=["GET", "POST"])
@requires("registers.read")
def edit_incident(incident_id: int):
    incident = scope.record_or_404(Incident, incident_id)
    form = IncidentForm(
        obj=incident,
        handlers=_handlers(incident.centre_id),
        children=registers.children_of_centre(incident.centre_id),
    )
    if request.method == "GET":
        form.kind.data = incident.kind.value
        form.children.data = [child.id for child in incident.children]
        form.staff.data = [member.id for member in incident.staff]
        form.closed.data = incident.closed
        for name in ("occurred", "parents_told", "directorate_told"):
            moment = _local(getattr(incident, name + "_at"))
            day_field = form["occurred_on" if name == "occurred" else name + "_on"]
            time_field = form["occurred_time" if name == "occurred" else name + "_time"]
            day_field.data = moment.date() if moment else None
            time_field.data = moment.time().replace(tzinfo=None) if moment else None
    if form.validate_on_submit() and run_service(
        form,
        incident,
        registers.update_incident,
        incident,
        actor=current_user,
        version=form.version.data,
        **_incident_fields(form),
    ):
        flash(_("Saved."), "success")
        return redirect(url_for("registers.show_incident", incident_id=incident.id))
    return render_template(
        "registers/edit_incident.html", form=form, centre=incident.centre, incident=incident
    )
