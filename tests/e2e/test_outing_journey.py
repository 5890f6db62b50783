"""Journey: a coordinator plans an outing on a phone (390x844), invites two children, records
one permission given and one refused, is refused when putting the refused child on the final list,
confirms the outing and counts the children out and back. In Romanian."""

from datetime import timedelta

import pytest
from playwright.sync_api import expect

from daycentre.centres.models import CentreKind, Group
from daycentre.core.localtime import today
from daycentre.enrolment.services import children_active_on
from daycentre.extensions import db
from daycentre.people.services import by_family_name
from tests.e2e.pages import PHONE, assert_no_sideways_scroll, screenshot, tr

pytestmark = pytest.mark.browser


def _two_children(app):
    with app.test_request_context():
        group = db.session.scalar(
            db.select(Group)
            .where(Group.centre.has(kind=CentreKind.AFTER_SCHOOL))
            .order_by(Group.id)
        )
        day = today() + timedelta(days=20)
        people = by_family_name(e.person for e in children_active_on(group.id, day))
        return [p.full_name for p in people[-2:]]


def test_coordinator_plans_an_outing_and_counts_the_children_back(signed_in_page, live_server):
    going, staying = _two_children(live_server.app)
    language = "ro"
    page = signed_in_page("coordinator", language, phone=True)
    assert page.viewport_size == PHONE
    day = (today() + timedelta(days=20)).isoformat()

    page.goto(f"{live_server.url}/programme/outings/new")
    page.get_by_label(tr(language, "Title")).fill("Parcul Etnografic")
    page.get_by_label(tr(language, "Destination")).fill("Cluj-Napoca, Hoia")
    page.get_by_label(tr(language, "Leaves on")).fill(day)
    page.get_by_label(tr(language, "Leaves at")).fill("09:00")
    page.get_by_label(tr(language, "Returns on")).fill(day)
    page.get_by_label(tr(language, "Returns at")).fill("15:00")
    page.locator("input[name=staff_ids]").first.check()
    page.get_by_role("button", name=tr(language, "Save")).click()
    expect(page.locator("body")).to_contain_text(tr(language, "The outing was saved."))
    assert_no_sideways_scroll(page)

    invite = page.locator("form[action$='/invite']")
    invite.get_by_label(going).check()
    invite.get_by_label(staying).check()
    invite.get_by_role("button", name=tr(language, "Invite")).click()
    expect(page.locator("body")).to_contain_text(tr(language, "The children were invited."))

    for name, state in ((going, "Given"), (staying, "Refused")):
        page.get_by_role("link", name=name).first.click()
        page.get_by_label(tr(language, "Permission"), exact=True).select_option(
            label=tr(language, state)
        )
        page.get_by_label(tr(language, "Legal representative")).fill("Maria (mama)")
        page.get_by_role("button", name=tr(language, "Save the permission")).click()
        expect(page.locator("body")).to_contain_text(
            tr(language, "The permission of %(name)s was saved.", name=name)
        )

    final = page.locator("form[action$='/final-list']")
    final.get_by_label(going).check()
    final.get_by_label(staying).check()
    final.get_by_role("button", name=tr(language, "Save the final list")).click()
    expect(page.locator("body")).to_contain_text(
        tr(
            language,
            "%(name)s has no permission from a legal representative and cannot go.",
            name=staying,
        )
    )
    final = page.locator("form[action$='/final-list']")
    final.get_by_label(going).check()
    final.get_by_label(staying).uncheck()
    final.get_by_role("button", name=tr(language, "Save the final list")).click()
    expect(page.locator("body")).to_contain_text(tr(language, "The final list was saved."))

    page.get_by_role("button", name=tr(language, "Confirm the outing")).click()
    expect(page.locator("body")).to_contain_text(tr(language, "The outing was confirmed."))

    count = page.locator("form[action$='/departure']")
    count.get_by_label(going).check()
    count.get_by_role("button", name=tr(language, "Record the departure")).click()
    count = page.locator("form[action$='/return']")
    count.get_by_label(going).check()
    count.get_by_role("button", name=tr(language, "Record the return")).click()
    expect(page.locator("body")).to_contain_text(tr(language, "Every child came back."))
    assert_no_sideways_scroll(page)
    screenshot(page, "outing-returned-phone")
