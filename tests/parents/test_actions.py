"""What a parent does on the phone: reports an absence ahead, answers an outing's permission,
withdraws a consent, registers for a parenting workshop; another family's records answer 404.

The clock is set to known days (Bucharest time) whatever day the suite runs on."""

import re
from datetime import date, datetime, time, timedelta

import pytest

from daycentre.attendance.models import AbsenceReport
from daycentre.core.localtime import BUCHAREST, local_instant
from daycentre.extensions import db
from daycentre.people.models import Consent, ConsentPurpose
from daycentre.programme import services as programme
from daycentre.programme.models import PermissionState
from daycentre.workshops import services as workshops
from daycentre.workshops.models import RegistrationStatus
from tests.conftest import text_of
from tests.factories import (
    make_adult,
    make_family,
    make_group,
    make_group_of_children,
    make_outing,
    make_parent,
    make_room,
    make_workshop,
)

MONDAY = date(2026, 11, 23)


def at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=BUCHAREST)


@pytest.fixture
def family_child(centre):
    group = make_group(centre, name="Clasele I–IV")
    kids = make_group_of_children(group, 2)
    return kids[0], kids[1]  # ours, another family's


@pytest.fixture
def parent(family_child):
    ours, _ = family_child
    user = make_parent(ours.family, locale="hu")
    db.session.commit()
    return user


@pytest.fixture
def signed_in(client, login, parent):
    """Sign the parent in once the test has set the clock."""
    return lambda: login(parent)


def _report(client, child, first, last="", reason="illness", note=""):
    page = client.get("/parent/absences")
    token = page.text.split('name="submission" type="hidden" value="')[1].split('"')[0]
    return client.post(
        "/parent/absences",
        data={
            "submission": token,
            "child": str(child.id),
            "first_day": first.isoformat(),
            "last_day": last,
            "reason": reason,
            "note": note,
        },
    )


def test_a_parent_reports_an_absence_from_the_home_page(
    time_machine, client, signed_in, family_child
):
    time_machine.move_to(at(MONDAY, 8), tick=True)
    signed_in()
    ours, _ = family_child
    home = client.get("/parent/")
    assert 'href="/parent/absences"' in home.text
    assert "Aznap 9:00 óráig" in text_of(client.get("/parent/absences"))  # the centre's cut-off

    response = _report(client, ours, date(2026, 11, 24), note="Orvosnál lesz")

    assert response.status_code == 302
    page = text_of(client.get("/parent/absences"))
    assert "Orvosnál lesz" in page and "Megbetegedés" in page
    assert "Elküldte: Mureșan Ioana" in page  # a co-parent sees who sent it
    assert db.session.scalar(db.select(AbsenceReport.person_id)) == ours.id
    # Withdrawing it takes a second tap, after saying what it means.
    report = db.session.scalar(db.select(AbsenceReport))
    assert _behind_a_confirmation(
        client.get("/parent/absences").text,
        f"/parent/absences/{report.id}/withdraw",
        "A központ ezeken a napokon várja a gyermeket.",
    )


def test_after_the_cut_off_the_refusal_says_until_when_in_the_parents_language(
    time_machine, client, signed_in, family_child
):
    time_machine.move_to(at(MONDAY, 9, 15), tick=True)
    signed_in()
    ours, _ = family_child

    page = text_of(_report(client, ours, MONDAY))

    assert "9:00" in page and "telefonon" in page.lower()
    assert db.session.scalar(db.select(AbsenceReport)) is None


def test_another_familys_records_answer_not_found(
    time_machine, client, signed_in, family_child, users
):
    time_machine.move_to(at(MONDAY, 8), tick=True)
    signed_in()
    _, theirs = family_child
    other_parent = make_parent(theirs.family)
    from daycentre.attendance import services as attendance

    their_report = attendance.report_absence(
        theirs, actor=other_parent, first_day=date(2026, 11, 24), last_day=None,
        reason="other", note=None,
    )  # fmt: skip
    consent = Consent(
        person_id=theirs.id, purpose=ConsentPurpose.PHOTOS, given_by="Ana", given_on=MONDAY
    )
    db.session.add(consent)
    outing = _outing(theirs, users["coordinator"])
    db.session.commit()

    assert client.post(f"/parent/absences/{their_report.id}/withdraw").status_code == 404
    assert client.get(f"/parent/consents/{consent.id}/withdraw").status_code == 404
    assert client.get(f"/parent/outings/{outing.id}").status_code == 404
    # A child of another family sent in the form: nothing is saved.
    _report(client, theirs, date(2026, 11, 25))
    assert db.session.scalar(db.select(db.func.count(AbsenceReport.id))) == 1


def _outing(child, coordinator, *, days=10):
    start = local_instant(MONDAY + timedelta(days=days), time(9))
    outing = make_outing(child.family.centre, coordinator, start)
    [invitation] = programme.invite(outing, [child.id], actor=coordinator)
    return invitation


@pytest.mark.parametrize("answer", ["given", "refused"])
def test_a_parent_answers_an_outing_permission_and_the_staff_see_it(
    time_machine, client, signed_in, family_child, users, login, answer
):
    time_machine.move_to(at(MONDAY, 8), tick=True)
    signed_in()
    ours, _ = family_child
    invitation = _outing(ours, users["coordinator"])
    db.session.commit()

    page = text_of(client.get(f"/parent/outings/{invitation.id}"))
    assert "Cluj-Napoca" in page and "Microbuz" in page  # the details come first
    response = client.post(f"/parent/outings/{invitation.id}", data={"answer": answer})

    assert response.status_code == 302
    db.session.refresh(invitation)
    assert invitation.permission is PermissionState(answer)
    assert invitation.permission_medium.value == "app" and invitation.answered_at is not None
    client.post("/auth/logout")
    login(users["coordinator"])
    staff = text_of(client.get(f"/programme/outings/{invitation.outing_id}"))
    assert "Răspuns de părinte în aplicație" in staff


def test_once_the_outing_has_left_the_permission_is_refused(
    time_machine, client, signed_in, family_child, users
):
    time_machine.move_to(at(MONDAY, 8, 50), tick=True)
    signed_in()
    ours, _ = family_child
    invitation = _outing(ours, users["coordinator"], days=0)  # leaves at 9:00
    db.session.commit()
    time_machine.move_to(at(MONDAY, 9, 5), tick=True)

    page = text_of(client.post(f"/parent/outings/{invitation.id}", data={"answer": "given"}))

    assert "elindult" in page
    db.session.refresh(invitation)
    assert invitation.permission is PermissionState.PENDING


def test_a_parent_withdraws_a_consent_and_the_staff_see_who_did(
    client, parent, signed_in, family_child, login, users
):
    signed_in()
    ours, _ = family_child
    consent = Consent(
        person_id=ours.id,
        purpose=ConsentPurpose.PHOTOS,
        given_by="Kovács Anna",
        given_on=date(2026, 9, 1),
    )
    db.session.add(consent)
    db.session.commit()
    assert "Fényképek" in text_of(client.get("/parent/consents"))

    assert client.post(f"/parent/consents/{consent.id}/withdraw").status_code == 302

    db.session.refresh(consent)
    assert consent.withdrawn_on is not None and consent.withdrawn_at is not None
    assert consent.withdrawn_by_id == parent.id
    client.post("/auth/logout")
    login(users["coordinator"])
    assert "de părinte în aplicație" in text_of(client.get(f"/people/{ours.id}"))


def test_a_full_workshop_puts_the_parent_in_line_and_a_cancellation_frees_the_place(
    client, parent, signed_in, centre, users, family_child
):
    signed_in()
    start = datetime.now(BUCHAREST) + timedelta(days=3)
    workshop = make_workshop(
        centre, make_room(centre), [users["counsellor"]], capacity=1, start=start
    )
    first = make_adult(make_family(centre, name="Szabó"))
    workshops.register(workshop, first, actor=users["coordinator"])
    db.session.commit()

    client.post(f"/parent/workshops/{workshop.id}/register")

    own = parent_registration(parent)
    assert own.status is RegistrationStatus.WAITING
    # The place freed by the staff goes to the first in line: the parent.
    held = workshop.registrations[0]
    workshops.cancel_registration(held, actor=users["coordinator"])
    db.session.commit()
    db.session.refresh(own)
    assert own.status is RegistrationStatus.REGISTERED
    # The parent cancels in turn, after being told what it means: the place is free again.
    assert _behind_a_confirmation(
        client.get("/parent/workshops").text,
        f"/parent/registrations/{own.id}/cancel",
        "Ha később újra jelentkezik, és a műhely betelt, várólistára kerül.",
    )
    assert client.post(f"/parent/registrations/{own.id}/cancel").status_code == 302
    db.session.refresh(own)
    db.session.refresh(workshop)
    assert own.status is RegistrationStatus.CANCELLED and workshop.free_places == 1


def parent_registration(parent):
    from daycentre.parents.services import own_person
    from daycentre.workshops.models import WorkshopRegistration

    person = own_person(parent)
    return db.session.scalar(
        db.select(WorkshopRegistration).where(WorkshopRegistration.person_id == person.id)
    )


def test_a_finished_workshops_place_is_not_cancelled_in_the_app(
    client, parent, signed_in, centre, users
):
    signed_in()
    start = datetime.now(BUCHAREST) - timedelta(days=30)
    workshop = make_workshop(centre, make_room(centre), [users["counsellor"]], start=start)
    workshops.register(workshop, parent_registration_person(parent), actor=users["coordinator"])
    db.session.commit()
    own = parent_registration(parent)

    response = client.post(f"/parent/registrations/{own.id}/cancel", follow_redirects=True)

    assert "Ez a műhely már véget ért" in text_of(response)
    db.session.refresh(own)
    assert own.status is RegistrationStatus.REGISTERED  # the certificate stays


def parent_registration_person(parent):
    from daycentre.parents.services import own_person

    return own_person(parent)


def _behind_a_confirmation(html: str, action: str, explanation: str) -> bool:
    """Whether the form posting to ``action`` opens only from a folded step that explains it."""
    step = re.search(
        r'<details class="confirm-step">\s*<summary role="button"[^>]*>[^<]+</summary>\s*'
        rf'<form method="post" action="{re.escape(action)}">\s*<p>([^<]+)</p>',
        html,
    )
    return step is not None and step.group(1) == explanation
