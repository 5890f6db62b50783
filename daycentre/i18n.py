"""Language choice and locale-aware formatting of names."""

from flask import current_app, has_request_context, request, session
from flask_babel import get_locale
from flask_login import current_user

LANGUAGE_NAMES = {"ro": "Română", "hu": "Magyar", "en": "English"}


def select_locale() -> str:
    """The user's choice, else this browser session's, else the browser's; Romanian last."""
    languages = current_app.config["LANGUAGES"]
    if not has_request_context():
        return current_app.config["BABEL_DEFAULT_LOCALE"]
    if current_user and current_user.is_authenticated and current_user.locale in languages:
        return current_user.locale
    if session.get("locale") in languages:
        return session["locale"]
    return (
        request.accept_languages.best_match(languages) or current_app.config["BABEL_DEFAULT_LOCALE"]
    )


def current_language() -> str:
    locale = get_locale()
    return locale.language if locale else "ro"


def person_name(family_name: str, given_name: str, language: str | None = None) -> str:
    """Hungarian puts the family name first ("Kovács Anna"); Romanian and English the given name."""
    language = language or current_language()
    if language == "hu":
        return f"{family_name} {given_name}".strip()
    return f"{given_name} {family_name}".strip()
