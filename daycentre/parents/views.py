from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from daycentre.attendance import services as attendance
from daycentre.attendance.models import AbsenceReport
from daycentre.auth.permissions import requires
from daycentre.centres.models import Centre
from daycentre.core import submissions
from daycentre.core.forms import Form, run_service, service_done
from daycentre.core.localtime import today
from daycentre.extensions import db
from daycentre.parents import bp
from daycentre.parents import services as parents
from daycentre.parents.action_forms import AbsenceReportForm
from daycentre.people import services as people
from daycentre.people.models import Consent
from daycentre.programme import services as programme
from daycentre.programme.models import OutingChild
from daycentre.workshops import services as workshops
from daycentre.workshops.models import RegistrationStatus, Workshop, WorkshopRegistration


@bp.get("/")
@requires("parents.use")
def home():
    """The parent's home: their children, and what the centre asks of them."""
    return render_template(
        "parents/home.html",
        family=parents.family_of(current_user),
        children=parents.children_of(current_user),
    )


# --- What a parent does in the app: absences, outing permissions, consents, workshops ---------
# (issue 16, part 2). Every record is reached through the parent's own family (404 otherwise);
# the rules are the owning areas' services.


def _absences_page(_report=None) -> str:
    return url_for("parents.report_absence")


@bp.route("/absences", methods=["GET", "POST"])
@requires("parents.use")
def report_absence():
    """Report a child's absence ahead (a day or several), and the reports already sent."""
    children = parents.children_of(current_user)
    form = AbsenceReportForm(children=children)
    if not form.is_submitted():
        form.first_day.data = today()
    if form.validate_on_submit():
        child = parents.child_or_404(current_user, form.child.data)
        saved = run_service(
            form,
            None,
            submissions.once(form, attendance.report_absence, _absences_page),
            child,
            actor=current_user,
            first_day=form.first_day.data,
            last_day=form.last_day.data,
            reason=form.reason.data,
            note=form.note.data,
        )
        if saved:
            flash(_("The absence was reported to the centre."), "success")
            return redirect(url_for("parents.report_absence"))
    reports = attendance.reports_of([c.id for c in children], since=today())
    centres = {cid: db.session.get(Centre, cid) for cid in {r.centre_id for r in reports}}
    return render_template(
        "parents/report_absence.html",
        form=form,
        children=children,
        reports=[(r, attendance.may_withdraw(r, centres[r.centre_id])) for r in reports],
        button_form=Form(),
    )


@bp.post("/absences/<int:report_id>/withdraw")
@requires("parents.use")
def withdraw_absence(report_id: int):
    ids = [c.id for c in parents.children_of(current_user)]
    report = parents.of_family_or_404(current_user, AbsenceReport, report_id, person_ids=ids)
    form = Form()
    if form.validate_on_submit() and service_done(
        form, report, attendance.withdraw_report, report, actor=current_user
    ):
        flash(_("The report was withdrawn."), "success")
    return redirect(url_for("parents.report_absence"))


@bp.get("/outings")
@requires("parents.use")
def list_outings():
    """The outings the children are invited on, each with the parent's answer."""
    invitations = programme.outings_asking([c.id for c in parents.children_of(current_user)])
    return render_template("parents/list_outings.html", invitations=invitations)


@bp.route("/outings/<int:invitation_id>", methods=["GET", "POST"])
@requires("parents.use")
def answer_outing(invitation_id: int):
    """The outing's details first, then the permission given or refused."""
    ids = [c.id for c in parents.children_of(current_user)]
    invitation = parents.of_family_or_404(current_user, OutingChild, invitation_id, person_ids=ids)
    form = Form()
    answer = request.form.get("answer")
    if form.validate_on_submit() and answer in ("given", "refused"):
        parent = parents.own_person(current_user)
        if service_done(
            form,
            invitation,
            programme.answer_permission_in_app,
            invitation,
            actor=current_user,
            given=answer == "given",
            parent_name=parent.full_name if parent else current_user.full_name,
        ):
            flash(_("Your answer was sent to the centre."), "success")
            return redirect(url_for("parents.answer_outing", invitation_id=invitation.id))
    return render_template(
        "parents/answer_outing.html",
        invitation=invitation,
        outing=invitation.outing,
        open=programme.permission_open(invitation),
        form=form,
    )


@bp.get("/consents")
@requires("parents.use")
def list_consents():
    """Each consent of the parent and of the children, per purpose."""
    return render_template(
        "parents/list_consents.html",
        consents=people.consents_of(parents.family_people(current_user)),
    )


@bp.route("/consents/<int:consent_id>/withdraw", methods=["GET", "POST"])
@requires("parents.use")
def withdraw_consent(consent_id: int):
    consent = parents.of_family_or_404(current_user, Consent, consent_id)
    form = Form()
    if form.validate_on_submit() and service_done(
        form, consent, people.withdraw_consent_in_app, consent, actor=current_user
    ):
        flash(_("The consent was withdrawn."), "success")
        return redirect(url_for("parents.list_consents"))
    return render_template("parents/withdraw_consent.html", consent=consent, form=form)


def _own_registrations(person) -> dict[int, WorkshopRegistration]:
    if person is None:
        return {}
    found = db.session.scalars(
        db.select(WorkshopRegistration).where(
            WorkshopRegistration.person_id == person.id,
            WorkshopRegistration.status != RegistrationStatus.CANCELLED,
        )
    )
    return {r.workshop_id: r for r in found}


@bp.get("/workshops")
@requires("parents.use")
def list_workshops():
    """The parenting workshops of the family's centre, with the parent's place or place in line."""
    family = parents.family_of(current_user)
    person = parents.own_person(current_user)
    return render_template(
        "parents/list_workshops.html",
        workshops=workshops.open_to_parents(family.centre_id) if family else [],
        registrations=_own_registrations(person),
        form=Form(),
    )


@bp.post("/workshops/<int:workshop_id>/register")
@requires("parents.use")
def register_workshop(workshop_id: int):
    family = parents.family_of(current_user)
    workshop = db.session.get(Workshop, workshop_id)
    if family is None or workshop is None or workshop.centre_id != family.centre_id:
        abort(404)
    form = Form()
    if form.validate_on_submit():
        registration = run_service(
            form,
            None,
            workshops.register_in_app,
            workshop,
            parents.own_person(current_user),
            actor=current_user,
        )
        if registration is not None:
            if registration.status is RegistrationStatus.WAITING:
                flash(_("The workshop is full: you are on its waiting list."), "success")
            else:
                flash(_("You are registered for the workshop."), "success")
    return redirect(url_for("parents.list_workshops"))


@bp.post("/registrations/<int:registration_id>/cancel")
@requires("parents.use")
def cancel_workshop(registration_id: int):
    person = parents.own_person(current_user)
    registration = parents.of_family_or_404(
        current_user,
        WorkshopRegistration,
        registration_id,
        person_ids=[person.id] if person else [],
    )
    form = Form()
    if form.validate_on_submit() and service_done(
        form, registration, workshops.cancel_registration, registration, actor=current_user
    ):
        flash(_("Your registration was cancelled."), "success")
    return redirect(url_for("parents.list_workshops"))
