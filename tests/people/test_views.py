from datetime import date, timedelta

import pytest
from flask_babel import force_locale, ngettext

from daycentre.audit.models import AuditEntry
from daycentre.core.localtime import today
from daycentre.extensions import db
from daycentre.people.models import Family, Person, Sex
from tests.conftest import text_of
from tests.factories import DEFAULT_PASSWORD, make_child, make_enrolment, make_family, make_group
from tests.people.test_services import cnp_for


def child_form(**fields):
    return {
        "family_name": "Kovács",
        "given_name": "Anna",
        "birth_date": "2016-03-14",
        "sex": "female",
        "cnp": "",
        "school": "Școala Gimnazială „Molnár Józsiás”",
        "grade": "a IV-a",
        "allergies": "arahide",
        "diet": "",
        "notes": "",
    } | fields


def set_language(user, language):
    user.locale = language
    db.session.commit()


def audit_entries(**filters):
    """Entries about records; the sign-ins of the test's users are left out."""
    query = db.select(AuditEntry).filter_by(**filters).where(AuditEntry.entity != "users")
    return db.session.scalars(query).all()


@pytest.mark.parametrize(
    "url",
    [
        "/people/",
        "/people/families",
        "/people/families/new",
        "/enrolment/",
        "/enrolment/centres/1/register",
    ],
)
def test_volunteers_see_none_of_the_register(client, login_as, url):
    login_as("volunteer")
    assert client.get(url).status_code == 403


def test_another_centres_person_answers_404(client, login_as, other_centre):
    theirs = make_child(make_family(other_centre, name="Bíró"))
    db.session.commit()
    login_as("coordinator")
    for url in (
        f"/people/{theirs.id}",
        f"/people/{theirs.id}/edit",
        f"/people/families/{theirs.family_id}",
    ):
        assert client.get(url).status_code == 404
    assert "Bíró" not in text_of(client.post("/people/", data={"q": "Biro"}))


def test_a_coordinator_registers_a_family_and_a_child(client, login_as, centre):
    user = login_as("coordinator")
    response = client.post(
        "/people/families/new",
        data={
            "name": "Kovács",
            "centre_id": centre.id,
            "address": "Strada Fabricilor nr. 4",
            "city": "Târgu Secuiesc",
            "factors": ["single_parent", "low_income"],
        },
    )
    family = db.session.scalar(db.select(Family))
    assert response.status_code == 302 and family.name == "Kovács"

    data = child_form(cnp=cnp_for(date(2016, 3, 14)))
    response = client.post(f"/people/families/{family.id}/children/new", data=data)
    child = db.session.scalar(db.select(Person))
    assert response.headers["Location"] == f"/people/{child.id}"
    assert child.allergies == "arahide"
    created = audit_entries(action="create", entity="people")
    assert [(e.actor_id, e.person_id, e.centre_id) for e in created] == [
        (user.id, child.id, centre.id)
    ]


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"cnp": "6160314141235"}, "Acest CNP nu este valid"),
        ({"cnp": cnp_for(date(2016, 3, 14), "male")}, "CNP-ul nu corespunde sexului"),
        (
            {"birth_date": (today() + timedelta(days=3)).isoformat()},
            "Data nașterii nu poate fi în viitor",
        ),
    ],
)
def test_a_bad_child_record_shows_a_translated_error_and_saves_nothing(
    client, login_as, centre, fields, message
):
    family = make_family(centre)
    db.session.commit()
    login_as("coordinator")
    response = client.post(f"/people/families/{family.id}/children/new", data=child_form(**fields))
    assert response.status_code == 200
    assert message in text_of(response)
    assert db.session.scalar(db.select(db.func.count(Person.id))) == 0
    assert audit_entries() == []


def test_likely_duplicates_are_shown_before_saving(client, login_as, centre):
    family = make_family(centre, name="Ștefănescu")
    existing = make_child(
        family, family_name="Ștefănescu", given_name="Ioana", birth_date=date(2016, 3, 14)
    )
    db.session.commit()
    login_as("coordinator")
    data = child_form(family_name="Stefanescu", given_name="Ioana")
    response = client.post(f"/people/families/{family.id}/children/new", data=data)
    page = text_of(response)
    assert "Această persoană poate fi deja înregistrată" in page
    assert f'href="/people/{existing.id}"' in response.get_data(as_text=True)
    assert db.session.scalar(db.select(db.func.count(Person.id))) == 1

    response = client.post(
        f"/people/families/{family.id}/children/new", data=data | {"confirm_duplicate": "y"}
    )
    assert response.status_code == 302
    assert db.session.scalar(db.select(db.func.count(Person.id))) == 2


def test_opening_a_childs_record_is_audited_and_shows_missing_consent(client, login_as, centre):
    child = make_child(make_family(centre), given_name="Réka")
    db.session.commit()
    user = login_as("counsellor")
    page = text_of(client.get(f"/people/{child.id}"))
    (entry,) = audit_entries(action="read")
    assert (entry.actor_id, entry.person_id, entry.centre_id) == (user.id, child.id, centre.id)
    assert "Prelucrarea datelor personale Lipsă" in page


def test_search_in_hungarian_shows_the_family_name_first_in_hungarian_order(
    client, login_as, users, centre
):
    family = make_family(centre, name="Szabó")
    for family_name, given_name in (
        ("Szabó", "Ștefan"),
        ("Csiki", "Ştefan"),
        ("Czakó", "Stefánia"),
    ):
        make_child(family, family_name=family_name, given_name=given_name)
    make_child(family, family_name="Molnár", given_name="Anna")
    db.session.commit()
    set_language(users["coordinator"], "hu")
    login_as("coordinator")
    page = text_of(client.post("/people/", data={"q": "stefan"}))
    assert "Molnár" not in page
    assert page.index("Czakó Stefánia") < page.index("Csiki Ştefan") < page.index("Szabó Ștefan")


def test_a_stale_edit_is_refused(client, login_as, centre):
    child = make_child(make_family(centre))
    db.session.commit()
    login_as("coordinator")
    data = child_form(family_name=child.family_name, given_name="Ana Maria", version=child.version)
    assert client.post(f"/people/{child.id}/edit", data=data).status_code == 302
    response = client.post(f"/people/{child.id}/edit", data=data | {"given_name": "Anamaria"})
    assert "Altcineva a modificat" in text_of(response)
    db.session.expire_all()
    assert db.session.get(Person, child.id).given_name == "Ana Maria"


def test_consent_is_recorded_and_an_expired_one_shows_plainly(client, login_as, centre):
    child = make_child(make_family(centre))
    db.session.commit()
    login_as("coordinator")
    response = client.post(
        f"/people/{child.id}/consents/new",
        data={
            "purpose": "photos",
            "given_by": "Kovács Éva, mama",
            "given_on": "2025-01-10",
            "expires_on": "2025-12-31",
        },
    )
    assert response.status_code == 302
    assert "Fotografii Expirat" in text_of(client.get(f"/people/{child.id}"))
    (entry,) = audit_entries(action="create", entity="consents")
    assert entry.person_id == child.id


def test_a_person_in_the_register_is_not_deleted(client, login_as, centre):
    child = make_child(make_family(centre))
    make_enrolment(child, make_group(centre))
    db.session.commit()
    login_as("coordinator")
    response = client.post(f"/people/{child.id}/delete", follow_redirects=True)
    assert "nu poate fi ștearsă" in text_of(response)
    assert db.session.get(Person, child.id) is not None


def test_the_same_cnp_cannot_be_saved_even_when_confirmed(client, login_as, centre):
    code = cnp_for(date(2016, 3, 14))
    family = make_family(centre, name="Kovács")
    make_child(family, given_name="Anna", cnp=code)
    db.session.commit()
    login_as("coordinator")
    data = child_form(given_name="Annamária", cnp=code, confirm_duplicate="y")
    page = text_of(client.post(f"/people/families/{family.id}/children/new", data=data))
    assert "O persoană cu acest CNP este deja înregistrată." in page
    assert "salvează oricum" not in page
    assert db.session.scalar(db.select(db.func.count(Person.id))) == 1


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("ro", ["1 copil", "2 copii", "20 de copii"]),
        ("hu", ["1 gyermek", "2 gyermek", "20 gyermek"]),
    ],
)
def test_child_counts_use_the_languages_plural_forms(app, language, expected):
    with app.test_request_context(), force_locale(language):
        assert [ngettext("%(num)d child", "%(num)d children", n) for n in (1, 2, 20)] == expected


def test_a_name_searched_for_never_reaches_a_url_or_the_access_log(app, users, centre, caplog):
    """The search is POSTed: the request line the server logs names no one."""
    import logging
    import threading
    from http.cookiejar import CookieJar
    from urllib.parse import urlencode
    from urllib.request import HTTPCookieProcessor, build_opener

    from werkzeug.serving import make_server

    make_child(make_family(centre, name="Xenopol"), family_name="Xenopol", given_name="Iacob")
    db.session.commit()
    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_port}"
    browser = build_opener(HTTPCookieProcessor(CookieJar()))

    def post(path, **data):
        with browser.open(f"{base}{path}", urlencode(data).encode()) as response:
            return response.url, response.read().decode()

    try:
        with caplog.at_level(logging.INFO, logger="werkzeug"):
            post("/auth/login", username=users["coordinator"].username, password=DEFAULT_PASSWORD)
            with browser.open(f"{base}/people/") as response:
                assert 'method="post" role="search"' in response.read().decode()
            url, page = post("/people/", q="Xenopol")
    finally:
        server.shutdown()
    assert "Iacob" in page
    assert url == f"{base}/people/"
    logged = [r.getMessage() for r in caplog.records if r.name == "werkzeug"]
    assert any("POST /people/ " in line for line in logged), logged
    assert not any("xenopol" in line.lower() for line in logged)


def test_a_name_in_the_address_is_not_searched_for(client, login_as, centre):
    make_child(make_family(centre, name="Xenopol"), family_name="Xenopol")
    make_child(make_family(centre, name="Barbu"), family_name="Barbu")
    login_as("coordinator")
    page = text_of(client.get("/people/?q=Xenopol"))
    assert "Barbu" in page  # the address's query is ignored: everyone is listed
    page = text_of(client.post("/people/", data={"q": "Xenopol"}))
    assert "Barbu" not in page and "Xenopol" in page
    page = text_of(client.post("/people/families", data={"q": "Barbu"}))
    assert "Xenopol" not in page and "Barbu" in page


def test_a_valid_cnp_fills_in_the_childs_birth_date_and_sex(client, login_as, centre):
    family = make_family(centre, name="Kovács")
    db.session.commit()
    login_as("coordinator")
    data = child_form(birth_date="", sex="", cnp=cnp_for(date(2017, 5, 20), sex="male"))
    response = client.post(f"/people/families/{family.id}/children/new", data=data)
    assert response.status_code == 302
    child = db.session.scalars(db.select(Person).filter_by(family_id=family.id)).one()
    assert (child.birth_date, child.sex) == (date(2017, 5, 20), Sex.MALE)


def test_without_a_cnp_the_childs_birth_date_and_sex_are_still_asked(client, login_as, centre):
    family = make_family(centre, name="Kovács")
    db.session.commit()
    login_as("coordinator")
    data = child_form(birth_date="", sex="", cnp="1234567890123")
    page = text_of(client.post(f"/people/families/{family.id}/children/new", data=data))
    assert "Acest CNP nu este valid" in page
    assert page.count("Câmp obligatoriu") >= 2 or "obligatoriu" in page
    assert db.session.scalar(db.select(db.func.count(Person.id))) == 0


def test_the_picker_finds_names_accents_aside_in_the_users_centres_only(
    client, login_as, centre, other_centre
):
    family = make_family(centre, name="Szabó")
    stefan = make_child(family, family_name="Szabó", given_name="Ștefan")
    make_child(family, family_name="Szabó", given_name="Anna")
    elsewhere = make_child(make_family(other_centre, name="Szabó"), given_name="Ștefan")
    db.session.commit()
    login_as("coordinator")
    found = client.post("/people/pick", json={"q": "stef szab"}).get_json()
    assert found["people"] == [stefan.id]
    assert elsewhere.id not in found["people"]
    assert found["families"] == [family.id]
    assert client.post("/people/pick", json={"q": ""}).get_json() == {"people": [], "families": []}


def test_the_picker_is_closed_to_volunteers_and_to_strangers(client, login_as, users):
    assert client.post("/people/pick", json={"q": "ana"}).status_code in (302, 401)
    login_as("volunteer")
    assert client.post("/people/pick", json={"q": "ana"}).status_code == 403


@pytest.mark.parametrize(
    "body", [{"q": 5}, {"q": ["ana"]}, ["ana"], {"q": "\x00"}, {"q": "a" * 5000}, None]
)
def test_the_picker_answers_odd_input_with_nothing_found(client, login_as, centre, body):
    login_as("coordinator")
    response = (
        client.post("/people/pick", json=body)
        if body is not None
        else client.post("/people/pick", data="not json", content_type="application/json")
    )
    assert response.status_code == 200
    assert set(response.get_json()) == {"people", "families"}
