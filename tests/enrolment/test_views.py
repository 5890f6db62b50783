import csv
import io
from datetime import date

import pytest
from openpyxl import load_workbook

from daycentre.audit.models import AuditEntry
from daycentre.enrolment.models import Enrolment, EnrolmentStatus
from daycentre.extensions import db
from tests.conftest import text_of
from tests.factories import make_adult, make_child, make_enrolment, make_family, make_group

S = EnrolmentStatus


def child(centre, given_name="Anna", family_name="Kovács"):
    return make_child(
        make_family(centre, name=family_name), given_name=given_name, family_name=family_name
    )


def test_an_application_to_a_full_group_goes_to_the_waiting_list(client, login_as, centre):
    group = make_group(centre, capacity=1)
    make_enrolment(child(centre, "Bence"), group, status="active")
    anna = child(centre)
    db.session.commit()
    login_as("coordinator")
    response = client.post(
        f"/enrolment/people/{anna.id}/new",
        data={"group_id": group.id, "applied_on": "2026-10-01"},
        follow_redirects=True,
    )
    assert "Grupa este plină: cererea a fost trecută pe lista de așteptare." in text_of(response)
    enrolment = db.session.scalar(db.select(Enrolment).filter_by(person_id=anna.id))
    assert enrolment.status is S.WAITING


def test_activation_and_an_exit_before_the_start_through_the_forms(client, login_as, centre):
    group = make_group(centre, capacity=1)
    enrolment = make_enrolment(child(centre), group, status="applied", applied_on=date(2026, 9, 1))
    db.session.commit()
    login_as("coordinator")
    response = client.post(
        f"/enrolment/{enrolment.id}/activate",
        data={
            "version": enrolment.version,
            "contract_number": "CF-17/2026",
            "contract_date": "2026-09-02",
            "start_date": "2026-09-07",
        },
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert enrolment.status is S.ACTIVE and enrolment.contract_number == "CF-17/2026"

    response = client.post(
        f"/enrolment/{enrolment.id}/exit",
        data={"version": enrolment.version, "exit_date": "2026-09-05", "exit_reason": "Mutare"},
        follow_redirects=True,
    )
    assert "Data încetării nu poate fi înaintea datei de începere." in text_of(response)
    db.session.expire_all()
    assert enrolment.status is S.ACTIVE and enrolment.exit_date is None


def test_a_stale_form_is_refused(client, login_as, centre):
    enrolment = make_enrolment(child(centre), make_group(centre), status="active")
    db.session.commit()
    login_as("coordinator")
    old = enrolment.version
    client.post(
        f"/enrolment/{enrolment.id}/suspend", data={"version": old, "suspended_on": "2026-10-01"}
    )
    response = client.post(
        f"/enrolment/{enrolment.id}/exit",
        data={"version": old, "exit_date": "2026-10-02", "exit_reason": "Mutare"},
        follow_redirects=True,
    )
    assert "Altcineva a modificat" in text_of(response)
    db.session.expire_all()
    assert enrolment.status is S.SUSPENDED


def test_another_centres_enrolment_answers_404(client, login_as, other_centre):
    theirs = make_enrolment(child(other_centre), make_group(other_centre), status="active")
    db.session.commit()
    login_as("counsellor")
    assert client.get(f"/enrolment/{theirs.id}").status_code == 404
    assert client.get(f"/enrolment/centres/{other_centre.id}/register").status_code == 404
    assert (
        client.get(f"/enrolment/centres/{other_centre.id}/register/export?format=csv").status_code
        == 404
    )


def _register(centre):
    group = make_group(centre, name="Clasele I–IV")
    make_enrolment(child(centre, "Anna"), group, status="active", applied_on=date(2026, 9, 1))
    make_enrolment(
        child(centre, "Bence", "=Bíró"),
        group,
        status="exited",
        applied_on=date(2026, 1, 5),
        exit_date=date(2026, 6, 20),
        exit_reason="-Absolvire",
    )
    db.session.commit()


def test_the_register_page_filters_by_status(client, login_as, centre):
    _register(centre)
    login_as("coordinator")
    page = text_of(client.get(f"/enrolment/centres/{centre.id}/register?status=exited"))
    assert "Registrul de evidență a beneficiarilor" in page
    assert "Bence" in page and "Anna" not in page


def test_the_csv_export_is_translated_neutralised_and_audited(client, login_as, centre):
    _register(centre)
    user = login_as("coordinator")
    response = client.get(
        f"/enrolment/centres/{centre.id}/register/export?format=csv&date_from=2026-07-01"
    )
    assert response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.get_data().decode("utf-8-sig")), delimiter=";"))
    assert rows[0][:3] == ["Nr.", "Nume de familie", "Prenume"]
    assert [row[2] for row in rows[1:]] == ["Anna"]
    (entry,) = db.session.scalars(db.select(AuditEntry).filter_by(action="export")).all()
    assert (entry.actor_id, entry.centre_id, entry.changes["rows"]) == (user.id, centre.id, 1)


def test_the_xlsx_export_in_hungarian(client, login_as, users, centre):
    _register(centre)
    users["counsellor"].locale = "hu"
    db.session.commit()
    login_as("counsellor")
    response = client.get(f"/enrolment/centres/{centre.id}/register/export?format=xlsx")
    sheet = load_workbook(io.BytesIO(response.get_data())).active
    assert sheet["B1"].value == "Vezetéknév"
    assert sheet["B3"].value == "'=Bíró"
    assert sheet["M3"].value == "'-Absolvire"
    assert (
        db.session.scalars(db.select(AuditEntry).filter_by(action="export")).one().changes["format"]
        == "xlsx"
    )


def test_the_home_page_shows_the_waiting_list(client, login_as, centre):
    group = make_group(centre, capacity=1)
    make_enrolment(child(centre, "Anna"), group, status="active")
    make_enrolment(child(centre, "Bence"), group, status="waiting")
    make_enrolment(child(centre, "Csilla"), group, status="waiting")
    db.session.commit()
    login_as("coordinator")
    assert "2 pe lista de așteptare" in text_of(client.get("/"))


@pytest.mark.parametrize("language", ["ro", "hu", "en"])
def test_every_screen_opens_in_each_language(client, login_as, users, centre, language):
    family = make_family(centre, name="Ștefănescu")
    anna = make_child(family, given_name="Anna")
    mother = make_adult(family, given_name="Ilona")
    group = make_group(centre, capacity=1)
    statuses = ("active", "waiting", "applied", "suspended", "exited")
    kids = [make_child(family, given_name=f"Copil {i}") for i in range(len(statuses))]
    entries = [
        make_enrolment(
            kid,
            group,
            status=status,
            exit_date=date(2026, 10, 1) if status == "exited" else None,
            exit_reason="Mutare" if status == "exited" else None,
        )
        for kid, status in zip(kids, statuses, strict=True)
    ]
    users["coordinator"].locale = language
    db.session.commit()
    login_as("coordinator")
    urls = [
        "/",
        "/people/",
        "/people/?q=stef&kind=child",
        "/people/families",
        f"/people/families/{family.id}",
        "/people/families/new",
        f"/people/families/{family.id}/edit",
        f"/people/families/{family.id}/children/new",
        f"/people/families/{family.id}/adults/new",
        f"/people/{anna.id}",
        f"/people/{mother.id}",
        f"/people/{anna.id}/edit",
        f"/people/{mother.id}/edit",
        f"/people/{anna.id}/consents/new",
        "/enrolment/",
        f"/enrolment/centres/{centre.id}",
        f"/enrolment/centres/{centre.id}/register",
        f"/enrolment/people/{anna.id}/new",
    ] + [f"/enrolment/{entry.id}" for entry in entries]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        if language != "en":
            page = text_of(response)
            for english in (
                "Beneficiaries",
                "Waiting list",
                "Date of birth",
                "Family name",
                "Save",
            ):
                assert english not in page, (url, english)


def test_an_administrator_enrolling_gets_no_group_chosen_in_advance(
    client, login_as, centre, other_centre
):
    make_group(other_centre, name="Grupa din alt centru")  # made first: the first in the list once
    make_group(centre, name="Grupa Albinuțe")
    anna = child(centre)
    db.session.commit()
    login_as("admin")
    html = client.get(f"/enrolment/people/{anna.id}/new").get_data(as_text=True)
    select = html.split("<select", 1)[1].split("</select>", 1)[0]
    assert "selected" not in select
    assert select.index("Grupa Albinuțe") < select.index("Grupa din alt centru")  # her centre first
    response = client.post(
        f"/enrolment/people/{anna.id}/new", data={"group_id": "0", "applied_on": "2026-10-01"}
    )
    assert "Alegeți o grupă." in text_of(response)
    assert db.session.scalar(db.select(Enrolment).filter_by(person_id=anna.id)) is None


def test_a_waiting_request_shows_its_place_instead_of_the_activation_form(client, login_as, centre):
    group = make_group(centre, capacity=1)
    make_enrolment(child(centre, "Anna"), group, status="active")
    make_enrolment(child(centre, "Bence"), group, status="waiting", applied_on=date(2026, 9, 1))
    csilla = make_enrolment(
        child(centre, "Csilla"), group, status="waiting", applied_on=date(2026, 9, 2)
    )
    db.session.commit()
    login_as("coordinator")
    response = client.get(f"/enrolment/{csilla.id}")
    assert "Locul 2 pe lista de așteptare" in text_of(response)
    assert "/activate" not in response.get_data(as_text=True)


def test_a_waiting_request_whose_turn_has_come_can_be_activated(client, login_as, centre):
    group = make_group(centre, capacity=1)
    first = make_enrolment(child(centre, "Bence"), group, status="waiting")
    db.session.commit()
    login_as("coordinator")
    assert f"/enrolment/{first.id}/activate" in client.get(f"/enrolment/{first.id}").get_data(
        as_text=True
    )


def test_the_centre_page_picks_whom_to_enrol_by_part_of_a_name(
    client, login_as, centre, other_centre
):
    anna = child(centre, "Anna", "Szabó")
    child(centre, "Bence", "Kovács")
    stranger = child(other_centre, "Csilla", "Szabó")
    db.session.commit()
    login_as("coordinator")
    url = f"/enrolment/centres/{centre.id}/enrol"
    assert 'data-picker="person"' in client.get(f"/enrolment/centres/{centre.id}").get_data(
        as_text=True
    )
    narrowed = client.post(url, data={"person_id-find": "szabo", "person_id-search": "1"})
    listed = narrowed.get_data(as_text=True).split('id="person_id"', 1)[1].split("</select>")[0]
    assert "Szabó" in listed and "Kovács" not in listed and "Csilla" not in listed
    response = client.post(url, data={"person_id": anna.id})
    assert response.headers["Location"].endswith(f"/enrolment/people/{anna.id}/new")
    refused = client.post(url, data={"person_id": stranger.id})
    assert refused.status_code == 200 and "Location" not in refused.headers
