"""Worker tasks of the shared kernel. The worker is `manage.py run_huey` (DESIGN.md)."""

import datetime

from django.utils import timezone
from huey import crontab
from huey.api import PeriodicTask
from huey.constants import EmptyData
from huey.contrib.djhuey import HUEY, db_periodic_task, db_task, periodic_task
from huey.exceptions import CancelExecution

HEARTBEAT_KEY = "propdesk:worker-heartbeat"
TICK_KEY = "propdesk:periodic:{name}:{tick}"
LAST_TICK_KEY = "propdesk:periodic-last:{name}"


def periodic_tick_claim(queue, task) -> bool:
    """Whether this copy of a periodic task is the first of its tick (see `periodic_tick_guard`);
    the key of the task's previous tick is then dropped, so the storage holds at most two keys
    per task."""
    tick = datetime.datetime.now(datetime.UTC).strftime("%Y%m%d%H%M")
    key = TICK_KEY.format(name=task.name, tick=tick)
    storage = queue.storage
    if not storage.put_if_empty(key, b"1"):
        return False
    last_key = LAST_TICK_KEY.format(name=task.name)
    last = storage.peek_data(last_key)
    storage.put_data(last_key, key.encode())
    if last is not EmptyData and last.decode() != key:
        storage.pop_data(last.decode())
    return True


def periodic_tick_guard(queue) -> None:
    """Run each periodic task once per tick however many workers there are.

    Every worker's scheduler queues every periodic task each minute, so two workers (two machines)
    ran each sweep twice per tick. The first copy of a tick claims it in the queue's shared
    storage (an atomic set-if-empty) and runs; the other copies are cancelled before they start.
    Direct calls in an immediate queue (tests, development) are not ticks and are left alone."""

    @queue.pre_execute(name="propdesk_periodic_once_per_tick")
    def once_per_tick(task) -> None:
        if queue.immediate or not isinstance(task, PeriodicTask):
            return
        if not periodic_tick_claim(queue, task):
            raise CancelExecution(retry=False)


periodic_tick_guard(HUEY)


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
