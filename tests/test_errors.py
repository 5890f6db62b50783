"""Error pages in the user's language, without a traceback; a 500 rolls back."""

import re

import pytest
from flask import abort
from werkzeug.exceptions import RequestEntityTooLarge

from daycentre.auth.permissions import requires
from daycentre.auth.roles import ACCOUNT
from daycentre.core.settings import Setting
from daycentre.extensions import db
from tests.conftest import text_of


@pytest.fixture
def failing_app(app):
    @app.get("/_test/abort/<int:code>")
    @requires(ACCOUNT)
    def abort_with(code):
        if code == 413:
            raise RequestEntityTooLarge()
        abort(code)

    @app.get("/_test/crash")
    @requires(ACCOUNT)
    def crash():
        db.session.add(Setting(key="half-written", value="should never be stored"))
        db.session.flush()
        raise RuntimeError("boom: secret internals")

    return app


@pytest.mark.parametrize(
    ("code", "romanian", "hungarian"),
    [
        (400, "Cerere invalidă", "Hibás kérés"),
        (403, "Acțiune nepermisă", "Nem engedélyezett"),
        (404, "Pagina nu a fost găsită", "Az oldal nem található"),
        (405, "Metodă nepermisă", "Nem engedélyezett kérés"),
        (409, "Conflict", "Ütközés"),
        (413, "Prea mare", "Túl nagy"),
        (429, "Prea multe încercări", "Túl sok próbálkozás"),
        (500, "Ceva nu a funcționat", "Valami hiba történt"),
    ],
)
def test_error_pages_are_translated(failing_app, client, login_as, code, romanian, hungarian):
    login_as("coordinator")
    response = client.get(f"/_test/abort/{code}")
    assert response.status_code == code
    assert romanian in text_of(response)
    client.post("/auth/language", data={"language": "hu"})
    assert hungarian in text_of(client.get(f"/_test/abort/{code}"))


def test_a_crash_shows_no_traceback_and_saves_nothing(failing_app, client, login_as, caplog):
    login_as("coordinator")
    response = client.get("/_test/crash")
    assert response.status_code == 500
    page = response.get_data(as_text=True)
    assert "boom" not in page
    assert "Traceback" not in page
    assert "Eroarea a fost înregistrată" in text_of(response)
    assert db.session.get(Setting, "half-written") is None
    assert "boom: secret internals" in caplog.text


def test_a_crash_shows_an_incident_number_found_in_the_log_with_the_traceback(
    failing_app, client, login_as, caplog
):
    login_as("coordinator")
    page = text_of(client.get("/_test/crash"))
    incident = re.search(r"Număr de incident: ([0-9a-f]{12})", page)
    assert incident, page
    [logged] = [r for r in caplog.records if incident.group(1) in r.getMessage()]
    assert logged.exc_info and "boom: secret internals" in str(logged.exc_info[1])
    assert "Traceback" in caplog.text
    again = text_of(client.get("/_test/crash"))
    assert incident.group(1) not in again  # each incident its own number


def test_unknown_page_for_a_signed_in_user_is_a_translated_404(client, login_as):
    login_as("admin")
    response = client.get("/no-such-page")
    assert response.status_code == 404
    assert "Această pagină nu există" in text_of(response)


def test_wrong_method_is_405(client, login_as):
    login_as("admin")
    assert client.post("/centres/").status_code == 405
