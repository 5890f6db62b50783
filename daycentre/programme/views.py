from datetime import date, timedelta

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user
from sqlalchemy import select

from daycentre.auth import scope
from daycentre.auth.permissions import requires
from daycentre.centres.models import Centre, Group
from daycentre.centres.services import visible_centres
from daycentre.core import submissions
from daycentre.core.documents import PDF, download, render_pdf
from daycentre.core.forms import Form, run_service
from daycentre.core.localtime import BUCHAREST, local_instant, today, week_start
from daycentre.extensions import db
from daycentre.people.models import Person
from daycentre.programme import bp
from daycentre.programme import services as programme
from daycentre.programme.forms import (
    ChildrenForm,
    CollectorForm,
    DepartureForm,
    LeavingAloneForm,
    OpenWeekForm,
    OutingActionForm,
    OutingForm,
    PermissionForm,
    ProgrammeForm,
    SchoolContactForm,
    SchoolLinkForm,
    SchoolResultForm,
    SlotForm,
    SlotNoteForm,
)
from daycentre.programme.models import (
    Collector,
    Outing,
    OutingChild,
    OutingStatus,
    PermissionState,
    ProgrammeSlot,
    Weekday,
    WeeklyProgramme,
)

READ, MANAGE, SCHOOL = "programme.read", "programme.manage", "school.manage"
PDF_LANGUAGES = ("ro", "hu")


def _printed_language() -> str:
    language = request.args.get("language")
    return language if language in PDF_LANGUAGES else "ro"


def _day_or_404(raw: str) -> date:
    try:
        return date.fromisoformat(raw)
    except ValueError:
        abort(404)


@bp.app_context_processor
def _roll_day():
    """What the roll page's partial (``programme/_roll_day.html``) asks for besides the roll (whose
    statements read the day's slots and departures, ``programme.roll``): its forms' defaults."""
    return {"programme_roll_day": _roll_day_of, "programme_school_of": _school_of}


def _school_of(people) -> list[dict]:
    """Each child's school and term results, for the case's monitoring (the case page's own read
    is audited by the case)."""
    return [
        {"person": p, "link": programme.school_link(p), "results": programme.school_results(p)}
        for p in people
        if p.is_child
    ]


def _roll_day_of(day: date) -> dict:
    """The programme's forms on the roll page. They are written out in the partial: the roll page
    is opened all day in every centre, and building WTForms objects for them cost as much as the
    roll itself; their saves are checked by ``SlotNoteForm`` and ``DepartureForm``."""
    now = programme.now_time() if day == today() else None
    return {
        "left_at": now.strftime("%H:%M") if now else "",
        "may_record": current_user.can(MANAGE) and day <= today(),
    }


# --- The weekly programme ------------------------------------------------------------------------


@bp.get("/")
@requires(READ)
def index():
    """Each group of the user's centres with the programme in force today, and the outings."""
    day = today()
    centres = visible_centres(current_user)
    current = {}
    for centre in centres:
        for group in centre.groups:
            current[group.id] = programme.programme_on(group.id, day)
    return render_template("programme/index.html", centres=centres, current=current, day=day)


@bp.route("/groups/<int:group_id>", methods=["GET", "POST"])
@requires(READ)
def show_group(group_id: int):
    group = scope.record_or_404(Group, group_id)
    form = ProgrammeForm()
    if form.validate_on_submit():
        if not current_user.can(MANAGE):
            abort(403)
        save = submissions.once(form, programme.create_programme, _programme_page)
        saved = run_service(
            form,
            None,
            save,
            group,
            actor=current_user,
            valid_from=form.in_force_from.data,
            notes=form.notes.data,
            copy_current=form.copy_current.data,
        )
        if saved:
            flash(_("The programme was created."), "success")
            return redirect(_programme_page(saved))
    return render_template(
        "programme/show_group.html",
        group=group,
        programmes=programme.programmes_of(group),
        current=programme.programme_on(group.id, today()),
        form=form,
    )


def _programme_page(record: WeeklyProgramme) -> str:
    return url_for("programme.show_programme", programme_id=record.id)


def _slot_form(record: WeeklyProgramme, slot=None) -> SlotForm:
    return SlotForm(
        obj=slot,
        staff=programme.staff_of(record.centre_id),
        volunteers=programme.volunteers_of(record.centre_id),
        rooms=programme.rooms_of(record.centre_id),
    )


def _save_slot(form: SlotForm, record: WeeklyProgramme, slot=None):
    return run_service(
        form,
        slot,
        programme.save_slot,
        slot,
        programme=record,
        actor=current_user,
        version=form.version.data,
        weekday=form.weekday.data,
        starts_at=form.starts_at.data,
        ends_at=form.ends_at.data,
        kind=form.kind.data,
        title=form.title.data,
        leader_id=form.leader_id.data,
        volunteer_id=form.volunteer_id.data,
        volunteer_places=form.volunteer_places.data,
        room_id=form.room_id.data,
    )


@bp.route("/<int:programme_id>", methods=["GET", "POST"])
@requires(READ)
def show_programme(programme_id: int):
    record = scope.record_or_404(WeeklyProgramme, programme_id)
    form = _slot_form(record)
    if form.validate_on_submit():
        if not current_user.can(MANAGE):
            abort(403)
        if _save_slot(form, record):
            flash(_("The slot was saved."), "success")
            return redirect(_programme_page(record))
    week_form = OpenWeekForm(formdata=None)
    week_form.monday.data = week_start(today()) + timedelta(days=7)
    return render_template(
        "programme/show_programme.html",
        programme=record,
        group=record.group,
        until=programme.valid_until(record),
        by_day=_by_day(record),
        form=form,
        week_form=week_form,
        button_form=Form(),
    )


def _by_day(record: WeeklyProgramme) -> list[tuple[Weekday, list[ProgrammeSlot]]]:
    days = [(day, [s for s in record.slots if s.weekday is day]) for day in Weekday]
    return [(day, slots) for day, slots in days if slots or int(day.value) <= 5]


@bp.route("/slots/<int:slot_id>/edit", methods=["GET", "POST"])
@requires(MANAGE)
def edit_slot(slot_id: int):
    slot = scope.record_or_404(ProgrammeSlot, slot_id)
    form = _slot_form(slot.programme, slot)
    if not form.is_submitted():
        form.weekday.data = slot.weekday.value
        form.kind.data = slot.kind.value
    if form.validate_on_submit() and _save_slot(form, slot.programme, slot):
        flash(_("The slot was saved."), "success")
        return redirect(_programme_page(slot.programme))
    return render_template("programme/edit_slot.html", slot=slot, form=form)


@bp.post("/slots/<int:slot_id>/delete")
@requires(MANAGE)
def delete_slot(slot_id: int):
    slot = scope.record_or_404(ProgrammeSlot, slot_id)
    record = slot.programme
    form = Form()
    if form.validate_on_submit() and run_service(
        None, None, lambda: programme.delete_slot(slot, actor=current_user) or True
    ):
        flash(_("The slot was removed."), "success")
    return redirect(_programme_page(record))


@bp.post("/<int:programme_id>/open-week")
@requires(MANAGE)
def open_week(programme_id: int):
    record = scope.record_or_404(WeeklyProgramme, programme_id)
    form = OpenWeekForm()
    if form.validate_on_submit():
        opened = run_service(
            None,
            None,
            programme.open_week_to_volunteers,
            record,
            form.monday.data,
            actor=current_user,
        )
        if opened:
            flash(
                ngettext(
                    "%(num)d activity was opened to volunteers.",
                    "%(num)d activities were opened to volunteers.",
                    len(opened),
                ),
                "success",
            )
    else:
        flash(_("Enter the week to open."), "error")
    return redirect(_programme_page(record))


@bp.get("/<int:programme_id>/programme.pdf")
@requires(READ)
def print_programme(programme_id: int):
    record = scope.record_or_404(WeeklyProgramme, programme_id)
    language = _printed_language()
    content = render_pdf(
        "programme/pdf_programme.html",
        language=language,
        programme=record,
        group=record.group,
        until=programme.valid_until(record),
        by_day=_by_day(record),
    )
    return download(content, PDF, f"program-{record.group.name}-{record.valid_from}.pdf")


@bp.post("/slots/<int:slot_id>/days/<day>/note")
@requires(MANAGE)
def write_note(slot_id: int, day: str):
    slot = scope.record_or_404(ProgrammeSlot, slot_id)
    on = _day_or_404(day)
    form = SlotNoteForm()
    if form.validate_on_submit():
        if run_service(
            None, None, programme.write_slot_note, slot, on, actor=current_user, note=form.note.data
        ):
            flash(_("The note was saved."), "success")
    else:
        flash(_("The note is too long."), "error")
    return _back_to_roll(slot.programme.group_id, on)


def _back_to_roll(group_id: int, day: date):
    return redirect(
        url_for("attendance.take_roll", group_id=group_id, day=day.isoformat()) + "#programme-day"
    )


@bp.post("/groups/<int:group_id>/days/<day>/departures")
@requires(MANAGE)
def record_departure(group_id: int, day: str):
    group = scope.record_or_404(Group, group_id)
    on = _day_or_404(day)
    form = DepartureForm(children=programme.active_children(group, on))
    if not form.validate_on_submit():
        flash(_("Choose the child and enter the time."), "error")
        return _back_to_roll(group.id, on)
    person = scope.record_or_404(Person, form.person_id.data)
    departure = run_service(
        None,
        None,
        programme.record_departure,
        group,
        person,
        on,
        actor=current_user,
        left_at=form.left_at.data,
        collected_by=form.collected_by.data,
        alone=form.alone.data,
    )
    if departure is not None:
        if departure.not_allowed and departure.alone:
            flash(
                _(
                    "%(name)s has no written consent to leave alone: the departure was recorded "
                    "and flagged.",
                    name=person.full_name,
                ),
                "error",
            )
        elif departure.not_allowed:
            flash(
                _(
                    "%(who)s is not on the list of people allowed to collect %(name)s: the "
                    "departure was recorded and flagged.",
                    who=departure.collected_by,
                    name=person.full_name,
                ),
                "error",
            )
        else:
            flash(_("The departure of %(name)s was recorded.", name=person.full_name), "success")
    return _back_to_roll(group.id, on)


# --- Outings --------------------------------------------------------------------------------------


@bp.get("/outings")
@requires(READ)
def list_outings():
    outings = db.session.scalars(
        scope.select_visible(Outing, current_user).order_by(Outing.starts_at.desc())
    )
    return render_template("programme/list_outings.html", outings=list(outings))


def _outing_page(outing: Outing) -> str:
    return url_for("programme.show_outing", outing_id=outing.id)


@bp.route("/outings/new", methods=["GET", "POST"])
@bp.route("/outings/<int:outing_id>/edit", methods=["GET", "POST"])
@requires(MANAGE)
def edit_outing(outing_id: int | None = None):
    outing = scope.record_or_404(Outing, outing_id) if outing_id else None
    centres = visible_centres(current_user)
    centre_id = outing.centre_id if outing else request.form.get("centre_id", type=int)
    if centre_id is None and centres:
        centre_id = centres[0].id
    form = OutingForm(
        obj=outing,
        centre_choices=[(c.id, c.name) for c in centres],
        staff=programme.staff_of(centre_id) if centre_id else [],
        volunteers=programme.volunteers_of(centre_id) if centre_id else [],
    )
    if not form.is_submitted():
        if outing is None:
            form.children_per_adult.data = programme.default_ratio()
        else:
            starts, ends = (
                outing.starts_at.astimezone(BUCHAREST),
                outing.ends_at.astimezone(BUCHAREST),
            )
            form.leaves_on.data, form.leaves_at.data = starts.date(), starts.time()
            form.returns_on.data, form.returns_at.data = ends.date(), ends.time()
            form.kind.data = outing.kind.value
            form.staff_ids.data = [u.id for u in outing.staff]
            form.volunteer_ids.data = [v.id for v in outing.volunteers]
    if form.validate_on_submit():
        centre = scope.record_or_404(Centre, form.centre_id.data)
        if outing is not None and centre.id != outing.centre_id:
            abort(404)
        save = programme.save_outing
        if outing is None:
            save = submissions.once(form, save, _outing_page)
        saved = run_service(
            form,
            outing,
            save,
            outing,
            centre=centre,
            actor=current_user,
            version=form.version.data,
            staff_ids=form.staff_ids.data,
            volunteer_ids=form.volunteer_ids.data,
            kind=form.kind.data,
            title=form.title.data,
            destination=form.destination.data,
            starts_at=local_instant(form.leaves_on.data, form.leaves_at.data),
            ends_at=local_instant(form.returns_on.data, form.returns_at.data),
            transport=form.transport.data or None,
            children_per_adult=form.children_per_adult.data,
            notes=form.notes.data or None,
        )
        if saved:
            flash(_("The outing was saved."), "success")
            return redirect(_outing_page(saved))
    heading = outing.title if outing else _("New outing")
    return render_template("programme/edit_outing.html", form=form, outing=outing, heading=heading)


@bp.get("/outings/<int:outing_id>")
@requires(READ)
def show_outing(outing_id: int):
    outing = scope.record_or_404(Outing, outing_id)
    children = sorted(outing.children, key=lambda c: (c.person.family_name, c.person.given_name))
    invited = {c.person_id for c in outing.children}
    invite_form = ChildrenForm(
        formdata=None,
        prefix="invite",
        children=[p for p in programme.invitable_children(outing) if p.id not in invited],
    )
    final_form = ChildrenForm(formdata=None, prefix="final", children=[c.person for c in children])
    final_form.person_ids.data = [c.person_id for c in outing.final_list]
    went = [c for c in children if c.on_final_list]
    count_form = ChildrenForm(
        formdata=None,
        prefix="count",
        children=[c.person for c in went if outing.status is OutingStatus.CONFIRMED or c.left],
    )
    count_form.version.data = outing.version
    action_form = OutingActionForm(formdata=None)
    action_form.version.data = outing.version
    return render_template(
        "programme/show_outing.html",
        outing=outing,
        children=children,
        invite_form=invite_form,
        final_form=final_form,
        count_form=count_form,
        action_form=action_form,
        needed=programme.adults_needed(outing),
        missing=programme.missing_children(outing),
        statuses=OutingStatus,
        states=PermissionState,
    )


@bp.post("/outings/<int:outing_id>/invite")
@requires(MANAGE)
def invite_children(outing_id: int):
    outing = scope.record_or_404(Outing, outing_id)
    form = ChildrenForm(prefix="invite", children=programme.invitable_children(outing))
    if form.validate_on_submit():
        if run_service(
            None, None, programme.invite, outing, form.person_ids.data, actor=current_user
        ):
            flash(_("The children were invited."), "success")
    else:
        flash(_("Choose the children to invite."), "error")
    return redirect(_outing_page(outing))


@bp.route("/outings/<int:outing_id>/children/<int:child_id>/permission", methods=["GET", "POST"])
@requires(MANAGE)
def edit_permission(outing_id: int, child_id: int):
    outing = scope.record_or_404(Outing, outing_id)
    child = scope.record_or_404(OutingChild, child_id, rule=lambda c: c.outing_id == outing.id)
    form = PermissionForm()
    if not form.is_submitted():
        form.state.data = child.permission.value
        form.answered_by.data = child.permission_by
        form.answered_on.data = child.permission_on or today()
        form.medium.data = child.permission_medium.value if child.permission_medium else "paper"
        form.language.data = child.language
    if form.validate_on_submit():
        saved = run_service(
            form,
            None,
            programme.record_permission,
            child,
            actor=current_user,
            state=form.state.data,
            given_by=form.answered_by.data,
            given_on=form.answered_on.data,
            medium=form.medium.data,
            language=form.language.data,
        )
        if saved:
            flash(
                _("The permission of %(name)s was saved.", name=child.person.full_name), "success"
            )
            return redirect(_outing_page(outing))
    return render_template("programme/edit_permission.html", outing=outing, child=child, form=form)


@bp.get("/outings/<int:outing_id>/children/<int:child_id>/permission.pdf")
@requires(READ)
def print_permission_slip(outing_id: int, child_id: int):
    outing = scope.record_or_404(Outing, outing_id)
    child = scope.record_or_404(OutingChild, child_id, rule=lambda c: c.outing_id == outing.id)
    language = request.args.get("language") or child.language
    language = language if language in PDF_LANGUAGES else "ro"
    programme.record_slip_printed(child, actor=current_user)
    db.session.commit()
    content = render_pdf(
        "programme/pdf_permission.html",
        language=language,
        outing=outing,
        child=child,
        person=child.person,
        centre=outing.centre,
    )
    return download(content, PDF, f"acord-excursie-{outing.id}-{child.person.listed_name}.pdf")


@bp.post("/outings/<int:outing_id>/final-list")
@requires(MANAGE)
def set_final_list(outing_id: int):
    outing = scope.record_or_404(Outing, outing_id)
    form = ChildrenForm(prefix="final", children=[c.person for c in outing.children])
    if form.validate_on_submit():
        if (
            run_service(
                None,
                None,
                programme.set_final_list,
                outing,
                form.person_ids.data,
                actor=current_user,
            )
            is not None
        ):
            flash(_("The final list was saved."), "success")
    else:
        flash(_("Choose the children who go."), "error")
    return redirect(_outing_page(outing))


def _outing_action(outing_id: int, service, done: str):
    outing = scope.record_or_404(Outing, outing_id)
    form = OutingActionForm()
    if form.validate_on_submit() and run_service(
        None, None, lambda: service(outing, actor=current_user, version=form.version.data) or True
    ):
        flash(done, "success")
    return redirect(_outing_page(outing))


@bp.post("/outings/<int:outing_id>/confirm")
@requires(MANAGE)
def confirm_outing(outing_id: int):
    return _outing_action(outing_id, programme.confirm_outing, _("The outing was confirmed."))


@bp.post("/outings/<int:outing_id>/cancel")
@requires(MANAGE)
def cancel_outing(outing_id: int):
    return _outing_action(outing_id, programme.cancel_outing, _("The outing was cancelled."))


@bp.post("/outings/<int:outing_id>/departure")
@requires(MANAGE)
def count_departure(outing_id: int):
    outing = scope.record_or_404(Outing, outing_id)
    form = ChildrenForm(prefix="count", children=[c.person for c in outing.final_list])
    if form.validate_on_submit():
        going = run_service(
            None,
            outing,
            programme.count_departure,
            outing,
            form.person_ids.data,
            actor=current_user,
            version=form.version.data,
        )
        if going:
            flash(ngettext("%(num)d child left.", "%(num)d children left.", len(going)), "success")
    return redirect(_outing_page(outing))


@bp.post("/outings/<int:outing_id>/return")
@requires(MANAGE)
def count_return(outing_id: int):
    outing = scope.record_or_404(Outing, outing_id)
    form = ChildrenForm(prefix="count", children=[c.person for c in outing.final_list if c.left])
    if form.validate_on_submit():
        missing = run_service(
            None,
            outing,
            programme.count_return,
            outing,
            form.person_ids.data,
            actor=current_user,
            version=form.version.data,
        )
        if missing:
            names = ", ".join(c.person.full_name for c in missing)
            flash(
                _(
                    "Missing at return: %(names)s. This is a serious incident: tell the "
                    "coordinator, the parents and the police now.",
                    names=names,
                ),
                "error",
            )
        elif missing is not None:
            flash(_("Every child came back."), "success")
    return redirect(_outing_page(outing))


# --- A child's school and who may collect them ----------------------------------------------------


def _child_or_404(person_id: int) -> Person:
    person = scope.record_or_404(Person, person_id)
    if not person.is_child:
        abort(404)
    return person


def _child_page(person: Person) -> str:
    return url_for("programme.show_child", person_id=person.id)


def _school_years() -> list[int]:
    current = programme.school_year_of(today())
    return [current - n for n in range(0, 4)]


@bp.get("/children/<int:person_id>")
@requires(READ)
def show_child(person_id: int):
    person = _child_or_404(person_id)
    programme.record_read(person, actor=current_user)
    db.session.commit()
    link = programme.school_link(person)
    link_form = SchoolLinkForm(formdata=None, obj=link)
    result_form = SchoolResultForm(formdata=None, years=_school_years())
    alone = programme.leaving_alone(person)
    alone_form = LeavingAloneForm(formdata=None, obj=alone)
    alone_form.signed_by.data = alone.given_by if alone else None
    alone_form.allowed.data = programme.may_leave_alone(person, today())
    return render_template(
        "programme/show_child.html",
        person=person,
        link=link,
        link_form=link_form,
        contacts=programme.school_contacts(person),
        contact_form=SchoolContactForm(formdata=None, day=today()),
        results=programme.school_results(person),
        result_form=result_form,
        collectors=programme.collectors_of(person, include_inactive=True),
        collector_form=CollectorForm(formdata=None),
        alone=alone,
        alone_form=alone_form,
    )


def _refused_on_child_page(form):
    for errors in form.errors.values():
        for error in errors:
            flash(error, "error")


@bp.post("/children/<int:person_id>/school")
@requires(SCHOOL)
def save_school_link(person_id: int):
    person = _child_or_404(person_id)
    form = SchoolLinkForm()
    if form.validate_on_submit():
        if run_service(
            None,
            None,
            programme.save_school_link,
            person,
            actor=current_user,
            version=form.version.data,
            form_teacher=form.form_teacher.data,
            teacher_phone=form.teacher_phone.data,
            teacher_email=form.teacher_email.data,
        ):
            flash(_("The school details were saved."), "success")
    else:
        _refused_on_child_page(form)
    return redirect(_child_page(person) + "#school")


@bp.post("/children/<int:person_id>/school-contacts")
@requires(SCHOOL)
def add_school_contact(person_id: int):
    person = _child_or_404(person_id)
    form = SchoolContactForm()
    if form.validate_on_submit():
        save = submissions.once(
            form, programme.record_school_contact, lambda _: _child_page(person)
        )
        if run_service(
            None,
            None,
            save,
            person,
            actor=current_user,
            day=form.day.data,
            with_whom=form.with_whom.data,
            subject=form.subject.data,
            agreed=form.agreed.data,
        ):
            flash(_("The contact with the school was recorded."), "success")
    else:
        _refused_on_child_page(form)
    return redirect(_child_page(person) + "#school")


@bp.post("/children/<int:person_id>/school-results")
@requires(SCHOOL)
def save_school_result(person_id: int):
    person = _child_or_404(person_id)
    form = SchoolResultForm(years=_school_years())
    if form.validate_on_submit():
        if run_service(
            None,
            None,
            programme.record_school_result,
            person,
            actor=current_user,
            school_year=form.school_year.data,
            term=form.term.data,
            average=form.average.data,
            qualifier=form.qualifier.data or None,
            absences=form.absences.data,
            unexcused_absences=form.unexcused_absences.data,
        ):
            flash(_("The school result was saved."), "success")
    else:
        _refused_on_child_page(form)
    return redirect(_child_page(person) + "#school")


@bp.post("/children/<int:person_id>/collectors")
@requires(SCHOOL)
def add_collector(person_id: int):
    person = _child_or_404(person_id)
    form = CollectorForm()
    if form.validate_on_submit():
        save = submissions.once(form, programme.save_collector, lambda _: _child_page(person))
        if run_service(
            None,
            None,
            save,
            None,
            person=person,
            actor=current_user,
            name=form.name.data,
            relation=form.relation_to_child.data,
            phone=form.phone.data,
            id_document=form.id_document.data,
            id_checked=form.id_checked.data,
            active=form.active.data,
        ):
            flash(_("The person allowed to collect the child was saved."), "success")
    else:
        _refused_on_child_page(form)
    return redirect(_child_page(person) + "#pick-up")


@bp.route("/collectors/<int:collector_id>/edit", methods=["GET", "POST"])
@requires(SCHOOL)
def edit_collector(collector_id: int):
    collector = scope.record_or_404(Collector, collector_id)
    person = collector.person
    form = CollectorForm(obj=collector)
    if not form.is_submitted():
        form.id_checked.data = collector.id_checked_on is not None
        form.relation_to_child.data = collector.relation
    if form.validate_on_submit() and run_service(
        form,
        collector,
        programme.save_collector,
        collector,
        person=person,
        actor=current_user,
        version=form.version.data,
        name=form.name.data,
        relation=form.relation_to_child.data,
        phone=form.phone.data,
        id_document=form.id_document.data,
        id_checked=form.id_checked.data,
        active=form.active.data,
    ):
        flash(_("The person allowed to collect the child was saved."), "success")
        return redirect(_child_page(person) + "#pick-up")
    return render_template(
        "programme/edit_collector.html", collector=collector, person=person, form=form
    )


@bp.post("/children/<int:person_id>/leaving-alone")
@requires(SCHOOL)
def save_leaving_alone(person_id: int):
    person = _child_or_404(person_id)
    form = LeavingAloneForm()
    if form.validate_on_submit():
        if run_service(
            None,
            None,
            programme.save_leaving_alone,
            person,
            actor=current_user,
            allowed=form.allowed.data,
            consent_on=form.consent_on.data,
            given_by=form.signed_by.data,
        ):
            flash(_("Saved."), "success")
    else:
        _refused_on_child_page(form)
    return redirect(_child_page(person) + "#pick-up")


@bp.get("/school-results")
@requires(READ)
def show_school_results():
    """Children whose school results improved over the year, with the records behind the number."""
    years = _school_years()
    year = request.args.get("year", type=int)
    if year not in years:
        year = years[0]
    people = select(Person.id).where(scope.visible(Person, current_user))
    rows = programme.results_over_year(people, year)
    return render_template(
        "programme/show_school_results.html",
        rows=rows,
        year=year,
        years=years,
        improved=[r for r in rows if r.improved],
    )
