"""Configuration classes; the environment chooses one through ``DAYCENTRE_ENV``."""

import os
from datetime import timedelta
from pathlib import Path


def _database_url(default_path: Path) -> str:
    url = os.environ.get("DATABASE_URL") or f"sqlite:///{default_path}"
    # Heroku-style URLs name the driver "postgres"; SQLAlchemy wants the psycopg 3 dialect.
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


class Config:
    ENV_NAME = "development"
    INSTANCE_PATH = Path(os.environ.get("DAYCENTRE_INSTANCE", Path.cwd() / "instance")).resolve()
    SQLALCHEMY_DATABASE_URI = _database_url(INSTANCE_PATH / "daycentre.sqlite")
    SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True}

    BABEL_DEFAULT_LOCALE = "ro"
    BABEL_DEFAULT_TIMEZONE = "Europe/Bucharest"
    LANGUAGES = ("ro", "hu", "en")

    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_IDLE_TIMEOUT = timedelta(minutes=30)
    SESSION_ABSOLUTE_TIMEOUT = timedelta(hours=12)

    MAX_CONTENT_LENGTH = 8 * 1024 * 1024
    WTF_CSRF_TIME_LIMIT = None  # the session's own lifetime bounds the token
    # Pages send no Referer (Referrer-Policy: no-referrer), so the HTTPS Referer check would refuse
    # every form; the token and SameSite=Lax cookies protect the forms.
    WTF_CSRF_SSL_STRICT = False

    RATELIMIT_STORAGE_URI = os.environ.get("RATELIMIT_STORAGE_URI", "memory://")
    # Failed sign-ins: each account has its own small budget; an address has a large one, shared
    # by every colleague behind one office router (NAT), counting only wrong credentials.
    LOGIN_LIMIT_PER_ACCOUNT = "5 per 15 minutes"
    LOGIN_LIMIT_PER_ADDRESS = os.environ.get("LOGIN_LIMIT_PER_ADDRESS", "200 per 15 minutes")

    # A second factor (an authenticator app's 30-second codes) at sign-in. Always required in
    # production for the roles below; elsewhere only when SECOND_FACTOR_REQUIRED is set, so the demo
    # logins stay one step. Anyone who has enrolled is asked for a code whatever the setting.
    SECOND_FACTOR_REQUIRED = os.environ.get("SECOND_FACTOR_REQUIRED", "").lower() in {"1", "true"}
    SECOND_FACTOR_ROLES = frozenset({"admin", "coordinator", "counsellor"})
    SECOND_FACTOR_LIMIT = "5 per 15 minutes"
    # The public survey pages, per address: enough for a family's phones, too few to guess codes.
    SURVEY_LIMIT_PER_ADDRESS = os.environ.get("SURVEY_LIMIT_PER_ADDRESS", "60 per 10 minutes")
    # A parent's invitation: days it works, and how often one address may try keys that fail and
    # one key may be submitted (a wrong password, a taken username) before it must wait.
    PARENT_INVITATION_DAYS = 7
    PARENT_JOIN_LIMIT_PER_ADDRESS = os.environ.get(
        "PARENT_JOIN_LIMIT_PER_ADDRESS", "20 per 15 minutes"
    )
    PARENT_JOIN_LIMIT_PER_CODE = "10 per 15 minutes"
    SECOND_FACTOR_PENDING = timedelta(minutes=5)  # between the password and the code
    FIRST_ADMIN_PASSWORD_VALID = timedelta(hours=24)

    SECRET_KEY: str | None = os.environ.get("SECRET_KEY")
    # The key of the pseudonymised export's hashes: the same person gets the same pseudonym in
    # every export as long as it stays the same. Required in production; kept in instance/ else.
    PSEUDONYM_KEY: str | None = os.environ.get("PSEUDONYM_KEY")
    # Encrypts the `flask backup` archives (a Fernet key); unset, they are written in plain form.
    BACKUP_KEY: str | None = os.environ.get("BACKUP_KEY") or None
    PASSWORD_HASH_METHOD = "scrypt"  # noqa: S105 - a hashing method, not a password

    # Years after the end of services before a record category's personal data are anonymised.
    # Volunteers: counted from the end of their last contract (never contracted: registration).
    RETENTION_YEARS = {
        "beneficiaries": int(os.environ.get("RETENTION_YEARS_BENEFICIARIES", "5")),
        "volunteers": int(os.environ.get("RETENTION_YEARS_VOLUNTEERS", "5")),
    }

    # How long a retention run waits for transactions older than it to end, so that PostgreSQL's
    # VACUUM can drop the old row versions (a backup or report still reading keeps them alive).
    RETENTION_WIPE_WAIT_SECONDS = int(os.environ.get("RETENTION_WIPE_WAIT_SECONDS", "60"))

    # How many reverse proxies (nginx, a load balancer) stand before the app. Only then are their
    # X-Forwarded-For and X-Forwarded-Proto headers believed; without a proxy they could be forged.
    PROXY_HOPS = int(os.environ.get("PROXY_HOPS", "0"))

    # Volunteers: how long a behavioural-integrity certificate (Legea 118/2019) counts, how early
    # a volunteer must cancel a sign-up, and how far ahead a contract's end is flagged.
    VOLUNTEER_INTEGRITY_VALID_MONTHS = 6
    VOLUNTEER_CANCEL_NOTICE_HOURS = 24
    VOLUNTEER_CONTRACT_ENDING_DAYS = 30
    # How many children one adult (staff or volunteer) may take on an outing; each outing may
    # ask for fewer.
    OUTING_CHILDREN_PER_ADULT = int(os.environ.get("OUTING_CHILDREN_PER_ADULT", "8"))

    # Workshops: a participant completes a programme by attending at least this share of its
    # sessions (the certificate of participation is given from then on).
    WORKSHOP_COMPLETION_SHARE = float(os.environ.get("WORKSHOP_COMPLETION_SHARE", "0.75"))

    # Cases: the deadlines of the prevention-of-separation process (see cases.deadlines).
    CASE_PRIMARY_EVALUATION_WORKING_DAYS = int(os.environ.get("CASE_PRIMARY_EVALUATION_DAYS", "5"))
    CASE_FIRST_VISIT_HOURS = 72  # the first home visit within 72 hours of the observation sheet
    # A returned child's monitoring visits: monthly for the first three months, then every three
    # months until six months after the return (cases/deadlines.py, reintegration_visits_due).
    REINTEGRATION_MONTHLY_VISITS = int(os.environ.get("REINTEGRATION_MONTHLY_VISITS", "3"))
    REINTEGRATION_LATER_EVERY_MONTHS = int(os.environ.get("REINTEGRATION_LATER_EVERY_MONTHS", "3"))
    REINTEGRATION_MONITORING_MONTHS = int(os.environ.get("REINTEGRATION_MONITORING_MONTHS", "6"))
    CASE_REVIEW_MONTHS = int(os.environ.get("CASE_REVIEW_MONTHS", "3"))
    CASE_PLAN_MONTHS = int(os.environ.get("CASE_PLAN_MONTHS", "12"))
    # Months between monitoring visits to a child whose parents work abroad (the monitoring
    # procedure of HG 691/2015: at least once a quarter); a visit is flagged 14 days ahead.
    PARENTS_ABROAD_VISIT_MONTHS = int(os.environ.get("PARENTS_ABROAD_VISIT_MONTHS", "3"))
    PARENTS_ABROAD_VISIT_NOTICE_DAYS = 14

    # Moving in from spreadsheets: the largest file and the most rows one import reads, and how
    # long an import can still be undone as a whole.
    IMPORT_MAX_BYTES = int(os.environ.get("IMPORT_MAX_BYTES", str(2 * 1024 * 1024)))
    IMPORT_MAX_ROWS = 5000
    IMPORT_UNDO_DAYS = 7

    # Messages (the notifications area's outbox, sent by `flask notify send` from cron).
    # E-mail over SMTP; the address the links in messages start with (no request to build them).
    MAIL_SERVER = os.environ.get("MAIL_SERVER", "localhost")
    MAIL_PORT = int(os.environ.get("MAIL_PORT", "25"))
    MAIL_USE_TLS = os.environ.get("MAIL_USE_TLS", "").lower() in {"1", "true"}
    MAIL_USE_SSL = os.environ.get("MAIL_USE_SSL", "").lower() in {"1", "true"}
    MAIL_USERNAME = os.environ.get("MAIL_USERNAME") or None
    MAIL_PASSWORD = os.environ.get("MAIL_PASSWORD") or None
    MAIL_DEFAULT_SENDER = os.environ.get("MAIL_DEFAULT_SENDER", "daycentre@localhost")
    MAIL_TIMEOUT = int(os.environ.get("MAIL_TIMEOUT", "20"))
    PUBLIC_URL = os.environ.get("PUBLIC_URL", "http://127.0.0.1:5000")
    # SMS: "log" writes them to the log; "twilio" sends through Twilio's Messages API.
    SMS_GATEWAY = os.environ.get("SMS_GATEWAY", "log")
    SMS_API_URL = os.environ.get("SMS_API_URL", "https://api.twilio.com")
    SMS_SENDER = os.environ.get("SMS_SENDER") or None
    TWILIO_ACCOUNT_SID = os.environ.get("TWILIO_ACCOUNT_SID") or None
    TWILIO_AUTH_TOKEN = os.environ.get("TWILIO_AUTH_TOKEN") or None
    NOTIFY_TIMEOUT_SECONDS = 20
    # Attempts before a message is listed as failed (waiting 5 min, 30 min, 2 h, 6 h between them).
    NOTIFY_MAX_ATTEMPTS = int(os.environ.get("NOTIFY_MAX_ATTEMPTS", "5"))

    # How many days back a coordinator may still correct a roll; older days only the administrator.
    ATTENDANCE_CORRECTION_DAYS = int(os.environ.get("ATTENDANCE_CORRECTION_DAYS", "7"))


class DevelopmentConfig(Config):
    """The embedded default: SQLite under instance/, demo data, a key kept in instance/."""


class ProductionConfig(Config):
    ENV_NAME = "production"
    SESSION_COOKIE_SECURE = True
    REMEMBER_COOKIE_SECURE = True
    # __Host-: the browser accepts the cookie only over HTTPS, for the whole site (Path=/) and for
    # this host alone (no Domain), so a sibling subdomain cannot plant or overwrite it.
    SESSION_COOKIE_NAME = "__Host-session"
    SESSION_COOKIE_PATH = "/"
    SESSION_COOKIE_DOMAIN = None
    REMEMBER_COOKIE_NAME = "__Host-remember_token"
    REMEMBER_COOKIE_PATH = "/"
    REMEMBER_COOKIE_DOMAIN = None
    PREFERRED_URL_SCHEME = "https"
    SECOND_FACTOR_REQUIRED = True
    # Each server process, once started, keeps its start-up objects out of the garbage
    # collector's walks (see create_app); tests build many apps and leave it off.
    FREEZE_STARTUP_OBJECTS = True


class TestingConfig(Config):
    ENV_NAME = "testing"
    TESTING = True
    SECRET_KEY = "testing-only-key"  # noqa: S105 - the test configuration is never served
    PSEUDONYM_KEY = "testing-only-pseudonym-key"
    WTF_CSRF_ENABLED = False
    # scrypt costs ~70 ms a hash by design; the suite creates and signs in thousands of users.
    PASSWORD_HASH_METHOD = "pbkdf2:sha256:1000"  # noqa: S105 - a hashing method
    SQLALCHEMY_DATABASE_URI = os.environ.get("TEST_DATABASE_URL", "sqlite://")
    RETENTION_WIPE_WAIT_SECONDS = 3


CONFIGS = {
    "development": DevelopmentConfig,
    "production": ProductionConfig,
    "testing": TestingConfig,
}
