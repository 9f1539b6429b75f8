"""Backup and restore (core.backup, `propdesk backup` / `propdesk restore`) on SQLite: a copy taken
with the online backup API while the site writes, restored into an empty database and store and
verified against the manifest (row counts, the ledger, bill and receipt checksums, every file);
a non-empty target refused without --force; any difference found. The PostgreSQL twin is
test_backup_postgresql.py."""

import datetime
import json
import sqlite3
import threading
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage
from django.core.management import CommandError, call_command
from django.db import connection

from propdesk.billing.models import Bill, LedgerEntry, Receipt
from propdesk.core import backup

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)
NOW = datetime.datetime(2026, 7, 10, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
SQLITE = "django.db.backends.sqlite3"


@pytest.fixture(autouse=True)
def _sqlite():
    if connection.vendor != "sqlite":
        pytest.skip("the SQLite backup; test_backup_postgresql.py covers PostgreSQL")


def money(personas, admin, house_a, community_a) -> dict:
    """July billed in community A and paid at the desk: bills, ledger entries and a receipt."""
    from propdesk.billing.services.schedule import billing_defaults_ensure
    from propdesk.billing.tests.conftest import pay, run_billing

    with time_machine.travel(NOW, tick=False):
        billing_defaults_ensure(community=community_a)
        run_billing(admin, datetime.date(2026, 7, 1), community=community_a)
        pay(personas["cashier"], house_a, "170.05", key="backup-test-0001")
    return {
        "bills": Bill.objects.count(),
        "ledger": LedgerEntry.objects.count(),
        "receipts": Receipt.objects.count(),
    }


@pytest.fixture
def site(tmp_path, personas, admin, house_a, community_a):
    """A serving site: its database in a file (the test database copied there), and a store with
    an uploaded photo and an export."""
    counts = money(personas, admin, house_a, community_a)
    path = tmp_path / "live.sqlite3"
    target = sqlite3.connect(path)
    connection.ensure_connection()
    connection.connection.backup(target)
    target.close()
    store = FileSystemStorage(location=tmp_path / "media")
    store.save("requests/2026/07/photo.jpg", ContentFile(b"\xff\xd8\xff" + b"x" * 5000))
    store.save("exports/houses.xlsx", ContentFile(b"PK\x03\x04 sheet"))
    return {"database": {"ENGINE": SQLITE, "NAME": path}, "storage": store, "counts": counts}


def _empty_target(tmp_path, name="restored"):
    return (
        {"ENGINE": SQLITE, "NAME": tmp_path / f"{name}.sqlite3"},
        FileSystemStorage(location=tmp_path / f"{name}-media"),
    )


def test_a_backup_restored_into_an_empty_site_verifies(tmp_path, site):
    manifest = backup.backup_create(
        tmp_path / "backup", database=site["database"], storage=site["storage"]
    )
    assert manifest["engine"] == "sqlite"
    assert manifest["tables"]["billing_bill"] == site["counts"]["bills"] > 0
    assert manifest["checksums"]["billing_ledgerentry"]["rows"] == site["counts"]["ledger"]
    assert manifest["checksums"]["billing_receipt"]["rows"] == site["counts"]["receipts"] == 1
    assert sorted(f["name"] for f in manifest["files"]) == [
        "exports/houses.xlsx",
        "requests/2026/07/photo.jpg",
    ]
    database, store = _empty_target(tmp_path)

    backup.backup_restore(tmp_path / "backup", database=database, storage=store)
    result = backup.backup_verify(tmp_path / "backup", database=database, storage=store)

    assert result.problems == []
    assert (result.tables, result.files) == (len(manifest["tables"]), 2)
    assert result.rows == sum(manifest["tables"].values())
    with store.open("requests/2026/07/photo.jpg") as photo:
        assert photo.read() == b"\xff\xd8\xff" + b"x" * 5000
    restored = sqlite3.connect(database["NAME"])
    assert restored.execute("SELECT COUNT(*) FROM billing_bill").fetchone()[0] > 0


def test_a_backup_taken_while_the_site_writes_is_consistent(tmp_path, site):
    stop = threading.Event()
    written = []

    def keep_writing():
        writer = sqlite3.connect(site["database"]["NAME"], timeout=20)
        while not stop.is_set():
            writer.execute(
                "INSERT INTO django_session (session_key, session_data, expire_date) "
                "VALUES (?, 'signed-in', '2026-07-24 02:00:00')",
                [f"session-{len(written):06d}"],
            )
            writer.execute("UPDATE billing_bill SET amount_fen = amount_fen + 1")
            writer.commit()
            written.append(1)
        writer.close()

    writer = threading.Thread(target=keep_writing)
    writer.start()
    try:
        backup.backup_create(
            tmp_path / "backup", database=site["database"], storage=site["storage"]
        )
    finally:
        stop.set()
        writer.join(30)
    assert written
    database, store = _empty_target(tmp_path)
    backup.backup_restore(tmp_path / "backup", database=database, storage=store)
    assert backup.backup_verify(tmp_path / "backup", database=database, storage=store).ok


def test_a_site_holding_data_is_not_restored_over_without_force(tmp_path, site):
    backup.backup_create(tmp_path / "backup", database=site["database"], storage=site["storage"])
    database, store = _empty_target(tmp_path)
    backup.backup_restore(tmp_path / "backup", database=database, storage=store)
    with pytest.raises(backup.BackupError, match="not empty.*--force"):
        backup.backup_restore(tmp_path / "backup", database=database, storage=store)
    empty_database, _store = _empty_target(tmp_path, "other")
    with pytest.raises(backup.BackupError, match="file store is not empty"):
        backup.backup_restore(tmp_path / "backup", database=empty_database, storage=store)

    sqlite3.connect(database["NAME"]).execute("DELETE FROM billing_receipt").connection.commit()
    store.delete("exports/houses.xlsx")
    store.save("exports/houses.xlsx", ContentFile(b"changed"))
    backup.backup_restore(tmp_path / "backup", database=database, storage=store, force=True)
    assert backup.backup_verify(tmp_path / "backup", database=database, storage=store).ok


def test_verification_finds_every_difference(tmp_path, site):
    backup.backup_create(tmp_path / "backup", database=site["database"], storage=site["storage"])
    database, store = _empty_target(tmp_path)
    backup.backup_restore(tmp_path / "backup", database=database, storage=store)
    restored = sqlite3.connect(database["NAME"])
    restored.execute(
        "UPDATE billing_bill SET amount_fen = amount_fen + 1 "
        "WHERE id = (SELECT MIN(id) FROM billing_bill)"
    )
    restored.execute("DELETE FROM estates_building")
    restored.commit()
    restored.close()
    store.delete("requests/2026/07/photo.jpg")
    store.delete("exports/houses.xlsx")
    store.save("exports/houses.xlsx", ContentFile(b"PK\x03\x04 other"))

    problems = backup.backup_verify(tmp_path / "backup", database=database, storage=store).problems

    assert "checksum of billing_bill differs from the backup" in problems
    assert any(p.startswith("table estates_building:") for p in problems)
    assert "file requests/2026/07/photo.jpg is missing" in problems
    assert "file exports/houses.xlsx differs from the backup" in problems


def test_a_backup_of_another_engine_or_not_a_backup_is_refused(tmp_path, site):
    backup.backup_create(tmp_path / "backup", database=site["database"], storage=site["storage"])
    manifest = json.loads((tmp_path / "backup" / "manifest.json").read_text())
    manifest["engine"] = "postgresql"
    (tmp_path / "backup" / "manifest.json").write_text(json.dumps(manifest))
    database, store = _empty_target(tmp_path)
    with pytest.raises(backup.BackupError, match="postgresql backup"):
        backup.backup_restore(tmp_path / "backup", database=database, storage=store)
    with pytest.raises(backup.BackupError, match="not a backup"):
        backup.backup_restore(tmp_path, database=database, storage=store)
    with pytest.raises(backup.BackupError, match="not empty"):
        backup.backup_create(tmp_path / "backup", database=site["database"])


def test_the_commands_back_up_restore_and_verify(tmp_path, site, monkeypatch, capsys):
    monkeypatch.setattr(backup, "_default_database", lambda: site["database"])
    monkeypatch.setattr(backup, "default_storage", site["storage"])
    call_command("backup", str(tmp_path / "backup"))
    assert "Backup written to" in capsys.readouterr().out
    with pytest.raises(CommandError, match="--force"):
        call_command("restore", str(tmp_path / "backup"), "--verify")

    call_command("restore", str(tmp_path / "backup"), "--verify", "--force")
    assert "Verified:" in capsys.readouterr().out

    sqlite3.connect(site["database"]["NAME"]).execute(
        "DELETE FROM billing_receipt"
    ).connection.commit()
    with pytest.raises(CommandError, match="Verification failed"):
        call_command("restore", str(tmp_path / "backup"), "--verify-only")
    assert "billing_receipt" in capsys.readouterr().err
