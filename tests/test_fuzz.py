"""Every form, fed hypothesis-generated input: the app answers 2xx, 3xx or 4xx, never 500, and a
refused submission leaves every table as it was."""

import os
import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from daycentre.extensions import db

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "12"))
FIELD = re.compile(r'<(?:input|select|textarea)[^>]*\bname="([^"]+)"', re.S)
FORM = re.compile(r'<form[^>]*method="post"[^>]*?(?:action="([^"]*)")?[^>]*>(.*?)</form>', re.S)

nasty_text = st.one_of(
    st.text(max_size=50),
    st.text(min_size=5000, max_size=20000, alphabet="aăâîșțşţ\u0301\u200b\U0001f600"),
    st.just("\x00"),
    st.sampled_from(
        [
            "-1",
            "0",
            "99999999999999999999999",
            "1e309",
            "NaN",
            "=cmd|' /C calc'!A0",
            "  ",
            "2026-02-30",
            "25:61",
        ]
    ),
)


def _forms_on(client, url):
    page = client.get(url).get_data(as_text=True)
    for action, body in FORM.findall(page):
        names = sorted(set(FIELD.findall(body)) - {"csrf_token"})
        yield (action or url), names


def _row_counts():
    return {
        table.name: db.session.scalar(select(func.count()).select_from(table))
        for table in db.metadata.sorted_tables
    }


def _pages(app, centre):
    """Pages with forms, as the admin reaches them; each area adds its own."""
    outreach = [
        f"/outreach/{kind}/new"
        for kind in ("campaigns", "materials", "agreements", "trainings", "resources")
    ]
    return [
        "/auth/users/new",
        "/auth/password",
        "/centres/new",
        f"/centres/{centre.id}",
        f"/centres/{centre.id}/edit",
        f"/centres/{centre.id}/groups/new",
        f"/centres/{centre.id}/rooms/new",
        *outreach,
        "/cases/new",
        *_attendance_pages(centre),
        *_workshop_pages(centre),
    ]


def _workshop_pages(centre):
    """A workshop with a participant, a support group with a member and a meeting."""
    from datetime import datetime

    from daycentre.localtime import BUCHAREST
    from daycentre.workshops import services as workshops
    from tests.factories import make_adult, make_family, make_room, make_user, make_workshop

    counsellor = make_user("counsellor", centres=[centre])
    room = make_room(centre)
    workshop = make_workshop(centre, room, [counsellor])
    adult = make_adult(make_family(centre, name="Fuzz"))
    workshops.register(workshop, adult, actor=counsellor)
    group = workshops.create_group(
        centre, actor=counsellor, topic="Mame", facilitator=counsellor, room=room
    )
    workshops.join_group(group, adult, actor=counsellor, on=datetime(2026, 11, 1).date())
    meeting = workshops.add_meetings(
        group,
        actor=counsellor,
        first_start=datetime(2026, 11, 26, 12, tzinfo=BUCHAREST),
        minutes=60,
    )[0]
    db.session.commit()
    return [
        f"/workshops/new/{centre.id}",
        f"/workshops/{workshop.id}",
        f"/workshops/{workshop.id}/edit",
        f"/workshops/sessions/{workshop.sessions[0].id}/edit",
        f"/workshops/sessions/{workshop.sessions[0].id}/attendance",
        f"/workshops/groups/new/{centre.id}",
        f"/workshops/groups/{group.id}",
        f"/workshops/groups/meetings/{meeting.id}/attendance",
    ]


def _attendance_pages(centre):
    """The roll of a group with two children and a meal, the menus, meal types, the allowance."""
    from tests.attendance.helpers import operating_days_back
    from tests.factories import make_group, make_group_of_children, make_meal_type

    group = make_group(centre)
    make_group_of_children(group, 2)
    make_meal_type(centre)
    db.session.commit()
    day = operating_days_back(centre, 1)[0].isoformat()
    return [
        f"/attendance/groups/{group.id}/roll?day={day}",
        f"/attendance/centres/{centre.id}/alerts",
        f"/meals/centres/{centre.id}/types",
        f"/meals/centres/{centre.id}/menus?day={day}",
        "/meals/allowances",
    ]


@pytest.fixture
def admin_client(client, login_as):
    login_as("admin")
    return client


def test_forms_survive_hostile_input(app, admin_client, centre, users):
    forms = []
    for url in _pages(app, centre):
        forms.extend(_forms_on(admin_client, url))
    forms = [(action, names) for action, names in forms if not action.endswith("/auth/logout")]
    assert len(forms) >= 12

    @settings(
        max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck), database=None
    )
    @given(data=st.data())
    def submit(data):
        action, names = data.draw(st.sampled_from(forms))
        values = {name: data.draw(nasty_text) for name in names}
        before = _row_counts()
        response = admin_client.post(action, data=values)
        assert response.status_code < 500, (action, values)
        if response.status_code != 302:
            assert _row_counts() == before, f"refused submission to {action} changed data"

    submit()


@pytest.mark.parametrize(
    "raw_id", ["99999999999999999999", "2147483648", "-1", "abc", "1.5", "%00"]
)
def test_odd_ids_in_urls_answer_404(admin_client, raw_id):
    for url in (
        f"/centres/{raw_id}",
        f"/auth/users/{raw_id}/edit",
        f"/centres/1/groups/{raw_id}/edit",
    ):
        assert admin_client.get(url).status_code == 404


def test_odd_filters_on_the_audit_trail(admin_client):
    for value in ("99999999999999999999", "-5", "x", "\x00"):
        response = admin_client.get(
            "/audit/", query_string={"person_id": value, "actor_id": value, "date_from": value}
        )
        assert response.status_code < 500
