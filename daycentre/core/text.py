"""Folding names for search and sorting them in the locale's alphabet."""

import unicodedata
from functools import cache

import icu

from daycentre.core.i18n import current_language


def fold(text: str | None) -> str:
    """Lower case without accents: "Ştefan", "Ștefan" and "stefan" fold alike, as do "Szabó" and "szabo".

    NFKD splits a letter from its marks (ș and ş become s plus a comma or a cedilla), the marks are
    dropped, and casefold lowers what is left. Hyphens ("Pop-Ionescu") and runs of white space become
    single spaces, so that each part of a name is a word of its own.
    """
    decomposed = unicodedata.normalize("NFKD", text or "")
    bare = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(bare.casefold().replace("-", " ").split())


def matches_words(text: str | None, name: str | None) -> bool:
    """Every word of ``text``, folded, begins a word of the folded ``name`` ("sza" finds "Szabó");
    the rule of people's name search, for names already on the page."""
    words = fold(name).split()
    return all(any(w.startswith(part) for w in words) for part in fold(text).split())


@cache
def _collator(language: str) -> icu.Collator:
    return icu.Collator.createInstance(icu.Locale(language))


def sort_key(text: str | None, language: str | None = None) -> bytes:
    """A key that sorts text in the language's alphabet (ICU, CLDR rules).

    Romanian puts ă â after a, î after i, ș after s, ț after t; Hungarian treats cs, gy, ny, sz, zs as
    letters of their own and puts ö ő after o, ü ű after u.
    """
    return _collator(language or current_language()).getSortKey(text or "")
