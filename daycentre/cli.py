"""The ``flask`` commands: demo data, the first administrator, translations, backups.

They speak English, whatever the default language of the application: the operator's console is
in English already (click's help, Flask, Alembic, the database tools), so a command's own messages
and the refusals it passes on from the services are English too.
"""

import functools
import secrets
import subprocess
import sys
from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup, with_appcontext
from flask_babel import force_locale, ngettext
from flask_babel import gettext as _

from daycentre.audit.retention import (
    anonymise,
    anonymise_volunteers,
    expired_beneficiaries,
    expired_volunteers,
    wipe_freed_space,
)
from daycentre.auth.services import create_first_admin, renew_first_admin_password
from daycentre.core import catalogs
from daycentre.core.backups import (
    BackupError,
    create_backup,
    is_encrypted,
    restore_backup,
    schema_is_current,
)
from daycentre.core.errors import Refused
from daycentre.demo import DEMO_PASSWORD, DEMO_USERS, load_demo
from daycentre.extensions import db
from daycentre.notifications.commands import notify_cli

demo_cli = AppGroup("demo", help="Demo data.")
users_cli = AppGroup("users", help="User accounts.")
i18n_cli = AppGroup("i18n", help="Translations.")


@demo_cli.command("load")
@click.option(
    "--if-empty", is_flag=True, help="Skip quietly, instead of failing, when real data exist."
)
def load_demo_command(if_empty: bool):
    """Load the demo data into an empty database (refused when it holds real data)."""
    try:
        loaded = load_demo()
    except Refused as refusal:
        db.session.rollback()
        click.echo(str(refusal.message), err=True)
        sys.exit(0 if if_empty else 1)
    db.session.commit()
    click.echo(_("Demo data loaded.") if loaded else _("Demo data already loaded."))
    click.echo(
        _(
            "Demo logins (password %(password)s): %(users)s",
            password=DEMO_PASSWORD,
            users=", ".join(u[0] for u in DEMO_USERS),
        )
    )


@users_cli.command("create-admin")
@click.option("--username", default="admin", show_default=True)
@click.option(
    "--renew",
    is_flag=True,
    help="Issue a new password for the first administrator whose generated one was never changed.",
)
def create_admin_command(username: str, renew: bool):
    """Create the first administrator on an empty database; the password is printed once.

    The password works for 24 hours (FIRST_ADMIN_PASSWORD_VALID) unless it is changed: the sign-in
    refuses it afterwards, and --renew issues a new one.
    """
    password = secrets.token_urlsafe(12)
    valid_for = current_app.config["FIRST_ADMIN_PASSWORD_VALID"]
    try:
        if renew:
            user = renew_first_admin_password(password, valid_for=valid_for)
        else:
            user = create_first_admin(username, password, valid_for=valid_for)
    except Refused as refusal:
        db.session.rollback()
        click.echo(str(refusal.message), err=True)
        sys.exit(1)
    db.session.commit()
    hours = int(valid_for.total_seconds() // 3600)
    click.echo(
        ngettext(
            "Administrator %(username)s created. Password (shown once, valid for %(num)d hour;"
            " change it at first sign-in):",
            "Administrator %(username)s created. Password (shown once, valid for %(num)d hours;"
            " change it at first sign-in):",
            hours,
            username=user.username,
        )
        if not renew
        else ngettext(
            "Administrator %(username)s has a new password. Password (shown once, valid for"
            " %(num)d hour; change it at first sign-in):",
            "Administrator %(username)s has a new password. Password (shown once, valid for"
            " %(num)d hours; change it at first sign-in):",
            hours,
            username=user.username,
        )
    )
    click.echo(password)


@i18n_cli.command("update")
def i18n_update_command():
    """Re-extract messages.pot and merge it into the ro, hu and en catalogs."""
    catalogs.update()
    click.echo(f"Updated {catalogs.TEMPLATE_FILE} and the catalogs.")


@i18n_cli.command("compile")
def i18n_compile_command():
    """Compile the catalogs to .mo files."""
    catalogs.compile_catalogs()
    click.echo("Catalogs compiled.")


@i18n_cli.command("check")
def i18n_check_command():
    """Fail on an outdated template, untranslated, fuzzy or mis-placeholdered messages, ş/ţ, or a
    variant that translations/GLOSSARY.md avoids."""
    problems = catalogs.check()
    for problem in problems:
        click.echo(str(problem), err=True)
    if problems:
        click.echo(f"{len(problems)} translation problem(s).", err=True)
        sys.exit(1)
    click.echo("Translations complete.")


@click.command("backup")
@with_appcontext
@click.option(
    "--to",
    "destination",
    type=click.Path(file_okay=False, path_type=Path),
    help="Folder for the archive (default: instance/backups).",
)
def backup_command(destination: Path | None):
    """Write a consistent, dated backup of the database and stored files, even while in use."""
    try:
        archive = create_backup(destination or Path(current_app.instance_path) / "backups")
    except (BackupError, subprocess.CalledProcessError) as error:
        click.echo(f"Backup failed: {_reason(error)}", err=True)
        sys.exit(1)
    click.echo(f"Backup written to {archive}")
    if not is_encrypted(archive):
        click.echo("The archive is not encrypted: set BACKUP_KEY to encrypt the backups.")


@click.command("restore")
@with_appcontext
@click.argument("archive", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def restore_command(archive: Path):
    """Restore a backup into an empty instance and check its integrity and row counts."""
    try:
        manifest = restore_backup(archive)
    except (BackupError, subprocess.CalledProcessError) as error:
        click.echo(f"Restore failed: {_reason(error)}", err=True)
        sys.exit(1)
    total = sum(manifest["row_counts"].values())
    click.echo(
        f"Restored the backup taken at {manifest['taken_at']}: {total} rows, counts verified."
    )
    if not schema_is_current(manifest):
        click.echo(
            "The backup predates this version's schema: run `flask --app daycentre db upgrade`."
        )


retention_cli = AppGroup("retention", help="Retention of personal data.")


@retention_cli.command("run")
@click.option("--dry-run", is_flag=True, help="Only list what would be anonymised.")
def retention_run_command(dry_run: bool):
    """Anonymise beneficiaries and volunteers whose retention period has passed."""
    expired = expired_beneficiaries()
    years = current_app.config["RETENTION_YEARS"]
    click.echo(
        f"Beneficiaries whose services ended more than {years['beneficiaries']} years ago: "
        f"{len(expired)}"
    )
    for item in expired:
        ended = item.services_ended.isoformat() if item.services_ended else "never enrolled"
        click.echo(
            f"  person #{item.person_id} (family #{item.family_id}), services ended: {ended}"
        )
    volunteers = expired_volunteers()
    click.echo(
        f"Volunteers whose last contract ended more than {years['volunteers']} years ago: "
        f"{len(volunteers)}"
    )
    for item in volunteers:
        ended = item.contract_ended.isoformat() if item.contract_ended else "never contracted"
        click.echo(f"  volunteer #{item.volunteer_id}, last contract ended: {ended}")
    if dry_run or not (expired or volunteers):
        click.echo("Dry run: nothing changed." if dry_run else "Nothing to do.")
        return
    anonymise(expired)
    anonymise_volunteers(volunteers)
    db.session.commit()
    wiped = wipe_freed_space()
    click.echo(
        f"Anonymised {len(expired)} people and {len(volunteers)} volunteers; "
        + ("the freed space was wiped." if wiped else "the freed space was NOT wiped.")
    )
    if not wiped:
        raise click.ClickException(
            "another transaction kept reading the database: the old values stay on disk "
            "(SQLite: its write-ahead log; PostgreSQL: old row versions) until a later "
            "checkpoint or VACUUM FULL. Run the wipe again when the application is idle: "
            "flask --app daycentre retention wipe"
        )


@retention_cli.command("wipe")
def retention_wipe_command():
    """Wipe the space freed by an earlier run from the database files."""
    if not wipe_freed_space():
        raise click.ClickException("another transaction is still reading the database")
    click.echo("The freed space was wiped.")


def _reason(error: Exception) -> str:
    if isinstance(error, subprocess.CalledProcessError):
        return (error.stderr or b"").decode(errors="replace").strip() or str(error)
    return str(error)


def _in_english(command: click.Command) -> click.Command:
    """Run ``command`` (each command of a group) with English as the language of its messages."""
    if isinstance(command, click.Group):
        for subcommand in command.commands.values():
            _in_english(subcommand)
        return command
    callback = command.callback

    @functools.wraps(callback)
    @with_appcontext
    def in_english(*args, **kwargs):
        with force_locale(CONSOLE_LANGUAGE):
            return callback(*args, **kwargs)

    command.callback = in_english
    return command


CONSOLE_LANGUAGE = "en"
COMMANDS = [
    _in_english(command)
    for command in (
        demo_cli,
        users_cli,
        i18n_cli,
        retention_cli,
        backup_command,
        restore_command,
        notify_cli,
    )
]


def register_commands(app) -> None:
    for command in COMMANDS:
        app.cli.add_command(command)
