"""Catalogs complete and correct; pages, plurals, dates and numbers follow the locale."""

from datetime import date

import pytest
from flask_babel import force_locale, format_date, format_decimal, ngettext

from daycentre import catalogs
from daycentre.i18n import person_name


def test_catalogs_are_complete_and_current():
    problems = catalogs.check()
    assert problems == [], "\n".join(map(str, problems))


def test_the_check_catches_cedillas_fuzzy_and_placeholders(tmp_path, monkeypatch):
    from babel.messages.catalog import Catalog
    from babel.messages.pofile import write_po

    catalog = Catalog(locale="ro")
    catalog.add("Save", "Salvează")
    catalog.add("Closure days", "Zile închise ştiute")  # cedilla
    catalog.add("Good day, %(name)s", "Bună ziua, %(nume)s")  # renamed placeholder
    catalog.add("Filter", "Filtrează", flags=["fuzzy"])
    catalog.add("Users", "")
    problems = [p.what for p in catalogs.check_catalog("ro", catalog)]
    assert "cedilla ş/ţ instead of comma-below ș/ț" in problems
    assert "placeholders differ from the msgid" in problems
    assert "fuzzy" in problems
    assert "untranslated" in problems
    assert len(problems) == 4
    with open(tmp_path / "x.po", "wb") as stream:  # and the catalog itself stays writable
        write_po(stream, catalog)


@pytest.mark.parametrize(
    ("language", "count", "expected"),
    [
        ("ro", 1, "1 grupă"),
        ("ro", 2, "2 grupe"),
        ("ro", 20, "20 de grupe"),
        ("ro", 101, "101 grupe"),
        ("hu", 1, "1 csoport"),
        ("hu", 20, "20 csoport"),
        ("en", 1, "1 group"),
        ("en", 20, "20 groups"),
    ],
)
def test_plural_forms(app, language, count, expected):
    with app.test_request_context(), force_locale(language):
        assert ngettext("%(num)d group", "%(num)d groups", count) == expected


@pytest.mark.parametrize(
    ("language", "expected_date", "expected_number"),
    [
        ("ro", "22.11.2026", "1.234,5"),
        ("hu", "2026. 11. 22.", "1 234,5"),
        ("en", "11/22/26", "1,234.5"),
    ],
)
def test_dates_and_numbers_follow_the_locale(app, language, expected_date, expected_number):
    with app.test_request_context(), force_locale(language):
        assert format_date(date(2026, 11, 22), "short") == expected_date
        assert format_decimal(1234.5).replace("\u00a0", " ") == expected_number


def test_hungarian_names_put_the_family_name_first():
    assert person_name("Kovács", "Anna", "hu") == "Kovács Anna"
    assert person_name("Kovács", "Anna", "ro") == "Anna Kovács"


@pytest.mark.parametrize("language", ["ro", "hu"])
def test_no_english_on_a_translated_page(client, login_as, users, language):
    from daycentre.extensions import db

    for user in users.values():
        user.locale = language
    db.session.commit()
    login_as("admin")
    for url in ("/", "/centres/", "/auth/users", "/auth/users/new", "/auth/password", "/audit/"):
        page = client.get(url).get_data(as_text=True)
        for english in (
            "Save",
            "Centres",
            "Users",
            "Sign out",
            "Change password",
            "Filter",
            "Today",
        ):
            assert f">{english}<" not in page, f"{english!r} untranslated on {url} in {language}"
            assert f'value="{english}"' not in page, (
                f"{english!r} untranslated on {url} in {language}"
            )


def test_the_glossary_rules_out_the_variants_it_lists():
    from babel.messages.catalog import Catalog

    avoided = catalogs.read_glossary()
    assert {"ro", "hu"} <= set(avoided)
    hungarian = Catalog(locale="hu")
    hungarian.add("Absence alerts", "Hiányzási riasztások")
    hungarian.add("Integrity certificate", "Erkölcsi bizonyítvány")
    hungarian.add("family %(name)s", "a(z) %(name)s család")
    hungarian.add("The case was referred.", "Az esetet továbbküldték.")
    hungarian.add("Children's Day", "Gyereknap")  # the holiday keeps its name
    hungarian.add("Absence alert thresholds", "A hiányzási figyelmeztetések küszöbei")
    problems = catalogs.glossary_problems("hu", hungarian, avoided["hu"])
    assert sorted(p.message for p in problems) == [
        "Absence alerts",
        "Integrity certificate",
        "The case was referred.",
        "family %(name)s",
    ]
    assert any("'riaszt*'" in str(p) for p in problems)
    assert catalogs._whole_words("ülés").search("Ülés")
    assert not catalogs._whole_words("ülés").search("ülésterem")
    assert catalogs._whole_words("ülés*").search("üléseken")

    romanian = Catalog(locale="ro")
    romanian.add("End the contract", "Încheie contractul")
    romanian.add("Partnerships concluded", "Parteneriate încheiate")  # concluded: right
    romanian.add("The primary evaluation was due on %(day)s.", "Evaluarea era scadentă la %(day)s.")
    problems = catalogs.glossary_problems("ro", romanian, avoided["ro"])
    assert sorted(p.message for p in problems) == [
        "End the contract",
        "The primary evaluation was due on %(day)s.",
    ]


def test_the_glossary_has_one_term_per_concept_in_three_languages():
    text = catalogs.GLOSSARY_FILE.read_text(encoding="utf-8")
    for concept in (
        "case manager",
        "service plan",
        "observation sheet",
        "beneficiary",
        "legal representative",
        "referral",
        "supervisor",
        "session (counselling)",
        "meeting (support group)",
        "absence alert",
        "food allowance",
        "volunteer contract",
        "volunteer's role sheet (annex 1)",
        "volunteer's protection sheet (annex 2)",
        "behavioural-integrity certificate",
        "enrolment",
        "waiting list",
    ):
        rows = [line for line in text.splitlines() if line.startswith(f"| {concept}")]
        assert len(rows) == 1, concept
        en, ro, hu = (cell.strip() for cell in rows[0].split("|")[2:5])
        assert en and ro and hu, concept
