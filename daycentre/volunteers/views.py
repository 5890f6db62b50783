"""Screens for coordinators (own centres) and for volunteers (their own record only)."""

import re
from datetime import timedelta

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from daycentre.audit import services as audit
from daycentre.auth import scope
from daycentre.auth.permissions import requires
from daycentre.centres.models import Centre
from daycentre.centres.services import visible_centres
from daycentre.core import submissions
from daycentre.core.database import utcnow
from daycentre.core.forms import Form, flash_errors, run_service, service_done
from daycentre.core.localtime import BUCHAREST, local_instant, today
from daycentre.core.text import matches_words
from daycentre.extensions import db
from daycentre.volunteers import bp, documents
from daycentre.volunteers import services as volunteering
from daycentre.volunteers.clauses import STANDARD_CLAUSES, printed_clause, standard_clause
from daycentre.volunteers.forms import (
    ActivityForm,
    CertificateForm,
    CloseContractForm,
    ContractForm,
    EndContractForm,
    HoursForm,
    LateCancelForm,
    NewVolunteerForm,
    SignContractForm,
    VolunteerForm,
    VolunteerSearchForm,
)
from daycentre.volunteers.models import (
    Activity,
    ActivitySignup,
    ContractStatus,
    Volunteer,
    VolunteerCertificate,
    VolunteerContract,
    VolunteerHours,
)

MANAGE = "volunteers.manage"
SAFE_PATH = re.compile(r"/(?!/)[A-Za-z0-9/_.-]*")
TAKE_PART = "volunteering.take_part"


def _back(default: str) -> str:
    """Where a button asked to return to: a path on this site only."""
    target = request.form.get("next") or ""
    return target if SAFE_PATH.fullmatch(target) else default


def _centre_choices():
    return [(centre.id, centre.name) for centre in visible_centres(current_user)]


# --- Coordinators: volunteers ---


@bp.route("/", methods=["GET", "POST"])
@requires(MANAGE)
def list_volunteers():
    """The centres' volunteers; a name typed in the search (POSTed: no name in a URL) narrows them."""
    day = today()
    form = VolunteerSearchForm()
    volunteers = volunteering.visible_volunteers(
        current_user, include_inactive=request.args.get("inactive") == "1"
    )
    if form.validate_on_submit() and (form.q.data or "").strip():
        volunteers = [v for v in volunteers if matches_words(form.q.data, v.full_name)]
    return render_template(
        "volunteers/list_volunteers.html",
        form=form,
        volunteers=volunteers,
        ending=volunteering.contracts_ending_soon(current_user, day),
        pending=volunteering.pending_hours(current_user),
        valid_on=lambda v: volunteering.integrity_valid_on(v, day),
        button_form=Form(),
    )


VOLUNTEER_FIELDS = (
    "given_name",
    "family_name",
    "birth_date",
    "parental_consent_on",
    "integrity_certificate_on",
    "phone",
    "email",
    "address",
    "languages",
    "availability",
    "active",
)


@bp.route("/new", methods=["GET", "POST"])
@bp.route("/<int:volunteer_id>/edit", methods=["GET", "POST"])
@requires(MANAGE)
def edit_volunteer(volunteer_id: int | None = None):
    volunteer = scope.record_or_404(Volunteer, volunteer_id) if volunteer_id else None
    form_class = VolunteerForm if volunteer else NewVolunteerForm
    form = form_class(obj=volunteer, centre_choices=_centre_choices())
    if volunteer is not None and not form.is_submitted():
        form.skills.data = sorted(s.value for s in volunteer.skills)
    if form.validate_on_submit():
        centre = scope.record_or_404(Centre, form.centre_id.data)
        fields = {name: form[name].data for name in VOLUNTEER_FIELDS}
        if volunteer is None:
            saved = run_service(
                None,
                None,
                volunteering.register_volunteer,
                actor=current_user,
                centre=centre,
                username=form.username.data,
                password=form.password.data,
                skills=form.skills.data,
                today=today(),
                **fields,
            )
        else:
            saved = run_service(
                None,
                None,
                volunteering.update_volunteer,
                volunteer,
                actor=current_user,
                centre=centre,
                version=form.version.data,
                skills=form.skills.data,
                today=today(),
                **fields,
            )
        if saved:
            saved = volunteer or saved
            flash(_("The volunteer %(name)s was saved.", name=saved.full_name), "success")
            return redirect(url_for("volunteers.show_volunteer", volunteer_id=saved.id))
    heading = volunteer.full_name if volunteer else _("New volunteer")
    return render_template(
        "volunteers/edit_record.html", form=form, heading=heading, volunteer=volunteer
    )


@bp.get("/<int:volunteer_id>")
@requires(MANAGE)
def show_volunteer(volunteer_id: int):
    volunteer = scope.record_or_404(Volunteer, volunteer_id)
    day = today()
    certificate_form = CertificateForm()
    signed = [c for c in volunteer.contracts if c.signed_on is not None]
    certificate_form.contract_id.choices = [
        (c.id, _("No. %(number)d", number=c.number)) for c in signed
    ]
    if signed and not certificate_form.is_submitted():
        certificate_form.period_start.data = signed[0].starts_on
        certificate_form.period_end.data = min(day, signed[0].closed_on or signed[0].ends_on)
    return render_template(
        "volunteers/show_volunteer.html",
        volunteer=volunteer,
        valid_until=volunteering.integrity_valid_until(volunteer),
        integrity_valid=volunteering.integrity_valid_on(volunteer, day),
        age=volunteering.age_on(volunteer.birth_date, day),
        signups=volunteering.signups_of(volunteer),
        hours=volunteering.reported_hours(volunteer),
        certificates=volunteering.certificates_of(volunteer),
        certificate_form=certificate_form,
        button_form=Form(),
    )


@bp.post("/<int:volunteer_id>/certificates")
@requires(MANAGE)
def issue_certificate(volunteer_id: int):
    volunteer = scope.record_or_404(Volunteer, volunteer_id)
    form = CertificateForm()
    form.contract_id.choices = [(c.id, str(c.number)) for c in volunteer.contracts]
    if form.validate_on_submit():
        contract = db.session.get(VolunteerContract, form.contract_id.data)
        certificate = run_service(
            None,
            None,
            volunteering.issue_certificate,
            volunteer,
            actor=current_user,
            contract=contract,
            period_start=form.period_start.data,
            period_end=form.period_end.data,
            today=today(),
        )
        if certificate:
            flash(_("Certificate no. %(number)d was issued.", number=certificate.number), "success")
    else:
        flash_errors(form)
    return redirect(url_for("volunteers.show_volunteer", volunteer_id=volunteer.id))


def _audited(response, document):
    """A contract or certificate names the volunteer: each copy taken is an export in the trail,
    written once the file is made so that the commit does not reload what the file used."""
    audit.record(
        audit.EXPORT,
        document,
        actor=current_user,
        centre_id=document.centre_id,
        changes={"format": "pdf", "language": documents.printed_language(request.args.get("lang"))},
    )
    db.session.commit()
    return response


@bp.get("/certificates/<int:certificate_id>/pdf")
@requires(MANAGE)
def certificate_pdf(certificate_id: int):
    certificate = scope.record_or_404(VolunteerCertificate, certificate_id)
    return _audited(
        documents.certificate_response(certificate, request.args.get("lang")), certificate
    )


@bp.post("/hours/<int:hours_id>/<decision>")
@requires(MANAGE)
def decide_hours(hours_id: int, decision: str):
    entry = scope.record_or_404(VolunteerHours, hours_id)
    if decision not in ("approve", "reject"):
        abort(404)
    if Form().validate_on_submit() and service_done(
        None,
        None,
        volunteering.decide_hours,
        entry,
        actor=current_user,
        approve=decision == "approve",
        now=utcnow(),
    ):
        flash(entry.status.label, "success")
    return redirect(_back(url_for("volunteers.list_volunteers")))


# --- Coordinators: contracts ---


def _contract_defaults(form: ContractForm) -> None:
    for field in STANDARD_CLAUSES:
        form[field].data = standard_clause(field)


CONTRACT_FIELDS = (
    "starts_on",
    "ends_on",
    "activities",
    "schedule",
    "rights_and_obligations",
    "requirements",
    "termination_conditions",
)


@bp.route("/<int:volunteer_id>/contracts/new", methods=["GET", "POST"])
@requires(MANAGE)
def new_contract(volunteer_id: int):
    volunteer = scope.record_or_404(Volunteer, volunteer_id)
    form = ContractForm()
    if not form.is_submitted():
        _contract_defaults(form)
        form.starts_on.data = today() + timedelta(days=1)
        form.ends_on.data = today() + timedelta(days=365)
    if form.validate_on_submit():
        contract = run_service(
            None,
            None,
            volunteering.create_contract,
            volunteer,
            actor=current_user,
            **{name: form[name].data for name in CONTRACT_FIELDS},
        )
        if contract:
            flash(_("Contract no. %(number)d was drafted.", number=contract.number), "success")
            return redirect(url_for("volunteers.show_contract", contract_id=contract.id))
    return render_template(
        "volunteers/edit_record.html",
        form=form,
        volunteer=volunteer,
        heading=_("New volunteer contract"),
    )


@bp.route("/contracts/<int:contract_id>/edit", methods=["GET", "POST"])
@requires(MANAGE)
def edit_contract(contract_id: int):
    contract = scope.record_or_404(VolunteerContract, contract_id)
    form = ContractForm(obj=contract)
    if form.validate_on_submit() and service_done(
        None,
        None,
        volunteering.update_contract,
        contract,
        actor=current_user,
        version=form.version.data,
        **{name: form[name].data for name in CONTRACT_FIELDS},
    ):
        flash(_("The contract was saved."), "success")
        return redirect(url_for("volunteers.show_contract", contract_id=contract.id))
    return render_template(
        "volunteers/edit_record.html",
        form=form,
        volunteer=contract.volunteer,
        heading=_("Volunteer contract no. %(number)d", number=contract.number),
    )


@bp.get("/contracts/<int:contract_id>")
@requires(MANAGE)
def show_contract(contract_id: int):
    contract = scope.record_or_404(VolunteerContract, contract_id)
    sign_form = SignContractForm()
    end_form = EndContractForm()
    close_form = CloseContractForm()
    sign_form.signed_on.data = today()
    end_form.closed_on.data = min(today(), contract.ends_on)
    close_form.closed_on.data = today()
    return render_template(
        "volunteers/show_contract.html",
        contract=contract,
        sign_form=sign_form,
        end_form=end_form,
        close_form=close_form,
        button_form=Form(),
        ContractStatus=ContractStatus,
        printed_clause=printed_clause,
    )


@bp.post("/contracts/<int:contract_id>/<step>")
@requires(MANAGE)
def change_contract(contract_id: int, step: str):
    contract = scope.record_or_404(VolunteerContract, contract_id)
    if step not in ("sign", "activate", "end", "terminate", "delete"):
        abort(404)
    volunteer_id = contract.volunteer_id
    forms = {
        "sign": SignContractForm,
        "end": EndContractForm,
        "terminate": CloseContractForm,
    }
    form = forms.get(step, Form)()
    if not form.validate_on_submit():
        flash_errors(form)
        return redirect(url_for("volunteers.show_contract", contract_id=contract.id))
    actions = {
        "sign": lambda: volunteering.sign_contract(
            contract, actor=current_user, signed_on=form.signed_on.data
        ),
        "activate": lambda: volunteering.activate_contract(contract, actor=current_user),
        "end": lambda: volunteering.end_contract(
            contract, actor=current_user, on=form.closed_on.data
        ),
        "terminate": lambda: volunteering.terminate_contract(
            contract, actor=current_user, on=form.closed_on.data, reason=form.reason.data or ""
        ),
        "delete": lambda: volunteering.delete_draft(contract, actor=current_user),
    }
    if service_done(None, None, actions[step]):
        if step == "delete":
            flash(_("The draft was deleted; its number stays used."), "success")
            return redirect(url_for("volunteers.show_volunteer", volunteer_id=volunteer_id))
        flash(_("The contract is now: %(status)s.", status=contract.status.label), "success")
    return redirect(url_for("volunteers.show_contract", contract_id=contract_id))


@bp.get("/contracts/<int:contract_id>/pdf")
@requires(MANAGE)
def contract_pdf(contract_id: int):
    contract = scope.record_or_404(VolunteerContract, contract_id)
    return _audited(documents.contract_response(contract, request.args.get("lang")), contract)


@bp.get("/contracts.xlsx")
@requires(MANAGE)
def export_contracts():
    contracts = volunteering.contracts_register(current_user)
    response = documents.register_response(contracts)
    audit.record(
        audit.EXPORT,
        entity="volunteer_contracts",
        actor=current_user,
        changes={"contracts": [c.id for c in contracts]},
    )
    db.session.commit()
    return response


# --- Coordinators: activities and counts ---


@bp.get("/activities")
@requires(MANAGE)
def list_activities():
    since = utcnow() - timedelta(days=31)
    return render_template(
        "volunteers/list_activities.html",
        activities=volunteering.visible_activities(current_user, since=since),
    )


def _activity_page(activity: Activity) -> str:
    return url_for("volunteers.show_activity", activity_id=activity.id)


@bp.route("/activities/new", methods=["GET", "POST"])
@bp.route("/activities/<int:activity_id>/edit", methods=["GET", "POST"])
@requires(MANAGE)
def edit_activity(activity_id: int | None = None):
    activity = scope.record_or_404(Activity, activity_id) if activity_id else None
    form = ActivityForm(obj=activity, centre_choices=_centre_choices())
    if activity is not None and not form.is_submitted():
        starts, ends = (
            activity.starts_at.astimezone(BUCHAREST),
            activity.ends_at.astimezone(BUCHAREST),
        )
        form.day.data, form.starts.data, form.ends.data = starts.date(), starts.time(), ends.time()
        form.skills.data = sorted(s.value for s in activity.skills)
    if form.validate_on_submit():
        centre = scope.record_or_404(Centre, form.centre_id.data)
        save = volunteering.save_activity
        if activity is None:
            save = submissions.once(form, save, _activity_page)
        saved = run_service(
            None,
            None,
            save,
            activity,
            actor=current_user,
            centre=centre,
            version=form.version.data,
            skills=form.skills.data,
            title=form.title.data,
            starts_at=local_instant(form.day.data, form.starts.data),
            ends_at=local_instant(form.day.data, form.ends.data),
            places=form.places.data,
            with_children=form.with_children.data,
            description=form.description.data,
            cancelled=form.cancelled.data,
        )
        if saved:
            flash(_("The activity %(title)s was saved.", title=saved.title), "success")
            return redirect(url_for("volunteers.show_activity", activity_id=saved.id))
    heading = activity.title if activity else _("New activity")
    return render_template("volunteers/edit_record.html", form=form, heading=heading)


@bp.get("/activities/<int:activity_id>")
@requires(MANAGE)
def show_activity(activity_id: int):
    activity = scope.record_or_404(Activity, activity_id)
    return render_template(
        "volunteers/show_activity.html",
        activity=activity,
        started=activity.starts_at <= utcnow(),
        button_form=Form(),
    )


@bp.post("/signups/<int:signup_id>/cancel")
@requires(MANAGE)
def cancel_signup_for(signup_id: int):
    """The coordinator cancels for a volunteer who called, even after the online notice."""
    signup = scope.record_or_404(ActivitySignup, signup_id)
    if Form().validate_on_submit() and service_done(
        None,
        None,
        volunteering.cancel_signup,
        signup,
        actor=current_user,
        now=utcnow(),
        on_behalf=True,
    ):
        flash(_("The sign-up was cancelled."), "success")
    return redirect(url_for("volunteers.show_activity", activity_id=signup.activity_id))


@bp.post("/signups/<int:signup_id>/<mark>")
@requires(MANAGE)
def confirm_attendance(signup_id: int, mark: str):
    signup = scope.record_or_404(ActivitySignup, signup_id)
    if mark not in ("attended", "absent"):
        abort(404)
    if Form().validate_on_submit() and service_done(
        None,
        None,
        volunteering.confirm_attendance,
        signup,
        actor=current_user,
        attended=mark == "attended",
        now=utcnow(),
    ):
        flash(_("Attendance recorded."), "success")
    return redirect(url_for("volunteers.show_activity", activity_id=signup.activity_id))


# --- Volunteers: their own record only ---


def _me() -> Volunteer | None:
    return volunteering.volunteer_of(current_user)


def _mine(record) -> bool:
    return scope.owns_volunteer_record(_me(), record)


@bp.get("/me")
@requires(TAKE_PART)
def my_volunteering():
    me = _me()
    day, now = today(), utcnow()
    context = {"me": me, "refusal": volunteering.general_refusal(me, day)}
    if me is not None:
        start = min((c.starts_on for c in me.contracts), default=day)
        rows, total = volunteering.hours_done(me, start, day)
        context |= {
            "upcoming": volunteering.upcoming_signups(me, now),
            "rows": rows,
            "total": total,
            "reported": volunteering.reported_hours(me),
            "certificates": volunteering.certificates_of(me),
            "valid_until": volunteering.integrity_valid_until(me),
            "deadline": volunteering.cancel_deadline,
            "now": now,
        }
    return render_template("volunteers/my_volunteering.html", button_form=Form(), **context)


@bp.get("/me/activities")
@requires(TAKE_PART)
def list_open_activities():
    me, now = _me(), utcnow()
    return render_template(
        "volunteers/list_open_activities.html",
        refusal=volunteering.general_refusal(me, today()),
        rows=volunteering.open_activities(me, now) if me else [],
        button_form=Form(),
        deadline=volunteering.cancel_deadline,
        now=now,
    )


@bp.post("/me/activities/<int:activity_id>/sign-up")
@requires(TAKE_PART)
def sign_up(activity_id: int):
    me = _me()
    activity = db.get_or_404(Activity, activity_id)
    if me is None or activity.centre_id != me.centre_id:
        abort(404)
    if Form().validate_on_submit():
        signup = run_service(
            None, None, volunteering.sign_up, activity, me, actor=current_user, now=utcnow()
        )
        if signup:
            flash(
                _("You are signed up for %(title)s.", title=activity.title)
                if signup.status.value == "signed_up"
                else _("The activity is full: you are on the waiting list."),
                "success",
            )
    return redirect(url_for("volunteers.list_open_activities"))


@bp.post("/me/signups/<int:signup_id>/cancel")
@requires(TAKE_PART)
def cancel_signup(signup_id: int):
    """Until the notice a button; inside it, with a reason, and the coordinator is told."""
    signup = scope.record_or_404(ActivitySignup, signup_id, rule=_mine)
    form = LateCancelForm()
    if form.validate_on_submit() and service_done(
        None,
        None,
        volunteering.cancel_signup,
        signup,
        actor=current_user,
        now=utcnow(),
        reason=form.reason.data,
    ):
        flash(_("Your sign-up was cancelled."), "success")
    return redirect(_back(url_for("volunteers.my_volunteering")))


@bp.route("/me/hours", methods=["GET", "POST"])
@requires(TAKE_PART)
def report_hours():
    me = _me()
    if me is None:
        abort(404)
    form = HoursForm()
    if not form.is_submitted():
        form.day.data = today()
    if form.validate_on_submit() and service_done(
        None,
        None,
        volunteering.report_hours,
        me,
        actor=current_user,
        day=form.day.data,
        hours=form.hours.data,
        description=form.description.data,
        today=today(),
    ):
        flash(_("Your hours were sent to the coordinator for approval."), "success")
        return redirect(url_for("volunteers.my_volunteering"))
    return render_template(
        "volunteers/edit_record.html", form=form, heading=_("Report other hours")
    )


@bp.post("/me/certificates/request")
@requires(TAKE_PART)
def request_certificate():
    me = _me()
    if me is None:
        abort(404)
    if Form().validate_on_submit() and service_done(
        None, None, volunteering.request_certificate, me, actor=current_user, today=today()
    ):
        flash(_("The coordinator was asked for your certificate."), "success")
    return redirect(url_for("volunteers.my_volunteering"))


@bp.get("/me/contracts/<int:contract_id>/pdf")
@requires(TAKE_PART)
def my_contract_pdf(contract_id: int):
    contract = scope.record_or_404(VolunteerContract, contract_id, rule=_mine)
    if contract.status is ContractStatus.DRAFT:
        abort(404)
    return _audited(documents.contract_response(contract, request.args.get("lang")), contract)


@bp.get("/me/certificates/<int:certificate_id>/pdf")
@requires(TAKE_PART)
def my_certificate_pdf(certificate_id: int):
    certificate = scope.record_or_404(VolunteerCertificate, certificate_id, rule=_mine)
    return _audited(
        documents.certificate_response(certificate, request.args.get("lang")), certificate
    )
