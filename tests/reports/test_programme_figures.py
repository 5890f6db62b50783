"""The children's programme among the measures: children whose school results improved over the
year (the programme's own rule), outings held and the children who went, on the indicators page
with their records and in the yearly activity report."""

import io
import re
from datetime import date, datetime
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from daycentre.core.localtime import BUCHAREST
from daycentre.extensions import db
from daycentre.programme import services as programme
from daycentre.programme.models import (
    Outing,
    OutingChild,
    OutingKind,
    OutingStatus,
    PermissionState,
    Qualifier,
)
from daycentre.reports.measures import MEASURES, Scope
from tests.conftest import text_of
from tests.factories import make_child, make_plan, make_user

# Two school years, both over whatever day the suite runs on: 2024–2025 ends on 31 August 2025,
# 2025–2026 on 31 August 2026.
EARLIER, LATER = 2024, 2025


def _results(person, year, *terms):
    actor = make_user("admin")
    for term, figure in enumerate(terms, start=1):
        if figure is None:
            continue
        average = Decimal(figure) if figure[0].isdigit() else None
        programme.record_school_result(
            person,
            actor=actor,
            school_year=year,
            term=term,
            average=average,
            qualifier=None if average is not None else figure,
            absences=0,
            unexcused_absences=0,
        )


@pytest.fixture
def pupils(centre, other_centre):
    """Ana improved in both years; Elena's qualifiers improved; the others did not, or cannot be
    compared; another centre's child improved."""
    kids = {
        name: make_child(centre=centre, family_name=name, given_name="Copil")
        for name in ("Ana", "Bogdan", "Carla", "Dan", "Elena")
    }
    kids["Other"] = make_child(centre=other_centre, family_name="Altul", given_name="Copil")
    _results(kids["Ana"], EARLIER, "6.00", "7.00")
    _results(kids["Ana"], LATER, "7.50", None, "8.10")  # the first term against the third
    _results(kids["Bogdan"], LATER, "fb", "b")  # worse
    _results(kids["Carla"], LATER, "9.00")  # one term: no comparison
    _results(kids["Dan"], LATER, "7.00", "s")  # an average against a qualifier: no comparison
    _results(kids["Elena"], LATER, "s", "fb")
    _results(kids["Other"], LATER, "5.00", "9.00")
    db.session.flush()
    return kids


def _scope(centre, start, end) -> Scope:
    return Scope(frozenset({centre.id}), start, end)


IMPROVED = MEASURES["school_results_improved"]


def test_children_whose_results_improved_over_a_school_year_ending_in_the_period(centre, pupils):
    calendar_2026 = _scope(centre, date(2026, 1, 1), date(2026, 12, 31))
    assert IMPROVED.value(calendar_2026) == 2
    records = IMPROVED.records(calendar_2026)
    assert [(r.day, r.item, r.figures) for r in records] == [
        (date(2026, 8, 31), "Ana Copil", (Decimal("7.50"), Decimal("8.10"))),
        (date(2026, 8, 31), "Elena Copil", (Qualifier.SUFFICIENT, Qualifier.VERY_GOOD)),
    ]
    assert {r.page for r in records} == {"school"}


def test_a_school_year_counts_in_the_period_holding_its_last_day(centre, pupils):
    assert IMPROVED.value(_scope(centre, date(2025, 9, 1), date(2026, 8, 30))) == 0
    assert IMPROVED.value(_scope(centre, date(2026, 8, 31), date(2026, 8, 31))) == 2
    assert IMPROVED.value(_scope(centre, date(2026, 9, 1), date(2027, 8, 30))) == 0


def test_a_child_improving_in_two_school_years_counts_once(centre, pupils):
    both_years = _scope(centre, date(2025, 1, 1), date(2026, 12, 31))
    assert IMPROVED.value(both_years) == 2  # Ana (twice) and Elena
    assert [r.item for r in IMPROVED.records(both_years)] == ["Ana Copil"] * 2 + ["Elena Copil"]


def test_the_programme_page_and_the_indicator_apply_the_same_rule(centre, pupils):
    rows = programme.results_over_year([p.id for p in pupils.values()], LATER)
    improved = {r.person.family_name for r in rows if r.improved}
    counted = {r.item.split()[0] for r in IMPROVED.records(_scope(centre, *_year(LATER)))}
    assert improved - {"Altul"} == counted == {"Ana", "Elena"}
    assert {r.person.family_name for r in rows} == {"Altul", "Ana", "Bogdan", "Dan", "Elena"}


def _year(school_year):
    return date(school_year, 9, 1), date(school_year + 1, 8, 31)


def _outing(centre, day, children):
    outing = Outing(
        centre_id=centre.id,
        kind=OutingKind.OUTING,
        title="Grădina botanică",
        destination="Cluj-Napoca",
        starts_at=datetime(day.year, day.month, day.day, 9, tzinfo=BUCHAREST),
        ends_at=datetime(day.year, day.month, day.day, 17, tzinfo=BUCHAREST),
        children_per_adult=8,
        status=OutingStatus.RETURNED,
    )
    for person in children:
        outing.children.append(
            OutingChild(
                person_id=person.id,
                permission=PermissionState.GIVEN,
                permission_by="Părinte",
                permission_on=day,
                on_final_list=True,
                left=True,
                came_back=True,
            )
        )
    db.session.add(outing)
    db.session.flush()
    return outing


PERIOD = "start=2026-01-01&end=2026-12-31"


def test_the_indicators_page_lists_the_records_behind_the_new_figures(
    client, login_as, centre, other_centre, pupils
):
    ana, elena = pupils["Ana"], pupils["Elena"]
    mine = _outing(centre, date(2026, 5, 20), [ana, elena])
    _outing(other_centre, date(2026, 5, 20), [pupils["Other"]])
    login_as("coordinator")

    page = text_of(client.get(f"/reports/?{PERIOD}&centres={centre.id}"))
    assert re.search(r"Excursii efectuate 1\b", page)
    assert re.search(r"Copii care au participat la o excursie 2\b", page)
    assert re.search(r"rezultate școlare s-au îmbunătățit în cursul anului 2\b", page)

    response = client.get(f"/reports/measures/school_results_improved?{PERIOD}")
    listed = text_of(response)
    assert "Ana Copil" in listed and "Elena Copil" in listed and "Altul" not in listed
    assert "Ana Copil 7,5 8,1" in listed and "Elena Copil Suficient Foarte bine" in listed
    assert f'href="/programme/children/{ana.id}"' in response.get_data(as_text=True)

    response = client.get(f"/reports/measures/children_on_outings?{PERIOD}")
    listed = text_of(response)
    assert "Ana Copil – Grădina botanică" in listed and "Altul" not in listed
    assert f'href="/programme/outings/{mine.id}"' in response.get_data(as_text=True)

    listed = text_of(client.get(f"/reports/measures/outings_held?{PERIOD}"))
    assert "Grădina botanică – Cluj-Napoca" in listed


def test_the_yearly_activity_report_shows_the_new_figures(client, login_as, centre, pupils):
    make_plan(2026)
    _outing(centre, date(2026, 5, 20), [pupils["Ana"], pupils["Elena"]])
    login_as("coordinator")

    page = text_of(client.get(f"/reports/activity/{centre.id}/2026"))
    assert "Registre, chestionare și programul copiilor" in page
    assert re.search(r"Excursii efectuate 1\b", page)
    assert re.search(r"rezultate școlare s-au îmbunătățit în cursul anului 2\b", page)

    response = client.get(f"/reports/activity/{centre.id}/2026/report.xlsx?language=hu")
    rows = {row[1]: row[3] for row in load_workbook(io.BytesIO(response.data)).active.values}
    assert rows["Megtartott kirándulások"] == 1
    assert rows["Kiránduláson részt vett gyermekek"] == 2
    assert rows["Gyermekek, akiknek iskolai eredményei javultak az év során"] == 2

    response = client.get(f"/reports/activity/{centre.id}/2026/report.pdf?language=ro")
    assert response.status_code == 200 and response.data.startswith(b"%PDF")
