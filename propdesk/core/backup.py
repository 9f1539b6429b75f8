# ruff: noqa: S608 — the only names put in SQL are table names read from the catalogue, quoted
"""Backup and restore of a whole site: its database and its stored files, with a manifest that a
restore is verified against (`propdesk backup`, `propdesk restore`; README "Backup and restore").

A backup is a directory holding:

- `manifest.json`: when it was taken, the database engine, the row count of every table, a
  checksum of the money tables (the ledger, bills and receipts), and every stored file with its
  size and SHA-256;
- the database: `database.sqlite3`, written with SQLite's online backup API (a consistent copy
  while the site serves), or `database.dump`, PostgreSQL's `pg_dump` custom format;
- `files/`: the uploaded and generated files, read through Django's storage API (so the same
  commands serve local disk and an S3-compatible store).

The counts and checksums describe exactly what was copied: on SQLite they are read from the copy,
on PostgreSQL inside the transaction whose snapshot `pg_dump` is given (`--snapshot`). The files
are listed after the database is copied, so every file the copied rows name is in the backup.

A restore refuses a database that holds rows, or a store that holds files, unless forced; forced,
it replaces the database (SQLite: the backup API over the file; PostgreSQL: the schema dropped and
`pg_restore` run) and writes the files back under their own names. Verifying compares the
restored site with the manifest: every table's row count, the money checksums, every file's size
and SHA-256.
"""

import dataclasses
import hashlib
import json
import os
import sqlite3
import subprocess
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from shutil import which

from django.apps import apps
from django.conf import settings
from django.core.files import File
from django.core.files.storage import default_storage
from django.db import connections
from django.utils import timezone

FORMAT = 1
MANIFEST = "manifest.json"
FILES = "files"
SQLITE_FILE = "database.sqlite3"
PG_FILE = "database.dump"
MONEY_MODELS = ("billing.LedgerEntry", "billing.Bill", "billing.Receipt")
CHUNK = 1024 * 1024


class BackupError(Exception):
    """A backup or restore that cannot go on; the message says why and what to do."""


@dataclasses.dataclass
class Verification:
    tables: int = 0
    rows: int = 0
    files: int = 0
    problems: list[str] = dataclasses.field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def _default_database() -> dict:
    return settings.DATABASES["default"]


def engine_of(database: dict) -> str:
    engine = database["ENGINE"]
    if engine.endswith("sqlite3"):
        return "sqlite"
    if engine.endswith("postgresql"):
        return "postgresql"
    raise BackupError(f"Backups cover SQLite and PostgreSQL, not {engine}.")


def money_tables() -> list[str]:
    return [apps.get_model(label)._meta.db_table for label in MONEY_MODELS]


# --- reading a database the same way at backup and at verification ------------------------------


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _digest(rows: Iterable[tuple]) -> tuple[int, str]:
    """Row count and SHA-256 of rows read in id order by the same driver at both ends."""
    digest, count = hashlib.sha256(), 0
    for row in rows:
        digest.update(
            repr(tuple(v.hex() if isinstance(v, bytes | memoryview) else v for v in row)).encode()
        )
        digest.update(b"\n")
        count += 1
    return count, digest.hexdigest()


class _SqliteReader:
    def __init__(self, path):
        self.connection = sqlite3.connect(str(path))

    def tables(self) -> list[str]:
        rows = self.connection.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' "
            "ORDER BY name"
        )
        return [name for (name,) in rows]

    def count(self, table: str) -> int:
        return self.connection.execute(f"SELECT COUNT(*) FROM {_quote(table)}").fetchone()[0]

    def checksum(self, table: str) -> tuple[int, str]:
        return _digest(self.connection.execute(f"SELECT * FROM {_quote(table)} ORDER BY id"))

    def close(self) -> None:
        self.connection.close()


class _PostgresReader:
    def __init__(self, database: dict, *, snapshot: bool = False):
        import psycopg

        self.connection = psycopg.connect(**_pg_params(database))
        self.snapshot = None
        if snapshot:
            self.connection.isolation_level = psycopg.IsolationLevel.REPEATABLE_READ
            self.connection.read_only = True
            self.snapshot = self.connection.execute("SELECT pg_export_snapshot()").fetchone()[0]

    def tables(self) -> list[str]:
        rows = self.connection.execute(
            "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename"
        )
        return [name for (name,) in rows]

    def count(self, table: str) -> int:
        return self.connection.execute(f"SELECT COUNT(*) FROM {_quote(table)}").fetchone()[0]

    def checksum(self, table: str) -> tuple[int, str]:
        with self.connection.cursor(name=f"checksum_{table}") as cursor:
            cursor.itersize = 5000
            cursor.execute(f"SELECT * FROM {_quote(table)} ORDER BY id")
            return _digest(cursor)

    def close(self) -> None:
        self.connection.rollback()
        self.connection.close()


def _pg_params(database: dict, *, name: str | None = None) -> dict:
    params = {
        "dbname": name or database["NAME"],
        "user": database.get("USER") or None,
        "password": database.get("PASSWORD") or None,
        "host": database.get("HOST") or None,
        "port": str(database.get("PORT") or "") or None,
    }
    return {key: value for key, value in params.items() if value}


def _client(program: str) -> str:
    path = which(program)
    if path is None:
        raise BackupError(f"{program} is not installed: install PostgreSQL's client programs.")
    return path


def _pg_command(database: dict) -> tuple[list[str], dict]:
    args = []
    if database.get("HOST"):
        args += ["--host", str(database["HOST"])]
    if database.get("PORT"):
        args += ["--port", str(database["PORT"])]
    if database.get("USER"):
        args += ["--username", str(database["USER"])]
    env = {**os.environ}
    if database.get("PASSWORD"):
        env["PGPASSWORD"] = str(database["PASSWORD"])
    return args, env


def _describe(reader) -> dict:
    tables = reader.tables()
    counts = {table: reader.count(table) for table in tables}
    checksums = {}
    for table in money_tables():
        if table in counts:
            rows, sha = reader.checksum(table)
            checksums[table] = {"rows": rows, "sha256": sha}
    return {"tables": counts, "checksums": checksums}


# --- files through the storage API --------------------------------------------------------------


def stored_files(storage, directory: str = "") -> list[str]:
    """Every file name in the store, walked through the storage API."""
    try:
        directories, files = storage.listdir(directory)
    except FileNotFoundError:
        return []
    names = [f"{directory}/{name}" if directory else name for name in files]
    for sub in directories:
        names += stored_files(storage, f"{directory}/{sub}" if directory else sub)
    return sorted(names)


def _file_sha256(handle) -> tuple[int, str]:
    digest, size = hashlib.sha256(), 0
    while chunk := handle.read(CHUNK):
        digest.update(chunk)
        size += len(chunk)
    return size, digest.hexdigest()


def _copy_files_out(storage, target: Path) -> list[dict]:
    listed = []
    for name in stored_files(storage):
        path = target / name
        path.parent.mkdir(parents=True, exist_ok=True)
        digest, size = hashlib.sha256(), 0
        try:
            with storage.open(name, "rb") as source, path.open("wb") as out:
                while chunk := source.read(CHUNK):
                    digest.update(chunk)
                    out.write(chunk)
                    size += len(chunk)
        except FileNotFoundError:  # deleted since it was listed (a week-old export swept)
            path.unlink(missing_ok=True)
            continue
        listed.append({"name": name, "size": size, "sha256": digest.hexdigest()})
    return listed


# --- backup -------------------------------------------------------------------------------------


def backup_create(
    directory: Path,
    *,
    database: dict | None = None,
    storage=None,
    files: bool = True,
    say: Callable[[str], None] = lambda line: None,
) -> dict:
    """Write a backup of the database and the stored files into `directory` (new or empty);
    return its manifest."""
    database = database or _default_database()
    storage = storage or default_storage
    directory = Path(directory)
    if directory.exists() and any(directory.iterdir()):
        raise BackupError(f"{directory} is not empty: give a new directory for the backup.")
    directory.mkdir(parents=True, exist_ok=True)
    engine = engine_of(database)
    started = time.monotonic()
    manifest = {
        "format": FORMAT,
        "created_at": timezone.now().isoformat(),
        "engine": engine,
        "database_name": str(database["NAME"]),
    }
    if engine == "sqlite":
        copy = directory / SQLITE_FILE
        source = sqlite3.connect(str(database["NAME"]))
        target = sqlite3.connect(str(copy))
        try:
            source.backup(target)  # one step: a consistent snapshot, writers carry on (WAL)
        finally:
            target.close()
            source.close()
        manifest["database_file"] = SQLITE_FILE
        reader = _SqliteReader(copy)
        try:
            manifest.update(_describe(reader))
        finally:
            reader.close()
    else:
        manifest["database_file"] = PG_FILE
        manifest.update(_pg_dump(database, directory / PG_FILE))
    manifest["database_seconds"] = round(time.monotonic() - started, 2)
    say(
        f"database: {len(manifest['tables'])} tables, "
        f"{sum(manifest['tables'].values()):,} rows in {manifest['database_seconds']} s"
    )
    started = time.monotonic()
    manifest["files"] = _copy_files_out(storage, directory / FILES) if files else None
    manifest["files_seconds"] = round(time.monotonic() - started, 2)
    if files:
        say(f"files: {len(manifest['files']):,} in {manifest['files_seconds']} s")
    (directory / MANIFEST).write_text(json.dumps(manifest, indent=1, ensure_ascii=False))
    return manifest


def _pg_dump(database: dict, path: Path) -> dict:
    """pg_dump in the custom format from the snapshot the counts and checksums are read in."""
    reader = _PostgresReader(database, snapshot=True)
    try:
        args, env = _pg_command(database)
        dump = subprocess.Popen(  # noqa: S603 — the client found on PATH, our arguments
            [
                _client("pg_dump"),
                *args,
                "--format=custom",
                "--no-owner",
                "--no-privileges",
                f"--snapshot={reader.snapshot}",
                f"--file={path}",
                str(database["NAME"]),
            ],
            env=env,
            stderr=subprocess.PIPE,
        )
        try:
            described = _describe(reader)  # read while pg_dump writes, from the same snapshot
        finally:
            _stdout, stderr = dump.communicate()
        if dump.returncode:
            raise BackupError(f"pg_dump failed: {stderr.decode(errors='replace').strip()}")
    finally:
        reader.close()
    return described


# --- restore ------------------------------------------------------------------------------------


def manifest_load(directory: Path) -> dict:
    path = Path(directory) / MANIFEST
    if not path.exists():
        raise BackupError(f"{directory} holds no {MANIFEST}: it is not a backup.")
    manifest = json.loads(path.read_text())
    if manifest.get("format") != FORMAT:
        raise BackupError(f"This backup's format {manifest.get('format')} is not known here.")
    return manifest


def _reader(database: dict):
    if engine_of(database) == "sqlite":
        return _SqliteReader(database["NAME"])
    return _PostgresReader(database)


def tables_with_rows(database: dict) -> list[str]:
    """The tables of the database that hold rows (none for a new, empty database)."""
    if engine_of(database) == "sqlite" and not Path(str(database["NAME"])).exists():
        return []
    reader = _reader(database)
    try:
        return [table for table in reader.tables() if reader.count(table)]
    finally:
        reader.close()


def backup_restore(
    directory: Path,
    *,
    database: dict | None = None,
    storage=None,
    force: bool = False,
    files: bool = True,
    say: Callable[[str], None] = lambda line: None,
) -> dict:
    """Restore a backup over an empty database and store (or any, with `force`); return the
    manifest."""
    database = database or _default_database()
    storage = storage or default_storage
    directory = Path(directory)
    manifest = manifest_load(directory)
    engine = engine_of(database)
    if manifest["engine"] != engine:
        raise BackupError(
            f"This is a {manifest['engine']} backup; the database to restore into is {engine}."
        )
    if not force:
        busy = tables_with_rows(database)
        if busy:
            raise BackupError(
                f"The database is not empty ({len(busy)} tables hold rows, e.g. {busy[0]}). "
                "Restoring replaces everything in it: add --force to restore over it."
            )
        if files and manifest.get("files") is not None and stored_files(storage):
            raise BackupError(
                "The file store is not empty. Restoring writes the backup's files over it: "
                "add --force to restore over it."
            )
    if database is _default_database() or database.get("NAME") == _default_database()["NAME"]:
        connections.close_all()
    started = time.monotonic()
    if engine == "sqlite":
        _sqlite_restore(directory / manifest["database_file"], database)
    else:
        _pg_restore(directory / manifest["database_file"], database)
    say(f"database restored in {time.monotonic() - started:.2f} s")
    if files and manifest.get("files") is not None:
        started = time.monotonic()
        _copy_files_in(manifest["files"], directory / FILES, storage)
        say(f"{len(manifest['files']):,} files restored in {time.monotonic() - started:.2f} s")
    return manifest


def _sqlite_restore(copy: Path, database: dict) -> None:
    target_path = Path(str(database["NAME"]))
    target_path.parent.mkdir(parents=True, exist_ok=True)
    source = sqlite3.connect(str(copy))
    target = sqlite3.connect(str(target_path))
    try:
        source.backup(target)  # replaces every page of the target
    finally:
        target.close()
        source.close()


def _pg_restore(dump: Path, database: dict) -> None:
    import psycopg

    with psycopg.connect(**_pg_params(database), autocommit=True) as connection:
        connection.execute("DROP SCHEMA IF EXISTS public CASCADE")
        connection.execute("CREATE SCHEMA public")
    args, env = _pg_command(database)
    done = subprocess.run(  # noqa: S603 — the client found on PATH, our arguments
        [
            _client("pg_restore"),
            *args,
            "--no-owner",
            "--no-privileges",
            "--exit-on-error",
            f"--jobs={max(1, min(4, os.cpu_count() or 1))}",
            f"--dbname={database['NAME']}",
            str(dump),
        ],
        env=env,
        stderr=subprocess.PIPE,
        check=False,
    )
    if done.returncode:
        raise BackupError(f"pg_restore failed: {done.stderr.decode(errors='replace').strip()}")


def _copy_files_in(listed: list[dict], source: Path, storage) -> None:
    for entry in listed:
        name = entry["name"]
        if storage.exists(name):
            storage.delete(name)
        with (source / name).open("rb") as handle:
            saved = storage.save(name, File(handle, name=name))
        if saved != name:
            raise BackupError(f"The store kept {name} as {saved}; restore into an empty store.")


# --- verify -------------------------------------------------------------------------------------


def backup_verify(
    directory: Path, *, database: dict | None = None, storage=None, files: bool = True
) -> Verification:
    """Compare a database and store with a backup's manifest: every table's row count, the money
    checksums, and every file's size and SHA-256."""
    database = database or _default_database()
    storage = storage or default_storage
    manifest = manifest_load(Path(directory))
    reader = _reader(database)
    try:
        found = _describe(reader)
    finally:
        reader.close()
    result = Verification(tables=len(found["tables"]), rows=sum(found["tables"].values()))
    expected = manifest["tables"]
    for table in sorted(set(expected) | set(found["tables"])):
        want, have = expected.get(table), found["tables"].get(table)
        if want != have:
            result.problems.append(f"table {table}: {want} rows in the backup, {have} here")
    for table, want in manifest["checksums"].items():
        have = found["checksums"].get(table)
        if have != want:
            result.problems.append(f"checksum of {table} differs from the backup")
    if files and manifest.get("files") is not None:
        for entry in manifest["files"]:
            try:
                with storage.open(entry["name"], "rb") as handle:
                    size, sha = _file_sha256(handle)
            except FileNotFoundError:
                result.problems.append(f"file {entry['name']} is missing")
                continue
            if (size, sha) != (entry["size"], entry["sha256"]):
                result.problems.append(f"file {entry['name']} differs from the backup")
            result.files += 1
    return result


def default_directory() -> Path:
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M%S")
    return Path(settings.VAR_DIR) / "backups" / f"propdesk-{stamp}"
