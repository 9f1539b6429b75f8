"""The worker queue round-trips a task through the configured storage (SQLite, or Redis in CI)."""

import copy
import datetime
import uuid

from django.conf import settings
from django.urls import reverse
from huey.constants import EmptyData
from huey.contrib.djhuey import HUEY

from propdesk.core import tasks


def _queue_like_production():
    """A huey built from the project's settings, not in immediate mode, so storage is real."""
    from importlib import import_module

    config = copy.deepcopy(settings.HUEY)
    module, name = config.pop("huey_class").rsplit(".", 1)
    huey_class = getattr(import_module(module), name)
    config.pop("consumer", None)
    config["immediate"] = False
    config["name"] = f"propdesk-test-{uuid.uuid4().hex[:8]}"
    return huey_class(**config)


def test_a_task_round_trips_through_the_configured_storage():
    queue = _queue_like_production()
    queue.flush()
    add = queue.task()(lambda a, b: a + b)
    result = add(2, 3)
    assert queue.pending_count() == 1
    queue.execute(queue.dequeue())
    assert result.get() == 5
    queue.flush()


def test_redis_is_used_when_configured():
    expected = "RedisHuey" if settings.REDIS_URL else "SqliteHuey"
    assert settings.HUEY["huey_class"].endswith(expected)


def test_heartbeat_shows_in_healthz(client, db):
    assert client.get(reverse("healthz")).json() == {
        "database": "ok",
        "queue": "ok",
        "worker_last_seen": tasks.last_heartbeat(),
    }
    stamp = tasks.worker_heartbeat.call_local()
    assert client.get(reverse("healthz")).json()["worker_last_seen"] == stamp
    HUEY.storage.delete_data(tasks.HEARTBEAT_KEY)


def test_a_periodic_task_runs_once_per_tick_however_many_workers_queue_it(time_machine):
    """Two workers' schedulers both queue the minute's sweep; one copy runs, the other is
    cancelled; the next minute runs again; the storage keeps at most two keys per task."""
    from huey import crontab

    time_machine.move_to("2026-11-16 10:00:05+08:00", tick=False)
    queue = _queue_like_production()
    queue.flush()
    tasks.periodic_tick_guard(queue)
    runs = []
    sweep = queue.periodic_task(crontab(minute="*"), name="test_sweep")(lambda: runs.append(1))

    def tick():
        now = datetime.datetime.now()  # noqa: DTZ005 — huey's scheduler reads local naive time
        for _worker in ("worker 1", "worker 2"):
            for task in queue.read_periodic(now):
                queue.enqueue(task)
        while queue.pending_count():
            queue.execute(queue.dequeue())

    tick()
    assert len(runs) == 1
    tick()  # the same minute again (a third worker, a slow scheduler): nothing more
    assert len(runs) == 1
    for minute in (1, 2, 3):
        time_machine.move_to(f"2026-11-16 10:0{minute}:05+08:00", tick=False)
        tick()
        assert len(runs) == 1 + minute
    kept = [
        minute
        for minute in range(4)
        if queue.storage.peek_data(
            tasks.TICK_KEY.format(name=sweep.name, tick=f"2026111602{minute:02d}")
        )
        is not EmptyData
    ]
    assert len(kept) <= 2
    queue.flush()
