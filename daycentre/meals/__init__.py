from flask import Blueprint

bp = Blueprint("meals", __name__, url_prefix="/meals")
