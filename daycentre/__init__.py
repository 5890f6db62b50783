"""daycentre: day-centre operations for Romanian child-welfare services."""

import gc
import logging
import os
import secrets
from pathlib import Path

from flask import Flask
from werkzeug.routing import IntegerConverter

from daycentre.core import submissions
from daycentre.core.config import CONFIGS
from daycentre.core.database import end_reads_with_commit, render_migration_type
from daycentre.core.errors import register_error_pages
from daycentre.core.i18n import select_locale
from daycentre.core.security import register_request_guards
from daycentre.core.templating import register_template_helpers
from daycentre.extensions import babel, csrf, db, limiter, login_manager, mail, migrate


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

    register_request_guards(app)
    register_error_pages(app)
    app.register_error_handler(submissions.AlreadySaved, submissions.show_earlier_save)
    register_template_helpers(app)
    # The commands, the models and the blueprints import every area: they are imported here, when
    # an app is built, because this package's __init__ runs before any of its modules is imported.
    from daycentre.cli import register_commands

    register_commands(app)
    if app.config.get("FREEZE_STARTUP_OBJECTS"):
        _freeze_startup_objects()
    return app


# Young objects collected after 20,000 allocations instead of 700; each older generation after 20
# collections of the one below. Garbage waits a little longer (a few MB); the pauses come rarely.
GC_THRESHOLDS = (20_000, 20, 20)


def _freeze_startup_objects() -> None:
    """Move what the process holds once it is ready (modules, templates, mappers: some 200,000
    objects) out of the garbage collector's sight. Otherwise an oldest-generation collection,
    set off by a request that makes many rows, walks them all: a pause of 100-300 ms in the
    middle of that request. The objects stay alive as before; only the walk is spared.

    The collections are also spaced out (``GC_THRESHOLDS``): a page that reads a few hundred
    records (the administrator's overdue cases) makes enough objects to set one off every few
    requests at Python's defaults (700, 10, 10), each a pause that doubles that request."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(*GC_THRESHOLDS)


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
    db.init_app(app)
    # Registered after Flask-SQLAlchemy's, so it runs before the session is removed.
    app.teardown_appcontext(end_reads_with_commit)
    migrate.init_app(
        app,
        db,
        directory=str(Path(__file__).resolve().parent.parent / "migrations"),
        render_item=render_migration_type,
    )
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
    mail.init_app(app)

    from daycentre import models  # noqa: F401  every model registered before the first query


def _register_blueprints(app: Flask) -> None:
    # Importing an area's views declares its routes on the area's blueprint (its __init__ holds
    # only the blueprint, so that importing one of its models does not load every area).
    from daycentre.attendance import views as attendance_views
    from daycentre.audit import views as audit_views
    from daycentre.auth import views as auth_views
    from daycentre.cases import views as cases_views
    from daycentre.centres import views as centres_views
    from daycentre.counselling import views as counselling_views
    from daycentre.enrolment import views as enrolment_views
    from daycentre.home import views as home_views
    from daycentre.meals import views as meals_views
    from daycentre.moving_in import views as moving_in_views
    from daycentre.notifications import views as notifications_views
    from daycentre.outreach import views as outreach_views
    from daycentre.parents import views as parents_views
    from daycentre.people import views as people_views
    from daycentre.programme import views as programme_views
    from daycentre.registers import views as registers_views
    from daycentre.reports import counts as _count_pages  # noqa: F401  (on the areas' blueprints)
    from daycentre.reports import views as reports_views
    from daycentre.surveys import views as surveys_views
    from daycentre.volunteers import views as volunteers_views
    from daycentre.workshops import views as workshops_views

    areas = (
        home_views,
        auth_views,
        centres_views,
        people_views,
        enrolment_views,
        attendance_views,
        meals_views,
        volunteers_views,
        counselling_views,
        cases_views,
        audit_views,
        outreach_views,
        reports_views,
        workshops_views,
        moving_in_views,
        registers_views,
        surveys_views,
        programme_views,
        parents_views,
        notifications_views,
    )
    for views in areas:
        app.register_blueprint(views.bp)
