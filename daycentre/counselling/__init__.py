from flask import Blueprint

bp = Blueprint("counselling", __name__, url_prefix="/counselling")
