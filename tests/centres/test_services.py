from datetime import date

from daycentre.centres.models import ClosureDay
from daycentre.centres.services import is_operating_day, visible_centres
from daycentre.extensions import db
from tests.factories import make_user


def test_weekends_public_holidays_and_closure_days_are_not_operating_days(centre):
    db.session.add(ClosureDay(centre=centre, day=date(2026, 11, 27), reason="Formare"))
    db.session.flush()
    assert is_operating_day(centre, date(2026, 11, 26))  # a Thursday
    assert not is_operating_day(centre, date(2026, 11, 27))  # closure day
    assert not is_operating_day(centre, date(2026, 11, 28))  # Saturday
    assert not is_operating_day(centre, date(2026, 12, 1))  # Ziua Națională
    assert not is_operating_day(centre, date(2026, 6, 1))  # Ziua Copilului


def test_visible_centres_follow_assignment(centre, other_centre):
    coordinator = make_user("coordinator", centres=[centre])
    admin = make_user("admin")
    assert visible_centres(coordinator) == [centre]
    assert set(visible_centres(admin)) == {centre, other_centre}


def test_public_holidays_are_named_in_the_users_language(app):
    from flask_babel import force_locale

    from daycentre.centres.calendar import holiday_name

    with app.test_request_context():
        with force_locale("hu"):
            assert holiday_name(date(2026, 12, 1)) == "Románia nemzeti ünnepe"
            assert holiday_name(date(2026, 6, 1)) == "Gyereknap; Pünkösd"
        with force_locale("ro"):
            assert holiday_name(date(2026, 12, 25)) == "Crăciunul"
        assert holiday_name(date(2026, 12, 2)) is None
