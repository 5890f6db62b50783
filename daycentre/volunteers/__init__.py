from flask import Blueprint

bp = Blueprint("volunteers", __name__, url_prefix="/volunteers")

from daycentre.volunteers import views  # noqa: E402,F401
