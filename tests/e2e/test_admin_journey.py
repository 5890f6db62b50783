"""Journey 4, the administrator: a new centre, a new coordinator for it, and that person's first
sign-in with the forced password change. Once in Romanian, once in Hungarian."""

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.pages import (
    assert_accessible,
    choose_language,
    screenshot,
    sign_in,
    sign_out,
    tr,
)

pytestmark = pytest.mark.browser


def test_admin_creates_a_coordinator_who_then_signs_in(page, language, live_server):
    def t(msgid, **values):
        return tr(language, msgid, **values)

    def field(msgid):
        """A field by its label as the person reads it (required ones end in a hidden '*')."""
        return page.get_by_label(re.compile(rf"^{re.escape(t(msgid))}( \*)?$"))

    centre_name = f"Centrul de zi Kézdi-{language}"
    username = f"coord-{language}"

    # The sign-in page, in the language chosen with the footer buttons.
    page.goto("/auth/login")
    choose_language(page, language)
    expect(page.get_by_role("heading", level=1)).to_have_text(t("Sign in"))
    expect(page.get_by_role("button", name=t("Sign in"))).to_be_visible()
    assert_accessible(page)
    screenshot(page, f"journey4-{language}-1-sign-in")

    sign_in(page, "admin")
    # The administrator's account keeps its own language; they switch with the footer buttons.
    choose_language(page, language)
    heading = page.get_by_role("heading", level=1)
    expect(heading).to_have_text(t("Good day, %(name)s", name="Levente"))
    menu = page.get_by_role("navigation", name=t("Main menu"))

    # A new centre.
    menu.get_by_role("link", name=t("Centres"), exact=True).click()
    page.get_by_role("button", name=t("New centre")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(t("New centre"))
    field("Name").fill(centre_name)
    field("Kind of centre").select_option("after_school")
    field("Service code").fill("8891 CZ-C-II")
    field("Address").fill("Strada Gábor Áron nr. 7")
    field("Town").fill("Târgu Secuiesc")
    field("Capacity").fill("30")
    field("Opens at").fill("12:00")
    field("Closes at").fill("18:00")
    page.get_by_role("button", name=t("Save")).click()
    expect(page.get_by_role("status")).to_have_text(
        t("The centre %(name)s was saved.", name=centre_name)
    )

    # A new user: a coordinator of that centre. The user form is the journey's key screen.
    menu.get_by_role("link", name=t("Users"), exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(t("Users"))
    page.get_by_role("button", name=t("New user")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(t("New user"))
    expect(page.get_by_role("group", name=t("Centres"))).to_be_visible()
    assert_accessible(page)
    screenshot(page, f"journey4-{language}-2-user-form")
    field("Username").fill(username)
    field("Given name").fill("Enikő")
    field("Family name").fill("Székely")
    field("Email").fill(f"{username}@example.org")
    field("Role").select_option(label=t("Coordinator"))
    page.get_by_role("checkbox", name=centre_name).check()
    field("Temporary password").fill("temporar-2026")
    page.get_by_role("button", name=t("Save")).click()
    expect(page.get_by_role("status")).to_have_text(
        t("The account %(username)s was created.", username=username)
    )
    row = page.get_by_role("row").filter(has_text=username)
    expect(row).to_contain_text(t("Coordinator"))
    expect(row).to_contain_text(centre_name)

    sign_out(page)
    expect(page.get_by_role("status")).to_have_text(t("You have signed out."))
    expect(page.get_by_role("heading", level=1)).to_have_text(t("Sign in"))

    # The new coordinator, whose account has no language yet, keeps the sign-in page's language,
    # signs in with the temporary password and must choose their own.
    sign_in(page, username, "temporar-2026")
    expect(page.get_by_role("heading", level=1)).to_have_text(t("Change password"))
    expect(
        page.get_by_text(
            t("Your password was set by an administrator. Choose your own password to continue.")
        )
    ).to_be_visible()
    expect(page.get_by_role("navigation", name=t("Main menu")).get_by_role("link")).to_have_count(1)
    assert_accessible(page)
    screenshot(page, f"journey4-{language}-3-forced-password-change")
    field("Current password").fill("temporar-2026")
    field("New password").fill("a-mea-parola-noua")
    field("Repeat the new password").fill("a-mea-parola-noua")
    page.get_by_role("button", name=t("Change password")).click()

    # The home page, in the same language, with the centre the administrator assigned.
    expect(page).to_have_url(live_server.url + "/")
    expect(page.get_by_role("status")).to_have_text(t("Your password has been changed."))
    expect(page.get_by_role("heading", level=1)).to_have_text(t("Good day, %(name)s", name="Enikő"))
    expect(page.get_by_role("heading", level=2, name=t("Your centres today"))).to_be_visible()
    expect(page.get_by_role("link", name=centre_name)).to_be_visible()
    expect(page.get_by_role("navigation", name=t("Main menu"))).to_contain_text(t("Centres"))
    screenshot(page, f"journey4-{language}-4-home")
