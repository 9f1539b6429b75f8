"""Device readings over MQTT: can the reader keep up with 10,000 readings a second?

Starts a Mosquitto broker of its own on a free loopback port, a fresh database with N pieces of
equipment, and `manage.py read_devices` as its own process; then offers readings at the target
rate for the given time (QoS 0, each with its own time stamp) and reports what was offered, what
was stored (rows in the table), the stored rate, the reader's largest lag between a message's
arrival and its write, the reader's peak memory and CPU, and the machine's load average.

    uv run python bench/readings.py                        # 10,000/s for 60 s on SQLite
    uv run python bench/readings.py --database-url postgres://postgres@127.0.0.1:5432/NAME
    uv run python bench/readings.py --tiny                 # smoke test: 500/s for 3 s

On PostgreSQL the named database is dropped and created again: give a scratch database. Build it
once and measure again on it with `--keep-database` (its readings and alerts are emptied first).
The offer starts once the reader has subscribed (a loaded machine can take a minute to start it).
"""

import argparse
import datetime
import json
import os
import resource
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent

SETUP = """
import django; django.setup()
from propdesk.estates.models import Building, Community, Company
from propdesk.operations.models import Equipment
company = Company.objects.create(name="bench")
community = Community.objects.create(company=company, code="B1", name="bench", archive_prefix="B1")
building = Building.objects.create(community=community, number="1", name="1")
Equipment.objects.bulk_create(
    Equipment(community=community, building=building, code=f"tank-{i}", name="tank", kind="tank")
    for i in range({n})
)
"""

EMPTY = """
import django; django.setup()
from propdesk.operations.models import Alert, Equipment, Reading
Reading.objects.all().delete()
Alert.objects.all().delete()
print(Equipment.objects.filter(community__code="B1").count())
"""

COUNT = """
import django; django.setup()
from propdesk.operations.models import Reading
print(Reading.objects.count())
"""


def note(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def fresh_postgres(url: str) -> None:
    import psycopg

    name = url.rsplit("/", 1)[1]
    admin = url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def python(code: str, env: dict) -> str:
    done = subprocess.run(  # noqa: S603
        [sys.executable, "-c", code], cwd=REPO, env=env, capture_output=True, text=True, check=True
    )
    return done.stdout.strip()


def offer(port: int, *, rate: int, seconds: float, equipment: int) -> tuple[int, float]:
    """Publish at `rate` a second for `seconds`; return (published, elapsed)."""
    import paho.mqtt.client as mqtt

    client = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id="bench-publisher")
    client.max_queued_messages_set(0)
    client.connect("127.0.0.1", port)
    client.loop_start()
    tick = 0.01
    per_tick = max(1, round(rate * tick))
    started = time.perf_counter()
    sent = 0
    base = datetime.datetime.now(datetime.UTC)
    while (elapsed := time.perf_counter() - started) < seconds:
        for _ in range(per_tick):
            at = (base + datetime.timedelta(microseconds=sent)).isoformat()
            topic = f"propdesk/B1/tank-{sent % equipment}/level"
            client.publish(topic, f'{{"value": {50 + sent % 40:.1f}, "at": "{at}"}}')
            sent += 1
        behind = started + (sent / per_tick) * tick - time.perf_counter()
        if behind > 0:
            time.sleep(behind)
    elapsed = time.perf_counter() - started
    client.loop_stop()
    client.disconnect()
    return sent, elapsed


def _peak_rss_kb(pid: int) -> int:
    """The process's peak resident memory (Linux's VmHWM), 0 where /proc is not there."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rate", type=int, default=10_000)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--equipment", type=int, default=200)
    parser.add_argument("--database-url", default="")
    parser.add_argument("--keep-database", action="store_true", help="reuse a built database")
    parser.add_argument("--tiny", action="store_true")
    parser.add_argument("--json", metavar="PATH")
    args = parser.parse_args(argv)
    if args.tiny:
        args.rate, args.seconds, args.equipment = 500, 3, 10
    mosquitto = shutil.which("mosquitto")
    if mosquitto is None:
        raise SystemExit("mosquitto is not installed (apt-get install mosquitto)")
    with tempfile.TemporaryDirectory() as tmp:
        env = {**os.environ, "DJANGO_SETTINGS_MODULE": "propdesk.settings", "DEBUG": "1"}
        env["PROPDESK_VAR_DIR"] = tmp
        if args.database_url:
            env["DATABASE_URL"] = args.database_url
            if not args.keep_database:
                fresh_postgres(args.database_url)
        else:
            env["DATABASE_URL"] = f"sqlite:///{tmp}/bench.sqlite3"
        manage = [sys.executable, "manage.py"]
        if args.keep_database and args.database_url:
            note("emptying the readings of the built database")
            args.equipment = int(python(EMPTY, env))
        else:
            note("migrating a fresh database")
            subprocess.run([*manage, "migrate", "-v0"], cwd=REPO, env=env, check=True)  # noqa: S603
            note(f"registering {args.equipment} tanks")
            python(SETUP.replace("{n}", str(args.equipment)), env)
        port = free_port()
        broker = subprocess.Popen([mosquitto, "-p", str(port)], stderr=subprocess.DEVNULL)  # noqa: S603
        time.sleep(0.5)
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        reader = subprocess.Popen(  # noqa: S603
            [*manage, "read_devices", "--broker", f"mqtt://127.0.0.1:{port}"],
            cwd=REPO,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        subscribed = threading.Event()

        def watch(stream) -> None:
            for line in stream:
                if "subscribed to" in line:
                    subscribed.set()

        threading.Thread(target=watch, args=(reader.stderr,), daemon=True).start()
        starting = time.perf_counter()
        if not subscribed.wait(600):
            reader.kill()
            broker.kill()
            raise SystemExit("the reader did not subscribe within 600 s")
        startup = time.perf_counter() - starting
        note(f"reader subscribed after {startup:.1f} s")
        note(f"offering {args.rate}/s for {args.seconds} s")
        load_before = os.getloadavg()
        sent, elapsed = offer(port, rate=args.rate, seconds=args.seconds, equipment=args.equipment)
        drain_started = time.perf_counter()
        time.sleep(2)
        peak_rss_kb = _peak_rss_kb(reader.pid)
        reader.terminate()
        reader.wait(timeout=600)
        out = reader.stdout.read()
        drained = time.perf_counter() - drain_started
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        broker.kill()
        stored = int(python(COUNT, env))
        figures = {
            "database": "postgresql" if args.database_url else "sqlite",
            "offered_rate": round(sent / elapsed),
            "target_rate": args.rate,
            "seconds": round(elapsed, 1),
            "published": sent,
            "stored": stored,
            "stored_rate": round(stored / (elapsed + drained)),
            "reader": out.strip().splitlines()[-1] if out.strip() else "",
            "reader_cpu_s": round(
                (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime), 1
            ),
            "reader_startup_s": round(startup, 1),
            "reader_peak_rss_mb": round(peak_rss_kb / 1024),
            "load_before": [round(x, 2) for x in load_before],
            "load_after": [round(x, 2) for x in os.getloadavg()],
        }
    print(json.dumps(figures, indent=2))
    if args.json:
        Path(args.json).write_text(json.dumps(figures, indent=2))


if __name__ == "__main__":
    main()
