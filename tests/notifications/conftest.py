"""A real SMTP server (aiosmtpd) on a free local port, and people who agreed to messages."""

import socket
import threading
from datetime import timedelta
from email import message_from_bytes, policy

import pytest
from aiosmtpd.controller import Controller

from daycentre.core.localtime import today
from daycentre.extensions import db, mail
from daycentre.people.models import Consent, ConsentPurpose
from tests.factories import make_adult


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Inbox:
    """What the SMTP server received: each e-mail parsed, with its envelope recipients."""

    def __init__(self, refuse: bool = False):
        self.received = []
        self.refuse = refuse
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):
        if self.refuse:
            return "554 Transaction failed: refused by the test server"
        parsed = message_from_bytes(envelope.content, policy=policy.default)
        with self.lock:
            self.received.append(
                {
                    "to": list(envelope.rcpt_tos),
                    "subject": str(parsed["subject"]),
                    "body": parsed.get_body(preferencelist=("plain",)).get_content(),
                }
            )
        return "250 Message accepted for delivery"

    def to(self, address: str) -> list[dict]:
        return [m for m in self.received if address in m["to"]]


def use_smtp(app, port: int) -> None:
    app.config.update(MAIL_BACKEND="smtp", MAIL_SERVER="127.0.0.1", MAIL_PORT=port, MAIL_TIMEOUT=5)
    mail.init_app(app)


def _serve(app, inbox):
    port = free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    use_smtp(app, port)
    return controller


@pytest.fixture
def smtp(app):
    inbox = Inbox()
    controller = _serve(app, inbox)
    yield inbox
    controller.stop()


@pytest.fixture
def refusing_smtp(app):
    inbox = Inbox(refuse=True)
    controller = _serve(app, inbox)
    yield inbox
    controller.stop()


def consenting_adult(family, **fields):
    """An adult of ``family`` who agreed to the centre's messages."""
    adult = make_adult(family, **fields)
    db.session.add(
        Consent(
            person=adult,
            purpose=ConsentPurpose.MESSAGES,
            given_by=adult.full_name,
            given_on=today() - timedelta(days=10),
        )
    )
    db.session.flush()
    return adult
