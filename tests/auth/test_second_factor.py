"""The second factor: enrolment, two-step sign-in, single-use codes, recovery codes, reset."""

import re
import time
from datetime import timedelta

import pyotp
import pytest
from sqlalchemy import select

from daycentre import create_app
from daycentre.audit import services as audit
from daycentre.audit.models import AuditEntry
from daycentre.auth import second_factor as two_factor
from daycentre.auth.models import RecoveryCode, SecondFactor, User
from daycentre.extensions import db
from tests.concurrency import race
from tests.conftest import text_of
from tests.factories import DEFAULT_PASSWORD
from tests.totp import fresh_code

SECRET = pyotp.random_base32()


def code_now(secret: str = SECRET) -> str:
    return fresh_code(secret)


def enrol(user: User, secret: str = SECRET) -> list[str]:
    """Enrol as if a minute ago, so that the code of the present step is still unused."""
    earlier = time.time() - 60
    codes = two_factor.enrol(
        user, secret, pyotp.TOTP(secret).at(earlier), address=None, now=earlier
    )
    db.session.commit()
    return codes


def actions(user: User) -> list[str]:
    return list(
        db.session.scalars(
            select(AuditEntry.action).where(AuditEntry.entity_id == user.id).order_by(AuditEntry.id)
        )
    )


@pytest.fixture
def enrolled(users):
    """The coordinator, with a second factor; returns the recovery codes."""
    return enrol(users["coordinator"])


def test_enrolment_page_draws_the_qr_code_and_shows_the_key(client, login_as):
    login_as("volunteer")
    page = client.get("/auth/second-factor").get_data(as_text=True)
    assert "<svg" in page
    assert "data:" not in page  # drawn inline: nothing for the CSP to allow
    key = re.search(r'<code class="secret">([A-Z2-7 ]+)</code>', page).group(1)
    assert len(key.replace(" ", "")) == 32
    # Reloading keeps the same key, so that a code from the scanned QR code still fits.
    assert key in client.get("/auth/second-factor").get_data(as_text=True)


def _enrolment_key(client) -> str:
    page = client.get("/auth/second-factor").get_data(as_text=True)
    return re.search(r'<code class="secret">([A-Z2-7 ]+)</code>', page).group(1).replace(" ", "")


def test_enrolment_refuses_a_wrong_code_and_accepts_the_right_one(client, login_as, users):
    volunteer = login_as("volunteer")
    key = _enrolment_key(client)

    wrong = client.post("/auth/second-factor", data={"code": "000000"})
    assert "Codul nu este corect" in text_of(wrong)
    assert db.session.get(SecondFactor, volunteer.id) is None

    response = client.post("/auth/second-factor", data={"code": code_now(key)})
    assert response.status_code == 200
    codes = re.findall(r"<code>([a-z0-9-]{19})</code>", response.get_data(as_text=True))
    assert len(codes) == 10 and len(set(codes)) == 10
    factor = db.session.get(SecondFactor, volunteer.id)
    assert key not in factor.secret_encrypted  # stored encrypted
    assert two_factor.decrypt_secret(factor.secret_encrypted) == key
    stored = db.session.scalars(select(RecoveryCode.code_hash)).all()
    assert len(stored) == 10 and not set(stored) & {c.replace("-", "") for c in codes}
    assert audit.SECOND_FACTOR_ENROLLED in actions(volunteer)
    # The page now shows the status, never the key again.
    status = client.get("/auth/second-factor").get_data(as_text=True)
    assert key not in status and "10 coduri de recuperare" in status


def test_setting_up_the_factor_ends_the_sessions_opened_with_the_password_alone(
    app, client, login_as, users
):
    login_as("volunteer")
    elsewhere = app.test_client()  # the same password on another device, or someone else's
    elsewhere.post(
        "/auth/login", data={"username": users["volunteer"].username, "password": DEFAULT_PASSWORD}
    )
    assert elsewhere.get("/").status_code == 200
    key = _enrolment_key(client)
    assert client.post("/auth/second-factor", data={"code": code_now(key)}).status_code == 200
    assert client.get("/").status_code == 200  # the device that set it up goes on
    assert elsewhere.get("/").headers["Location"].startswith("/auth/login")


def test_sign_in_takes_two_steps_and_nobody_is_signed_in_between(client, users, login, enrolled):
    response = login(users["coordinator"])
    assert response.headers["Location"] == "/auth/code"
    assert client.get("/").headers["Location"].startswith("/auth/login")
    assert audit.SIGN_IN not in actions(users["coordinator"])

    client.post("/auth/login", data={})  # nothing changes for an empty form
    response = login(users["coordinator"])
    response = client.post("/auth/code", data={"code": code_now()})
    assert response.status_code == 302 and response.headers["Location"] == "/"
    assert client.get("/").status_code == 200
    assert audit.SIGN_IN in actions(users["coordinator"])


def test_the_code_page_opens_only_after_the_password(client, users, enrolled):
    response = client.get("/auth/code")
    assert response.headers["Location"] == "/auth/login"
    response = client.post("/auth/code", data={"code": code_now()})
    assert response.headers["Location"] == "/auth/login"
    assert client.get("/").status_code == 302


def test_a_code_works_once(app, client, users, login, enrolled):
    login(users["coordinator"])
    code = code_now()
    assert client.post("/auth/code", data={"code": code}).status_code == 302
    client.post("/auth/logout")

    login(users["coordinator"])
    again = client.post("/auth/code", data={"code": code})
    assert again.status_code == 200
    assert "Codul nu este corect sau a fost deja folosit." in text_of(again)
    assert client.get("/").status_code == 302


def test_the_previous_steps_code_is_refused(client, users, login, enrolled):
    """A code lives at most 30 seconds (ASVS 6.5.5): the one shown in the step before is refused."""
    login(users["coordinator"])
    code_now()  # early enough in the step for the request below
    previous = pyotp.TOTP(SECRET).at(time.time() - two_factor.STEP_SECONDS)
    response = client.post("/auth/code", data={"code": previous})
    assert "Codul nu este corect" in text_of(response)
    assert client.get("/").status_code == 302

    now = time.time()
    coordinator = users["coordinator"]
    assert not two_factor.verify(
        coordinator, pyotp.TOTP(SECRET).at(now - 30), address=None, now=now
    )
    assert two_factor.verify(coordinator, pyotp.TOTP(SECRET).at(now), address=None, now=now)


def test_a_wrong_code_is_refused_and_audited(client, users, login, enrolled):
    login(users["coordinator"])
    response = client.post("/auth/code", data={"code": "123456"})
    assert response.status_code == 200
    assert "Codul nu este corect" in text_of(response)
    assert client.get("/").status_code == 302
    assert actions(users["coordinator"])[-1] == audit.SECOND_FACTOR_FAILED


def test_code_attempts_are_throttled_per_account(app, client, users, login, enrolled):
    app.config["SECOND_FACTOR_LIMIT"] = "3 per 15 minutes"
    login(users["coordinator"])
    for _attempt in range(3):
        assert client.post("/auth/code", data={"code": "000000"}).status_code == 200
    response = client.post("/auth/code", data={"code": code_now()})  # even the right code waits
    assert response.status_code == 429
    assert 0 < int(response.headers["Retry-After"]) <= 15 * 60 + 1
    assert "Prea multe încercări" in text_of(response)
    assert actions(users["coordinator"])[-1] == audit.SIGN_IN_LOCKED

    # Another account is not locked out by this one.
    enrol(users["counsellor"])
    other = app.test_client()
    other.post(
        "/auth/login", data={"username": users["counsellor"].username, "password": DEFAULT_PASSWORD}
    )
    assert other.post("/auth/code", data={"code": code_now()}).status_code == 302


def test_recovery_codes_work_once_each(client, users, login, enrolled):
    login(users["coordinator"])
    response = client.post("/auth/code", data={"code": enrolled[0].upper()})
    assert response.status_code == 302
    assert client.get("/").status_code == 200
    assert audit.RECOVERY_CODE_USED in actions(users["coordinator"])
    client.post("/auth/logout")

    login(users["coordinator"])
    assert client.post("/auth/code", data={"code": enrolled[0]}).status_code == 200
    assert client.post("/auth/code", data={"code": enrolled[1]}).status_code == 302
    assert two_factor.recovery_codes_left(users["coordinator"]) == 8


def test_new_recovery_codes_replace_the_old_ones(client, users, login, enrolled):
    login(users["coordinator"])
    client.post("/auth/code", data={"code": enrolled[0]})
    refused = client.post("/auth/second-factor", data={"code": "000000"})
    assert "Codul nu este corect" in text_of(refused)
    response = client.post("/auth/second-factor", data={"code": code_now()})
    codes = re.findall(r"<code>([a-z0-9-]{19})</code>", response.get_data(as_text=True))
    assert len(codes) == 10 and not set(codes) & set(enrolled)
    assert two_factor.recovery_codes_left(users["coordinator"]) == 10


def test_admin_reset_ends_the_users_sessions(app, client, users, login, login_as, enrolled):
    coordinator = users["coordinator"]
    device = app.test_client()
    device.post(
        "/auth/login", data={"username": coordinator.username, "password": DEFAULT_PASSWORD}
    )
    device.post("/auth/code", data={"code": code_now()})
    assert device.get("/").status_code == 200

    login_as("admin")
    page = client.get(f"/auth/users/{coordinator.id}/edit")
    assert "Resetează al doilea factor" in page.get_data(as_text=True)
    response = client.post(f"/auth/users/{coordinator.id}/second-factor/reset")
    assert response.status_code == 302
    assert db.session.get(SecondFactor, coordinator.id) is None
    assert not db.session.scalars(select(RecoveryCode)).all()
    assert device.get("/").status_code == 302, "the user's session ended"
    reset = db.session.scalars(
        select(AuditEntry).where(AuditEntry.action == audit.SECOND_FACTOR_RESET)
    ).one()
    assert reset.actor_id == users["admin"].id and reset.entity_id == coordinator.id

    # Without a second factor, the password alone signs in again (not required here).
    assert login(coordinator).headers["Location"] == "/"


def test_an_admin_cannot_reset_their_own_second_factor(client, users, login, login_as):
    enrol(users["admin"])
    login(users["admin"])
    client.post("/auth/code", data={"code": code_now()})
    client.post(f"/auth/users/{users['admin'].id}/second-factor/reset")
    assert db.session.get(SecondFactor, users["admin"].id) is not None


def test_the_time_for_the_code_runs_out(app, client, users, login, enrolled):
    app.config["SECOND_FACTOR_PENDING"] = timedelta(seconds=-1)
    login(users["coordinator"])
    response = client.post("/auth/code", data={"code": code_now()})
    assert response.headers["Location"] == "/auth/login"
    assert client.get("/").status_code == 302


def test_required_in_production_sends_staff_to_enrolment(app, client, users, login):
    app.config["ENV_NAME"] = "production"
    assert login(users["coordinator"]).headers["Location"] == "/"
    response = client.get("/")
    assert response.headers["Location"] == "/auth/second-factor"
    assert client.get("/people/").headers["Location"] == "/auth/second-factor"
    assert client.get("/auth/second-factor").status_code == 200
    key = _enrolment_key(client)
    client.post("/auth/second-factor", data={"code": code_now(key)})
    assert client.get("/").status_code == 200


def test_volunteers_may_go_without_a_second_factor_in_production(app, client, users, login):
    app.config["ENV_NAME"] = "production"
    login(users["volunteer"])
    assert client.get("/").status_code == 200


def test_off_by_default_outside_production_and_on_in_production(monkeypatch, tmp_path, app):
    assert app.config["SECOND_FACTOR_REQUIRED"] is False
    monkeypatch.setenv("DAYCENTRE_ENV", "production")
    production = create_app({"SECRET_KEY": "a-real-secret-key", "INSTANCE_PATH": tmp_path})
    assert production.config["SECOND_FACTOR_REQUIRED"] is True
    assert production.config["SECOND_FACTOR_ROLES"] == {"admin", "coordinator", "counsellor"}


def test_the_setting_requires_it_outside_production(app, client, users, login):
    app.config["SECOND_FACTOR_REQUIRED"] = True
    login(users["counsellor"])
    assert client.get("/").headers["Location"] == "/auth/second-factor"


def test_a_secret_from_another_key_is_not_accepted(app, users, enrolled):
    app.config["SECRET_KEY"] = "another-installation-key"
    coordinator = db.session.get(User, users["coordinator"].id)
    assert not two_factor.verify(coordinator, code_now(), address=None)


def test_one_code_sent_twice_at_once_signs_in_only_once(app, users, enrolled):
    user_id, code = users["coordinator"].id, code_now()

    def prepare(_racer):
        user = db.session.get(User, user_id)
        user.second_factor  # noqa: B018 - loaded before the race, as the code page does
        return lambda: two_factor.verify(user, code, address=None)

    outcomes = race(app, prepare, [1, 2])
    assert sorted(outcomes) == [False, True]
