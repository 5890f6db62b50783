"""Issue 15's journeys for the registers and the surveys: a coordinator records a complaint and
answers it (desktop, ro and hu); a parent answers the satisfaction survey through the one-time
link on a phone, in Hungarian, and the link then no longer works."""

import pytest
from playwright.sync_api import expect

from daycentre.auth.models import User
from daycentre.extensions import db
from daycentre.surveys import services as surveys
from daycentre.surveys.models import Audience, Questionnaire, SurveyCampaign
from tests.e2e.pages import (
    assert_accessible,
    assert_no_sideways_scroll,
    choose_language,
    screenshot,
    tr,
)

pytestmark = pytest.mark.browser


def test_a_coordinator_records_and_answers_a_complaint(signed_in_page, language):
    page = signed_in_page("coordinator", language)
    page.goto("/registers/complaints")
    with page.expect_navigation():
        page.get_by_role("button", name=tr(language, "New complaint"), exact=True).click()
    page.locator("#channel").select_option("phone")
    page.locator("#complainant").select_option("parent")
    page.locator("#complainant_name").fill("Szabó Ilona")
    page.locator("#complainant_contact").fill("0744 000 111")
    page.locator("#subject").fill(f"A gustarea a lipsit joi ({language}).")
    with page.expect_navigation():
        page.locator("main form #submit").click()
    heading = page.locator("h1")
    expect(heading).to_contain_text(tr(language, "Complaint %(number)s", number="").strip())
    expect(page.locator("main")).to_contain_text(f"A gustarea a lipsit joi ({language}).")
    assert_accessible(page)

    page.locator("#answer").fill("Am verificat lista de gustări cu furnizorul.")
    with page.expect_navigation():
        page.locator("form[action$='/answer'] [type=submit]").click()
    expect(page.locator(".flash-success")).to_have_text(tr(language, "The answer was saved."))
    expect(page.locator("main")).to_contain_text("Am verificat lista de gustări cu furnizorul.")
    screenshot(page, f"complaint-answered-{language}")


def _one_time_code(app) -> str:
    """A code for the demo's running parents' survey, as the coordinator prints it on a slip."""
    with app.app_context():
        campaign = db.session.scalar(
            db.select(SurveyCampaign)
            .join(Questionnaire)
            .where(Questionnaire.audience == Audience.PARENTS)
            .order_by(SurveyCampaign.id)
        )
        coordinator = db.session.scalar(db.select(User).where(User.username == "coordinator"))
        [code] = surveys.issue_codes(campaign, actor=coordinator, count=1)
        db.session.commit()
        return code


def test_a_parent_answers_the_survey_on_a_phone_in_hungarian(open_page, live_server):
    code = _one_time_code(live_server.app)
    page = open_page(phone=True)
    page.goto(f"/surveys/answer/{code}")
    choose_language(page, "hu")
    expect(page.locator("h1")).to_have_text("Elégedettségi kérdőív szülőknek")
    assert_no_sideways_scroll(page)
    assert_accessible(page)
    for question in page.locator("fieldset.question").all():
        question.locator("label").last.click()
    page.locator("textarea").first.fill("Köszönjük, minden rendben.")
    screenshot(page, "survey-phone-hu")
    with page.expect_navigation():
        page.get_by_role("button", name=tr("hu", "Send the answers")).click()
    expect(page.locator("h1")).to_have_text(tr("hu", "Thank you"))

    # Asked again (outside the page, whose console would report the 404 as an error).
    again = page.request.get(f"/surveys/answer/{code}")
    assert again.status == 404
    assert tr("hu", "This code does not work: it was already used, or the survey is closed.") in (
        again.text()
    )
