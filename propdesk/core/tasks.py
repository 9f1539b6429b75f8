"""Worker tasks of the shared kernel. The worker is `manage.py run_huey` (DESIGN.md)."""

from django.utils import timezone
from huey import crontab
from huey.constants import EmptyData
from huey.contrib.djhuey import HUEY, db_periodic_task, db_task, periodic_task

HEARTBEAT_KEY = "propdesk:worker-heartbeat"


@periodic_task(crontab(minute="*"))
def worker_heartbeat() -> str:
    """Every minute: a timestamp in the queue storage, so /healthz can tell the worker runs."""
    stamp = timezone.now().isoformat()
    HUEY.storage.put_data(HEARTBEAT_KEY, stamp.encode())
    return stamp


def last_heartbeat() -> str | None:
    raw = HUEY.storage.peek_data(HEARTBEAT_KEY)
    return None if raw is EmptyData else raw.decode()


@db_task()
def outbox_deliver_one(message_id: int) -> str:
    from propdesk.core.outbox import message_deliver

    return message_deliver(message_id)


@db_task()
def outbox_deliver_pending() -> int:
    """After a bulk send: deliver everything due, batch after batch."""
    from propdesk.core.outbox import outbox_deliver_all_due

    return outbox_deliver_all_due()


@db_periodic_task(crontab(minute="*"))
def outbox_sweep() -> int:
    """Every minute: retries, scheduled messages, and what a killed worker left claimed."""
    from propdesk.core.outbox import outbox_deliver_due

    return outbox_deliver_due()


@db_task()
def export_run_task(job_id: int) -> str:
    """Write the file of one export a user asked for."""
    from propdesk.core.exports import export_run

    return export_run(job_id)


@db_periodic_task(crontab(minute="*/5"))
def exports_sweep() -> dict:
    """Every five minutes: lost export tasks queued again, dead ones failed, week-old files gone."""
    from propdesk.core.exports import exports_sweep as sweep

    return sweep()
