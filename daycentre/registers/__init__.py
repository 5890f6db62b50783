from flask import Blueprint

bp = Blueprint("registers", __name__, url_prefix="/registers")
