"""The benchmark's county builder keeps the services' invariants, so its timings mean something.

A tiny county (two after-school centres, one counselling centre, two weeks around Orthodox
Easter 2025) is built by the same code as the 5,000-children county of ``make bench``.
"""

from collections import defaultdict
from dataclasses import replace
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select
from werkzeug.security import generate_password_hash

from benchmarks.county import PASSWORD, TINY, build_county
from benchmarks.loader import Loader
from daycentre.attendance.models import Attendance, AttendanceStatus, RollCall
from daycentre.attendance.services import closed_days, monthly_sheet
from daycentre.auth.models import User
from daycentre.centres.models import Centre, CentreKind, Group
from daycentre.counselling.models import OCCUPYING, CounsellingSession
from daycentre.enrolment.models import Enrolment, EnrolmentStatus
from daycentre.enrolment.services import children_active_on
from daycentre.extensions import db
from daycentre.meals.models import MealServed
from daycentre.workshops.models import RegistrationStatus, Workshop, WorkshopRegistration

FIRST, LAST = date(2025, 4, 14), date(2025, 4, 25)  # Good Friday 18, Easter Monday 21 April
SPEC = replace(TINY, first_day=FIRST, last_day=LAST)


@pytest.fixture
def county(app):
    with db.engine.begin() as connection:
        facts = build_county(
            Loader(connection), SPEC, generate_password_hash(PASSWORD, method="pbkdf2:sha256:1000")
        )
    return facts


def _days():
    return [FIRST + timedelta(days=n) for n in range((LAST - FIRST).days + 1)]


def test_every_mark_is_on_an_operating_day_of_an_active_enrolment(county):
    marks = db.session.execute(
        select(Attendance.group_id, Attendance.day, Attendance.person_id)
    ).all()
    assert marks
    by_roll = defaultdict(set)
    for group_id, day, person_id in marks:
        by_roll[(group_id, day)].add(person_id)
    for group in db.session.scalars(select(Group).join(Group.centre)):
        if group.centre.kind is not CentreKind.AFTER_SCHOOL:
            continue
        closed = closed_days(group.centre, group, FIRST, LAST)
        assert date(2025, 4, 18) in closed and date(2025, 4, 21) in closed
        for day in _days():
            expected = {e.person_id for e in children_active_on(group.id, day)}
            marked = by_roll.get((group.id, day), set())
            if day in closed:
                assert not marked, f"marks on {day}, a closed day"
            else:
                assert marked == expected, f"group {group.name} on {day}"


def test_meals_only_for_present_children_and_each_roll_is_saved_by_its_coordinator(county):
    meals = db.session.execute(
        select(MealServed.person_id, MealServed.centre_id, MealServed.day)
    ).all()
    present = set(
        db.session.execute(
            select(Attendance.person_id, Attendance.centre_id, Attendance.day).where(
                Attendance.status == AttendanceStatus.PRESENT
            )
        ).all()
    )
    assert meals and set(meals) <= present
    marked = set(db.session.execute(select(Attendance.group_id, Attendance.day).distinct()).all())
    rolls = db.session.scalars(select(RollCall)).all()
    assert {(r.group_id, r.day) for r in rolls} == marked
    for roll in rolls:
        assert roll.saved_by.role.value == "coordinator"
        assert roll.centre_id in roll.saved_by.centre_ids


def test_enrolments_follow_the_register(county):
    for centre in db.session.scalars(select(Centre)):
        enrolments = db.session.scalars(
            select(Enrolment).where(Enrolment.centre_id == centre.id).order_by(Enrolment.number)
        ).all()
        assert [e.number for e in enrolments] == list(range(1, len(enrolments) + 1))
        assert [e.applied_on for e in enrolments] == sorted(e.applied_on for e in enrolments)
        for enrolment in enrolments:
            if enrolment.status is EnrolmentStatus.WAITING:
                assert enrolment.start_date is None
            else:
                assert enrolment.applied_on <= enrolment.start_date
                assert (enrolment.exit_date is not None) == (
                    enrolment.status is EnrolmentStatus.EXITED
                )
    waiting = db.session.scalar(
        select(func.count(Enrolment.id)).where(Enrolment.status == EnrolmentStatus.WAITING)
    )
    assert waiting == SPEC.waiting


def test_nobody_is_booked_twice_and_workshops_keep_their_places(county):
    sessions = db.session.scalars(
        select(CounsellingSession).where(CounsellingSession.status.in_(OCCUPYING))
    ).all()
    assert sessions
    for key in ("counsellor_id", "room_id"):
        taken = [(getattr(s, key), s.starts_at) for s in sessions]
        assert len(taken) == len(set(taken)), f"{key} booked twice"
    for workshop in db.session.scalars(select(Workshop)):
        registered = db.session.scalar(
            select(func.count(WorkshopRegistration.id)).where(
                WorkshopRegistration.workshop_id == workshop.id,
                WorkshopRegistration.status == RegistrationStatus.REGISTERED,
            )
        )
        assert registered == workshop.taken_places <= workshop.capacity


def test_the_county_opens_in_the_app(county, client):
    coordinator = db.session.scalar(select(User).where(User.username == "coord01"))
    group = db.session.scalar(
        select(Group).where(Group.centre_id == coordinator.centres[0].id).order_by(Group.id)
    )
    sheet = monthly_sheet(group, 2025, 4)
    assert len(sheet.rows) == SPEC.bench_group_size
    response = client.post("/auth/login", data={"username": "coord01", "password": PASSWORD})
    assert response.status_code == 302
    page = client.get(f"/attendance/groups/{group.id}/sheet?month=2025-04")
    assert page.status_code == 200
