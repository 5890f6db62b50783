"""Common passwords and passwords made of one's own names are refused wherever a password is set."""

from datetime import timedelta

import pytest

from daycentre.audit import services as audit
from daycentre.audit.models import AuditEntry
from daycentre.auth.models import User
from daycentre.auth.passwords import (
    WeakPassword,
    common_passwords,
    ensure_strong_password,
    personal_words,
)
from daycentre.auth.services import create_first_admin, renew_first_admin_password
from daycentre.core.database import utcnow
from daycentre.core.errors import Refused
from daycentre.extensions import db
from tests.conftest import text_of
from tests.factories import DEFAULT_PASSWORD

COMMON = ["password123", "qwertyuiop", "1234567890", "QwErTyUiOp", "Password123"]
COMMON_MESSAGE = "Această parolă este una dintre cele mai folosite"
OWN_NAME_MESSAGE = "Această parolă este formată dintr-un nume"


def test_the_list_holds_at_least_the_100000_most_common_passwords():
    passwords = common_passwords()
    assert len(passwords) >= 100_000
    assert {"123456", "password", "qwertyuiop", "1234567890", "password123"} <= passwords


@pytest.mark.parametrize("password", COMMON)
def test_common_passwords_are_refused_whatever_the_case(password):
    with pytest.raises(WeakPassword):
        ensure_strong_password(password)


@pytest.mark.parametrize(
    "password",
    [
        "ioana2024!",
        "Mureșan-1234",
        "Muresan.Ioana.99",
        "coordinator1234",
        "daycentre2026",
        "sfantu-gheorghe-7",
    ],
)
def test_passwords_made_of_own_names_are_refused(password):
    words = personal_words("coordinator", "Ioana", "Mureșan", "Centrul din Sfântu Gheorghe")
    with pytest.raises(WeakPassword):
        ensure_strong_password(password, words=words)


@pytest.mark.parametrize(
    "password", ["correct-horse-battery", "ioana-loves-cats", "Gábor Áron utca 5", "ü" * 12]
)
def test_other_passwords_pass(password):
    ensure_strong_password(password, words=personal_words("ioana", "Ioana", "Mureșan"))


@pytest.mark.parametrize("password", [*COMMON[:3], "USERNAME2024"])
def test_changing_the_password_refuses_a_weak_one(client, login_as, users, password):
    user = login_as("coordinator")
    password = password.replace("USERNAME", user.username)
    response = client.post(
        "/auth/password",
        data={"current_password": DEFAULT_PASSWORD, "new_password": password, "confirm": password},
    )
    assert response.status_code == 200
    page = text_of(response)
    assert COMMON_MESSAGE in page or OWN_NAME_MESSAGE in page
    assert db.session.get(User, user.id).check_password(DEFAULT_PASSWORD)


def test_an_admin_cannot_set_a_common_password(client, login_as, users):
    login_as("admin")
    volunteer = users["volunteer"]
    response = client.post(f"/auth/users/{volunteer.id}/password", data={"password": "qwertyuiop"})
    assert response.status_code == 400
    assert COMMON_MESSAGE in text_of(response)
    assert db.session.get(User, volunteer.id).check_password(DEFAULT_PASSWORD)


def test_a_new_account_cannot_get_its_own_username_as_password(client, login_as, centre):
    login_as("admin")
    response = client.post(
        "/auth/users/new",
        data={
            "username": "zsofia.kelemen",
            "given_name": "Zsófia",
            "family_name": "Kelemen",
            "role": "volunteer",
            "centres": [centre.id],
            "password": "zsofia.kelemen1",
        },
        follow_redirects=True,
    )
    assert OWN_NAME_MESSAGE in text_of(response)
    assert db.session.scalar(db.select(User).filter_by(username="zsofia.kelemen")) is None


def test_the_first_admin_password_is_checked_too(app):
    with pytest.raises(WeakPassword):
        create_first_admin("admin", "admin123456", valid_for=timedelta(hours=24))


# --- the first administrator's generated password expires -----------------------------------


def test_the_first_admin_password_expires_after_24_hours_unless_changed(app, client, runner):
    result = runner.invoke(args=["users", "create-admin"])
    assert "24" in result.output
    password = result.output.strip().splitlines()[-1]
    admin = db.session.scalars(db.select(User)).one()
    assert timedelta(hours=23) < admin.password_expires_at - utcnow() <= timedelta(hours=24)

    admin.password_expires_at = utcnow() - timedelta(seconds=1)
    db.session.commit()
    response = client.post("/auth/login", data={"username": "admin", "password": password})
    assert response.status_code == 200
    assert "Această parolă generată a expirat" in text_of(response)
    assert client.get("/").status_code == 302
    failure = db.session.scalars(
        db.select(AuditEntry).where(AuditEntry.action == audit.SIGN_IN_FAILED)
    ).one()
    assert failure.changes["reason"] == "password_expired"

    renewed = runner.invoke(args=["users", "create-admin", "--renew"])
    assert renewed.exit_code == 0, renewed.output
    new_password = renewed.output.strip().splitlines()[-1]
    response = client.post("/auth/login", data={"username": "admin", "password": new_password})
    assert response.status_code == 302


def test_a_changed_first_password_no_longer_expires(app, client):
    create_first_admin("admin", "generated-Xk39fLq2", valid_for=timedelta(hours=24))
    db.session.commit()
    client.post("/auth/login", data={"username": "admin", "password": "generated-Xk39fLq2"})
    client.post(
        "/auth/password",
        data={
            "current_password": "generated-Xk39fLq2",
            "new_password": "my own long phrase",
            "confirm": "my own long phrase",
        },
    )
    admin = db.session.scalars(db.select(User)).one()
    assert admin.password_expires_at is None and not admin.must_change_password
    with pytest.raises(Refused):
        renew_first_admin_password("another-Xk39fLq2", valid_for=timedelta(hours=24))
