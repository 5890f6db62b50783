"""What every template can use: locale-aware formatting, the language list, permissions."""

from datetime import date

from babel.dates import get_day_names
from flask import current_app, request, url_for
from flask.globals import _cv_app
from flask_babel import (
    format_date,
    format_datetime,
    format_decimal,
    format_time,
    get_locale,
    get_translations,
)
from jinja2 import pass_eval_context
from markupsafe import Markup

from daycentre.core.countries import country_name
from daycentre.core.i18n import (
    LANGUAGE_NAMES,
    current_language,
    hungarian_article,
    person_name,
    spoken_languages,
)

# Each signed-in person's header in each language: at most a few thousand small fragments.
_KEPT_FRAGMENTS = 4096


def weekday_name(iso_weekday: int, width: str = "abbreviated") -> str:
    return get_day_names(width, locale=get_locale())[iso_weekday - 1]


def is_date_value(value) -> bool:
    return isinstance(value, date)


def plural_count(value) -> int:
    """The number gettext chooses a plural form by: it wants an integer (2.5 hours warns today and
    fails in later Pythons). A fraction takes the form of 2, as in ro, hu and en ("1,5 ore")."""
    return int(value) if value == int(value) else 2


def _translations():
    """``flask_babel.get_translations()`` with fewer steps for the thousands of strings a long
    page translates: Flask-Babel finds the request's locale through several context-local
    lookups on every call. The catalogue of the locale the request (or a ``force_locale``) has
    already chosen is taken directly; otherwise Flask-Babel chooses, as before."""
    context = _cv_app.get(None)
    if context is not None:
        babel = context.g.__dict__.get("_flask_babel")
        locale = getattr(babel, "babel_locale", None)
        if locale is not None:
            known = context.app.extensions["daycentre_catalogues"]
            catalogue = known.get(locale)
            if catalogue is None:
                catalogue = known[locale] = get_translations()
            return catalogue
    return get_translations()


def kept_fragment(name: str, key, render):
    """Markup that depends only on ``key``, the language and where the app is mounted, rendered
    by ``render()`` once per process and then reused: the layout's header (its main menu is the
    same for everyone of a role) and head links; rendering their permission checks, links and
    labels on every page cost as much as a roll's query. ``key`` must hold everything else the
    markup depends on."""
    kept = current_app.extensions["daycentre_fragments"]
    full_key = (name, key, current_language(), request.script_root)
    found = kept.get(full_key)
    if found is None:
        found = render()  # a macro's markup (plain text would be escaped when written)
        if len(kept) >= _KEPT_FRAGMENTS:
            kept.clear()
        kept[full_key] = found
    return found


@pass_eval_context
def _gettext(eval_context, string: str, /, **variables):
    """Jinja's newstyle ``gettext`` (``_()`` in templates), with a label without variables
    translated once per catalogue and reused: a roll page writes some forty labels, each a
    catalogue lookup, a Markup and a ``%`` formatting on every request. It takes the evaluation
    context, not the whole context as Jinja's does: a call inside a block that sets variables
    then copies the template's context first, on every call."""
    catalogue = _translations()
    autoescape = eval_context.autoescape
    if variables:
        found = catalogue.ugettext(string)
        # The catalogue's text is trusted as Jinja's own gettext trusts it; variables are escaped.
        return (Markup(found) if autoescape else found) % variables  # noqa: S704
    kept = catalogue.__dict__.get("_daycentre_labels")
    if kept is None:
        kept = catalogue.__dict__["_daycentre_labels"] = {}
    label = kept.get((string, autoescape))
    if label is None:
        found = catalogue.ugettext(string)
        # "%%" in a label is written "%", as newstyle gettext does with no variables.
        label = (Markup(found) if autoescape else found) % {}  # noqa: S704
        kept[(string, autoescape)] = label
    return label


@pass_eval_context
def _ngettext(eval_context, singular: str, plural: str, num, /, **variables):
    """Jinja's newstyle ``ngettext``, taking the evaluation context (see ``_gettext``)."""
    variables.setdefault("num", num)
    found = _translations().ungettext(singular, plural, num)
    return (Markup(found) if eval_context.autoescape else found) % variables  # noqa: S704


# Addresses built for templates, kept per process: the URL map does not change while it runs.
_KEPT_URLS = 8192


def _url_for(endpoint: str, **values) -> str:
    """``url_for`` for templates, each address built once per process and mount point: a page
    builds some twenty, the same on every request. Relative endpoints (".name"), external
    addresses and values that cannot be a key are built by Flask every time."""
    if endpoint.startswith(".") or "_external" in values or "_scheme" in values:
        return url_for(endpoint, **values)
    try:
        key = (endpoint, request.script_root, *sorted(values.items()))
        kept = current_app.extensions["daycentre_urls"]
        found = kept.get(key)
    except TypeError:  # a list of values
        return url_for(endpoint, **values)
    if found is None:
        found = url_for(endpoint, **values)
        if len(kept) >= _KEPT_URLS:
            kept.clear()
        kept[key] = found
    return found


def register_template_helpers(app) -> None:
    app.extensions["daycentre_urls"] = {}
    app.extensions["daycentre_fragments"] = {}
    app.jinja_env.policies["ext.i18n.trimmed"] = True
    app.extensions["daycentre_catalogues"] = {}
    app.jinja_env.install_gettext_callables(
        gettext=lambda s: _translations().ugettext(s),
        ngettext=lambda s, p, n: _translations().ungettext(s, p, n),
        newstyle=True,
        pgettext=lambda c, s: _translations().upgettext(c, s),
        npgettext=lambda c, s, p, n: _translations().unpgettext(c, s, p, n),
    )
    app.jinja_env.globals.update(gettext=_gettext, _=_gettext, ngettext=_ngettext, url_for=_url_for)
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
        country=country_name,
    )
    app.jinja_env.globals.update(
        LANGUAGE_NAMES=LANGUAGE_NAMES,
        current_language=current_language,
        person_name=person_name,
        get_locale=get_locale,
        weekday_name=weekday_name,
        kept_fragment=kept_fragment,
    )
