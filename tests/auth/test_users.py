"""The admin creates, edits, deactivates users and resets their passwords."""

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
    assert "Dezactivat" in text_of(client.get("/auth/users"))


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
