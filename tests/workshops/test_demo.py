from daycentre.core.database import utcnow
from daycentre.demo import load_demo
from daycentre.extensions import db
from daycentre.workshops import services as workshops
from daycentre.workshops.models import SupportGroup, Workshop, WorkshopAttendance


def test_the_demo_has_a_running_workshop_with_a_waiting_list_and_a_group_with_meetings(app):
    assert load_demo()
    db.session.commit()
    workshop = db.session.scalar(db.select(Workshop))
    assert workshop.taken_places == workshop.capacity
    assert len(workshops.waiting_list(workshop)) >= 1
    assert any(s.starts_at < utcnow() for s in workshop.sessions)
    assert any(s.starts_at > utcnow() for s in workshop.sessions)
    assert db.session.scalar(db.select(db.func.count(WorkshopAttendance.id))) > 0
    group = db.session.scalar(db.select(SupportGroup))
    past = [m for m in group.meetings if m.starts_at < utcnow()]
    assert past and sum(workshops.meeting_attendance(past[0]).values()) >= 3
