from datetime import UTC, datetime

from flask import abort, current_app, flash, g, redirect, render_template, request, session, url_for
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_login import current_user, login_user

from daycentre.attendance import services as attendance
from daycentre.attendance.models import AbsenceReport, AttendanceStatus
from daycentre.auth import scope
from daycentre.auth import services as accounts
from daycentre.auth.permissions import requires
from daycentre.centres.models import Centre
from daycentre.core import submissions
from daycentre.core.documents import PDF, download, render_pdf
from daycentre.core.forms import Form, run_service, service_done
from daycentre.core.localtime import now, today, week_start
from daycentre.enrolment import contract
from daycentre.extensions import db, limiter
from daycentre.notifications import services as notify
from daycentre.parents import bp, invitations, overview
from daycentre.parents import services as parents
from daycentre.parents.action_forms import AbsenceReportForm
from daycentre.parents.forms import (
    AcceptInvitationForm,
    ButtonForm,
    InvitationCodeForm,
    InviteByEmailForm,
    InviteByLetterForm,
)
from daycentre.parents.models import InvitationKind, ParentInvitation
from daycentre.people import services as people
from daycentre.people.models import Consent, Person
from daycentre.programme import services as programme
from daycentre.programme.models import OutingChild
from daycentre.workshops import certificate as workshop_certificate
from daycentre.workshops import services as workshops
from daycentre.workshops.models import RegistrationStatus, Workshop, WorkshopRegistration

# --- The parent's pages -------------------------------------------------------------------------


@bp.get("/")
@requires("parents.use")
def home():
    """The parent's home: their children, the family's appointments and documents."""
    family = parents.family_of(current_user)
    people = parents.family_people(current_user)
    own = [person.id for person in people]
    return render_template(
        "parents/home.html",
        family=family,
        children=[person for person in people if person.is_child],
        appointments=overview.appointments(family, own, now()) if family else [],
        certificates=overview.certificates(own),
        contracts=overview.contracts(own),
    )


@bp.get("/children/<int:child_id>")
@requires("parents.use")
def show_child(child_id: int):
    """One child on a phone: this month's attendance, today's menu, the week, outings to answer."""
    child = parents.child_or_404(current_user, child_id)
    day = today()
    enrolment = overview.enrolment_of(child)
    monday = week_start(day)
    return render_template(
        "parents/show_child.html",
        child=child,
        today_date=day,
        statuses=AttendanceStatus,
        enrolment=enrolment,
        month=overview.attendance_in_month(child, day),
        menu=overview.menu_on(enrolment.centre_id, day) if enrolment else [],
        week=overview.programme_week(enrolment, monday) if enrolment else [],
        monday=monday,
        outings=overview.outings_waiting(child, now()),
    )


@bp.get("/certificates/<int:registration_id>.pdf")
@requires("parents.use")
def print_certificate(registration_id: int):
    """A workshop certificate of the parent's own family, in the account's language."""
    own = [person.id for person in parents.family_people(current_user)]
    earned = overview.certificate_or_none(own, registration_id)
    if earned is None:
        abort(404)
    response = workshop_certificate.certificate_download(
        earned.registration, earned.progress, language=_document_language(), actor=current_user
    )
    db.session.commit()
    return response


@bp.get("/contracts/<int:enrolment_id>.pdf")
@requires("parents.use")
def print_contract(enrolment_id: int):
    """A service contract of the parent's own child, in the account's language."""
    own = [person.id for person in parents.family_people(current_user)]
    enrolment = overview.contract_or_none(own, enrolment_id)
    if enrolment is None:
        abort(404)
    response = contract.contract_download(
        enrolment, language=_document_language(), actor=current_user
    )
    db.session.commit()
    return response


def _document_language() -> str:
    """A document is printed in Romanian or Hungarian: the account's language, or Romanian."""
    return current_user.locale if current_user.locale in ("ro", "hu") else "ro"


# --- The staff's side: inviting a parent --------------------------------------------------------


@bp.app_template_global()
def parent_account_status(person):
    """For the person page in ``people``: not invited, invited until …, or an active account."""
    return invitations.status_of(person)


def _adult_or_404(person_id: int) -> Person:
    person = scope.record_or_404(Person, person_id)
    if person.is_child:
        abort(404)
    return person


def _letter_form() -> InviteByLetterForm:
    """Beside the e-mail form on one page: its own field ids."""
    return InviteByLetterForm(prefix="letter")


def _account_page(person: Person) -> str:
    return url_for("parents.show_parent_account", person_id=person.id)


@bp.get("/people/<int:person_id>/account")
@requires("people.manage")
def show_parent_account(person_id: int):
    person = _adult_or_404(person_id)
    return _parent_account_page(
        person, InviteByEmailForm(email=person.email or person.family.email)
    )


def _parent_account_page(person: Person, email_form: InviteByEmailForm):
    """Where the adult stands, the invitation e-mail's state, and the two ways to invite."""
    status = invitations.status_of(person)
    return render_template(
        "parents/show_parent_account.html",
        person=person,
        status=status,
        messages=notify.messages_about(status.invitation) if status.invitation else [],
        email_form=email_form,
        letter_form=_letter_form(),
        button_form=ButtonForm(),
        days=invitations.valid_for().days,
    )


@bp.post("/people/<int:person_id>/invite")
@requires("people.manage")
def invite_by_email(person_id: int):
    """Creates the link and shows it this once: only its hash is kept."""
    person = _adult_or_404(person_id)
    form = InviteByEmailForm()
    if form.validate_on_submit():
        created = run_service(
            form,
            None,
            submissions.once(form, invitations.invite, lambda _created: _account_page(person)),
            person,
            actor=current_user,
            kind=InvitationKind.LINK.value,
            language=form.language.data,
            email=form.email.data,
        )
        if created:
            invitation, token = created
            return render_template(
                "parents/invitation_created.html",
                person=person,
                invitation=invitation,
                link=invitations.join_url(token),
                messages=notify.messages_about(invitation),
            )
    return _parent_account_page(person, form)


@bp.post("/people/<int:person_id>/letter")
@requires("people.manage")
def print_invitation_letter(person_id: int):
    """Creates a code and answers with the letter that carries it: the code is printed once."""
    person = _adult_or_404(person_id)
    form = _letter_form()
    if not form.validate_on_submit():
        flash(_("Choose the language of the letter."), "error")
        return redirect(_account_page(person))
    created = run_service(
        form,
        None,
        submissions.once(form, invitations.invite, lambda _created: _account_page(person)),
        person,
        actor=current_user,
        kind=InvitationKind.LETTER.value,
        language=form.language.data,
    )
    if not created:
        return redirect(_account_page(person))
    invitation, code = created
    link = invitations.join_url(code)
    pdf = render_pdf(
        "parents/pdf_invitation.html",
        language=invitation.language,
        invitation=invitation,
        person=person,
        centre=invitation.centre,
        code=invitations.shown(code),
        code_url=invitations.code_url(),
        link=link,
        qr=invitations.qr_svg(link),
    )
    with force_locale(invitation.language):
        name = _("Invitation")
    return download(pdf, PDF, f"{name} {person.full_name}.pdf")


@bp.post("/invitations/<int:invitation_id>/revoke")
@requires("people.manage")
def revoke_invitation(invitation_id: int):
    invitation = db.session.get(ParentInvitation, invitation_id) or abort(404)
    person = _adult_or_404(invitation.person_id)
    if (
        ButtonForm().validate_on_submit()
        and run_service(None, None, invitations.revoke, invitation, actor=current_user) is not None
    ):
        flash(_("The invitation was revoked: its link and code no longer work."), "success")
    return redirect(_account_page(person))


@bp.post("/people/<int:person_id>/end-access")
@requires("people.manage")
def end_access(person_id: int):
    person = _adult_or_404(person_id)
    if (
        ButtonForm().validate_on_submit()
        and run_service(None, None, invitations.end_access, person, actor=current_user) is not None
    ):
        flash(_("The parent's account was closed."), "success")
    return redirect(_account_page(person))


# --- The parent accepting the invitation (public) -----------------------------------------------


def _join_limit_per_address():
    return current_app.config["PARENT_JOIN_LIMIT_PER_ADDRESS"]


def _join_limit_per_code():
    return current_app.config["PARENT_JOIN_LIMIT_PER_CODE"]


def _code_key() -> str:
    code = (request.view_args or {}).get("code") or ""
    return "parent-join:" + invitations.code_hash(code)


def _key_refused(_response) -> bool:
    """Only a key that opens nothing counts against the address: a weak password does not."""
    return g.get("invitation_refused", False)


def _refuse_key():
    g.invitation_refused = True
    return render_template(
        "parents/invitation_spent.html", invalid_message=invitations.INVALID
    ), 404


@bp.route("/join", methods=["GET", "POST"])
@limiter.limit(_join_limit_per_address, methods=["POST"], deduct_when=_key_refused)
def enter_invitation_code():
    """Public on purpose: the parent types the code printed on the letter."""
    form = InvitationCodeForm()
    if form.validate_on_submit():
        code = invitations.normalised(form.code.data)
        if invitations.open_invitation(code) is not None:
            return redirect(url_for("parents.join", code=code))
        g.invitation_refused = True
        form.code.errors = [str(invitations.INVALID)]
    return render_template("parents/enter_code.html", form=form)


@bp.route("/join/<code>", methods=["GET", "POST"])
@limiter.limit(_join_limit_per_address, deduct_when=_key_refused)
@limiter.limit(_join_limit_per_code, key_func=_code_key, methods=["POST"])
def join(code: str):
    """Public on purpose (the one-time link): the key opens the form, and works once."""
    if current_user.is_authenticated:
        return redirect(url_for("home.index"))
    invitation = invitations.open_invitation(code)
    if invitation is None:
        return _refuse_key()
    form = AcceptInvitationForm()
    if request.method == "GET":
        # The language the parent switched the page to, else the one they were invited in.
        form.language.data = session.get("locale") or invitation.language
        form.username.data = invitations.suggested_username(invitation.person)
    if form.validate_on_submit():
        user = run_service(
            form,
            None,
            invitations.accept,
            code,
            username=form.username.data,
            password=form.password.data,
            language=form.language.data,
        )
        if user is not None:
            accounts.sign_in(user, address=request.remote_addr)
            db.session.commit()
            session.clear()
            login_user(user)
            session["signed_in_at"] = datetime.now(UTC).timestamp()
            session["locale"] = user.locale
            flash(_("Welcome! Your account is ready."), "success")
            return redirect(url_for("parents.home"))
        if invitations.open_invitation(code) is None:
            return _refuse_key()
    return render_template(
        "parents/join.html", form=form, invitation=invitation, person=invitation.person
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
        family=parents.family_of(current_user),
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
        form, registration, workshops.cancel_in_app, registration, actor=current_user
    ):
        flash(_("Your registration was cancelled."), "success")
    return redirect(url_for("parents.list_workshops"))
