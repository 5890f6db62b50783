"""Catalogs complete and correct; pages, plurals, dates and numbers follow the locale."""

import re
from datetime import date

import pytest
from flask_babel import force_locale, format_date, format_decimal, ngettext
from sqlalchemy import Column

from daycentre.core import catalogs
from daycentre.core.i18n import person_name


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


def test_official_lists_put_the_family_name_first():
    from daycentre.core.i18n import listed_name

    assert listed_name("Țurcanu", "Darius", "ro") == "ȚURCANU Darius"
    assert listed_name("Kovács", "Anna", "hu") == "Kovács Anna"
    assert listed_name("Țurcanu", "Darius", "en") == "Țurcanu, Darius"


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


def test_the_check_keeps_hungarian_formal():
    """A social worker is addressed as "Ön": an informal "te" form fails `flask i18n check`."""
    from babel.messages.catalog import Catalog

    avoided = catalogs.read_glossary()["hu"]
    hungarian = Catalog(locale="hu")
    hungarian.add("Enter your password.", "Kérlek, add meg a jelszavad.")
    hungarian.add("Choose a centre.", "Válaszd ki a központot.")
    hungarian.add("Save", "Mentsd")
    hungarian.add("You are signed in.", "Be vagy jelentkezve.")
    hungarian.add("Enter the password.", "Adja meg a jelszavát.")  # formal: right
    hungarian.add("Save the plan", "Terv mentése")
    hungarian.add("Yes or no", "Igen vagy nem")  # "vagy" as "or"
    problems = catalogs.glossary_problems("hu", hungarian, avoided)
    assert sorted({p.message for p in problems}) == [
        "Choose a centre.",
        "Enter your password.",
        "Save",
        "You are signed in.",
    ]
    assert (
        catalogs.glossary_problems("hu", catalogs._read(catalogs.catalog_path("hu"), "hu"), avoided)
        == []
    )


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


# A number before a participle or a preposition takes no "de": "20 programate", "20 pe listă".
NOT_A_NOUN_AFTER_THE_NUMBER = {"%(num)d scheduled", "%(num)d on the waiting list"}


def _romanian_plurals():
    catalog = catalogs._read(catalogs.catalog_path("ro"), "ro")
    return [m.id for m in catalog if m.id and not isinstance(m.id, str)]


def _sample_values(msgid: str, count: int) -> tuple[dict, bool]:
    """Values for the placeholders; the counted one (num, or WTForms' min/max) gets ``count``."""
    names = re.findall(r"%\((\w+)\)([sd])", msgid)
    counted = "num" if "%(num)" in msgid else next((n for n, k in names if k == "d"), None)
    values = {name: 7 if kind == "d" else "X" for name, kind in names if name != "num"}
    if counted and counted != "num":
        values[counted] = count
    return values, counted is not None


@pytest.mark.parametrize("count", [1, 2, 19, 20, 101])
def test_every_romanian_plural_puts_de_after_twenty_and_only_there(app, count):
    """Romanian: "1 zi", "2 zile", "19 zile", "20 de zile", "101 zile" (plural=… n%100 …)."""
    plurals = _romanian_plurals()
    assert len(plurals) >= 40
    with app.test_request_context(), force_locale("ro"):
        for singular, plural in plurals:
            values, counted = _sample_values(plural, count)
            text = ngettext(singular, plural, count, **values)
            assert "%(" not in text, singular
            if not counted:
                continue
            if count == 1:
                assert "1 de " not in text, text
                continue
            assert f"{count} " in text, f"{singular!r}: the number is missing in {text!r}"
            wants_de = count == 20 and singular not in NOT_A_NOUN_AFTER_THE_NUMBER
            assert (f"{count} de " in text) == wants_de, text


def test_no_count_before_a_noun_bypasses_ngettext():
    """A Romanian message with a count before a noun outside ngettext would print "20 zile"."""
    counts = re.compile(
        r"%\((num|days|hours|min|age|taken|total|marked|capacity|places|sessions|meetings|"
        r"present|absent|excused|unexcused|occupied|attended)\)[ds] "
        r"(?!din\b|dintr|și\b|la\b|pe\b|în\b|ocupate\b)[a-zăâîșț]"
    )
    catalog = catalogs._read(catalogs.catalog_path("ro"), "ro")
    offenders = [m.id for m in catalog if isinstance(m.id, str) and counts.search(m.string)]
    assert offenders == []


@pytest.mark.parametrize(
    ("following", "article"),
    [
        ("Anna", "az"),
        ("Éva", "az"),
        ("Ödön", "az"),
        ("Kovács", "a"),
        ("Ștefan", "a"),
        ("„Iskolakezdés” műhely", "az"),
        ("SMS", "az"),  # es-em-es
        ("DGASPC", "a"),
        ("1. számú", "az"),  # egy
        ("2. számú", "a"),
        ("5", "az"),  # öt
        ("10", "a"),  # tíz
        ("15", "a"),  # tizenöt
        ("50", "az"),  # ötven
        ("55", "az"),
        ("100", "a"),  # száz
        ("150", "a"),
        ("500", "az"),  # ötszáz
        ("1000", "az"),  # ezer
        ("1 999", "az"),
        ("2026. november 30.", "a"),  # kétezer-huszonhat
        ("5000", "az"),  # ötezer
        ("10 000", "a"),  # tízezer
        ("50 000", "az"),
        ("1 000 000", "az"),  # egymillió
        ("0", "a"),  # nulla
    ],
)
def test_the_hungarian_article_follows_the_first_sound(following, article):
    from daycentre.core.i18n import hungarian_article

    assert hungarian_article(following) == article


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("ro", ["Adresă de e-mail invalidă.", "Câmpul poate avea cel mult 20 de caractere."]),
        ("hu", ["Érvénytelen e-mail-cím.", "A mező legfeljebb 20 karakter hosszú lehet."]),
        ("en", ["Invalid email address.", "Field cannot be longer than 20 characters."]),
    ],
)
def test_wtforms_messages_come_from_our_catalogs(app, language, expected):
    from werkzeug.datastructures import MultiDict
    from wtforms import StringField
    from wtforms.validators import Email, Length

    from daycentre.core.forms import Form

    class Contact(Form):
        class Meta:
            csrf = False

        email = StringField(validators=[Email()])
        name = StringField(validators=[Length(max=20)])

    with app.test_request_context(), force_locale(language):
        form = Contact(MultiDict({"email": "nobody@", "name": "x" * 21}))
        assert not form.validate()
        assert [form.email.errors[0], form.name.errors[0]] == expected


@pytest.mark.parametrize("language", ["ro", "hu"])
def test_the_audit_trail_names_every_audited_field_in_the_language(app, language):
    """No column name ("meeting_id", "present") on the audit page: each has a translated label."""
    from daycentre.audit.labels import field_labels
    from daycentre.extensions import db

    with app.test_request_context(), force_locale(language):
        labels = field_labels()
        for mapper in db.Model.registry.mappers:
            for attribute in mapper.column_attrs:
                column = attribute.columns[0]
                if not isinstance(column, Column) or not column.info.get("audit", True):
                    continue  # counted by a query (Centre.room_count), or kept out of the trail
                label = labels.get(attribute.key)
                assert label is not None, f"{mapper.local_table.name}.{attribute.key} has no label"
                assert str(label) != attribute.key
        assert str(labels["meeting_id"]) == {"ro": "Întâlnire", "hu": "Találkozó"}[language]
        assert str(labels["present"]) == {"ro": "Prezent", "hu": "Jelen"}[language]


def test_every_literal_message_in_the_code_is_in_the_template():
    """A _("…") the extractor misses (inside an f-string, say) would print in English."""
    call = re.compile(r"""\b_l?\(\s*(?:"([^"\\]+)"|'([^'\\]+)')\s*[,)]""")
    template = {m.id for m in catalogs._read(catalogs.TEMPLATE_FILE) if isinstance(m.id, str)}
    missing = []
    for path in catalogs.PACKAGE_DIR.rglob("*.py"):
        for match in call.finditer(path.read_text(encoding="utf-8")):
            message = match.group(1) or match.group(2)
            if message not in template:
                missing.append((path.name, message))
    assert missing == []


@pytest.mark.parametrize(
    ("typed", "language", "printed"),
    [
        ("maghiară, română", "hu", "magyar, román"),
        ("maghiară, română", "ro", "maghiară, română"),
        ("magyar, román", "ro", "maghiară, română"),
        ("română, maghiară (conversație), engleză", "hu", "román, magyar (conversație), angol"),
        ("Hungarian; Romanian", "en", "Hungarian; Romanian"),
        ("limba semnelor, germană", "hu", "limba semnelor, német"),  # not a name: as typed
        (None, "hu", ""),
    ],
)
def test_languages_spoken_are_named_in_the_documents_language(typed, language, printed):
    """A volunteer's languages typed in Romanian print in Hungarian on a Hungarian contract."""
    from daycentre.core.i18n import spoken_languages

    assert spoken_languages(typed, language) == printed
