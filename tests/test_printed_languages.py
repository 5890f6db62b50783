"""Printed documents are wholly in their language.

A contract, a certificate, a monthly sheet, a meal report and a letter printed in Hungarian carry no
Romanian beyond proper names (people, the centre, its street and town, an institution) and the
Romanian names the law gives its documents. A Romanian document names the date of birth the same
way for a man and a woman (volunteers record no sex: see ``born on`` in the catalogs).
"""

import re
from datetime import date, timedelta
from decimal import Decimal
from io import BytesIO

import pytest
from pypdf import PdfReader

from daycentre.attendance import services as attendance
from daycentre.attendance.models import AttendanceStatus
from daycentre.attendance.services import Mark
from daycentre.core.localtime import today
from daycentre.extensions import db
from daycentre.meals import services as meals
from daycentre.volunteers import services as volunteering
from daycentre.volunteers.clauses import standard_clause
from daycentre.volunteers.models import HoursStatus, VolunteerHours
from tests.factories import (
    make_adult,
    make_case,
    make_child,
    make_contract,
    make_enrolment,
    make_family,
    make_group,
    make_meal_type,
    make_room,
    make_volunteer,
    make_workshop,
)

# Letters Hungarian never uses.
ROMANIAN_LETTERS = re.compile("[șțăîâȘȚĂÎÂşţŞŢ]")
# Common Romanian words of documents, none of them a Hungarian word ("de", "a" and "el" are).
# fmt: off
ROMANIAN_WORDS = frozenset({
    "și", "la", "în", "din", "pe", "cu", "pentru", "prin", "sau", "care", "este", "sunt", "al",
    "ale", "ai", "iar", "dacă", "conform", "privind", "nr", "data", "nașterii", "născut",
    "născută", "semnat", "semnată", "încheiat", "contract", "contractul", "contractului",
    "voluntar", "voluntarul", "voluntarului", "voluntariat", "voluntariatul", "centrul",
    "centrului", "coordonator", "coordonatorul", "anexa", "anexă", "certificat", "certificatul",
    "perioada", "ore", "ora", "luna", "lunii", "ziua", "zile", "total", "prezent", "prezență",
    "absent", "motivat", "nemotivat", "copii", "copilul", "copiii", "numele", "semnătura",
    "răspuns", "solicitarea", "dumneavoastră", "cazul", "instituția", "organizația", "gazdă",
    "activități", "activitatea", "drepturi", "obligații", "încetare", "condiții", "masa",
    "mese", "alocație", "cost"
})
# fmt: on
# The law's own titles and the Romanian names of its documents, printed in brackets.
LAW_TITLES = (
    "Legea 78/2014",
    "Legea 118/2019",
    "certificat de integritate comportamentală",
    "(fișa de voluntariat)",
    "(fișa de protecție a voluntarului)",
)


def pdf_text(response_or_bytes) -> str:
    data = getattr(response_or_bytes, "data", response_or_bytes)
    assert data.startswith(b"%PDF"), getattr(response_or_bytes, "status_code", None)
    reader = PdfReader(BytesIO(data))
    return " ".join(" ".join(page.extract_text().split()) for page in reader.pages)


def romanian_in(text: str, proper_names) -> list[str]:
    """The Romanian letters and words left once proper names and the law's titles are taken out."""
    for allowed in sorted({*proper_names, *LAW_TITLES}, key=len, reverse=True):
        text = text.replace(" ".join(str(allowed).split()), " ")
    found = [word for word in re.findall(r"\w+", text.lower()) if word in ROMANIAN_WORDS]
    found += ROMANIAN_LETTERS.findall(text)
    return found


def assert_wholly_hungarian(text: str, proper_names) -> None:
    assert romanian_in(text, proper_names) == [], text
    assert "a(z)" not in text.lower()  # the article is chosen, never printed as a form


def test_the_check_finds_romanian():
    assert romanian_in("Önkéntességi szerződés, data nașterii: 2000", []) == [
        "data",
        "nașterii",
        "ș",
    ]
    assert romanian_in("Legea 78/2014 alapján, Centrul de zi nr. 3", ["Centrul de zi nr. 3"]) == []


@pytest.fixture
def hungarian_coordinator(users):
    users["coordinator"].locale = "hu"
    db.session.commit()
    return users["coordinator"]


@pytest.fixture
def volunteer(centre):
    volunteer = make_volunteer(
        centre,
        given_name="Kinga",
        family_name="Benedek",
        address="Strada Kossuth Lajos nr. 3",
        languages="maghiară, română",
    )
    return volunteer


def _centre_names(centre):
    return [centre.name, centre.address, centre.city]


def test_hungarian_contract_and_certificate_carry_no_romanian(
    client, login_as, hungarian_coordinator, centre, volunteer
):
    contract = make_contract(
        volunteer,
        coordinator=hungarian_coordinator,
        activities="Házi feladatok segítése",
        schedule="Kedden és csütörtökön 14 és 17 óra között",
        rights_and_obligations=_romanian(standard_clause, "rights_and_obligations"),
        requirements=_romanian(standard_clause, "requirements"),
        termination_conditions=_romanian(standard_clause, "termination_conditions"),
    )
    day = contract.starts_on + timedelta(days=1)
    db.session.add(
        VolunteerHours(
            volunteer_id=volunteer.id,
            centre_id=centre.id,
            day=day,
            hours=Decimal("2.5"),
            description="Mesedélután",
            status=HoursStatus.APPROVED,
        )
    )
    db.session.flush()
    certificate = volunteering.issue_certificate(
        volunteer,
        actor=hungarian_coordinator,
        contract=contract,
        period_start=contract.starts_on,
        period_end=today(),
        today=today(),
    )
    db.session.commit()
    login_as("coordinator")
    names = [
        *_centre_names(centre),
        volunteer.address,
        f"{hungarian_coordinator.family_name} {hungarian_coordinator.given_name}",
    ]

    contract_text = pdf_text(client.get(f"/volunteers/contracts/{contract.id}/pdf?lang=hu"))
    assert "Önkéntességi szerződés" in contract_text
    assert "Benedek Kinga" in contract_text
    assert "Beszélt nyelvek magyar, román" in contract_text
    assert_wholly_hungarian(contract_text, names)

    certificate_text = pdf_text(
        client.get(f"/volunteers/certificates/{certificate.id}/pdf?lang=hu")
    )
    assert "Önkéntes igazolás" in certificate_text and "Mesedélután" in certificate_text
    assert_wholly_hungarian(certificate_text, names)


def _romanian(message, *args):
    from flask_babel import force_locale

    with force_locale("ro"):
        return message(*args)


def test_hungarian_monthly_sheet_and_meal_report_carry_no_romanian(
    client, login_as, hungarian_coordinator, centre, users
):
    group = make_group(centre, name="Napközi")
    family = make_family(centre, name="Kovács", address="Strada Gábor Áron nr. 5")
    children = [
        make_child(family, given_name="Anna"),
        make_child(family, given_name="Bence", family_name="Kovács"),
    ]
    for child in children:
        make_enrolment(child, group, applied_on=date(2026, 1, 5))
    lunch = make_meal_type(centre, name="Meleg ebéd")
    meals.set_allowance(actor=users["admin"], valid_from=date(2026, 2, 1), amount="32")
    attendance.record_roll(
        group,
        date(2026, 2, 2),
        {
            children[0].id: Mark(AttendanceStatus.PRESENT),
            children[1].id: Mark(AttendanceStatus.ABSENT_EXCUSED),
        },
        {children[0].id: {lunch.id}},
        actor=users["admin"],
    )
    db.session.commit()
    login_as("coordinator")
    names = _centre_names(centre)

    sheet = pdf_text(client.get(f"/attendance/groups/{group.id}/sheet.pdf?month=2026-02"))
    assert "Jelenléti ív" in sheet and "Kovács Anna" in sheet
    assert_wholly_hungarian(sheet, names)

    report = pdf_text(client.get(f"/meals/centres/{centre.id}/report.pdf?month=2026-02"))
    assert "Étkezési kimutatás" in report and "Kovács Anna" in report
    assert_wholly_hungarian(report, names)


def test_hungarian_answer_letter_carries_no_romanian_and_the_decisions_date(
    client, login_as, hungarian_coordinator, centre
):
    case = make_case(
        centre,
        actor=hungarian_coordinator,
        requester="Kiss Ilona",
        received_on=date(2026, 3, 2),
    )
    db.session.commit()
    login_as("coordinator")
    client.post(
        f"/cases/{case.id}/primary",
        data={
            "version": case.version,
            "decided_on": "2026-03-04",
            "competent": "no",
            "referred_to": "DGASPC Covasna",
            "answer": "A család Sepsiszentgyörgyön lakik.",
        },
    )
    letter = pdf_text(client.get(f"/cases/{case.id}/answer.hu.pdf"))
    assert "Válasz az Ön kérelmére" in letter
    assert_wholly_hungarian(letter, [*_centre_names(centre), "DGASPC Covasna"])
    # Dated with the decision's day, not the day it is printed.
    assert "2026. 03. 04." in letter
    assert today().strftime("%Y. %m. %d.") not in letter or today() == date(2026, 3, 4)
    romanian = pdf_text(client.get(f"/cases/{case.id}/answer.ro.pdf"))
    assert "04.03.2026" in romanian


@pytest.mark.parametrize(
    ("given_name", "family_name"), [("Ștefan", "Ionescu"), ("Ioana", "Munteanu")]
)
def test_romanian_documents_name_the_date_of_birth_alike_for_a_man_and_a_woman(
    client, login_as, users, centre, given_name, family_name
):
    """Volunteers record no sex (not needed by the law's contract; the data kept is the least
    needed), so the documents say "data nașterii" rather than "născut(ă)"."""
    volunteer = make_volunteer(centre, given_name=given_name, family_name=family_name)
    contract = make_contract(volunteer, coordinator=users["coordinator"])
    db.session.add(
        VolunteerHours(
            volunteer_id=volunteer.id,
            centre_id=centre.id,
            day=contract.starts_on,
            hours=Decimal("3"),
            description="Ajutor la teme",
            status=HoursStatus.APPROVED,
        )
    )
    db.session.flush()
    certificate = volunteering.issue_certificate(
        volunteer,
        actor=users["coordinator"],
        contract=contract,
        period_start=contract.starts_on,
        period_end=today(),
        today=today(),
    )
    db.session.commit()
    login_as("coordinator")
    listed = f"{family_name.upper()} {given_name}"
    for url, language, born in [
        (f"/volunteers/contracts/{contract.id}/pdf", "ro", "data nașterii: 17 mai 2000"),
        (f"/volunteers/certificates/{certificate.id}/pdf", "ro", "(data nașterii: 17 mai 2000)"),
        (f"/volunteers/contracts/{contract.id}/pdf?lang=hu", "hu", "szül.: 2000. május 17."),
        (f"/volunteers/certificates/{certificate.id}/pdf?lang=hu", "hu", "szül.: 2000. május 17."),
    ]:
        text = pdf_text(client.get(url))
        assert born in text, (url, text)
        assert "născut" not in text
        assert (listed if language == "ro" else f"{family_name} {given_name}") in text


def test_hungarian_workshop_certificate_carries_no_romanian(client, login_as, centre, users):
    from daycentre.workshops import services as workshops

    room = make_room(centre, name="Nagyterem")
    workshop = make_workshop(
        centre, room, [users["counsellor"]], sessions=4, title="Pozitív fegyelmezés"
    )
    anna = make_adult(make_family(centre, name="Kovács"), given_name="Anna")
    workshops.register(workshop, anna, actor=users["coordinator"])
    db.session.commit()
    login_as("counsellor")
    for session in workshop.sessions[:3]:
        client.post(
            f"/workshops/sessions/{session.id}/attendance", data={"present": [str(anna.id)]}
        )
    registration = workshop.registrations[0]
    response = client.get(f"/workshops/registrations/{registration.id}/certificate/hu")
    text = pdf_text(response)
    assert "Kovács Anna" in text and "Pozitív fegyelmezés" in text
    # Named in Hungarian too, whatever the counsellor's own language.
    assert "R%C3%A9szv%C3%A9teli%20igazol%C3%A1s" in response.headers["Content-Disposition"]
    counsellor = users["counsellor"]
    names = [*_centre_names(centre), f"{counsellor.family_name} {counsellor.given_name}"]
    assert_wholly_hungarian(text, names)
    romanian = pdf_text(client.get(f"/workshops/registrations/{registration.id}/certificate/ro"))
    assert "KOVÁCS Anna" in romanian  # a Romanian document: the family name first
