"""How a message leaves: e-mail over SMTP (Flask-Mailman), SMS through a gateway.

The SMS gateway is chosen by ``SMS_GATEWAY``: ``log`` (the default: the log notes the SMS,
without its text; nothing is sent) or ``twilio`` (Twilio's Messages REST API, ``SMS_API_URL``,
``TWILIO_ACCOUNT_SID``, ``TWILIO_AUTH_TOKEN``, ``SMS_SENDER``). Every failure to hand a message
over is raised as ``NotSent`` with a readable reason; the outbox retries it later.
"""

import base64
import contextlib
import json
import logging
import smtplib
import urllib.error
import urllib.parse
import urllib.request

from flask import current_app
from flask_mailman import EmailMessage

from daycentre.extensions import mail

log = logging.getLogger(__name__)


class NotSent(Exception):
    """A message could not be handed over; the reason is kept on the message."""


class LoggingSms:
    """The default until a provider is configured: the log says an SMS would have gone, and to
    which number's last digits, never its text (it names a child)."""

    def send(self, to: str, text: str) -> None:
        log.info("SMS of %d characters to …%s (SMS_GATEWAY=log: not sent)", len(text), to[-3:])


class TwilioSms:
    """Twilio's Messages endpoint: POST form fields To, From, Body with HTTP basic auth."""

    def __init__(self, *, base_url: str, account_sid: str, auth_token: str, sender: str, timeout):
        self.url = f"{base_url.rstrip('/')}/2010-04-01/Accounts/{account_sid}/Messages.json"
        self.credentials = base64.b64encode(f"{account_sid}:{auth_token}".encode()).decode()
        self.sender = sender
        self.timeout = timeout

    def send(self, to: str, text: str) -> None:
        if not self.url.startswith(("https://", "http://")):
            raise NotSent("SMS_API_URL must be an http(s) address")
        data = urllib.parse.urlencode({"To": to, "From": self.sender, "Body": text}).encode()
        request = urllib.request.Request(  # noqa: S310 - the scheme is checked above
            self.url,
            data=data,
            headers={
                "Authorization": f"Basic {self.credentials}",
                "Content-Type": "application/x-www-form-urlencoded",
                "Accept": "application/json",
            },
            method="POST",
        )
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310
                answer = json.loads(response.read() or b"{}")
        except urllib.error.HTTPError as error:
            raise NotSent(f"SMS gateway answered {error.code}: {_reason(error)}") from None
        except (urllib.error.URLError, OSError, ValueError) as error:
            raise NotSent(f"SMS gateway unreachable: {error}") from None
        if answer.get("error_code") or answer.get("status") == "failed":
            raise NotSent(f"SMS refused: {answer.get('error_message') or answer.get('status')}")


def _reason(error: urllib.error.HTTPError) -> str:
    try:
        return json.loads(error.read() or b"{}").get("message") or error.reason
    except ValueError:
        return str(error.reason)


def sms_gateway():
    config = current_app.config
    if config["SMS_GATEWAY"] == "twilio":
        return TwilioSms(
            base_url=config["SMS_API_URL"],
            account_sid=config["TWILIO_ACCOUNT_SID"] or "",
            auth_token=config["TWILIO_AUTH_TOKEN"] or "",
            sender=config["SMS_SENDER"] or "",
            timeout=config["NOTIFY_TIMEOUT_SECONDS"],
        )
    return LoggingSms()


class Outgoing:
    """The channels of one sender run: one SMTP connection, opened at the first e-mail."""

    def __init__(self):
        self.connection = None
        self.sms = sms_gateway()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        if self.connection is not None:
            try:
                self.connection.close()
            except (smtplib.SMTPException, OSError):
                log.warning("the SMTP connection did not close cleanly")
        return False

    def send(self, message) -> None:
        if message.channel.value == "sms":
            self.sms.send(message.address, message.text)
            return
        try:
            if self.connection is None:
                self.connection = mail.get_connection(fail_silently=False)
                self.connection.open()
            email = EmailMessage(
                subject=message.subject,
                body=message.text,
                to=[message.address],
                connection=self.connection,
            )
            email.send(fail_silently=False)
        except (TimeoutError, smtplib.SMTPException, OSError) as error:
            # The connection may be broken: open a new one for the next message.
            self._drop_connection()
            raise NotSent(f"{type(error).__name__}: {error}") from None

    def _drop_connection(self) -> None:
        if self.connection is not None:
            with contextlib.suppress(smtplib.SMTPException, OSError):
                self.connection.close()
            self.connection = None
