"""Coordinators manage volunteers of their own centres; a volunteer sees only their own record."""

from datetime import timedelta
from decimal import Decimal
from io import BytesIO

import pytest
from babel.messages.pofile import read_po
from openpyxl import load_workbook
from pypdf import PdfReader

from daycentre.audit.models import AuditEntry
from daycentre.core import catalogs
from daycentre.core.database import utcnow
from daycentre.core.localtime import today
from daycentre.extensions import db
from daycentre.volunteers import services as volunteering
from daycentre.volunteers.models import (
    ActivitySignup,
    ContractStatus,
    HoursStatus,
    SignupStatus,
    Volunteer,
    VolunteerContract,
    VolunteerHours,
)
from tests.conftest import text_of
from tests.counting import figures_on
from tests.factories import make_activity, make_centre, make_contract, make_user, make_volunteer


def _switch(client, login_as, role):
    client.post("/auth/logout")
    return login_as(role)


def _pdf_text(response) -> str:
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    reader = PdfReader(BytesIO(response.data))
    return " ".join(" ".join(page.extract_text().split()) for page in reader.pages)


def _volunteer_form(centre, **overrides):
    return {
        "centre_id": str(centre.id),
        "given_name": "Réka",
        "family_name": "Szabó",
        "birth_date": (today() - timedelta(days=365 * 22)).isoformat(),
        "integrity_certificate_on": (today() - timedelta(days=10)).isoformat(),
        "phone": "0740 000 111",
        "skills": ["homework", "crafts"],
        "languages": "maghiară, română",
        "username": "reka.szabo",
        "password": "temporary-pass-1",
        "active": "y",
    } | overrides


@pytest.fixture
def me(users, centre):
    """The signed-in volunteer's record: a contract in force, a valid integrity certificate."""
    volunteer = make_volunteer(centre, user=users["volunteer"], skills=["homework"])
    make_contract(volunteer)
    db.session.commit()
    return volunteer


@pytest.fixture
def someone_else(centre):
    volunteer = make_volunteer(centre, given_name="Ilona", family_name="Bíró")
    contract = make_contract(volunteer)
    db.session.commit()
    return volunteer, contract


def test_coordinator_registers_a_volunteer_with_an_account(client, login_as, centre):
    login_as("coordinator")
    response = client.post("/volunteers/new", data=_volunteer_form(centre))
    assert response.status_code == 302
    volunteer = db.session.scalars(db.select(Volunteer)).one()
    assert response.headers["Location"] == f"/volunteers/{volunteer.id}"
    assert volunteer.user.username == "reka.szabo"
    assert volunteer.user.role.value == "volunteer"
    assert [c.id for c in volunteer.user.centres] == [centre.id]
    page = text_of(client.get(f"/volunteers/{volunteer.id}"))
    assert "Réka Szabó" in page
    assert "Sprijin la teme" in page  # the skill's Romanian label


def test_a_volunteer_under_16_is_refused_with_the_reason(client, login_as, centre):
    login_as("coordinator")
    young = _volunteer_form(
        centre, birth_date=(today() - timedelta(days=365 * 14 + 10)).isoformat()
    )
    response = client.post("/volunteers/new", data=young, follow_redirects=True)
    assert "cel puțin 16 ani" in text_of(response)
    assert db.session.scalar(db.select(db.func.count(Volunteer.id))) == 0
    assert volunteering.volunteer_of(make_user("volunteer")) is None


def test_coordinator_of_another_centre_gets_404(client, login_as, other_centre):
    volunteer = make_volunteer(other_centre)
    contract = make_contract(volunteer)
    activity = make_activity(other_centre)
    signup = volunteering.sign_up(
        activity, volunteer, actor=None, now=activity.starts_at - timedelta(days=5)
    )
    hours = volunteering.report_hours(
        volunteer, actor=None, day=today(), hours="1", description="Teme", today=today()
    )
    db.session.commit()
    login_as("coordinator")
    assert client.post(f"/volunteers/hours/{hours.id}/approve").status_code == 404
    assert client.post(f"/volunteers/signups/{signup.id}/attended").status_code == 404
    assert client.post(f"/volunteers/contracts/{contract.id}/terminate").status_code == 404
    assert client.get(f"/volunteers/{volunteer.id}/contracts/new").status_code == 404
    assert client.get(f"/volunteers/{volunteer.id}").status_code == 404
    assert client.get(f"/volunteers/contracts/{contract.id}").status_code == 404
    assert client.get(f"/volunteers/contracts/{contract.id}/pdf").status_code == 404
    assert client.get(f"/volunteers/activities/{activity.id}").status_code == 404
    assert volunteer.full_name not in text_of(client.get("/volunteers/"))


def test_contract_is_drafted_signed_and_put_in_force(client, login_as, centre, users):
    volunteer = make_volunteer(centre)
    db.session.commit()
    login_as("coordinator")
    form = client.get(f"/volunteers/{volunteer.id}/contracts/new")
    assert "Legea 78/2014" in text_of(form)  # the rights and obligations come pre-filled
    start = today() + timedelta(days=2)
    data = {
        "starts_on": start.isoformat(),
        "ends_on": (start + timedelta(days=180)).isoformat(),
        "activities": '=HYPERLINK("http://example.org") ajutor la teme',
        "schedule": "Marți și joi, 14–17",
        "rights_and_obligations": "Conform legii",
        "requirements": "Certificat de integritate",
        "termination_conditions": "Preaviz 15 zile",
    }
    response = client.post(f"/volunteers/{volunteer.id}/contracts/new", data=data)
    contract = db.session.scalars(db.select(VolunteerContract)).one()
    assert response.headers["Location"] == f"/volunteers/contracts/{contract.id}"
    assert contract.number == 1
    client.post(
        f"/volunteers/contracts/{contract.id}/sign", data={"signed_on": today().isoformat()}
    )
    client.post(f"/volunteers/contracts/{contract.id}/activate")
    db.session.refresh(contract)
    assert contract.status is ContractStatus.ACTIVE
    assert contract.coordinator_id == users["coordinator"].id
    stale = client.post(f"/volunteers/contracts/{contract.id}/edit", data=data | {"version": "1"})
    assert "Altcineva a modificat această înregistrare" in text_of(stale)
    refused = client.post(f"/volunteers/contracts/{contract.id}/delete", follow_redirects=True)
    assert "Doar un contract în ciornă poate fi șters." in text_of(refused)
    entries = db.session.scalars(
        db.select(AuditEntry.action).where(AuditEntry.entity == "volunteer_contracts")
    ).all()
    assert entries == ["create", "update", "update"]

    register = client.get("/volunteers/contracts.xlsx")
    sheet = load_workbook(BytesIO(register.data)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:3] == ("Număr", "Centru", "Voluntar")
    assert rows[1][0] == 1
    assert rows[1][7] == "În vigoare"
    assert rows[1][10].startswith("'=HYPERLINK")  # never run as a formula
    assert db.session.scalar(db.select(AuditEntry.id).where(AuditEntry.action == "export"))


def test_contract_pdf_has_both_annexes_in_romanian_and_hungarian(client, login_as, centre):
    volunteer = make_volunteer(centre, given_name="Ștefan", family_name="Ionescu")
    contract = make_contract(volunteer, number=7)
    db.session.commit()
    login_as("coordinator")
    romanian = _pdf_text(client.get(f"/volunteers/contracts/{contract.id}/pdf"))
    assert "Contract de voluntariat" in romanian
    assert "Nr. 7" in romanian
    assert "IONESCU Ștefan" in romanian  # official documents: the family name first
    assert "fișa de voluntariat" in romanian
    assert "fișa de protecție a voluntarului" in romanian
    assert "(fișa de voluntariat)" not in romanian  # the Romanian name in brackets: other languages
    hungarian = _pdf_text(client.get(f"/volunteers/contracts/{contract.id}/pdf?lang=hu"))
    assert "Önkéntességi szerződés" in hungarian
    assert "Ionescu Ștefan" in hungarian  # the family name first
    assert "Contract de voluntariat" not in hungarian
    assert "(fișa de voluntariat)" in hungarian
    assert "a(z)" not in hungarian.lower()
    for language, text in (("ro", romanian), ("hu", hungarian)):
        english = _translated_messages(language, "pdf_contract")
        assert len(english) > 20
        for msgid in english:
            assert msgid not in text, f"{msgid!r} untranslated in the {language} PDF"


def test_the_volunteer_signs_up_and_sees_what_comes_next(client, login_as, me, centre):
    activity = make_activity(centre, title="Ajutor la teme — clasele I–IV", skills=["homework"])
    db.session.commit()
    login_as("volunteer")
    page = text_of(client.get("/volunteers/me/activities"))
    assert "Ajutor la teme — clasele I–IV" in page
    assert "Înscrie-mă" in page
    response = client.post(
        f"/volunteers/me/activities/{activity.id}/sign-up", follow_redirects=True
    )
    assert "Sunteți înscris(ă) la Ajutor la teme — clasele I–IV." in text_of(response)
    signup = db.session.scalars(db.select(ActivitySignup)).one()
    assert signup.status is SignupStatus.SIGNED_UP
    home = text_of(client.get("/"))
    assert "Următoarele mele activități" in home
    assert "Ajutor la teme — clasele I–IV" in home

    client.post(f"/volunteers/me/signups/{signup.id}/cancel")
    db.session.refresh(signup)
    assert signup.status is SignupStatus.CANCELLED


def test_a_full_activity_offers_the_waiting_list(client, login_as, me, centre, someone_else):
    activity = make_activity(centre, places=1)
    volunteering.sign_up(
        activity, someone_else[0], actor=None, now=activity.starts_at - timedelta(days=2)
    )
    db.session.commit()
    login_as("volunteer")
    assert "Intră pe lista de așteptare" in text_of(client.get("/volunteers/me/activities"))
    client.post(f"/volunteers/me/activities/{activity.id}/sign-up")
    mine = db.session.scalars(
        db.select(ActivitySignup).where(ActivitySignup.volunteer_id == me.id)
    ).one()
    assert mine.status is SignupStatus.WAITING


def test_without_contract_the_page_says_why_and_sign_up_is_refused(client, login_as, users, centre):
    make_volunteer(centre, user=users["volunteer"])
    activity = make_activity(centre)
    db.session.commit()
    login_as("volunteer")
    page = text_of(client.get("/volunteers/me/activities"))
    assert "Nu aveți un contract de voluntariat în vigoare" in page
    assert "Înscrie-mă" not in page
    response = client.post(
        f"/volunteers/me/activities/{activity.id}/sign-up", follow_redirects=True
    )
    assert "Aveți nevoie de un contract de voluntariat în vigoare" in text_of(response)
    assert db.session.scalar(db.select(db.func.count(ActivitySignup.id))) == 0


def test_with_an_expired_integrity_certificate_the_page_says_why(client, login_as, users, centre):
    volunteer = make_volunteer(
        centre, user=users["volunteer"], integrity_certificate_on=today() - timedelta(days=400)
    )
    make_contract(volunteer)
    make_activity(centre)
    db.session.commit()
    login_as("volunteer")
    page = text_of(client.get("/volunteers/me/activities"))
    assert "certificat de integritate comportamentală valabil" in page
    assert "Înscrie-mă" not in page


def test_a_volunteer_never_reaches_another_volunteers_records(client, login_as, me, someone_else):
    other, contract = someone_else
    coordinator = make_user("coordinator", centres=[other.centre])
    activity = make_activity(other.centre)
    signup = volunteering.sign_up(
        activity, other, actor=None, now=activity.starts_at - timedelta(days=2)
    )
    certificate_hours = volunteering.report_hours(
        other, actor=None, day=today(), hours="2", description="Teme", today=today()
    )
    volunteering.decide_hours(
        certificate_hours, actor=coordinator, approve=True, now=activity.starts_at
    )
    certificate = volunteering.issue_certificate(
        other,
        actor=coordinator,
        contract=contract,
        period_start=contract.starts_on,
        period_end=today(),
        today=today(),
    )
    db.session.commit()
    login_as("volunteer")
    assert client.get(f"/volunteers/{other.id}").status_code == 403
    assert client.get(f"/volunteers/contracts/{contract.id}").status_code == 403
    assert client.get(f"/volunteers/contracts/{contract.id}/pdf").status_code == 403
    assert client.get(f"/volunteers/me/contracts/{contract.id}/pdf").status_code == 404
    assert client.get(f"/volunteers/me/certificates/{certificate.id}/pdf").status_code == 404
    assert client.post(f"/volunteers/me/signups/{signup.id}/cancel").status_code == 404
    db.session.refresh(signup)
    assert signup.status is SignupStatus.SIGNED_UP
    assert "Bíró" not in text_of(client.get("/volunteers/me"))
    own = client.get(f"/volunteers/me/contracts/{me.contracts[0].id}/pdf")
    assert "Contract de voluntariat" in _pdf_text(own)


def test_hours_are_reported_approved_and_certified(client, app, login_as, me, users, centre):
    login_as("volunteer")
    day = today() - timedelta(days=1)
    client.post(
        "/volunteers/me/hours",
        data={"day": day.isoformat(), "hours": "2.5", "description": "Pregătirea serbării"},
    )
    _switch(client, login_as, "coordinator")
    page = text_of(client.get("/volunteers/"))
    assert "Pregătirea serbării" in page  # awaiting approval
    entry = volunteering.reported_hours(me)[0]
    client.post(f"/volunteers/hours/{entry.id}/approve")
    contract = me.contracts[0]
    response = client.post(
        f"/volunteers/{me.id}/certificates",
        data={
            "contract_id": str(contract.id),
            "period_start": contract.starts_on.isoformat(),
            "period_end": today().isoformat(),
        },
        follow_redirects=True,
    )
    assert "Certificatul nr. 1 a fost emis." in text_of(response)
    certificate = volunteering.certificates_of(me)[0]

    _switch(client, login_as, "volunteer")
    text = _pdf_text(client.get(f"/volunteers/me/certificates/{certificate.id}/pdf"))
    assert "Certificat de voluntariat" in text
    assert centre.name in text
    assert f"contractului de voluntariat nr. {contract.number}" in text
    assert "2,5" in text
    assert "Pregătirea serbării" in text
    assert users["coordinator"].full_name in text
    hungarian = _pdf_text(client.get(f"/volunteers/me/certificates/{certificate.id}/pdf?lang=hu"))
    assert "Önkéntes igazolás" in hungarian
    assert "Pregătirea serbării" in hungarian
    for msgid in _translated_messages("hu", "pdf_certificate"):
        assert msgid not in hungarian, f"{msgid!r} untranslated in the Hungarian certificate"


def test_coordinator_confirms_attendance_after_the_activity(client, login_as, me, centre):
    activity = make_activity(centre, starts_in=timedelta(hours=-4), hours=3)
    signup = ActivitySignup(
        activity_id=activity.id, volunteer_id=me.id, status=SignupStatus.SIGNED_UP
    )
    db.session.add(signup)
    db.session.commit()
    login_as("coordinator")
    client.post(f"/volunteers/signups/{signup.id}/attended")
    db.session.refresh(signup)
    assert signup.status is SignupStatus.ATTENDED
    assert signup.hours == 3


def test_home_page_flags_contracts_ending_within_30_days(client, login_as, centre):
    volunteer = make_volunteer(centre, given_name="Attila", family_name="Nagy")
    make_contract(volunteer, ends_on=today() + timedelta(days=12))
    db.session.commit()
    login_as("coordinator")
    page = text_of(client.get("/"))
    assert "Contracte de voluntariat care expiră în următoarele 30 de zile" in page
    assert "Attila Nagy" in page
    _switch(client, login_as, "counsellor")
    assert "Attila Nagy" not in text_of(client.get("/"))


def test_counts_for_a_period(client, login_as, me):
    login_as("coordinator")
    first_look = text_of(client.get("/volunteers/report"))
    assert "Contracte în vigoare 1" in first_look  # this month, without asking
    assert "obligatoriu" not in first_look
    start = (today() - timedelta(days=60)).isoformat()
    page = text_of(client.get(f"/volunteers/report?start={start}&end={today().isoformat()}"))
    assert "Contracte în vigoare 1" in page
    assert "Contracte noi (semnate în perioadă) 1" in page


def test_the_counts_page_shows_the_measures_of_the_centres_in_use(client, login_as, me):
    # Hours done at a centre that has since closed: the page counted them for an admin (it read
    # every centre) while the indicators page, over the centres in use, did not.
    closed = make_centre(name="Centrul închis", active=False)
    elsewhere = make_volunteer(closed, given_name="Ilona", family_name="Bíró")
    make_contract(elsewhere)
    for volunteer, hours in ((me, "2.5"), (elsewhere, "4")):
        db.session.add(
            VolunteerHours(
                volunteer_id=volunteer.id,
                centre_id=volunteer.centre_id,
                day=today() - timedelta(days=1),
                hours=Decimal(hours),
                description="Teme",
                status=HoursStatus.APPROVED,
            )
        )
    db.session.commit()
    login_as("admin")
    start = (today() - timedelta(days=60)).isoformat()
    response = client.get(f"/volunteers/report?start={start}&end={today().isoformat()}")
    assert figures_on(client, response) == {
        "contracts_in_force": 1,
        "volunteer_contracts": 1,
        "active_volunteers": 1,
        "volunteer_hours": Decimal("2.5"),
    }


def _translated_area_messages(language):
    return _translated_messages(language, "volunteers")


def _translated_messages(language, where):
    with catalogs.catalog_path(language).open("rb") as stream:
        catalog = read_po(stream, locale=language)
    translations = {m.string for m in catalog if isinstance(m.string, str)}
    return [
        message.id
        for message in catalog
        if isinstance(message.id, str)
        and any(where in location for location, _line in message.locations)
        and message.id not in translations  # "Centre" is also Romanian for "Centres"
        and len(message.id) > 3
    ]


@pytest.mark.parametrize("language", ["ro", "hu"])
def test_every_volunteer_screen_is_translated(client, login_as, users, me, someone_else, language):
    activity = make_activity(me.centre)
    for user in users.values():
        user.locale = language
    db.session.commit()
    english = _translated_area_messages(language)
    assert len(english) > 50
    pages = {
        "coordinator": [
            "/",
            "/volunteers/",
            "/volunteers/new",
            f"/volunteers/{me.id}",
            f"/volunteers/{me.id}/edit",
            f"/volunteers/{me.id}/contracts/new",
            f"/volunteers/contracts/{me.contracts[0].id}",
            "/volunteers/activities",
            "/volunteers/activities/new",
            f"/volunteers/activities/{activity.id}",
            "/volunteers/report",
        ],
        "volunteer": ["/", "/volunteers/me", "/volunteers/me/activities", "/volunteers/me/hours"],
    }
    for role, urls in pages.items():
        _switch(client, login_as, role)
        for url in urls:
            response = client.get(url)
            assert response.status_code == 200, url
            page = text_of(response)
            for msgid in english:
                assert msgid not in page, f"{msgid!r} untranslated on {url} in {language}"


def test_coordinator_publishes_an_activity_in_local_time(
    client, login_as, centre, me, someone_else
):
    from daycentre.core.localtime import BUCHAREST
    from daycentre.volunteers.models import Activity

    login_as("coordinator")
    day = today() + timedelta(days=7)
    data = {
        "centre_id": str(centre.id),
        "title": "Teatru de păpuși",
        "day": day.isoformat(),
        "starts": "15:00",
        "ends": "17:00",
        "places": "2",
        "skills": [],
        "with_children": "y",
        "description": "Spectacol pentru grupa mică",
    }
    assert client.post("/volunteers/activities/new", data=data).status_code == 302
    activity = db.session.scalars(db.select(Activity)).one()
    assert activity.starts_at.astimezone(BUCHAREST).hour == 15
    assert activity.duration_hours == 2
    for volunteer in (me, someone_else[0]):
        volunteering.sign_up(
            activity, volunteer, actor=None, now=activity.starts_at - timedelta(days=3)
        )
    db.session.commit()
    fewer = client.post(
        f"/volunteers/activities/{activity.id}/edit",
        data=data | {"places": "1", "version": activity.version},
    )
    assert "S-au înscris deja 2 voluntari" in text_of(fewer)
    db.session.refresh(activity)
    assert activity.places == 2


def test_the_volunteer_asks_for_a_certificate_and_the_coordinator_sees_it(
    client, login_as, me, users
):
    volunteering.report_hours(
        me, actor=None, day=today(), hours="1", description="Teme", today=today()
    )
    volunteering.decide_hours(
        volunteering.reported_hours(me)[0], actor=users["coordinator"], approve=True, now=utcnow()
    )
    db.session.commit()
    login_as("volunteer")
    client.post("/volunteers/me/certificates/request")
    again = client.post("/volunteers/me/certificates/request", follow_redirects=True)
    assert "Ați cerut deja un certificat" in text_of(again)
    _switch(client, login_as, "coordinator")
    assert "Certificat cerut" in text_of(client.get("/volunteers/"))
    contract = me.contracts[0]
    client.post(
        f"/volunteers/{me.id}/certificates",
        data={
            "contract_id": str(contract.id),
            "period_start": contract.starts_on.isoformat(),
            "period_end": today().isoformat(),
        },
    )
    db.session.refresh(me)
    assert me.certificate_requested_on is None


def test_a_volunteer_who_leaves_can_no_longer_sign_in(app, client, login_as, me, users):
    their_browser = app.test_client()
    their_browser.post(
        "/auth/login",
        data={"username": users["volunteer"].username, "password": "correct-horse-battery"},
    )
    assert their_browser.get("/volunteers/me").status_code == 200
    login_as("coordinator")
    data = {
        "centre_id": str(me.centre_id),
        "given_name": me.given_name,
        "family_name": "Ionescu-Pop",
        "birth_date": me.birth_date.isoformat(),
        "integrity_certificate_on": me.integrity_certificate_on.isoformat(),
        "version": str(me.version),
    }  # "active" left out: the box is unticked
    assert client.post(f"/volunteers/{me.id}/edit", data=data).status_code == 302
    db.session.refresh(users["volunteer"])
    assert not users["volunteer"].active
    assert users["volunteer"].family_name == "Ionescu-Pop"
    assert their_browser.get("/volunteers/me").status_code == 302  # signed out


def test_inside_the_notice_the_volunteer_gives_a_reason_or_the_coordinator_cancels(
    client, login_as, me, centre, someone_else
):
    activity = make_activity(centre, places=1, starts_in=timedelta(hours=5))
    mine = volunteering.sign_up(
        activity, me, actor=None, now=activity.starts_at - timedelta(days=2)
    )
    waiting = volunteering.sign_up(
        activity, someone_else[0], actor=None, now=activity.starts_at - timedelta(days=1)
    )
    db.session.commit()
    login_as("volunteer")
    for page in ("/volunteers/me", "/volunteers/me/activities"):  # the cancel asks for a reason
        assert 'name="reason"' in client.get(page).get_data(as_text=True), page
    late = client.post(f"/volunteers/me/signups/{mine.id}/cancel", follow_redirects=True)
    assert "spuneți de ce anulați" in text_of(late)
    db.session.refresh(mine)
    assert mine.status is SignupStatus.SIGNED_UP
    _switch(client, login_as, "coordinator")
    assert "Anulează înscrierea" in text_of(client.get(f"/volunteers/activities/{activity.id}"))
    client.post(f"/volunteers/signups/{mine.id}/cancel")
    db.session.refresh(mine)
    db.session.refresh(waiting)
    assert (mine.status, waiting.status) == (SignupStatus.CANCELLED, SignupStatus.SIGNED_UP)


def test_standard_clauses_print_in_the_documents_language_and_rewritten_ones_as_written(
    app, client, login_as, centre
):
    from flask_babel import force_locale

    from daycentre.volunteers.clauses import standard_clause

    with app.test_request_context(), force_locale("ro"):
        romanian = {
            field: standard_clause(field)
            for field in ("rights_and_obligations", "requirements", "termination_conditions")
        }
    volunteer = make_volunteer(centre, given_name="Kinga", family_name="Benedek")
    contract = make_contract(volunteer, number=8, **romanian)
    rewritten = make_contract(
        volunteer, number=9, rights_and_obligations="Clauză negociată cu voluntarul."
    )
    db.session.commit()
    login_as("coordinator")
    hungarian = _pdf_text(client.get(f"/volunteers/contracts/{contract.id}/pdf?lang=hu"))
    assert "78/2014-es törvényben előírt jogok" in hungarian
    assert "magatartási integritási bizonyítvány" in hungarian
    assert "15 napos írásbeli felmondásával" in hungarian
    for clause in romanian.values():
        assert clause[:40] not in hungarian
    assert "drepturile și obligațiile" in _pdf_text(
        client.get(f"/volunteers/contracts/{contract.id}/pdf")
    )
    as_written = _pdf_text(client.get(f"/volunteers/contracts/{rewritten.id}/pdf?lang=hu"))
    assert "Clauză negociată cu voluntarul." in as_written


def test_each_copy_of_a_contract_or_certificate_is_audited_as_an_export(
    client, login_as, me, users, centre
):
    contract = me.contracts[0]
    hours = volunteering.report_hours(
        me, actor=None, day=today(), hours="2", description="Teme", today=today()
    )
    volunteering.decide_hours(hours, actor=users["coordinator"], approve=True, now=utcnow())
    certificate = volunteering.issue_certificate(
        me,
        actor=users["coordinator"],
        contract=contract,
        period_start=contract.starts_on,
        period_end=today(),
        today=today(),
    )
    db.session.commit()
    coordinator = login_as("coordinator")
    assert client.get(f"/volunteers/contracts/{contract.id}/pdf?lang=hu").status_code == 200
    assert client.get(f"/volunteers/certificates/{certificate.id}/pdf").status_code == 200
    volunteer = _switch(client, login_as, "volunteer")
    assert client.get(f"/volunteers/me/contracts/{contract.id}/pdf").status_code == 200
    assert client.get(f"/volunteers/me/certificates/{certificate.id}/pdf").status_code == 200

    exports = db.session.scalars(
        db.select(AuditEntry).filter_by(action="export").order_by(AuditEntry.id)
    ).all()
    assert [(e.entity, e.entity_id, e.actor_id, e.centre_id, e.changes) for e in exports] == [
        ("volunteer_contracts", contract.id, coordinator.id, centre.id, _pdf("hu")),
        ("volunteer_certificates", certificate.id, coordinator.id, centre.id, _pdf("ro")),
        ("volunteer_contracts", contract.id, volunteer.id, centre.id, _pdf("ro")),
        ("volunteer_certificates", certificate.id, volunteer.id, centre.id, _pdf("ro")),
    ]


def _pdf(language: str) -> dict:
    return {"format": "pdf", "language": language}


def test_a_coordinator_finds_a_volunteer_by_part_of_the_name_accents_aside(
    client, login_as, centre
):
    make_volunteer(centre, given_name="Ștefan", family_name="Ionescu")
    make_volunteer(centre, given_name="Kinga", family_name="Benedek")
    db.session.commit()
    login_as("coordinator")

    def listed(response):
        return response.get_data(as_text=True).split('id="volunteer-rows"', 1)[1]

    found = listed(client.post("/volunteers/", data={"q": "stef"}))
    assert "Ionescu" in found and "Benedek" not in found
    assert "Benedek" in listed(client.get("/volunteers/"))


def test_a_standard_clause_drafted_in_english_reads_in_the_pages_language(client, login_as, centre):
    """The demo (loaded from the English console) drafts its contracts in English."""
    from flask_babel import force_locale

    from daycentre.volunteers.clauses import standard_clause

    with force_locale("en"):
        english = standard_clause("rights_and_obligations")
    contract = make_contract(make_volunteer(centre), rights_and_obligations=english)
    db.session.commit()
    login_as("coordinator")

    page = text_of(client.get(f"/volunteers/contracts/{contract.id}"))

    assert "Legea 78/2014" in page and english not in page
    assert "Preaviz de 15 zile" in page  # a clause someone wrote stays as written
