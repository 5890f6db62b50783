from flask import Blueprint

bp = Blueprint("meals", __name__, url_prefix="/meals")

from daycentre.meals import views  # noqa: E402,F401
