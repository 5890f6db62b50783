from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from daycentre.auth import scope
from daycentre.auth.permissions import requires
from daycentre.centres import bp
from daycentre.centres import services as centres
from daycentre.centres.forms import CentreForm, ClosureDayForm, GroupForm, RoomForm
from daycentre.centres.models import Centre, ClosureDay, Group, Room
from daycentre.core.forms import Form, run_service, service_done


def _fields(form, *names) -> dict:
    return {name: form[name].data for name in names}


@bp.get("/")
@requires("centres.read")
def list_centres():
    show_inactive = current_user.can("centres.manage") and request.args.get("inactive") == "1"
    return render_template(
        "centres/list_centres.html",
        centres=centres.visible_centres(current_user, include_inactive=show_inactive),
        show_inactive=show_inactive,
    )


@bp.get("/<int:centre_id>")
@requires("centres.read")
def show_centre(centre_id: int):
    centre = scope.record_or_404(Centre, centre_id)
    return render_template(
        "centres/show_centre.html", centre=centre, closure_form=ClosureDayForm(), button_form=Form()
    )


CENTRE_FIELDS = (
    "name",
    "service_code",
    "address",
    "city",
    "capacity",
    "opens_at",
    "closes_at",
    "absence_cutoff",
    "active",
)


def _centre_form(centre: Centre | None) -> CentreForm:
    form = CentreForm(obj=centre)
    if centre is not None and not form.is_submitted():
        form.kind.data = centre.kind.value
        form.provider_type.data = centre.provider_type.value
        form.weekdays.data = sorted(centre.weekdays)
    elif centre is None and not form.is_submitted():
        form.weekdays.data = [1, 2, 3, 4, 5]
    return form


@bp.route("/new", methods=["GET", "POST"])
@bp.route("/<int:centre_id>/edit", methods=["GET", "POST"])
@requires("centres.manage")
def edit_centre(centre_id: int | None = None):
    centre = scope.record_or_404(Centre, centre_id) if centre_id is not None else None
    form = _centre_form(centre)
    if form.validate_on_submit():
        saved = run_service(
            form,
            centre,
            centres.save_centre,
            centre,
            actor=current_user,
            version=form.version.data,
            weekdays=form.weekdays.data,
            kind=form.kind.data,
            provider_type=form.provider_type.data,
            **_fields(form, *CENTRE_FIELDS),
        )
        if saved:
            flash(_("The centre %(name)s was saved.", name=saved.name), "success")
            return redirect(url_for("centres.show_centre", centre_id=saved.id))
    heading = centre.name if centre else _("New centre")
    return render_template("centres/edit_record.html", form=form, centre=centre, heading=heading)


GROUP_FIELDS = ("name", "capacity", "starts_at", "ends_at", "active")


@bp.route("/<int:centre_id>/groups/new", methods=["GET", "POST"])
@bp.route("/<int:centre_id>/groups/<int:group_id>/edit", methods=["GET", "POST"])
@requires("centres.manage")
def edit_group(centre_id: int, group_id: int | None = None):
    centre = scope.record_or_404(Centre, centre_id)
    group = (
        scope.record_or_404(Group, group_id, rule=scope.in_centre(centre))
        if group_id is not None
        else None
    )
    form = GroupForm(obj=group)
    if not form.is_submitted():
        form.weekdays.data = sorted(group.weekdays if group else centre.weekdays)
        if group is None:
            form.starts_at.data, form.ends_at.data = centre.opens_at, centre.closes_at
    if form.validate_on_submit():
        saved = run_service(
            form,
            group,
            centres.save_group,
            group,
            centre=centre,
            actor=current_user,
            version=form.version.data,
            weekdays=form.weekdays.data,
            **_fields(form, *GROUP_FIELDS),
        )
        if saved:
            flash(_("The group %(name)s was saved.", name=saved.name), "success")
            return redirect(url_for("centres.show_centre", centre_id=centre.id))
    heading = group.name if group else _("New group")
    return render_template("centres/edit_record.html", form=form, centre=centre, heading=heading)


@bp.route("/<int:centre_id>/rooms/new", methods=["GET", "POST"])
@bp.route("/<int:centre_id>/rooms/<int:room_id>/edit", methods=["GET", "POST"])
@requires("centres.manage")
def edit_room(centre_id: int, room_id: int | None = None):
    centre = scope.record_or_404(Centre, centre_id)
    room = (
        scope.record_or_404(Room, room_id, rule=scope.in_centre(centre))
        if room_id is not None
        else None
    )
    form = RoomForm(obj=room)
    if form.validate_on_submit():
        saved = run_service(
            form,
            room,
            centres.save_room,
            room,
            centre=centre,
            actor=current_user,
            version=form.version.data,
            **_fields(form, "name", "capacity", "notes", "active"),
        )
        if saved:
            flash(_("The room %(name)s was saved.", name=saved.name), "success")
            return redirect(url_for("centres.show_centre", centre_id=centre.id))
    heading = room.name if room else _("New room")
    return render_template("centres/edit_record.html", form=form, centre=centre, heading=heading)


@bp.post("/<int:centre_id>/closures")
@requires("centres.manage")
def add_closure_day(centre_id: int):
    centre = scope.record_or_404(Centre, centre_id)
    form = ClosureDayForm()
    if form.validate_on_submit():
        if run_service(
            form,
            None,
            centres.add_closure_day,
            centre,
            actor=current_user,
            day=form.day.data,
            reason=form.reason.data,
        ):
            flash(_("The closure day was added."), "success")
    else:
        for errors in form.errors.values():
            for error in errors:
                flash(error, "error")
    return redirect(url_for("centres.show_centre", centre_id=centre.id))


@bp.post("/<int:centre_id>/closures/<int:closure_id>/delete")
@requires("centres.manage")
def remove_closure_day(centre_id: int, closure_id: int):
    centre = scope.record_or_404(Centre, centre_id)
    closure = scope.record_or_404(ClosureDay, closure_id, rule=scope.in_centre(centre))
    if service_done(None, None, centres.remove_closure_day, closure, actor=current_user):
        flash(_("The closure day was removed."), "success")
    return redirect(url_for("centres.show_centre", centre_id=centre.id))
