from flask import Blueprint

# The register's packages import each other; loading enrolment first keeps their usual order.
import daycentre.enrolment  # noqa: F401, I001

bp = Blueprint("counselling", __name__, url_prefix="/counselling")

from daycentre.counselling import views  # noqa: E402, F401
