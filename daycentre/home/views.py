from pathlib import Path

from flask import current_app, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import selectinload

from daycentre.attendance.services import absence_alerts, rolls_taken
from daycentre.auth import scope
from daycentre.auth.permissions import requires
from daycentre.auth.roles import ACCOUNT
from daycentre.cases.overdue import HOME_PAGE_LIMIT, overdue_for
from daycentre.centres.calendar import operating_today
from daycentre.centres.models import Centre
from daycentre.centres.services import visible_centres, with_room_count
from daycentre.core.database import utcnow
from daycentre.core.forms import Form
from daycentre.core.localtime import today
from daycentre.counselling.services import home_week
from daycentre.enrolment.services import waiting_counts
from daycentre.extensions import db
from daycentre.home import bp
from daycentre.people.services import visits_due
from daycentre.registers.services import complaints_due
from daycentre.volunteers import services as volunteering
from daycentre.workshops import services as workshops


@bp.get("/")
@requires(ACCOUNT)
def index():
    """What this person does today; each area adds its part for the roles it serves."""
    day = today()
    if current_user.can("parents.use"):
        return redirect(url_for("parents.home"))
    if current_user.can("volunteering.take_part"):
        return _volunteer_home(day)
    centres = visible_centres(
        current_user, options=(selectinload(Centre.groups), with_room_count())
    )
    operating = operating_today(centres, day)
    ending = (
        volunteering.contracts_ending_soon(current_user, day)
        if current_user.can("volunteers.manage")
        else []
    )
    return render_template(
        "home/staff.html",
        today=day,
        centres=[(centre, operating[centre.id]) for centre in centres],
        waiting=waiting_counts([centre.id for centre in centres])
        if current_user.can("enrolment.read")
        else {},
        counselling_week=home_week(current_user, day) if scope.counsels(current_user) else None,
        absence_alerts=absence_alerts(centres, day) if current_user.can("attendance.read") else [],
        rolls_taken=rolls_taken([g.id for c in centres for g in c.groups], day)
        if current_user.can("attendance.read")
        else set(),
        case_alerts=overdue_for(current_user, limit=HOME_PAGE_LIMIT)
        if current_user.can("cases.read")
        else None,
        abroad_visits=visits_due(
            current_user,
            day,
            supervised_centres=[c.id for c in centres]
            if current_user.can("cases.supervise")
            else (),
        )
        if current_user.can("people.read")
        else [],
        ending=ending,
        complaints_due=complaints_due(current_user, day)
        if current_user.can("registers.read")
        else [],
        workshops_today=workshops.calendar_entries(
            day,
            day,
            centre_ids={c.id for c in centres},
            user_id=current_user.id if scope.counsels(current_user) else None,
        )
        if current_user.can("workshops.read")
        else [],
    )


def _volunteer_home(day):
    """The volunteer's next activities, or why they cannot sign up yet."""
    me = volunteering.volunteer_of(current_user)
    now = utcnow()
    return render_template(
        "home/volunteer.html",
        today=day,
        refusal=volunteering.general_refusal(me, day),
        upcoming=volunteering.upcoming_signups(me, now, limit=5) if me else [],
        now=now,
        deadline=volunteering.cancel_deadline,
        button_form=Form(),
    )


@bp.get("/health")
def health():
    """For the load balancer and the monitoring: public, and says whether the database answers."""
    try:
        db.session.execute(text("SELECT 1"))
    except SQLAlchemyError:
        return {"status": "database unavailable"}, 503
    return {"status": "ok"}


@bp.get("/service-worker.js")
def service_worker():
    """The worker that opens the roll offline (``static/js/service-worker.js``). Served from the
    site's root so that its scope covers the roll pages; it holds no data, so it is public (the
    browser checks it for updates whoever is signed in)."""
    worker = Path(current_app.static_folder, "js", "service-worker.js").read_bytes()
    response = current_app.response_class(worker, mimetype="text/javascript")
    response.headers["Service-Worker-Allowed"] = "/"
    return response


@bp.get("/manifest.webmanifest")
def web_manifest():
    """What the phone shows when the app is installed. Public: browsers fetch it without cookies."""
    name = _("Day centres")
    response = current_app.json.response(
        {
            "name": name,
            "short_name": name,
            "start_url": url_for("home.index"),
            "scope": "/",
            "display": "standalone",
            "background_color": "#ffffff",
            "theme_color": "#1565c0",
            "icons": [
                {
                    "src": url_for("static", filename=f"icons/icon-{size}.png"),
                    "type": "image/png",
                    "sizes": f"{size}x{size}",
                    "purpose": "any maskable",
                }
                for size in (192, 512)
            ]
            + [
                {
                    "src": url_for("static", filename="favicon.svg"),
                    "type": "image/svg+xml",
                    "sizes": "any",
                }
            ],
        }
    )
    response.mimetype = "application/manifest+json"
    return response
