"""Message catalogs: extract the template, update, compile and check the ro, hu and en catalogs."""

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po

PACKAGE_DIR = Path(__file__).resolve().parent.parent  # daycentre/
TRANSLATIONS_DIR = PACKAGE_DIR.parent / "translations"
TEMPLATE_FILE = TRANSLATIONS_DIR / "messages.pot"
GLOSSARY_FILE = TRANSLATIONS_DIR / "GLOSSARY.md"
LOCALES = ("ro", "hu", "en")
MUST_TRANSLATE = ("ro", "hu")  # English follows from the msgids

KEYWORDS = {
    "_": None,
    "gettext": None,
    "ngettext": (1, 2),
    "_l": None,
    "lazy_gettext": None,
    "lazy_ngettext": (1, 2),
    "pgettext": ((1, "c"), 2),
}
# Templates: the pages (.html) and the messages' texts (.txt, the notifications' outbox).
METHOD_MAP = [
    ("**.py", "python"),
    ("templates/**.html", "jinja2"),
    ("templates/**.txt", "jinja2"),
]
OPTIONS_MAP = {
    "templates/**.html": {"trimmed": "true", "extensions": "jinja2.ext.do"},
    "templates/**.txt": {"trimmed": "true", "extensions": "jinja2.ext.do"},
}
# A fixed header date keeps the committed template stable between extractions.
HEADER_DATE = datetime(2026, 1, 1, tzinfo=UTC)

PLACEHOLDER = re.compile(r"%\((\w+)\)[sdif]|%[sdif]")
CEDILLA_LETTERS = re.compile("[şţŞŢ]")


def _new_catalog(locale: str | None = None) -> Catalog:
    return Catalog(
        locale=locale,
        project="daycentre",
        version="1",
        copyright_holder="daycentre",
        msgid_bugs_address="",
        creation_date=HEADER_DATE,
        revision_date=HEADER_DATE,
        fuzzy=False,
    )


def extract() -> Catalog:
    catalog = _new_catalog()
    for filename, lineno, message, comments, context in extract_from_dir(
        PACKAGE_DIR,
        METHOD_MAP,
        OPTIONS_MAP,
        keywords=KEYWORDS,
        comment_tags=("TRANSLATORS:",),
        strip_comment_tags=True,
    ):
        catalog.add(
            message,
            None,
            [(f"daycentre/{filename}", lineno)],
            auto_comments=comments,
            context=context,
        )
    return catalog


def _write(catalog: Catalog, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as stream:
        write_po(
            stream, catalog, width=100, include_lineno=False, ignore_obsolete=True, sort_output=True
        )


def _read(path: Path, locale: str | None = None) -> Catalog:
    with path.open("rb") as stream:
        return read_po(stream, locale=locale)


def catalog_path(locale: str) -> Path:
    return TRANSLATIONS_DIR / locale / "LC_MESSAGES" / "messages.po"


def update() -> None:
    """Re-extract the template and merge it into every catalog, creating missing ones."""
    template = extract()
    _write(template, TEMPLATE_FILE)
    template = _read(TEMPLATE_FILE)
    for locale in LOCALES:
        path = catalog_path(locale)
        catalog = _read(path, locale) if path.exists() else _new_catalog(locale)
        catalog.update(template, no_fuzzy_matching=True, update_header_comment=False)
        catalog.revision_date = HEADER_DATE
        _write(catalog, path)


def compile_catalogs() -> None:
    for locale in LOCALES:
        catalog = _read(catalog_path(locale), locale)
        with catalog_path(locale).with_suffix(".mo").open("wb") as stream:
            write_mo(stream, catalog, use_fuzzy=False)


@dataclass(frozen=True)
class Problem:
    where: str
    message: str
    what: str

    def __str__(self) -> str:
        return f"{self.where}: {self.what}: {self.message!r}"


def _key(message) -> tuple:
    return (message.id if isinstance(message.id, str) else tuple(message.id), message.context)


def _placeholders(text: str) -> set[str]:
    return {match.group(0) for match in PLACEHOLDER.finditer(text or "")}


def _placeholder_problems(locale: str, message) -> list[Problem]:
    if isinstance(message.id, str):
        if message.string and _placeholders(message.string) != _placeholders(message.id):
            return [Problem(locale, message.id, "placeholders differ from the msgid")]
        return []
    allowed = _placeholders(message.id[0]) | _placeholders(message.id[1])
    problems = []
    for form in message.string:
        # A singular form may spell the number out ("un copil"); nothing else may differ.
        if form and not (allowed - {"%(num)d"} <= _placeholders(form) <= allowed):
            problems.append(Problem(locale, message.id[0], "placeholders differ from the msgid"))
    return problems


def check_catalog(locale: str, catalog: Catalog) -> list[Problem]:
    """Untranslated, fuzzy, mis-placeholdered or cedilla-spelt messages of one catalog."""
    problems = []
    for message in catalog:
        if not message.id:
            continue
        strings = [message.string] if isinstance(message.string, str) else list(message.string)
        if locale in MUST_TRANSLATE and not all(strings):
            problems.append(Problem(locale, str(message.id), "untranslated"))
        if message.fuzzy:
            problems.append(Problem(locale, str(message.id), "fuzzy"))
        problems.extend(_placeholder_problems(locale, message))
        if locale == "ro" and any(CEDILLA_LETTERS.search(s or "") for s in strings):
            problems.append(
                Problem(locale, str(message.id), "cedilla ş/ţ instead of comma-below ș/ț")
            )
    return problems


@dataclass(frozen=True)
class Avoided:
    """A variant the glossary rules out for a concept, and the words that merely contain it."""

    concept: str
    variant: str
    pattern: re.Pattern
    allowed: tuple[re.Pattern, ...] = ()

    def found_in(self, text: str) -> bool:
        for word in self.allowed:
            text = word.sub(" ", text)
        return bool(self.pattern.search(text))


def _whole_words(variant: str) -> re.Pattern:
    """``riaszt*`` matches "riasztás"; ``ülés`` matches "Ülés" but not "ülésterem"."""
    stem = variant.removesuffix("*")
    end = "" if variant.endswith("*") else r"(?!\w)"
    return re.compile(r"(?<!\w)" + re.escape(stem) + end, re.IGNORECASE)


def read_glossary(path: Path = GLOSSARY_FILE) -> dict[str, list[Avoided]]:
    """The "avoid en/ro/hu" columns of the glossary's tables, by language."""
    avoided: dict[str, list[Avoided]] = {}
    columns: list[str] = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.startswith("|"):
            columns = []
            continue
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if not columns:
            columns = cells
            continue
        if set("".join(cells)) <= set("-: "):
            continue
        for column, cell in zip(columns, cells, strict=False):
            if not column.startswith("avoid "):
                continue
            variants = re.findall(r"`([^`]+)`", cell)
            allowed = tuple(_whole_words(v[1:]) for v in variants if v.startswith("!"))
            language = column.removeprefix("avoid ").strip()
            for variant in variants:
                if not variant.startswith("!"):
                    avoided.setdefault(language, []).append(
                        Avoided(cells[0], variant, _whole_words(variant), allowed)
                    )
    return avoided


def glossary_problems(locale: str, catalog: Catalog, avoided: list[Avoided]) -> list[Problem]:
    """Messages that use a variant the glossary rules out; in English, the msgids themselves."""
    problems = []
    for message in catalog:
        if not message.id:
            continue
        if locale == "en":
            texts = [message.id] if isinstance(message.id, str) else list(message.id)
        else:
            texts = [message.string] if isinstance(message.string, str) else list(message.string)
        text = "\n".join(t for t in texts if t)
        for rule in avoided:
            if rule.found_in(text):
                problems.append(
                    Problem(
                        locale,
                        str(message.id),
                        f"uses {rule.variant!r}, which the glossary avoids ({rule.concept})",
                    )
                )
    return problems


def check() -> list[Problem]:
    """Everything that would ship an English, broken, outdated or off-glossary string."""
    problems = []
    current = extract()
    committed = _read(TEMPLATE_FILE)
    current_keys = {_key(m) for m in current if m.id}
    committed_keys = {_key(m) for m in committed if m.id}
    for key in sorted(current_keys - committed_keys, key=str):
        problems.append(
            Problem(
                "messages.pot", str(key[0]), "missing from the template (run make translations)"
            )
        )
    for key in sorted(committed_keys - current_keys, key=str):
        problems.append(
            Problem("messages.pot", str(key[0]), "no longer in the code (run make translations)")
        )

    avoided = read_glossary()
    for locale in LOCALES:
        path = catalog_path(locale)
        if not path.exists():
            problems.append(Problem(locale, str(path), "catalog missing"))
            continue
        catalog = _read(path, locale)
        keys = {_key(m) for m in catalog if m.id}
        for key in sorted(committed_keys - keys, key=str):
            problems.append(Problem(locale, str(key[0]), "missing from the catalog"))
        problems.extend(check_catalog(locale, catalog))
        problems.extend(glossary_problems(locale, catalog, avoided.get(locale, [])))
    return problems
