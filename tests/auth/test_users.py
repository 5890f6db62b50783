"""The admin creates, edits, deactivates users and resets their passwords."""

import pytest
from flask import current_app

from daycentre.audit.models import AuditEntry
from daycentre.auth.models import User
from daycentre.extensions import db
from tests.conftest import text_of


def _user_form(centre, **overrides):
    return {
        "username": "Zsofia.Kelemen",
        "given_name": "Zsófia",
        "family_name": "Kelemen",
        "email": "zsofia@example.org",
        "role": "counsellor",
        "centres": [str(centre.id)],
        "password": "temporary-pass-1",
        "active": "y",
    } | overrides


def test_admin_creates_a_user_who_must_change_the_password(app, client, login_as, centre):
    login_as("admin")
    response = client.post("/auth/users/new", data=_user_form(centre))
    assert response.status_code == 302
    user = db.session.scalars(db.select(User).where(User.username == "zsofia.kelemen")).one()
    assert user.must_change_password
    assert [c.id for c in user.centres] == [centre.id]
    entry = db.session.scalars(
        db.select(AuditEntry).where(AuditEntry.entity_id == user.id, AuditEntry.entity == "users")
    ).one()
    assert entry.changes["centres"] == [centre.id]
    assert "password_hash" not in entry.changes

    newcomer = app.test_client()
    newcomer.post(
        "/auth/login", data={"username": "zsofia.kelemen", "password": "temporary-pass-1"}
    )
    assert newcomer.get("/").headers["Location"] == "/auth/password"


def test_a_role_other_than_admin_needs_a_centre(client, login_as, centre):
    login_as("admin")
    response = client.post("/auth/users/new", data=_user_form(centre, centres=[]))
    assert "Alegeți cel puțin un centru pentru acest rol." in text_of(response)
    assert not db.session.scalar(db.select(User).where(User.username == "zsofia.kelemen"))


def test_usernames_are_unique_whatever_the_case(client, login_as, centre, users):
    login_as("admin")
    taken = users["coordinator"].username.upper()
    response = client.post("/auth/users/new", data=_user_form(centre, username=taken))
    assert f"Numele de utilizator {taken.lower()} este deja folosit." in text_of(response)


def test_deactivating_a_user_ends_their_sessions(app, client, login_as, users, centre):
    counsellor = users["counsellor"]
    their_browser = app.test_client()
    their_browser.post(
        "/auth/login", data={"username": counsellor.username, "password": "correct-horse-battery"}
    )
    assert their_browser.get("/").status_code == 200

    login_as("admin")
    data = _user_form(
        centre, username=counsellor.username, active="", version=str(counsellor.version)
    )
    del data["password"]
    assert client.post(f"/auth/users/{counsellor.id}/edit", data=data).status_code == 302
    assert their_browser.get("/").status_code == 302
    assert "Inactiv(ă)" in text_of(client.get("/auth/users"))


def test_admin_cannot_demote_or_deactivate_themselves(client, login_as, users, centre):
    admin = login_as("admin")
    data = _user_form(
        centre, username=admin.username, role="coordinator", version=str(admin.version)
    )
    del data["password"]
    response = client.post(f"/auth/users/{admin.id}/edit", data=data)
    assert "Nu vă puteți retrage propriul rol de administrator" in text_of(response)
    assert db.session.get(User, admin.id).role.value == "admin"


def test_password_reset_forces_a_change_and_signs_the_user_out(app, client, login_as, users):
    volunteer = users["volunteer"]
    their_browser = app.test_client()
    their_browser.post(
        "/auth/login", data={"username": volunteer.username, "password": "correct-horse-battery"}
    )

    login_as("admin")
    response = client.post(
        f"/auth/users/{volunteer.id}/password", data={"password": "brand-new-temp-1"}
    )
    assert response.status_code == 302
    assert their_browser.get("/").status_code == 302
    reloaded = db.session.get(User, volunteer.id)
    assert reloaded.must_change_password
    assert reloaded.check_password("brand-new-temp-1")


def test_a_too_short_reset_password_is_refused(client, login_as, users):
    login_as("admin")
    response = client.post(
        f"/auth/users/{users['volunteer'].id}/password", data={"password": "short"}
    )
    assert response.status_code == 400
    assert "Parola trebuie să aibă cel puțin 10 caractere." in text_of(response)
    assert db.session.get(User, users["volunteer"].id).check_password("correct-horse-battery")


def test_unknown_user_id_answers_404(client, login_as):
    login_as("admin")
    assert client.get("/auth/users/999999/edit").status_code == 404


def test_an_edit_is_audited_field_by_field(client, login_as, users, centre, other_centre):
    counsellor = users["counsellor"]
    login_as("admin")
    data = _user_form(
        centre,
        username=counsellor.username,
        given_name="Tünde",
        role="coordinator",
        centres=[str(other_centre.id)],
        active="",
        version=str(counsellor.version),
    )
    del data["password"]
    assert client.post(f"/auth/users/{counsellor.id}/edit", data=data).status_code == 302
    entry = db.session.scalars(
        db.select(AuditEntry).where(
            AuditEntry.entity_id == counsellor.id, AuditEntry.action == "update"
        )
    ).one()
    assert entry.changes["given_name"] == ["Ioana", "Tünde"]
    assert entry.changes["role"] == ["counsellor", "coordinator"]
    assert entry.changes["active"] == [True, False]
    assert entry.changes["centres"] == [[centre.id], [other_centre.id]]


def test_signing_in_does_not_make_an_open_edit_form_stale(app, client, login_as, users, centre):
    coordinator = users["coordinator"]
    seen = str(coordinator.version)
    elsewhere = app.test_client()
    elsewhere.post(
        "/auth/login", data={"username": coordinator.username, "password": "correct-horse-battery"}
    )
    elsewhere.post("/auth/language", data={"language": "hu"})

    login_as("admin")
    data = _user_form(centre, username=coordinator.username, role="coordinator", version=seen)
    del data["password"]
    assert client.post(f"/auth/users/{coordinator.id}/edit", data=data).status_code == 302


def test_a_stale_edit_shows_what_was_saved_meanwhile(client, login_as, users, centre):
    volunteer = users["volunteer"]
    seen = str(volunteer.version)
    login_as("admin")
    first = _user_form(
        centre, username=volunteer.username, role="volunteer", family_name="Ionescu", version=seen
    )
    del first["password"]
    client.post(f"/auth/users/{volunteer.id}/edit", data=first)
    second = first | {"family_name": "Popescu", "given_name": "Ștefan"}
    page = text_of(client.post(f"/auth/users/{volunteer.id}/edit", data=second))
    assert "Salvat între timp de altcineva: Prenume Zsófia Nume de familie Ionescu" in page
    assert db.session.get(User, volunteer.id).family_name == "Ionescu"


def test_the_admin_resets_others_passwords_not_their_own(client, login_as, users):
    admin = login_as("admin")
    response = client.post(f"/auth/users/{admin.id}/password", data={"password": "a-new-temporary"})
    assert response.headers["Location"] == "/auth/password"
    assert db.session.get(User, admin.id).check_password("correct-horse-battery")


def test_two_admins_creating_the_same_username_get_a_message_not_an_error(
    client, login_as, centre, users
):
    from daycentre.auth import services as accounts
    from daycentre.core.errors import Refused

    login_as("admin")
    fields = {
        "actor": users["admin"],
        "username": "dora.kiss",
        "given_name": "Dóra",
        "family_name": "Kiss",
        "email": None,
        "role": "coordinator",
        "centre_ids": [centre.id],
        "password": "temporary-pass-1",
    }
    accounts.create_user(**fields)
    db.session.commit()
    # The second admin's check ran before the first one committed: the database decides.
    original = accounts._ensure_username_free
    accounts._ensure_username_free = lambda *args, **kwargs: None
    try:
        with pytest.raises(Refused):
            accounts.create_user(**fields)
    finally:
        accounts._ensure_username_free = original
    assert (
        db.session.scalar(db.select(db.func.count(User.id)).where(User.username == "dora.kiss"))
        == 1
    )


def test_passwords_are_stored_with_scrypt_outside_the_tests(users):
    from daycentre.core.config import DevelopmentConfig, ProductionConfig

    for config in (DevelopmentConfig, ProductionConfig):
        current_app.config["PASSWORD_HASH_METHOD"] = config.PASSWORD_HASH_METHOD
        user = users["volunteer"]
        user.set_password("o parolă lungă și bună")
        assert user.password_hash.startswith("scrypt:")
        assert user.check_password("o parolă lungă și bună")
        assert not user.check_password("o parolă lungă si buna")
