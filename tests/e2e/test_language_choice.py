"""The browser's language chooses the first page's language; the footer buttons change it."""

import pytest
from playwright.sync_api import expect

from tests.e2e.pages import choose_language, tr

pytestmark = pytest.mark.browser

BROWSER_LOCALES = {"ro": "ro-RO", "hu": "hu-HU"}


def test_the_browser_language_chooses_the_sign_in_page_language(open_page, language):
    page = open_page(locale=BROWSER_LOCALES[language])
    page.goto("/auth/login")
    assert page.locator("html").get_attribute("lang") == language
    expect(page.get_by_role("heading", level=1)).to_have_text(tr(language, "Sign in"))
    expect(page.get_by_label(tr(language, "Username"))).to_be_visible()

    other = "hu" if language == "ro" else "ro"
    choose_language(page, other)
    expect(page.get_by_role("heading", level=1)).to_have_text(tr(other, "Sign in"))
    expect(page.locator("footer button[aria-pressed=true]")).to_have_text(
        {"ro": "Română", "hu": "Magyar"}[other]
    )
