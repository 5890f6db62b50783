"""Children whose parents work abroad: the facts on the family, the refusals, the monitoring
visits at the procedure's interval, the home page's due and overdue visits, the list and its
spreadsheet, and the scope."""

from datetime import date, timedelta

import pytest

from daycentre.audit.models import AuditEntry
from daycentre.core.errors import Refused
from daycentre.core.localtime import add_months, today
from daycentre.extensions import db
from daycentre.people import services as people
from daycentre.people.models import AbroadParent, AbroadVisit, ParentsAbroad
from tests.conftest import text_of
from tests.factories import make_child, make_family, make_user

FACTS = {
    "who": "mother",
    "country": "IT",
    "since": date(2025, 3, 1),
    "expected_return": date(2027, 6, 30),
    "authority_notified_on": date(2025, 2, 10),
    "carer_name": "Szabó Ilona",
    "carer_relation": "bunica",
    "delegation_on": date(2025, 4, 10),
    "delegation_court": "Judecătoria Târgu Secuiesc",
}


@pytest.fixture
def family(app, centre):
    family = make_family(centre, name="Szabó")
    make_child(family, given_name="Réka")
    db.session.commit()
    return family


def _save(family, actor, **changes):
    return people.save_parents_abroad(None, family=family, actor=actor, **(FACTS | changes))


def test_the_situation_is_kept_and_audited(family, users):
    situation = _save(family, users["counsellor"], manager_id=users["counsellor"].id)
    db.session.commit()
    assert situation.who is AbroadParent.MOTHER and situation.country == "IT"
    entry = db.session.scalar(db.select(AuditEntry).where(AuditEntry.entity == "parents_abroad"))
    assert entry.action == "create" and entry.centre_id == family.centre_id


@pytest.mark.parametrize(
    "changes",
    [
        {"country": "XX"},
        {"carer_name": " "},
        {"since": today() + timedelta(days=1)},
        {"expected_return": date(2025, 1, 1)},  # before the parent left
        {"returned_on": date(2025, 1, 1)},
        {"delegation_court": None},  # a date without its court
        {"who": "cousin"},
    ],
)
def test_bad_facts_are_refused_and_nothing_is_saved(family, users, changes):
    with pytest.raises(Refused):
        _save(family, users["counsellor"], **changes)
    db.session.rollback()
    assert db.session.scalar(db.select(db.func.count(ParentsAbroad.id))) == 0


def test_the_case_manager_must_work_at_the_familys_centre(family, users, other_centre):
    stranger = make_user("counsellor", centres=[other_centre])
    with pytest.raises(Refused):
        _save(family, users["admin"], manager_id=stranger.id)


def test_visits_fall_while_the_parent_is_abroad(family, users):
    situation = _save(family, users["counsellor"], returned_on=date(2026, 6, 1))
    with pytest.raises(Refused):
        people.record_abroad_visit(
            situation, actor=users["counsellor"], visited_on=date(2025, 2, 1), findings="x"
        )
    with pytest.raises(Refused):
        people.record_abroad_visit(
            situation, actor=users["counsellor"], visited_on=date(2026, 6, 2), findings="x"
        )
    with pytest.raises(Refused):
        people.record_abroad_visit(
            situation, actor=users["counsellor"], visited_on=date(2026, 5, 2), findings=" "
        )
    visit = people.record_abroad_visit(
        situation, actor=users["counsellor"], visited_on=date(2026, 5, 2), findings="Bine."
    )
    assert visit.visited_by_id == users["counsellor"].id


def test_the_next_visit_is_due_an_interval_after_the_last(app, family, users):
    situation = _save(family, users["counsellor"])
    assert people.next_visit_due(situation) == date(2025, 6, 1)
    people.record_abroad_visit(
        situation, actor=users["counsellor"], visited_on=date(2025, 5, 20), findings="Bine."
    )
    db.session.refresh(situation)
    assert people.next_visit_due(situation) == date(2025, 8, 20)
    app.config["PARENTS_ABROAD_VISIT_MONTHS"] = 1
    assert people.next_visit_due(situation) == date(2025, 6, 20)


def test_the_home_page_lists_due_and_overdue_visits(family, users, client, login_as):
    day = today()
    overdue = _save(family, users["counsellor"], manager_id=users["counsellor"].id)
    db.session.add(AbroadVisit(situation=overdue, visited_on=add_months(day, -4), findings="Bine."))
    other = make_family(family.centre, name="Kelemen")
    due_soon = _save(other, users["counsellor"], manager_id=users["counsellor"].id)
    db.session.add(
        AbroadVisit(
            situation=due_soon,
            visited_on=add_months(day, -3) + timedelta(days=5),
            findings="Bine.",
        )
    )
    later = make_family(family.centre, name="Incze")
    far = _save(later, users["counsellor"], manager_id=users["counsellor"].id)
    db.session.add(AbroadVisit(situation=far, visited_on=day, findings="Bine."))
    db.session.commit()
    due = people.visits_due(users["counsellor"], day)
    assert [(item.situation.family.name, item.overdue) for item in due] == [
        ("Szabó", True),
        ("Kelemen", False),
    ]
    login_as("counsellor")
    page = text_of(client.get("/"))
    assert "Szabó" in page and "Kelemen" in page and "Incze" not in page


def test_the_list_shows_the_children_of_the_period_and_exports_them(
    family, users, client, login_as
):
    _save(family, users["counsellor"])
    db.session.commit()
    login_as("coordinator")
    page = client.get("/people/abroad/?start=2026-07-01&end=2026-09-30&centre_id=0")
    assert page.status_code == 200
    assert "Réka" in text_of(page) and "Italia" in text_of(page)
    before = client.get("/people/abroad/?start=2025-01-01&end=2025-02-28&centre_id=0")
    assert "Réka" not in text_of(before)
    sheet = client.get("/people/abroad/children.xlsx?start=2026-07-01&end=2026-09-30")
    assert sheet.status_code == 200
    assert sheet.mimetype.endswith("sheet")
    entry = db.session.scalar(db.select(AuditEntry).where(AuditEntry.entity == "children_abroad"))
    assert entry.action == "export"


def test_the_country_is_named_in_the_readers_language(family, users, client, login):
    situation = _save(family, users["counsellor"])
    hungarian = make_user("counsellor", centres=[family.centre], locale="hu")
    db.session.commit()
    login(hungarian)
    assert "Olaszország" in text_of(client.get(f"/people/abroad/{situation.id}"))


def test_a_visit_is_recorded_through_the_page(family, users, client, login_as):
    situation = _save(family, users["counsellor"])
    db.session.commit()
    login_as("counsellor")
    response = client.post(
        f"/people/abroad/{situation.id}/visits",
        data={"visited_on": "2026-09-01", "findings": "Copiii sunt bine."},
    )
    assert response.status_code == 302
    refused = client.post(
        f"/people/abroad/{situation.id}/visits",
        data={"visited_on": "2024-01-01", "findings": "Prea devreme."},
    )
    assert refused.status_code == 200
    assert "în străinătate" in text_of(refused)
    assert db.session.scalar(db.select(db.func.count(AbroadVisit.id))) == 1


def test_another_centres_family_abroad_answers_404(other_centre, users, client, login_as):
    family = make_family(other_centre, name="Rusu")
    make_child(family, given_name="Dan")
    situation = _save(family, users["admin"])
    db.session.commit()
    login_as("coordinator")
    assert client.get(f"/people/abroad/{situation.id}").status_code == 404
    assert client.get(f"/people/abroad/{situation.id}/edit").status_code == 404
    assert (
        client.post(
            f"/people/abroad/{situation.id}/visits",
            data={"visited_on": "2026-09-01", "findings": "x"},
        ).status_code
        == 404
    )
    assert client.get(f"/people/families/{family.id}/abroad/new").status_code == 404
    page = client.get("/people/abroad/?start=2026-01-01&end=2026-12-31&centre_id=0")
    assert "Dan" not in text_of(page)


def test_a_family_with_parents_abroad_on_record_is_not_deleted(app, centre, users):
    family = make_family(centre, name="Gol")
    _save(family, users["admin"])
    with pytest.raises(Refused):
        people.delete_family(family, actor=users["admin"])
