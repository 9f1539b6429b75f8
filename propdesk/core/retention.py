"""The change history and the personal-data access log are append-only and kept at least
`AUDIT_KEEP_DAYS` (184) days.

The database refuses to change them, whatever the code does: a trigger on each table
(`core_auditevent`, `core_accesslog`) refuses every UPDATE, and every DELETE unless this
connection's purge is under way — on PostgreSQL the transaction-local setting
`propdesk.audit_purge`, on SQLite the connection function `propdesk_audit_purge()` (a connection
without it, such as the sqlite3 shell, is refused too). The only path that sets either is
`audit_purge` (`propdesk audit_purge`), which deletes rows older than the retention, never
younger, and touches no other table (the ledger stays as it is).

The guard is against the application and casual edits, not against the database's owner, who can
drop a trigger. A whole-database reset (`manage.py flush`, as the test runner does) may empty the
tables too; PostgreSQL's TRUNCATE does not fire row triggers.
"""

import contextlib
import contextvars
import datetime

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from propdesk.core.models import AccessLog, AuditEvent

APPEND_ONLY = ("core_auditevent", "core_accesslog")
MIN_KEEP_DAYS = 184
SQLITE_FUNCTION = "propdesk_audit_purge"
_purging = contextvars.ContextVar("propdesk_audit_purging", default=False)


class RetentionError(Exception):
    pass


def keep_days() -> int:
    return max(int(getattr(settings, "AUDIT_KEEP_DAYS", MIN_KEEP_DAYS)), MIN_KEEP_DAYS)


def sqlite_purge_allowed() -> int:
    """The SQLite trigger's question, registered on every connection (core.apps)."""
    return 1 if _purging.get() else 0


def register_sqlite_function(sender, connection, **kwargs) -> None:
    if connection.vendor == "sqlite":
        connection.connection.create_function(SQLITE_FUNCTION, 0, sqlite_purge_allowed)


@contextlib.contextmanager
def purge_allowed():
    """Let this connection delete history rows inside the block (one transaction)."""
    token = _purging.set(True)
    try:
        with transaction.atomic():
            _pg_purge_setting("on")
            yield
            _pg_purge_setting("off")  # inside a caller's transaction too, the door shuts again
    finally:
        _purging.reset(token)


def _pg_purge_setting(value: str) -> None:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT set_config('propdesk.audit_purge', %s, true)", [value])


def audit_purge(*, older_than_days: int | None = None, dry_run: bool = False, now=None) -> dict:
    """Delete history and access-log rows older than `older_than_days` (at least the retention
    of `AUDIT_KEEP_DAYS`, never fewer than 184 days); return how many of each went (or would)."""
    days = keep_days() if older_than_days is None else older_than_days
    if days < keep_days():
        raise RetentionError(
            f"The history is kept {keep_days()} days: rows younger than that cannot be purged."
        )
    cutoff = (now or timezone.now()) - datetime.timedelta(days=days)
    old = {
        "core_auditevent": AuditEvent.objects.filter(at__lt=cutoff),
        "core_accesslog": AccessLog.objects.filter(at__lt=cutoff),
    }
    counts = {table: rows.count() for table, rows in old.items()}
    if not dry_run:
        with purge_allowed():
            for table, rows in old.items():
                counts[table] = rows.delete()[0]
    return {"cutoff": cutoff, **counts}
