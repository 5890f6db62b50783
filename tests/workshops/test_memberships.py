"""Support-group memberships that would contradict themselves are refused, on the right field."""

from datetime import date, datetime, time

import pytest
from sqlalchemy import func, select

from daycentre.core.errors import Refused
from daycentre.core.localtime import BUCHAREST
from daycentre.extensions import db
from daycentre.workshops import services as workshops
from daycentre.workshops.models import GroupMembership
from tests.conftest import text_of
from tests.factories import make_adult, make_family, make_room


def at(day: date, hour: int = 16) -> datetime:
    return datetime.combine(day, time(hour)).replace(tzinfo=BUCHAREST)


@pytest.fixture
def group(centre, users):
    counsellor = users["counsellor"]
    group = workshops.create_group(
        centre,
        actor=counsellor,
        topic="Părinți singuri",
        facilitator=counsellor,
        room=make_room(centre, name="Sala mare"),
    )
    db.session.commit()
    return group


@pytest.fixture
def ilona(centre):
    adult = make_adult(make_family(centre, name="Kelemen"), given_name="Ilona")
    db.session.commit()
    return adult


def _refusal(service, *args, **kwargs) -> Refused:
    with pytest.raises(Refused) as refused:
        service(*args, **kwargs)
    db.session.rollback()
    return refused.value


@pytest.mark.parametrize(
    ("first", "second", "field"),
    [
        ((date(2026, 3, 1), None), date(2026, 9, 1), "person_id"),  # still a member
        ((date(2026, 3, 1), date(2026, 6, 30)), date(2026, 6, 30), "day"),  # the day she left
        ((date(2026, 3, 1), date(2026, 6, 30)), date(2026, 5, 1), "day"),  # within the period
        ((date(2026, 3, 1), date(2026, 6, 30)), date(2026, 1, 1), "day"),  # open, from before
    ],
)
def test_a_parent_cannot_be_a_member_twice_over_overlapping_periods(
    group, ilona, users, first, second, field
):
    actor = users["coordinator"]
    joined, left = first
    membership = workshops.join_group(group, ilona, actor=actor, on=joined)
    if left:
        workshops.leave_group(membership, actor=actor, on=left)
    db.session.commit()
    refusal = _refusal(workshops.join_group, group, ilona, actor=actor, on=second)
    assert refusal.field == field
    assert "Kelemen" in str(refusal.message) or "Ilona" in str(refusal.message)
    count = select(func.count(GroupMembership.id)).where(GroupMembership.person_id == ilona.id)
    assert db.session.scalar(count) == 1


def test_a_parent_rejoins_after_her_membership_ended(group, ilona, users):
    actor = users["coordinator"]
    first = workshops.join_group(group, ilona, actor=actor, on=date(2026, 3, 1))
    workshops.leave_group(first, actor=actor, on=date(2026, 6, 30))
    again = workshops.join_group(group, ilona, actor=actor, on=date(2026, 7, 1))
    meeting = workshops.add_meetings(
        group, actor=users["counsellor"], first_start=at(date(2026, 11, 26)), minutes=60
    )[0]
    workshops.record_meeting_attendance(meeting, actor=actor, present_ids={ilona.id})
    # Listed once at the meeting, however many memberships she had.
    assert workshops.members_on(group, date(2026, 11, 26)) == [again]


def test_leaving_before_a_meeting_she_attended_is_refused(group, ilona, users):
    actor = users["coordinator"]
    membership = workshops.join_group(group, ilona, actor=actor, on=date(2026, 11, 1))
    first, second = workshops.add_meetings(
        group,
        actor=users["counsellor"],
        first_start=at(date(2026, 11, 5)),
        minutes=60,
        count=2,
    )
    workshops.record_meeting_attendance(first, actor=actor, present_ids={ilona.id})
    workshops.record_meeting_attendance(second, actor=actor, present_ids=set())  # absent
    db.session.commit()

    refusal = _refusal(workshops.leave_group, membership, actor=actor, on=date(2026, 11, 4))
    assert refusal.field == "day"
    assert "05.11.2026" in str(refusal.message)
    assert db.session.get(GroupMembership, membership.id).left_on is None
    # The day of that meeting and later are fine, whatever the absences after it.
    workshops.leave_group(membership, actor=actor, on=date(2026, 11, 5))
    assert membership.left_on == date(2026, 11, 5)


def test_leaving_before_joining_is_refused_on_the_date(group, ilona, users):
    membership = workshops.join_group(
        group, ilona, actor=users["coordinator"], on=date(2026, 11, 1)
    )
    refusal = _refusal(
        workshops.leave_group, membership, actor=users["coordinator"], on=date(2026, 10, 31)
    )
    assert refusal.field == "day"


# --- The forms ----------------------------------------------------------------------------------


def _message_on(page: str, field_id: str) -> str:
    """The text of the error shown under the field ``field_id``."""
    import re

    found = re.search(rf'<small id="{field_id}-error(?:-1)?" class="field-error">([^<]*)<', page)
    assert found, f"no error on {field_id}"
    return found.group(1)


def test_the_join_form_puts_each_refusal_on_its_field(client, login_as, group, ilona):
    login_as("coordinator")
    url = f"/workshops/groups/{group.id}/join"
    page = client.post(url, data={"person_id": str(ilona.id), "day": "31.02.2026"})
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "dată" in _message_on(html, "day").lower()  # a date message, not "choose an adult"
    assert "Alegeți un adult" not in text_of(page)

    client.post(url, data={"person_id": str(ilona.id), "day": "2026-03-01"})
    membership = db.session.scalars(select(GroupMembership)).one()
    client.post(f"/workshops/groups/members/{membership.id}/leave", data={"day": "2026-06-30"})
    page = client.post(url, data={"person_id": str(ilona.id), "day": "2026-05-01"})
    message = _message_on(page.get_data(as_text=True), "day")
    assert "30.06.2026" in message
    assert db.session.scalar(select(func.count(GroupMembership.id))) == 1


@pytest.mark.parametrize("day", ["", "2026-13-45", "not a date"])
def test_a_bad_leaving_date_is_answered_on_the_date(client, login_as, group, ilona, users, day):
    membership = workshops.join_group(group, ilona, actor=users["coordinator"], on=date(2026, 3, 1))
    db.session.commit()
    login_as("coordinator")
    page = client.post(f"/workshops/groups/members/{membership.id}/leave", data={"day": day})
    assert page.status_code == 200
    assert _message_on(page.get_data(as_text=True), f"leave-{membership.id}")
    assert db.session.get(GroupMembership, membership.id).left_on is None


def test_leaving_before_an_attended_meeting_is_answered_on_the_date_in_hungarian(
    client, login_as, group, ilona, users
):
    membership = workshops.join_group(
        group, ilona, actor=users["coordinator"], on=date(2026, 11, 1)
    )
    meeting = workshops.add_meetings(
        group, actor=users["counsellor"], first_start=at(date(2026, 11, 5)), minutes=60
    )[0]
    workshops.record_meeting_attendance(meeting, actor=users["coordinator"], present_ids={ilona.id})
    users["coordinator"].locale = "hu"
    db.session.commit()
    login_as("coordinator")
    page = client.post(
        f"/workshops/groups/members/{membership.id}/leave", data={"day": "2026-11-04"}
    )
    message = _message_on(page.get_data(as_text=True), f"leave-{membership.id}")
    assert "2026. 11. 05." in message or "2026.11.05" in message
    assert "jelen" in message.lower()
    assert db.session.get(GroupMembership, membership.id).left_on is None
