"""A counsellor books a weekly series across 6 January 2027 (Epiphany) on a phone (390×844): the
series is booked without that day, which the page names; a second series at a busy time is
refused and the next free times are offered, one tap books one of them (issue 20, item 5).
Once in Romanian, once in Hungarian (at different hours: the server is shared)."""

import re
from datetime import date, time

import pytest
from playwright.sync_api import expect

from daycentre.core.localtime import BUCHAREST, local_instant
from daycentre.counselling.models import CounsellingSession
from daycentre.extensions import db
from tests.e2e.pages import assert_no_sideways_scroll, screenshot, tr

pytestmark = pytest.mark.browser

ROOM = "Sala de grup"
FIRST = date(2026, 12, 30)  # a Wednesday; the next one, 6 January 2027, is Epiphany
STARTS = {"ro": "08:15", "hu": "13:30"}


def _sessions_at(app, hour_minute: str) -> list[date]:
    wanted = time.fromisoformat(hour_minute)
    with app.app_context():
        found = db.session.scalars(
            db.select(CounsellingSession).where(
                CounsellingSession.starts_at >= local_instant(date(2026, 12, 29), time(0)),
                CounsellingSession.starts_at < local_instant(date(2027, 1, 20), time(0)),
            )
        )
        return sorted(
            s.starts_at.astimezone(BUCHAREST).date()
            for s in found
            if s.starts_at.astimezone(BUCHAREST).time() == wanted
        )


def test_a_series_across_epiphany_is_booked_without_it(signed_in_page, language, live_server):
    def t(msgid, **values):
        return tr(language, msgid, **values)

    def field(msgid):
        return page.get_by_label(re.compile(rf"^{re.escape(t(msgid))}( \*)?$"))

    def fill_series(start_time, beneficiary_index):
        beneficiaries = field("Beneficiary: a person or a family")
        beneficiaries.select_option(index=beneficiary_index)
        field("Type").select_option(label=t("Parental education"))
        field("Room").select_option(label=ROOM)
        field("Date").fill(FIRST.isoformat())
        field("Start time").fill(start_time)
        field("Duration (minutes)").fill("45")
        field("Repeat").select_option(label=t("Every week"))
        field("Number of sessions").fill("3")

    page = signed_in_page("counsellor", language, phone=True)
    folded = page.get_by_role("navigation", name=t("Main menu")).locator("details.menu-folded")
    folded.locator("summary").click()  # the phone's menu opens first
    folded.get_by_role("link", name=t("Counselling"), exact=True).click()
    page.get_by_role(
        "button", name=re.compile(rf"^{re.escape(t('Book a session'))} · .*Kézdi")
    ).click()
    booking_form = page.url
    start = STARTS[language]
    fill_series(start, 2)
    page.get_by_role("button", name=t("Book"), exact=True).click()

    expect(page.locator(".flash-success")).to_have_text(
        tr(language, "%(num)d session booked.", num=2, plural=2)
    )
    skipped = page.locator(".flash-info")
    expect(skipped).to_contain_text(
        t("Not booked on these days, when the centre is closed: %(days)s.", days="\x00").split(
            "\x00"
        )[0]
    )
    expect(skipped).to_contain_text(t("Epiphany"))
    assert_no_sideways_scroll(page)
    screenshot(page, f"series-{language}-1-without-epiphany")
    assert _sessions_at(live_server.app, start) == [FIRST, date(2027, 1, 13)]

    # The same room at the same time for someone else: refused, the next free times offered.
    page.goto(booking_form)
    fill_series(start, 3)
    page.get_by_role("button", name=t("Book"), exact=True).click()
    expect(page.get_by_role("alert")).to_contain_text(
        t("The series was not saved; these dates cannot be booked:")
    )
    offered = page.locator("button[name=offered]")
    expect(offered).to_have_count(3)
    expect(page.get_by_role("heading", name=t("Next free times"))).to_be_visible()
    assert_no_sideways_scroll(page)
    screenshot(page, f"series-{language}-2-free-times")
    chosen = offered.first.get_attribute("value")
    offered.first.click()
    expect(page.locator(".flash-success")).to_have_text(
        tr(language, "%(num)d session booked.", num=2, plural=2)
    )
    assert _sessions_at(live_server.app, chosen[11:])[:2] == [FIRST, date(2027, 1, 13)]
