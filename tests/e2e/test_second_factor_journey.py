"""Journey: a new counsellor, where the second factor is required, sets it up on a phone right after
the password, keeps the recovery codes, and signs in again with one of them.
Once in Romanian, once in Hungarian, each with an account of its own (the server is shared)."""

import re

import pytest
from playwright.sync_api import expect

from daycentre.auth.models import User
from daycentre.auth.roles import Role
from daycentre.extensions import db
from tests.e2e.pages import (
    assert_accessible,
    assert_no_sideways_scroll,
    choose_language,
    screenshot,
    sign_in,
    sign_out,
    tr,
)
from tests.totp import fresh_code

pytestmark = pytest.mark.browser
PASSWORD = "verde-munte-lac-2026"  # noqa: S105 - a test account's password


def _new_counsellor(app, username: str) -> None:
    with app.test_request_context():
        user = User(
            username=username,
            given_name="Ana",
            family_name="Lungu",
            role=Role.COUNSELLOR,
            must_change_password=False,
            version=1,
        )
        user.set_password(PASSWORD)
        db.session.add(user)
        db.session.commit()


def test_counsellor_sets_up_the_second_factor_and_signs_in_with_a_recovery_code(
    open_page, live_server, language
):
    def t(msgid, **values):
        return tr(language, msgid, **values)

    username = f"ana.lungu.{language}"
    _new_counsellor(live_server.app, username)
    live_server.app.config["SECOND_FACTOR_REQUIRED"] = True
    try:
        page = open_page(phone=True)
        sign_in(page, username, PASSWORD)
        choose_language(page, language)
        expect(page.get_by_role("heading", level=1)).to_have_text(t("Set up the second factor"))
        expect(page.locator(".qr-code svg")).to_be_visible()
        assert_accessible(page)
        assert_no_sideways_scroll(page)
        screenshot(page, f"second-factor-setup-{language}")

        key = page.locator("code.secret").inner_text().replace(" ", "")
        page.get_by_label(t("The 6-digit code the app shows")).fill(fresh_code(key, margin=5))
        with page.expect_navigation():
            page.get_by_role("button", name=t("Turn on the second factor")).click()
        expect(page.get_by_role("heading", level=1)).to_have_text(t("Recovery codes"))
        codes = page.locator(".recovery-codes code").all_inner_texts()
        assert len(codes) == 10
        screenshot(page, f"second-factor-recovery-codes-{language}")

        sign_out(page)
        sign_in(page, username, PASSWORD)
        assert re.search(r"/auth/code$", page.url)
        assert_accessible(page)
        page.get_by_label(t("Code from the authenticator app, or a recovery code")).fill(codes[0])
        with page.expect_navigation():
            page.get_by_role("button", name=t("Continue")).click()
        assert page.url.rstrip("/") == live_server.url
    finally:
        live_server.app.config["SECOND_FACTOR_REQUIRED"] = False
