"""Journey 1, the coordinator: today's roll of the 25 children of "Clasele I–IV" with three
absences and the meals, a correction of the previous operating day's roll, and the monthly
attendance sheet with its PDF. Once in Romanian, once in Hungarian. The clicks of the roll-call
are counted and shown in the test summary; a second test takes the roll with the keyboard alone.

The live server is shared by the session's tests, so each test starts from a roll not yet taken.
"""

import re
from datetime import date, timedelta

import pytest
from playwright.sync_api import expect

from daycentre.attendance import services as attendance
from daycentre.attendance.models import Attendance, RollCall
from daycentre.centres.models import Group
from daycentre.core.i18n import listed_name, person_name
from daycentre.core.localtime import today
from daycentre.enrolment.services import children_active_on
from daycentre.extensions import db
from daycentre.meals.models import MealServed
from daycentre.people.models import Person
from tests.e2e.pages import REPORT, assert_accessible, screenshot, tr

pytestmark = pytest.mark.browser

GROUP = "Clasele I–IV"
CLICK_TARGET = 6  # opening the roll, the absences and the save


def _roll_day_and_previous(app) -> tuple[int, date, date]:
    """The group's id, the latest operating day the coordinator may still record (today on an
    operating day) and the operating day before it."""
    with app.test_request_context():
        group = db.session.scalar(db.select(Group).where(Group.name == GROUP))
        first = today() - timedelta(days=attendance.correction_days())
        closed = attendance.closed_days(group.centre, group, first, today())
        open_days = [
            first + timedelta(days=n)
            for n in range((today() - first).days + 1)
            if first + timedelta(days=n) not in closed
        ]
        assert len(open_days) >= 2, f"fewer than two operating days since {first}"
        return group.id, open_days[-1], open_days[-2]


def _clear_roll(app, group_id: int, day: date) -> None:
    """Test setup: forget the group's roll of ``day``, as if nobody had taken it yet."""
    with app.app_context():
        group = db.session.get(Group, group_id)
        ids = [e.person_id for e in children_active_on(group_id, day)]
        for model in (Attendance, MealServed):
            db.session.execute(
                db.delete(model).where(
                    model.centre_id == group.centre_id, model.day == day, model.person_id.in_(ids)
                )
            )
        db.session.execute(
            db.delete(RollCall).where(RollCall.group_id == group_id, RollCall.day == day)
        )
        db.session.commit()


@pytest.fixture
def roll_days(live_server):
    group_id, day, previous = _roll_day_and_previous(live_server.app)
    _clear_roll(live_server.app, group_id, day)
    return group_id, day, previous


class Clicks:
    """Every click and tap the journey makes, counted as the person would count them."""

    def __init__(self):
        self.count = 0

    def __call__(self, locator):
        locator.click()
        self.count += 1


def _checked_counts(page) -> dict[str, int]:
    return page.evaluate(
        """() => Object.fromEntries(['present', 'absent_excused', 'absent_unexcused'].map(v =>
             [v, document.querySelectorAll(`input[data-status][value=${v}]:checked`).length]))"""
    )


def test_coordinator_takes_and_corrects_the_roll_and_prints_the_sheet(
    signed_in_page, language, live_server, roll_days
):
    def t(msgid, **values):
        return tr(language, msgid, **values)

    def n(what, count):  # "22 de prezenți", "1 absență motivată"
        return tr(language, f"%(num)d {what}", plural=count, num=count)

    def listed(name):  # the roll shows a child's name; the sheet lists the family name first
        with live_server.app.app_context():
            for person in db.session.scalars(db.select(Person)):
                if person_name(person.family_name, person.given_name, language) == name:
                    return listed_name(person.family_name, person.given_name, language)
        raise AssertionError(name)

    def like(msgid, *names):
        """The translated text as a pattern, whatever the values of ``names``."""
        text = re.escape(t(msgid, **dict.fromkeys(names, "\x00")))
        return re.compile(text.replace("\x00", ".+"))

    group_id, day, previous = roll_days
    page = signed_in_page("coordinator", language)
    expect(page.get_by_role("heading", level=1)).to_have_text(t("Good day, %(name)s", name="Ioana"))
    click = Clicks()

    # Today's roll is one tap away on the home page; another operating day is opened by address.
    if day == today():
        click(
            page.get_by_role("button", name=re.compile(rf"^{re.escape(GROUP)} · {t('to take')}$"))
        )
        opened = "from the home page"
    else:
        page.goto(f"/attendance/groups/{group_id}/roll?day={day.isoformat()}")
        opened = f"for {day.isoformat()}, opened by address"
    expect(page.get_by_role("heading", level=1)).to_contain_text(GROUP)
    status = page.locator("p.roll-state")
    expect(status).to_have_text(
        t(
            "Not saved yet: everyone is marked present with every meal. "
            "Tap only the absent children, then save."
        )
    )
    rows = page.locator("li[data-roll-row]")
    children = rows.count()
    assert children == 25, f"{GROUP} should hold 25 children, not {children}"
    # Everyone present, every meal of the after-school centre (hot meal and snack) ticked.
    assert _checked_counts(page) == {"present": 25, "absent_excused": 0, "absent_unexcused": 0}
    expect(page.locator("[data-meals] input:checked")).to_have_count(2 * 25)
    assert_accessible(page)

    # Three absences: the second child excused, the fifth and the ninth without excuse.
    absences = {1: "Excused absence", 4: "Unexcused absence", 8: "Unexcused absence"}
    names = {}
    for index, label in absences.items():
        row = rows.nth(index)
        names[index] = row.locator(".roll-name").inner_text()
        click(row.get_by_text(t(label), exact=True))
        # An absent child's meals are unticked and locked.
        expect(row.locator("[data-meals] input:checked")).to_have_count(0)
        expect(row.locator("[data-meals] input:disabled")).to_have_count(2)
    expect(page.locator("[data-meals] input:checked")).to_have_count(2 * 22)
    click(page.get_by_role("button", name=t("Save the roll")))

    expect(page.locator(".flash-success")).to_have_text(
        t(
            "The roll was saved: %(present)s, %(absent)s.",
            present=n("present", 22),
            absent=n("absent", 3),
        )
    )
    expect(status).to_contain_text(f"{n('present', 22)}, {n('excused', 1)}, {n('unexcused', 2)}.")
    expect(status).to_contain_text(like("Saved %(when)s by %(who)s.", "when", "who"))
    for index, label in absences.items():
        value = "absent_excused" if label == "Excused absence" else "absent_unexcused"
        expect(rows.nth(index).locator(f"input[value={value}]")).to_be_checked()
    expect(page.locator("[data-meals] input:checked")).to_have_count(2 * 22)
    screenshot(page, f"journey1-{language}-1-roll-saved")

    REPORT.append(
        f"roll-call ({language}): {children} children, {len(absences)} absences, "
        f"{click.count} clicks ({opened}, the save included)"
    )
    assert click.count <= CLICK_TARGET

    # The previous operating day's roll (taken by the demo) is corrected: a child who was marked
    # present is now excused, with a note, and ate nothing.
    while f"day={previous.isoformat()}" not in page.url:
        with page.expect_navigation():
            page.get_by_role("button", name=t("Previous day")).click()
    expect(status).to_contain_text(like("Saved %(when)s by %(who)s.", "when", "who"))
    before = _checked_counts(page)
    first_present = page.evaluate(
        """() => [...document.querySelectorAll('li[data-roll-row]')]
             .findIndex(li => li.querySelector('input[value=present]:checked'))"""
    )
    row = rows.nth(first_present)
    name = row.locator(".roll-name").inner_text()
    row.get_by_text(t("Excused absence"), exact=True).click()
    row.get_by_text(t("Times and note")).click()
    row.get_by_label(t("Note")).fill("Adeverință medicală")
    page.get_by_role("button", name=t("Save the roll")).click()
    absent = before["absent_excused"] + before["absent_unexcused"] + 1
    expect(page.locator(".flash-success")).to_have_text(
        t(
            "The roll was saved: %(present)s, %(absent)s.",
            present=n("present", children - absent),
            absent=n("absent", absent),
        )
    )
    expect(row.locator(".roll-name")).to_have_text(name)
    expect(row.locator("input[value=absent_excused]")).to_be_checked()
    expect(row.get_by_label(t("Note"))).to_have_value("Adeverință medicală")
    assert _checked_counts(page)["absent_excused"] == before["absent_excused"] + 1

    # The monthly sheet of that month shows the correction, and prints as a PDF.
    page.get_by_role("link", name=t("Monthly attendance sheet")).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(GROUP)
    sheet_row = page.get_by_role("row").filter(
        has=page.get_by_role("rowheader", name=listed(name), exact=True)
    )
    expect(sheet_row.locator("td.day").nth(previous.day - 1)).to_have_text(t("E"))
    if previous.month == day.month:  # today's absences are on the same sheet
        for index, label in absences.items():
            letter = t("E") if label == "Excused absence" else t("U")
            child = page.get_by_role("rowheader", name=listed(names[index]), exact=True)
            cell = page.get_by_role("row").filter(has=child).locator("td.day").nth(day.day - 1)
            expect(cell).to_have_text(letter)
    screenshot(page, f"journey1-{language}-2-sheet")
    pdf_link = page.get_by_role("button", name=t("PDF for printing"))
    response = page.request.get(pdf_link.get_attribute("href"))
    assert response.ok
    assert response.headers["content-type"] == "application/pdf"
    with page.expect_download() as waiting:
        pdf_link.click()
    download = waiting.value
    assert download.suggested_filename.endswith(".pdf")
    with open(download.path(), "rb") as pdf:
        content = pdf.read()
    assert content.startswith(b"%PDF-")
    assert len(content) > 5_000, f"a PDF of {len(content)} bytes is too small for a sheet"
    assert len(content) == len(response.body())


def test_the_roll_can_be_taken_with_the_keyboard_alone(
    signed_in_page, language, live_server, roll_days
):
    def t(msgid, **values):
        return tr(language, msgid, **values)

    group_id, day, _previous = roll_days
    page = signed_in_page("coordinator", language)
    page.goto(f"/attendance/groups/{group_id}/roll?day={day.isoformat()}")

    def focused(selector):
        return page.evaluate(f"() => document.activeElement.matches({selector!r})")

    def tab_to(selector, limit):
        for presses in range(1, limit + 1):
            page.keyboard.press("Tab")
            if focused(selector):
                return presses
        raise AssertionError(f"{selector} was not reached with {limit} Tab presses")

    # Tab to the first child's choice (the present one is checked); the arrow moves to excused.
    tab_to("input[data-status]", 40)
    first = page.locator("li[data-roll-row]").first
    name = first.locator(".roll-name").inner_text()
    assert page.evaluate("() => document.activeElement.closest('[data-roll-row]') !== null")
    assert focused("input[value=present]")
    page.keyboard.press("ArrowRight")
    assert focused("input[value=absent_excused]")
    expect(first.locator("input[value=absent_excused]")).to_be_checked()
    # The focus is visible on the chosen segment.
    outline = page.evaluate(
        "() => getComputedStyle(document.activeElement.nextElementSibling).outlineStyle"
    )
    assert outline == "solid"

    # Space unticks the second child's first meal (the first child's meals are locked, skipped).
    second = page.locator("li[data-roll-row]").nth(1)
    tab_to("li[data-roll-row]:nth-child(2) [data-meals] input", 10)
    page.keyboard.press("Space")
    expect(second.locator("[data-meals] input").first).not_to_be_checked()

    tab_to("[type=submit][name=submit]", 25 * 6)
    with page.expect_navigation():
        page.keyboard.press("Enter")
    expect(page.locator(".flash-success")).to_have_text(
        t(
            "The roll was saved: %(present)s, %(absent)s.",
            present=tr(language, "%(num)d present", plural=24, num=24),
            absent=tr(language, "%(num)d absent", plural=1, num=1),
        )
    )
    expect(first.locator(".roll-name")).to_have_text(name)
    expect(first.locator("input[value=absent_excused]")).to_be_checked()
    expect(second.locator("[data-meals] input").first).not_to_be_checked()
    expect(second.locator("[data-meals] input").nth(1)).to_be_checked()
