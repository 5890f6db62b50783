from daycentre.auth.models import User
from daycentre.counselling.models import CounsellingSession, NoteShare, SessionNote, SessionStatus
from daycentre.demo import load_demo
from daycentre.extensions import db


def test_the_demo_has_a_month_of_sessions_for_two_counsellors_without_clashes(app):
    assert load_demo()
    db.session.commit()
    sessions = db.session.scalars(db.select(CounsellingSession)).all()
    counsellors = {s.counsellor_id for s in sessions}
    assert len(counsellors) == 2
    assert db.session.scalar(db.select(User).filter_by(username="psiholog")).full_name
    assert len(sessions) >= 20
    assert any(s.series_id for s in sessions)
    assert {SessionStatus.HELD, SessionStatus.SCHEDULED} <= {s.status for s in sessions}
    assert db.session.scalar(db.select(db.func.count(SessionNote.id))) >= 5
    assert db.session.scalar(db.select(db.func.count(NoteShare.id))) == 1
    span = max(s.starts_at for s in sessions) - min(s.starts_at for s in sessions)
    assert span.days >= 25
    occupying = [s for s in sessions if s.status is not SessionStatus.CANCELLED]
    for a in occupying:
        for b in occupying:
            if a.id < b.id and a.starts_at < b.ends_at and b.starts_at < a.ends_at:
                assert a.counsellor_id != b.counsellor_id
                assert a.room_id != b.room_id
