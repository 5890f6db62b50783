from flask import Blueprint

bp = Blueprint("cases", __name__, url_prefix="/cases")

from daycentre.cases import views  # noqa: E402, F401
