"""Helpers for the PostgreSQL concurrency tests (DESIGN.md "Claiming work"): run the same claim
from several threads at once, each on its own database connection, and count the effects.

SQLite runs one writer at a time, so these tests prove nothing there and are skipped; CI's
PostgreSQL pass runs them."""

import os
import threading

import pytest
from django.db import connection, connections

postgresql_only = pytest.mark.skipif(
    "connection.vendor != 'postgresql'", reason="only PostgreSQL runs writing transactions at once"
)


def require_postgresql() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("only PostgreSQL runs writing transactions at once")


def process_environment(**extra: str) -> dict:
    """The environment of a process of our own (a worker, a web server) that a test starts against
    its PostgreSQL test database, with the test settings and no frozen suite clock."""
    db = connection.settings_dict
    env = {
        **os.environ,
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT'] or 5432}/{db['NAME']}",
        "DJANGO_SETTINGS_MODULE": "propdesk.settings_test",
        "PROPDESK_TEST_CLOCK": "",
        **extra,
    }
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = db["PASSWORD"]
    return env


def run_together(count: int, work, *, timeout: float = 120) -> list[dict]:
    """Run `work(i)` in `count` threads released at the same moment, each on its own connection;
    each outcome holds the `value` returned or the `error` raised."""
    start = threading.Barrier(count)
    outcomes = [{} for _ in range(count)]

    def run(i):
        try:
            start.wait(10)
            outcomes[i]["value"] = work(i)
        except Exception as exc:  # reported to the test
            outcomes[i]["error"] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout)
    return outcomes
