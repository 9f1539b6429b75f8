"""Two web processes each remember who a token acts as (accounts.token_cache): a token revoked
through one of them is refused there at once, and by the other within `CACHE_SECONDS` of when
that process last read the token, on PostgreSQL, served by gunicorn as in production.

Every bound is read off the one monotonic clock the machine's processes share: the other process
read the token during its warm-up call, between `warm_sent` and `warm_answered`, so it must
accept a call it answered before `warm_sent + CACHE_SECONDS` and refuse one sent after
`warm_answered + CACHE_SECONDS`. A slow machine moves the calls, never the bounds; the test
polls, so it waits no longer than the bound needs."""

import http.client
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from propdesk.accounts import services as token_services
from propdesk.accounts import token_cache
from propdesk.core.tests.concurrency import process_environment, require_postgresql

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)
REPO = Path(__file__).resolve().parents[3]
POLL_SECONDS = 0.25
START_SECONDS = 300  # a worker's first request imports every app; minutes on a loaded machine


@pytest.fixture(autouse=True)
def _postgresql():
    require_postgresql()


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _call(port: int, method: str, path: str, key: str) -> int:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        conn.request(
            method,
            path,
            body=b"" if method == "POST" else None,
            headers={
                "Authorization": f"Bearer {key}",
                "Content-Type": "application/json",
            },
        )
        response = conn.getresponse()
        response.read()
        return response.status
    finally:
        conn.close()


@pytest.fixture
def two_web_processes(tmp_path):
    """Two gunicorn servers of one sync worker each: two processes, two token caches."""
    servers = []
    for n in (1, 2):
        port = _free_port()
        log = open(tmp_path / f"web{n}.log", "wb")  # noqa: SIM115 — closed below
        command = [
            *(sys.executable, "-m", "gunicorn", "propdesk.wsgi:application"),
            *("--workers", "1", "--bind", f"127.0.0.1:{port}", "--chdir", str(REPO)),
            *("--timeout", str(START_SECONDS), "--log-level", "warning"),
        ]
        process = subprocess.Popen(  # noqa: S603 — our own interpreter running gunicorn
            command, env=process_environment(), stdout=subprocess.DEVNULL, stderr=log
        )
        servers.append((port, process, log))
    try:
        deadline = time.monotonic() + START_SECONDS
        for port, process, log in servers:
            while True:
                assert process.poll() is None, (tmp_path / log.name).read_text(errors="replace")
                try:
                    if _call(port, "GET", "/healthz", "") < 500:
                        break
                except OSError:
                    pass
                assert time.monotonic() < deadline, "a web process did not answer"
                time.sleep(0.2)
        yield [port for port, _process, _log in servers]
    finally:
        for _port, process, log in servers:
            process.terminate()
            try:
                process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
            log.close()


def test_a_token_revoked_in_one_process_is_refused_by_the_other_within_the_cache_time(
    personas, admin, two_web_processes
):
    assert token_cache.CACHE_SECONDS == 10.0  # the bound this test pins
    first, other = two_web_processes
    token, key = token_services.api_token_create(
        actor=admin, user=personas["agent"], name="门禁系统"
    )
    _admin_token, admin_key = token_services.api_token_create(actor=admin, user=admin, name="运维")
    # Both processes load the token and remember it (each one's first call of the API loads
    # the URLs too, so warm the API once with the administrator's token first).
    assert _call(first, "GET", "/api/communities", admin_key) == 200
    assert _call(other, "GET", "/api/communities", admin_key) == 200
    assert _call(first, "GET", "/api/communities", key) == 200
    warm_sent = time.monotonic()
    assert _call(other, "GET", "/api/communities", key) == 200
    warm_answered = time.monotonic()

    # Revoked through the service, in the first process: it forgets every token at once.
    assert _call(first, "POST", f"/api/tokens/{token.pk}/revoke", admin_key) == 200
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert _call(first, "GET", "/api/communities", key) == 401

    # The other process still remembers it, until its memory of the warm-up call runs out.
    answers = []
    while True:
        sent = time.monotonic()
        status = _call(other, "GET", "/api/communities", key)
        answered = time.monotonic()
        answers.append((round(sent - warm_answered, 2), status))
        if answered < warm_sent + token_cache.CACHE_SECONDS:
            assert status == 200, answers  # its memory cannot have run out yet
        if sent >= warm_answered + token_cache.CACHE_SECONDS:
            assert status == 401, answers  # nor can it outlast CACHE_SECONDS
        if status == 401:
            break
        time.sleep(POLL_SECONDS)
    # Once refused, refused for good: the revocation is read from the database now.
    assert _call(other, "GET", "/api/communities", key) == 401
    assert _call(first, "GET", "/api/communities", key) == 401
