"""Screens for parenting workshops and support groups."""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user

from daycentre.auth import scope
from daycentre.auth.models import User
from daycentre.auth.permissions import requires
from daycentre.centres.models import Centre, Room
from daycentre.centres.services import visible_centres
from daycentre.core import submissions
from daycentre.core.forms import narrowed_by_search, picker, run_service
from daycentre.core.localtime import local_instant, today
from daycentre.counselling import services as counselling
from daycentre.extensions import db
from daycentre.people import services as people
from daycentre.people.models import Person, PersonKind
from daycentre.workshops import bp, certificate
from daycentre.workshops import services as workshops
from daycentre.workshops.forms import (
    AttendanceForm,
    ButtonForm,
    GroupForm,
    JoinForm,
    LeaveForm,
    MeetingForm,
    NewAdultForm,
    RegisterForm,
    SessionTimeForm,
    WorkshopDetailsForm,
    WorkshopForm,
)
from daycentre.workshops.models import (
    GroupMeeting,
    GroupMembership,
    RegistrationStatus,
    SupportGroup,
    Workshop,
    WorkshopRegistration,
    WorkshopSession,
)

CERTIFICATE_LANGUAGES = ("ro", "hu")


# --- Loading and scope ----------------------------------------------------------------------------


def _rooms(centre: Centre) -> list[tuple[int, str]]:
    return [(room.id, room.name) for room in centre.rooms if room.active]


def _counsellors(centre: Centre) -> list[tuple[int, str]]:
    return [(user.id, user.full_name) for user in counselling.counsellors_of(centre)]


def _adult_choices(people_list) -> list[tuple[int, str]]:
    return [(person.id, person.full_name) for person in people.by_family_name(people_list)]


def _workshop_page(workshop: Workshop) -> str:
    return url_for("workshops.show_workshop", workshop_id=workshop.id)


def _back_to_workshop(workshop: Workshop):
    return redirect(_workshop_page(workshop))


# --- Lists ----------------------------------------------------------------------------------------


@bp.get("/")
@requires("workshops.read")
def list_workshops():
    return render_template(
        "workshops/list_workshops.html",
        workshops=workshops.visible_workshops(current_user),
        groups=workshops.visible_groups(current_user),
        centres=visible_centres(current_user),
    )


# --- Workshops ------------------------------------------------------------------------------------


@bp.route("/new/<int:centre_id>", methods=["GET", "POST"])
@requires("workshops.manage")
def create_workshop(centre_id: int):
    centre = scope.record_or_404(Centre, centre_id)
    form = WorkshopForm()
    form.room_id.choices = _rooms(centre)
    form.facilitator_ids.choices = _counsellors(centre)
    if request.method == "GET":
        form.first_day.data = today()
    if form.validate_on_submit():
        workshop = run_service(
            form,
            None,
            submissions.once(form, workshops.create_workshop, _workshop_page),
            centre,
            actor=current_user,
            title=form.title.data,
            description=form.description.data,
            audience=form.audience.data,
            room=db.session.get(Room, form.room_id.data),
            capacity=form.capacity.data,
            facilitators=[db.session.get(User, i) for i in form.facilitator_ids.data or []],
            first_start=local_instant(form.first_day.data, form.start_time.data),
            minutes=form.minutes.data,
            count=form.count.data,
            interval_days=form.interval_days.data,
        )
        if workshop:
            flash(_("The workshop and its sessions were created."), "success")
            return _back_to_workshop(workshop)
    return render_template("workshops/create_workshop.html", form=form, centre=centre)


@bp.get("/<int:workshop_id>")
@requires("workshops.read")
def show_workshop(workshop_id: int):
    workshop = scope.record_or_404(Workshop, workshop_id)
    register_form = RegisterForm()
    picker(register_form.person_id, "person").choices = _adult_choices(
        workshops.candidates(workshop)
    )
    return _render_workshop(workshop, register_form)


def _render_workshop(workshop: Workshop, register_form: RegisterForm):
    adult_form = NewAdultForm(city=workshop.centre.city)
    return render_template(
        "workshops/show_workshop.html",
        workshop=workshop,
        participants=workshops.participants(workshop),
        waiting=workshops.waiting_list(workshop),
        progress=workshops.progress(workshop),
        register_form=register_form,
        adult_form=adult_form,
        button=ButtonForm(),
        share=workshops.completion_percent(),
        languages=CERTIFICATE_LANGUAGES,
    )


@bp.route("/<int:workshop_id>/edit", methods=["GET", "POST"])
@requires("workshops.manage")
def edit_workshop(workshop_id: int):
    workshop = scope.record_or_404(Workshop, workshop_id)
    form = WorkshopDetailsForm(obj=workshop)
    if request.method == "GET":
        form.audience.data = workshop.audience.value
    if form.validate_on_submit():
        promoted = run_service(
            form,
            workshop,
            workshops.update_workshop,
            workshop,
            actor=current_user,
            title=form.title.data,
            description=form.description.data,
            audience=form.audience.data,
            capacity=form.capacity.data,
        )
        if promoted is not None:
            flash(_("The workshop was saved."), "success")
            _flash_promoted(promoted)
            return _back_to_workshop(workshop)
    return render_template("workshops/edit_workshop.html", form=form, workshop=workshop)


def _flash_promoted(promoted) -> None:
    for registration in promoted:
        flash(
            _(
                "%(name)s moved up from the waiting list and has a place now.",
                name=registration.person.full_name,
            ),
            "info",
        )


@bp.post("/<int:workshop_id>/register")
@requires("workshops.manage")
def register_participant(workshop_id: int):
    workshop = scope.record_or_404(Workshop, workshop_id)
    form = RegisterForm()
    picker(form.person_id, "person").choices = _adult_choices(workshops.candidates(workshop))
    if narrowed_by_search(form):  # no script: the same page, its list narrowed to the names found
        return _render_workshop(workshop, form)
    if form.validate_on_submit():
        person = db.session.get(Person, form.person_id.data)
        _register(form, workshop, person)
    else:
        flash(_("Choose an adult of this centre."), "error")
    return _back_to_workshop(workshop)


def _register(form, workshop: Workshop, person: Person) -> None:
    registration = run_service(form, None, workshops.register, workshop, person, actor=current_user)
    if registration is None:
        return
    if registration.status is RegistrationStatus.REGISTERED:
        flash(_("%(name)s is registered.", name=person.full_name), "success")
    else:
        flash(
            _("The workshop is full: %(name)s is on the waiting list.", name=person.full_name),
            "info",
        )


def _add_adult(workshop: Workshop, form: NewAdultForm) -> Person:
    family = people.save_family(
        None,
        actor=current_user,
        centre_id=workshop.centre_id,
        name=form.family_name.data,
        address=form.address.data,
        city=form.city.data,
        phone=form.phone.data,
    )
    person = people.save_person(
        None,
        family=family,
        kind=PersonKind.ADULT,
        actor=current_user,
        family_name=form.family_name.data,
        given_name=form.given_name.data,
        relation=form.relation.data,
        phone=form.phone.data,
    )
    return workshops.register(workshop, person, actor=current_user)


@bp.post("/<int:workshop_id>/new-adult")
@requires("workshops.manage")
def add_adult(workshop_id: int):
    """A new adult on the spot: a family and a person in the register, then the registration."""
    workshop = scope.record_or_404(Workshop, workshop_id)
    form = NewAdultForm()
    if not form.validate_on_submit():
        flash(_("Fill in the name, the address and the city."), "error")
        return _back_to_workshop(workshop)
    registration = run_service(
        form,
        None,
        submissions.once(form, _add_adult, lambda _: _workshop_page(workshop)),
        workshop,
        form,
    )
    if registration is not None:
        name = registration.person.full_name
        if registration.status is RegistrationStatus.REGISTERED:
            flash(_("%(name)s is registered.", name=name), "success")
        else:
            flash(_("The workshop is full: %(name)s is on the waiting list.", name=name), "info")
    return _back_to_workshop(workshop)


@bp.post("/registrations/<int:registration_id>/cancel")
@requires("workshops.manage")
def cancel_registration(registration_id: int):
    registration = scope.record_or_404(WorkshopRegistration, registration_id)
    form = ButtonForm()
    if form.validate_on_submit():
        result = run_service(
            form, None, lambda: (workshops.cancel_registration(registration, actor=current_user),)
        )
        if result is not None:
            flash(_("The registration was cancelled."), "success")
            if result[0] is not None:
                _flash_promoted([result[0]])
    return _back_to_workshop(registration.workshop)


@bp.post("/registrations/<int:registration_id>/promote")
@requires("workshops.manage")
def promote_registration(registration_id: int):
    registration = scope.record_or_404(WorkshopRegistration, registration_id)
    form = ButtonForm()
    if form.validate_on_submit() and run_service(
        form, None, workshops.promote, registration, actor=current_user
    ):
        _flash_promoted([registration])
    return _back_to_workshop(registration.workshop)


@bp.post("/registrations/<int:registration_id>/move/<any(up, down):direction>")
@requires("workshops.manage")
def move_registration(registration_id: int, direction: str):
    registration = scope.record_or_404(WorkshopRegistration, registration_id)
    form = ButtonForm()
    if form.validate_on_submit():
        run_service(
            form,
            None,
            lambda: (
                workshops.move_in_line(registration, actor=current_user, up=direction == "up")
                or True
            ),
        )
    return _back_to_workshop(registration.workshop)


@bp.route("/sessions/<int:session_id>/edit", methods=["GET", "POST"])
@requires("workshops.manage")
def edit_session(session_id: int):
    session = scope.record_or_404(WorkshopSession, session_id)
    form = SessionTimeForm()
    if request.method == "GET":
        form.day.data = session.local_start.date()
        form.start_time.data = session.local_start.time()
        form.minutes.data = int((session.ends_at - session.starts_at).total_seconds() // 60)
        form.version.data = session.version
    if form.validate_on_submit():
        saved = run_service(
            form,
            session,
            workshops.move_session,
            session,
            actor=current_user,
            start=local_instant(form.day.data, form.start_time.data),
            minutes=form.minutes.data,
            version=form.version.data,
        )
        if saved:
            flash(_("The session was moved."), "success")
            return _back_to_workshop(session.workshop)
    return render_template("workshops/edit_session.html", form=form, session=session)


@bp.route("/sessions/<int:session_id>/attendance", methods=["GET", "POST"])
@requires("workshops.attendance")
def take_attendance(session_id: int):
    session = scope.record_or_404(WorkshopSession, session_id)
    workshop = session.workshop
    registrations = workshops.participants(workshop)
    form = AttendanceForm()
    form.present.choices = [(r.person_id, r.person.full_name) for r in registrations]
    if request.method == "GET":
        marks = workshops.attendance_of(session)
        form.present.data = [person_id for person_id, present in marks.items() if present]
    if form.validate_on_submit():
        present = run_service(
            form,
            None,
            workshops.record_attendance,
            session,
            actor=current_user,
            present_ids=form.present.data or [],
        )
        if present is not None:
            flash(
                ngettext(
                    "Attendance saved: %(num)d participant present.",
                    "Attendance saved: %(num)d participants present.",
                    present,
                ),
                "success",
            )
            return _back_to_workshop(workshop)
    return render_template(
        "workshops/take_attendance.html",
        form=form,
        name=workshop.title,
        occasion=session,
        nobody=_("Nobody is registered yet."),
    )


@bp.get("/registrations/<int:registration_id>/certificate/<any(ro, hu):language>")
@requires("workshops.attendance")
def print_certificate(registration_id: int, language: str):
    registration = scope.record_or_404(WorkshopRegistration, registration_id)
    workshop = registration.workshop
    progress = workshops.progress(workshop).get(registration.person_id)
    if progress is None or not progress.completed:
        abort(404)
    response = certificate.certificate_download(
        registration, progress, language=language, actor=current_user
    )
    db.session.commit()
    return response


# --- Support groups -------------------------------------------------------------------------------


@bp.route("/groups/new/<int:centre_id>", methods=["GET", "POST"])
@requires("workshops.manage")
def create_group(centre_id: int):
    centre = scope.record_or_404(Centre, centre_id)
    form = GroupForm()
    form.room_id.choices = _rooms(centre)
    form.facilitator_id.choices = _counsellors(centre)
    if form.validate_on_submit():
        group = run_service(
            form,
            None,
            submissions.once(
                form,
                workshops.create_group,
                lambda g: url_for("workshops.show_group", group_id=g.id),
            ),
            centre,
            actor=current_user,
            topic=form.topic.data,
            facilitator=db.session.get(User, form.facilitator_id.data),
            room=db.session.get(Room, form.room_id.data),
            schedule=form.schedule.data,
        )
        if group:
            flash(_("The support group was created."), "success")
            return redirect(url_for("workshops.show_group", group_id=group.id))
    return render_template("workshops/create_group.html", form=form, centre=centre)


def _group_page(group: SupportGroup, *, join_form=None, refused_leave=None, leaving=None):
    """The group's page; a refused join or leave form comes back with its messages on its field."""
    if join_form is None:
        join_form = JoinForm(formdata=None, day=today())
        join_form.person_id.choices = _adult_choices(workshops.group_candidates(group))
    return render_template(
        "workshops/show_group.html",
        group=group,
        join_form=join_form,
        leave_form=LeaveForm(formdata=None, day=today()),
        refused_leave=refused_leave,
        leaving=leaving,
        meeting_form=MeetingForm(formdata=None, day=today()),
        attended={m.id: sum(workshops.meeting_attendance(m).values()) for m in group.meetings},
    )


@bp.get("/groups/<int:group_id>")
@requires("workshops.read")
def show_group(group_id: int):
    return _group_page(scope.record_or_404(SupportGroup, group_id))


@bp.post("/groups/<int:group_id>/join")
@requires("workshops.manage")
def join_group(group_id: int):
    group = scope.record_or_404(SupportGroup, group_id)
    form = JoinForm()
    form.person_id.choices = _adult_choices(workshops.group_candidates(group))
    if form.validate_on_submit():
        person = db.session.get(Person, form.person_id.data)
        if run_service(
            form, None, workshops.join_group, group, person, actor=current_user, on=form.day.data
        ):
            flash(_("%(name)s joined the group.", name=person.full_name), "success")
            return redirect(url_for("workshops.show_group", group_id=group.id))
    return _group_page(group, join_form=form)


@bp.post("/groups/members/<int:membership_id>/leave")
@requires("workshops.manage")
def leave_group(membership_id: int):
    membership = scope.record_or_404(GroupMembership, membership_id)
    form = LeaveForm()
    if form.validate_on_submit() and run_service(
        form, membership, workshops.leave_group, membership, actor=current_user, on=form.day.data
    ):
        flash(_("%(name)s left the group.", name=membership.person.full_name), "success")
        return redirect(url_for("workshops.show_group", group_id=membership.group_id))
    return _group_page(membership.group, refused_leave=form, leaving=membership)


@bp.post("/groups/<int:group_id>/meetings")
@requires("workshops.attendance")
def add_meetings(group_id: int):
    group = scope.record_or_404(SupportGroup, group_id)
    form = MeetingForm()
    if form.validate_on_submit():
        meetings = run_service(
            form,
            None,
            workshops.add_meetings,
            group,
            actor=current_user,
            first_start=local_instant(form.day.data, form.start_time.data),
            minutes=form.minutes.data,
            count=form.count.data,
        )
        if meetings:
            flash(
                ngettext("%(num)d meeting added.", "%(num)d meetings added.", len(meetings)),
                "success",
            )
    else:
        flash(_("Give the date, the time and the duration."), "error")
    return redirect(url_for("workshops.show_group", group_id=group.id))


@bp.route("/groups/meetings/<int:meeting_id>/attendance", methods=["GET", "POST"])
@requires("workshops.attendance")
def take_meeting_attendance(meeting_id: int):
    meeting = scope.record_or_404(GroupMeeting, meeting_id)
    members = workshops.members_on(meeting.group, meeting.local_start.date())
    form = AttendanceForm()
    form.present.choices = [(m.person_id, m.person.full_name) for m in members]
    if request.method == "GET":
        marks = workshops.meeting_attendance(meeting)
        form.present.data = [person_id for person_id, present in marks.items() if present]
    if form.validate_on_submit():
        present = run_service(
            form,
            None,
            workshops.record_meeting_attendance,
            meeting,
            actor=current_user,
            present_ids=form.present.data or [],
        )
        if present is not None:
            flash(
                ngettext(
                    "Attendance saved: %(num)d member present.",
                    "Attendance saved: %(num)d members present.",
                    present,
                ),
                "success",
            )
            return redirect(url_for("workshops.show_group", group_id=meeting.group_id))
    return render_template(
        "workshops/take_attendance.html",
        form=form,
        name=meeting.group.topic,
        occasion=meeting,
        nobody=_("The group had no members on that day."),
    )
