"""The current month's roll moved in from the centre's paper roll (one row per child, one column
per day). The clock is set to Friday 20 November 2026 in each test: the month's weekends, its
public holiday (30 November) and the days still to come are then known."""

from datetime import date, datetime

import pytest
import time_machine
from flask_babel import force_locale

from daycentre.attendance.models import Attendance, AttendanceStatus, RollCall
from daycentre.audit.models import AuditEntry
from daycentre.centres.models import ClosureDay
from daycentre.core.errors import Refused
from daycentre.core.localtime import BUCHAREST
from daycentre.extensions import db
from daycentre.moving_in import services as moving_in
from daycentre.moving_in.models import ImportStatus
from tests.factories import make_child, make_enrolment, make_group, make_user
from tests.moving_in.files import cnp_for, csv_bytes, roll_headers, roll_row, xlsx

S = AttendanceStatus


@pytest.fixture(autouse=True)
def on_20_november():
    with time_machine.travel(datetime(2026, 11, 20, 10, 0, tzinfo=BUCHAREST), tick=False):
        yield date(2026, 11, 20)


@pytest.fixture
def group(centre):
    return make_group(centre, name="Clasele I-IV", capacity=30)


@pytest.fixture
def coordinator(centre):
    return make_user("coordinator", centres=[centre])


@pytest.fixture
def ana(centre, group):
    child = make_child(centre=centre, family_name="Kovács", given_name="Ána",
                       birth_date=date(2016, 3, 14))  # fmt: skip
    make_enrolment(child, group)
    return child


@pytest.fixture
def ion(centre, group):
    child = make_child(centre=centre, family_name="Popescu", given_name="Ion",
                       birth_date=date(2017, 5, 2), cnp=cnp_for(date(2017, 5, 2), "M"))  # fmt: skip
    make_enrolment(child, group)
    return child


def upload(centre, actor, content, name="prezenta.xlsx"):
    return moving_in.read_upload(
        centre, kind="attendance", file_name=name, content=content, actor=actor
    )


def problems_of(rows):
    with force_locale("en"):
        return {row.number: [(p.column, str(p.message)) for p in row.problems] for row in rows}


def marks():
    return {
        (a.person_id, a.day.day): a.status
        for a in db.session.scalars(db.select(Attendance).order_by(Attendance.day))
    }


def test_the_months_paper_roll_is_imported_and_undone(centre, group, coordinator, ana, ion):
    rows = [
        # Romanian letters; the name without its accents, the date of birth the Romanian way.
        roll_row("Kovacs", "Ana", "14.03.2016", marks={2: "P", 3: "M", 4: "N", 7: "–"}),
        # Found by CNP alone, marked with the Hungarian letters, in lower case.
        roll_row("", "", cnp=ion.cnp, marks={2: "j", 3: "I", 4: "H"}),
    ]
    rows[1][0:2] = ["Popescu", "Ion"]
    batch = upload(centre, coordinator, xlsx(roll_headers(), rows))
    checked = moving_in.check_rows(batch, actor=coordinator)
    assert problems_of(checked) == {2: [], 3: []}
    assert marks() == {}  # the preview saves nothing

    assert moving_in.confirm_import(batch, actor=coordinator) == 2
    db.session.commit()
    assert marks() == {
        (ana.id, 2): S.PRESENT, (ana.id, 3): S.ABSENT_EXCUSED, (ana.id, 4): S.ABSENT_UNEXCUSED,
        (ion.id, 2): S.PRESENT, (ion.id, 3): S.ABSENT_EXCUSED, (ion.id, 4): S.ABSENT_UNEXCUSED,
    }  # fmt: skip
    # The days are taken: the roll page shows them as taken, by the coordinator who imported.
    taken = db.session.scalars(db.select(RollCall).order_by(RollCall.day)).all()
    assert [(r.day.day, r.group_id, r.saved_by_id) for r in taken] == [
        (day, group.id, coordinator.id) for day in (2, 3, 4)
    ]
    entry = db.session.scalars(db.select(AuditEntry).filter_by(action="import")).one()
    assert entry.changes["kind"] == "attendance" and entry.changes["rows"] == 2
    created = db.session.scalars(
        db.select(AuditEntry).filter_by(action="create", entity="attendances")
    ).all()
    assert sorted(e.person_id for e in created) == sorted([ana.id] * 3 + [ion.id] * 3)

    moving_in.undo_import(batch, actor=coordinator)
    db.session.commit()
    assert marks() == {}
    assert db.session.scalar(db.select(db.func.count(RollCall.id))) == 0
    assert batch.status is ImportStatus.UNDONE


def test_every_problem_is_named_on_its_row_and_day(centre, group, coordinator, ana, ion):
    late = make_child(centre=centre, family_name="Nagy", given_name="Emese",
                      birth_date=date(2015, 6, 1))  # fmt: skip
    make_enrolment(late, group, applied_on=date(2026, 11, 10))
    db.session.add(ClosureDay(centre_id=centre.id, day=date(2026, 11, 12), reason="Inventar"))
    db.session.flush()
    headers = roll_headers(extra=["31", "2026-10-05"])
    rows = [
        roll_row("Kovács", "Ána", "2016-03-14", marks={7: "P"}),  # a Saturday
        roll_row("Kovács", "Ána", "2016-03-14"),  # the same child twice
        roll_row("Popescu", "Ion", "2017-05-02", marks={12: "P", 25: "P", 30: "P"}),
        roll_row("Nagy", "Emese", "2015-06-01", marks={3: "P", 11: "X"}),
        roll_row("Szabó", "Béla", "2015-06-01", marks={2: "P"}),
        roll_row("Nagy", "Emese", "", marks={16: "P"}),
        roll_row("Popescu", "Ion", "2017-05-02", group="Grupa mare"),
    ]
    rows[2] += ["P", ""]
    rows[3] += ["", "P"]
    batch = upload(centre, coordinator, xlsx(headers, rows))
    with force_locale("en"):  # the closed days' reasons are worded when checked
        found = problems_of(moving_in.check_rows(batch, actor=coordinator))
    assert found[2] == [("day_7", "No activity on this day (No activity on this day of the week).")]
    assert found[3] == [("given_name", "This child is already on row 2 of the file.")]
    assert found[4] == [
        ("day_31", "This day is not in the current month."),
        ("day_12", "No activity on this day (Closed: Inventar)."),
        ("day_25", "This day has not come yet."),
        ("day_30", "No activity on this day (Public holiday: Saint Andrew's Day)."),
    ]
    assert found[5][0][0] == "day_11" and "not one of the roll's (P = Present" in found[5][0][1]
    assert found[5][1:] == [
        ("date_2026-10-05", "This day is not in the current month."),
        ("day_3", "The child was not actively enrolled in the group on this day."),
    ]
    no_child = "No child with this name and date of birth (or CNP) is in the centre's register."
    assert found[6] == [("given_name", no_child)]
    assert found[7] == [("birth_date", "Enter the date of birth or the CNP."),
                        ("given_name", no_child)]  # fmt: skip
    assert found[8] == [("group", "The centre has no group named Grupa mare."),
                        ("given_name", "This child is already on row 4 of the file.")]  # fmt: skip


def test_a_roll_taken_in_the_app_is_not_overwritten(centre, group, coordinator, ana, ion):
    db.session.add(RollCall(centre_id=centre.id, group_id=group.id, day=date(2026, 11, 18),
                            saved_by_id=coordinator.id))  # fmt: skip
    for child in (ana, ion):
        db.session.add(Attendance(centre_id=centre.id, group_id=group.id, person_id=child.id,
                                  day=date(2026, 11, 18), status=S.PRESENT))  # fmt: skip
    db.session.flush()
    rows = [
        roll_row("Kovács", "Ána", "2016-03-14", marks={17: "P", 18: "P"}),  # agrees with the app
        roll_row("Popescu", "Ion", "2017-05-02", marks={17: "P", 18: "N"}),  # disagrees
    ]
    batch = upload(centre, coordinator, xlsx(roll_headers(), rows))
    found = problems_of(moving_in.check_rows(batch, actor=coordinator))
    assert found[2] == []
    assert found[3] == [
        (
            "day_18",
            "The roll of this day was already taken in the app; its marks stay: leave this day "
            "out of the file.",
        )
    ]
    assert moving_in.confirm_import(batch, actor=coordinator) == 1
    assert marks() == {(ana.id, 17): S.PRESENT, (ana.id, 18): S.PRESENT, (ion.id, 18): S.PRESENT}


def test_a_whole_month_beyond_the_correction_window(app, centre, group, coordinator, ana):
    """Three weeks back, where the roll page lets only an administrator correct, the import
    still moves the paper roll in for the centre's coordinator."""
    assert app.config["ATTENDANCE_CORRECTION_DAYS"] < 18
    batch = upload(centre, coordinator, xlsx(roll_headers(), [
        roll_row("Kovács", "Ána", "2016-03-14", marks={2: "P", 20: "P"})]))  # fmt: skip
    assert moving_in.confirm_import(batch, actor=coordinator) == 1
    assert set(marks()) == {(ana.id, 2), (ana.id, 20)}


def test_a_file_without_marks_imports_nothing(centre, group, coordinator, ana):
    batch = upload(
        centre, coordinator, xlsx(roll_headers(), [roll_row("Kovács", "Ána", "2016-03-14")])
    )
    with force_locale("en"), pytest.raises(Refused, match="no mark to import"):
        moving_in.confirm_import(batch, actor=coordinator)


def test_a_windows_1250_csv_with_a_full_name_column_and_dates_as_headers(
    centre, group, coordinator, ana, ion
):
    """As a roll kept in LibreOffice and saved as CSV: ';', Windows-1250, one name column
    (family name first, or given name first), the days headed by their dates."""
    headers = ["Nr.", "Numele și prenumele", "CNP", "Data nașterii", "02.11.2026", "03.11.2026"]
    rows = [
        ["1", "Kovács Ána", "", "14.03.2016", "P", "M"],
        ["2", "Ion Popescu", ion.cnp, "", "P", "P"],
    ]
    batch = upload(centre, coordinator, csv_bytes(headers, rows, encoding="cp1250"),
                   name="prezenta.csv")  # fmt: skip
    chosen = moving_in.matched_columns(batch)
    chosen[1] = "name"  # the centre's own header, chosen once in the mapping step
    moving_in.remember_columns(batch, chosen, actor=coordinator)
    assert problems_of(moving_in.check_rows(batch, actor=coordinator)) == {2: [], 3: []}
    assert moving_in.confirm_import(batch, actor=coordinator) == 2
    assert marks() == {
        (ana.id, 2): S.PRESENT, (ana.id, 3): S.ABSENT_EXCUSED,
        (ion.id, 2): S.PRESENT, (ion.id, 3): S.PRESENT,
    }  # fmt: skip


def test_another_centres_child_is_not_found(centre, other_centre, group, coordinator):
    elsewhere = make_child(centre=other_centre, family_name="Kovács", given_name="Ána",
                           birth_date=date(2016, 3, 14))  # fmt: skip
    make_enrolment(elsewhere, make_group(other_centre, name="Clasele I-IV"))
    batch = upload(centre, coordinator, xlsx(roll_headers(), [
        roll_row("Kovács", "Ána", "2016-03-14", marks={2: "P"})]))  # fmt: skip
    found = problems_of(moving_in.check_rows(batch, actor=coordinator))
    assert found[2][0][0] == "given_name"
