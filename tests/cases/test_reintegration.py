"""A child's return home from care: the measure, the preparation, the return, the monitoring
visits after it, the outcome, and the indicators that count them."""

from datetime import date, timedelta

import pytest

from daycentre.audit.models import AuditEntry
from daycentre.cases import deadlines, overdue, reintegration, stages, workflow
from daycentre.cases.models import CaseKind, CaseStage
from daycentre.core.errors import Refused
from daycentre.core.localtime import add_months, today
from daycentre.extensions import db
from daycentre.reports.measures import MEASURES, Scope
from tests.factories import make_case, make_centre, make_user

RECEIVED = date(2026, 1, 5)
MEASURE_ENDS = date(2026, 2, 27)
RETURNED = date(2026, 3, 2)


def _case(centre, staff, *, received=RECEIVED):
    case = make_case(
        centre, actor=staff["coordinator"], received_on=received, kind=CaseKind.REINTEGRATION
    )
    workflow.decide_primary(
        case,
        actor=staff["coordinator"],
        version=case.version,
        decided_on=received,
        competent=True,
        manager=staff["manager"],
    )
    return case


def _measure(case, staff, *, ends=MEASURE_ENDS, decided=date(2024, 5, 10)):
    return reintegration.record_measure(
        case,
        actor=staff["manager"],
        measure_kind="foster_care",
        measure_decision="HCPC 112/2024",
        measure_decided_on=decided,
        ending_decision="HCPC 31/2026",
        measure_ends_on=ends,
        family_kind="biological",
    )


def _returned(case, staff, day=RETURNED, ends=MEASURE_ENDS):
    measure = _measure(case, staff, ends=ends)
    reintegration.record_return(
        case, actor=staff["manager"], version=measure.version, returned_on=day
    )
    return measure


def test_a_reintegration_case_follows_the_same_request_and_primary_evaluation(centre, staff):
    case = _case(centre, staff)
    assert case.kind is CaseKind.REINTEGRATION and case.stage is CaseStage.EVALUATION
    assert case.manager is staff["manager"]
    allowed = stages.allowed_actions(staff["manager"], case)
    assert "record_measure" in allowed and "record_return" not in allowed


def test_a_prevention_case_has_no_return_home(centre, staff):
    case = make_case(centre, actor=staff["coordinator"])
    assert "record_measure" not in stages.allowed_actions(staff["coordinator"], case)
    with pytest.raises(Refused):
        _measure(case, staff)


def test_the_return_cannot_come_before_the_measure_ends(centre, staff):
    case = _case(centre, staff)
    measure = _measure(case, staff)
    with pytest.raises(Refused) as refused:
        reintegration.record_return(
            case,
            actor=staff["manager"],
            version=measure.version,
            returned_on=MEASURE_ENDS - timedelta(days=1),
        )
    assert refused.value.field == "returned_on"
    assert measure.returned_on is None


def test_the_measure_cannot_end_before_it_was_decided(centre, staff):
    case = _case(centre, staff)
    with pytest.raises(Refused):
        _measure(case, staff, ends=date(2024, 5, 9), decided=date(2024, 5, 10))
    assert case.reintegration is None


def test_preparation_comes_before_the_return(centre, staff):
    case = _case(centre, staff)
    with pytest.raises(Refused):  # no measure yet
        reintegration.add_preparation(
            case,
            actor=staff["manager"],
            held_on=date(2026, 2, 1),
            prepared="child",
            description="Întâlnire cu mama.",
        )
    _measure(case, staff)
    reintegration.add_preparation(
        case,
        actor=staff["manager"],
        held_on=date(2026, 2, 1),
        prepared="both",
        description="Vizită de acomodare în familie.",
    )
    reintegration.record_return(
        case, actor=staff["manager"], version=case.reintegration.version, returned_on=RETURNED
    )
    assert [p.description for p in case.preparations] == ["Vizită de acomodare în familie."]
    assert "add_preparation" not in stages.allowed_actions(staff["manager"], case)


def test_a_monitoring_visit_cannot_come_before_the_return(centre, staff):
    case = _case(centre, staff)
    _returned(case, staff)
    with pytest.raises(Refused) as refused:
        reintegration.add_return_visit(
            case,
            actor=staff["manager"],
            visited_on=RETURNED - timedelta(days=1),
            report="Copilul s-a adaptat.",
        )
    assert refused.value.field == "visited_on"
    assert case.return_visits == []


def test_visits_are_due_monthly_for_three_months_then_at_six(centre, staff):
    case = _case(centre, staff)
    _returned(case, staff)
    assert deadlines.return_visits_due(case) == [
        date(2026, 4, 2),
        date(2026, 5, 2),
        date(2026, 6, 2),
        date(2026, 9, 2),
    ]
    visit = reintegration.add_return_visit(
        case, actor=staff["manager"], visited_on=date(2026, 4, 1), report="Se simte bine acasă."
    )
    assert visit.due_on == date(2026, 4, 2) and visit.on_time
    late = reintegration.add_return_visit(
        case, actor=staff["manager"], visited_on=date(2026, 5, 6), report="Merge la școală."
    )
    assert late.due_on == date(2026, 5, 2) and not late.on_time
    assert deadlines.next_return_visit_due(case) == date(2026, 6, 2)


def test_the_frequency_is_configurable(app, centre, staff):
    app.config.update(REINTEGRATION_MONTHLY_VISITS=2, REINTEGRATION_LATER_EVERY_MONTHS=2)
    case = _case(centre, staff)
    _returned(case, staff)
    months = [
        (d.year - RETURNED.year) * 12 + d.month - 3 for d in deadlines.return_visits_due(case)
    ]
    assert months == [1, 2, 4, 6]


def test_an_overdue_monitoring_visit_is_on_the_managers_home_page(centre, staff):
    case = _case(centre, staff)
    _returned(case, staff)
    items = overdue.overdue_for(staff["manager"], date(2026, 4, 3)).items
    assert [(i.case, i.return_visit_due) for i in items] == [(case, date(2026, 4, 2))]
    assert not overdue.overdue_for(staff["manager"], date(2026, 4, 2)).items


def test_the_outcome_is_recorded_once_its_day_has_come(centre, staff):
    received = today() - timedelta(days=40)
    case = _case(centre, staff, received=received)
    measure = _returned(case, staff, day=today() - timedelta(days=10), ends=received)
    with pytest.raises(Refused):
        reintegration.record_outcome(
            case, actor=staff["manager"], version=measure.version, months=3, at_home=True
        )
    assert measure.at_home_3_months is None


def test_outcomes_after_three_and_six_months(centre, staff):
    case = _case(centre, staff)
    measure = _returned(case, staff)
    assert deadlines.outcomes_due(case, date(2026, 9, 2)) == [3, 6]
    reintegration.record_outcome(
        case, actor=staff["manager"], version=measure.version, months=3, at_home=True
    )
    reintegration.record_outcome(
        case, actor=staff["manager"], version=measure.version, months=6, at_home=True
    )
    assert measure.at_home_3_months and measure.at_home_6_months
    assert measure.six_months_on == date(2026, 9, 2)
    kinds = [event.kind for event in case.events]
    assert "returned_home" in kinds and "outcome_6_home" in kinds


def test_a_new_measure_records_the_child_no_longer_at_home(centre, staff):
    case = _case(centre, staff)
    measure = _returned(case, staff)
    with pytest.raises(Refused):
        reintegration.record_new_measure(
            case,
            actor=staff["manager"],
            version=measure.version,
            decided_on=RETURNED - timedelta(days=1),
            decision="HCPC 80/2026",
        )
    reintegration.record_new_measure(
        case,
        actor=staff["manager"],
        version=measure.version,
        decided_on=date(2026, 4, 20),
        decision="HCPC 80/2026",
    )
    assert measure.at_home_3_months is False and measure.at_home_6_months is False
    assert deadlines.next_return_visit_due(case) is None


def test_every_step_is_audited(centre, staff):
    case = _case(centre, staff)
    _returned(case, staff)
    reintegration.add_return_visit(
        case, actor=staff["manager"], visited_on=date(2026, 4, 1), report="Bine."
    )
    entities = set(
        db.session.scalars(
            db.select(AuditEntry.entity).where(AuditEntry.actor_id == staff["manager"].id)
        )
    )
    assert {"case_reintegrations", "case_return_visits"} <= entities


def test_the_indicators_count_children_returned_and_still_at_home(centre, staff):
    other = make_centre(name="Centrul din Sfântu Gheorghe")
    coordinator = make_user("coordinator", centres=[other])
    case = _case(centre, staff)
    measure = _returned(case, staff)
    elsewhere = make_case(
        other, actor=coordinator, received_on=RECEIVED, kind=CaseKind.REINTEGRATION
    )
    del elsewhere  # another centre's case, never counted in this centre's scope
    child = case.children[0]
    spring = Scope(frozenset({centre.id}), date(2026, 3, 1), date(2026, 3, 31))
    autumn = Scope(frozenset({centre.id}), date(2026, 9, 1), date(2026, 9, 30))
    returned, home = MEASURES["children_returned_home"], MEASURES["children_home_six_months"]
    assert returned.value(spring) == 1
    assert [r.item for r in returned.records(spring)] == [
        f"{child.family_name} {child.given_name} – {case.reference}"
    ]
    assert home.value(autumn) == 0  # six months not recorded yet
    reintegration.record_outcome(
        case, actor=staff["manager"], version=measure.version, months=6, at_home=True
    )
    assert home.value(autumn) == 1 and returned.value(autumn) == 0
    assert add_months(RETURNED, 6) == home.records(autumn)[0].day
