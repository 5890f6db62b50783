"""The busiest pages cost a fixed number of SQL queries, whatever the number of centres, groups,
children or search results: counted, not timed (timings live in ``make bench``)."""

from datetime import date, timedelta

import pytest

from daycentre.attendance import services as attendance
from daycentre.attendance.models import AttendanceStatus
from daycentre.attendance.services import Mark
from daycentre.centres.models import ClosureDay
from daycentre.extensions import db
from tests.attendance.helpers import operating_days_back
from tests.factories import (
    make_case,
    make_centre,
    make_contract,
    make_group,
    make_group_of_children,
    make_meal_type,
    make_room,
    make_volunteer,
    make_workshop,
)
from tests.queries import count_queries

S = AttendanceStatus
HOME_QUERIES = 20
ROLL_SAVE_QUERIES = 15


def _centre_in_use(centre, admin, *, children=3):
    """A centre with two groups of children, a room, a meal, a closure day, a waiting child, an
    absence alert, a workshop today, a contract ending soon and an open case."""
    room = make_room(centre)
    make_meal_type(centre)
    db.session.add(ClosureDay(centre=centre, day=date(2026, 10, 30), reason="Inventar"))
    for _ in range(2):
        group = make_group(centre)
        kids = make_group_of_children(group, children)
        days = operating_days_back(centre, 3)
        for day in reversed(days):
            attendance.record_roll(
                group,
                day,
                {kid.id: Mark(S.ABSENT_UNEXCUSED if kid is kids[0] else S.PRESENT) for kid in kids},
                actor=admin,
                version=attendance.roll_for(group, day).version,
            )
    waiting = make_group_of_children(group, 1)[0]
    waiting.enrolments[0].status = "waiting"
    waiting.enrolments[0].start_date = None
    make_workshop(centre, room, [admin], start=_today_at_four())
    make_contract(make_volunteer(centre), ends_on=date.today() + timedelta(days=10))
    make_case(centre, actor=admin)
    db.session.flush()


def _today_at_four():
    from datetime import datetime

    from daycentre.core.localtime import BUCHAREST, today

    day = today()
    return datetime(day.year, day.month, day.day, 16, 0, tzinfo=BUCHAREST)


@pytest.fixture
def county(app, centre, users):
    """``county(n)`` brings the county to ``n`` centres in use (``centre`` is the first)."""
    admin = users["admin"]
    centres = []

    def grow(number):
        while len(centres) < number:
            new = centre if not centres else make_centre()
            _centre_in_use(new, admin)
            centres.append(new)
        db.session.commit()
        return centres

    return grow


def _queries_for(client, url):
    with count_queries() as queries:
        response = client.get(url)
    assert response.status_code == 200
    return queries


def test_the_administrators_home_page_costs_the_same_for_one_centre_as_for_four(
    client, county, login_as
):
    login_as("admin")
    county(1)
    one = _queries_for(client, "/")
    county(4)
    four = _queries_for(client, "/")
    assert len(four) == len(one), four.report()
    assert len(one) <= HOME_QUERIES, one.report()


def test_the_coordinators_home_page_costs_the_same_for_one_centre_as_for_four(
    client, county, users, login_as
):
    coordinator = login_as("coordinator")
    county(1)
    one = _queries_for(client, "/")
    coordinator.centres = county(4)
    db.session.commit()
    four = _queries_for(client, "/")
    assert len(four) == len(one), four.report()
    assert len(one) <= HOME_QUERIES, one.report()


def test_the_people_search_costs_the_same_for_one_centre_as_for_four(client, county, login_as):
    login_as("admin")
    county(1)
    one = _queries_for(client, "/people/?q=Familia")
    county(4)
    four = _queries_for(client, "/people/?q=Familia")
    assert len(four) == len(one), four.report()


def _roll_form(children, lunch, *, version, status=S.PRESENT):
    data = {"version": str(version)}
    for index, child in enumerate(children):
        data[f"status-{child.id}"] = (S.ABSENT_UNEXCUSED if index == 0 else status).value
        if index:
            data[f"meal-{child.id}"] = str(lunch.id)
            data[f"note-{child.id}"] = "A venit cu fratele"
    return data


@pytest.mark.parametrize("again", [False, True], ids=["first save", "correction"])
def test_saving_a_roll_costs_the_same_for_5_as_for_30_children(
    client, centre, users, login_as, again
):
    login_as("coordinator")
    lunch = make_meal_type(centre)
    day = operating_days_back(centre, 1)[0]
    # The home page comes first, and with it the calendar the alerts look back over (the year
    # before, early in a year): each process loads a centre's calendar once, not on every save.
    client.get("/")
    counts = {}
    for size in (5, 30):
        group = make_group(centre, capacity=30)
        children = make_group_of_children(group, size)
        db.session.commit()
        url = f"/attendance/groups/{group.id}/roll?day={day.isoformat()}"
        version = 0
        if again:
            assert client.post(url, data=_roll_form(children, lunch, version=0)).status_code == 302
            version = 1
        sent = _roll_form(
            children, lunch, version=version, status=S.ABSENT_EXCUSED if again else S.PRESENT
        )
        if again:
            sent = {k: v for k, v in sent.items() if not k.startswith("meal-")}
        with count_queries() as queries:
            response = client.post(url, data=sent)
        assert response.status_code == 302, response.get_data(as_text=True)
        counts[size] = queries
    assert len(counts[30]) == len(counts[5]), counts[5].report() + counts[30].report()
    assert len(counts[30]) <= ROLL_SAVE_QUERIES, counts[30].report()
