"""Journey: a parent on a phone (390x844), in Hungarian, reports their child's absence on the next
working day and gives an outing's permission; on that day the coordinator's roll shows the child
as reported absent (excused, with the reason), in Romanian."""

from datetime import datetime, timedelta

import pytest
import time_machine
from playwright.sync_api import expect

from daycentre.attendance.models import AbsenceReport
from daycentre.auth.models import User
from daycentre.centres.calendar import closed_days
from daycentre.centres.models import Centre, CentreKind, Group
from daycentre.core.localtime import BUCHAREST, today
from daycentre.enrolment.services import children_active_on
from daycentre.extensions import db
from daycentre.programme import services as programme
from daycentre.programme.models import Outing, OutingStatus
from tests.e2e.pages import (
    PHONE,
    assert_no_sideways_scroll,
    choose_language,
    screenshot,
    sign_in,
    tr,
)
from tests.factories import DEFAULT_PASSWORD, make_parent

pytestmark = pytest.mark.browser


def _next_working_day(centre, group):
    day = today() + timedelta(days=1)
    closed = closed_days(centre, group, day, day + timedelta(days=30))
    while day in closed:
        day += timedelta(days=1)
    return day


def _parent_of_a_child_on_an_outing(app):
    """A parent made by the factory for a child of the after-school centre, the child invited on
    the demo's planned outing; the child, their group and the next working day."""
    with app.test_request_context():
        centre = db.session.scalar(select_after_school())
        group = db.session.scalar(
            db.select(Group).where(Group.centre_id == centre.id).order_by(Group.id)
        )
        day = _next_working_day(centre, group)
        outing = db.session.scalar(
            db.select(Outing).where(
                Outing.centre_id == centre.id, Outing.status == OutingStatus.PLANNED
            )
        )
        invited = {c.person_id for c in outing.children}
        on_roll = {e.person for e in children_active_on(group.id, day)}
        child = next(
            p
            for p in sorted(on_roll, key=lambda p: p.id, reverse=True)
            if p.id not in invited and p in programme.invitable_children(outing)
        )
        coordinator = db.session.scalar(db.select(User).where(User.username == "coordinator"))
        programme.invite(outing, [child.id], actor=coordinator)
        parent = make_parent(child.family, locale="hu")
        db.session.commit()
        return parent.username, child.full_name, child.id, group.id, day, outing.title


def select_after_school():
    return db.select(Centre).where(Centre.kind == CentreKind.AFTER_SCHOOL).order_by(Centre.id)


def test_a_parent_reports_an_absence_and_the_coordinators_roll_shows_it(
    open_page, signed_in_page, live_server
):
    username, child, child_id, group_id, day, outing = _parent_of_a_child_on_an_outing(
        live_server.app
    )
    hu = "hu"
    page = open_page(phone=True, locale="hu-HU")
    assert page.viewport_size == PHONE
    sign_in(page, username, DEFAULT_PASSWORD)
    choose_language(page, hu)

    page.goto("/parent/")
    page.get_by_role("link", name=tr(hu, "Report an absence")).click()
    expect(page.locator("h1")).to_have_text(tr(hu, "Report an absence"))
    page.get_by_label(tr(hu, "Child")).select_option(value=str(child_id))
    page.get_by_label(tr(hu, "First day of absence")).fill(day.isoformat())
    page.get_by_label(tr(hu, "Reason")).select_option(label=tr(hu, "Illness"))
    page.get_by_label(tr(hu, "Note for the centre")).fill("Orvoshoz megyünk.")
    page.get_by_role("button", name=tr(hu, "Send the report")).click()
    expect(page.locator("body")).to_contain_text(tr(hu, "The absence was reported to the centre."))
    expect(page.locator("[data-report]").first).to_contain_text("Orvoshoz megyünk.")
    assert_no_sideways_scroll(page)
    screenshot(page, "parent-absence-hu")

    page.goto("/parent/")
    page.get_by_role("link", name=tr(hu, "Outings and permissions")).click()
    card = page.locator("article", has_text=outing)
    card.get_by_role("link", name=tr(hu, "Details and answer")).click()
    expect(page.locator("main")).to_contain_text(tr(hu, "Destination"))
    page.get_by_role("button", name=tr(hu, "Permission given")).click()
    expect(page.locator("body")).to_contain_text(tr(hu, "Your answer was sent to the centre."))
    expect(page.locator("[data-permission]")).to_have_text(tr(hu, "Given"))
    assert_no_sideways_scroll(page)

    morning = datetime(day.year, day.month, day.day, 10, 0, tzinfo=BUCHAREST)
    try:
        _coordinators_roll_shows_it(signed_in_page, morning, day, group_id, child_id)
    finally:  # the journeys after this one take that day's roll as the demo has it
        with live_server.app.app_context():
            db.session.execute(db.delete(AbsenceReport).where(AbsenceReport.person_id == child_id))
            db.session.commit()


def _coordinators_roll_shows_it(signed_in_page, morning, day, group_id, child_id):
    ro = "ro"
    with time_machine.travel(morning, tick=True):
        roll = signed_in_page("coordinator", ro, phone=True)
        roll.goto(f"/attendance/groups/{group_id}/roll?day={day.isoformat()}")
        row = roll.locator("[data-roll-row]", has=roll.locator(f"input[name=status-{child_id}]"))
        expect(row.locator("[data-reported-absent]")).to_have_text(
            tr(ro, "Reported absent by the parent: %(reason)s", reason=tr(ro, "Illness"))
        )
        expect(row).to_contain_text("Orvoshoz megyünk.")
        expect(row.locator(f"input[name=status-{child_id}][value=absent_excused]")).to_be_checked()
        screenshot(roll, "roll-reported-absence-ro")
