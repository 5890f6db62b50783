"""The monthly sheet's PDF is laid out once and served again while the month is unchanged; any
change to what it shows lays it out afresh, and every download stays in the audit trail."""

from datetime import date

import pytest

from daycentre.attendance import services as attendance
from daycentre.attendance.models import AttendanceStatus, KeptSheet
from daycentre.attendance.services import Mark
from daycentre.audit.models import AuditEntry
from daycentre.core import documents
from daycentre.extensions import db
from tests.factories import make_group, make_group_of_children

URL = "/attendance/groups/{}/sheet.pdf?month=2026-10"


@pytest.fixture
def layouts(monkeypatch):
    """The HTML of each PDF WeasyPrint lays out, in order."""
    made = []
    real = documents.lay_out_pdf

    def counting(html):
        made.append(html)
        return real(html)

    monkeypatch.setattr("daycentre.attendance.views.lay_out_pdf", counting)
    return made


@pytest.fixture
def group(centre):
    return make_group(centre, name="Clasele I–IV")


def _exports():
    return db.session.scalar(
        db.select(db.func.count(AuditEntry.id)).where(AuditEntry.action == "export")
    )


def test_a_second_download_of_an_unchanged_month_is_not_laid_out_again(
    client, login_as, group, layouts
):
    login_as("coordinator")
    make_group_of_children(group, 3)
    first = client.get(URL.format(group.id))
    second = client.get(URL.format(group.id))
    assert first.status_code == second.status_code == 200
    assert second.data == first.data and first.data.startswith(b"%PDF")
    assert len(layouts) == 1
    assert _exports() == 2  # both downloads are in the trail


def test_a_new_mark_lays_the_sheet_out_again(client, login_as, group, users, layouts):
    login_as("coordinator")
    children = make_group_of_children(group, 2)
    client.get(URL.format(group.id))
    attendance.record_roll(
        group,
        date(2026, 10, 6),
        {
            children[0].id: Mark(AttendanceStatus.ABSENT_UNEXCUSED),
            children[1].id: Mark(AttendanceStatus.PRESENT),
        },
        actor=users["admin"],
    )
    db.session.commit()
    changed = client.get(URL.format(group.id))
    assert changed.status_code == 200
    assert len(layouts) == 2
    assert layouts[1] != layouts[0]
    again = client.get(URL.format(group.id))
    assert again.data == changed.data and len(layouts) == 2


def test_another_language_is_another_sheet(client, login_as, group, users, layouts):
    user = login_as("coordinator")
    make_group_of_children(group, 2)
    romanian = client.get(URL.format(group.id))
    user.locale = "hu"
    db.session.commit()
    hungarian = client.get(URL.format(group.id))
    assert len(layouts) == 2 and hungarian.data != romanian.data
    assert 'lang="hu"' in layouts[1]


def test_kept_sheets_can_all_be_forgotten(app, group):
    """What anonymise() does before it replaces anyone's name."""
    attendance.kept_sheet_pdf("<html>Ana</html>", "layout", lambda html: b"%PDF kept")
    db.session.commit()
    assert db.session.scalar(db.select(db.func.count()).select_from(KeptSheet)) == 1
    attendance.forget_kept_sheets()
    assert db.session.scalar(db.select(db.func.count()).select_from(KeptSheet)) == 0
