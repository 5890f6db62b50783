"""`flask notify send`: run from cron every few minutes (README, "Running for a county")."""

import click
from flask.cli import AppGroup

from daycentre.core.localtime import today
from daycentre.extensions import db
from daycentre.notifications import services as notify

notify_cli = AppGroup("notify", help="Messages by e-mail and SMS: the outbox.")


@notify_cli.command("send")
@click.option("--limit", default=1000, show_default=True, help="Send at most this many messages.")
def send_command(limit: int):
    """Queue the reminders due, then send what is waiting (each message once, failures retried)."""
    notify.queue_due(today())
    db.session.commit()
    report = notify.send_due(limit=limit)
    click.echo(
        f"Sent {report.sent}; to retry later {report.retried}; failed for good {report.failed}."
    )
