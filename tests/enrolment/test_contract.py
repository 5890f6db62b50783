"""The service contract printed from an enrolment: the parties, the centre's hours, audited."""

import io

from pypdf import PdfReader
from sqlalchemy import select

from daycentre.audit.models import AuditEntry
from daycentre.extensions import db
from daycentre.people.models import Relationship
from tests.conftest import text_of
from tests.factories import make_adult, make_child, make_enrolment, make_family, make_group


def _pdf_text(response) -> str:
    assert response.mimetype == "application/pdf"
    reader = PdfReader(io.BytesIO(response.data))
    return " ".join(" ".join(page.extract_text().split()) for page in reader.pages)


def _signed(centre, status="active"):
    family = make_family(centre, name="Kovács")
    child = make_child(family, given_name="Réka", family_name="Kovács")
    make_adult(family, given_name="Erzsébet", family_name="Kovács", phone="0744 123 456")
    make_adult(family, given_name="Ilona", family_name="Kovács", relation=Relationship.GRANDPARENT)
    enrolment = make_enrolment(
        child, make_group(centre, name="Clasele I–IV"), status=status, contract_number="CF-31/2026"
    )
    db.session.commit()
    return enrolment


def test_the_contract_names_the_parties_and_the_legal_representative(client, login_as, centre):
    enrolment = _signed(centre)
    login_as("coordinator")

    page = client.get(f"/enrolment/{enrolment.id}")
    assert f"/enrolment/{enrolment.id}/contract/hu" in page.get_data(as_text=True)
    text = _pdf_text(client.get(f"/enrolment/{enrolment.id}/contract/ro"))

    assert "Contract de furnizare servicii" in text and "Nr. CF-31/2026" in text
    assert centre.name in text and "KOVÁCS Réka" in text and "Clasele I–IV" in text
    # The mother represents the child; the grandmother is not a legal representative.
    assert "KOVÁCS Erzsébet (mamă)" in text and "0744 123 456" in text
    assert "Ilona" not in text
    assert "Serviciile sunt gratuite pentru familie." in text
    entry = db.session.scalar(
        select(AuditEntry).where(AuditEntry.entity == "enrolments", AuditEntry.action == "export")
    )
    assert entry.person_id == enrolment.person_id and entry.changes["language"] == "ro"


def test_the_hungarian_copy_and_an_ended_service(client, login_as, centre):
    enrolment = _signed(centre, status="exited")
    enrolment.exit_date = enrolment.start_date
    enrolment.exit_reason = "S-au mutat la Cluj"
    db.session.commit()
    login_as("coordinator")

    text = _pdf_text(client.get(f"/enrolment/{enrolment.id}/contract/hu"))

    assert (
        "Szolgáltatási szerződés" in text
        and "A szolgáltatások a család számára ingyenesek." in text
    )
    assert "S-au mutat la Cluj" in text


def test_no_contract_before_it_is_signed_nor_in_another_centre(
    client, login_as, centre, other_centre
):
    waiting = make_enrolment(make_child(make_family(centre)), make_group(centre), status="waiting")
    theirs = make_enrolment(make_child(make_family(other_centre)), make_group(other_centre))
    db.session.commit()
    login_as("coordinator")

    assert client.get(f"/enrolment/{waiting.id}/contract/ro").status_code == 404
    assert "/contract/" not in text_of(client.get(f"/enrolment/{waiting.id}"))
    assert client.get(f"/enrolment/{theirs.id}/contract/ro").status_code == 404


def test_an_adults_contract_is_signed_by_the_adult_and_a_child_without_parents_is_flagged(
    client, login_as, centre
):
    family = make_family(centre, name="Nagy")
    father = make_adult(family, given_name="Attila", family_name="Nagy")
    make_adult(family, given_name="Zsuzsanna", family_name="Nagy")
    his = make_enrolment(father, make_group(centre, name="Consiliere"), contract_number="CP-7")
    alone = make_family(centre, name="Deák")
    child = make_child(alone, given_name="Balázs", family_name="Deák")
    make_adult(alone, given_name="Ilona", relation=Relationship.GRANDPARENT)
    hers = make_enrolment(child, make_group(centre, name="Clasele V–VIII"))
    db.session.commit()
    login_as("coordinator")

    text = _pdf_text(client.get(f"/enrolment/{his.id}/contract/ro"))

    assert "NAGY Attila" in text and "Zsuzsanna" not in text and "Reprezentat prin" not in text
    assert "Reprezentantul legal" not in text
    page = text_of(client.get(f"/enrolment/{hers.id}"))
    assert "numele reprezentantului legal se completează de mână" in page
