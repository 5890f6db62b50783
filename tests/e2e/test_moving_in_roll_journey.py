"""Journey: a coordinator moves the month's paper roll in, in Hungarian: the centre's children
with a letter for each day, as the roll was kept before the app; one row names a child the
register does not know. The preview names it, the other rows are imported and undone.

The clock is set to the 10th of next month: the demo's rolls are all of this month, so the days
written here are ones the app has not taken yet."""

from datetime import date, datetime, timedelta

import pytest
import time_machine
from flask_babel import force_locale
from playwright.sync_api import expect

from daycentre.attendance.models import Attendance
from daycentre.centres.calendar import closed_days
from daycentre.centres.models import Group
from daycentre.core.localtime import BUCHAREST, today
from daycentre.enrolment.services import children_active_on
from daycentre.extensions import db
from daycentre.moving_in.columns import columns_of
from tests.e2e.pages import assert_accessible, screenshot, tr
from tests.moving_in.files import xlsx

pytestmark = pytest.mark.browser

GROUP = "Clasele I–IV"
ROLL_COLUMNS = ("family_name", "given_name", "birth_date", "cnp", "group")


def _tenth_of_next_month() -> datetime:
    first = (today().replace(day=1) + timedelta(days=32)).replace(day=1)
    return datetime(first.year, first.month, 10, 10, 0, tzinfo=BUCHAREST)


def _paper_roll(app, tmp_path, day: date):
    """The group's children, "J" (present) on each day with activity so far, one "H"."""
    with app.app_context():
        group = db.session.scalar(db.select(Group).where(Group.name == GROUP))
        first = day.replace(day=1)
        closed = closed_days(group.centre, group, first, day)
        open_days = [first + timedelta(days=n) for n in range(day.day)]
        open_days = [d for d in open_days if d not in closed]
        children = [e.person for e in children_active_on(group.id, day)]
        with app.test_request_context(), force_locale("hu"):
            columns = columns_of("attendance")
            headers = [str(columns[key].label) for key in ROLL_COLUMNS]
        headers += [
            str(n) for n in range(1, 32) if (first + timedelta(days=n - 1)).month == first.month
        ]
        rows = []
        for index, child in enumerate(children):
            marks = {d.day: "J" for d in open_days}
            if index == 0:
                marks[open_days[0].day] = "H"
            rows.append(
                [child.family_name, child.given_name, child.birth_date.isoformat(), "", GROUP]
                + [marks.get(n, "") for n in range(1, len(headers) - 4)]
            )
        rows.append(["Nincs", "Ilyen", "2016-01-01", "", GROUP, "J"])
        centre_id = group.centre_id
    path = tmp_path / "jelenleti-iv.xlsx"
    path.write_bytes(xlsx(headers, rows))
    return path, centre_id, len(children), len(children) * len(open_days)


def _marks(app, day: date) -> int:
    with app.app_context():
        return db.session.scalar(
            db.select(db.func.count(Attendance.id)).where(Attendance.day >= day.replace(day=1))
        )


def test_a_coordinator_moves_the_months_roll_in_and_undoes_it(
    signed_in_page, live_server, tmp_path
):
    app = live_server.app
    with time_machine.travel(_tenth_of_next_month(), tick=True):
        day = today()
        roll, centre_id, children, marks = _paper_roll(app, tmp_path, day)
        assert children and marks
        page = signed_in_page("coordinator", "hu")
        page.goto("/attendance/")
        with page.expect_navigation():
            page.get_by_role("button", name=tr("hu", "Import this month's roll")).first.click()
        expect(page.locator("main")).to_contain_text(
            tr(
                "hu",
                "The whole current month can be imported, beyond the days a roll can still be "
                "corrected; a roll already taken in the app is never overwritten. Meals are "
                "not imported.",
            )  # fmt: skip
        )
        page.locator("input[type=file]").set_input_files(str(roll))
        with page.expect_navigation():
            page.get_by_role("button", name=tr("hu", "Read the file")).click()
        main = page.locator("main")
        expect(main).to_contain_text(
            tr("hu", "%(num)d row can be imported", children, num=children)
        )
        expect(main).to_contain_text(
            tr(
                "hu",
                "No child with this name and date of birth (or CNP) is in the centre's register.",
            )
        )
        assert _marks(app, day) == 0  # the preview saves nothing
        screenshot(page, "moving-in-roll-preview-hu")
        assert_accessible(page)

        with page.expect_navigation():
            page.get_by_role("button", name=tr("hu", "Import the rows without problems")).click()
        expect(main).to_contain_text(tr("hu", "%(num)d row was imported.", children, num=children))
        assert _marks(app, day) == marks

        with page.expect_navigation():
            page.get_by_role("button", name=tr("hu", "Undo the import")).first.click()
        expect(main).to_contain_text(
            tr("hu", "The import was undone: the records it created were removed.")
        )
        assert _marks(app, day) == 0
