"""Journey: a child returning home from foster care, from the registration of the request to the
first monitoring visit after the return. The coordinator registers the case, names the case
manager, records the measure and its ending, a preparation activity, the day of the return (a
day before the measure ends is refused, in the reader's language) and the first monitoring
visit. Once in Romanian, once in Hungarian."""

import re
from datetime import timedelta

import pytest
from playwright.sync_api import expect

from daycentre.core.localtime import today
from tests.e2e.pages import assert_accessible, screenshot, tr

pytestmark = pytest.mark.browser

MANAGER = {"ro": "Tünde Fazakas", "hu": "Fazakas Tünde"}


def test_a_child_returns_home_from_foster_care(signed_in_page, language):
    def t(msgid, **values):
        return tr(language, msgid, **values)

    def field(msgid):
        return page.get_by_label(re.compile(rf"^{re.escape(t(msgid))}( \*)?$"))

    day = today()
    page = signed_in_page("coordinator", language)

    # The request: a case of a child's return home from care.
    page.goto("/cases/new")
    field("Kind of case").select_option(label=t("Return home from care"))
    field("Source").select_option(label=t("Other institution"))
    field("Received by").select_option(label=t("Letter"))
    field("Who made the request").fill("DGASPC Covasna")
    families = field("Family concerned")
    family = families.locator("option").nth(1).inner_text()
    families.select_option(label=family)
    family_name = family.split(",")[0]
    page.get_by_label(re.compile(rf"\({re.escape(family_name)}\)$")).first.check()
    field("What is reported").fill(f"Încetarea plasamentului la asistentul maternal ({language}).")
    page.get_by_role("button", name=t("Register the request")).click()
    registered = t("The request was registered with number %(number)s.", number="\x00")
    expect(page.locator(".flash-success")).to_contain_text(registered.partition("\x00")[0])
    case_url = page.url

    # The primary evaluation names the case manager.
    page.get_by_role("radio", name=t("Yes: name a case manager")).check()
    field("Case manager").select_option(label=MANAGER[language])
    page.get_by_role("button", name=t("Save the primary evaluation")).click()
    expect(page.locator(".flash-success")).to_have_text(t("The case manager is named."))

    # The measure the child leaves, and its ending today.
    section = page.locator("#return-home")
    expect(section.get_by_role("heading", level=2)).to_have_text(t("Return home from care"))
    field("Protection measure the child leaves").select_option(
        label=t("Foster care (professional foster carer)")
    )
    field("Decision number of the measure").fill("HCPC 112/2024")
    field("Date of the measure").fill("2024-05-10")
    field("Decision number ending the measure").fill("HCPC 31/2026")
    field("The measure ends on").fill(day.isoformat())
    field("The child returns to").select_option(label=t("Biological family"))
    page.get_by_role("button", name=t("Save the measure")).click()
    expect(page.locator(".flash-success")).to_have_text(t("The protection measure was saved."))

    # A preparation activity.
    field("Date of the activity").fill(day.isoformat())
    field("Prepared").select_option(label=t("The child and the family"))
    field("What was done").fill("Weekend de acomodare acasă.")
    page.get_by_role("button", name=t("Record the activity")).click()
    expect(page.locator(".flash-success")).to_have_text(t("The preparation activity was recorded."))

    # A return dated before the measure ends is refused; then the day of the return.
    field("Day the child returned home").fill((day - timedelta(days=1)).isoformat())
    page.get_by_role("button", name=t("Record the return")).click()
    refusal = t(
        "The return cannot be dated before the protection measure ends (%(day)s).", day="\x00"
    )
    before, _, after = refusal.partition("\x00")
    expect(page.locator(".flash-error")).to_contain_text(before)
    expect(page.locator(".flash-error")).to_contain_text(after)
    assert_accessible(page)
    screenshot(page, f"reintegration-{language}-1-return-refused")
    field("Day the child returned home").fill(day.isoformat())
    page.get_by_role("button", name=t("Record the return")).click()
    expect(page.locator(".flash-success")).to_have_text(t("The day of the return was recorded."))

    # The first monitoring visit after the return, with its short report.
    report = f"Copilul s-a readaptat bine ({language})."
    field("Date of the visit").fill(day.isoformat())
    field("Short report").fill(report)
    page.get_by_role("button", name=t("Record the monitoring visit")).click()
    expect(page.locator(".flash-success")).to_have_text(t("The monitoring visit was recorded."))
    expect(section.locator("article")).to_contain_text(report)
    expect(section).to_contain_text(t("on time"))
    assert page.url.startswith(case_url)
    assert_accessible(page)
    screenshot(page, f"reintegration-{language}-2-first-visit")
