"""The quarterly report: the third quarter of 2026 is produced from the demo data, the records
behind one figure are opened, and the report is submitted; afterwards the page shows the kept
figures. In Romanian the coordinator submits the after-school centre's report; in Hungarian the
administrator the counselling centre's (the demo's coordinator works at the after-school centre
only, and a centre submits a quarter once)."""

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.pages import assert_accessible, screenshot, tr

pytestmark = pytest.mark.browser

WHO = {
    "ro": ("coordinator", "Centrul de zi „Școală după școală” Târgu Secuiesc"),
    "hu": ("admin", "Centrul de consiliere pentru părinți și copii „Kézdi”"),
}


def test_the_third_quarter_of_2026_is_produced_traced_and_submitted(
    signed_in_page, language, live_server
):
    def t(msgid, **values):
        return tr(language, msgid, **values)

    def field(msgid):
        return page.get_by_label(re.compile(rf"^{re.escape(t(msgid))}( \*)?$"))

    username, centre = WHO[language]
    page = signed_in_page(username, language)
    menu = page.get_by_role("navigation", name=t("Main menu"))
    menu.get_by_role("link", name=t("Quarterly report"), exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(t("Quarterly statistical report"))

    field("Year").fill("2026")
    field("Quarter").select_option(label="III")
    field("Centre").select_option(label=centre)
    page.get_by_role("button", name=t("Show")).click()
    children = page.locator("table", has=page.locator("caption")).first
    expect(
        page.get_by_text(
            t("Not submitted yet: the figures are worked out from the records as they are now.")
        )
    ).to_be_visible()
    assert_accessible(page)
    screenshot(page, f"quarterly-{language}-1-produced")

    # The records behind the first number of the report that is not zero.
    first = page.locator("table td.number a").first
    number = int(first.inner_text())
    assert number > 0
    first.click()
    expect(page.locator("tbody tr")).to_have_count(number)
    expect(page.locator("tbody a").first).to_be_visible()  # a record opens its own page
    page.get_by_role("link", name=t("Quarterly statistical report")).click()

    page.get_by_role("button", name=t("Submit the report")).click()
    expect(page.locator(".flash-success")).to_have_text(
        t("The report was submitted; its figures are kept as they are now.")
    )
    expect(page.get_by_role("heading", level=2, name=t("What would differ today"))).to_be_visible()
    expect(page.get_by_text(t("Nothing: the records give the same figures today."))).to_be_visible()
    expect(page.get_by_role("button", name=t("Submit the report"))).to_have_count(0)
    expect(children).to_be_visible()
    assert_accessible(page)
    screenshot(page, f"quarterly-{language}-2-submitted")
