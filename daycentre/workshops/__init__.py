from flask import Blueprint

bp = Blueprint("workshops", __name__, url_prefix="/workshops")

from daycentre.workshops import views  # noqa: E402, F401
