"""The worker queue round-trips a task through the configured storage (SQLite, or Redis in CI)."""

import copy
import uuid

from django.conf import settings
from django.urls import reverse
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
