from daycentre.auth.models import User
from daycentre.centres.models import Group
from daycentre.demo import load_demo
from daycentre.enrolment import services as enrolments
from daycentre.enrolment.models import Enrolment, EnrolmentStatus
from daycentre.extensions import db
from daycentre.people import services as people
from daycentre.people.models import Family, Person, PersonKind
from daycentre.people.services import cnp_problem


def test_the_demo_has_forty_two_children_in_twenty_six_families_within_capacity(app):
    assert load_demo()
    db.session.commit()
    children = db.session.scalars(db.select(Person).filter_by(kind=PersonKind.CHILD)).all()
    assert len(children) == 42  # the Lazăr family came and left in 2026 (reports.demo)
    assert db.session.scalar(db.select(db.func.count(Family.id))) == 26
    assert all(cnp_problem(c.cnp, c.birth_date, c.sex) is None for c in children)
    statuses = {e.status for e in db.session.scalars(db.select(Enrolment))}
    assert {EnrolmentStatus.WAITING, EnrolmentStatus.EXITED, EnrolmentStatus.ACTIVE} <= statuses
    for group in db.session.scalars(db.select(Group)):
        assert enrolments.occupied_places(group.id) <= group.capacity
        line = enrolments.waiting_list(group.id)
        assert [e.applied_on for e in line] == sorted(e.applied_on for e in line)


def test_the_demo_coordinator_finds_children_without_typing_accents(app):
    load_demo()
    db.session.commit()
    coordinator = db.session.scalar(db.select(User).filter_by(username="coordinator"))
    assert [p.given_name for p in people.search_people(coordinator, "stefanescu razvan")] == [
        "Răzvan"
    ]
    assert {p.given_name for p in people.search_people(coordinator, "ionut")} == {"Ionuț"}
