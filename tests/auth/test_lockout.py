"""A throttled sign-in says when to try again, and a locked account is an audit event of its own."""

from daycentre.audit import services as audit
from daycentre.audit.models import AuditEntry
from daycentre.extensions import db
from tests.conftest import text_of


def test_a_locked_account_is_audited_and_told_when_to_retry(app, client, users, login):
    app.config["LOGIN_LIMIT_PER_ACCOUNT"] = "2 per 15 minutes"
    for _attempt in range(2):
        assert login(users["admin"], password="wrong-password").status_code == 200
    response = login(users["admin"])
    assert response.status_code == 429
    assert "Prea multe încercări" in text_of(response)
    assert 0 < int(response.headers["Retry-After"]) <= 15 * 60 + 1

    locked = db.session.scalars(
        db.select(AuditEntry).where(AuditEntry.action == audit.SIGN_IN_LOCKED)
    ).one()
    assert locked.entity_id == users["admin"].id
    assert locked.changes == {"username": users["admin"].username, "address": "127.0.0.1"}


def test_the_lock_out_shows_in_the_audit_trail(app, client, users, login, login_as):
    app.config["LOGIN_LIMIT_PER_ACCOUNT"] = "1 per 15 minutes"
    login(users["volunteer"], password="wrong-password")
    login(users["volunteer"])
    login_as("admin")
    assert "a fost refuzat: prea multe încercări" in text_of(client.get("/audit/"))
