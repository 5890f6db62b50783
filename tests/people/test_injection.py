"""SQL metacharacters typed into real forms are data: kept verbatim, searched literally.

Every query goes through the ORM with bound parameters (check 30). These tests send quotes,
statement separators, comments and LIKE wildcards through the family and child forms and the
people and family searches, then look at what was stored, what was found and whether every table
is still there.
"""

import html

import pytest
from sqlalchemy import func, inspect

from daycentre.audit.models import AuditEntry
from daycentre.extensions import db
from daycentre.people.models import Family, Person
from tests.conftest import text_of
from tests.people.test_views import child_form

HOSTILE_NAMES = [
    "O'Brien",
    "Robert'); DROP TABLE people;--",
    '"; DELETE FROM families WHERE "1"="1',
    "100% Kovács",
    "Sz_bó",
    "Back\\slash",
    "x' OR '1'='1",
]
HOSTILE_NOTE = "'; UPDATE people SET notes = NULL; --"


def page_text(response) -> str:
    return html.unescape(text_of(response))


def search(client, text: str, *, families: bool = False) -> str:
    return page_text(client.post("/people/families" if families else "/people/", data={"q": text}))


@pytest.fixture
def hostile_register(client, login_as, centre):
    """One family per hostile name, made through the forms, each with a child of the same name,
    and a plain Szabó family beside them (what an unescaped ``_`` or ``%`` would also match)."""
    login_as("coordinator")
    for name in [*HOSTILE_NAMES, "Szabó"]:
        response = client.post(
            "/people/families/new",
            data={"name": name, "centre_id": centre.id, "address": name, "city": "Sfântu Gheorghe"},
        )
        assert response.status_code == 302, name
        family = db.session.scalar(db.select(Family).where(Family.name == name))
        response = client.post(
            f"/people/families/{family.id}/children/new",
            data=child_form(family_name=name, given_name="Anna", notes=HOSTILE_NOTE),
        )
        assert response.status_code == 302, name
    client.get("/people/")  # shows the "saved" messages, which name every family
    db.session.expire_all()


def test_names_with_sql_metacharacters_are_stored_verbatim(hostile_register):
    for name in HOSTILE_NAMES:
        family = db.session.scalar(db.select(Family).where(Family.name == name))
        assert (family.name, family.address) == (name, name)
        (child,) = family.members
        assert (child.family_name, child.given_name, child.notes) == (name, "Anna", HOSTILE_NOTE)
    assert db.session.scalar(db.select(func.count()).select_from(Family)) == len(HOSTILE_NAMES) + 1
    assert db.session.scalar(db.select(func.count()).select_from(Person)) == len(HOSTILE_NAMES) + 1


@pytest.mark.parametrize("name", HOSTILE_NAMES)
def test_searching_for_a_hostile_name_finds_that_family_and_no_other(
    client, hostile_register, name
):
    for families in (False, True):
        found = search(client, name, families=families)
        assert name in found
        others = [other for other in [*HOSTILE_NAMES, "Szabó"] if other != name]
        assert not [other for other in others if other in found and other not in name]


@pytest.mark.parametrize(
    ("typed", "found", "not_found"),
    [
        ("%", [], [*HOSTILE_NAMES, "Szabó"]),  # a wildcard would list everyone
        ("_", [], [*HOSTILE_NAMES, "Szabó"]),
        ("sz_b", ["Sz_bó"], ["Szabó"]),  # "_" is an underscore, not any one letter
        ("szab", ["Szabó"], ["Sz_bó"]),
        ("100%", ["100% Kovács"], ["Szabó", "O'Brien"]),
        ("back\\", ["Back\\slash"], ["Szabó"]),  # the escape character itself
    ],
)
def test_like_wildcards_in_a_search_match_literally(
    client, hostile_register, typed, found, not_found
):
    for families in (False, True):
        page = search(client, typed, families=families)
        for name in found:
            assert name in page, (typed, name)
        for name in not_found:
            assert name not in page, (typed, name)


def test_every_table_and_row_is_intact_after_the_hostile_searches(client, hostile_register):
    tables = set(inspect(db.engine).get_table_names())
    entries = db.session.scalar(db.select(func.count()).select_from(AuditEntry))
    for text in [*HOSTILE_NAMES, HOSTILE_NOTE, "%", "_", "'", '"', ";", "--", "\\"]:
        assert client.post("/people/", data={"q": text}).status_code == 200
        assert client.post("/people/families", data={"q": text}).status_code == 200
    db.session.expire_all()
    assert set(inspect(db.engine).get_table_names()) == tables
    assert {"people", "families", "audit_entries"} <= tables
    assert db.session.scalar(db.select(func.count()).select_from(Person)) == len(HOSTILE_NAMES) + 1
    assert db.session.scalar(db.select(func.count()).select_from(Family)) == len(HOSTILE_NAMES) + 1
    assert db.session.scalar(db.select(func.count()).select_from(AuditEntry)) >= entries
    notes = db.session.scalars(db.select(Person.notes)).all()
    assert notes == [HOSTILE_NOTE] * len(notes)
