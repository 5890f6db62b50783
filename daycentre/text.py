"""Folding names for search."""

import unicodedata


def fold(text: str | None) -> str:
    """Lower case without accents: "Ştefan", "Ștefan", "stefan" fold alike, as do "Szabó", "szabo".

    NFKD splits a letter from its marks (ș and ş become s plus a comma or a cedilla), the marks are
    dropped, and casefold lowers what is left. White space is folded to single spaces.
    """
    decomposed = unicodedata.normalize("NFKD", text or "")
    bare = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(bare.casefold().split())
