from daycentre.auth.models import User
from daycentre.cases import overdue
from daycentre.cases.models import Case, CaseStage
from daycentre.demo import load_demo
from daycentre.extensions import db


def test_the_demo_has_cases_at_every_stage(app):
    assert load_demo()
    db.session.commit()
    found = db.session.scalars(db.select(Case)).all()
    assert len(found) >= 10
    assert {case.stage for case in found} == set(CaseStage)
    assert sum(case.stage is CaseStage.REFERRED for case in found) == 1
    counsellor = db.session.scalar(db.select(User).filter_by(username="counsellor"))
    alerts = overdue.overdue_for(counsellor)
    assert any(item.review_due for item in alerts)
    assert any(item.first_visit_late for item in alerts)
