"""A parent's first steps on a phone: the coordinator invites a mother by e-mail, she opens the
link on her phone in Hungarian, creates her account and reads her child's page."""

import re

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from daycentre.enrolment.models import Enrolment, EnrolmentStatus
from daycentre.extensions import db
from daycentre.parents.models import ParentAccount
from daycentre.people.models import Family, Person, PersonKind, Relationship
from tests.e2e.pages import (
    assert_accessible,
    assert_no_sideways_scroll,
    assert_targets_large_enough,
    screenshot,
    sign_in,
    tr,
)

pytestmark = pytest.mark.browser


def _a_mother_to_invite(app):
    """A demo mother at the coordinator's centre, without an account, whose child is enrolled."""
    with app.app_context():
        signed_in = select(ParentAccount.person_id)
        enrolled = (
            select(Person.family_id)
            .join(Enrolment, Enrolment.person_id == Person.id)
            .where(Enrolment.status == EnrolmentStatus.ACTIVE)
        )
        mother = db.session.scalar(
            select(Person)
            .join(Family, Family.id == Person.family_id)
            .where(
                Person.kind == PersonKind.ADULT,
                Person.relation == Relationship.MOTHER,
                Person.id.not_in(signed_in),
                Person.family_id.in_(enrolled),
                Family.name.not_in(("Kovács", "Nagy")),
            )
            .order_by(Person.id)
            .limit(1)
        )
        child = db.session.scalar(
            select(Person)
            .join(Enrolment, Enrolment.person_id == Person.id)
            .where(
                Person.family_id == mother.family_id,
                Person.kind == PersonKind.CHILD,
                Enrolment.status == EnrolmentStatus.ACTIVE,
            )
            .order_by(Person.id)
            .limit(1)
        )
        return mother.id, child.given_name


def test_a_coordinator_invites_and_the_parent_joins_in_hungarian_on_a_phone(open_page, live_server):
    mother_id, child_name = _a_mother_to_invite(live_server.app)

    staff = open_page()
    sign_in(staff, "coordinator")
    staff.goto(f"/people/{mother_id}")
    staff.get_by_role("button", name=tr("ro", "Manage the parent account")).click()
    staff.locator("#email").fill("mama@example.org")
    staff.locator("#language").select_option("hu")
    staff.get_by_role("button", name=tr("ro", "Create the invitation link")).click()
    expect(staff.get_by_role("heading", level=1)).to_have_text(tr("ro", "Invitation created"))
    link = staff.locator("#invitation-link").input_value()
    assert "/parent/join/" in link

    phone = open_page(phone=True, locale="hu-HU")
    phone.goto(link)
    expect(phone.locator("html")).to_have_attribute("lang", "hu")
    expect(phone.get_by_role("heading", level=1)).to_have_text(
        tr("hu", "Create your parent account")
    )
    assert_no_sideways_scroll(phone)
    assert_accessible(phone)
    phone.locator("#username").fill("mama.e2e")
    phone.locator("#password").fill("Fenyofa-a-kerten-2026")
    phone.locator("#confirm").fill("Fenyofa-a-kerten-2026")
    phone.locator("#language").select_option("hu")
    with phone.expect_navigation():
        phone.get_by_role("button", name=tr("hu", "Create my account")).click()

    expect(phone.get_by_role("heading", level=1)).to_have_text(tr("hu", "My children"))
    expect(phone.get_by_text(tr("hu", "Welcome! Your account is ready."))).to_be_visible()
    phone.get_by_role("link", name=re.compile(child_name)).first.click()
    expect(phone.get_by_role("heading", level=2, name=tr("hu", "Today's menu"))).to_be_visible()
    expect(
        phone.get_by_role("heading", level=2, name=tr("hu", "Programme this week"))
    ).to_be_visible()
    assert_no_sideways_scroll(phone)
    assert_accessible(phone)
    assert_targets_large_enough(phone.locator("main").page)
    screenshot(phone, "parent-child-hu")
