"""An emergency broadcast to a whole community, on PostgreSQL with two worker processes, counted
at the transport.

It migrates a fresh database, seeds one community of `--houses` houses (`estates.seeding`), starts
two worker processes and then opens a power-cut incident for the whole community as the seeded
administrator, through the service the console and the API call (`incident_open`). Each worker
loops as the huey consumer's tasks would: it takes any broadcast not yet queued
(`broadcast_deliver`, whose claim one worker wins) and delivers the due outbox messages
(`outbox_deliver_due`, claimed with SKIP LOCKED). Their transport appends one line per send
(message id, channel, recipient, time) to a file, the edge where a duplicate would show.

Figures, each with the load average and the CPU seconds of this process and of each worker:

- open → every message queued: from the call to `incident_open` until the broadcast's
  `delivered_at` (the outbox rows of every resident written);
- open → every message handed to the transport: until the last of those rows reached it;
- duplicates: transport lines of a message id seen before, and outbox rows of a (channel,
  recipient) seen before. Exits 1 when any is not 0 or a message never arrives.

    uv run python bench/incidents.py --tiny
    uv run python bench/incidents.py --houses 20000 --json incidents.json

`--database-url` (default `postgres://postgres@127.0.0.1:5432/propdesk_incidents`) is dropped and
created again. Figures: bench/README.md.
"""

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit

REPO = Path(__file__).resolve().parent.parent
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/propdesk_incidents"
TRANSPORT = "__main__.FileCountingTransport"
# This folder holds requests.py, which would shadow the HTTP library of that name (imported by an
# SMS provider's SDK): the project is imported from the checkout, not from here.
_HERE = Path(__file__).resolve().parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != _HERE]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))


class FileCountingTransport:
    """Appends `<message id> <channel> <recipient> <event> <time>` per send (one O_APPEND write)."""

    def __init__(self, *args, **kwargs):
        pass

    def send(self, message) -> None:
        fields = (message.id, message.channel, message.recipient, message.event)
        line = (" ".join(map(str, fields)) + f" {time.time():.6f}\n").encode()
        fd = os.open(os.environ["COUNT_FILE"], os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        try:
            os.write(fd, line)
        finally:
            os.close(fd)


def cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def load() -> str:
    one, five, fifteen = os.getloadavg()
    return f"load {one:.2f} {five:.2f} {fifteen:.2f}"


def _env(database_url: str, count_file: Path) -> dict:
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "DJANGO_SETTINGS_MODULE": "propdesk.settings",
        "DEBUG": "0",
        "SECRET_KEY": "bench-only-secret-key-not-for-production-0123456789",
        "COUNT_FILE": str(count_file),
        "ALLOWED_HOSTS": "localhost",
    }
    env.pop("REDIS_URL", None)  # the workers below are the only consumers
    return env


def worker(stop_file: str, report_file: str) -> None:
    """One worker: queue unqueued broadcasts and deliver the outbox until told to stop."""
    import django

    django.setup()
    from django.conf import settings

    from propdesk.community.models import IncidentBroadcast
    from propdesk.community.services.incidents import broadcast_deliver
    from propdesk.core.outbox import outbox_deliver_due

    settings.OUTBOX_TRANSPORTS = {c: TRANSPORT for c in ("sms", "in_app", "email", "wechat")}
    queued = sent = 0
    while not os.path.exists(stop_file):
        busy = False
        for broadcast_id in IncidentBroadcast.objects.filter(delivered_at__isnull=True).values_list(
            "id", flat=True
        ):
            if broadcast_deliver(broadcast_id):
                queued += 1
                busy = True
        delivered = outbox_deliver_due(limit=500)
        sent += delivered
        if not busy and not delivered:
            time.sleep(0.05)
    Path(report_file).write_text(
        json.dumps({"cpu_s": cpu_seconds(), "broadcasts_queued": queued, "sent": sent})
    )


def _database(url: str) -> None:
    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    common = ["-h", parts.hostname or "127.0.0.1", "-p", str(parts.port or 5432)]
    common += ["-U", parts.username or "postgres"]
    subprocess.run(["dropdb", "--if-exists", *common, name], check=True)  # noqa: S603, S607
    subprocess.run(["createdb", *common, name], check=True)  # noqa: S603, S607


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--houses", type=int, default=20_000)
    parser.add_argument("--tiny", action="store_true", help="300 houses: a smoke test for CI")
    parser.add_argument("--database-url", default=DEFAULT_DATABASE_URL)
    parser.add_argument("--timeout", type=float, default=1800, help="seconds to wait for sends")
    parser.add_argument("--json", help="write the figures to this file")
    parser.add_argument("--worker", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        worker(*args.worker)
        return 0
    houses = 300 if args.tiny else args.houses
    workdir = Path(tempfile.mkdtemp(prefix="bench-incidents-"))
    count_file = workdir / "sent.txt"
    count_file.touch()
    stop_file = workdir / "stop"
    env = _env(args.database_url, count_file)
    os.environ.update(env)

    _database(args.database_url)
    import django

    django.setup()
    from django.core.management import call_command

    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    print(f"migrated in {time.perf_counter() - started:.1f} s ({load()})", flush=True)

    from propdesk.accounts.models import User
    from propdesk.community.models import IncidentBroadcast
    from propdesk.community.services.incidents import incident_open
    from propdesk.core.models import OutboxMessage
    from propdesk.estates import seeding
    from propdesk.estates.models import Community

    started = time.perf_counter()
    seeding.seed_registry(houses=houses, communities=1)
    print(f"seeded {houses:,} houses in {time.perf_counter() - started:.1f} s ({load()})")
    admin = User.objects.get(username=seeding.SEED_ADMIN_USERNAME)
    community = Community.objects.get()

    workers = [
        subprocess.Popen(  # noqa: S603
            [
                sys.executable,
                __file__,
                "--worker",
                str(stop_file),
                str(workdir / f"worker{i}.json"),
            ],
            cwd=REPO,
            env=env,
        )
        for i in (1, 2)
    ]
    time.sleep(8)  # both workers set up and polling before the incident opens
    cpu_before = cpu_seconds()
    opened = time.time()
    incident = incident_open(
        actor=admin,
        community=community,
        kind="power_cut",
        severity="major",
        place="全小区",
        whole_community=True,
        expected_restore_at=None,
    )
    open_call_s = time.time() - opened
    open_cpu_s = cpu_seconds() - cpu_before
    figures = {"houses": houses, "open_call_s": round(open_call_s, 3)}
    print(f"incident_open returned in {open_call_s:.2f} s (CPU {open_cpu_s:.2f} s, {load()})")

    broadcast_rows = OutboxMessage.objects.filter(
        event="incident.broadcast", dedupe_key__startswith=f"incident:{incident.id}:"
    )
    deadline = time.time() + args.timeout
    broadcast = None
    while time.time() < deadline:
        broadcast = IncidentBroadcast.objects.get(incident=incident)
        if broadcast.delivered_at is not None:
            break
        time.sleep(0.05)
    queued_s = broadcast.delivered_at.timestamp() - opened if broadcast.delivered_at else None
    load_queued = load()
    expected = broadcast_rows.count()
    ids = set(broadcast_rows.values_list("id", flat=True))
    lines: list[list[str]] = []
    while time.time() < deadline:
        lines = [line.split() for line in count_file.read_text().splitlines() if line]
        if len({int(p[0]) for p in lines if int(p[0]) in ids}) >= expected:
            break
        time.sleep(0.2)
    stop_file.touch()
    for process in workers:
        process.wait(120)
    ours = [p for p in lines if int(p[0]) in ids]
    arrived = {int(p[0]) for p in ours}
    last_sent = max((float(p[4]) for p in ours), default=opened)
    transport_s = last_sent - opened if arrived >= ids else None
    pairs = list(broadcast_rows.values_list("channel", "recipient"))
    reports = [json.loads((workdir / f"worker{i}.json").read_text()) for i in (1, 2)]
    cpu = (
        f"CPU: bench {cpu_seconds():.1f} s, worker 1 {reports[0]['cpu_s']:.1f} s, "
        f"worker 2 {reports[1]['cpu_s']:.1f} s"
    )
    figures.update(
        {
            "people_told": broadcast.recipients,
            "messages": expected,
            "open_to_all_queued_s": round(queued_s, 2) if queued_s is not None else None,
            "open_to_all_sent_s": round(transport_s, 2) if transport_s is not None else None,
            "duplicate_sends": len(ours) - len(arrived),
            "duplicate_rows": len(pairs) - len(set(pairs)),
            "missing": len(ids - arrived),
            "broadcast_queued_by": [r["broadcasts_queued"] for r in (reports[0], reports[1])],
            "sent_by_worker": [reports[0]["sent"], reports[1]["sent"]],
            "cpu_s": {
                "bench": round(cpu_seconds(), 2),
                "worker1": round(reports[0]["cpu_s"], 2),
                "worker2": round(reports[1]["cpu_s"], 2),
            },
            "load_at_queued": load_queued,
            "load_at_end": load(),
        }
    )
    print(
        f"{houses:,} houses, {broadcast.recipients:,} people, {expected:,} messages "
        f"(in-app, SMS, email where given)"
    )
    print(f"open → every message queued:          {queued_s:.2f} s ({load_queued}; {cpu})")
    if transport_s is not None:
        print(f"open → every message at the transport: {transport_s:.2f} s ({load()}; {cpu})")
    else:
        print(f"messages that never reached the transport: {len(ids - arrived):,}")
    print(
        f"duplicates: {figures['duplicate_sends']} sends, {figures['duplicate_rows']} rows; "
        f"broadcast queued by worker 1/2: {figures['broadcast_queued_by']}, "
        f"sends by worker 1/2: {figures['sent_by_worker']}"
    )
    if args.json:
        Path(args.json).write_text(json.dumps(figures, indent=2, ensure_ascii=False))
    ok = (
        transport_s is not None
        and figures["duplicate_sends"] == 0
        and figures["duplicate_rows"] == 0
        and sum(figures["broadcast_queued_by"]) == 1
    )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
