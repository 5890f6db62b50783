"""Outreach records per centre, validated and audited; the resource directory searched, printed."""

import io
from datetime import date

from pypdf import PdfReader

from daycentre.audit.models import AuditEntry
from daycentre.extensions import db
from daycentre.outreach.models import Campaign, CommunityResource, InformationMaterial, Training
from tests.conftest import text_of


def _campaign(centre, **overrides):
    return {
        "centre_id": str(centre.id),
        "title": "Familia contează",
        "starts_on": "2026-03-01",
        "ends_on": "2026-03-31",
        "channels": ["schools", "social_media"],
        "audience": "Părinții elevilor din clasele I–IV",
        "people_reached": "340",
    } | overrides


def test_coordinator_records_a_campaign_of_their_centre(client, login_as, centre, users):
    login_as("coordinator")
    response = client.post("/outreach/campaigns/new", data=_campaign(centre))
    assert response.status_code == 302
    campaign = db.session.scalars(db.select(Campaign)).one()
    assert {channel.value for channel in campaign.channels} == {"schools", "social_media"}
    assert campaign.people_reached == 340
    entry = db.session.scalars(db.select(AuditEntry).where(AuditEntry.entity == "campaigns")).one()
    assert (entry.action, entry.actor_id, entry.centre_id) == (
        "create",
        users["coordinator"].id,
        centre.id,
    )
    assert "Familia contează" in text_of(client.get("/outreach/campaigns/"))


def test_a_campaign_ending_before_it_starts_is_refused(client, login_as, centre):
    login_as("coordinator")
    response = client.post("/outreach/campaigns/new", data=_campaign(centre, ends_on="2026-02-01"))
    assert "Sfârșitul nu poate fi înainte de început." in text_of(response)
    assert db.session.scalar(db.select(db.func.count(Campaign.id))) == 0


def test_only_the_admin_records_for_the_directorate(client, login_as, centre):
    login_as("coordinator")
    response = client.post("/outreach/campaigns/new", data=_campaign(centre, centre_id="0"))
    assert response.status_code == 200  # "0" is not among a coordinator's choices
    assert db.session.scalar(db.select(db.func.count(Campaign.id))) == 0


def test_records_of_another_centre_answer_404(client, login_as, other_centre):
    db.session.add(
        Training(
            centre_id=other_centre.id,
            topic="Prim ajutor",
            audience="staff",
            held_on=date(2026, 5, 5),
            hours=4,
            persons_trained=12,
        )
    )
    db.session.commit()
    training = db.session.scalars(db.select(Training)).one()
    login_as("coordinator")
    assert client.get(f"/outreach/trainings/{training.id}/edit").status_code == 404
    assert "Prim ajutor" not in text_of(client.get("/outreach/trainings/"))


def test_materials_cannot_be_distributed_beyond_what_was_made(client, login_as, centre):
    login_as("counsellor")
    data = {
        "centre_id": str(centre.id),
        "title": "Ghidul părintelui",
        "kind": "brochure",
        "produced_on": "2026-04-01",
        "languages": "ro, hu",
        "copies_made": "500",
        "copies_distributed": "650",
    }
    response = client.post("/outreach/materials/new", data=data)
    assert "Nu se pot distribui mai multe exemplare decât s-au realizat." in text_of(response)
    assert (
        client.post(
            "/outreach/materials/new", data=data | {"copies_distributed": "420"}
        ).status_code
        == 302
    )
    assert db.session.scalars(db.select(InformationMaterial)).one().copies_distributed == 420


def test_stale_edit_of_a_record_is_refused(client, login_as, centre):
    login_as("coordinator")
    client.post("/outreach/campaigns/new", data=_campaign(centre))
    campaign = db.session.scalars(db.select(Campaign)).one()
    url, seen = (
        f"/outreach/campaigns/{campaign.id}/edit",
        str(campaign.version),
    )  # two people open the form
    client.post(url, data=_campaign(centre, people_reached="400", version=seen))
    response = client.post(url, data=_campaign(centre, people_reached="1", version=seen))
    assert "Altcineva a modificat această înregistrare" in text_of(response)
    assert db.session.get(Campaign, campaign.id).people_reached == 400


def _resource(centre, **overrides):
    return {
        "centre_id": str(centre.id),
        "organisation": "Caritas Alba Iulia – Filiala Kézdivásárhely",
        "service": "Szociális étkeztetés és ruhaosztás",
        "phone": "+40 267 361 000",
        "languages": "hu, ro",
        "eligibility": "Familii cu venituri mici",
        "active": "y",
    } | overrides


def test_resource_search_ignores_case_and_accents(client, login_as, centre):
    login_as("coordinator")
    client.post("/outreach/resources/new", data=_resource(centre))
    client.post(
        "/outreach/resources/new",
        data=_resource(centre, organisation="Salvați Copiii", service="Consiliere"),
    )
    page = text_of(client.get("/outreach/resources/", query_string={"q": "SZOCIALIS kezdi"}))
    assert "Caritas Alba Iulia" in page
    assert "Salvați Copiii" not in page
    assert "Salvați Copiii" in text_of(
        client.get("/outreach/resources/", query_string={"q": "salvati"})
    )


def test_resources_print_for_a_family_in_their_language(client, login_as, centre):
    user = login_as("coordinator")
    client.post("/outreach/resources/new", data=_resource(centre))
    resource = db.session.scalars(db.select(CommunityResource)).one()
    response = client.get(
        "/outreach/resources/print", query_string={"id": resource.id, "language": "hu"}
    )
    assert response.mimetype == "application/pdf"
    text = PdfReader(io.BytesIO(response.data)).pages[0].extract_text()
    assert "Hol talál segítséget" in text
    assert "Caritas Alba Iulia – Filiala Kézdivásárhely" in text
    assert "+40 267 361 000" in text
    export = db.session.scalars(db.select(AuditEntry).filter_by(action="export")).one()
    assert (export.entity, export.actor_id) == ("community_resources", user.id)
    assert export.changes == {"format": "pdf", "language": "hu", "resources": [resource.id]}


def test_volunteers_have_no_outreach(client, login_as):
    login_as("volunteer")
    assert client.get("/outreach/").status_code == 403


def test_deleting_a_record_is_audited(client, login_as, centre):
    login_as("admin")
    client.post("/outreach/resources/new", data=_resource(centre))
    resource = db.session.scalars(db.select(CommunityResource)).one()
    client.post(f"/outreach/resources/{resource.id}/delete")
    assert db.session.scalar(db.select(db.func.count(CommunityResource.id))) == 0
    actions = db.session.scalars(
        db.select(AuditEntry.action).where(AuditEntry.entity == "community_resources")
    )
    assert sorted(actions) == ["create", "delete"]


def test_the_resource_directory_is_read_across_centres_and_changed_within_one(
    client, login_as, centre, other_centre
):
    """One rule (outreach.services): every centre lists, counts and prints the shared directory;
    only the centre that entered a resource changes or deletes it."""
    theirs = CommunityResource(
        centre_id=other_centre.id,
        organisation="Asociația Szent Ferenc",
        service="Ajutor alimentar",
        languages="hu",
        search_key="asociatia szent ferenc ajutor alimentar hu",
    )
    retired = CommunityResource(
        centre_id=other_centre.id,
        organisation="Fundația Închisă",
        service="Nu mai funcționează",
        languages="ro",
        active=False,
        search_key="fundatia inchisa",
    )
    db.session.add_all([theirs, retired])
    db.session.commit()
    login_as("coordinator")
    client.post("/outreach/resources/new", data=_resource(centre))
    ours = db.session.scalars(
        db.select(CommunityResource).where(CommunityResource.centre_id == centre.id)
    ).one()

    listing = client.get("/outreach/resources/")
    page = text_of(listing)
    assert "Asociația Szent Ferenc" in page and "Caritas Alba Iulia" in page
    assert "Fundația Închisă" not in page  # inactive: only for those who may change it
    html = listing.get_data(as_text=True)
    assert f"/outreach/resources/{ours.id}/edit" in html
    assert f"/outreach/resources/{theirs.id}/edit" not in html
    assert "Szent Ferenc" in text_of(
        client.get("/outreach/resources/", query_string={"q": "ferenc"})
    )
    overview = text_of(client.get("/outreach/"))
    assert "Resurse comunitare 2 " in overview  # both active resources counted
    printed = client.get("/outreach/resources/print", query_string={"id": [theirs.id, retired.id]})
    text = PdfReader(io.BytesIO(printed.data)).pages[0].extract_text()
    assert "Szent Ferenc" in text and "Închisă" not in text

    assert client.get(f"/outreach/resources/{theirs.id}/edit").status_code == 404
    assert client.post(f"/outreach/resources/{theirs.id}/delete").status_code == 404
    assert (
        client.post(
            f"/outreach/resources/{theirs.id}/edit", data=_resource(other_centre, phone="0000")
        ).status_code
        == 404
    )
    assert db.session.get(CommunityResource, theirs.id).phone is None
