from daycentre.auth.models import User
from daycentre.cases import overdue
from daycentre.cases.models import Case, CaseKind, CaseStage
from daycentre.demo import load_demo
from daycentre.extensions import db
from daycentre.outreach.models import Training


def test_the_demo_has_cases_at_every_stage(app):
    assert load_demo()
    db.session.commit()
    found = db.session.scalars(db.select(Case)).all()
    assert len(found) >= 10
    assert {case.stage for case in found} == set(CaseStage)
    assert sum(case.stage is CaseStage.REFERRED for case in found) == 1
    counsellor = db.session.scalar(db.select(User).filter_by(username="counsellor"))
    alerts = overdue.overdue_for(counsellor).items
    assert any(item.review_due for item in alerts)
    assert any(item.first_visit_late for item in alerts)


def test_the_demo_shows_children_returning_home_and_named_training_participants(app):
    assert load_demo()
    db.session.commit()
    returning = db.session.scalars(db.select(Case).filter_by(kind=CaseKind.REINTEGRATION)).all()
    assert len(returning) == 2
    assert all(case.reintegration.returned_on and case.return_visits for case in returning)
    assert any(case.reintegration.at_home_6_months for case in returning)
    counsellor = db.session.scalar(db.select(User).filter_by(username="counsellor"))
    alerts = overdue.overdue_for(counsellor).items
    assert any(item.return_visit_due for item in alerts)
    assert any(3 in item.outcomes_due for item in alerts)
    trainings = db.session.scalars(db.select(Training)).all()
    assert any(len(t.participants) == 4 for t in trainings)
    assert any(not t.participants and t.persons_trained for t in trainings)
