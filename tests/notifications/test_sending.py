"""Sending: each message once whatever runs at the same time; failures wait and are retried."""

import json
import threading
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, HTTPServer
from urllib.parse import parse_qs

import pytest
from sqlalchemy import select

from daycentre.core.database import utcnow
from daycentre.extensions import db
from daycentre.notifications import channels
from daycentre.notifications import services as notify
from daycentre.notifications.models import Channel, Event, Message, MessageState
from tests.factories import make_child, make_family
from tests.notifications.conftest import consenting_adult, free_port, use_smtp

ANSWER = {
    "number": "7/2026",
    "received_on": utcnow().date(),
    "answered_on": utcnow().date(),
    "centre_name": "Centrul de zi",
}


def _queue_answers(centre, count: int, *, phone: bool = False) -> None:
    """``count`` complainants told that their complaint was answered, one message each."""
    for index in range(count):
        contact = f"+4072100{index:04d}" if phone else f"reclamant{index}@example.ro"
        notify.queue(
            Event.COMPLAINT_ANSWERED,
            centre_id=centre.id,
            record=("complaints", index + 1),
            recipients=notify.recipient_at_address(f"Reclamant {index}", contact=contact),
            template="complaint_answered",
            context=ANSWER,
        )
    db.session.commit()


def _all():
    db.session.expire_all()
    return list(db.session.scalars(select(Message).order_by(Message.id)))


def test_two_senders_at_once_send_each_message_once(app, centre, smtp):
    _queue_answers(centre, 30)
    barrier = threading.Barrier(2, timeout=30)
    reports, errors = [], []

    def sender():
        with app.app_context():
            try:
                barrier.wait()
                reports.append(notify.send_due(batch=4))
            except BaseException as error:  # re-raised in the test's thread
                errors.append(error)
            finally:
                db.session.remove()

    racers = [threading.Thread(target=sender) for _ in range(2)]
    for racer in racers:
        racer.start()
    for racer in racers:
        racer.join(60)
    assert not errors, errors
    assert sum(r.sent for r in reports) == 30
    addresses = [to for message in smtp.received for to in message["to"]]
    assert sorted(addresses) == sorted(f"reclamant{i}@example.ro" for i in range(30))
    assert {m.state for m in _all()} == {MessageState.SENT}


def test_a_message_queued_twice_is_one_message(app, centre):
    _queue_answers(centre, 1)
    _queue_answers(centre, 1)
    assert len(_all()) == 1


def test_a_closed_smtp_port_leaves_the_messages_to_retry_later(app, centre):
    use_smtp(app, free_port())  # nobody listens there
    _queue_answers(centre, 2)
    started = utcnow()

    report = notify.send_due()

    assert (report.sent, report.retried, report.failed) == (0, 2, 0)
    for message in _all():
        assert message.state is MessageState.WAITING
        assert message.attempts == 1
        assert "Connection" in message.last_error or "refused" in message.last_error.lower()
        assert message.next_attempt_at >= started + timedelta(minutes=5)
    # Not due yet: a sender running a minute later leaves them alone.
    assert notify.send_due(now=utcnow() + timedelta(minutes=1)).retried == 0


def test_the_waits_grow_and_the_last_failure_is_listed(
    app, centre, refusing_smtp, client, login_as
):
    app.config["NOTIFY_MAX_ATTEMPTS"] = 3
    _queue_answers(centre, 1)
    waits, now = [], utcnow()
    for _attempt in range(3):
        notify.send_due(now=now)
        (message,) = _all()
        if message.state is MessageState.WAITING:
            waits.append(message.next_attempt_at - now)
            now = message.next_attempt_at
    assert waits == [timedelta(minutes=5), timedelta(minutes=30)]
    assert message.state is MessageState.FAILED and message.attempts == 3
    assert "554" in message.last_error
    assert refusing_smtp.received == []

    login_as("coordinator")
    page = client.get("/notifications/")
    assert page.status_code == 200
    assert "reclamant0@example.ro" in page.get_data(as_text=True)
    assert client.post(f"/notifications/messages/{message.id}/retry").status_code == 302
    (message,) = _all()
    assert message.state is MessageState.WAITING and message.attempts == 0


class FakeTwilio(BaseHTTPRequestHandler):
    """Twilio's Messages endpoint on a local port: keeps what it was sent, answers like Twilio."""

    received: list = []
    status = 201

    def do_POST(self):  # noqa: N802 - the http.server handler's name
        body = self.rfile.read(int(self.headers["Content-Length"]))
        FakeTwilio.received.append(
            {
                "path": self.path,
                "auth": self.headers["Authorization"],
                "form": {k: v[0] for k, v in parse_qs(body.decode()).items()},
            }
        )
        answer = (
            {"sid": "SM1", "status": "queued"}
            if self.status == 201
            else {"code": 21211, "message": "The 'To' number is not a valid phone number."}
        )
        data = json.dumps(answer).encode()
        self.send_response(self.status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args):
        pass


@pytest.fixture
def twilio(app):
    FakeTwilio.received, FakeTwilio.status = [], 201
    server = HTTPServer(("127.0.0.1", 0), FakeTwilio)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    app.config.update(
        SMS_GATEWAY="twilio",
        SMS_API_URL=f"http://127.0.0.1:{server.server_port}",
        TWILIO_ACCOUNT_SID="AC123",
        TWILIO_AUTH_TOKEN="secret",
        SMS_SENDER="+40700000000",
    )
    yield FakeTwilio
    server.shutdown()
    server.server_close()


def test_an_sms_goes_through_the_twilio_adapter(app, centre, twilio):
    _queue_answers(centre, 1, phone=True)
    (message,) = _all()
    assert message.channel is Channel.SMS and "\n" not in message.text

    assert notify.send_due().sent == 1

    (request,) = twilio.received
    assert request["path"] == "/2010-04-01/Accounts/AC123/Messages.json"
    assert request["auth"].startswith("Basic ")
    assert request["form"]["To"] == "+40721000000"
    assert request["form"]["From"] == "+40700000000"
    assert "7/2026" in request["form"]["Body"]


def test_an_sms_the_gateway_refuses_is_retried_with_its_reason(app, centre, twilio):
    twilio.status = 400
    _queue_answers(centre, 1, phone=True)
    assert notify.send_due().retried == 1
    (message,) = _all()
    assert "400" in message.last_error and "not a valid phone number" in message.last_error


def test_the_logging_gateway_is_the_default_and_logs_no_text(app, centre, caplog):
    _queue_answers(centre, 1, phone=True)
    (message,) = _all()
    with caplog.at_level("INFO", logger=channels.log.name):
        assert notify.send_due().sent == 1
    assert "…000 (SMS_GATEWAY=log: not sent)" in caplog.text
    assert "+40721000000" not in caplog.text and message.text not in caplog.text


def test_the_command_queues_reminders_and_sends(app, centre, runner, smtp):
    _queue_answers(centre, 2)
    result = runner.invoke(args=["notify", "send"])
    assert result.exit_code == 0, result.output
    assert "Sent 2" in result.output
    assert len(smtp.received) == 2


def _queue_invitation(centre, link):
    notify.queue(
        Event.INVITATION,
        centre_id=centre.id,
        record=("parent_invitations", 1),
        recipients=notify.recipient_at_address("Maria Popescu", email="maria@example.ro"),
        template="invitation",
        context={"centre_name": centre.name, "link": link, "expires_at": utcnow()},
    )
    db.session.commit()


def test_an_invitations_link_is_not_kept_once_sent(app, centre, smtp):
    app.config["PUBLIC_URL"] = "https://zi.dgaspc.example.ro"
    link = notify.absolute_url("parents.home") + "?token=one-time-secret"
    _queue_invitation(centre, link)
    notify.send_due()
    (sent,) = smtp.to("maria@example.ro")
    assert link in sent["body"]
    (message,) = _all()
    assert "one-time-secret" not in message.text


def test_a_failed_invitation_keeps_no_link_and_is_not_sent_again(
    app, centre, refusing_smtp, client, login_as
):
    app.config["NOTIFY_MAX_ATTEMPTS"] = 1
    _queue_invitation(centre, notify.absolute_url("parents.home") + "?token=one-time-secret")

    assert notify.send_due().failed == 1

    (message,) = _all()
    assert message.state is MessageState.FAILED and "one-time-secret" not in message.text
    login_as("admin")
    client.post(f"/notifications/messages/{message.id}/retry")
    assert _all()[0].state is MessageState.FAILED


def test_a_consent_withdrawn_while_the_message_waited_stops_it(app, centre, smtp):
    family = make_family(centre, name="Popa")
    child = make_child(family, given_name="Ana")
    adult = consenting_adult(family, given_name="Maria", email="maria.popa@example.ro")
    db.session.commit()
    assert notify.queue(
        Event.PLACE_OFFERED,
        centre_id=centre.id,
        record=child,
        recipients=notify.recipients_for_person(adult),
        template="place_offered",
        context={"title": "Părinți buni", "centre_name": centre.name, "first_session": None},
    )
    db.session.commit()
    adult.consents[0].withdrawn_on = utcnow().date()
    db.session.commit()

    report = notify.send_due()

    assert (report.sent, report.failed) == (0, 1)
    assert smtp.received == []
    (message,) = _all()
    assert message.state is MessageState.FAILED and "consent" in message.last_error


def test_a_long_runs_later_batch_is_claimed_when_it_is_taken(app, centre, smtp, monkeypatch):
    """Claimed at the run's start, a batch taken 40 minutes into a run would look abandoned to
    the next run (after 30 minutes), which would send it a second time."""
    _queue_answers(centre, 2)
    clock = [utcnow()]
    started = clock[0]
    monkeypatch.setattr(notify, "utcnow", lambda: clock[0])
    hand_over = channels.Outgoing.send

    def slow_server(outgoing, message):
        hand_over(outgoing, message)
        clock[0] += timedelta(minutes=40)

    monkeypatch.setattr(channels.Outgoing, "send", slow_server)

    assert notify.send_due(batch=1).sent == 2

    first, second = _all()
    assert first.claimed_at < started + timedelta(minutes=1)
    assert second.claimed_at >= started + timedelta(minutes=40)
