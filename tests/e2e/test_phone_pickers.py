"""On a 390 px phone, in Romanian and Hungarian: a name list narrows as one types part of a name,
accents aside (the counsellor's booking form, through people.pick), and a valid CNP fills a new
child's date of birth and sex in the form before it is sent."""

import unicodedata
from datetime import date

import pytest
from stdnum.ro.cnp import calc_check_digit

from daycentre.centres.models import Centre, CentreKind
from daycentre.extensions import db
from daycentre.people.models import Family
from tests.e2e.pages import assert_targets_large_enough, screenshot

pytestmark = pytest.mark.browser


def _fold(text):
    bare = unicodedata.normalize("NFKD", text)
    return "".join(c for c in bare if not unicodedata.combining(c)).casefold()


def _first(app, model, *where):
    with app.app_context():
        return db.session.scalar(db.select(model.id).where(*where).order_by(model.id))


def test_the_beneficiary_list_narrows_as_the_counsellor_types(
    signed_in_page, language, live_server
):
    centre_id = _first(live_server.app, Centre, Centre.kind == CentreKind.PARENT_COUNSELLING)
    page = signed_in_page("counsellor", language, phone=True)
    page.goto(f"/counselling/centres/{centre_id}/sessions/new")
    select = page.locator("#beneficiary")
    names = [n for n in select.locator("option").all_inner_texts() if n.strip()]
    assert len(names) > 3
    wanted = names[len(names) // 2]
    typed = _fold(wanted.split()[-1])[:4]  # part of a name, without its accents
    assert page.locator("[data-picker-button]").is_hidden()  # the script searches as one types
    page.locator("#beneficiary-find").press_sequentially(typed, delay=20)
    page.wait_for_function(
        "() => [...document.querySelectorAll('#beneficiary option')].some(o => o.hidden)"
    )
    shown = select.evaluate(
        "s => [...s.options].filter(o => !o.hidden).map(o => [o.value, o.text])"
    )
    assert wanted in [name for _value, name in shown]
    people = [name for value, name in shown if value.startswith("p")]  # and their families
    assert all(typed in _fold(name) for name in people), shown
    assert_targets_large_enough(page)
    screenshot(page, f"phone-picker-{language}")


def test_a_valid_cnp_fills_the_birth_date_and_sex(signed_in_page, language, live_server):
    after_school = db.select(Centre.id).where(Centre.kind == CentreKind.AFTER_SCHOOL)
    family_id = _first(live_server.app, Family, Family.centre_id.in_(after_school))
    page = signed_in_page("coordinator", language, phone=True)
    page.goto(f"/people/families/{family_id}/children/new")
    body = f"5{date(2018, 4, 9):%y%m%d}14123"
    page.locator("#cnp").fill(body + calc_check_digit(body))
    assert page.locator("#birth_date").input_value() == "2018-04-09"
    assert page.locator("#sex").input_value() == "male"
