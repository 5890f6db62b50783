import io
import re
from datetime import datetime

from openpyxl import load_workbook

from daycentre.audit.models import AuditEntry
from daycentre.core.localtime import BUCHAREST
from daycentre.counselling.models import SessionStatus
from daycentre.extensions import db
from daycentre.reports.models import DevelopmentPlan, PlanIndicator
from tests.conftest import text_of
from tests.factories import make_child, make_plan, make_room, make_session, make_user

PERIOD = "start=2026-01-01&end=2026-03-31"


def _sessions(centre, count, *, name="Kovács"):
    counsellor = make_user("counsellor", centres=[centre])
    room = make_room(centre, name=f"Sala {name}")
    child = make_child(centre=centre, family_name=name)
    for day in range(count):
        make_session(
            counsellor,
            room,
            person=child,
            start=datetime(2026, 2, 2 + day, 10, tzinfo=BUCHAREST),
            status=SessionStatus.HELD,
        )


def test_the_admin_builds_a_plan_objective_activity_and_indicator(client, login_as):
    login_as("admin")
    response = client.post(
        "/reports/plans/new",
        data={"year": 2026, "title": "Planul de dezvoltare 2026", "general_objective": ""},
    )
    plan = db.session.scalar(db.select(DevelopmentPlan))
    assert response.headers["Location"].endswith(f"/reports/plans/{plan.id}")
    client.post(
        f"/reports/plans/objectives/new/{plan.id}",
        data={"title": "Consolidarea rețelei de sprijin comunitar"},
    )
    objective = db.session.scalar(db.select(DevelopmentPlan)).objectives[0]
    client.post(
        f"/reports/plans/activities/new/{objective.id}",
        data={"description": "Încheierea de parteneriate", "responsible": "DAS Târgu Secuiesc"},
    )
    activity = objective.activities[0]
    client.post(
        f"/reports/plans/indicators/new/{activity.id}",
        data={"wording": "Număr parteneriate încheiate", "measure": "partnerships", "target": "5"},
    )
    page = text_of(client.get(f"/reports/plans/{plan.id}"))
    assert "1. Consolidarea rețelei de sprijin comunitar" in page
    assert "Responsabil: DAS Târgu Secuiesc" in page
    assert "Număr parteneriate încheiate Parteneriate încheiate 5" in page
    entities = set(db.session.scalars(db.select(AuditEntry.entity)))
    assert {"development_plans", "plan_objectives", "plan_activities", "plan_indicators"} <= (
        entities
    )


def test_a_second_plan_for_the_same_year_is_refused(client, login_as):
    make_plan(2026)
    login_as("admin")
    response = client.post(
        "/reports/plans/new", data={"year": 2026, "title": "Alt plan"}, follow_redirects=True
    )
    assert "Există deja un plan pentru 2026." in text_of(response)
    assert db.session.scalar(db.select(db.func.count(DevelopmentPlan.id))) == 1


def test_an_indicator_must_be_bound_to_a_known_measure(client, login_as):
    plan = make_plan(2026)
    indicator = plan.indicators[0]
    login_as("admin")
    client.post(
        f"/reports/plans/indicators/{indicator.id}/edit",
        data={"wording": "X", "measure": "nothing", "target": "3"},
    )
    db.session.refresh(indicator)
    assert indicator.measure == "counselling_sessions"


def test_deleting_an_objective_deletes_what_is_under_it(client, login_as):
    plan = make_plan(2026)
    objective = plan.objectives[0]
    login_as("admin")
    client.post(f"/reports/plans/objectives/{objective.id}/delete")
    assert db.session.scalar(db.select(db.func.count(PlanIndicator.id))) == 0


def test_only_the_admin_edits_the_plan(client, login_as):
    plan = make_plan(2026)
    login_as("coordinator")
    assert client.get(f"/reports/plans/{plan.id}").status_code == 403
    assert client.get("/reports/plans/").status_code == 403


def test_volunteers_see_no_indicators(client, login_as, centre):
    make_plan(2026)
    login_as("volunteer")
    assert client.get("/reports/").status_code == 403
    assert client.get(f"/reports/activity/{centre.id}/2026").status_code == 403


def test_the_indicators_page_shows_target_actual_and_a_chart(client, login_as, centre):
    make_plan(2026)
    _sessions(centre, 3)
    login_as("coordinator")
    response = client.get(f"/reports/?{PERIOD}&centres={centre.id}")
    page = text_of(response)
    assert "Număr ședințe de consiliere Ședințe de consiliere desfășurate 40 3" in page
    html = response.get_data(as_text=True)
    assert '<svg class="indicator-chart"' in html
    assert 'class="bar-target" x="0" y="1" height="5" width="100"' in html
    assert 'class="bar-actual" x="0" y="8" height="5" width="7"' in html  # 3 of 40
    assert "style=" not in html.split("<main")[1]
    assert "Ateliere de parenting" in page  # listed as not counted yet


def test_bars_without_targets_are_drawn_against_the_largest_figure(client, login_as, centre):
    make_plan(
        2026,
        indicators=(
            ("Ședințe", "counselling_sessions", None),
            ("Persoane", "persons_counselled", None),
        ),
    )
    _sessions(centre, 11)  # 11 sessions of one person
    login_as("coordinator")
    html = client.get(f"/reports/?{PERIOD}&centres={centre.id}").get_data(as_text=True)
    assert 'class="bar-actual" x="0" y="8" height="5" width="100"' in html  # 11, the largest
    assert 'class="bar-actual" x="0" y="8" height="5" width="9"' in html  # 1 of 11


def test_a_coordinator_counts_only_her_own_centres(client, login_as, centre, other_centre):
    make_plan(2026)
    _sessions(centre, 2)
    _sessions(other_centre, 5, name="Szabó")
    login_as("coordinator")
    response = client.get(f"/reports/?{PERIOD}&centres={centre.id}&centres={other_centre.id}")
    assert "Ședințe de consiliere desfășurate 40 2" in text_of(response)
    records = client.get(
        f"/reports/measures/counselling_sessions?{PERIOD}&centres={other_centre.id}"
    )
    assert "Ședințe de consiliere desfășurate: 2" in text_of(records)


def test_every_number_opens_its_records(client, login_as, centre):
    make_plan(2026)
    _sessions(centre, 2)
    login_as("counsellor")
    html = client.get(f"/reports/?{PERIOD}&centres={centre.id}").get_data(as_text=True)
    link = re.search(r'href="(/reports/measures/persons_counselled[^"]+)"', html).group(1)
    page = text_of(client.get(link.replace("&amp;", "&")))
    assert "Persoane consiliate: 1" in page
    assert "2 feb. 2026 Kovács Ana 1" in page
    assert "3 feb. 2026 Kovács Ana 1" in page


def test_the_indicators_page_in_hungarian(client, login_as, users, centre):
    make_plan(2026)
    _sessions(centre, 1)
    users["coordinator"].locale = "hu"
    db.session.commit()
    login_as("coordinator")
    page = text_of(client.get(f"/reports/?{PERIOD}"))
    assert "Mutatók" in page
    assert "Megtartott tanácsadási alkalmak" in page
    assert "Célérték" in page and "Tényleges érték" in page


def test_the_activity_report_keeps_its_commentary(client, login_as, centre):
    plan = make_plan(2026)
    indicator = plan.indicators[0]
    login_as("coordinator")
    client.post(
        f"/reports/activity/{centre.id}/2026",
        data={
            "introduction": "Centrul a funcționat tot anul.",
            "conclusions": "",
            f"comment-{indicator.id}": "Ținta a fost depășită în trimestrul IV.",
        },
    )
    page = text_of(client.get(f"/reports/activity/{centre.id}/2026"))
    assert "Ținta a fost depășită în trimestrul IV." in page
    assert "Centrul a funcționat tot anul." in page


def test_the_activity_report_as_a_spreadsheet_in_hungarian(client, login_as, centre):
    plan = make_plan(2026)
    indicator = plan.indicators[0]
    _sessions(centre, 3)
    login_as("coordinator")
    client.post(
        f"/reports/activity/{centre.id}/2026",
        data={"introduction": "", "conclusions": "", f"comment-{indicator.id}": "Jó év."},
    )
    response = client.get(f"/reports/activity/{centre.id}/2026/report.xlsx?language=hu")
    sheet = load_workbook(io.BytesIO(response.data)).active
    rows = list(sheet.values)
    assert rows[0] == (
        "Stratégiai célkitűzés",
        "Mutató",
        "Célérték",
        "Tényleges érték",
        "Megjegyzés",
    )
    assert rows[1][1:] == ("Număr ședințe de consiliere", 40, 3, "Jó év.")


def test_the_activity_report_as_pdf(client, login_as, centre):
    make_plan(2026)
    login_as("counsellor")
    response = client.get(f"/reports/activity/{centre.id}/2026/report.pdf?language=ro")
    assert response.mimetype == "application/pdf"
    assert response.data.startswith(b"%PDF")
    assert "Raport de activitate 2026" in response.headers["Content-Disposition"] or (
        "Raport%20de%20activitate%202026" in response.headers["Content-Disposition"]
    )


def test_each_copy_of_the_activity_report_is_audited_as_an_export(client, login_as, centre):
    plan = make_plan(2026)
    user = login_as("coordinator")
    assert (
        client.get(f"/reports/activity/{centre.id}/2026/report.pdf?language=ro").status_code == 200
    )
    assert (
        client.get(f"/reports/activity/{centre.id}/2026/report.xlsx?language=hu").status_code == 200
    )
    exports = db.session.scalars(
        db.select(AuditEntry).filter_by(action="export").order_by(AuditEntry.id)
    ).all()
    assert [(e.entity, e.entity_id, e.actor_id, e.centre_id) for e in exports] == [
        ("development_plans", plan.id, user.id, centre.id)
    ] * 2
    assert [(e.changes["format"], e.changes["language"]) for e in exports] == [
        ("pdf", "ro"),
        ("xlsx", "hu"),
    ]


def test_another_centres_report_is_not_found(client, login_as, other_centre):
    make_plan(2026)
    login_as("coordinator")
    assert client.get(f"/reports/activity/{other_centre.id}/2026").status_code == 404
    assert client.get(f"/reports/activity/{other_centre.id}/2026/report.pdf").status_code == 404


def test_a_year_without_a_plan_has_no_report(client, login_as, centre):
    login_as("admin")
    assert client.get(f"/reports/activity/{centre.id}/2031").status_code == 404


def test_the_demo_plan_is_the_seeds_plan_bound_to_measures(app):
    from daycentre.reports.demo import load_plan
    from daycentre.reports.measures import MEASURES

    plan = load_plan()
    assert plan.year == 2026
    assert [o.title for o in plan.objectives][0] == (
        "Identificarea și înregistrarea copiilor aflați în risc de separare"
    )
    assert len(plan.objectives) == 8
    wordings = {i.wording: i.measure for i in plan.indicators}
    assert wordings["Număr ședințe de consiliere"] == "counselling_sessions"
    assert wordings["Număr ateliere organizate"] == "parenting_workshops"
    assert len(wordings) == 17
    assert all(measure in MEASURES for measure in wordings.values())
    assert wordings["Număr de planuri monitorizate"] == "plans_monitored"
    assert wordings["Număr evaluări realizate"] == "evaluations"
    texts = [plan.title, plan.general_objective] + [o.title for o in plan.objectives]
    texts += [a.description for o in plan.objectives for a in o.activities] + list(wordings)
    assert not any(set(text) & set("şţŞŢ") for text in texts)  # comma below, never cedilla
    assert not any("pntu" in text for text in texts)


def test_the_plan_editor_and_report_in_hungarian(client, login_as, users, centre):
    plan = make_plan(2026)
    users["admin"].locale = "hu"
    db.session.commit()
    login_as("admin")
    editor = text_of(client.get(f"/reports/plans/{plan.id}"))
    assert "Stratégiai célkitűzések" in editor
    assert "Mutató hozzáadása" in editor
    assert "Megtartott tanácsadási alkalmak" in editor
    report = client.get(f"/reports/activity/{centre.id}/2026")
    assert "Tevékenységi beszámoló 2026" in text_of(report)
    assert 'value="A megjegyzés mentése"' in report.get_data(as_text=True)
