"""Meal screens: meal types, the day's menu, the allowance and the monthly report in ro and hu."""

import io
from datetime import date

from openpyxl import load_workbook

from daycentre.attendance import services as attendance
from daycentre.attendance.models import AttendanceStatus
from daycentre.attendance.services import Mark
from daycentre.audit.models import AuditEntry
from daycentre.core.localtime import today
from daycentre.extensions import db
from daycentre.meals import services as meals
from daycentre.meals.models import FoodAllowance, MealType, Menu
from tests.conftest import text_of
from tests.factories import make_group, make_group_of_children, make_meal_type


def test_coordinator_adds_a_meal_type_and_edits_the_days_menu(client, login_as, centre):
    login_as("coordinator")
    response = client.post(
        f"/meals/centres/{centre.id}/types",
        data={"name": "Gustare", "position": "3", "active": "y"},
        follow_redirects=True,
    )
    assert "Tipul de masă a fost salvat." in text_of(response)
    snack = db.session.scalars(db.select(MealType)).one()
    day = today()  # within the correction window whatever the date the suite runs
    page = client.get(f"/meals/centres/{centre.id}/menus?day={day.isoformat()}")
    assert "Gustare" in text_of(page)
    response = client.post(
        f"/meals/centres/{centre.id}/menus?day={day.isoformat()}",
        data={
            f"m{snack.id}-dishes": "Iaurt cu fructe",
            f"m{snack.id}-allergens": "lapte",
            f"m{snack.id}-version": "0",
            f"m{snack.id}-meal_type_id": str(snack.id),
        },
        follow_redirects=True,
    )
    assert "Meniul a fost salvat." in text_of(response)
    menu = db.session.scalars(db.select(Menu)).one()
    assert (menu.dishes, menu.allergens, menu.day) == (
        "Iaurt cu fructe",
        "lapte",
        day,
    )


def test_volunteers_and_counsellors_cannot_change_meals(client, login, centre, users):
    login(users["counsellor"])
    assert client.get(f"/meals/centres/{centre.id}/types").status_code == 403
    assert client.get(f"/meals/centres/{centre.id}/report").status_code == 200
    client.post("/auth/logout")
    login(users["volunteer"])
    assert client.get(f"/meals/centres/{centre.id}/report").status_code == 403


def test_only_the_admin_sets_the_allowance(client, login, users):
    login(users["coordinator"])
    assert client.get("/meals/allowances").status_code == 403
    client.post("/auth/logout")
    login(users["admin"])
    response = client.post(
        "/meals/allowances",
        data={"valid_from": "2026-02-01", "amount": "32", "legal_basis": "HG 1/2026"},
        follow_redirects=True,
    )
    assert "Alocația de hrană a fost salvată." in text_of(response)
    assert db.session.scalar(db.select(FoodAllowance.amount)) == 32


def test_meal_report_in_hungarian_page_xlsx_and_pdf(client, login_as, centre, users):
    users["coordinator"].locale = "hu"
    admin = users["admin"]
    group = make_group(centre)
    children = make_group_of_children(group, 2, start=date(2026, 1, 5))
    lunch = make_meal_type(centre, name="Meleg ebéd")
    meals.set_allowance(actor=admin, valid_from=date(2026, 2, 1), amount="32")
    attendance.record_roll(
        group,
        date(2026, 2, 2),
        {c.id: Mark(AttendanceStatus.PRESENT) for c in children},
        {c.id: {lunch.id} for c in children},
        actor=admin,
    )
    db.session.commit()
    login_as("coordinator")
    page = text_of(client.get(f"/meals/centres/{centre.id}/report?month=2026-02"))
    assert "Étkezési kimutatás" in page and "2026. február" in page and "Meleg ebéd" in page
    assert "64,00" in page
    xlsx = client.get(f"/meals/centres/{centre.id}/report.xlsx?month=2026-02")
    rows = list(load_workbook(io.BytesIO(xlsx.data)).active.iter_rows(values_only=True))
    assert rows[0] == (
        "Nap",
        "Meleg ebéd",
        "Étkezésben részesült gyermekek",
        "Norma (lej)",
        "Költség (lej)",
    )
    assert rows[1][1:] == (2, 2, 32, 64)
    pdf = client.get(f"/meals/centres/{centre.id}/report.pdf?month=2026-02")
    assert pdf.data.startswith(b"%PDF")
    # The report names the children: each download is in the audit trail.
    exports = db.session.scalars(db.select(AuditEntry).filter_by(action="export")).all()
    assert [(e.entity, e.entity_id, e.changes["format"], e.changes["rows"]) for e in exports] == [
        ("centres", centre.id, "xlsx", 2),
        ("centres", centre.id, "pdf", 2),
    ]


def test_the_roll_page_highlights_a_child_whose_allergy_is_on_the_menu(
    client, login_as, centre, users
):
    from tests.attendance.helpers import operating_days_back

    day = operating_days_back(centre, 1)[0]
    group = make_group(centre)
    children = make_group_of_children(group, 2)
    children[1].allergies = "Lactoză"
    lunch = make_meal_type(centre, name="Masă caldă")
    db.session.add(
        Menu(
            centre_id=centre.id,
            meal_type_id=lunch.id,
            day=day,
            dishes="Papanași",
            allergens="gluten, lactoză",
        )
    )
    login_as("coordinator")
    page = client.get(f"/attendance/groups/{group.id}/roll?day={day.isoformat()}")
    html = page.get_data(as_text=True)
    assert html.count("allergy-alert") == 1
    assert "Meniul conține: lactoză" in text_of(page)
