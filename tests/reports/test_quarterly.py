"""The quarterly statistical report: what each table counts, the records behind each figure, the
submitted figures kept, what would differ today, the refusals, the documents and the scope."""

from datetime import date

import pytest

from daycentre.audit.models import AuditEntry
from daycentre.core.errors import Refused
from daycentre.demo import load_demo
from daycentre.enrolment.models import ExitReason
from daycentre.extensions import db
from daycentre.people.models import AbroadParent, ParentsAbroad, Residence
from daycentre.reports import quarterly
from daycentre.reports.models import QuarterlyFigure, QuarterlyReport
from daycentre.reports.quarterly import Entry, Quarter
from tests.conftest import text_of
from tests.factories import (
    make_adult,
    make_child,
    make_enrolment,
    make_family,
    make_group,
)

Q3 = Quarter(2026, 3)


def _situation(family, who=AbroadParent.MOTHER, since=date(2026, 1, 10), **fields):
    situation = ParentsAbroad(
        family=family, who=who, country="IT", since=since, carer_name="Bunica", **fields
    )
    db.session.add(situation)
    db.session.flush()
    return situation


@pytest.fixture
def world(app, centre):
    """A family of the village with a girl of 5 and a boy of 15, their mother in Italy; the girl's
    enrolment runs over the quarter's end, the boy left in August, separated from the family."""
    group = make_group(centre)
    family = make_family(centre, residence=Residence.RURAL)
    girl = make_child(family, given_name="Ana", birth_date=date(2021, 5, 1))
    boy = make_child(family, given_name="Ion", birth_date=date(2011, 2, 1), sex="male")
    mother = make_adult(family, birth_date=date(1990, 1, 1))
    make_enrolment(girl, group, applied_on=date(2026, 1, 5))
    gone = make_enrolment(
        boy,
        group,
        applied_on=date(2026, 7, 1),
        status="exited",
        exit_date=date(2026, 8, 20),
        exit_cause=ExitReason.SEPARATED,
        exit_reason="Plasament",
    )
    admitted = make_enrolment(mother, group, applied_on=date(2026, 7, 15))
    _situation(family)
    db.session.commit()
    return {
        "family": family,
        "girl": girl,
        "boy": boy,
        "mother": mother,
        "gone": gone,
        "admitted": admitted,
    }


def test_quarters_are_told_by_their_last_day():
    assert Q3.start == date(2026, 7, 1) and Q3.end == date(2026, 9, 30)
    assert Quarter(2026, 1).end == date(2026, 3, 31)
    assert Quarter.parse("2026-q3") == Q3 and Quarter.parse("2026-Q5") is None
    assert Quarter.last_ended(date(2026, 12, 1)) == Q3
    assert Quarter.last_ended(date(2027, 1, 1)) == Quarter(2026, 4)


def test_ages_fall_in_the_bands_on_the_quarters_last_day():
    day = date(2026, 9, 30)
    assert quarterly.age_band(date(2024, 1, 1), day) == "0_2"
    assert quarterly.age_band(date(2023, 9, 30), day) == "3_6"  # three on the very day
    assert quarterly.age_band(date(2019, 10, 1), day) == "3_6"  # six, seven the day after
    assert quarterly.age_band(date(2009, 10, 1), day) == "14_17"
    assert quarterly.age_band(date(2008, 9, 30), day) == "adults"
    assert quarterly.age_band(None, day) == "not_recorded"


def test_the_tables_count_the_beneficiaries_served_on_the_last_day(world, centre):
    report = quarterly.live_report([centre], Q3)
    girl, mother = world["girl"], world["mother"]
    assert report.entries("children", "3_6", "female") == {Entry("person", girl.id)}
    # The boy left before the end of the quarter: he is no longer served on its last day.
    assert report.value("children", "total", "total") == 1
    assert report.entries("adults", "adults", "female") == {Entry("person", mother.id)}
    assert report.value("residence", "child", "rural") == 1
    assert report.value("residence", "adult", "rural") == 1
    assert report.value("residence", "total", "urban") == 0


def test_admissions_and_exits_count_the_quarters_movements_by_reason(world, centre):
    report = quarterly.live_report([centre], Q3)
    assert report.entries("movements", "admitted", "adult") == {
        Entry("enrolment", world["admitted"].id)
    }
    assert report.entries("movements", "admitted", "child") == {
        Entry("enrolment", world["gone"].id)
    }
    assert report.entries("movements", "exit_separated", "child") == {
        Entry("enrolment", world["gone"].id)
    }
    assert (
        quarterly.live_report([centre], Quarter(2026, 2)).value(
            "movements", "exit_separated", "child"
        )
        == 0
    )


def test_children_with_parents_abroad_are_counted_by_who_is_away(world, centre, other_centre):
    report = quarterly.live_report([centre], Q3)
    assert report.value("abroad", "one_parent", "female") == 1
    assert report.value("abroad", "one_parent", "male") == 1
    # A father recorded abroad beside the mother makes both parents abroad.
    _situation(world["family"], who=AbroadParent.FATHER, since=date(2026, 9, 1))
    report = quarterly.live_report([centre], Q3)
    assert report.value("abroad", "both_parents", "total") == 2
    assert report.value("abroad", "one_parent", "total") == 0
    # Back before the quarter ended: not counted.
    family = make_family(other_centre, name="Rusu")
    make_child(family, given_name="Dan")
    _situation(family, who=AbroadParent.SINGLE_PARENT, returned_on=date(2026, 9, 1))
    assert quarterly.live_report([other_centre], Q3).value("abroad", "total", "total") == 0


def test_submitting_keeps_the_figures_and_shows_what_differs_today(world, centre, users):
    report = quarterly.submit_report(centre, Q3, actor=users["coordinator"])
    db.session.commit()
    assert db.session.scalar(
        db.select(db.func.count(QuarterlyFigure.id)).where(QuarterlyFigure.report_id == report.id)
    )
    # A correction after the submission: the girl's service had ended in September.
    enrolment = world["girl"].enrolments[0]
    enrolment.status, enrolment.exit_date = enrolment.status.EXITED, date(2026, 9, 15)
    db.session.commit()
    kept = quarterly.report_of([centre], Q3)
    assert kept.submitted is not None
    assert kept.value("children", "3_6", "female") == 1
    differences = {
        (d.table.key, d.row, d.column): (d.submitted, d.today, d.added, d.removed)
        for d in quarterly.differences(kept)
    }
    assert differences[("children", "3_6", "female")] == (1, 0, 0, 1)
    with pytest.raises(Refused):
        quarterly.submit_report(centre, Q3, actor=users["coordinator"])


def test_a_quarter_in_the_future_or_not_ended_is_refused(app, centre, users):
    with pytest.raises(Refused):
        quarterly.refuse_future(Quarter(2100, 1))
    with pytest.raises(Refused):
        quarterly.submit_report(centre, Quarter(2100, 1), actor=users["admin"])
    assert db.session.scalar(db.select(db.func.count(QuarterlyReport.id))) == 0


def test_the_page_links_each_figure_to_its_records(world, centre, client, login_as):
    login_as("coordinator")
    page = client.get(f"/reports/quarterly/?year=2026&quarter=3&centre_id={centre.id}")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "table=children&amp;row=3_6&amp;col=female" in html
    records = client.get(
        f"/reports/quarterly/records?year=2026&quarter=3&centre_id={centre.id}"
        "&table=children&row=3_6&col=female"
    )
    assert records.status_code == 200
    assert "Ana" in text_of(records)
    assert f"/people/{world['girl'].id}" in records.get_data(as_text=True)


def test_the_page_refuses_a_future_quarter_with_a_translated_message(client, login_as):
    login_as("coordinator")
    page = client.get("/reports/quarterly/?year=2100&quarter=1&centre_id=0")
    assert page.status_code == 200
    assert "Un trimestru din viitor" in text_of(page)


def test_the_coordinator_submits_through_the_page(world, centre, client, login_as):
    login_as("coordinator")
    url = f"/reports/quarterly/?year=2026&quarter=3&centre_id={centre.id}"
    assert f"/reports/quarterly/{centre.id}/2026/3/submit" in client.get(url).get_data(as_text=True)
    response = client.post(f"/reports/quarterly/{centre.id}/2026/3/submit")
    assert response.status_code == 302
    assert db.session.scalar(db.select(db.func.count(QuarterlyReport.id))) == 1
    page = client.get(url).get_data(as_text=True)
    assert "/submit" not in page  # once submitted, it is not submitted again


def test_the_counsellor_reads_but_does_not_submit(world, centre, client, login_as):
    login_as("counsellor")
    assert client.get("/reports/quarterly/").status_code == 200
    assert client.post(f"/reports/quarterly/{centre.id}/2026/3/submit").status_code in (400, 403)
    assert db.session.scalar(db.select(db.func.count(QuarterlyReport.id))) == 0


def test_another_centres_report_is_not_found(world, other_centre, client, login_as):
    login_as("admin")  # signs in the fixture's users; the coordinator below sees one centre
    client.post("/auth/logout")
    login_as("coordinator")
    response = client.post(f"/reports/quarterly/{other_centre.id}/2026/3/submit")
    assert response.status_code in (400, 404)
    page = client.get(f"/reports/quarterly/?year=2026&quarter=3&centre_id={other_centre.id}")
    # Another centre asked for is not shown: the user's own centres are.
    assert other_centre.name not in text_of(page)


@pytest.mark.parametrize("fmt", ["pdf", "xlsx"])
@pytest.mark.parametrize("language", ["ro", "hu"])
def test_the_documents_are_audited_exports(world, centre, client, login_as, fmt, language):
    login_as("coordinator")
    response = client.get(
        f"/reports/quarterly/report.{fmt}?year=2026&quarter=3&centre_id={centre.id}"
        f"&language={language}"
    )
    assert response.status_code == 200
    assert db.session.scalar(
        db.select(db.func.count(AuditEntry.id)).where(AuditEntry.action == "export")
    )


def test_the_workbook_has_one_sheet_per_table(world, centre, client, login_as):
    from io import BytesIO

    from openpyxl import load_workbook

    login_as("coordinator")
    response = client.get(
        f"/reports/quarterly/report.xlsx?year=2026&quarter=3&centre_id={centre.id}&language=ro"
    )
    book = load_workbook(BytesIO(response.data))
    assert len(book.sheetnames) == 1 + len(quarterly.TABLES)
    assert book[book.sheetnames[0]]["B2"].value == centre.service_code


def test_the_demo_coordinator_has_numbers_for_the_third_quarter_of_2026(app):
    assert load_demo()
    db.session.commit()
    from daycentre.auth.models import User
    from daycentre.centres.services import visible_centres

    coordinator = db.session.scalar(db.select(User).filter_by(username="coordinator"))
    report = quarterly.live_report(visible_centres(coordinator), Q3)
    assert report.value("children", "total", "total") > 20
    assert report.value("movements", "admitted", "child") == 1
    assert report.value("movements", "exit_separated", "child") == 1
    assert report.value("abroad", "one_parent", "total") >= 2  # the Szabó children, mother in Italy
    assert report.value("residence", "child", "rural") >= 1
