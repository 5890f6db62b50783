"""Journey 3, the volunteer on a phone: signs up for an open activity, cancels, and reads their
hours. Once in Romanian, once in Hungarian, each with its own activity (the server is shared)."""

from datetime import datetime, time, timedelta

import pytest
from babel.numbers import format_decimal
from playwright.sync_api import expect

from daycentre.auth.models import User
from daycentre.centres.models import Centre, CentreKind
from daycentre.core.localtime import BUCHAREST, today
from daycentre.extensions import db
from daycentre.volunteers import services as volunteering
from tests.e2e.pages import assert_accessible, assert_no_sideways_scroll, screenshot, tr

pytestmark = pytest.mark.browser


def _new_activity(app, title: str, days_ahead: int) -> None:
    """Test setup: the coordinator opens a crafts workshop, over a week from now."""
    day = today() + timedelta(days=days_ahead)
    with app.test_request_context():
        centre = db.session.scalar(db.select(Centre).where(Centre.kind == CentreKind.AFTER_SCHOOL))
        coordinator = db.session.scalar(db.select(User).where(User.username == "coordinator"))
        volunteering.save_activity(
            None,
            actor=coordinator,
            centre=centre,
            starts_at=datetime.combine(day, time(15, 0), BUCHAREST),
            ends_at=datetime.combine(day, time(17, 0), BUCHAREST),
            title=title,
            places=2,
            skills=["crafts"],
            with_children=True,
            description="Măști și decoruri pentru serbarea de iarnă.",
            cancelled=False,
        )
        db.session.commit()


def _confirmed_hours(app):
    with app.test_request_context():
        user = db.session.scalar(db.select(User).where(User.username == "volunteer"))
        me = volunteering.volunteer_of(user)
        start = min((c.starts_on for c in me.contracts), default=today())
        rows, total = volunteering.hours_done(me, start, today())
        return len(rows), total


def test_volunteer_signs_up_cancels_and_reads_their_hours_on_a_phone(
    signed_in_page, language, live_server
):
    def t(msgid, **values):
        return tr(language, msgid, **values)

    title = f"Atelier de teatru de păpuși ({language})"
    _new_activity(live_server.app, title, {"ro": 8, "hu": 9}[language])
    page = signed_in_page("volunteer", language, phone=True)
    expect(page.get_by_role("heading", level=1)).to_have_text(
        t("Good day, %(name)s", name="Ștefan")
    )

    menu = page.get_by_role("navigation", name=t("Main menu"))
    menu.get_by_role("link", name=t("Open activities"), exact=True).tap()
    expect(page.get_by_role("heading", level=1)).to_have_text(t("Open activities"))
    card = page.locator("article.activity-card").filter(has=page.locator("header", has_text=title))
    expect(card).to_contain_text(tr(language, "%(num)d free place", num=2, plural=2))
    card.get_by_role("button", name=t("Sign up")).tap()

    expect(page.locator(".flash-success")).to_have_text(
        t("You are signed up for %(title)s.", title=title)
    )
    expect(card).to_contain_text(tr(language, "%(num)d free place", num=1, plural=1))
    expect(card.locator("strong", has_text=t("Signed up"))).to_be_visible()
    assert_no_sideways_scroll(page)
    assert_accessible(page)
    screenshot(page, f"journey3-{language}-1-signed-up")

    cancel = card.get_by_role("button", name=t("Cancel my sign-up"))
    box = cancel.bounding_box()  # WCAG 2.2 target size (minimum): 24 by 24 CSS pixels
    assert box["width"] >= 24 and box["height"] >= 24, f"too small to tap: {box}"
    cancel.tap()
    expect(page.locator(".flash-success")).to_have_text(t("Your sign-up was cancelled."))
    expect(page.get_by_role("heading", level=1)).to_have_text(t("Open activities"))
    expect(card).to_contain_text(tr(language, "%(num)d free place", num=2, plural=2))
    expect(card.get_by_role("button", name=t("Sign up"))).to_be_visible()

    # My volunteering: the hours confirmed so far, as the coordinator approved them.
    menu.get_by_role("link", name=t("My volunteering"), exact=True).tap()
    expect(page.get_by_role("heading", level=1)).to_have_text(t("My volunteering"))
    entries, total = _confirmed_hours(live_server.app)
    assert entries >= 2 and total > 0, "the demo volunteer has attended and approved hours"
    expect(
        page.get_by_text(
            t("Confirmed so far: %(hours)s", hours=format_decimal(total, locale=language))
        )
    ).to_be_visible()
    hours = page.get_by_role("region", name=t("My hours")).get_by_role("row")
    expect(hours).to_have_count(1 + entries)
    expect(page.locator("article.activity-card").filter(has_text=title)).to_have_count(0)
    assert_no_sideways_scroll(page)
    assert_accessible(page)
    screenshot(page, f"journey3-{language}-2-my-hours")
