from flask import Blueprint

bp = Blueprint("parents", __name__, url_prefix="/parent")
