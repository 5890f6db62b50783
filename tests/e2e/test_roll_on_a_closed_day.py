"""The roll on a day without service, on a phone (390 x 844): the page offers the last working day,
and the coordinator reaches a saved roll of the demo group from the home page in at most 7 taps.

Whatever today is, the test makes it a day without service: a closure day of the demo centre for
today (removed afterwards), so the page is the one a coordinator sees on a holiday or a closure.
"""

import re
from datetime import timedelta

import pytest
from playwright.sync_api import expect

from daycentre.centres.calendar import closed_days
from daycentre.centres.models import ClosureDay, Group
from daycentre.core.localtime import today
from daycentre.extensions import db
from tests.e2e.pages import REPORT, screenshot, tr

pytestmark = pytest.mark.browser

GROUP = "Clasele I–IV"
TAP_TARGET = 7


@pytest.fixture
def closed_today(live_server):
    """Today closed at the demo group's centre (unless it is closed already); the group's id and
    the last working day before today."""
    app = live_server.app
    with app.app_context():
        group = db.session.scalar(db.select(Group).where(Group.name == GROUP))
        group_id, centre = group.id, group.centre
        closure = None
        if today() not in closed_days(centre, group, today(), today()):
            closure = ClosureDay(centre_id=centre.id, day=today(), reason="Dezinsecție")
            db.session.add(closure)
            db.session.commit()
        closure_id = closure.id if closure else None
        first = today() - timedelta(days=31)
        closed = closed_days(db.session.get(Group, group_id).centre, group, first, today())
        working = max(
            first + timedelta(days=n) for n in range(31) if first + timedelta(days=n) not in closed
        )
    yield group_id, working
    if closure_id is not None:
        with app.app_context():
            db.session.delete(db.session.get(ClosureDay, closure_id))
            db.session.commit()


class Taps:
    def __init__(self):
        self.count = 0

    def __call__(self, locator):
        locator.click()
        self.count += 1


def test_on_a_closed_day_the_last_working_days_roll_is_one_tap_away(
    signed_in_page, language, closed_today
):
    def t(msgid, **values):
        return tr(language, msgid, **values)

    group_id, working = closed_today
    page = signed_in_page("coordinator", language, phone=True)
    tap = Taps()

    # From the home page to the group's roll of today: the menu (opened first where a phone
    # folds it), the attendance page, the group's roll.
    attendance = page.locator("header").get_by_role("link", name=t("Attendance"), exact=True)
    if not attendance.is_visible():
        tap(page.locator("header").locator("summary, button[aria-expanded]").first)
    tap(attendance)
    group_row = page.locator("li", has_text=GROUP)
    tap(group_row.get_by_role("link", name=t("Today's roll")))
    expect(page.locator("article.warning")).to_contain_text(
        t("Not an operating day: no roll is expected and nobody is counted absent.")
    )
    expect(page.locator("li[data-roll-row]")).to_have_count(0)
    # Previous and next day sit side by side on the phone.
    previous_day = page.get_by_role("button", name=re.compile(re.escape(t("Previous day"))))
    expect(previous_day).to_be_visible()
    screenshot(page, f"roll-closed-day-{language}-phone")

    # One tap to the last working day's roll, which can be taken.
    tap(page.locator("[data-working-day=previous]"))
    assert f"day={working.isoformat()}" in page.url
    rows = page.locator("li[data-roll-row]")
    expect(rows).to_have_count(25)
    # The three-way switch is one control: its three parts touch, with no gap between them.
    boxes = rows.first.locator(".segmented .segment span").evaluate_all(
        "spans => spans.map(s => { const r = s.getBoundingClientRect(); "
        "return [r.left, r.right, r.top, r.bottom]; })"
    )
    assert len(boxes) == 3
    for (_, right, top, bottom), (left, _, next_top, next_bottom) in zip(
        boxes, boxes[1:], strict=False
    ):
        assert abs(left - right) < 1, f"a gap of {left - right:.1f} px in the switch"
        assert (top, bottom) == (next_top, next_bottom), "the switch's parts are not one row"
    tap(rows.nth(2).get_by_text(t("Excused absence"), exact=True))
    tap(page.get_by_role("button", name=t("Save the roll")))
    expect(page.locator(".flash-success")).to_be_visible()
    expect(page.locator("p.roll-state")).to_contain_text(
        re.compile(
            re.escape(t("Saved %(when)s by %(who)s.", when="\x00", who="\x00")).replace(
                "\x00", ".+"
            )
        )
    )
    screenshot(page, f"roll-last-working-day-{language}-phone")
    REPORT.append(f"roll on a closed day ({language}, phone): a saved roll in {tap.count} taps")
    assert tap.count <= TAP_TARGET
