"""Journey 2, the counsellor: a weekly series of sessions in the group room, a second booking of
that room at an overlapping time refused with the clash named, and the first session recorded
as held with its confidential note. Once in Romanian, once in Hungarian (at different hours, as
the server is shared by the session's tests)."""

import re
from datetime import date, timedelta
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect

from daycentre.attendance.services import closed_days
from daycentre.centres.models import Centre, CentreKind
from daycentre.core.localtime import today
from daycentre.extensions import db
from tests.e2e.pages import assert_accessible, screenshot, tr

pytestmark = pytest.mark.browser

ROOM = "Sala de grup"
COUNSELLOR = {"ro": "Tünde Fazakas", "hu": "Fazakas Tünde"}
STARTS = {"ro": ("17:00", "17:30"), "hu": ("08:00", "08:30")}  # free hours in the demo week
WEEKS = 3


def _series_start(app) -> date:
    """The latest day before today from which three weekly sessions all fall on operating days
    of the counselling centre (no weekend, public holiday or closure): the first session is over
    by the time the journey records how it went."""
    with app.test_request_context():
        centre = db.session.scalar(
            db.select(Centre).where(Centre.kind == CentreKind.PARENT_COUNSELLING)
        )
        first = today() - timedelta(days=30)
        closed = closed_days(centre, None, first, today() + timedelta(days=7 * WEEKS))
    for back in range(1, 30):
        day = today() - timedelta(days=back)
        if all(day + timedelta(days=7 * week) not in closed for week in range(WEEKS)):
            return day
    raise AssertionError("no day in the last month starts three weekly operating days")


def test_counsellor_books_a_series_meets_a_clash_and_records_a_held_session(
    signed_in_page, language, live_server
):
    def t(msgid, **values):
        return tr(language, msgid, **values)

    def like(msgid, *names, **values):
        """The translated text as a pattern, whatever the values of ``names``."""
        text = re.escape(t(msgid, **values, **dict.fromkeys(names, "\x00")))
        return re.compile(text.replace("\x00", ".+"))

    def field(msgid):
        return page.get_by_label(re.compile(rf"^{re.escape(t(msgid))}( \*)?$"))

    start = _series_start(live_server.app)
    first_time, clash_time = STARTS[language]
    page = signed_in_page("counsellor", language)
    expect(page.get_by_role("heading", level=1)).to_have_text(t("Good day, %(name)s", name="Tünde"))

    # The counsellor's own week, and from it the booking form of the counselling centre.
    menu = page.get_by_role("navigation", name=t("Main menu"))
    menu.get_by_role("link", name=t("Counselling"), exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(COUNSELLOR[language])
    page.get_by_role(
        "button", name=re.compile(rf"^{re.escape(t('Book a session'))} · .*Kézdi")
    ).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(t("Book a session"))
    booking_form = urlsplit(page.url).path

    beneficiaries = field("Beneficiary: a person or a family")
    options = beneficiaries.locator("option")
    first_person, second_person = (options.nth(n).inner_text() for n in (2, 3))
    beneficiaries.select_option(label=first_person)
    field("Type").select_option(label=t("Parental education"))
    field("Room").select_option(label=ROOM)
    field("Date").fill(start.isoformat())
    field("Start time").fill(first_time)
    field("Duration (minutes)").fill("45")
    field("Repeat").select_option(label=t("Every week"))
    field("Number of sessions").fill(str(WEEKS))
    page.get_by_role("button", name=t("Book")).click()

    expect(page.locator(".flash-success")).to_have_text(
        tr(language, "%(num)d session booked.", num=WEEKS, plural=WEEKS)
    )
    expect(page.get_by_role("heading", level=1)).to_have_text(t("Parental education"))
    facts = page.locator("dl.facts")
    expect(facts).to_contain_text(first_person)
    expect(facts).to_contain_text(ROOM)
    expect(facts).to_contain_text(t("Scheduled"))
    expect(facts).to_contain_text(
        tr(language, "every %(num)d day", num=7, plural=7)
        + ", "
        + tr(language, "%(num)d session", num=WEEKS, plural=WEEKS)
    )
    session_url = page.url

    # The same room, a week later, half an hour into the series' session: refused, with the clash.
    page.goto(f"{booking_form}?day={start + timedelta(days=7)}")
    field("Beneficiary: a person or a family").select_option(label=second_person)
    field("Type").select_option(label=t("Information"))
    field("Room").select_option(label=ROOM)
    field("Start time").fill(clash_time)
    field("Duration (minutes)").fill("45")
    page.get_by_role("button", name=t("Book")).click()
    refusal = page.get_by_role("alert")
    expect(refusal).to_contain_text(t("The session was not saved:"))
    busy = like(
        "%(when)s: %(who)s is busy (%(what)s, %(then)s)",
        "when",
        "then",
        who=t("room %(name)s", name=ROOM),
        what=t("counselling session"),
    )
    expect(refusal).to_contain_text(busy)
    expect(refusal).to_contain_text(t("counsellor %(name)s", name=COUNSELLOR[language]))
    expect(page.get_by_role("heading", level=1)).to_have_text(t("Book a session"))
    assert_accessible(page)
    screenshot(page, f"journey2-{language}-1-clash-refused")

    # The series' first session was held: the outcome, then the confidential note.
    page.goto(session_url)
    page.get_by_role("button", name=t("Record how it went")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(t("How the session went"))
    page.get_by_role("radio", name=t("Held")).check()
    expect(field("Time actually spent (minutes)")).to_have_value("45")
    field("Time actually spent (minutes)").fill("40")
    page.get_by_role("button", name=t("Save")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(t("Confidential note"))
    note = f"Primul atelier ({language}): regulile casei, timpul petrecut pe telefon."
    field("Confidential note").fill(note)
    page.get_by_role("button", name=t("Save the note")).click()
    expect(page.locator(".flash-success")).to_have_text(t("The note was saved."))
    expect(page.locator("article.note .note-text")).to_have_text(note)
    expect(field("Confidential note")).to_have_value(note)
    assert_accessible(page)
    screenshot(page, f"journey2-{language}-2-note")

    page.goto(session_url)
    expect(facts).to_contain_text(t("Held"))
    expect(facts).to_contain_text(tr(language, "%(num)d minute", num=40, plural=40))
    expect(facts).to_contain_text(t("Written"))
    expect(page.get_by_role("button", name=t("Read the note"))).to_be_visible()
