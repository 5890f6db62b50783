"""Signals from the day centre become tasks on a child's open case: repeated unexcused absences
at the roll-call and missed counselling sessions."""

from datetime import date, datetime, timedelta

from daycentre.attendance import services as attendance
from daycentre.attendance.models import AttendanceStatus
from daycentre.attendance.services import Mark
from daycentre.cases.models import CaseStage, CaseTask, TaskSource
from daycentre.core.localtime import BUCHAREST
from daycentre.counselling import services as counselling
from daycentre.extensions import db
from tests.conftest import text_of
from tests.factories import make_case, make_group, make_group_of_children, make_room, make_session

P, U = AttendanceStatus.PRESENT, AttendanceStatus.ABSENT_UNEXCUSED


def _tasks(source):
    return db.session.scalars(db.select(CaseTask).where(CaseTask.source == source)).all()


def test_an_absence_alert_becomes_one_task_on_the_childs_open_case(app, centre, users):
    group = make_group(centre)
    child, classmate = make_group_of_children(group, 2, start=date(2026, 1, 5))
    case = make_case(centre, actor=users["admin"], family=child.family, children=[child])
    db.session.commit()
    days = [date(2026, 11, d) for d in (10, 11, 12, 13, 16)]
    for day, status in zip(days, (P, P, U, U, U), strict=True):
        marks = {child.id: Mark(status), classmate.id: Mark(P)}
        attendance.record_roll(group, day, marks, actor=users["admin"])
    tasks = _tasks(TaskSource.ABSENCES)
    assert [(task.case_id, child.given_name in task.wording) for task in tasks] == [(case.id, True)]

    attendance.record_roll(
        group, date(2026, 11, 17), {child.id: Mark(U), classmate.id: Mark(P)}, actor=users["admin"]
    )
    assert len(_tasks(TaskSource.ABSENCES)) == 1, "the open task is not raised twice"


def test_a_closed_case_gets_no_task(app, centre, users):
    group = make_group(centre)
    child, classmate = make_group_of_children(group, 2, start=date(2026, 1, 5))
    case = make_case(centre, actor=users["admin"], family=child.family, children=[child])
    case.stage = CaseStage.CLOSED
    db.session.commit()
    for day in (date(2026, 11, 12), date(2026, 11, 13), date(2026, 11, 16)):
        attendance.record_roll(
            group, day, {child.id: Mark(U), classmate.id: Mark(P)}, actor=users["admin"]
        )
    assert _tasks(TaskSource.ABSENCES) == []


def test_the_second_missed_session_raises_a_task(app, centre, users):
    child = make_group_of_children(make_group(centre), 1, start=date(2026, 1, 5))[0]
    case = make_case(centre, actor=users["admin"], family=child.family, children=[child])
    room = make_room(centre)
    first, second = (
        make_session(
            users["counsellor"],
            room,
            person=child,
            start=datetime(2026, 11, day, 14, tzinfo=BUCHAREST),
        )
        for day in (10, 17)
    )
    db.session.commit()
    counselling.record_outcome(
        first, actor=users["counsellor"], version=first.version, status="no_show"
    )
    assert _tasks(TaskSource.NO_SHOWS) == []
    counselling.record_outcome(
        second, actor=users["counsellor"], version=second.version, status="no_show"
    )
    tasks = _tasks(TaskSource.NO_SHOWS)
    assert [task.case_id for task in tasks] == [case.id]
    assert second.starts_at - first.starts_at == timedelta(days=7)


def test_a_task_raised_by_an_alert_reads_in_each_readers_language(client, login, centre, users):
    """Raised while a Romanian-speaking coordinator saved the roll, the task is stored as whom it
    is about and read in Hungarian by a Hungarian reader."""
    from flask_babel import force_locale

    group = make_group(centre)
    child, classmate = make_group_of_children(group, 2, start=date(2026, 1, 5))
    child.given_name, child.family_name = "Anna", "Kovács"
    case = make_case(centre, actor=users["admin"], family=child.family, children=[child])
    db.session.commit()
    with force_locale("ro"):
        for day in (date(2026, 11, 12), date(2026, 11, 13), date(2026, 11, 16)):
            attendance.record_roll(
                group, day, {child.id: Mark(U), classmate.id: Mark(P)}, actor=users["admin"]
            )
    db.session.commit()
    task = _tasks(TaskSource.ABSENCES)[0]
    assert task.text is None and task.person_id == child.id

    users["admin"].locale = "hu"
    db.session.commit()
    login(users["admin"])
    page = text_of(client.get(f"/cases/{case.id}"))
    assert "Kovács Anna szerepel a nappali központ hiányzási figyelmeztetései között" in page
    assert "figurează" not in page
    assert "Hiányzási figyelmeztetés alapján felvett feladat · Kovács Anna" in page  # timeline
    client.post("/auth/logout")
    users["admin"].locale = "ro"
    db.session.commit()
    login(users["admin"])
    page = text_of(client.get(f"/cases/{case.id}"))
    assert "Anna Kovács figurează în alerta de absențe a centrului de zi" in page


def test_a_task_typed_by_hand_shows_as_typed(app, centre, users):
    from daycentre.cases.tasks import add_task

    case = make_case(centre, actor=users["admin"])
    task = add_task(case, text="Sunați la școală.", actor=users["admin"])
    assert task.wording == "Sunați la școală." and task.person_id is None
