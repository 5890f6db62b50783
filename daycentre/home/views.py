from flask import render_template
from flask_login import current_user
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import selectinload

from daycentre.attendance.services import absence_alerts, rolls_taken
from daycentre.auth import scope
from daycentre.auth.permissions import requires
from daycentre.auth.roles import ACCOUNT
from daycentre.cases.overdue import overdue_for
from daycentre.centres.calendar import operating_today
from daycentre.centres.models import Centre
from daycentre.centres.services import visible_centres
from daycentre.core.database import utcnow
from daycentre.core.forms import Form
from daycentre.core.localtime import today
from daycentre.counselling.services import home_week
from daycentre.enrolment.services import waiting_counts
from daycentre.extensions import db
from daycentre.home import bp
from daycentre.registers.services import complaints_due
from daycentre.volunteers import services as volunteering
from daycentre.workshops import services as workshops


@bp.get("/")
@requires(ACCOUNT)
def index():
    """What this person does today; each area adds its part for the roles it serves."""
    day = today()
    if current_user.can("volunteering.take_part"):
        return _volunteer_home(day)
    centres = visible_centres(
        current_user, options=(selectinload(Centre.groups), selectinload(Centre.rooms))
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
        case_alerts=overdue_for(current_user) if current_user.can("cases.read") else [],
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
