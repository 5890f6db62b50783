"""Countries by their ISO 3166 code, named in the reader's language from Babel's territory names
(so a family's "IT" reads "Italia" in Romanian and "Olaszország" in Hungarian)."""

from functools import cache

from babel import Locale

from daycentre.core.i18n import current_language
from daycentre.core.text import sort_key

# Codes Babel names that are no country one works in (the EU, the euro area, the UN, unknown).
_NOT_COUNTRIES = {"EU", "EZ", "UN", "QO", "ZZ", "XA", "XB"}


@cache
def _countries(language: str) -> dict[str, str]:
    names = Locale.parse(language).territories
    return {
        code: name
        for code, name in names.items()
        if len(code) == 2 and code.isalpha() and code not in _NOT_COUNTRIES
    }


def country_codes() -> frozenset[str]:
    return frozenset(_countries("en"))


def country_name(code: str | None, language: str | None = None) -> str:
    """The country of an ISO 3166 code in ``language`` (the reader's by default)."""
    if not code:
        return ""
    return _countries(language or current_language()).get(code, code)


def country_choices(language: str | None = None) -> list[tuple[str, str]]:
    """Every country, sorted by its name in the reader's language."""
    language = language or current_language()
    names = _countries(language)
    return sorted(names.items(), key=lambda item: sort_key(item[1], language))
