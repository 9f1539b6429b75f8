"""More than one machine: two web nodes and two workers on one PostgreSQL and one Redis, under a
mixed load, counted at the edge.

On loopback it starts two gunicorn instances on different ports and two huey consumers (separate
processes), all on the same PostgreSQL database, the same Redis database and the same media
store. It loads a small company (`estates.seeding`), bills the month before, and then sends, from
several client threads and to both nodes in turn:

- request creates through the API (an agent's token);
- online payments: an owner opens a payment order on one node, and the payment provider confirms
  it on BOTH nodes at once with the same transaction (as a provider that retries does), then once
  more with a replayed nonce;
- an urgent announcement to every owner and resident of the largest community;
- a billing run of the month for the whole company;
- exports (the house and owner lists, a month of requests) for several staff users.

Each job is handed to the queue a second time by the bench (the billing run, every export, the
announcement's delivery), as a retried request or a sweep on the other node would, so both
consumers may pick up the same job. When everything has settled it counts at the edge:

- sends at the transport: a counting transport (written into a temporary settings module, never
  part of the project) appends a line per send to a file, and delegates to the channel's usual
  transport. Duplicates are sends of a message already sent;
- double-processed jobs: bills per house × fee item × period, the run's own count of bills against
  the bills carrying its id, files in the store's `exports/` folder against finished jobs, payments
  and receipts per paid order, outbox rows per announcement recipient;
- every export fetched through the API from each node, compared byte for byte.

It prints a table with the machine's load average and the CPU seconds of each process (a gunicorn
master with its workers, each consumer, this bench). PostgreSQL and Redis are required.

    uv run python bench/multinode.py --size tiny
    uv run python bench/multinode.py --size small  --json small.json
    uv run python bench/multinode.py --size medium --json medium.json

`--database-url` (default `postgres://postgres@127.0.0.1:5432/propdesk_multinode`) is dropped and
created again; `--redis-url` (default `redis://127.0.0.1:6379/1`) is emptied first. Exits 1 when
any count is off. Figures: bench/README-multinode.md.
"""

import argparse
import collections
import hashlib
import hmac
import http.client
import json
import os
import queue
import random
import re
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import textwrap
import threading
import time
from pathlib import Path
from urllib.parse import unquote, urlsplit

REPO = Path(__file__).resolve().parent.parent
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/propdesk_multinode"
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/1"

SIZES = {
    # houses, communities, request creates, paying owners, exports, client threads
    "tiny": {
        "houses": 400,
        "communities": 2,
        "creates": 40,
        "payers": 8,
        "exports": 3,
        "clients": 4,
    },
    "small": {
        "houses": 4_000,
        "communities": 2,
        "creates": 300,
        "payers": 40,
        "exports": 6,
        "clients": 6,
    },
    "medium": {
        "houses": 20_000,
        "communities": 5,
        "creates": 1_500,
        "payers": 150,
        "exports": 12,
        "clients": 8,
    },
}
EXPORT_KINDS = ("registry.houses", "registry.owners", "requests.month")

# The bench's own settings: the project's, with a counting transport on every channel and a
# payment provider that is not the sandbox (the sandbox is refused with DEBUG=0). Written to a
# temporary directory at run time; nothing of it lives in the project.
BENCH_SETTINGS = """
from propdesk.settings import *  # noqa: F403

OUTBOX_TRANSPORTS = {
    channel: "benchsite.edge.CountingTransport" for channel in ("sms", "email", "in_app", "wechat")
}
PORTAL_PAYMENT_PROVIDER_CLASSES = ["benchsite.edge.BenchProvider"]
PORTAL_PAYMENT_PROVIDER = "bench"
"""

BENCH_EDGE = """
import os

from django.utils.module_loading import import_string

from propdesk.core.transports import DEFAULT_TRANSPORTS, Transport
from propdesk.portal.payments.sandbox import SandboxProvider


class CountingTransport(Transport):
    # One line per send (process, channel, message, dedupe key), appended with O_APPEND so lines
    # of several processes never mix; then the channel's usual transport does its work.

    def send(self, message):
        line = f"{os.getpid()}\\t{message.channel}\\t{message.id}\\t{message.dedupe_key}\\n"
        fd = os.open(os.environ["MULTINODE_SENDS"], os.O_WRONLY | os.O_APPEND | os.O_CREAT)
        try:
            os.write(fd, line.encode())
        finally:
            os.close(fd)
        import_string(DEFAULT_TRANSPORTS[message.channel])().send(message)


class BenchProvider(SandboxProvider):
    # The sandbox's signed callbacks, as a provider that is not a sandbox: the bench signs them.
    name = "bench"
    is_sandbox = False
"""


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--size", choices=SIZES, default="tiny")
    parser.add_argument("--database-url", default=DEFAULT_DATABASE_URL)
    parser.add_argument(
        "--template",
        default="",
        help="copy this migrated, empty database instead of migrating a new one (faster)",
    )
    parser.add_argument("--redis-url", default=DEFAULT_REDIS_URL)
    parser.add_argument("--ports", default="8110,8111", help="the two web nodes' ports")
    parser.add_argument("--web-workers", type=int, default=2, help="gunicorn workers per node")
    parser.add_argument("--worker-threads", type=int, default=2, help="threads per consumer")
    parser.add_argument("--settle-timeout", type=float, default=900, help="seconds at most")
    parser.add_argument("--json", metavar="PATH", help="also write the figures here")
    parser.add_argument("--keep", action="store_true", help="keep the temporary directory")
    parser.add_argument("--random-seed", type=int, default=1)
    args = parser.parse_args(argv)
    if not args.database_url.startswith("postgres"):
        parser.error("several nodes need PostgreSQL: give a postgres:// --database-url")
    args.ports = [int(p) for p in args.ports.split(",")]
    if len(args.ports) != 2:
        parser.error("give two ports")
    return args


# --- set-up -----------------------------------------------------------------------------------


def configure(args, work: Path) -> dict:
    """The environment every process shares (this bench, both nodes, both workers)."""
    site = work / "benchsite"
    site.mkdir()
    (site / "__init__.py").write_text("")
    (site / "settings.py").write_text(textwrap.dedent(BENCH_SETTINGS))
    (site / "edge.py").write_text(textwrap.dedent(BENCH_EDGE))
    (work / "media").mkdir()
    env = {
        "DATABASE_URL": args.database_url,
        "REDIS_URL": args.redis_url,
        "HUEY_NAME": "propdesk-multinode",
        "HUEY_WORKERS": str(args.worker_threads),
        "DJANGO_SETTINGS_MODULE": "benchsite.settings",
        "DEBUG": "0",
        "SECRET_KEY": "bench-" + secrets.token_urlsafe(32),
        "ALLOWED_HOSTS": "127.0.0.1,localhost,testserver",
        "SECURE_SSL_REDIRECT": "0",
        "SESSION_COOKIE_SECURE": "0",
        "CSRF_COOKIE_SECURE": "0",
        "PROPDESK_VAR_DIR": str(work / "var"),
        "MEDIA_ROOT": str(work / "media"),
        "STATIC_ROOT": str(work / "static"),
        "LOG_LEVEL": "WARNING",
        "MULTINODE_SENDS": str(work / "sends.tsv"),
        "PYTHONPATH": os.pathsep.join([str(work), str(REPO), os.environ.get("PYTHONPATH", "")]),
    }
    os.environ.update(env)
    for path in (str(REPO), str(work)):
        if path not in sys.path:
            sys.path.insert(0, path)
    return env


def fresh_database(database_url: str, template: str = "") -> None:
    import psycopg
    from psycopg import sql

    parts = urlsplit(database_url)
    name = unquote(parts.path.lstrip("/"))
    admin_url = parts._replace(path="/postgres").geturl()
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )
        if template:
            conn.execute(
                sql.SQL("CREATE DATABASE {} TEMPLATE {}").format(
                    sql.Identifier(name), sql.Identifier(template)
                )
            )
        else:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def empty_redis(redis_url: str) -> None:
    import redis

    redis.Redis.from_url(redis_url).flushdb()


class World:
    """What the load needs: tokens, payloads, the paying owners, the exporters."""

    def __init__(self):
        self.agent_token = ""
        self.admin_token = ""
        self.create_bodies: list[bytes] = []
        self.payers: list[tuple[str, int]] = []  # (token, house id)
        self.exporters: list[tuple[int, str]] = []  # (user id, token)
        self.announce_community = 0
        self.period = ""
        self.month = ""


def _token(user, admin) -> str:
    from propdesk.accounts.models import ApiToken, hash_token

    key = ApiToken.generate_key()
    ApiToken.objects.create(
        user=user, name="bench", key_prefix=key[:12], key_hash=hash_token(key), created_by=admin
    )
    return key


def prepare(args, size: dict) -> World:
    """Migrate, seed, bill the month before, and make the accounts and tokens of the load."""
    import django

    django.setup()
    from django.core.management import call_command
    from django.db.models import Count
    from django.utils import timezone

    from propdesk.accounts.models import Department, Role, User
    from propdesk.billing.models import Bill
    from propdesk.billing.rules import add_months, month_start
    from propdesk.billing.services.runs import billing_run_execute, billing_run_start
    from propdesk.estates import seeding
    from propdesk.estates.models import Community, Company, Ownership
    from propdesk.portal.services.signin import account_for_mobile
    from propdesk.tickets.demo import PLACES, ROOMS, TEXTS, TIMES

    rng = random.Random(args.random_seed)
    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    print(f"migrated in {time.perf_counter() - started:.1f} s", flush=True)
    started = time.perf_counter()
    seeding.seed_registry(houses=size["houses"], communities=size["communities"])
    print(f"seeded {size['houses']:,} houses in {time.perf_counter() - started:.1f} s", flush=True)

    world = World()
    admin = User.objects.get(username=seeding.SEED_ADMIN_USERNAME)
    agent = User.objects.get(username=seeding.SEED_AGENT_USERNAME)
    company = Company.objects.get(name=seeding.SEED_COMPANY_NAME)
    this_month = month_start(timezone.localdate())
    world.period = f"{this_month:%Y-%m}"
    world.month = world.period
    before = add_months(this_month, -1)
    started = time.perf_counter()
    run = billing_run_start(actor=admin, period=before, company=company)
    run = billing_run_execute(run.id)
    print(
        f"billed {before:%Y-%m}: {run.bills_created:,} bills in "
        f"{time.perf_counter() - started:.1f} s",
        flush=True,
    )

    world.agent_token = _token(agent, admin)
    world.admin_token = _token(admin, admin)

    # Paying owners: primary owners of billed houses in the agent's first community, each with
    # a portal account made the way the portal makes one (its sign-in service).
    first = Community.objects.filter(company=company).order_by("id").first()
    mobiles = collections.Counter(
        Ownership.objects.filter(community=first).values_list("owner__mobile", flat=True)
    )
    billed = set(
        Bill.objects.filter(community=first, period=before).values_list("house_id", flat=True)
    )
    candidates = [
        (house_id, mobile)
        for house_id, mobile in Ownership.objects.filter(
            community=first, is_primary=True, end_on__isnull=True
        )
        .order_by("house_id")
        .values_list("house_id", "owner__mobile")
        if house_id in billed and mobiles[mobile] == 1
    ]
    for house_id, mobile in rng.sample(candidates, min(size["payers"], len(candidates))):
        world.payers.append((_token(account_for_mobile(mobile), admin), house_id))

    # Exporters: staff of every community, at most three unfinished exports each.
    service = Department.objects.get(code=Department.Code.CUSTOMER_SERVICE)
    for n in range((size["exports"] + 2) // 3):
        user = User.objects.create_user(
            f"bench-exporter-{n}", role=Role.ADMIN, department=service, first_name=f"导出{n}"
        )
        world.exporters.append((user.id, _token(user, admin)))

    # The announcement goes to the largest community.
    world.announce_community = (
        Community.objects.filter(company=company)
        .annotate(n=Count("houses"))
        .order_by("-n", "id")
        .values_list("id", flat=True)
        .first()
    )

    from propdesk.core.permissions import community_ids
    from propdesk.estates.models import House

    houses = list(
        House.objects.filter(community_id__in=community_ids(agent))
        .order_by("id")
        .values_list("id", flat=True)
    )
    for _n in range(size["creates"]):
        category = rng.choice(list(TEXTS))
        kinds, house_texts, area_texts = TEXTS[category]
        description = rng.choice(house_texts or area_texts).format(
            room=rng.choice(ROOMS), place=rng.choice(PLACES), time=rng.choice(TIMES), floor=5
        )
        body = {
            "house": rng.choice(houses),
            "kind": next(iter(kinds)),
            "category": category,
            "urgency": "normal",
            "description": description,
            "caller_mobile": f"139{rng.randint(0, 99_999_999):08d}",
        }
        world.create_bodies.append(json.dumps(body, ensure_ascii=False).encode())
    return world


# --- processes --------------------------------------------------------------------------------


class Node:
    def __init__(self, name: str, command: list[str], env: dict, log: Path, port: int | None):
        self.name, self.port, self.log = name, port, log
        self.process = subprocess.Popen(  # noqa: S603 — our own interpreter and modules
            command,
            env={**os.environ, **env},
            cwd=REPO,
            stdout=log.open("wb"),
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def cpu_seconds(self) -> float:
        """CPU time of the process and every process under it, from /proc."""
        return sum(_cpu(pid) for pid in _tree(self.process.pid))

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(30)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(10)


def _tree(root: int) -> list[int]:
    children: dict[int, list[int]] = collections.defaultdict(list)
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            children[int(fields[1])].append(int(entry.name))
    found, todo = [], [root]
    while todo:
        pid = todo.pop()
        found.append(pid)
        todo += children.get(pid, [])
    return found


def _cpu(pid: int) -> float:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def start_nodes(args, env: dict, work: Path) -> list[Node]:
    nodes = []
    for n, port in enumerate(args.ports, 1):
        command = [
            *(sys.executable, "-m", "gunicorn", "propdesk.wsgi:application"),
            *("--workers", str(args.web_workers), "--bind", f"127.0.0.1:{port}"),
            *("--timeout", "120", "--log-level", "warning"),
        ]
        nodes.append(Node(f"web {n} :{port}", command, env, work / f"web{n}.log", port))
    for n in (1, 2):
        command = [sys.executable, str(REPO / "manage.py"), "run_huey", "-v", "0"]
        nodes.append(Node(f"worker {n}", command, env, work / f"worker{n}.log", None))
    for node in nodes:
        if node.port:
            _wait_for(node)
    return nodes


def _wait_for(node: Node, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if node.process.poll() is not None:
            sys.exit(f"{node.name} stopped:\n{node.log.read_text()[-3000:]}")
        try:
            status, _body = request(node.port, "GET", "/healthz")
            if status < 500:
                return
        except OSError:
            pass
        time.sleep(0.5)
    sys.exit(f"{node.name} did not answer within {timeout:.0f} s")


# --- the load ---------------------------------------------------------------------------------

_local = threading.local()


def request(port, method, path, body=None, token="", headers=None) -> tuple[int, bytes]:
    """One HTTP request over this thread's keep-alive connection to that port."""
    conns = getattr(_local, "conns", None)
    if conns is None:
        conns = _local.conns = {}
    all_headers = {"Content-Type": "application/json", **(headers or {})}
    if token:
        all_headers["Authorization"] = f"Bearer {token}"
    if isinstance(body, dict):
        body = json.dumps(body).encode()
    for attempt in (1, 2):
        conn = conns.get(port) or http.client.HTTPConnection("127.0.0.1", port, timeout=120)
        conns[port] = conn
        try:
            conn.request(method, path, body=body, headers=all_headers)
            response = conn.getresponse()
            data = response.read()
            if response.will_close:
                conn.close()
                conns.pop(port, None)
            return response.status, data
        except (OSError, http.client.HTTPException):
            conn.close()
            conns.pop(port, None)
            if attempt == 2:
                raise
    raise AssertionError("unreachable")


class Tally:
    def __init__(self):
        self.lock = threading.Lock()
        self.statuses: dict[str, collections.Counter] = collections.defaultdict(collections.Counter)
        self.errors: list[str] = []
        self.latencies: dict[str, list[float]] = collections.defaultdict(list)
        self.orders: list[dict] = []
        self.exports: list[dict] = []
        self.run_id = 0
        self.announcement_id = 0
        self.created: list[str] = []

    def note(self, kind: str, status: int, body: bytes, started: float, expected=(200, 201, 202)):
        with self.lock:
            self.statuses[kind][status] += 1
            self.latencies[kind].append((time.perf_counter() - started) * 1000)
            if status not in expected:
                self.errors.append(f"{kind}: {status} {body[:300]!r}")


def signed_callback(secret: bytes, order: dict, transaction_id: str, nonce: str) -> tuple:
    body = json.dumps(
        {
            "order": order["number"],
            "transaction_id": transaction_id,
            "amount_fen": order["amount_fen"],
            "status": "SUCCESS",
        },
        separators=(",", ":"),
    ).encode()
    stamp = str(int(time.time()))
    signature = hmac.new(
        secret, stamp.encode() + b"\n" + nonce.encode() + b"\n" + body, hashlib.sha256
    ).hexdigest()
    headers = {
        "X-Sandbox-Timestamp": stamp,
        "X-Sandbox-Nonce": nonce,
        "X-Sandbox-Signature": signature,
    }
    return headers, body


def warm_up(args, world: World) -> None:
    """Each web worker's first requests load the code and open connections: not measured."""

    def hit(port):
        for path, token in (
            ("/api/requests/?queue=all", world.agent_token),
            ("/api/notices/announcements", world.admin_token),
            ("/api/exports/", world.admin_token),
            ("/api/billing/runs", world.admin_token),
        ):
            request(port, "GET", path, None, token)

    threads = [
        threading.Thread(target=hit, args=(port,))
        for port in args.ports
        for _n in range(2 * args.web_workers)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()


def run_load(args, world: World, size: dict, tally: Tally) -> float:
    """Every operation once, from `clients` threads, to the two nodes in turn; seconds taken."""
    from django.conf import settings

    from propdesk.billing.tasks import billing_run_task
    from propdesk.core.tasks import export_run_task
    from propdesk.notices.tasks import announcement_deliver_task

    secret = hmac.new(settings.SECRET_KEY.encode(), b"portal-sandbox-pay", hashlib.sha256).digest()
    ports = args.ports
    rng = random.Random(args.random_seed)

    def create(i, body):
        started = time.perf_counter()
        status, data = request(ports[i % 2], "POST", "/api/requests/", body, world.agent_token)
        tally.note("request create", status, data, started)
        if status == 201:
            with tally.lock:
                tally.created.append(json.loads(data)["number"])

    def pay(i, token, house_id):
        port = ports[i % 2]
        started = time.perf_counter()
        status, data = request(
            port, "POST", "/api/portal/payments/orders", {"house_id": house_id}, token
        )
        tally.note("payment order", status, data, started)
        if status != 201:
            return
        order = json.loads(data)
        transaction_id = f"BENCH{secrets.token_hex(8).upper()}"
        answers = []

        def confirm(node_port, nonce):
            headers, body = signed_callback(secret, order, transaction_id, nonce)
            started = time.perf_counter()
            answer = request(
                node_port, "POST", "/api/portal/payments/callback/bench", body, "", headers
            )
            tally.note("payment callback", answer[0], answer[1], started, expected=(200,))
            answers.append(answer[0])

        # The provider confirms on both nodes at once (a retry racing the first attempt)…
        both = [threading.Thread(target=confirm, args=(p, secrets.token_hex(12))) for p in ports]
        for thread in both:
            thread.start()
        for thread in both:
            thread.join()
        # …and a replay of a callback already received (same nonce) is refused.
        nonce = secrets.token_hex(12)
        confirm(ports[0], nonce)
        headers, body = signed_callback(secret, order, transaction_id, nonce)
        started = time.perf_counter()
        replay = request(ports[1], "POST", "/api/portal/payments/callback/bench", body, "", headers)
        tally.note("payment replay", replay[0], replay[1], started, expected=(200, 400))
        started = time.perf_counter()
        status, data = request(
            ports[(i + 1) % 2], "GET", f"/api/portal/payments/orders/{order['id']}", None, token
        )
        tally.note("payment order read", status, data, started)
        with tally.lock:
            tally.orders.append({**order, "after": json.loads(data) if status == 200 else None})

    def export(i, user_id, token, kind):
        params = {"month": world.month} if kind == "requests.month" else {}
        started = time.perf_counter()
        status, data = request(
            ports[i % 2], "POST", "/api/exports/", {"kind": kind, "params": params}, token
        )
        tally.note("export ask", status, data, started)
        if status == 202:
            job = json.loads(data)
            export_run_task(job["id"])  # a second hand-off of the same job
            with tally.lock:
                tally.exports.append({"id": job["id"], "user": user_id, "token": token})

    def announce(i):
        started = time.perf_counter()
        status, data = request(
            ports[i % 2],
            "POST",
            "/api/notices/announcements",
            {
                "community": world.announce_community,
                "title": "停水通知",
                "body": "明日 9:00–12:00 二次供水水箱清洗，届时停水，请提前储水。",
                "urgent": True,
            },
            world.admin_token,
        )
        tally.note("announcement", status, data, started)
        if status != 201:
            return
        announcement_id = json.loads(data)["id"]
        started = time.perf_counter()
        status, data = request(
            ports[(i + 1) % 2],
            "POST",
            f"/api/notices/announcements/{announcement_id}/publish",
            {},
            world.admin_token,
        )
        tally.note("announcement publish", status, data, started)
        tally.announcement_id = announcement_id
        announcement_deliver_task(announcement_id)  # a second hand-off

    def bill(i):
        started = time.perf_counter()
        status, data = request(
            ports[i % 2],
            "POST",
            "/api/billing/runs",
            {"period": world.period, "company": True},
            world.admin_token,
        )
        tally.note("billing run", status, data, started)
        if status == 202:
            tally.run_id = json.loads(data)["id"]
            billing_run_task(tally.run_id)  # a second hand-off

    operations = [(create, (body,)) for body in world.create_bodies]
    operations += [(pay, payer) for payer in world.payers]
    exporters = [e for e in world.exporters for _ in range(3)][: size["exports"]]
    operations += [
        (export, (user_id, token, EXPORT_KINDS[n % len(EXPORT_KINDS)]))
        for n, (user_id, token) in enumerate(exporters)
    ]
    rng.shuffle(operations)
    # The announcement and the billing run start early, so the rest runs beside their work.
    operations.insert(min(3, len(operations)), (announce, ()))
    operations.insert(min(6, len(operations)), (bill, ()))
    work: queue.Queue = queue.Queue()
    for n, operation in enumerate(operations):
        work.put((n, operation))

    def client():
        while True:
            try:
                n, (function, arguments) = work.get_nowait()
            except queue.Empty:
                return
            try:
                function(n, *arguments)
            except Exception as exc:  # counted, the load goes on
                with tally.lock:
                    tally.errors.append(f"{function.__name__}: {exc!r}")

    started = time.perf_counter()
    threads = [threading.Thread(target=client) for _ in range(size["clients"])]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return time.perf_counter() - started


def settle(args, tally: Tally) -> float:
    """Wait until every job has finished and the outbox holds nothing due; seconds waited."""
    from django.db import close_old_connections
    from django.utils import timezone
    from huey.contrib.djhuey import HUEY

    from propdesk.billing.models import BillingRun
    from propdesk.core.models import ExportJob, OutboxMessage
    from propdesk.notices.models import Announcement

    started = time.perf_counter()
    quiet = 0
    while time.perf_counter() - started < args.settle_timeout:
        close_old_connections()
        now = timezone.now()
        busy = {
            "runs": BillingRun.objects.exclude(status__in=["done", "failed"]).count(),
            "exports": ExportJob.objects.filter(status__in=["queued", "running"]).count(),
            "announcement": Announcement.objects.filter(
                pk=tally.announcement_id, delivered_at__isnull=True
            ).count(),
            "outbox": OutboxMessage.objects.filter(status=OutboxMessage.Status.SENDING).count()
            + OutboxMessage.objects.filter(
                status=OutboxMessage.Status.PENDING, next_attempt_at__lte=now
            ).count(),
            "queue": HUEY.pending_count(),
        }
        quiet = quiet + 1 if not any(busy.values()) else 0
        if quiet >= 3:
            return time.perf_counter() - started
        time.sleep(1)
    print(f"still busy after {args.settle_timeout:.0f} s: {busy}", flush=True)
    return time.perf_counter() - started


# --- counting at the edge ---------------------------------------------------------------------


def downloads(args, tally: Tally) -> list[dict]:
    """Every finished export fetched through the API from each node, compared with the store."""
    from django.core.files.storage import default_storage

    from propdesk.core.models import ExportJob

    rows = []
    for asked in tally.exports:
        job = ExportJob.objects.get(pk=asked["id"])
        row = {"id": job.id, "kind": job.kind, "status": job.status, "size": job.size}
        if job.status == "done":
            with default_storage.open(job.path, "rb") as stored:
                expected = hashlib.sha256(stored.read()).hexdigest()
            for n, port in enumerate(args.ports, 1):
                started = time.perf_counter()
                status, data = request(
                    port, "GET", f"/api/exports/{job.id}/file", None, asked["token"]
                )
                tally.note("export download", status, data, started)
                row[f"node{n}"] = (
                    "same"
                    if status == 200 and hashlib.sha256(data).hexdigest() == expected
                    else f"{status} differs"
                )
        rows.append(row)
    return rows


def count(args, tally: Tally, work: Path, bench_started) -> dict:
    from django.core.files.storage import default_storage
    from django.db import connection
    from django.db.models import Count, Sum

    from propdesk.billing.models import Bill, BillingRun, Payment
    from propdesk.core.exports import DIRECTORY
    from propdesk.core.models import ExportJob, OutboxMessage
    from propdesk.notices.models import Announcement
    from propdesk.portal.models import PaymentOrder
    from propdesk.tickets.models import ServiceRequest

    figures: dict = {}
    # Sends at the transport.
    lines = []
    sends_file = work / "sends.tsv"
    if sends_file.exists():
        lines = [ln.split("\t") for ln in sends_file.read_text().splitlines() if ln]
    per_message = collections.Counter(int(message_id) for _pid, _ch, message_id, _key in lines)
    per_key = collections.Counter(key for *_rest, key in lines)
    sent_ids = set(
        OutboxMessage.objects.filter(status=OutboxMessage.Status.SENT).values_list("id", flat=True)
    )
    waiting = OutboxMessage.objects.filter(status=OutboxMessage.Status.PENDING).count()
    figures["sends"] = {
        "sends": len(lines),
        "messages_sent": len(sent_ids),
        "duplicate_sends": sum(n - 1 for n in per_message.values() if n > 1),
        "duplicate_dedupe_keys": sum(n - 1 for n in per_key.values() if n > 1),
        "sent_rows_never_sent": len(sent_ids - set(per_message)),
        "sends_of_rows_not_sent": len(set(per_message) - sent_ids),
        "waiting_for_the_morning": waiting,
        "by_process": dict(collections.Counter(pid for pid, *_rest in lines)),
        "by_event": dict(
            OutboxMessage.objects.filter(id__in=list(per_message))
            .values_list("event")
            .annotate(n=Count("id"))
            .order_by("event")
        ),
    }
    # The announcement: one outbox row per person and channel, each sent once.
    announcement = Announcement.objects.filter(pk=tally.announcement_id).first()
    prefix = f"announcement:{tally.announcement_id}:"
    rows = OutboxMessage.objects.filter(dedupe_key__startswith=prefix)
    figures["announcement"] = {
        "outbox_rows": rows.count(),
        "sent": rows.filter(status=OutboxMessage.Status.SENT).count(),
        "sends": sum(n for key, n in per_key.items() if key.startswith(prefix)),
        "duplicate_sends": sum(
            n - 1 for key, n in per_key.items() if key.startswith(prefix) and n > 1
        ),
        "delivered": bool(announcement and announcement.delivered_at),
    }
    # The billing run: bills with its id against its own count; bill keys held once.
    run = BillingRun.objects.filter(pk=tally.run_id).first()
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT COUNT(*) FROM (SELECT 1 FROM {Bill._meta.db_table} "  # noqa: S608 — a model's table
            "GROUP BY community_id, house_id, fee_item_id, period, ref HAVING COUNT(*) > 1) d"
        )
        duplicate_bills = cursor.fetchone()[0]
    in_run = Bill.objects.filter(run_id=tally.run_id).count() if run else 0
    figures["billing_run"] = {
        "status": run.status if run else None,
        "communities": f"{run.communities_done}/{len(run.community_ids)}" if run else None,
        "bills_counted_by_run": run.bills_created if run else 0,
        "bills_with_its_id": in_run,
        "double_billed_keys": duplicate_bills,
    }
    # Exports: one file in the store per finished job, and each readable from both nodes.
    jobs = ExportJob.objects.filter(id__in=[e["id"] for e in tally.exports])
    done = jobs.filter(status="done").count()
    try:
        files = len(default_storage.listdir(DIRECTORY)[1])
    except FileNotFoundError:
        files = 0
    fetched = downloads(args, tally)
    figures["exports"] = {
        "asked": len(tally.exports),
        "done": done,
        "failed": jobs.filter(status="failed").count(),
        "files_in_store": files,
        "extra_files": files - done,
        "node1_same": sum(1 for row in fetched if row.get("node1") == "same"),
        "node2_same": sum(1 for row in fetched if row.get("node2") == "same"),
        "rows": fetched,
    }
    # Payments: one payment and one receipt per paid order, for the order's amount.
    orders = PaymentOrder.objects.filter(number__in=[o["number"] for o in tally.orders])
    paid = orders.filter(status=PaymentOrder.Status.PAID)
    houses = [o["house_id"] for o in tally.orders]
    payments = Payment.objects.filter(house_id__in=houses, received_at__gte=bench_started)
    per_house = collections.Counter(payments.values_list("house_id", flat=True))
    figures["payments"] = {
        "orders": orders.count(),
        "paid": paid.count(),
        "payments": payments.count(),
        "receipts": payments.filter(receipt__isnull=False).count(),
        "houses_paid_twice": sum(1 for n in per_house.values() if n > 1),
        "amount_ordered_fen": paid.aggregate(s=Sum("amount_fen"))["s"] or 0,
        "amount_recorded_fen": payments.aggregate(s=Sum("amount_fen"))["s"] or 0,
        "callbacks": dict(tally.statuses["payment callback"]),
        "replays": dict(tally.statuses["payment replay"]),
    }
    figures["periodic"] = periodic_runs(work)
    # Requests: every 201 is one request, and the numbers are unique.
    numbers = tally.created
    figures["requests"] = {
        "created_201": len(numbers),
        "in_database": ServiceRequest.objects.filter(number__in=numbers).count(),
        "duplicate_numbers": len(numbers) - len(set(numbers)),
    }
    return figures


LOG_LINE = re.compile(
    r"^\[(?P<minute>[\d-]+ [\d:]{5}):[^\]]*\] INFO:huey:[^:]*:(?P<name>[\w.]+): \S+ executed in"
)


def periodic_runs(work: Path) -> dict:
    """From both workers' logs: how often each periodic task ran in one minute (its tick)."""
    from django.utils.module_loading import autodiscover_modules
    from huey.contrib.djhuey import HUEY

    autodiscover_modules("tasks")  # what the consumers load at start
    registry = HUEY._registry
    periodic = {registry.task_to_string(task) for task in registry._periodic_tasks}
    runs: collections.Counter = collections.Counter()
    cancelled = 0
    for log in sorted(work.glob("worker*.log")):
        for line in log.read_text(errors="replace").splitlines():
            match = LOG_LINE.match(line)
            if match and match["name"] in periodic:
                runs[(match["name"], match["minute"])] += 1
            elif "cancelled by propdesk_periodic_once_per_tick" in line and line.startswith("["):
                cancelled += 1
    return {
        "runs": sum(runs.values()),
        "ticks": len(runs),
        "ticks_run_twice": sum(1 for n in runs.values() if n > 1),
        "copies_cancelled": cancelled,
    }


def problems(figures: dict, tally: Tally) -> list[str]:
    sends = figures["sends"]
    keys = ("duplicate_sends", "duplicate_dedupe_keys", "sent_rows_never_sent")
    found = [
        f"sends: {key} = {sends[key]}" for key in (*keys, "sends_of_rows_not_sent") if sends[key]
    ]
    if len(sends["by_process"]) < 2:
        found.append("sends: only one worker sent anything")
    ann = figures["announcement"]
    if not ann["delivered"] or ann["duplicate_sends"] or ann["sends"] != ann["sent"]:
        found.append(f"announcement: {ann}")
    run = figures["billing_run"]
    if (
        run["status"] != "done"
        or run["bills_counted_by_run"] != run["bills_with_its_id"]
        or run["double_billed_keys"]
    ):
        found.append(f"billing run: {run}")
    ex = figures["exports"]
    if (
        ex["done"] != ex["asked"]
        or ex["extra_files"]
        or ex["node1_same"] != ex["done"]
        or ex["node2_same"] != ex["done"]
    ):
        found.append(f"exports: { {k: v for k, v in ex.items() if k != 'rows'} }")
    pay = figures["payments"]
    if (
        pay["paid"] != pay["orders"]
        or pay["payments"] != pay["paid"]
        or pay["receipts"] != pay["paid"]
        or pay["houses_paid_twice"]
        or pay["amount_ordered_fen"] != pay["amount_recorded_fen"]
    ):
        found.append(f"payments: {pay}")
    if figures["periodic"]["ticks_run_twice"]:
        found.append(f"periodic tasks: {figures['periodic']}")
    req = figures["requests"]
    if req["in_database"] != req["created_201"] or req["duplicate_numbers"]:
        found.append(f"requests: {req}")
    found += tally.errors[:10]
    return found


# --- report -----------------------------------------------------------------------------------


def _p(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    return ordered[max(0, int(round(pct / 100 * len(ordered))) - 1)] if ordered else 0.0


def report(args, size, figures, tally, nodes, cpu, timings, loads) -> dict:
    print()
    print(f"== multinode, size {args.size}: {size}")
    print(
        f"load {timings['load']:.1f} s, settle {timings['settle']:.1f} s; load average "
        f"{' '.join(f'{x:.2f}' for x in loads['before'])} before, "
        f"{' '.join(f'{x:.2f}' for x in loads['after'])} after ({os.cpu_count()} CPUs)"
    )
    print()
    print(f"{'operation':<22} {'count':>6} {'p50 ms':>8} {'p95 ms':>8}  statuses")
    for kind, statuses in tally.statuses.items():
        values = tally.latencies[kind]
        print(
            f"{kind:<22} {sum(statuses.values()):>6} {_p(values, 50):>8.0f} {_p(values, 95):>8.0f}"
            f"  {dict(sorted(statuses.items()))}"
        )
    print()
    requests_sent = sum(sum(statuses.values()) for statuses in tally.statuses.values())
    web_cpu = sum(seconds for name, seconds in cpu.items() if name.startswith("web"))
    print(f"{'process':<16} {'CPU s':>8}")
    for name, seconds in cpu.items():
        print(f"{name:<16} {seconds:>8.1f}")
    print(
        f"{requests_sent:,} HTTP requests: {1000 * web_cpu / max(requests_sent, 1):.1f} ms of web "
        "CPU per request"
    )
    print()
    for section, values in figures.items():
        shown = {k: v for k, v in values.items() if k != "rows"}
        print(f"{section:<13} {json.dumps(shown, ensure_ascii=False)}")
    return {
        "size": args.size,
        "plan": size,
        "timings_s": {k: round(v, 1) for k, v in timings.items()},
        "load_average": loads,
        "cpus": os.cpu_count(),
        "cpu_seconds": {k: round(v, 1) for k, v in cpu.items()},
        "http_requests": requests_sent,
        "web_cpu_ms_per_request": round(1000 * web_cpu / max(requests_sent, 1), 1),
        "operations": {
            kind: {
                "count": sum(statuses.values()),
                "statuses": dict(statuses),
                "p50_ms": round(_p(tally.latencies[kind], 50)),
                "p95_ms": round(_p(tally.latencies[kind], 95)),
            }
            for kind, statuses in tally.statuses.items()
        },
        "figures": figures,
    }


def main(argv=None) -> dict:
    args = parse_args(argv)
    size = SIZES[args.size]
    work = Path(tempfile.mkdtemp(prefix="propdesk-multinode-"))
    nodes: list[Node] = []
    try:
        env = configure(args, work)
        fresh_database(args.database_url, args.template)
        empty_redis(args.redis_url)
        world = prepare(args, size)
        from django.db import connections
        from django.utils import timezone

        connections.close_all()
        nodes = start_nodes(args, env, work)
        warm_up(args, world)
        print("two web nodes and two workers are up", flush=True)
        loads = {"before": [round(x, 2) for x in os.getloadavg()]}
        cpu_before = {node.name: node.cpu_seconds() for node in nodes}
        bench_cpu_before = time.process_time()
        bench_started = timezone.now()
        tally = Tally()
        timings = {"load": run_load(args, world, size, tally)}
        print(f"load sent in {timings['load']:.1f} s; waiting for the workers", flush=True)
        timings["settle"] = settle(args, tally)
        figures = count(args, tally, work, bench_started)
        loads["after"] = [round(x, 2) for x in os.getloadavg()]
        cpu = {node.name: node.cpu_seconds() - cpu_before[node.name] for node in nodes}
        cpu["bench (clients)"] = time.process_time() - bench_cpu_before
        for node in nodes:
            if node.process.poll() is not None:
                tally.errors.append(f"{node.name} stopped: {node.log.read_text()[-500:]}")
        result = report(args, size, figures, tally, nodes, cpu, timings, loads)
        found = problems(figures, tally)
        result["problems"] = found
        if args.json:
            Path(args.json).write_text(
                json.dumps(result, ensure_ascii=False, indent=1, default=str)
            )
        print()
        print("PROBLEMS:\n  " + "\n  ".join(found) if found else "every count holds")
        return result
    finally:
        for node in nodes:
            node.stop()
        if args.keep:
            print(f"kept {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    outcome = main()
    sys.exit(1 if outcome.get("problems") else 0)
