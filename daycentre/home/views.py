from flask import render_template
from flask_login import current_user
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from daycentre.auth.permissions import requires
from daycentre.auth.roles import ACCOUNT, Role
from daycentre.centres.services import is_operating_day, visible_centres
from daycentre.counselling.services import home_week
from daycentre.enrolment.services import waiting_count
from daycentre.extensions import db
from daycentre.home import bp
from daycentre.localtime import today


@bp.get("/")
@requires(ACCOUNT)
def index():
    """What this person does today; each area adds its part for the roles it serves."""
    day = today()
    centres = [] if current_user.role is Role.VOLUNTEER else visible_centres(current_user)
    return render_template(
        "home/volunteer.html" if current_user.role is Role.VOLUNTEER else "home/staff.html",
        today=day,
        centres=[(centre, is_operating_day(centre, day)) for centre in centres],
        waiting={centre.id: waiting_count({centre.id}) for centre in centres}
        if current_user.can("enrolment.read")
        else {},
        counselling_week=home_week(current_user, day)
        if current_user.role is Role.COUNSELLOR
        else None,
    )


@bp.get("/health")
def health():
    """For the load balancer and the monitoring: public, and says whether the database answers."""
    try:
        db.session.execute(text("SELECT 1"))
    except SQLAlchemyError:
        return {"status": "database unavailable"}, 503
    return {"status": "ok"}
