"""Withdrawing a consent is its own action: a date, a "withdrawn" state apart from "expired", an
audit entry; the withdrawn consent stays on record."""

import re
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from daycentre.audit.models import AuditEntry
from daycentre.core.errors import Refused
from daycentre.core.localtime import today
from daycentre.extensions import db
from daycentre.people import services as people
from daycentre.people.models import Consent, ConsentPurpose
from tests.conftest import text_of
from tests.factories import make_child, make_family

GIVEN_ON = date(2025, 9, 1)


@pytest.fixture
def child(centre):
    child = make_child(make_family(centre, name="Bartha"), given_name="Emőke")
    db.session.commit()
    return child


@pytest.fixture
def photos(child, users):
    consent = people.save_consent(
        None,
        person=child,
        actor=users["coordinator"],
        purpose=ConsentPurpose.PHOTOS,
        given_by="Bartha Judit (mama)",
        given_on=GIVEN_ON,
    )
    db.session.commit()
    return consent


def _state(child, purpose=ConsentPurpose.PHOTOS, day=None):
    db.session.expire_all()
    return {s.purpose: s.state for s in people.consent_states(child, day)}[purpose]


def test_a_withdrawn_consent_is_withdrawn_not_expired_and_audited(child, photos, users):
    withdrawn_on = today() - timedelta(days=3)
    people.withdraw_consent(
        photos, actor=users["coordinator"], on=withdrawn_on, version=photos.version
    )
    db.session.commit()
    assert _state(child) == people.WITHDRAWN
    assert _state(child, day=withdrawn_on - timedelta(days=1)) == people.GIVEN
    [entry] = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "withdraw"))
    assert (entry.entity, entry.entity_id, entry.person_id) == ("consents", photos.id, child.id)
    assert entry.changes == {"withdrawn_on": [None, withdrawn_on.isoformat()]}
    assert entry.actor_id == users["coordinator"].id

    expiring = people.save_consent(
        None,
        person=child,
        actor=users["coordinator"],
        purpose=ConsentPurpose.SCHOOL_SHARING,
        given_by="Bartha Judit (mama)",
        given_on=GIVEN_ON,
        expires_on=GIVEN_ON + timedelta(days=30),
    )
    assert _state(child, ConsentPurpose.SCHOOL_SHARING) == people.EXPIRED
    assert expiring.withdrawn_on is None


@pytest.mark.parametrize(
    ("on", "words"),
    [
        (lambda: today() + timedelta(days=1), "viitor"),
        (lambda: GIVEN_ON - timedelta(days=1), "01.09.2025"),
    ],
)
def test_a_withdrawal_date_that_contradicts_the_consent_is_refused(child, photos, users, on, words):
    with pytest.raises(Refused) as refused:
        people.withdraw_consent(photos, actor=users["coordinator"], on=on())
    db.session.rollback()
    assert refused.value.field == "withdrawn_on"
    assert words in str(refused.value.message)
    assert db.session.get(Consent, photos.id).withdrawn_on is None
    assert not db.session.scalars(select(AuditEntry).where(AuditEntry.action == "withdraw")).all()


def test_an_expired_consent_cannot_be_withdrawn_after_its_expiry(child, users):
    consent = people.save_consent(
        None,
        person=child,
        actor=users["coordinator"],
        purpose=ConsentPurpose.PHOTOS,
        given_by="Bartha Judit (mama)",
        given_on=GIVEN_ON,
        expires_on=date(2025, 12, 31),
    )
    with pytest.raises(Refused, match="31.12.2025"):
        people.withdraw_consent(consent, actor=users["coordinator"], on=date(2026, 1, 5))


def test_a_withdrawn_consent_is_kept_neither_edited_nor_deleted_nor_withdrawn_again(
    child, photos, users
):
    coordinator = users["coordinator"]
    people.withdraw_consent(photos, actor=coordinator, on=today())
    db.session.commit()
    for attempt in (
        lambda: people.save_consent(
            photos,
            person=child,
            actor=coordinator,
            version=photos.version,
            purpose=ConsentPurpose.PHOTOS,
            given_by="Altcineva",
            given_on=GIVEN_ON,
        ),
        lambda: people.delete_consent(photos, actor=coordinator),
        lambda: people.withdraw_consent(photos, actor=coordinator, on=today()),
    ):
        with pytest.raises(Refused, match="retras"):
            attempt()
        db.session.rollback()
    assert db.session.get(Consent, photos.id).given_by == "Bartha Judit (mama)"
    # Given again later: a new consent, and the purpose holds again.
    people.save_consent(
        None,
        person=child,
        actor=coordinator,
        purpose=ConsentPurpose.PHOTOS,
        given_by="Bartha Judit (mama)",
        given_on=today(),
    )
    assert _state(child) == people.GIVEN


def test_the_withdrawal_page_records_it_and_the_person_page_shows_it(
    client, login_as, child, photos
):
    login_as("coordinator")
    person_page = client.get(f"/people/{child.id}").get_data(as_text=True)
    url = f"/people/{child.id}/consents/{photos.id}/withdraw"
    assert url in person_page
    form = client.get(url)
    assert form.status_code == 200

    refused = client.post(url, data={"withdrawn_on": "2025-08-01", "version": photos.version})
    message = re.search(
        r'<small id="withdrawn_on-error-1" class="field-error">([^<]*)<',
        refused.get_data(as_text=True),
    )
    assert message and "01.09.2025" in message.group(1)
    bad = client.post(url, data={"withdrawn_on": "32.13.2025", "version": photos.version})
    assert 'id="withdrawn_on-error-1"' in bad.get_data(as_text=True)
    assert db.session.get(Consent, photos.id).withdrawn_on is None

    day = today() - timedelta(days=1)
    done = client.post(
        url,
        data={"withdrawn_on": day.isoformat(), "version": photos.version},
        follow_redirects=True,
    )
    page = text_of(done)
    assert "Retras" in page
    assert "Expirat" not in page
    assert url not in done.get_data(as_text=True)  # nothing left to withdraw
    assert db.session.get(Consent, photos.id).withdrawn_on == day


def test_deleting_a_withdrawn_consent_is_refused_with_a_message(client, login_as, child, photos):
    people.withdraw_consent(photos, actor=None, on=today())
    db.session.commit()
    login_as("coordinator")
    response = client.post(f"/people/{child.id}/consents/{photos.id}/delete", follow_redirects=True)
    assert response.status_code == 200
    assert "retras" in text_of(response)
    assert db.session.get(Consent, photos.id) is not None
