"""The roll without signal (issue 20, item 2), on a phone (390×844): the coordinator opens the
roll, the signal drops, the page opens again from the phone, the marks are taken and wait as
"not yet sent"; meanwhile someone else changes a child on the server; the signal returns, the
marks are sent, the child both changed comes back with both marks, the coordinator picks one and
everything is saved. Once in Romanian, once in Hungarian."""

import pytest
from playwright.sync_api import expect

from daycentre.attendance import services as attendance
from daycentre.attendance.models import Attendance, AttendanceStatus
from daycentre.attendance.services import Mark
from daycentre.auth.models import User
from daycentre.centres.models import Group
from daycentre.extensions import db
from tests.e2e.pages import assert_no_sideways_scroll, screenshot, sign_out, tr
from tests.e2e.test_coordinator_journey import roll_days  # noqa: F401 (a fixture)

pytestmark = pytest.mark.browser
S = AttendanceStatus


def _someone_else_excuses(app, group_id, day, person_id):
    """The administrator, on another device, takes the roll with one child excused and everyone
    else present with every meal, as the page offers it."""
    with app.test_request_context():
        group = db.session.get(Group, group_id)
        admin = db.session.scalar(db.select(User).where(User.username == "admin"))
        roll = attendance.roll_for(group, day)
        marks = {row.person.id: Mark(S.PRESENT) for row in roll.rows}
        marks[person_id] = Mark(S.ABSENT_EXCUSED)
        every_meal = {meal_type.id for meal_type in roll.meal_types}
        meals = {pid: every_meal for pid in marks if pid != person_id}
        attendance.record_roll(group, day, marks, meals, actor=admin, version=roll.version)
        db.session.commit()


def _stored(app, day, ids):
    with app.app_context():
        return dict(
            db.session.execute(
                db.select(Attendance.person_id, Attendance.status).where(
                    Attendance.day == day, Attendance.person_id.in_(ids)
                )
            ).all()
        )


def _person_ids(page):
    return page.eval_on_selector_all(
        "li[data-roll-row] input[name^=was-]", "inputs => inputs.map(i => +i.name.slice(4))"
    )


# Going offline drops the browser's open requests mid-answer; the test server then leaves a static
# file it was sending (the favicon) to the garbage collector, which warns about it.
@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
@pytest.mark.filterwarnings("ignore:unclosed file:ResourceWarning")
def test_the_roll_taken_offline_is_sent_when_the_signal_returns(
    signed_in_page,
    language,
    live_server,
    roll_days,  # noqa: F811
):
    def t(msgid, **values):
        return tr(language, msgid, **values)

    group_id, day, _previous = roll_days
    page = signed_in_page("coordinator", language, phone=True)
    assert page.evaluate("async () => !!(await navigator.serviceWorker.ready)")
    url = f"/attendance/groups/{group_id}/roll?day={day.isoformat()}"
    page.goto(url)
    assert page.evaluate("() => navigator.serviceWorker.controller !== null")
    rows = page.locator("li[data-roll-row]")
    ids = _person_ids(page)
    pending = page.locator("[data-roll-pending]")
    expect(pending).to_be_hidden()

    # No signal: the roll opens from the phone, the marks are taken and saved, and wait.
    page.context.set_offline(True)
    page.reload()
    expect(rows).to_have_count(len(ids))
    rows.nth(1).get_by_text(t("Excused absence"), exact=True).click()
    rows.nth(4).get_by_text(t("Unexcused absence"), exact=True).click()
    page.get_by_role("button", name=t("Save the roll")).click()
    expect(pending).to_be_visible()
    expect(pending).to_have_text(
        t("Not yet sent: the marks are kept on this phone and sent when the network returns.")
    )
    # Still kept after the page is opened again without signal.
    page.reload()
    expect(pending).to_be_visible()
    expect(rows.nth(4).locator("input[value=absent_unexcused]")).to_be_checked()
    assert_no_sideways_scroll(page)
    screenshot(page, f"offline-roll-{language}-1-not-yet-sent")

    # Meanwhile the administrator excuses the fifth child.
    _someone_else_excuses(live_server.app, group_id, day, ids[4])

    # The signal returns: the marks are sent; the fifth child comes back with both marks.
    page.context.set_offline(False)
    conflict = rows.nth(4).locator("[data-conflict]")
    expect(conflict).to_be_visible()
    expect(conflict).to_contain_text(f"{t('Saved meanwhile')}: {t('Excused absence')}")
    expect(conflict).to_contain_text(f"{t('Yours')}: {t('Unexcused absence')}")
    expect(page.locator("[data-conflict]")).to_have_count(1)
    expect(pending).to_be_hidden()
    stored = _stored(live_server.app, day, ids)
    assert stored[ids[1]] is S.ABSENT_EXCUSED  # sent and saved
    assert stored[ids[4]] is S.ABSENT_EXCUSED  # theirs, until one is chosen
    assert_no_sideways_scroll(page)
    screenshot(page, f"offline-roll-{language}-2-conflict")

    # The coordinator keeps their own mark and saves: everything is saved.
    conflict.get_by_text(t("Yours"), exact=False).click()
    with page.expect_navigation():
        page.get_by_role("button", name=t("Save the roll")).click()
    expect(page.locator(".flash-success")).to_be_visible()
    stored = _stored(live_server.app, day, ids)
    assert len(stored) == len(ids)
    assert stored[ids[1]] is S.ABSENT_EXCUSED
    assert stored[ids[4]] is S.ABSENT_UNEXCUSED
    assert sum(status is S.PRESENT for status in stored.values()) == len(ids) - 2

    # Signing out erases what the phone kept.
    sign_out(page)
    kept = page.evaluate(
        """async () => ({storage: Object.keys(localStorage).filter(k => k.startsWith('daycentre')),
                         caches: (await caches.keys()).filter(k => k.startsWith('daycentre-rolls'))
                           .length ? (await (await caches.open('daycentre-rolls-v1')).keys()).length : 0})"""
    )
    assert kept == {"storage": [], "caches": 0}
