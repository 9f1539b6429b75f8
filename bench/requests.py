"""Service requests at a million: create throughput over HTTP, queue pages and full-text search.

Two measurements (targets from issue 3 and PERF-NOTES.md):

1. **Create throughput** (target ≥ 0.5× a trivial JSON endpoint). The project is served by
   gunicorn with 2 sync workers (production settings, DEBUG off, request logging off) in a
   subprocess on loopback — the conditions of the django-helpdesk comparison in PERF-NOTES.md.
   8 client threads with keep-alive connections send, for a bounded time each, either
   `GET /bench/hello` (a view that returns `{"ok": true}` with the same middleware stack) or
   `POST /api/requests/` (a real request through the intake service, authenticated by an API
   token). Rounds alternate hello → create → hello → create, and the ratio is create req/s ÷
   hello req/s of the same round; the bench then prints the median round, and the server's CPU
   time per request (read from /proc where there is one).
   The hello view and the URL module that adds it are written to a temporary directory at run
   time; nothing of the bench lives in the project. `--server runserver` serves with Django's
   development server instead; its hello is not a ceiling of the stack (see the figures).
2. **Queue pages and search, p50/p95** (target ≤ 50 ms). In-process through Django's test
   Client (the whole stack: middleware, session, the ninja endpoint, selector, JSON), as the
   seeded agent (2 communities) and the seeded administrator (every community): the first page
   of each queue, and a full-text search for 漏水 (about 10 % of requests) and for two words.

    uv run python bench/requests.py --tiny                           # smoke test, temp SQLite
    uv run python bench/requests.py --database-url URL               # a database seeded before
    uv run python bench/requests.py --database-url URL --seed-houses 1000000 --seed-requests 1000000

See bench/README-requests.md for measured figures.
"""

import argparse
import http.client
import json
import math
import os
import random
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import textwrap
import threading
import time
from pathlib import Path
from urllib.parse import quote, unquote, urlsplit

from production import SERVER_SETTINGS, production_environment

REPO = Path(__file__).resolve().parent.parent
TARGET_P95_MS = 50.0
TARGET_RATIO = 0.5
QUEUES = ("mine", "department", "unassigned", "due_soon", "overdue", "follow_up", "all")
SEARCHES = {"search_leak": "漏水", "search_two_words": "楼下 漏水"}
TINY = {"houses": 600, "communities": 3, "requests": 5000}


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--database-url", default=None, help="database to measure")
    parser.add_argument("--tiny", action="store_true", help="seed a small temporary SQLite DB")
    parser.add_argument("--seed-houses", type=int, default=0, help="seed a registry first")
    parser.add_argument("--seed-requests", type=int, default=0, help="seed requests first")
    parser.add_argument("-n", "--repetitions", type=int, default=None, help="pages per kind")
    parser.add_argument("--clients", type=int, default=8, help="concurrent HTTP clients")
    parser.add_argument("--server", choices=("gunicorn", "runserver"), default="gunicorn")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn worker processes")
    parser.add_argument("--worker-class", choices=("sync", "gthread"), default="sync")
    parser.add_argument("--threads", type=int, default=4, help="threads per gthread worker")
    parser.add_argument(
        "--conn-max-age", type=int, default=None, help="the server's CONN_MAX_AGE (settings: 60)"
    )
    parser.add_argument(
        "--server-side-binding",
        action="store_true",
        help="PostgreSQL: psycopg binds parameters on the server (prepared statements)",
    )
    parser.add_argument(
        "--pool",
        type=int,
        default=0,
        metavar="N",
        help="PostgreSQL: Django's connection pool of at most N connections per worker "
        "instead of persistent connections",
    )
    parser.add_argument(
        "--http-pages",
        action="store_true",
        help="also load queue pages and searches over HTTP with the same clients in each round",
    )
    parser.add_argument("--duration", type=float, default=None, help="seconds per round")
    parser.add_argument("--rounds", type=int, default=None, help="hello/create rounds")
    parser.add_argument("--skip-throughput", action="store_true")
    parser.add_argument("--skip-queues", action="store_true")
    parser.add_argument("--json", metavar="PATH", help="also write the figures here")
    parser.add_argument("--random-seed", type=int, default=1)
    args = parser.parse_args(argv)
    if args.tiny and args.database_url:
        parser.error("--tiny makes its own temporary SQLite database; drop --database-url")
    if not args.tiny:
        args.database_url = args.database_url or os.environ.get("DATABASE_URL", "")
        if not args.database_url:
            parser.error("give --database-url (or set DATABASE_URL), or use --tiny")
    args.repetitions = args.repetitions or (10 if args.tiny else 200)
    args.duration = args.duration or (2.0 if args.tiny else 15.0)
    args.rounds = args.rounds or (1 if args.tiny else 3)
    return args


def ensure_postgres_database(database_url: str) -> None:
    import psycopg
    from psycopg import sql

    parts = urlsplit(database_url)
    name = unquote(parts.path.lstrip("/"))
    admin_url = parts._replace(path="/postgres").geturl()
    with psycopg.connect(admin_url, autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
            print(f"created database {name}")


def prepare(houses: int, communities: int | None, requests: int) -> None:
    from django.core.management import call_command

    from propdesk.estates import seeding
    from propdesk.estates.models import House
    from propdesk.tickets.models import ServiceRequest
    from propdesk.tickets.seeding import seed_requests

    call_command("setup_database", verbosity=0)
    if houses and not House.objects.exists():
        started = time.perf_counter()
        result = seeding.seed_registry(houses=houses, communities=communities)
        print(f"seeded {result.houses:,} houses in {time.perf_counter() - started:.1f} s")
    have = ServiceRequest.objects.count()
    if requests and have < requests:
        result = seed_requests(
            requests=requests - have,
            progress=lambda done, total, rows, s: print(
                f"  seeding requests {100 * done / total:5.1f} %  {rows:,} rows  {s:.1f} s",
                flush=True,
            ),
        )
        print(
            f"seeded {result.requests:,} requests, {result.rows:,} rows in "
            f"{result.seconds:.1f} s ({result.rows / result.seconds:,.0f} rows/s)"
        )


def percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    return ordered[max(0, math.ceil(pct / 100 * len(ordered)) - 1)]


# --- queue pages and search (in-process) ------------------------------------------------------


def measure_queues(args) -> list[dict]:
    from django.db import connection
    from django.test import Client

    from propdesk.accounts.models import User
    from propdesk.core.permissions import community_ids
    from propdesk.estates import seeding

    rng = random.Random(args.random_seed)
    personas = {}
    for label, username in (
        ("agent", seeding.SEED_AGENT_USERNAME),
        ("admin", seeding.SEED_ADMIN_USERNAME),
    ):
        user = User.objects.get(username=username)
        client = Client()
        client.force_login(user)
        personas[label] = (client, len(community_ids(user)))
    kinds = {**{q: {"queue": q} for q in QUEUES}, **{k: {"q": v} for k, v in SEARCHES.items()}}
    tasks = [(label, kind) for label in personas for kind in kinds] * args.repetitions
    rng.shuffle(tasks)

    def call(label, kind):
        return personas[label][0].get("/api/requests/", kinds[kind])

    for label, kind in tasks[:30]:
        call(label, kind)
    samples: dict[tuple, list[float]] = {}
    items: dict[tuple, int] = {}
    for label, kind in tasks:
        started = time.perf_counter()
        response = call(label, kind)
        elapsed = (time.perf_counter() - started) * 1000
        if response.status_code != 200:
            sys.exit(f"{label} {kind}: HTTP {response.status_code} {response.content[:300]}")
        samples.setdefault((label, kind), []).append(elapsed)
        items[(label, kind)] = response.json()["count"]
    counted: dict[tuple, int] = {}
    executed: list[str] = []

    def count(execute, sql, params, many, context):
        executed.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(count):
        for label, kind in {(label, kind) for label, kind in tasks}:
            executed.clear()
            call(label, kind)
            counted[(label, kind)] = len(executed)
    rows = []
    for label in personas:
        for kind in kinds:
            times = samples[(label, kind)]
            rows.append(
                {
                    "user": label,
                    "communities": personas[label][1],
                    "kind": kind,
                    "n": len(times),
                    "p50_ms": round(statistics.median(times), 2),
                    "p95_ms": round(percentile(times, 95), 2),
                    "max_ms": round(max(times), 2),
                    "matching_capped": items[(label, kind)],
                    "sql_queries": counted[(label, kind)],
                }
            )
    return rows


# --- create throughput over HTTP --------------------------------------------------------------

BENCH_URLS = """
import secrets

from django.db import transaction
from django.http import JsonResponse
from django.urls import include, path
from django.views.decorators.csrf import csrf_exempt

import propdesk.urls
from propdesk.api.auth import TokenAuth
from propdesk.core.models import NumberSequence

token_auth = TokenAuth()


def hello(request):
    return JsonResponse({"ok": True})


@csrf_exempt
def write(request):
    # One row written in a transaction, nothing checked: what any create costs at the very least.
    with transaction.atomic():
        row = NumberSequence.objects.create(scope=FLOOR_SCOPE + secrets.token_hex(8))
    return JsonResponse({"id": row.id}, status=201)


@csrf_exempt
def floor(request):
    # The least a create can do: the API's token check and one row written in a transaction.
    token_auth(request)
    with transaction.atomic():
        row = NumberSequence.objects.create(scope=FLOOR_SCOPE + secrets.token_hex(8))
    return JsonResponse({"id": row.id}, status=201)


FLOOR_SCOPE = "bench-floor:"
urlpatterns = [
    path("bench/hello", hello),
    path("bench/write", write),
    path("bench/floor", floor),
    *propdesk.urls.urlpatterns,
]
"""
FLOOR_SCOPE = "bench-floor:"
INTAKE_USERNAME = "bench-intake"
# --http-pages: the first page of every queue, and the two searches, as the seeded agent.
PAGE_PATHS = {
    "queues": [f"/api/requests/?queue={queue}" for queue in QUEUES],
    "search": [
        "/api/requests/?q=" + "%20".join(quote(word) for word in words.split())
        for words in SEARCHES.values()
    ],
}
BENCH_SETTINGS = f"""{SERVER_SETTINGS}
ROOT_URLCONF = "benchsite.urls"
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def intake_user():
    """The agent the creates (and the floor) act as: one of the communities after the seeded
    agent's, so that the requests the bench files never land in the queues its pages read. In
    the seeded agent's own communities each round's creates (some 3,000) joined the unassigned
    queue, and every round's pages read a longer queue than the round before."""
    from propdesk.accounts.models import Role, User
    from propdesk.core.permissions import community_ids
    from propdesk.estates import seeding
    from propdesk.estates.models import Community

    user = User.objects.filter(username=INTAKE_USERNAME).first()
    if user is None:
        agent = User.objects.get(username=seeding.SEED_AGENT_USERNAME)
        user = User.objects.create_user(
            INTAKE_USERNAME,
            role=Role.AGENT,
            department=agent.department,
            last_name="压测",
            first_name="受理",
        )
        others = Community.objects.exclude(id__in=community_ids(agent)).order_by("id")
        user.communities.set(others[: len(community_ids(agent))])
    return user


def api_token(user) -> str:
    from propdesk.accounts.models import ApiToken, User, hash_token
    from propdesk.estates import seeding

    admin = User.objects.get(username=seeding.SEED_ADMIN_USERNAME)
    key = ApiToken.generate_key()
    ApiToken.objects.create(
        user=user,
        name="bench",
        key_prefix=key[:12],
        key_hash=hash_token(key),
        created_by=admin,
    )
    return key


def bodies(count: int, rng: random.Random, user) -> list[bytes]:
    from propdesk.core.permissions import community_ids
    from propdesk.estates.models import House
    from propdesk.tickets.demo import PLACES, ROOMS, TEXTS, TIMES

    houses = list(
        House.objects.filter(community_id__in=community_ids(user))
        .order_by("?")
        .values_list("id", flat=True)[:2000]
    )
    result = []
    for _n in range(count):
        category = rng.choice(list(TEXTS))
        kinds, house_texts, area_texts = TEXTS[category]
        texts = house_texts or area_texts
        description = rng.choice(texts).format(
            room=rng.choice(ROOMS), place=rng.choice(PLACES), time=rng.choice(TIMES), floor=5
        )
        payload = {
            "house": rng.choice(houses),
            "kind": next(iter(kinds)),
            "category": category,
            "urgency": "normal",
            "description": description,
            "caller_mobile": f"139{rng.randint(0, 99_999_999):08d}",
        }
        result.append(json.dumps(payload, ensure_ascii=False).encode())
    return result


class Load:
    """`clients` threads hammering one endpoint for `duration` seconds over keep-alive."""

    def __init__(self, port, method, path, bodies, headers, clients, duration):
        # `path` may be a list: each client walks through it, one path per request.
        self.port, self.method = port, method
        self.paths = [path] if isinstance(path, str) else list(path)
        self.bodies, self.headers = bodies, headers
        self.clients, self.duration = clients, duration
        self.ok = 0
        self.failed = 0
        self.latencies: list[float] = []
        self.errors: list[str] = []
        self.lock = threading.Lock()

    def run(self) -> dict:
        deadline = time.perf_counter() + self.duration
        threads = [
            threading.Thread(target=self.worker, args=(n, deadline)) for n in range(self.clients)
        ]
        started = time.perf_counter()
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        elapsed = time.perf_counter() - started
        return {
            "requests": self.ok,
            "failed": self.failed,
            "seconds": round(elapsed, 2),
            "per_second": round(self.ok / elapsed, 1),
            "p50_ms": round(statistics.median(self.latencies), 1) if self.latencies else None,
            "p95_ms": round(percentile(self.latencies, 95), 1) if self.latencies else None,
            "errors": self.errors[:3],
        }

    def worker(self, number: int, deadline: float) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        i = number
        ok = failed = 0
        latencies = []
        while time.perf_counter() < deadline:
            body = self.bodies[i % len(self.bodies)] if self.bodies else None
            path = self.paths[i % len(self.paths)]
            i += self.clients
            started = time.perf_counter()
            try:
                conn.request(self.method, path, body=body, headers=self.headers)
                response = conn.getresponse()
                data = response.read()
                if response.will_close:
                    conn.close()
                    conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
            except (OSError, http.client.HTTPException) as exc:
                failed += 1
                with self.lock:
                    self.errors.append(repr(exc))
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
                continue
            latencies.append((time.perf_counter() - started) * 1000)
            if 200 <= response.status < 300:
                ok += 1
            else:
                failed += 1
                with self.lock:
                    self.errors.append(f"{response.status} {data[:200]!r}")
        conn.close()
        with self.lock:
            self.ok += ok
            self.failed += failed
            self.latencies += latencies


def measure_throughput(args, var_dir: str) -> dict:
    site = Path(var_dir) / "benchsite"
    site.mkdir(exist_ok=True)
    (site / "__init__.py").write_text("")
    (site / "urls.py").write_text(textwrap.dedent(BENCH_URLS))
    (site / "settings.py").write_text(textwrap.dedent(BENCH_SETTINGS))
    from propdesk.accounts.models import User
    from propdesk.estates import seeding

    intake = intake_user()
    key = api_token(intake)
    page_key = api_token(User.objects.get(username=seeding.SEED_AGENT_USERNAME))
    rng = random.Random(args.random_seed)
    payloads = bodies(2000, rng, intake)
    port = free_port()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "benchsite.settings",
        "PYTHONPATH": os.pathsep.join([var_dir, str(REPO), os.environ.get("PYTHONPATH", "")]),
    }
    if args.conn_max_age is not None:
        env["DB_CONN_MAX_AGE"] = str(args.conn_max_age)
    if args.server_side_binding:
        env["DB_SERVER_SIDE_BINDING"] = "1"
    if args.pool:
        env.update(DB_POOL="1", DB_POOL_MIN="1", DB_POOL_MAX=str(args.pool))
    if args.server == "gunicorn":
        command = [
            *(sys.executable, "-m", "gunicorn", "propdesk.wsgi:application"),
            *("--workers", str(args.workers), "--bind", f"127.0.0.1:{port}"),
            *("--worker-class", args.worker_class),
            *(("--threads", str(args.threads)) if args.worker_class == "gthread" else ()),
            *("--log-level", "warning", "--chdir", str(REPO)),
            # A worker's first request loads jieba's dictionary: on a machine loaded by other
            # work it can take longer than gunicorn's default 30 s, and the worker is killed.
            *("--timeout", "120"),
        ]
    else:
        command = [sys.executable, str(REPO / "manage.py"), "runserver", "--noreload"]
        command.append(f"127.0.0.1:{port}")
    server = subprocess.Popen(  # noqa: S603 — our own interpreter, gunicorn or manage.py
        # The server's log goes to a file: a pipe nobody reads fills up under a flood of logged
        # 4xx answers, and the workers then hang on writing and are killed by gunicorn.
        command,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=(Path(var_dir) / "server.log").open("wb"),
    )
    try:
        _wait_for(port, server, Path(var_dir) / "server.log")
        headers = {"Content-Type": "application/json", "Authorization": f"Bearer {key}"}
        page_headers = {"Authorization": f"Bearer {page_key}"}
        # Warm-up: imports, jieba's dictionary, first connections.
        Load(port, "GET", "/bench/hello", None, {}, 2, 1.0).run()
        Load(port, "POST", "/api/requests/", payloads, headers, 2, 2.0).run()
        load = {"clients": args.clients, "duration": args.duration}
        rounds = []
        for _round in range(args.rounds):
            hello = _timed(server, Load(port, "GET", "/bench/hello", None, {}, **load))
            write = _timed(server, Load(port, "POST", "/bench/write", [b"{}"], {}, **load))
            floor = _timed(server, Load(port, "POST", "/bench/floor", [b"{}"], headers, **load))
            create = _timed(server, Load(port, "POST", "/api/requests/", payloads, headers, **load))
            rounds.append(
                {
                    "hello": hello,
                    "write": write,
                    "floor": floor,
                    "create": create,
                    "ratio": _ratio(create, hello),
                    "write_ratio": _ratio(write, hello),
                    "floor_ratio": _ratio(floor, hello),
                    "create_floor_ratio": _ratio(create, floor),
                }
            )
            results = [("hello", hello), ("write", write), ("floor", floor), ("create", create)]
            if args.http_pages:
                for name, paths in PAGE_PATHS.items():
                    rounds[-1][name] = _timed(
                        server, Load(port, "GET", paths, None, page_headers, **load)
                    )
                    results.append((name, rounds[-1][name]))
            for name, result in results:
                print(
                    f"  {name:<6} {result['per_second']:>8} req/s  server CPU "
                    f"{result['server_cpu_ms']} ms/req + database {result['database_cpu_ms']} "
                    f"ms/req  p50 {result['p50_ms']} ms  p95 {result['p95_ms']} ms  "
                    f"failed {result['failed']} {result['errors'][:1] or ''}  "
                    f"(load {result['load_average']})",
                    flush=True,
                )
            print(
                f"  ratio create/hello {rounds[-1]['ratio']}, floor/hello "
                f"{rounds[-1]['floor_ratio']}, write/hello {rounds[-1]['write_ratio']}",
                flush=True,
            )
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
    _floor_rows_delete()
    ratios = sorted(r["ratio"] for r in rounds)
    floor_ratios = sorted(r["floor_ratio"] for r in rounds)
    write_ratios = sorted(r["write_ratio"] for r in rounds)
    return {
        "server": (
            f"gunicorn, {args.workers} {args.worker_class} workers"
            + (f" × {args.threads} threads" if args.worker_class == "gthread" else "")
            + (
                f", pool of {args.pool} per worker"
                if args.pool
                else f", CONN_MAX_AGE {60 if args.conn_max_age is None else args.conn_max_age}"
            )
            + (", server-side binding" if args.server_side_binding else "")
            + ", DEBUG off"
            if args.server == "gunicorn"
            else "manage.py runserver --noreload (threaded), DEBUG off"
        ),
        "clients": args.clients,
        "seconds_per_run": args.duration,
        "rounds": rounds,
        "median_ratio": ratios[len(ratios) // 2],
        "median_floor_ratio": floor_ratios[len(floor_ratios) // 2],
        "median_write_ratio": write_ratios[len(write_ratios) // 2],
        "target_ratio": TARGET_RATIO,
    }


def _ratio(result: dict, hello: dict) -> float:
    return round(result["per_second"] / hello["per_second"], 3) if hello["per_second"] else 0.0


def _floor_rows_delete() -> None:
    from django.db import connection

    from propdesk.core.models import NumberSequence

    NumberSequence.objects.filter(scope__startswith=FLOOR_SCOPE).delete()
    connection.close()


def _server_cpu_seconds(server: subprocess.Popen) -> float | None:
    """CPU time of the server process and its workers so far, from /proc (None elsewhere)."""
    proc = Path("/proc")
    if not proc.is_dir():
        return None
    ticks = 0
    for stat in proc.glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        pid, parent = int(stat.parent.name), int(fields[1])
        if server.pid in (pid, parent):
            ticks += int(fields[11]) + int(fields[12])
    return ticks / os.sysconf("SC_CLK_TCK")


def _database_cpu_by_backend() -> dict[int, float] | None:
    """CPU seconds so far of each PostgreSQL backend (by pid) serving the bench's database on
    this machine (their process title names the database), from /proc; None for SQLite or
    elsewhere."""
    url = os.environ.get("DATABASE_URL", "")
    proc = Path("/proc")
    if not url.startswith("postgres") or not proc.is_dir():
        return None
    title = f" {unquote(urlsplit(url).path.lstrip('/'))} ".encode()
    seconds = {}
    for stat in proc.glob("[0-9]*/stat"):
        try:
            if not stat.read_text().split(" ", 2)[1].startswith("(postgres"):
                continue
            if title not in (stat.parent / "cmdline").read_bytes():
                continue
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        seconds[int(stat.parent.name)] = (int(fields[11]) + int(fields[12])) / os.sysconf(
            "SC_CLK_TCK"
        )
    return seconds


class _DatabaseCpu:
    """The backends' CPU during a load, sampled every quarter second: a backend that ends during
    the load (a connection past CONN_MAX_AGE, or none kept at all) still counts with what it had
    used when last seen, instead of vanishing from the sum."""

    def __init__(self):
        self.start = _database_cpu_by_backend()
        self.seen = dict(self.start or {})
        self.done = threading.Event()
        self.thread = None
        if self.start is not None:
            self.thread = threading.Thread(target=self._sample, daemon=True)
            self.thread.start()

    def _sample(self) -> None:
        while not self.done.wait(0.25):
            self.seen.update(_database_cpu_by_backend() or {})

    def stop(self) -> float | None:
        """Seconds of backend CPU since the start."""
        if self.start is None:
            return None
        self.done.set()
        self.thread.join()
        self.seen.update(_database_cpu_by_backend() or {})
        return sum(used - self.start.get(pid, 0.0) for pid, used in self.seen.items())


def _per_request_ms(before, after, requests: int) -> float | None:
    if before is None or after is None or not requests:
        return None
    return round(1000 * (after - before) / requests, 2)


def _timed(server: subprocess.Popen, load: Load) -> dict:
    """Run `load`, adding the CPU milliseconds per answered request of the server's processes
    and of the database backends (PostgreSQL; sampled during the load, so a backend that ends
    is counted up to its last sample), and the machine's load average."""
    before, database = _server_cpu_seconds(server), _DatabaseCpu()
    result = load.run()
    after, database_seconds = _server_cpu_seconds(server), database.stop()
    result["server_cpu_ms"] = _per_request_ms(before, after, result["requests"])
    result["database_cpu_ms"] = _per_request_ms(
        0.0 if database_seconds is not None else None, database_seconds, result["requests"]
    )
    result["load_average"] = [round(x, 2) for x in os.getloadavg()]
    return result


def _wait_for(port: int, server: subprocess.Popen, log: Path) -> None:
    for _attempt in range(200):
        if server.poll() is not None:
            sys.exit("the server did not start: " + log.read_text(errors="replace")[-2000:])
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/bench/hello")
            if conn.getresponse().status == 200:
                return
        except OSError:
            time.sleep(0.1)
    sys.exit("the server did not answer")


def _database_version(connection) -> str:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SHOW server_version")
        else:
            cursor.execute("SELECT sqlite_version()")
        return cursor.fetchone()[0]


def database_ready(args, temp_dir: str, tiny: dict) -> None:
    """Point Django at the bench's database (a temporary SQLite one with --tiny), bring it to the
    current schema (`setup_database`: an empty one from the models at once) and seed
    it: `tiny` sizes with --tiny, otherwise what --seed-houses and --seed-requests ask for."""
    database_url = args.database_url or f"sqlite:///{temp_dir}/bench.sqlite3"
    production_environment(database_url, temp_dir)
    if database_url.startswith("postgres"):
        ensure_postgres_database(database_url)
    import django

    django.setup()
    if args.tiny:
        prepare(tiny["houses"], tiny["communities"], tiny["requests"])
    elif args.seed_houses or args.seed_requests:
        prepare(args.seed_houses, None, args.seed_requests)


def main(argv=None) -> dict:
    args = parse_args(argv)
    temp_dir = tempfile.mkdtemp(prefix="propdesk-bench-requests-")
    try:
        database_ready(args, temp_dir, TINY)
        from django.db import connection

        from propdesk.estates.models import Community
        from propdesk.tickets.models import ServiceRequest

        report = {
            "database": connection.vendor,
            "database_version": _database_version(connection),
            "requests": ServiceRequest.objects.count(),
            "communities": Community.objects.count(),
            "cpus": os.cpu_count(),
            "load_average_before": [round(x, 2) for x in os.getloadavg()],
        }
        print(
            f"{report['database']} {report['database_version']}: {report['requests']:,} "
            f"requests in {report['communities']} communities; load {report['load_average_before']}"
        )
        if not args.skip_queues:
            report["queues"] = measure_queues(args)
            print(f"{'user':<6} {'kind':<18} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8} {'SQL':>4}")
            for row in report["queues"]:
                print(
                    f"{row['user']:<6} {row['kind']:<18} {row['p50_ms']:>8} {row['p95_ms']:>8} "
                    f"{row['max_ms']:>8} {row['sql_queries']:>4}"
                )
        if not args.skip_throughput:
            connection.close()
            report["throughput"] = measure_throughput(args, temp_dir)
            print(
                f"create/hello ratio (median of rounds): {report['throughput']['median_ratio']}; "
                f"floor/hello: {report['throughput']['median_floor_ratio']}"
            )
        report["load_average_after"] = [round(x, 2) for x in os.getloadavg()]
        if args.json:
            Path(args.json).write_text(json.dumps(report, ensure_ascii=False, indent=2))
        return report
    finally:
        shutil.rmtree(temp_dir, ignore_errors=True)


if __name__ == "__main__":
    main()
