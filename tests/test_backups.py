"""A backup taken while the app writes restores into an empty instance with the same rows."""

import contextvars
import json
import tarfile
import threading
import uuid

import pytest
from sqlalchemy import create_engine, func, make_url, select, text

from daycentre import create_app
from daycentre.core.backups import BackupError, create_backup, restore_backup
from daycentre.core.settings import Setting
from daycentre.extensions import db
from tests.factories import make_centre, make_group, make_user


@pytest.fixture
def restore_target(tmp_path, database_url):
    """An empty database for the restore: a new SQLite file, or a new PostgreSQL database."""
    if database_url.startswith("sqlite"):
        yield f"sqlite:///{tmp_path / 'restored.sqlite'}"
        return
    url = make_url(database_url)
    name = f"{url.database}_restore_{uuid.uuid4().hex[:8]}"
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    yield url.set(database=name).render_as_string(hide_password=False)
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def _keep_writing(database_url, stop: threading.Event, written: list):
    engine = create_engine(database_url)
    with engine.connect() as connection:
        while not stop.is_set():
            connection.execute(
                Setting.__table__.insert().values(key=f"w-{len(written)}", value="x" * 200)
            )
            connection.commit()
            written.append(1)
    engine.dispose()


def test_backup_while_writing_then_restore(app, database_url, restore_target, tmp_path):
    centre = make_centre()
    make_group(centre)
    make_user("coordinator", centres=[centre])
    files = tmp_path / "files"  # the instance folder of the app fixture is tmp_path
    files.mkdir()
    (files / "contract-001.pdf").write_bytes(b"%PDF-1.7 signed contract")
    db.session.commit()

    stop, written = threading.Event(), []
    writer = threading.Thread(target=_keep_writing, args=(database_url, stop, written))
    writer.start()
    try:
        while len(written) < 20:
            stop.wait(0.01)
        archive = create_backup(tmp_path / "backups")
        while len(written) < 40:  # writes go on after the snapshot too
            stop.wait(0.01)
    finally:
        stop.set()
        writer.join()

    with tarfile.open(archive) as tar:
        manifest = json.load(tar.extractfile("manifest.json"))
    in_backup = manifest["row_counts"]["settings"]
    assert 20 <= in_backup < len(written)
    assert manifest["row_counts"]["centres"] == 1
    assert archive.stat().st_mode & 0o077 == 0

    restored_instance = tmp_path / "restored-instance"
    restored = create_app(
        {"SQLALCHEMY_DATABASE_URI": restore_target, "INSTANCE_PATH": restored_instance}
    )
    with restored.app_context():
        restore_backup(archive)
        assert db.session.scalar(select(func.count(Setting.key))) == in_backup
        if restore_target.startswith("sqlite"):
            assert db.session.execute(text("PRAGMA integrity_check")).scalar() == "ok"
        db.session.remove()
        db.engine.dispose()
    assert (
        restored_instance / "files" / "contract-001.pdf"
    ).read_bytes() == b"%PDF-1.7 signed contract"


def test_restore_refuses_a_database_in_use(app, tmp_path):
    make_centre()
    db.session.commit()
    archive = create_backup(tmp_path / "backups")
    with pytest.raises(BackupError, match="not empty"):
        restore_backup(archive)


def test_backup_and_restore_commands(app, runner, restore_target, tmp_path):
    make_centre(name="Centrul de zi „Gyöngyvirág”")
    db.session.commit()
    result = runner.invoke(args=["backup", "--to", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    archive = next((tmp_path / "out").glob("daycentre-backup-*.tar.gz"))

    restored = create_app(
        {"SQLALCHEMY_DATABASE_URI": restore_target, "INSTANCE_PATH": tmp_path / "new"}
    )

    def restore_command():  # outside the test's app context, as on a fresh machine
        return contextvars.Context().run(
            restored.test_cli_runner().invoke, args=["restore", str(archive)]
        )

    result = restore_command()
    assert result.exit_code == 0, result.output
    assert "counts verified" in result.output
    with restored.app_context():
        assert db.session.scalar(text("SELECT name FROM centres")) == "Centrul de zi „Gyöngyvirág”"
        db.session.remove()
        db.engine.dispose()

    again = restore_command()
    assert again.exit_code == 1
    assert "not empty" in again.output
    with restored.app_context():
        db.engine.dispose()


def test_with_a_backup_key_the_archive_is_encrypted_and_restores_only_with_that_key(
    app, runner, restore_target, tmp_path
):
    from cryptography.fernet import Fernet

    key = Fernet.generate_key().decode()
    app.config["BACKUP_KEY"] = key
    make_centre(name="Centrul de zi „Gyöngyvirág”")
    db.session.commit()
    result = runner.invoke(args=["backup", "--to", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    assert "not encrypted" not in result.output
    archive = next((tmp_path / "out").glob("daycentre-backup-*.tar.gz.enc"))
    assert archive.stat().st_mode & 0o777 == 0o600
    sealed = archive.read_bytes()
    assert not sealed.startswith(b"\x1f\x8b")  # not a readable gzip
    assert not tarfile.is_tarfile(archive)

    def restore(backup_key, path=archive):
        restored = create_app(
            {
                "SQLALCHEMY_DATABASE_URI": restore_target,
                "INSTANCE_PATH": tmp_path / "new",
                "BACKUP_KEY": backup_key,
            }
        )
        result = contextvars.Context().run(
            restored.test_cli_runner().invoke, args=["restore", str(path)]
        )
        with restored.app_context():  # no connection left for the garbage collector to close
            db.engine.dispose()
        return restored, result

    # Without the key, with another key or with one byte changed: refused, nothing restored.
    _, result = restore(None)
    assert result.exit_code == 1 and "set BACKUP_KEY" in result.output
    _, result = restore(Fernet.generate_key().decode())
    assert result.exit_code == 1 and "cannot be decrypted" in result.output
    tampered = tmp_path / "tampered.tar.gz.enc"
    tampered.write_bytes(sealed[:-20] + bytes(20))
    _, result = restore(key, tampered)
    assert result.exit_code == 1 and "cannot be decrypted" in result.output

    restored, result = restore(key)
    assert result.exit_code == 0, result.output
    assert "counts verified" in result.output
    with restored.app_context():
        assert db.session.scalar(text("SELECT name FROM centres")) == "Centrul de zi „Gyöngyvirág”"
        db.session.remove()
        db.engine.dispose()


def test_without_a_backup_key_the_command_says_the_archive_is_not_encrypted(app, runner, tmp_path):
    app.config["BACKUP_KEY"] = None
    result = runner.invoke(args=["backup", "--to", str(tmp_path / "out")])
    assert result.exit_code == 0
    assert "not encrypted: set BACKUP_KEY" in result.output
    app.config["BACKUP_KEY"] = "not-a-key"
    result = runner.invoke(args=["backup", "--to", str(tmp_path / "out2")])
    assert result.exit_code == 1 and "BACKUP_KEY is not a valid key" in result.output
