"""Signing in and out, passwords, throttling and the session's lifetime."""

from datetime import UTC, datetime, timedelta

from daycentre.audit.models import AuditEntry
from daycentre.auth.models import User
from daycentre.extensions import db
from tests.conftest import text_of
from tests.factories import DEFAULT_PASSWORD, make_user


def test_sign_in_and_land_on_home(client, users, login):
    response = login(users["coordinator"], follow=True)
    assert response.status_code == 200
    assert "Bună ziua, Ioana" in text_of(response)


def test_username_is_not_case_sensitive(client, users):
    response = client.post(
        "/auth/login",
        data={"username": users["admin"].username.upper(), "password": DEFAULT_PASSWORD},
    )
    assert response.status_code == 302


def test_unknown_user_and_wrong_password_get_the_same_message(client, users, login):
    wrong = text_of(login(users["admin"], password="not-the-password"))
    unknown = text_of(
        client.post("/auth/login", data={"username": "nobody", "password": "whatever123"})
    )
    assert "Nume de utilizator necunoscut sau parolă greșită." in wrong
    assert wrong == unknown


def test_deactivated_user_cannot_sign_in(client, users, login):
    users["counsellor"].active = False
    db.session.commit()
    assert login(users["counsellor"]).status_code == 200


def test_next_only_leads_within_the_site(client, users):
    data = {"username": users["admin"].username, "password": DEFAULT_PASSWORD}
    response = client.post("/auth/login?next=https://evil.example/", data=data)
    assert response.headers["Location"] == "/"
    client.post("/auth/logout")
    response = client.post("/auth/login?next=/centres/", data=data)
    assert response.headers["Location"] == "/centres/"


def test_failed_sign_ins_are_throttled_per_account(app, client, users, login):
    app.config["LOGIN_LIMIT_PER_ACCOUNT"] = "3 per 15 minutes"
    for _attempt in range(3):
        assert login(users["admin"], password="wrong-password").status_code == 200
    response = login(users["admin"])  # even the right password waits now
    assert response.status_code == 429
    assert "Prea multe încercări" in text_of(response)
    # Another account from the same address is not locked out by this one.
    assert login(users["coordinator"]).status_code == 302


def test_failed_sign_ins_are_throttled_per_address(app, client, users, login):
    app.config["LOGIN_LIMIT_PER_ADDRESS"] = "4 per 15 minutes"
    for index in range(4):
        client.post("/auth/login", data={"username": f"guess{index}", "password": "whatever123"})
    assert login(users["admin"]).status_code == 429
    other_address = client.post(
        "/auth/login",
        data={"username": users["admin"].username, "password": DEFAULT_PASSWORD},
        environ_base={"REMOTE_ADDR": "10.0.0.9"},
    )
    assert other_address.status_code == 302


def test_fifty_colleagues_behind_one_office_address_all_sign_in(app, centre):
    """One router (NAT) address for the whole office; half of them mistype their password first."""
    colleagues = [make_user("coordinator", centres=[centre]) for _ in range(50)]
    db.session.commit()
    office = {"REMOTE_ADDR": "192.0.2.10"}
    signed_in = 0
    for index, colleague in enumerate(colleagues):
        browser = app.test_client()
        if index % 2 == 0:
            mistyped = {"username": colleague.username, "password": "wrong-password"}
            assert (
                browser.post("/auth/login", data=mistyped, environ_base=office).status_code == 200
            )
        right = {"username": colleague.username, "password": DEFAULT_PASSWORD}
        response = browser.post("/auth/login", data=right, environ_base=office)
        signed_in += response.status_code == 302
    assert signed_in == 50


def test_an_incomplete_sign_in_form_does_not_count_against_the_address(app, client, users, login):
    app.config["LOGIN_LIMIT_PER_ADDRESS"] = "2 per 15 minutes"
    for _attempt in range(5):  # an expired page sent again, an empty field: no password was tried
        assert client.post("/auth/login", data={"username": "", "password": ""}).status_code == 200
    assert login(users["admin"]).status_code == 302


def test_successful_sign_ins_are_not_counted(app, client, users, login):
    app.config["LOGIN_LIMIT_PER_ACCOUNT"] = "2 per 15 minutes"
    for _attempt in range(4):
        assert login(users["admin"]).status_code == 302
        client.post("/auth/logout")


def test_logout_is_a_post_and_ends_the_session(client, login_as):
    login_as("coordinator")
    assert client.get("/auth/logout").status_code == 405
    response = client.post("/auth/logout")
    assert response.headers["Location"] == "/auth/login"
    assert client.get("/").status_code == 302


def test_an_old_cookie_is_refused_after_logout(app, users, login_as, client):
    login_as("coordinator")
    stolen = client.get_cookie("session").value
    client.post("/auth/logout")
    replay = app.test_client()
    replay.set_cookie("session", stolen)
    assert replay.get("/").status_code == 302


def test_changing_the_password_ends_other_sessions(app, users, login_as, client):
    login_as("coordinator")
    other_device = app.test_client()
    other_device.post(
        "/auth/login",
        data={"username": users["coordinator"].username, "password": DEFAULT_PASSWORD},
    )
    assert other_device.get("/").status_code == 200

    response = client.post(
        "/auth/password",
        data={
            "current_password": DEFAULT_PASSWORD,
            "new_password": "a-new-long-password",
            "confirm": "a-new-long-password",
        },
    )
    assert response.status_code == 302
    assert client.get("/").status_code == 200, "this device stays signed in"
    assert other_device.get("/").status_code == 302, "the other device is signed out"
    assert db.session.get(User, users["coordinator"].id).check_password("a-new-long-password")


def test_password_change_validation(client, login_as, users):
    login_as("coordinator")
    response = client.post(
        "/auth/password",
        data={"current_password": "wrong-one-here", "new_password": "short", "confirm": "other"},
    )
    page = text_of(response)
    assert "Parola trebuie să aibă cel puțin 10 caractere." in page
    assert "Cele două parole diferă." in page
    assert db.session.get(User, users["coordinator"].id).check_password(DEFAULT_PASSWORD)

    response = client.post(
        "/auth/password",
        data={
            "current_password": "wrong-one-here",
            "new_password": "long-enough-pass",
            "confirm": "long-enough-pass",
        },
    )
    assert "Parola actuală nu este corectă." in text_of(response)


def test_a_reset_password_must_be_changed_first(client, users, login):
    user = make_user("counsellor", must_change_password=True)
    db.session.commit()
    response = login(user)
    assert response.status_code == 302
    assert client.get("/").headers["Location"] == "/auth/password"
    assert client.get("/centres/").headers["Location"] == "/auth/password"
    client.post(
        "/auth/password",
        data={
            "current_password": DEFAULT_PASSWORD,
            "new_password": "my-own-password",
            "confirm": "my-own-password",
        },
    )
    assert client.get("/").status_code == 200


def test_idle_session_expires(app, client, login_as):
    login_as("coordinator")
    with client.session_transaction() as session:
        session["last_seen"] = (datetime.now(UTC) - timedelta(minutes=31)).timestamp()
    response = client.get("/")
    assert response.headers["Location"] == "/auth/login"
    assert client.get("/").status_code == 302


def test_absolute_session_lifetime(app, client, login_as):
    login_as("coordinator")
    with client.session_transaction() as session:
        session["signed_in_at"] = (datetime.now(UTC) - timedelta(hours=12, minutes=1)).timestamp()
    assert client.get("/").headers["Location"] == "/auth/login"


def test_language_is_remembered_on_the_user(client, login_as, users):
    login_as("coordinator")
    response = client.post("/auth/language", data={"language": "hu", "next": "/centres/"})
    assert response.headers["Location"] == "/centres/"
    assert db.session.get(User, users["coordinator"].id).locale == "hu"
    page = client.get("/").get_data(as_text=True)
    assert '<html lang="hu" data-theme="light">' in page
    assert "Jó napot, Ioana" in page


def test_language_before_sign_in_follows_the_browser(client):
    page = client.get("/auth/login", headers={"Accept-Language": "hu-HU,hu;q=0.9,en;q=0.5"})
    assert '<html lang="hu" data-theme="light">' in page.get_data(as_text=True)
    assert "Bejelentkezés" in text_of(page)
    page = client.get("/auth/login", headers={"Accept-Language": "de-DE"})
    assert '<html lang="ro" data-theme="light">' in page.get_data(as_text=True)
    assert "Autentificare" in text_of(page)


def test_unknown_language_is_refused(client):
    assert client.post("/auth/language", data={"language": "xx"}).status_code == 400


def test_password_change_is_audited_without_the_password(client, login_as, users):
    login_as("volunteer")
    client.post(
        "/auth/password",
        data={
            "current_password": DEFAULT_PASSWORD,
            "new_password": "volunteer-pass-2",
            "confirm": "volunteer-pass-2",
        },
    )
    entry = db.session.scalars(db.select(AuditEntry).where(AuditEntry.action == "update")).one()
    assert entry.actor_id == users["volunteer"].id
    assert "volunteer-pass-2" not in str(entry.changes)
    assert "password_hash" not in entry.changes


def test_sign_ins_and_failures_are_audited_with_the_address(client, users, login):
    login(users["coordinator"], password="wrong-password")
    client.post("/auth/login", data={"username": "Nobody", "password": "whatever123"})
    login(users["coordinator"])
    client.post("/auth/logout")
    entries = db.session.scalars(db.select(AuditEntry).order_by(AuditEntry.id)).all()
    assert [e.action for e in entries] == [
        "sign_in_failed",
        "sign_in_failed",
        "sign_in",
        "sign_out",
    ]
    assert entries[0].entity_id == users["coordinator"].id
    assert entries[1].changes == {"username": "nobody", "address": "127.0.0.1"}
    assert entries[2].changes == {"address": "127.0.0.1"}


def test_the_language_chosen_before_sign_in_is_kept(client, users, login):
    client.post("/auth/language", data={"language": "hu"})
    login(users["counsellor"])
    assert '<html lang="hu"' in client.get("/").get_data(as_text=True)
    assert db.session.get(User, users["counsellor"].id).locale == "hu"
    client.post("/auth/logout")
    assert '<html lang="hu"' in client.get("/auth/login").get_data(as_text=True)


def test_changing_the_password_keeps_the_session_age(client, login_as):
    login_as("coordinator")
    signed_in = (datetime.now(UTC) - timedelta(hours=11)).timestamp()
    with client.session_transaction() as session:
        session["signed_in_at"] = signed_in
        session["last_seen"] = datetime.now(UTC).timestamp()
    client.post(
        "/auth/password",
        data={
            "current_password": DEFAULT_PASSWORD,
            "new_password": "another-long-pass",
            "confirm": "another-long-pass",
        },
    )
    with client.session_transaction() as session:
        assert session["signed_in_at"] == signed_in


def test_password_guessing_through_the_change_form_is_throttled(app, client, login_as):
    app.config["LOGIN_LIMIT_PER_ACCOUNT"] = "2 per 15 minutes"
    login_as("coordinator")
    bad = {
        "current_password": "guess-number-1",
        "new_password": "another-long-pass",
        "confirm": "another-long-pass",
    }
    assert client.post("/auth/password", data=bad).status_code == 200
    assert client.post("/auth/password", data=bad).status_code == 200
    assert client.post("/auth/password", data=bad).status_code == 429
