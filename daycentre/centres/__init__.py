from flask import Blueprint

bp = Blueprint("centres", __name__, url_prefix="/centres")

from daycentre.centres import views  # noqa: E402,F401
