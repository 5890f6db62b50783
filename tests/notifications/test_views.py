"""The pages: one's own preferences, a person's, a centre's settings, the outbox."""

from sqlalchemy import select

from daycentre.audit.models import AuditEntry
from daycentre.extensions import db
from daycentre.notifications import services as notify
from daycentre.notifications.models import Event, NotificationPreference
from tests.conftest import text_of
from tests.factories import make_adult, make_family


def test_anyone_signed_in_chooses_their_channels(client, users, login_as):
    for role in ("volunteer", "counsellor", "parent"):
        client.post("/auth/logout")
        user = login_as(role)
        assert client.get("/notifications/preferences").status_code == 200
        response = client.post("/notifications/preferences", data={"email": "y", "sms": "y"})
        assert response.status_code == 302
        stored = db.session.scalar(
            select(NotificationPreference).where(NotificationPreference.user_id == user.id)
        )
        assert (stored.email, stored.sms) == (True, True)
    entry = db.session.scalars(
        select(AuditEntry).where(AuditEntry.entity == "notification_preferences")
    ).first()
    assert entry is not None


def test_staff_set_a_persons_channels_and_language(client, users, centre, login_as):
    adult = make_adult(make_family(centre), email="maria@example.ro")
    db.session.commit()
    login_as("counsellor")
    url = f"/notifications/people/{adult.id}/preferences"
    page = text_of(client.get(url))
    assert "consimțământ" in page  # no consent to messages yet: nothing is sent
    response = client.post(url, data={"email": "y", "locale": "hu"})
    assert response.status_code == 302
    stored = notify.preference_of(person=adult)
    assert (stored.email, stored.sms, stored.locale) == (True, False, "hu")
    entry = db.session.scalars(
        select(AuditEntry).where(AuditEntry.entity == "notification_preferences")
    ).one()
    assert entry.person_id == adult.id
    assert client.post(url, data={"email": "y", "locale": "xx"}).status_code == 200


def test_another_centres_person_and_message_answer_404(
    client, users, centre, other_centre, login_as
):
    stranger = make_adult(make_family(other_centre, name="Ionescu"))
    db.session.commit()
    login_as("coordinator")
    assert client.get(f"/notifications/people/{stranger.id}/preferences").status_code == 404
    assert client.get(f"/notifications/centres/{other_centre.id}/settings").status_code == 404
    assert client.get("/notifications/?state=nonsense").status_code == 404


def test_the_coordinator_turns_events_on_and_off(client, users, centre, login_as):
    assert Event.CHILD_ABSENT not in notify.enabled_events(centre.id)
    login_as("coordinator")
    url = f"/notifications/centres/{centre.id}/settings"
    assert client.get(url).status_code == 200
    response = client.post(url, data={"events": ["child_absent", "place_offered"]})
    assert response.status_code == 302
    enabled = notify.enabled_events(centre.id)
    assert Event.CHILD_ABSENT in enabled and Event.PLACE_OFFERED in enabled
    assert Event.WORKSHOP_REMINDER not in enabled
    assert Event.SIGNUP_CANCELLED in enabled  # always sent
    entries = db.session.scalars(
        select(AuditEntry).where(AuditEntry.entity == "notification_settings")
    ).all()
    changes = {e.changes["event"]: e.changes["enabled"] for e in entries}
    assert changes["child_absent"] == [False, True]
    assert changes["workshop_reminder"] == [True, False]
