"""What every template can use: locale-aware formatting, the language list, permissions."""

from datetime import date

from babel.dates import get_day_names
from flask_babel import format_date, format_datetime, format_decimal, format_time, get_locale

from daycentre.i18n import (
    LANGUAGE_NAMES,
    current_language,
    hungarian_article,
    person_name,
    spoken_languages,
)


def weekday_name(iso_weekday: int, width: str = "abbreviated") -> str:
    return get_day_names(width, locale=get_locale())[iso_weekday - 1]


def is_date_value(value) -> bool:
    return isinstance(value, date)


def plural_count(value) -> int:
    """The number gettext chooses a plural form by: it wants an integer (2.5 hours warns today and
    fails in later Pythons). A fraction takes the form of 2, as in ro, hu and en ("1,5 ore")."""
    return int(value) if value == int(value) else 2


def register_template_helpers(app) -> None:
    app.jinja_env.policies["ext.i18n.trimmed"] = True
    app.jinja_env.add_extension("jinja2.ext.do")
    app.jinja_env.tests["date_value"] = is_date_value
    app.jinja_env.filters.update(
        date=format_date,
        datetime=format_datetime,
        time=format_time,
        number=format_decimal,
        plural_count=plural_count,
        hungarian_article=hungarian_article,
        spoken_languages=spoken_languages,
    )
    app.jinja_env.globals.update(
        LANGUAGE_NAMES=LANGUAGE_NAMES,
        current_language=current_language,
        person_name=person_name,
        get_locale=get_locale,
        weekday_name=weekday_name,
    )
