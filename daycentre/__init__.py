"""daycentre: day-centre operations for Romanian child-welfare services."""

import logging
import os
import secrets
from pathlib import Path

from flask import Flask
from werkzeug.routing import IntegerConverter

# The scope table (who sees which rows) reads every area's models, and every area reads it: loaded
# first, each area importing it finds it (still loading) rather than re-entering a half-loaded area.
from daycentre.auth import scope  # noqa: F401
from daycentre.config import CONFIGS
from daycentre.extensions import babel, csrf, db, limiter, login_manager, migrate


def create_app(config=None) -> Flask:
    """Build the application; ``config`` is a config class or a mapping that overrides it."""
    app = Flask(__name__)
    environment = os.environ.get("DAYCENTRE_ENV", "development")
    base = CONFIGS.get(environment)
    if base is None:
        raise RuntimeError(f"DAYCENTRE_ENV must be one of {', '.join(CONFIGS)}")
    app.config.from_object(base)
    if isinstance(config, type):
        app.config.from_object(config)
    elif config:
        app.config.update(config)
    app.instance_path = str(app.config["INSTANCE_PATH"])
    _ensure_secret_key(app, environment)
    _configure_logging(app, environment)

    _init_extensions(app)
    app.url_map.converters["int"] = RecordId
    _register_blueprints(app)

    from daycentre.security import register_request_guards

    register_request_guards(app)

    from daycentre.errors import register_error_pages

    register_error_pages(app)

    from daycentre.templating import register_template_helpers

    register_template_helpers(app)

    from daycentre.cli import register_commands

    register_commands(app)
    return app


class RecordId(IntegerConverter):
    """Ids past the 32-bit range cannot exist: they answer 404 instead of overflowing the driver."""

    def __init__(self, url_map, *args, **kwargs):
        kwargs.setdefault("max", 2**31 - 1)
        super().__init__(url_map, *args, **kwargs)


def _ensure_secret_key(app: Flask, environment: str) -> None:
    """Production refuses to start without SECRET_KEY and PSEUDONYM_KEY; development keeps
    random ones in instance/."""
    for setting, file_name in (("SECRET_KEY", "secret_key"), ("PSEUDONYM_KEY", "pseudonym_key")):
        if app.config.get(setting):
            continue
        if environment == "production":
            raise RuntimeError(f"{setting} must be set in production")
        app.config[setting] = _instance_secret(Path(app.instance_path) / file_name)


def _instance_secret(key_file: Path) -> str:
    if not key_file.exists():
        key_file.parent.mkdir(parents=True, exist_ok=True)
        descriptor = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "w") as stream:
            stream.write(secrets.token_urlsafe(48))
    return key_file.read_text().strip()


def _configure_logging(app: Flask, environment: str) -> None:
    """Log to standard error, where the service manager collects it."""
    if not logging.getLogger().handlers:
        logging.basicConfig(
            level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
        )
    if environment == "production" and app.config["RATELIMIT_STORAGE_URI"].startswith("memory://"):
        app.logger.warning(
            "RATELIMIT_STORAGE_URI is memory://: sign-in throttling counts per process; "
            "with several worker processes set it to a shared store (redis:// or memcached://)."
        )


def _init_extensions(app: Flask) -> None:
    from daycentre.i18n import select_locale

    db.init_app(app)
    migrate.init_app(app, db, directory=str(Path(__file__).resolve().parent.parent / "migrations"))
    babel.init_app(
        app,
        locale_selector=select_locale,
        default_translation_directories=str(
            Path(__file__).resolve().parent.parent / "translations"
        ),
    )
    csrf.init_app(app)
    limiter.init_app(app)
    login_manager.init_app(app)

    from daycentre import models  # noqa: F401  every model registered before the first query


def _register_blueprints(app: Flask) -> None:
    from daycentre.attendance import bp as attendance_bp
    from daycentre.audit import bp as audit_bp
    from daycentre.auth import bp as auth_bp
    from daycentre.cases import bp as cases_bp
    from daycentre.centres import bp as centres_bp
    from daycentre.counselling import bp as counselling_bp
    from daycentre.enrolment import bp as enrolment_bp
    from daycentre.home import bp as home_bp
    from daycentre.meals import bp as meals_bp
    from daycentre.outreach import bp as outreach_bp
    from daycentre.people import bp as people_bp
    from daycentre.reports import bp as reports_bp
    from daycentre.volunteers import bp as volunteers_bp
    from daycentre.workshops import bp as workshops_bp

    blueprints = (
        home_bp,
        auth_bp,
        centres_bp,
        people_bp,
        enrolment_bp,
        attendance_bp,
        meals_bp,
        volunteers_bp,
        counselling_bp,
        cases_bp,
        audit_bp,
        outreach_bp,
        reports_bp,
        workshops_bp,
    )
    for blueprint in blueprints:
        app.register_blueprint(blueprint)
