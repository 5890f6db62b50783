from flask import render_template
from flask_login import current_user

from daycentre.auth.permissions import requires
from daycentre.parents import bp
from daycentre.parents import services as parents


@bp.get("/")
@requires("parents.use")
def home():
    """The parent's home: their children, and what the centre asks of them."""
    return render_template(
        "parents/home.html",
        family=parents.family_of(current_user),
        children=parents.children_of(current_user),
    )
