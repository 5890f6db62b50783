"""The session cookie: a new one at sign-in, a forged one is a stranger, no way in without an account."""

import re

from sqlalchemy import func

from daycentre.audit.models import AuditEntry
from daycentre.auth.models import User
from daycentre.extensions import db
from tests.conftest import text_of
from tests.factories import DEFAULT_PASSWORD

UNKNOWN_OR_WRONG = "Nume de utilizator necunoscut sau parolă greșită."


def test_signing_in_starts_a_new_session(app, client, users, login):
    client.post("/auth/language", data={"language": "hu"})
    with client.session_transaction() as session:
        session["planted"] = "by whoever handed the browser this cookie"
    before = client.get_cookie("session").value

    assert login(users["coordinator"]).status_code == 302
    after = client.get_cookie("session").value
    assert after != before
    with client.session_transaction() as session:
        assert "planted" not in session
        assert session["locale"] == "hu"  # the language chosen before signing in is kept

    fixed = app.test_client()
    fixed.set_cookie("session", before)
    assert fixed.get("/").headers["Location"].startswith("/auth/login")


def _tampered(value: str) -> str:
    position = len(value) // 2
    flipped = "A" if value[position] != "A" else "B"
    return value[:position] + flipped + value[position + 1 :]


def test_a_tampered_session_cookie_is_a_stranger_not_an_error(app, client, login_as):
    login_as("admin")
    genuine = client.get_cookie("session").value
    for forged in (_tampered(genuine), genuine[:-1], "not-a-cookie", "x" * 4000, ".eJy.."):
        visitor = app.test_client()
        visitor.set_cookie("session", forged)
        response = visitor.get("/")
        assert response.status_code == 302, forged
        assert response.headers["Location"].startswith("/auth/login")
        assert visitor.get("/auth/login").status_code == 200
    assert client.get("/").status_code == 200  # the genuine cookie still works


def test_a_fresh_database_has_no_account_to_guess(app, client):
    assert db.session.scalar(db.select(func.count()).select_from(User)) == 0
    for username, password in [("admin", "admin"), ("admin", "password"), ("root", "root")]:
        response = client.post("/auth/login", data={"username": username, "password": password})
        assert response.status_code == 200
        assert UNKNOWN_OR_WRONG in text_of(response)
    assert client.get("/").headers["Location"].startswith("/auth/login")


def test_an_unknown_user_and_a_wrong_password_get_the_same_answer(client, users):
    """Status, page and audit event alike: the answer does not tell which accounts exist."""
    admin = users["admin"].username
    unknown = "nobody-here"

    wrong = client.post("/auth/login", data={"username": admin, "password": "not-the-password"})
    nobody = client.post("/auth/login", data={"username": unknown, "password": "not-the-password"})

    assert wrong.status_code == nobody.status_code == 200
    # The typed username is echoed back in the form, and the form token carries the second it was
    # made in; apart from these the pages are identical.
    assert page_without(wrong, admin) == page_without(nobody, unknown)
    failures = db.session.scalars(
        db.select(AuditEntry.action).where(AuditEntry.entity == "users")
    ).all()
    assert len(failures) == 2 and len(set(failures)) == 1


def test_password_lengths_from_10_to_200_and_any_alphabet(client, login_as, users):
    user = login_as("coordinator")
    current = DEFAULT_PASSWORD
    for accepted in ("a-tiny-one", "ț" * 12 + "-Gábor", "long-" * 12 + "pass", "x-" * 100):
        response = client.post(
            "/auth/password",
            data={"current_password": current, "new_password": accepted, "confirm": accepted},
        )
        assert response.status_code == 302, (len(accepted), text_of(response))
        current = accepted
    for refused in ("nine-char", "y" * 201):
        response = client.post(
            "/auth/password",
            data={"current_password": current, "new_password": refused, "confirm": refused},
        )
        assert response.status_code == 200
    db.session.expire_all()
    assert db.session.get(User, user.id).check_password(current)


def test_a_huge_password_at_sign_in_is_refused_without_hashing_it(client, users, monkeypatch):
    hashed = []
    monkeypatch.setattr(User, "check_password", lambda self, password: hashed.append(1))
    response = client.post(
        "/auth/login", data={"username": users["admin"].username, "password": "p" * 100_000}
    )
    assert response.status_code == 200
    assert hashed == []
    assert client.get("/").headers["Location"].startswith("/auth/login")


def page_without(response, username):
    page = response.get_data(as_text=True).replace(username, "NAME")
    return re.sub(r'name="csrf_token" value="[^"]*"', "CSRF", page)
