"""The one place where named permissions are checked (which rows: auth.scope)."""

from collections.abc import Callable
from functools import wraps

from flask import abort
from flask_login import current_user

from daycentre.auth.roles import PERMISSIONS


def requires(permission: str) -> Callable:
    """Refuse the view with 403 unless the signed-in user's role holds ``permission``.

    The permission is kept on the view so that the endpoint × role test can read it.
    """
    if permission not in PERMISSIONS:
        raise LookupError(f"unknown permission {permission!r}")

    def decorate(view: Callable) -> Callable:
        @wraps(view)
        def checked(*args, **kwargs):
            if not current_user.is_authenticated:
                abort(401)
            if not current_user.can(permission):
                abort(403)
            return view(*args, **kwargs)

        checked.permission = permission
        return checked

    return decorate
