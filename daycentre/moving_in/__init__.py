from flask import Blueprint

bp = Blueprint("moving_in", __name__, url_prefix="/moving-in")

from daycentre.moving_in import views  # noqa: E402,F401
