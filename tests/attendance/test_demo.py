from daycentre.attendance import services as attendance
from daycentre.attendance.models import Attendance, RollCall
from daycentre.auth.models import User
from daycentre.centres.models import Centre
from daycentre.core.localtime import today
from daycentre.demo import load_demo
from daycentre.extensions import db
from daycentre.meals import services as meals
from daycentre.meals.models import FoodAllowance, MealServed, MealType


def test_the_demo_has_two_months_of_rolls_meals_and_two_children_on_alert(app):
    assert load_demo()
    db.session.commit()
    days = db.session.scalars(db.select(RollCall.day).distinct()).all()
    assert min(days).month != today().month or today().day == 1
    assert max(days) < today()
    assert db.session.scalar(db.select(db.func.count(Attendance.id))) > 500
    assert db.session.scalar(db.select(db.func.count(MealServed.id))) > 500
    assert {m.name for m in db.session.scalars(db.select(MealType))} == {"Masă caldă", "Gustare"}
    amounts = [str(a.amount) for a in meals.allowances()]
    assert amounts == ["22.00", "32.00"]
    assert db.session.scalar(db.select(db.func.count(FoodAllowance.id))) == 2
    centres = list(db.session.scalars(db.select(Centre)))
    alerts = attendance.absence_alerts(centres)
    assert any(a.too_many_in_a_row for a in alerts)
    if any(d >= today().replace(day=1) for d in days):
        assert len(alerts) == 2
        assert any(a.too_many_this_month and not a.too_many_in_a_row for a in alerts)
    else:  # the month's first working day: no roll this month yet, so nobody is often absent
        assert len(alerts) == 1
    # Nothing was recorded for an absent child.
    absent_fed = db.session.scalar(
        db.select(db.func.count(MealServed.id))
        .join(
            Attendance,
            (Attendance.person_id == MealServed.person_id)
            & (Attendance.day == MealServed.day)
            & (Attendance.centre_id == MealServed.centre_id),
        )
        .where(Attendance.status != "present")
    )
    assert absent_fed == 0
    coordinator = db.session.scalar(db.select(User).filter_by(username="coordinator"))
    assert coordinator
