"""Extension objects, created here and bound to the app in ``create_app``."""

from flask import request
from flask_babel import Babel
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_mailman import Mail
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect
from sqlalchemy import MetaData
from sqlalchemy.orm import DeclarativeBase

# Stable constraint names, so that migrations read the same on SQLite and PostgreSQL.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


db = SQLAlchemy(model_class=Base)


migrate = Migrate(render_as_batch=True, compare_type=True)  # render_item: see create_app
babel = Babel()
csrf = CSRFProtect()
login_manager = LoginManager()
# E-mail over SMTP, configured by the MAIL_* settings (core.config); the outbox sends through it.
mail = Mail()
limiter = Limiter(key_func=get_remote_address, default_limits=[], headers_enabled=False)


def normalised_username(username: str | None) -> str:
    """Usernames are stored and compared in lower case, without surrounding spaces."""
    return (username or "").strip().lower()


def login_form_username() -> str:
    """The account a login attempt names, folded so that case tricks share one budget."""
    return "account:" + normalised_username(request.form.get("username"))
