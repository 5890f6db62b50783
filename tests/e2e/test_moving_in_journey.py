"""Journey: a coordinator moves 30 children in from the centre's spreadsheet, in Hungarian, sees
the preview, imports them and undoes the import. The file is the Hungarian template's columns
filled in, as a centre in Kézdivásárhely would send it."""

from datetime import date, timedelta

import pytest
from flask_babel import force_locale
from playwright.sync_api import expect

from daycentre.centres.models import Group
from daycentre.extensions import db
from daycentre.moving_in.columns import BENEFICIARY_COLUMNS
from daycentre.people.models import Person
from tests.e2e.pages import assert_accessible, screenshot, tr
from tests.moving_in.files import xlsx

pytestmark = pytest.mark.browser

GROUP = "Clasele I–IV"
CHILDREN = 30
FAMILIES = ("Kovács", "Szabó", "Nagy", "Kiss", "Molnár", "Farkas")
GIVEN = ("Anna", "Bence", "Csilla", "Dániel", "Emese")


def _hungarian_register(app, tmp_path):
    with app.test_request_context(), force_locale("hu"):
        headers = [str(column.label) for column in BENEFICIARY_COLUMNS]
    keys = [column.key for column in BENEFICIARY_COLUMNS]
    rows = []
    for n in range(CHILDREN):
        family = FAMILIES[n % len(FAMILIES)]
        values = {
            "family_name": f"{family}-Import",
            "given_name": f"{GIVEN[n % len(GIVEN)]} {n}",
            "birth_date": (date(2015, 1, 10) + timedelta(days=40 * n)).strftime("%Y. %m. %d."),
            "sex": "N" if n % 2 else "F",
            "address": f"Gábor Áron utca {n % len(FAMILIES) + 1}.",
            "city": "Kézdivásárhely",
            "parent1_family_name": f"{family}-Import",
            "parent1_given_name": "Ilona",
            "parent1_relation": "anya",
            "consent_data_processing": "2026. 09. 01.",
            "group": GROUP,
            "applied_on": "2026. 09. 01.",
        }
        rows.append([values.get(key, "") for key in keys])
    path = tmp_path / "nyilvantartas.xlsx"
    path.write_bytes(xlsx(headers, rows))
    return path


def _imported(app) -> int:
    with app.app_context():
        return db.session.scalar(
            db.select(db.func.count(Person.id)).where(Person.family_name.like("%-Import"))
        )


def test_a_coordinator_moves_30_children_in_and_undoes_it(signed_in_page, live_server, tmp_path):
    app = live_server.app
    with app.app_context():
        centre_id = db.session.scalar(db.select(Group.centre_id).where(Group.name == GROUP))
    register = _hungarian_register(app, tmp_path)
    page = signed_in_page("coordinator", "hu")

    page.goto(f"/enrolment/centres/{centre_id}")
    with page.expect_navigation():
        page.get_by_role("button", name=tr("hu", "Import from a spreadsheet")).click()
    page.locator("input[type=file]").set_input_files(str(register))
    with page.expect_navigation():
        page.get_by_role("button", name=tr("hu", "Read the file")).click()
    expect(page.locator("main")).to_contain_text(
        tr("hu", "%(num)d row can be imported", CHILDREN, num=CHILDREN)
    )
    assert _imported(app) == 0  # the preview saves nothing
    screenshot(page, "moving-in-preview-hu")
    assert_accessible(page)

    with page.expect_navigation():
        page.get_by_role("button", name=tr("hu", "Import the rows without problems")).click()
    expect(page.locator("main")).to_contain_text(
        tr("hu", "%(num)d row was imported.", CHILDREN, num=CHILDREN)
    )
    # 30 children and one parent for each of the six families.
    assert _imported(app) == CHILDREN + len(FAMILIES)

    with page.expect_navigation():
        page.get_by_role("button", name=tr("hu", "Undo the import")).first.click()
    expect(page.locator("main")).to_contain_text(
        tr("hu", "The import was undone: the records it created were removed.")
    )
    assert _imported(app) == 0
