from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from daycentre.auth import scope
from daycentre.auth.permissions import requires
from daycentre.auth.roles import ACCOUNT
from daycentre.centres.models import Centre
from daycentre.centres.services import visible_centres
from daycentre.core.forms import Form, run_service, service_done
from daycentre.notifications import bp
from daycentre.notifications import services as notify
from daycentre.notifications.forms import PersonPreferenceForm, PreferenceForm, SettingsForm
from daycentre.notifications.models import Message, MessageState
from daycentre.people.models import Person


@bp.route("/preferences", methods=["GET", "POST"])
@requires(ACCOUNT)
def edit_my_preferences():
    """How the signed-in person (staff, volunteer or parent) receives the centre's messages."""
    preference = notify.preference_of(user=current_user)
    form = PreferenceForm(obj=preference if request.method == "GET" else None)
    if form.validate_on_submit():
        saved = run_service(
            form,
            None,
            notify.save_preference,
            actor=current_user,
            user=current_user,
            email=form.email.data,
            sms=form.sms.data,
        )
        if saved is not None:
            flash(_("Your message preferences were saved."), "success")
            return redirect(url_for("notifications.edit_my_preferences"))
    return render_template("notifications/edit_my_preferences.html", form=form)


@bp.route("/people/<int:person_id>/preferences", methods=["GET", "POST"])
@requires("people.manage")
def edit_person_preferences(person_id: int):
    """The staff note how a person without an account wants the centre's messages."""
    person = scope.record_or_404(Person, person_id)
    preference = notify.preference_of(person=person)
    form = PersonPreferenceForm(obj=preference if request.method == "GET" else None)
    if request.method == "GET" and not preference.locale:
        form.locale.data = notify.DEFAULT_LOCALE
    if form.validate_on_submit():
        saved = run_service(
            form,
            None,
            notify.save_preference,
            actor=current_user,
            person=person,
            email=form.email.data,
            sms=form.sms.data,
            locale=form.locale.data,
        )
        if saved is not None:
            flash(_("The message preferences were saved."), "success")
            return redirect(url_for("people.show_person", person_id=person.id))
    return render_template(
        "notifications/edit_person_preferences.html",
        person=person,
        form=form,
        consenting=bool(notify.recipients_for_person(person)),
    )


@bp.route("/centres/<int:centre_id>/settings", methods=["GET", "POST"])
@requires("notifications.manage")
def edit_settings(centre_id: int):
    """Which events the centre tells people about."""
    centre = scope.record_or_404(Centre, centre_id)
    form = SettingsForm()
    if request.method == "GET":
        form.events.data = [e.value for e in notify.enabled_events(centre.id)]
    if form.validate_on_submit() and service_done(
        form,
        None,
        notify.save_settings,
        centre,
        actor=current_user,
        enabled=form.events.data or [],
    ):
        flash(_("The centre's message settings were saved."), "success")
        return redirect(url_for("notifications.list_messages"))
    return render_template("notifications/edit_settings.html", centre=centre, form=form)


@bp.get("/")
@requires("notifications.read")
def list_messages():
    """The outbox of the user's centres; failed messages first, to be sent again."""
    value = request.args.get("state", MessageState.FAILED.value)
    if value not in {s.value for s in MessageState}:
        abort(404)
    state = MessageState(value)
    return render_template(
        "notifications/list_messages.html",
        messages=notify.outbox(current_user, state=state),
        state=state,
        states=list(MessageState),
        centres=visible_centres(current_user),
        button_form=Form(),
    )


@bp.post("/messages/<int:message_id>/retry")
@requires("notifications.manage")
def retry_message(message_id: int):
    message = scope.record_or_404(Message, message_id)
    if Form().validate_on_submit() and service_done(
        None, None, notify.retry, message, actor=current_user
    ):
        flash(_("The message will be sent again."), "success")
    return redirect(url_for("notifications.list_messages"))
