"""Consistent backups of a running installation, and restoring one into an empty instance.

SQLite is copied with its online backup API, PostgreSQL with pg_dump from one exported snapshot;
stored files under ``instance/files`` travel in the same archive. A manifest records the schema
revision and every table's row count, and a restore checks them.

With ``BACKUP_KEY`` set (a Fernet key: AES-128-CBC with an HMAC-SHA256, from ``cryptography``) the
archive is encrypted and authenticated (``.tar.gz.enc``): a copy kept off the machine, or stolen,
reads as nothing without the key, and a changed byte is refused at restore. The key must be kept
apart from the archives; without it they cannot be restored.
"""

import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from pathlib import Path

from alembic.config import Config as AlembicConfig
from alembic.script import ScriptDirectory
from cryptography.fernet import Fernet, InvalidToken
from flask import current_app
from sqlalchemy import func, make_url, select, table, text

from daycentre.core.localtime import now
from daycentre.extensions import db

SQLITE_FILE = "daycentre.sqlite"
PG_DUMP_FILE = "daycentre.pgdump"
MANIFEST = "manifest.json"
PLAIN, ENCRYPTED = ".tar.gz", ".tar.gz.enc"


class BackupError(Exception):
    pass


def _url():
    return make_url(current_app.config["SQLALCHEMY_DATABASE_URI"])


def _sqlite_path() -> Path:
    database = _url().database
    if not database or database == ":memory:":
        raise BackupError("an in-memory database cannot be backed up")
    return Path(database)


def _files_dir() -> Path:
    return Path(current_app.instance_path) / "files"


def _pg_command(program: str, url) -> tuple[list[str], dict]:
    """libpq arguments for ``url``; the password goes in the environment, not the command line."""
    env = dict(os.environ)
    if url.password:
        env["PGPASSWORD"] = url.password
    args = [program, "--host", url.host or "127.0.0.1", "--port", str(url.port or 5432)]
    if url.username:
        args += ["--username", url.username]
    return args, env


def _row_counts(connection) -> dict[str, int]:
    return {
        table.name: connection.execute(select(func.count()).select_from(table)).scalar_one()
        for table in db.metadata.sorted_tables
    }


def _schema_revision(connection) -> str | None:
    """The Alembic revision; a database built without migrations has none."""
    if not db.inspect(connection).has_table("alembic_version"):
        return None
    return connection.execute(text("SELECT version_num FROM alembic_version")).scalar()


def _backup_sqlite(workdir: Path) -> dict:
    copy = workdir / SQLITE_FILE
    source = sqlite3.connect(_sqlite_path())
    target = sqlite3.connect(copy)
    with source, target:
        source.backup(target)  # a consistent snapshot, even while others write
    source.close()
    target.close()
    engine = db.create_engine(f"sqlite:///{copy}")
    with engine.connect() as connection:
        facts = {
            "row_counts": _row_counts(connection),
            "schema_revision": _schema_revision(connection),
        }
    engine.dispose()
    return facts


def _backup_postgresql(workdir: Path) -> dict:
    url = _url()
    with db.engine.connect().execution_options(isolation_level="REPEATABLE READ") as connection:
        snapshot = connection.execute(text("SELECT pg_export_snapshot()")).scalar_one()
        facts = {
            "row_counts": _row_counts(connection),
            "schema_revision": _schema_revision(connection),
        }
        args, env = _pg_command("pg_dump", url)
        args += [
            "--format=custom",
            f"--snapshot={snapshot}",
            "--no-owner",
            "--file",
            str(workdir / PG_DUMP_FILE),
        ]
        # The snapshot lives as long as this transaction: dump before leaving the block.
        subprocess.run([*args, url.database], env=env, check=True, capture_output=True)  # noqa: S603
    return facts


def _cipher() -> Fernet | None:
    """The archives' key from BACKUP_KEY, or None when archives are written in plain form."""
    key = current_app.config.get("BACKUP_KEY")
    if not key:
        return None
    try:
        return Fernet(key)
    except (ValueError, TypeError):
        raise BackupError(
            "BACKUP_KEY is not a valid key: 32 bytes in URL-safe base64, as made by "
            "`python -c 'from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())'`"
        ) from None


def is_encrypted(archive: Path) -> bool:
    return archive.name.endswith(ENCRYPTED)


def create_backup(destination: Path) -> Path:
    """Write ``daycentre-backup-<date>-<time>.tar.gz`` (``.tar.gz.enc`` with BACKUP_KEY) into
    ``destination`` and return its path."""
    cipher = _cipher()
    destination.mkdir(parents=True, exist_ok=True)
    backend = _url().get_backend_name()
    with tempfile.TemporaryDirectory() as tmp, tempfile.TemporaryDirectory() as packed:
        workdir = Path(tmp)
        if backend == "sqlite":
            facts = _backup_sqlite(workdir)
        elif backend == "postgresql":
            facts = _backup_postgresql(workdir)
        else:
            raise BackupError(f"no backup method for {backend}")
        if _files_dir().is_dir():
            shutil.copytree(_files_dir(), workdir / "files")
        taken_at = now()
        manifest = {"taken_at": taken_at.isoformat(), "database": backend, **facts}
        (workdir / MANIFEST).write_text(json.dumps(manifest, indent=2, sort_keys=True))
        stem = f"daycentre-backup-{taken_at:%Y%m%d-%H%M%S}"
        archive = _free_name(destination, stem, ENCRYPTED if cipher else PLAIN)
        plain = Path(packed) / f"{stem}{PLAIN}" if cipher else archive
        with tarfile.open(plain, "x:gz") as tar:
            for item in sorted(workdir.iterdir()):
                tar.add(item, arcname=item.name)
        if cipher:
            descriptor = os.open(archive, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(descriptor, "wb") as out:
                out.write(cipher.encrypt(plain.read_bytes()))
    archive.chmod(0o600)
    return archive


def _free_name(folder: Path, stem: str, suffix: str) -> Path:
    """Two backups in the same second get distinct names instead of overwriting each other."""
    candidate, number = folder / f"{stem}{suffix}", 1
    while candidate.exists():
        number += 1
        candidate = folder / f"{stem}-{number}{suffix}"
    return candidate


def _decrypted(archive: Path, folder: Path) -> Path:
    """The plain archive of an encrypted one, written into ``folder``."""
    cipher = _cipher()
    if cipher is None:
        raise BackupError("this archive is encrypted: set BACKUP_KEY to the key it was made with")
    try:
        plain = cipher.decrypt(archive.read_bytes())
    except InvalidToken:
        raise BackupError(
            "the archive cannot be decrypted with this BACKUP_KEY (another key, or a damaged file)"
        ) from None
    path = folder / "backup.tar.gz"
    path.write_bytes(plain)
    return path


def _ensure_empty_target() -> None:
    with db.engine.connect() as connection:
        tables = set(db.inspect(connection).get_table_names())
        if tables - {"alembic_version"}:
            raise BackupError(
                "the target database is not empty; restore only into an empty instance"
            )
    if _files_dir().exists() and any(_files_dir().iterdir()):
        raise BackupError(f"{_files_dir()} is not empty")


def _restore_sqlite(workdir: Path) -> None:
    copy = workdir / SQLITE_FILE
    check = sqlite3.connect(copy)
    result = check.execute("PRAGMA integrity_check").fetchone()[0]
    check.close()
    if result != "ok":
        raise BackupError(f"the backed-up database is damaged: {result}")
    db.engine.dispose()
    target = _sqlite_path()
    target.parent.mkdir(parents=True, exist_ok=True)
    for leftover in (target, Path(f"{target}-wal"), Path(f"{target}-shm")):
        leftover.unlink(missing_ok=True)
    shutil.copyfile(copy, target)


def _restore_postgresql(workdir: Path) -> None:
    url = _url()
    args, env = _pg_command("pg_restore", url)
    args += ["--no-owner", "--exit-on-error", "--dbname", url.database, str(workdir / PG_DUMP_FILE)]
    db.engine.dispose()
    subprocess.run(args, env=env, check=True, capture_output=True)  # noqa: S603


def restore_backup(archive: Path) -> dict:
    """Restore ``archive`` into this (empty) instance; returns the manifest after checking it."""
    _ensure_empty_target()
    with tempfile.TemporaryDirectory() as tmp, tempfile.TemporaryDirectory() as packed:
        workdir = Path(tmp)
        if is_encrypted(archive):
            archive = _decrypted(archive, Path(packed))
        with tarfile.open(archive, "r:gz") as tar:
            tar.extractall(workdir, filter="data")
        manifest = json.loads((workdir / MANIFEST).read_text())
        backend = _url().get_backend_name()
        if manifest["database"] != backend:
            raise BackupError(f"this backup is of a {manifest['database']} database, not {backend}")
        if backend == "sqlite":
            _restore_sqlite(workdir)
        else:
            _restore_postgresql(workdir)
        if (workdir / "files").is_dir():
            shutil.copytree(workdir / "files", _files_dir(), dirs_exist_ok=True)
    expected = manifest["row_counts"]
    with db.engine.connect() as connection:
        # Counted by the manifest's own table names: an older backup may predate today's tables.
        counts = {
            name: connection.execute(select(func.count()).select_from(table(name))).scalar_one()
            for name in expected
        }
    if counts != expected:
        raise BackupError(f"row counts differ after restoring: {counts} != {expected}")
    return manifest


def schema_is_current(manifest: dict) -> bool:
    """Whether the restored schema is this version's; if not, ``flask db upgrade`` brings it up."""
    config = AlembicConfig()
    config.set_main_option("script_location", current_app.extensions["migrate"].directory)
    return manifest.get("schema_revision") == ScriptDirectory.from_config(config).get_current_head()
