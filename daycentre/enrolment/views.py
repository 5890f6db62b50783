from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from daycentre.audit import services as audit
from daycentre.auth import scope
from daycentre.auth.permissions import requires
from daycentre.centres.models import Centre, CentreKind, Group
from daycentre.centres.services import visible_centres
from daycentre.core.documents import CSV, XLSX, csv_file, download, spreadsheet
from daycentre.core.forms import (
    flash_errors,
    narrowed_by_search,
    picker,
    run_service,
    service_done,
)
from daycentre.core.localtime import today
from daycentre.enrolment import bp, contract, exports
from daycentre.enrolment import services as enrolments
from daycentre.enrolment.forms import (
    ActivateForm,
    ChoosePersonForm,
    EnrolForm,
    ExitForm,
    RegisterFilterForm,
    SuspendForm,
    VersionForm,
)
from daycentre.enrolment.models import Enrolment, EnrolmentStatus
from daycentre.extensions import db
from daycentre.people.models import Family, Person, PersonKind
from daycentre.people.services import by_family_name, visible_people


@bp.get("/")
@requires("enrolment.read")
def list_centres():
    return render_template("enrolment/list_centres.html", centres=visible_centres(current_user))


@bp.get("/centres/<int:centre_id>")
@requires("enrolment.read")
def show_centre(centre_id: int):
    """Each group's places, its beneficiaries and its waiting list in order."""
    centre = scope.record_or_404(Centre, centre_id)
    return _centre_page(centre, _choose_person_form(centre))


def _choose_person_form(centre: Centre) -> ChoosePersonForm:
    """Whom to enrol: the people of the centre's families the user sees, searchable by name."""
    form = ChoosePersonForm()
    registered = db.session.scalars(
        db.select(Person).where(
            Person.family.has(Family.centre_id == centre.id), visible_people(current_user)
        )
    )
    picker(form.person_id, "person").choices = [
        (person.id, person.full_name) for person in by_family_name(registered)
    ]
    return form


@bp.post("/centres/<int:centre_id>/enrol")
@requires("enrolment.manage")
def choose_person(centre_id: int):
    centre = scope.record_or_404(Centre, centre_id)
    form = _choose_person_form(centre)
    if not narrowed_by_search(form) and form.validate_on_submit():
        return redirect(url_for("enrolment.enrol_person", person_id=form.person_id.data))
    return _centre_page(centre, form)


def _centre_page(centre: Centre, choose_form: ChoosePersonForm):
    groups = []
    for group in centre.groups:
        entries = db.session.scalars(
            db.select(Enrolment).where(
                Enrolment.group_id == group.id,
                Enrolment.status.in_(
                    (EnrolmentStatus.APPLIED, EnrolmentStatus.ACTIVE, EnrolmentStatus.SUSPENDED)
                ),
            )
        ).all()
        by_person = {entry.person_id: entry for entry in entries}
        ordered = [by_person[p.id] for p in by_family_name(entry.person for entry in entries)]
        groups.append(
            {
                "group": group,
                "occupied": enrolments.occupied_places(group.id),
                "entries": ordered,
                "waiting": enrolments.waiting_list(group.id),
            }
        )
    return render_template(
        "enrolment/show_centre.html", centre=centre, groups=groups, choose_form=choose_form
    )


def _register_filters(centre: Centre):
    form = RegisterFilterForm(request.args)
    entries = []
    if form.validate():
        entries = enrolments.register_entries(
            centre,
            date_from=form.date_from.data,
            date_to=form.date_to.data,
            status=form.status.data or None,
        )
    return form, entries


@bp.get("/centres/<int:centre_id>/register")
@requires("enrolment.read")
def show_register(centre_id: int):
    centre = scope.record_or_404(Centre, centre_id)
    form, entries = _register_filters(centre)
    filters = {
        key: value
        for key, value in request.args.items()
        if key in ("date_from", "date_to", "status")
    }
    status = form.status.data
    status_label = EnrolmentStatus(status).label if status in set(EnrolmentStatus) else None
    return render_template(
        "enrolment/show_register.html",
        centre=centre,
        form=form,
        entries=entries,
        filters=filters,
        status_label=status_label,
    )


EXPORT_TYPES = {"xlsx": XLSX, "csv": CSV}


@bp.get("/centres/<int:centre_id>/register/export")
@requires("register.export")
def export_register(centre_id: int):
    centre = scope.record_or_404(Centre, centre_id)
    kind = request.args.get("format", "xlsx")
    if kind not in EXPORT_TYPES:
        abort(404)
    form, entries = _register_filters(centre)
    if form.errors:
        flash_errors(form)
        return redirect(url_for("enrolment.show_register", centre_id=centre.id))
    headers, rows = exports.register_headers(), exports.register_rows(entries)
    # A sheet name holds at most 31 characters.
    title = _("Register")
    body = spreadsheet(title, headers, rows) if kind == "xlsx" else csv_file(headers, rows)
    audit.record(
        audit.EXPORT,
        entity="beneficiary_register",
        entity_id=centre.id,
        actor=current_user,
        centre_id=centre.id,
        changes={
            "format": kind,
            "rows": len(rows),
            "filters": {
                k: v for k, v in request.args.items() if k in ("date_from", "date_to", "status")
            },
        },
    )
    db.session.commit()
    filename = f"{_('Beneficiary register')} {centre.name} {today().isoformat()}.{kind}"
    return download(body, EXPORT_TYPES[kind], filename)


def _group_choices(person: Person) -> dict:
    """Active groups of the user's centres, the person's own centre first; adults only in
    parent-counselling centres. Nothing is chosen in advance: the first option only asks."""
    centres = sorted(visible_centres(current_user), key=lambda c: c.id != person.family.centre_id)
    choices = {"—": [(0, _("Choose a group"))]}
    for centre in centres:
        if person.kind is PersonKind.ADULT and centre.kind is not CentreKind.PARENT_COUNSELLING:
            continue
        groups = [(g.id, g.name) for g in centre.groups if g.active]
        if groups:
            choices[centre.name] = groups
    return choices


@bp.route("/people/<int:person_id>/new", methods=["GET", "POST"])
@requires("enrolment.manage")
def enrol_person(person_id: int):
    person = scope.record_or_404(Person, person_id)
    form = EnrolForm()
    form.group_id.choices = _group_choices(person)
    if not form.is_submitted():
        form.applied_on.data = today()
    if form.validate_on_submit():
        group = scope.record_or_404(Group, form.group_id.data)
        enrolment = run_service(
            None,
            None,
            enrolments.apply,
            person,
            group=group,
            applied_on=form.applied_on.data,
            actor=current_user,
            notes=form.notes.data,
        )
        if enrolment is not None:
            if enrolment.status is EnrolmentStatus.WAITING:
                flash(_("The group is full: the application was put on the waiting list."), "info")
            else:
                flash(
                    _(
                        "The application was registered with number %(number)s.",
                        number=enrolment.number,
                    ),
                    "success",
                )
            return redirect(url_for("enrolment.show_enrolment", enrolment_id=enrolment.id))
    return render_template("enrolment/enrol_person.html", form=form, person=person)


@bp.get("/<int:enrolment_id>")
@requires("enrolment.read")
def show_enrolment(enrolment_id: int):
    enrolment = scope.record_or_404(Enrolment, enrolment_id)
    version = {"version": enrolment.version}
    position = None
    if enrolment.status is EnrolmentStatus.WAITING:
        line = [entry.id for entry in enrolments.waiting_list(enrolment.group_id)]
        position = line.index(enrolment.id) + 1
    activate_form = ActivateForm(
        formdata=None, data=version | {"contract_date": today(), "start_date": today()}
    )
    return render_template(
        "enrolment/show_enrolment.html",
        enrolment=enrolment,
        position=position,
        can_activate=enrolments.can_be_activated(enrolment),
        occupied=enrolments.occupied_places(enrolment.group_id),
        activate_form=activate_form,
        suspend_form=SuspendForm(formdata=None, data=version | {"suspended_on": today()}),
        exit_form=ExitForm(formdata=None, data=version | {"exit_date": today()}),
        version_form=VersionForm(formdata=None, data=version),
    )


@bp.get("/<int:enrolment_id>/contract/<any(ro, hu):language>")
@requires("enrolment.read")
def print_contract(enrolment_id: int, language: str):
    """The signed service contract, for the child's file or a copy for the family."""
    enrolment = scope.record_or_404(Enrolment, enrolment_id)
    if not enrolment.contract_signed:
        abort(404)
    response = contract.contract_download(enrolment, language=language, actor=current_user)
    db.session.commit()
    return response


def _back(enrolment_id: int):
    return redirect(url_for("enrolment.show_enrolment", enrolment_id=enrolment_id))


@bp.post("/<int:enrolment_id>/activate")
@requires("enrolment.manage")
def activate(enrolment_id: int):
    enrolment = scope.record_or_404(Enrolment, enrolment_id)
    form = ActivateForm()
    if not form.validate_on_submit():
        flash_errors(form)
        return _back(enrolment_id)
    done = service_done(
        None,
        None,
        enrolments.activate,
        enrolment,
        actor=current_user,
        version=form.version.data,
        contract_number=form.contract_number.data,
        contract_date=form.contract_date.data,
        start_date=form.start_date.data,
    )
    if done:
        flash(_("The enrolment is active."), "success")
    return _back(enrolment_id)


@bp.post("/<int:enrolment_id>/waiting")
@requires("enrolment.manage")
def put_on_waiting_list(enrolment_id: int):
    enrolment = scope.record_or_404(Enrolment, enrolment_id)
    form = VersionForm()
    if form.validate_on_submit():
        done = service_done(
            None,
            None,
            enrolments.put_on_waiting_list,
            enrolment,
            actor=current_user,
            version=form.version.data,
        )
        if done:
            flash(_("The application was put on the waiting list."), "success")
    return _back(enrolment_id)


@bp.post("/<int:enrolment_id>/suspend")
@requires("enrolment.manage")
def suspend(enrolment_id: int):
    enrolment = scope.record_or_404(Enrolment, enrolment_id)
    form = SuspendForm()
    if not form.validate_on_submit():
        flash_errors(form)
        return _back(enrolment_id)
    done = service_done(
        None,
        None,
        enrolments.suspend,
        enrolment,
        actor=current_user,
        version=form.version.data,
        suspended_on=form.suspended_on.data,
    )
    if done:
        flash(_("The enrolment is suspended; the place is kept."), "success")
    return _back(enrolment_id)


@bp.post("/<int:enrolment_id>/resume")
@requires("enrolment.manage")
def resume(enrolment_id: int):
    enrolment = scope.record_or_404(Enrolment, enrolment_id)
    form = VersionForm()
    if form.validate_on_submit():
        done = service_done(
            None, None, enrolments.resume, enrolment, actor=current_user, version=form.version.data
        )
        if done:
            flash(_("The enrolment is active again."), "success")
    return _back(enrolment_id)


@bp.post("/<int:enrolment_id>/exit")
@requires("enrolment.manage")
def exit_service(enrolment_id: int):
    enrolment = scope.record_or_404(Enrolment, enrolment_id)
    form = ExitForm()
    if not form.validate_on_submit():
        flash_errors(form)
        return _back(enrolment_id)
    # The place it frees may be offered at once: kept in a list, as None is the service's answer.
    outcome = run_service(
        None,
        None,
        lambda: [
            enrolments.exit_service(
                enrolment,
                actor=current_user,
                version=form.version.data,
                exit_date=form.exit_date.data,
                exit_reason=form.exit_reason.data,
                exit_cause=form.exit_cause.data,
            )
        ],
    )
    if outcome is not None:
        flash(_("The service ended."), "success")
        if offered := outcome[0]:
            name = offered.person.full_name
            flash(
                _("The freed place is offered to %(name)s, first on the waiting list.", name=name),
                "info",
            )
    return _back(enrolment_id)
