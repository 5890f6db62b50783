"""Language choice, locale-aware formatting of names, and the Hungarian definite article."""

import re
from functools import cache

from babel import Locale
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


def listed_name(family_name: str, given_name: str, language: str | None = None) -> str:
    """A name in an official list or document, family name first: "ȚURCANU Darius" in Romanian
    (the family name in capitals, as on Romanian rosters), "Kovács Anna" in Hungarian,
    "Țurcanu, Darius" in English."""
    language = language or current_language()
    if language == "hu":
        return person_name(family_name, given_name, "hu")
    if language == "ro":
        return f"{family_name.upper()} {given_name}".strip()
    return f"{family_name}, {given_name}".strip(", ")


_HUNGARIAN_VOWELS = frozenset("aáeéiíoóöőuúüű")
# Capitals whose Hungarian letter name starts with a vowel: "az SMS" (es), "az MT" (em).
_VOWEL_LETTER_NAMES = frozenset("FLMNRSXY")


_LEADING_NUMBER = re.compile(r"\d{1,3}(?:[ .\u00a0]\d{3})+(?!\d)|\d+")


def _number_starts_with_a_vowel(number: int) -> bool:
    """Whether a number, read out in Hungarian, starts with a vowel: egy (1), öt (5), ötven (50),
    ötszáz (500), ezer (1000-1999), ötezer (5000), egymillió; not tíz, száz, kétezer or nulla."""
    if number == 0:
        return False
    leading = number
    while leading >= 1000:
        leading //= 1000
    return leading == 1 or str(leading)[0] == "5"


def hungarian_article(following: str) -> str:
    """The definite article before ``following``: "az" before a vowel sound, else "a".

    Names: "az Anna", "a Kovács"; numbers as they are read: "az 1.", "az 5", "az 50.", "a 10",
    "a 100", "az 1000" (ezer), "a 2026"; acronyms by their letters: "az SMS", "a DGASPC".
    """
    word = following.lstrip(" „“\"'(«»")
    if not word:
        return "a"
    number = _LEADING_NUMBER.match(word)
    if number:
        digits = re.sub(r"\D", "", number.group(0))
        return "az" if _number_starts_with_a_vowel(int(digits)) else "a"
    if word[0].lower() in _HUNGARIAN_VOWELS:
        return "az"
    letters = word.split()[0].rstrip(".,;:")
    if len(letters) > 1 and letters.isupper() and word[0] in _VOWEL_LETTER_NAMES:
        return "az"
    return "a"


@cache
def _language_codes() -> dict[str, str]:
    """A language's name as people type it in Romanian, Hungarian or English → its code."""
    codes: dict[str, str] = {}
    for language in LANGUAGE_NAMES:
        for code, name in Locale.parse(language).languages.items():
            codes.setdefault(name.lower(), code)
    return codes


_LIST_SEPARATOR = re.compile(r"(\s*[,;]\s*)")


def spoken_languages(text: str | None, language: str | None = None) -> str:
    """A typed list of languages named in ``language``: "maghiară, română" prints "magyar, román"
    on a Hungarian document. What follows a name ("(conversație)") and what is not a language's
    name stay as typed."""
    if not text:
        return ""
    names = Locale.parse(language or current_language()).languages
    codes = _language_codes()
    printed = []
    for part in _LIST_SEPARATOR.split(text.strip()):
        name, _, rest = part.partition(" ")
        code = codes.get(part.lower()) or codes.get(name.lower())
        if code in names and not _LIST_SEPARATOR.fullmatch(part):
            part = names[code] if code == codes.get(part.lower()) else f"{names[code]} {rest}"
        printed.append(part)
    return "".join(printed)
