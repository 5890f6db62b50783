"""The migration of the return home, the first visit's hour and the training participants keeps
the data already there: cases stay prevention cases, observation sheets and visits keep their
dates with the hour unknown (judged by the day, as before), trainings keep their typed number."""

from flask_migrate import downgrade, upgrade
from sqlalchemy import text

from daycentre.cases import deadlines
from daycentre.cases.models import Case, CaseKind
from daycentre.demo import load_demo
from daycentre.extensions import db
from daycentre.outreach.models import Training
from tests.test_migrations import empty_database, migrated_app  # noqa: F401

BEFORE = "73190101cfae"


def _rows(sql):
    with db.engine.connect() as connection:
        return sorted(tuple(row) for row in connection.execute(text(sql)))


def test_existing_records_keep_their_data_through_the_migration(migrated_app):  # noqa: F811
    upgrade()
    assert load_demo()
    db.session.commit()
    db.session.remove()
    downgrade(revision=BEFORE)
    sheets = _rows("SELECT id, case_id, started_on FROM case_evaluations")
    visits = _rows("SELECT id, case_id, visited_on, findings FROM case_home_visits")
    trainings = _rows("SELECT id, topic, persons_trained FROM trainings")
    cases = _rows("SELECT id, stage FROM cases")
    assert sheets and visits and trainings and cases

    upgrade()
    assert _rows("SELECT id, case_id, started_on FROM case_evaluations") == sheets
    assert _rows("SELECT id, case_id, visited_on, findings FROM case_home_visits") == visits
    assert _rows("SELECT id, topic, persons_trained FROM trainings") == trainings
    assert _rows("SELECT id, stage FROM cases") == cases
    assert _rows("SELECT DISTINCT started_at FROM case_evaluations") == [(None,)]
    assert _rows("SELECT DISTINCT visited_at FROM case_home_visits") == [(None,)]
    assert {case.kind for case in db.session.scalars(db.select(Case))} == {CaseKind.PREVENTION}
    for case in db.session.scalars(db.select(Case).where(Case.evaluations.any())):
        assert deadlines.first_visit_deadline(case) is None  # the hour is unknown: by the day
        if case.visits:
            visit = min(v.visited_on for v in case.visits)
            assert deadlines.first_visit_late(case) == (visit > deadlines.first_visit_due(case))
    assert all(not t.participants for t in db.session.scalars(db.select(Training)))
    db.session.remove()
