from flask import Blueprint

bp = Blueprint("outreach", __name__, url_prefix="/outreach")

from daycentre.outreach import views  # noqa: E402,F401
