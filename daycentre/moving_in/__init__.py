from flask import Blueprint

bp = Blueprint("moving_in", __name__, url_prefix="/moving-in")
