from flask import Blueprint

bp = Blueprint("enrolment", __name__, url_prefix="/enrolment")

from daycentre.enrolment import views  # noqa: E402,F401
