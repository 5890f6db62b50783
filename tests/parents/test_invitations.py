"""Inviting a parent: a one-time key kept as a hash, 7 days, once; accepting makes one account."""

import io
import re
from datetime import timedelta

import pytest
import time_machine
from pypdf import PdfReader
from sqlalchemy import func, select

from daycentre.audit.models import AuditEntry
from daycentre.auth.models import User
from daycentre.auth.roles import Role
from daycentre.core.database import utcnow
from daycentre.core.errors import Refused
from daycentre.extensions import db
from daycentre.notifications import services as notify
from daycentre.notifications.models import Event, Message, MessageState
from daycentre.parents import invitations
from daycentre.parents.models import ParentAccount, ParentInvitation
from daycentre.people import services as people
from daycentre.people.models import Relationship
from tests.conftest import text_of
from tests.factories import make_adult, make_child, make_family

PASSWORD = "un-ceai-de-tei-la-munte"


@pytest.fixture
def mother(centre):
    family = make_family(centre, name="Kovács")
    make_child(family, given_name="Réka")
    adult = make_adult(family, given_name="Erzsébet", email="erzsebet@example.org")
    db.session.commit()
    return adult


def _invite(person, actor, kind="link", language="hu"):
    invitation, code = invitations.invite(
        person, actor=actor, kind=kind, language=language, email=person.email
    )
    db.session.commit()
    return invitation, code


def _accept(client, code, username="erzsebet.k", language="hu", password=PASSWORD):
    return client.post(
        f"/parent/join/{code}",
        data={
            "username": username,
            "password": password,
            "confirm": password,
            "language": language,
        },
    )


def test_only_the_hash_of_the_key_is_kept(app, users, mother):
    invitation, code = _invite(mother, users["coordinator"])

    stored = db.session.execute(select(ParentInvitation.__table__)).one()._mapping
    assert code not in {str(value) for value in stored.values()}
    assert invitation.secret_hash == invitations.code_hash(code)
    assert len(code) == invitations.LINK_CODE_LENGTH


def test_the_invitation_expires_after_seven_days(app, client, users, mother):
    invitation, code = _invite(mother, users["coordinator"])

    client.post("/auth/language", data={"language": "hu"})
    with time_machine.travel(invitation.created_at + timedelta(days=7, seconds=1), tick=False):
        response = _accept(client, code)

    assert response.status_code == 404
    assert "nem működik" in text_of(response)
    assert db.session.scalar(select(func.count(ParentAccount.id))) == 0


def test_the_invitation_still_works_on_its_seventh_day(app, client, users, mother):
    invitation, code = _invite(mother, users["coordinator"])

    with time_machine.travel(invitation.created_at + timedelta(days=6, hours=23), tick=False):
        response = _accept(client, code)

    assert response.status_code == 302


def test_accepting_creates_one_parent_account_and_signs_in(app, client, users, mother):
    _invitation, code = _invite(mother, users["coordinator"])

    response = _accept(client, code)

    assert response.headers["Location"] == "/parent/"
    user = db.session.scalar(select(User).where(User.username == "erzsebet.k"))
    assert user.role is Role.PARENT and user.locale == "hu" and user.centres == []
    assert db.session.scalar(select(ParentAccount.person_id)) == mother.id
    home = client.get("/parent/")
    assert "Réka" in text_of(home)
    assert '<html lang="hu"' in home.get_data(as_text=True)


def test_the_key_works_once(app, client, users, mother):
    _invitation, code = _invite(mother, users["coordinator"])
    assert _accept(client, code).status_code == 302
    client.post("/auth/logout")

    again = _accept(client.application.test_client(), code, username="someone.else")

    assert again.status_code == 404
    assert db.session.scalar(select(func.count(User.id)).where(User.role == Role.PARENT)) == 1 + 1


def test_a_second_submit_of_a_spent_key_makes_no_second_account(app, users, mother):
    _invitation, code = _invite(mother, users["coordinator"])
    invitations.accept(code, username="first", password=PASSWORD, language="ro")
    db.session.commit()

    with pytest.raises(Refused):
        invitations.accept(code, username="second", password=PASSWORD, language="ro")
    db.session.rollback()

    assert db.session.scalar(select(func.count(ParentAccount.id))) == 1
    assert db.session.scalar(select(User.id).where(User.username == "second")) is None


def test_reinviting_replaces_the_earlier_key(app, client, users, mother):
    _first, old_code = _invite(mother, users["coordinator"])
    _second, new_code = _invite(mother, users["coordinator"], kind="letter")

    assert _accept(client, old_code).status_code == 404
    assert _accept(client, new_code).status_code == 302


def test_a_weak_password_is_refused_and_the_key_stays_open(app, client, users, mother):
    _invitation, code = _invite(mother, users["coordinator"])

    response = _accept(client, code, password="password123")

    assert response.status_code == 200
    assert db.session.scalar(select(func.count(ParentAccount.id))) == 0
    assert invitations.open_invitation(code) is not None


def test_an_unknown_key_says_so_in_the_visitors_language(client, app):
    client.post("/auth/language", data={"language": "ro"})
    response = client.get("/parent/join/ABCDEFGHJK")
    assert response.status_code == 404
    assert "Această invitație nu funcționează" in text_of(response)


def test_the_printed_code_can_be_typed_with_a_dash_and_in_lower_case(app, client, users, mother):
    _invitation, code = _invite(mother, users["coordinator"], kind="letter")
    typed = invitations.shown(code).lower()

    response = client.post("/parent/join", data={"code": typed})

    assert response.headers["Location"] == f"/parent/join/{code}"


def test_only_a_legal_representative_is_invited(app, users, centre):
    family = make_family(centre)
    grandmother = make_adult(family, relation=Relationship.GRANDPARENT)
    with pytest.raises(Refused):
        invitations.invite(grandmother, actor=users["coordinator"], kind="letter", language="ro")


def test_creating_and_revoking_are_in_the_audit_trail(app, users, mother):
    invitation, _code = _invite(mother, users["coordinator"])
    invitations.revoke(invitation, actor=users["coordinator"])
    db.session.commit()

    actions = db.session.scalars(
        select(AuditEntry.action).where(AuditEntry.entity == "parent_invitations")
    ).all()
    assert actions == ["create", "update"]
    assert invitations.open_invitation(_code) is None


def test_the_invitation_goes_to_the_outbox_and_the_link_is_shown_once(
    app, client, users, mother, login
):
    app.config["PUBLIC_URL"] = "https://zi.dgaspc.example.ro"
    login(users["coordinator"])

    response = client.post(
        f"/parent/people/{mother.id}/invite",
        data={"email": "erzsebet@example.org", "language": "hu"},
    )

    page = text_of(response)
    link = re.search(r"https://zi\.dgaspc\.example\.ro/parent/join/[A-Z0-9]+", page).group(0)
    (message,) = db.session.scalars(select(Message).where(Message.event == Event.INVITATION))
    assert message.address == "erzsebet@example.org" and message.state is MessageState.WAITING
    assert "Szülői fiók" in message.subject and link in message.text  # in Hungarian, the link
    assert message.subject in page
    status = client.get(f"/parent/people/{mother.id}/account")
    assert link not in status.get_data(as_text=True)
    assert "E-mailul invitației către erzsebet@example.org: În așteptare" in text_of(status)


def test_only_a_link_invitation_is_sent_and_in_the_invitations_language(app, users, mother):
    _invite(mother, users["coordinator"], kind="letter", language="ro")
    assert db.session.scalar(select(func.count(Message.id))) == 0

    invitation, code = _invite(mother, users["coordinator"], language="ro")

    (message,) = notify.messages_about(invitation)
    assert "Contul dumneavoastră de părinte" in message.subject
    assert invitations.join_url(code) in message.text
    assert "Erzsébet" in message.text


def test_the_letter_carries_the_code_and_a_qr_code_in_the_familys_language(
    app, client, users, mother, login
):
    login(users["coordinator"])

    response = client.post(f"/parent/people/{mother.id}/letter", data={"letter-language": "hu"})

    assert response.mimetype == "application/pdf"
    reader = PdfReader(io.BytesIO(response.data))
    text = " ".join(page.extract_text() for page in reader.pages)
    assert "Meghívó" in text
    code = re.search(r"([A-Z0-9]{5}-[A-Z0-9]{5})", text).group(1)
    assert invitations.open_invitation(code) is not None
    svg = str(invitations.qr_svg(invitations.join_url(code)))
    assert "<svg" in svg
    # The QR code is drawn into the page (vector paths), not fetched from anywhere.
    assert b"http" not in response.data.split(b"/URI")[0][-10:]


def test_joining_is_throttled_per_address(app, client):
    app.config["PARENT_JOIN_LIMIT_PER_ADDRESS"] = "3 per 15 minutes"
    statuses = [client.get(f"/parent/join/ABCDEFGHJ{n}").status_code for n in range(2, 7)]
    assert statuses[:3] == [404, 404, 404]
    assert statuses[3:] == [429, 429]


def test_a_used_key_shows_its_message_without_changing_anything(app, client, users, mother):
    invitation, code = _invite(mother, users["coordinator"])
    invitation.used_at = utcnow()
    db.session.commit()

    response = _accept(client, code)

    assert response.status_code == 404
    assert db.session.scalar(select(func.count(ParentAccount.id))) == 0


def test_an_invited_adult_can_be_deleted_but_not_one_who_signs_in(app, users, mother):
    _invite(mother, users["coordinator"])
    family = mother.family
    father = make_adult(
        family, given_name="Attila", relation=Relationship.FATHER, email="attila@example.org"
    )
    db.session.commit()
    invitations.accept(
        _invite(father, users["coordinator"])[1],
        username="attila",
        password=PASSWORD,
        language="ro",
    )
    db.session.commit()

    with pytest.raises(Refused):
        people.delete_person(father, actor=users["coordinator"])
    db.session.rollback()
    people.delete_person(mother, actor=users["coordinator"])
    db.session.commit()

    assert db.session.scalar(select(func.count(ParentInvitation.id))) == 1


def test_closing_the_account_signs_the_parent_out_and_allows_a_new_invitation(
    app, client, users, mother, login
):
    _invitation, code = _invite(mother, users["coordinator"])
    assert _accept(client, code).status_code == 302
    invitations.end_access(mother, actor=users["coordinator"])
    db.session.commit()

    assert client.get("/parent/").status_code == 302  # back to the sign-in page
    assert invitations.status_of(mother).account is None
    _invite(mother, users["coordinator"])
    assert invitations.status_of(mother).invitation is not None


def test_one_key_is_throttled_however_many_addresses_try_it(app, users, mother):
    app.config["PARENT_JOIN_LIMIT_PER_CODE"] = "2 per 15 minutes"
    _invitation, code = _invite(mother, users["coordinator"])
    weak = {
        "username": "x.y",
        "password": "password123",
        "confirm": "password123",
        "language": "ro",
    }
    statuses = [
        app.test_client()
        .post(f"/parent/join/{code}", data=weak, environ_base={"REMOTE_ADDR": f"10.0.0.{n}"})
        .status_code
        for n in range(3)
    ]
    assert statuses == [200, 200, 429]
    assert invitations.open_invitation(code) is not None


@pytest.mark.parametrize("code", ["x" * 500, "ABC\u00a0DEF", "%00", "ű" * 10, "' OR 1=1 --"])
def test_odd_codes_open_nothing_and_change_nothing(app, client, code):
    typed = client.post("/parent/join", data={"code": code})
    opened = client.get(f"/parent/join/{code}")

    assert typed.status_code == 200
    assert opened.status_code in (400, 404)
    assert db.session.scalar(select(func.count(User.id))) == 0


def test_an_adult_no_longer_the_legal_representative_cannot_accept(app, users, mother):
    _invitation, code = _invite(mother, users["coordinator"])
    mother.relation = Relationship.GRANDPARENT  # corrected by the staff after the invitation
    db.session.commit()

    with pytest.raises(Refused):
        invitations.accept(code, username="erzsi.k", password=PASSWORD, language="hu")
    assert db.session.scalar(select(func.count(ParentAccount.person_id))) == 0


def test_the_invitation_form_sent_twice_makes_one_invitation(app, client, users, mother, login):
    """A reload of the page the form answers with sends it again: the link just e-mailed stays."""
    login(users["coordinator"])
    page = client.get(f"/parent/people/{mother.id}/account").get_data(as_text=True)
    token = re.search(r'id="submission" name="submission" type="hidden" value="([^"]+)"', page)
    data = {"email": "erzsebet@example.org", "language": "hu", "submission": token.group(1)}

    first = client.post(f"/parent/people/{mother.id}/invite", data=data)
    again = client.post(f"/parent/people/{mother.id}/invite", data=data)

    assert first.status_code == 200 and again.status_code == 302
    assert again.location.endswith(f"/parent/people/{mother.id}/account")
    invitation = db.session.scalar(select(ParentInvitation))
    assert invitation.revoked_at is None
    assert db.session.scalar(select(func.count(ParentInvitation.id))) == 1
    assert len(notify.messages_about(invitation)) == 1


def test_a_waiting_e_mail_is_taken_back_when_its_invitation_is_replaced_or_used(app, users, mother):
    first, _code = _invite(mother, users["coordinator"])
    second, code = _invite(mother, users["coordinator"])  # replaces the first
    assert notify.messages_about(first) == []
    assert len(notify.messages_about(second)) == 1

    invitations.accept(code, username="erzsi.k", password=PASSWORD, language="hu")
    db.session.commit()

    assert notify.messages_about(second) == []


def test_the_join_form_offers_the_language_the_parent_switched_the_page_to(
    app, client, users, mother
):
    _invitation, code = _invite(mother, users["coordinator"], language="ro")
    assert '<option selected value="ro">' in client.get(f"/parent/join/{code}").text

    with client.session_transaction() as session:
        session["locale"] = "hu"  # the page's language switch

    assert '<option selected value="hu">' in client.get(f"/parent/join/{code}").text


def test_the_account_page_says_why_the_invitation_e_mail_is_not_sent_yet(
    app, client, users, mother, login
):
    invitation, _code = _invite(mother, users["coordinator"])
    (message,) = notify.messages_about(invitation)
    message.attempts, message.last_error = 1, "SMTP 554: relay refused"
    db.session.commit()
    login(users["coordinator"])

    page = text_of(client.get(f"/parent/people/{mother.id}/account"))

    assert (
        "În așteptare" in page and "Ultima încercare nu a reușit: SMTP 554: relay refused" in page
    )
