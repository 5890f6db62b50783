"""A parent's pages show their own children's records and nothing of another family's."""

import io
from datetime import date, time, timedelta

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from daycentre.attendance.models import Attendance, AttendanceStatus
from daycentre.audit.models import AuditEntry
from daycentre.centres.calendar import closed_days
from daycentre.core.localtime import now, today, week_start
from daycentre.counselling.models import SessionNote
from daycentre.enrolment.models import Enrolment
from daycentre.extensions import db
from daycentre.meals.models import Menu
from daycentre.parents import overview
from daycentre.people.models import Relationship
from daycentre.programme.models import (
    Outing,
    OutingChild,
    OutingKind,
    ProgrammeSlot,
    SlotKind,
    Weekday,
    WeeklyProgramme,
)
from daycentre.workshops.models import RegistrationStatus, WorkshopAttendance, WorkshopRegistration
from tests.conftest import text_of
from tests.factories import (
    make_adult,
    make_child,
    make_enrolment,
    make_family,
    make_group,
    make_meal_type,
    make_parent,
    make_room,
    make_session,
    make_workshop,
)


def _mark(child, group, day, status):
    db.session.add(
        Attendance(
            centre_id=group.centre_id,
            group_id=group.id,
            person_id=child.id,
            day=day,
            status=AttendanceStatus(status),
        )
    )


def _outing(centre, child, destination):
    outing = Outing(
        centre_id=centre.id,
        kind=OutingKind.OUTING,
        title="Excursie",
        destination=destination,
        starts_at=now() + timedelta(days=3),
        ends_at=now() + timedelta(days=3, hours=6),
        children_per_adult=8,
    )
    outing.children.append(OutingChild(person_id=child.id))
    db.session.add(outing)
    db.session.flush()
    return outing.children[0]


def _completed_workshop(centre, room, facilitator, person):
    workshop = make_workshop(
        centre,
        room,
        [facilitator],
        sessions=2,
        start=now() - timedelta(weeks=3),
        title="Părinți buni",
    )
    db.session.add(
        WorkshopRegistration(
            workshop=workshop, person_id=person.id, status=RegistrationStatus.REGISTERED
        )
    )
    db.session.flush()
    for session in workshop.sessions:
        db.session.add(WorkshopAttendance(session_id=session.id, person_id=person.id, present=True))
    db.session.flush()
    return db.session.scalar(
        select(WorkshopRegistration).where(WorkshopRegistration.person_id == person.id)
    )


def _an_open_day_this_week(centre, group) -> date:
    """The programme shows a slot on a day the centre works (today may be a public holiday)."""
    monday = week_start(today())
    closed = closed_days(centre, group, monday, monday + timedelta(days=6))
    return next(
        (monday + timedelta(days=n) for n in range(7) if monday + timedelta(days=n) not in closed),
        today(),
    )


@pytest.fixture
def two_families(centre, users):
    group = make_group(centre, name="Clasele I–IV")
    room = make_room(centre, name="Sala mare")
    ours = make_family(centre, name="Kovács")
    theirs = make_family(centre, name="Szabó")
    reka = make_child(ours, given_name="Réka", allergies="arahide")
    botond = make_child(theirs, given_name="Botond")
    for child in (reka, botond):
        make_enrolment(child, group)
    mother = make_adult(ours, given_name="Erzsébet")
    other_mother = make_adult(theirs, given_name="Ilona")
    parent = make_parent(ours, adult=mother)
    _mark(reka, group, today(), "present")
    _mark(botond, group, today(), "absent_unexcused")
    meal = make_meal_type(centre, name="Prânz")
    db.session.add(
        Menu(
            centre_id=centre.id,
            meal_type_id=meal.id,
            day=today(),
            dishes="Supă de legume",
            allergens="țelină",
        )
    )
    programme = WeeklyProgramme(
        centre_id=centre.id, group_id=group.id, valid_from=week_start(today()) - timedelta(days=7)
    )
    programme.slots.append(
        ProgrammeSlot(
            weekday=Weekday(str(_an_open_day_this_week(centre, group).isoweekday())),
            starts_at=now().time().replace(hour=14, minute=0),
            ends_at=now().time().replace(hour=15, minute=0),
            kind=SlotKind.HOMEWORK,
            title="Teme la matematică",
        )
    )
    db.session.add(programme)
    our_outing = _outing(centre, reka, "Grădina Zoologică Brașov")
    their_outing = _outing(centre, botond, "Lacul Sfânta Ana")
    counsellor = users["counsellor"]
    ours_session = make_session(counsellor, room, family=ours, start=now() + timedelta(days=2))
    theirs_session = make_session(
        counsellor, room, person=other_mother, start=now() + timedelta(days=2, hours=2)
    )
    for session, text in ((ours_session, "NOTA-CONFIDENTIALA-A"), (theirs_session, "NOTA-B")):
        db.session.add(SessionNote(session_id=session.id, author_id=counsellor.id, text=text))
    our_certificate = _completed_workshop(centre, room, users["coordinator"], mother)
    their_certificate = _completed_workshop(centre, room, users["coordinator"], other_mother)
    db.session.commit()
    return {
        "parent": parent,
        "reka": reka,
        "botond": botond,
        "our_outing": our_outing,
        "their_outing": their_outing,
        "our_certificate": our_certificate,
        "their_certificate": their_certificate,
    }


def test_the_childs_page_shows_this_months_attendance_menu_week_and_outings(
    client, login, two_families
):
    login(two_families["parent"])

    page = text_of(client.get(f"/parent/children/{two_families['reka'].id}"))

    assert "Réka" in page
    assert "Supă de legume" in page and "țelină" in page and "arahide" in page
    assert "Teme la matematică" in page
    assert "Grădina Zoologică Brașov" in page
    assert "Lacul Sfânta Ana" not in page
    assert "Botond" not in page


def test_another_familys_child_answers_404(client, login, two_families):
    login(two_families["parent"])

    assert client.get(f"/parent/children/{two_families['botond'].id}").status_code == 404
    assert client.get("/parent/children/999999").status_code == 404


def test_the_home_page_lists_the_familys_appointments_without_any_note(client, login, two_families):
    login(two_families["parent"])

    page = text_of(client.get("/parent/"))

    assert "Sala mare" in page
    assert "NOTA" not in page
    # The other family's session, with the same counsellor two hours later, is not listed.
    assert page.count("Sala mare") == 1 + 0
    assert "Ilona" not in page


def test_a_parent_downloads_their_own_certificate_and_it_is_audited(client, login, two_families):
    login(two_families["parent"])
    ours = two_families["our_certificate"]

    response = client.get(f"/parent/certificates/{ours.id}.pdf")

    assert response.mimetype == "application/pdf"
    entry = db.session.scalar(
        select(AuditEntry).where(AuditEntry.entity == "workshop_registrations")
    )
    assert entry.action == "export" and entry.actor_id == two_families["parent"].id


def test_another_familys_certificate_answers_404(client, login, two_families):
    login(two_families["parent"])
    theirs = two_families["their_certificate"]

    assert client.get(f"/parent/certificates/{theirs.id}.pdf").status_code == 404


def test_a_parent_downloads_their_childs_service_contract_in_their_language(
    client, login, two_families
):
    parent = two_families["parent"]
    parent.locale = "hu"
    ours, theirs = (
        db.session.scalar(select(Enrolment).where(Enrolment.person_id == two_families[name].id))
        for name in ("reka", "botond")
    )
    db.session.commit()
    login(parent)

    home = client.get("/parent/").get_data(as_text=True)
    assert f"/parent/contracts/{ours.id}.pdf" in home
    assert f"/parent/contracts/{theirs.id}.pdf" not in home
    response = client.get(f"/parent/contracts/{ours.id}.pdf")

    assert response.mimetype == "application/pdf"
    text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(response.data)).pages)
    assert "Szolgáltatási szerződés" in text and "Réka" in text and "Botond" not in text
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.entity == "enrolments"))
    assert entry.action == "export" and entry.actor_id == parent.id
    assert client.get(f"/parent/contracts/{theirs.id}.pdf").status_code == 404


def test_another_familys_outing_is_not_reachable(client, login, two_families):
    """The outing items link to the absences helper's page only if it exists; the child's page
    of another family, where their outing would be listed, is a 404 (above)."""
    login(two_families["parent"])
    page = client.get(f"/parent/children/{two_families['reka'].id}").get_data(as_text=True)
    assert f"outing_child_id={two_families['their_outing'].id}" not in page
    assert f"/{two_families['their_outing'].id}" not in page.split("Grădina")[0][-200:]


@pytest.mark.parametrize(
    "url", ["/people/", "/attendance/", "/people/families", "/auth/users", "/audit/"]
)
def test_a_parent_may_not_open_staff_pages(client, login, two_families, url):
    login(two_families["parent"])
    assert client.get(url).status_code == 403


def test_a_parent_without_a_family_sees_an_empty_home(client, login, users):
    login(users["parent"])
    response = client.get("/parent/")
    assert response.status_code == 200
    assert "Niciun copil" in text_of(response) or "nu este înregistrat" in text_of(response)


def test_parent_sign_in_is_throttled_like_staff(app, client, centre):
    parent = make_parent(centre=centre, username="parinte.test")
    db.session.commit()
    statuses = [
        client.post(
            "/auth/login", data={"username": parent.username, "password": "wrong-one!"}
        ).status_code
        for _ in range(6)
    ]
    assert statuses[:5] == [200] * 5
    assert statuses[5] == 429


def test_staff_cannot_use_the_parents_pages(client, login, users):
    login(users["coordinator"])
    assert client.get("/parent/").status_code == 403


def test_another_adults_sessions_and_contract_stay_theirs(
    client, login, centre, users, two_families
):
    """The father's own counselling and his contract at a counselling centre: not the mother's."""
    parent = two_families["parent"]
    reka = two_families["reka"]
    father = make_adult(reka.family, given_name="Levente", relation=Relationship.FATHER)
    room = make_room(centre, name="Cabinet 2")
    make_session(users["counsellor"], room, person=father, start=now() + timedelta(days=3))
    his = make_enrolment(father, make_group(centre, name="Consiliere"), contract_number="CP-7")
    db.session.commit()
    login(parent)

    home = text_of(client.get("/parent/"))

    assert "Levente" not in home and "Cabinet 2" not in home and "CP-7" not in home
    assert client.get(f"/parent/contracts/{his.id}.pdf").status_code == 404


def test_an_adult_no_longer_the_legal_representative_sees_no_child(client, login, two_families):
    parent = two_families["parent"]
    reka = two_families["reka"]
    mother = next(a for a in reka.family.adults if a.given_name == "Erzsébet")
    mother.relation = Relationship.OTHER  # a court's decision, recorded by the staff
    db.session.commit()
    login(parent)

    assert "Réka" not in text_of(client.get("/parent/"))
    assert client.get(f"/parent/children/{reka.id}").status_code == 404


def test_the_programme_says_the_centre_is_closed_on_a_public_holiday(centre, users):
    group = make_group(centre, name="Clasele I–IV")
    child = make_child(make_family(centre, name="Kovács"), given_name="Réka")
    enrolment = make_enrolment(child, group)
    programme = WeeklyProgramme(
        centre_id=centre.id, group_id=group.id, valid_from=date(2026, 11, 2)
    )
    for weekday in ("1", "3"):  # 30 November (Sfântul Andrei) and 2 December
        programme.slots.append(
            ProgrammeSlot(
                weekday=Weekday(weekday),
                starts_at=time(14, 0),
                ends_at=time(15, 0),
                kind=SlotKind.HOMEWORK,
                title="Teme",
            )
        )
    db.session.add(programme)
    db.session.commit()

    week = overview.programme_week(enrolment, date(2026, 11, 30))

    (monday, no_slots, why), (wednesday, slots, open_) = week
    assert monday == date(2026, 11, 30) and no_slots == [] and "Sfântul Andrei" in why
    assert wednesday == date(2026, 12, 2) and [s.title for s in slots] == ["Teme"] and open_ is None
