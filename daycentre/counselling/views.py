from datetime import date, datetime, timedelta

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import force_locale, format_date, ngettext
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import or_

from daycentre.auth import scope
from daycentre.auth.models import User
from daycentre.auth.permissions import requires
from daycentre.centres.models import Centre, Room
from daycentre.centres.services import visible_centres
from daycentre.core.forms import narrowed_by_search, picker, run_service
from daycentre.core.localtime import local_instant, today, week_start
from daycentre.counselling import bp, ics
from daycentre.counselling import services as counselling
from daycentre.counselling.forms import (
    REPEAT_DAYS,
    REPEAT_WEEKLY,
    ButtonForm,
    EditSessionForm,
    NoteForm,
    OutcomeForm,
    SessionForm,
    ShareForm,
)
from daycentre.counselling.models import CounsellingSession, NoteShare, SessionStatus
from daycentre.enrolment.models import Enrolment
from daycentre.extensions import db
from daycentre.people.models import Family, Person
from daycentre.people.services import (
    by_family_name,
    visible_families,
    visible_people,
)
from daycentre.workshops import services as workshops

# --- Loading and scope ------------------------------------------------------------------------


def _asked_day() -> date:
    try:
        return date.fromisoformat(request.args.get("day", ""))
    except ValueError:
        return today()


def _beneficiary_choices(centre: Centre) -> list[tuple[str, str]]:
    """People and families registered at the centre or enrolled in it, as the user sees them."""
    enrolled_here = Person.enrolments.any(Enrolment.centre_id == centre.id)
    families = db.session.scalars(
        db.select(Family)
        .where(
            or_(Family.centre_id == centre.id, Family.members.any(enrolled_here)),
            visible_families(current_user),
        )
        .order_by(Family.name)
    ).all()
    people = by_family_name(
        db.session.scalars(
            db.select(Person).where(
                or_(Person.family.has(Family.centre_id == centre.id), enrolled_here),
                visible_people(current_user),
            )
        ).all()
    )
    return [(f"p{p.id}", p.full_name) for p in people] + [
        (f"f{f.id}", _("Family %(name)s", name=f.name)) for f in families
    ]


def _beneficiary(key: str):
    """A 'p12' / 'f3' choice as (person, family), each visible to the user, else (None, None)."""
    if not key or key[0] not in "pf" or not key[1:].isdecimal() or len(key) > 10:
        return None, None
    if key[0] == "p":
        person = db.session.get(Person, int(key[1:]))
        return (person, None) if person and scope.sees(current_user, person) else (None, None)
    family = db.session.get(Family, int(key[1:]))
    return (None, family) if family and scope.sees(current_user, family) else (None, None)


def _fill_choices(form, centre: Centre) -> None:
    counsellors = counselling.counsellors_of(centre)
    counsellors = [c for c in counsellors if scope.books_for(current_user, c)]
    form.counsellor_id.choices = [(c.id, c.full_name) for c in counsellors]
    form.room_id.choices = [(r.id, r.name) for r in centre.rooms if r.active]


# --- Calendars --------------------------------------------------------------------------------


def _calendar(
    span: str, *, title: str, sessions_for, centres, endpoint: str, others_for=None, **url_args
):
    day = _asked_day()
    first = week_start(day) if span == "week" else day
    days = 7 if span == "week" else 1
    last = first + timedelta(days=days - 1)
    sessions = sessions_for(first, last)
    if others_for is not None:  # workshop sessions and group meetings hold the same people
        sessions = sorted([*sessions, *others_for(first, last)], key=lambda s: s.starts_at)
    step = timedelta(days=days)
    return render_template(
        "counselling/show_calendar.html",
        title=title,
        span=span,
        first=first,
        last=last,
        days=counselling.week_days(centres, first, days, sessions),
        today=today(),
        previous_url=url_for(endpoint, span=span, day=(first - step).isoformat(), **url_args),
        next_url=url_for(endpoint, span=span, day=(first + step).isoformat(), **url_args),
        week_url=url_for(endpoint, span="week", day=first.isoformat(), **url_args),
        day_url=url_for(endpoint, span="day", day=day.isoformat(), **url_args),
        today_url=url_for(endpoint, span=span, **url_args),
        centres=centres,
    )


@bp.get("/")
@requires("counselling.read")
def index():
    """A counsellor's own week; others choose a centre, room or counsellor."""
    if scope.counsels(current_user):
        return redirect(
            url_for("counselling.counsellor_calendar", user_id=current_user.id, span="week")
        )
    centres = visible_centres(current_user)
    return render_template(
        "counselling/list_calendars.html",
        centres=[(c, counselling.counsellors_of(c)) for c in centres],
    )


@bp.get("/counsellors/<int:user_id>/<any(week, day):span>")
@requires("counselling.read")
def counsellor_calendar(user_id: int, span: str):
    counsellor = scope.record_or_404(User, user_id, rule=scope.counsels)
    centre_ids = counsellor.centre_ids & (
        current_user.centre_ids if not current_user.is_admin else counsellor.centre_ids
    )
    centres = [c for c in counsellor.centres if c.id in centre_ids]
    return _calendar(
        span,
        title=counsellor.full_name,
        sessions_for=lambda first, last: counselling.sessions_between(
            first, last, centre_ids=centre_ids, counsellor_id=counsellor.id
        ),
        others_for=lambda first, last: workshops.calendar_entries(
            first, last, centre_ids=centre_ids, user_id=counsellor.id
        ),
        centres=centres,
        endpoint="counselling.counsellor_calendar",
        user_id=counsellor.id,
    )


@bp.get("/rooms/<int:room_id>/<any(week, day):span>")
@requires("counselling.read")
def room_calendar(room_id: int, span: str):
    room = scope.record_or_404(Room, room_id)
    return _calendar(
        span,
        title=f"{room.name} · {room.centre.name}",
        sessions_for=lambda first, last: counselling.sessions_between(
            first, last, centre_ids={room.centre_id}, room_id=room.id
        ),
        others_for=lambda first, last: workshops.calendar_entries(
            first, last, centre_ids={room.centre_id}, room_id=room.id
        ),
        centres=[room.centre],
        endpoint="counselling.room_calendar",
        room_id=room.id,
    )


@bp.get("/centres/<int:centre_id>/<any(week, day):span>")
@requires("counselling.read")
def centre_calendar(centre_id: int, span: str):
    centre = scope.record_or_404(Centre, centre_id)
    return _calendar(
        span,
        title=centre.name,
        sessions_for=lambda first, last: counselling.sessions_between(
            first, last, centre_ids={centre.id}
        ),
        centres=[centre],
        endpoint="counselling.centre_calendar",
        centre_id=centre.id,
    )


# --- Booking ----------------------------------------------------------------------------------


@bp.route("/centres/<int:centre_id>/sessions/new", methods=["GET", "POST"])
@requires("counselling.book")
def schedule_session(centre_id: int):
    centre = scope.record_or_404(Centre, centre_id)
    form = SessionForm()
    picker(form.beneficiary, "beneficiary").choices = _beneficiary_choices(centre)
    _fill_choices(form, centre)
    if request.method == "GET":
        form.beneficiary.data = request.args.get("beneficiary", "")
        form.day.data = _asked_day()
        if scope.counsels(current_user):
            form.counsellor_id.data = current_user.id
    offered = []
    if not narrowed_by_search(form) and form.validate_on_submit():
        _take_offered_time(form)
        person, family = _beneficiary(form.beneficiary.data)
        interval = {REPEAT_WEEKLY: 7, REPEAT_DAYS: form.interval_days.data}.get(form.repeat.data)
        if form.repeat.data == REPEAT_DAYS and not interval:
            flash(_("Say every how many days the session repeats."), "error")
        else:

            def book(**details):
                try:
                    return counselling.schedule(centre, **details)
                except counselling.Clashing as clash:
                    offered.extend(clash.free_times)
                    raise

            sessions = run_service(
                form,
                None,
                book,
                actor=current_user,
                counsellor=db.session.get(User, form.counsellor_id.data),
                room=db.session.get(Room, form.room_id.data),
                person=person,
                family=family,
                session_type=form.session_type.data,
                start=local_instant(form.day.data, form.start_time.data),
                minutes=form.minutes.data,
                interval_days=interval,
                occurrences=form.occurrences.data if interval else None,
                until=form.until.data if interval else None,
            )
            if sessions:
                flash(
                    ngettext("%(num)d session booked.", "%(num)d sessions booked.", len(sessions)),
                    "success",
                )
                if sessions.skipped:
                    flash(
                        _(
                            "Not booked on these days, when the centre is closed: %(days)s.",
                            days="; ".join(
                                f"{format_date(day, 'short')} ({reason})"
                                for day, reason in sessions.skipped
                            ),
                        ),
                        "info",
                    )
                return redirect(url_for("counselling.show_session", session_id=sessions[0].id))
    return render_template(
        "counselling/schedule_session.html",
        form=form,
        centre=centre,
        offered=[(start, start + timedelta(minutes=form.minutes.data)) for start in offered],
    )


def _take_offered_time(form: SessionForm) -> None:
    """A free time offered after a clash, tapped: it replaces the day and the start time."""
    try:
        chosen = datetime.fromisoformat(request.form.get("offered", ""))
    except ValueError:
        return
    if 1900 <= chosen.year <= 2200:
        form.day.data, form.start_time.data = chosen.date(), chosen.time().replace(tzinfo=None)


@bp.get("/sessions/<int:session_id>")
@requires("counselling.read")
def show_session(session_id: int):
    session = scope.record_or_404(CounsellingSession, session_id)
    return render_template(
        "counselling/show_session.html",
        session=session,
        note_visible=counselling.note_visible(session.note, current_user),
        can_write_note=counselling.can_write_note(session, current_user),
        can_change=current_user.can("counselling.book")
        and scope.changes_session(current_user, session),
    )


def _changeable(session: CounsellingSession) -> bool:
    return scope.changes_session(current_user, session)


@bp.route("/sessions/<int:session_id>/edit", methods=["GET", "POST"])
@requires("counselling.book")
def edit_session(session_id: int):
    session = scope.record_or_404(CounsellingSession, session_id, rule=_changeable)
    form = EditSessionForm()
    _fill_choices(form, session.centre)
    if request.method == "GET":
        form.session_type.data = session.session_type.value
        form.counsellor_id.data = session.counsellor_id
        form.room_id.data = session.room_id
        form.day.data = session.local_start.date()
        form.start_time.data = session.local_start.time()
        form.minutes.data = session.duration_minutes
        form.version.data = session.version
    if form.validate_on_submit():
        changed = run_service(
            form,
            session,
            counselling.reschedule,
            session,
            actor=current_user,
            version=form.version.data,
            counsellor=db.session.get(User, form.counsellor_id.data),
            room=db.session.get(Room, form.room_id.data),
            session_type=form.session_type.data,
            start=local_instant(form.day.data, form.start_time.data),
            minutes=form.minutes.data,
            following=form.scope.data == "following" and session.series_id is not None,
        )
        if changed:
            flash(_("The session was changed."), "success")
            return redirect(url_for("counselling.show_session", session_id=session.id))
    return render_template("counselling/edit_session.html", form=form, session=session)


@bp.route("/sessions/<int:session_id>/outcome", methods=["GET", "POST"])
@requires("counselling.book")
def record_outcome(session_id: int):
    session = scope.record_or_404(CounsellingSession, session_id, rule=_changeable)
    form = OutcomeForm()
    if request.method == "GET":
        form.version.data = session.version
        if session.status is not SessionStatus.SCHEDULED:
            form.status.data = session.status.value
        form.minutes_spent.data = session.minutes_spent or session.duration_minutes
        form.cancel_reason.data = session.cancel_reason
    if form.validate_on_submit():
        done = run_service(
            form,
            session,
            counselling.record_outcome,
            session,
            actor=current_user,
            version=form.version.data,
            status=form.status.data,
            minutes_spent=form.minutes_spent.data,
            cancel_reason=form.cancel_reason.data,
        )
        if done:
            flash(_("Saved."), "success")
            if counselling.can_write_note(session, current_user) and session.note is None:
                return redirect(url_for("counselling.show_note", session_id=session.id))
            return redirect(url_for("counselling.show_session", session_id=session.id))
    return render_template("counselling/record_outcome.html", form=form, session=session)


# --- Notes and sharing --------------------------------------------------------------------------


@bp.route("/sessions/<int:session_id>/note", methods=["GET", "POST"])
@requires("counselling.notes")
def show_note(session_id: int):
    """The confidential note: its author and the counsellors it is shared with; every reading
    is written to the audit trail."""
    session = scope.record_or_404(CounsellingSession, session_id)
    writable = counselling.can_write_note(session, current_user)
    if session.note is None and not writable:
        abort(404)
    if session.note is not None and not counselling.note_visible(session.note, current_user):
        abort(404)
    form = NoteForm() if writable else None
    if form is not None and form.validate_on_submit():
        note = run_service(
            form,
            session.note,
            counselling.save_note,
            session,
            actor=current_user,
            text=form.text.data,
            version=form.version.data or None,
        )
        if note:
            flash(_("The note was saved."), "success")
            return redirect(url_for("counselling.show_note", session_id=session.id))
    # A refused save shows the author's own input again, not the stored note: no reading.
    note = None
    if request.method == "GET":
        note = counselling.read_note(session, actor=current_user)
        db.session.commit()
    if form is not None and note is not None:
        form.text.data = note.text
        form.version.data = note.version
    return render_template("counselling/show_note.html", session=session, note=note, form=form)


@bp.route("/sharing", methods=["GET", "POST"])
@requires("counselling.notes")
def list_shares():
    form = ShareForm()
    own = db.session.scalars(
        db.select(CounsellingSession).where(CounsellingSession.counsellor_id == current_user.id)
    ).all()
    choices = {}
    for session in own:
        label = session.beneficiary_name
        if session.family_id:
            label = _("Family %(name)s", name=label)
        choices[session.beneficiary_key] = label
    form.beneficiary.choices = sorted(choices.items(), key=lambda item: item[1])
    colleagues = {
        c.id: c
        for centre in current_user.centres
        for c in counselling.counsellors_of(centre)
        if c.id != current_user.id
    }
    form.counsellor_id.choices = [(c.id, c.full_name) for c in colleagues.values()]
    if form.validate_on_submit():
        person, family = _beneficiary(form.beneficiary.data)
        share = run_service(
            form,
            None,
            counselling.share_notes,
            actor=current_user,
            counsellor=colleagues.get(form.counsellor_id.data),
            person=person,
            family=family,
        )
        if share:
            flash(_("The notes are shared."), "success")
            return redirect(url_for("counselling.list_shares"))
    shared_with_me = db.session.scalars(
        db.select(NoteShare).where(NoteShare.counsellor_id == current_user.id)
    ).all()
    return render_template(
        "counselling/list_shares.html",
        form=form,
        shares=counselling.shares_of(current_user),
        shared_with_me=shared_with_me,
        button=ButtonForm(),
    )


@bp.post("/sharing/<int:share_id>/remove")
@requires("counselling.notes")
def remove_share(share_id: int):
    share = scope.record_or_404(NoteShare, share_id)
    form = ButtonForm()
    if form.validate_on_submit() and run_service(
        form, None, counselling.stop_sharing, share, actor=current_user
    ):
        flash(_("The notes are no longer shared."), "success")
    return redirect(url_for("counselling.list_shares"))


# --- Calendar feed ------------------------------------------------------------------------------


@bp.get("/feed")
@requires("counselling.notes")
def show_feed():
    feed = counselling.feed_of(current_user)
    url = url_for("counselling.calendar_feed", token=feed.token, _external=True) if feed else None
    return render_template("counselling/show_feed.html", feed=feed, url=url, button=ButtonForm())


@bp.post("/feed/regenerate")
@requires("counselling.notes")
def regenerate_feed():
    form = ButtonForm()
    if form.validate_on_submit() and run_service(
        form, None, counselling.regenerate_feed, actor=current_user
    ):
        flash(_("A new calendar address was made; the old one no longer works."), "success")
    return redirect(url_for("counselling.show_feed"))


@bp.post("/feed/revoke")
@requires("counselling.notes")
def revoke_feed():
    form = ButtonForm()
    if form.validate_on_submit() and run_service(
        form, None, counselling.revoke_feed, actor=current_user
    ):
        flash(_("The calendar address no longer works."), "success")
    return redirect(url_for("counselling.show_feed"))


@bp.get("/feed/<token>.ics")
def calendar_feed(token: str):
    """Public on purpose: calendar apps cannot sign in. The secret token is the key; the feed says
    nothing personal beyond the beneficiary's initials and the room."""
    feed = counselling.feed_by_token(token)
    if feed is None:
        abort(404)
    user = feed.user
    with force_locale(user.locale or "ro"):
        body = ics.calendar(user, counselling.feed_sessions(user, around=today()))
    return Response(body, mimetype="text/calendar", headers={"Cache-Control": "no-store"})


# --- History of a beneficiary -------------------------------------------------------------------


@bp.get("/people/<int:person_id>/sessions")
@requires("counselling.read")
def person_history(person_id: int):
    person = scope.record_or_404(Person, person_id)
    sessions = counselling.sessions_of_person(person)
    sessions = [s for s in sessions if current_user.sees_centre(s.centre_id)]
    return render_template(
        "counselling/show_history.html",
        name=person.full_name,
        back_url=url_for("people.show_person", person_id=person.id),
        sessions=sessions,
        tally=counselling.tally(sessions),
        statuses=list(SessionStatus),
    )


@bp.get("/families/<int:family_id>/sessions")
@requires("counselling.read")
def family_history(family_id: int):
    family = scope.record_or_404(Family, family_id)
    sessions = counselling.sessions_of_family(family)
    sessions = [s for s in sessions if current_user.sees_centre(s.centre_id)]
    return render_template(
        "counselling/show_history.html",
        name=family.name,
        back_url=url_for("people.show_family", family_id=family.id),
        sessions=sessions,
        tally=counselling.tally(sessions),
        statuses=list(SessionStatus),
    )
