"""The change history and the access log are append-only (a trigger refuses UPDATE and DELETE on
SQLite and PostgreSQL alike), kept at least 184 days, and purged of older rows only through
`audit_purge`, which leaves the ledger as it was."""

import datetime

import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from propdesk.core import retention
from propdesk.core.models import AccessLog, AuditEvent

NOW = datetime.datetime(2026, 7, 10, 2, 0, tzinfo=datetime.UTC)


def _history(actor, days_ago: int) -> tuple[AuditEvent, AccessLog]:
    at = NOW - datetime.timedelta(days=days_ago)
    event = AuditEvent.objects.create(
        actor=actor, action="update", object_type="house", object_id=1, at=at
    )
    access = AccessLog.objects.create(
        actor=actor, subject_type="owner", subject_id=1, subject_repr="张三", field="mobile", at=at
    )
    return event, access


def _refused(change) -> None:
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        change()


def test_the_database_refuses_to_change_or_delete_history(admin):
    event, access = _history(admin, days_ago=1)
    _refused(lambda: AuditEvent.objects.filter(pk=event.pk).update(note="edited"))
    _refused(lambda: AuditEvent.objects.filter(pk=event.pk).delete())
    _refused(lambda: AccessLog.objects.filter(pk=access.pk).update(field="id_number"))
    _refused(lambda: access.delete())
    with connection.cursor() as cursor:
        _refused(lambda: cursor.execute("DELETE FROM core_auditevent"))
    assert AuditEvent.objects.filter(pk=event.pk, note="").exists()
    assert AccessLog.objects.filter(pk=access.pk, field="mobile").exists()


def test_the_purge_deletes_only_rows_older_than_the_retention(
    personas, admin, house_a, community_a
):
    from propdesk.billing.models import Bill, LedgerEntry, Receipt
    from propdesk.core.tests.test_backup import money

    money(personas, admin, house_a, community_a)

    ledger = list(LedgerEntry.objects.order_by("id").values())
    money = (Bill.objects.count(), Receipt.objects.count())
    AuditEvent.objects.create(actor=admin, action="x", object_type="house", object_id=1)  # now
    old = _history(admin, days_ago=200)
    kept = _history(admin, days_ago=183)
    history_before = AuditEvent.objects.count()

    result = retention.audit_purge(now=NOW)

    assert (result["core_auditevent"], result["core_accesslog"]) == (1, 1)
    assert not AuditEvent.objects.filter(pk=old[0].pk).exists()
    assert not AccessLog.objects.filter(pk=old[1].pk).exists()
    assert AuditEvent.objects.filter(pk=kept[0].pk).exists()
    assert AccessLog.objects.filter(pk=kept[1].pk).exists()
    assert AuditEvent.objects.count() == history_before - 1
    assert list(LedgerEntry.objects.order_by("id").values()) == ledger
    assert (Bill.objects.count(), Receipt.objects.count()) == money
    # The door shuts again after the purge, even inside the caller's transaction.
    _refused(lambda: AuditEvent.objects.filter(pk=kept[0].pk).delete())


def test_younger_rows_cannot_be_purged_and_a_dry_run_deletes_nothing(admin, settings):
    _history(admin, days_ago=200)
    with pytest.raises(retention.RetentionError, match="184 days"):
        retention.audit_purge(older_than_days=30, now=NOW)
    settings.AUDIT_KEEP_DAYS = 30  # a shorter setting is raised to the legal floor
    with pytest.raises(retention.RetentionError):
        retention.audit_purge(older_than_days=100, now=NOW)
    assert retention.audit_purge(older_than_days=190, dry_run=True, now=NOW)["core_auditevent"] == 1
    assert AuditEvent.objects.count() == 1


def test_the_command_purges_and_refuses_a_short_retention(admin, capsys):
    now = timezone.now()
    AuditEvent.objects.create(
        actor=admin,
        action="x",
        object_type="house",
        object_id=1,
        at=now - datetime.timedelta(days=400),
    )
    call_command("audit_purge", "--dry-run")
    assert "Would delete 1 history rows and 0 access-log rows" in capsys.readouterr().out
    call_command("audit_purge", "--older-than-days", "365")
    assert "Deleted 1 history rows" in capsys.readouterr().out
    assert AuditEvent.objects.count() == 0
    with pytest.raises(CommandError, match="kept 184 days"):
        call_command("audit_purge", "--older-than-days", "90")


def test_the_admin_offers_no_change_or_delete_of_history(admin, rf):
    from django.contrib import admin as django_admin

    request = rf.get("/admin/")
    request.user = admin
    for model in (AuditEvent, AccessLog):
        model_admin = django_admin.site._registry[model]
        assert not model_admin.has_add_permission(request)
        assert not model_admin.has_change_permission(request)
        assert not model_admin.has_delete_permission(request)
