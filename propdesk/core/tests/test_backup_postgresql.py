"""Backup and restore on PostgreSQL: pg_dump (custom format) from the snapshot the manifest's counts
and checksums are read in, pg_restore into a scratch database of its own, verified; a database
holding rows refused without --force; any difference found."""

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage
from django.db import connection

from propdesk.core import backup
from propdesk.core.tests.test_backup import money

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.fixture
def scratch():
    """A database of its own to restore into, dropped afterwards."""
    if connection.vendor != "postgresql":
        pytest.skip("the PostgreSQL backup; test_backup.py covers SQLite")
    import psycopg

    source = connection.settings_dict
    name = f"{source['NAME']}_restore"
    params = backup._pg_params(source, name="postgres")
    with psycopg.connect(**params, autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{name}"')
    yield {**source, "NAME": name}
    with psycopg.connect(**params, autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def site(tmp_path, personas, admin, house_a, community_a):
    counts = money(personas, admin, house_a, community_a)
    store = FileSystemStorage(location=tmp_path / "media")
    store.save("requests/2026/07/photo.jpg", ContentFile(b"\xff\xd8\xff" + b"x" * 5000))
    return {"database": connection.settings_dict, "storage": store, "counts": counts}


def test_a_pg_dump_restored_into_a_scratch_database_verifies(tmp_path, site, scratch):
    manifest = backup.backup_create(
        tmp_path / "backup", database=site["database"], storage=site["storage"]
    )
    assert manifest["engine"] == "postgresql"
    assert (tmp_path / "backup" / "database.dump").read_bytes()[:5] == b"PGDMP"
    assert manifest["tables"]["billing_bill"] == site["counts"]["bills"] > 0
    assert manifest["checksums"]["billing_receipt"]["rows"] == 1
    store = FileSystemStorage(location=tmp_path / "restored-media")

    backup.backup_restore(tmp_path / "backup", database=scratch, storage=store)
    result = backup.backup_verify(tmp_path / "backup", database=scratch, storage=store)

    assert result.problems == []
    assert result.rows == sum(manifest["tables"].values())
    assert result.files == 1


def test_a_database_holding_rows_needs_force_and_differences_are_found(tmp_path, site, scratch):
    import psycopg

    backup.backup_create(tmp_path / "backup", database=site["database"], files=False)
    backup.backup_restore(tmp_path / "backup", database=scratch, files=False)
    with pytest.raises(backup.BackupError, match="not empty.*--force"):
        backup.backup_restore(tmp_path / "backup", database=scratch, files=False)

    with psycopg.connect(**backup._pg_params(scratch), autocommit=True) as restored:
        restored.execute("UPDATE billing_ledgerentry SET amount_fen = amount_fen + 1")
        restored.execute(
            "INSERT INTO django_session VALUES ('extra-session', 'signed-in', '2026-07-24')"
        )
    problems = backup.backup_verify(tmp_path / "backup", database=scratch, files=False).problems
    assert "checksum of billing_ledgerentry differs from the backup" in problems
    assert any(p.startswith("table django_session:") for p in problems)

    backup.backup_restore(tmp_path / "backup", database=scratch, files=False, force=True)
    assert backup.backup_verify(tmp_path / "backup", database=scratch, files=False).ok
