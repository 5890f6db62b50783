from daycentre.attendance.models import AbsenceReport
from daycentre.demo import load_demo
from daycentre.extensions import db
from daycentre.parents.models import ParentAccount


def test_each_demo_absence_report_is_sent_by_a_parent_of_the_child(app):
    assert load_demo()
    db.session.commit()
    reports = db.session.scalars(db.select(AbsenceReport)).all()
    assert len(reports) >= 2
    for report in reports:
        account = db.session.scalar(
            db.select(ParentAccount).where(ParentAccount.user_id == report.reported_by_id)
        )
        assert account is not None and account.person.family_id == report.person.family_id
