"""Front-desk registry search at scale: p50/p95/max of GET /api/search?q= per kind of query.

Measured in-process with Django's test Client: every request runs the whole stack (middleware,
session authentication, the ninja endpoint, the search, JSON rendering) against the real database,
without an HTTP server or network in between. The settings are the production ones (DEBUG off).

Queries are drawn at random from the seeded data (house codes, owner names, pinyin initials and
prefixes, mobile tails, full mobiles, plate prefixes) and sent as the seeded agent (two communities)
and as the seeded administrator (every community), interleaved in a shuffled order so that noise on
the machine falls on every kind alike. Target: p95 <= 50 ms at 1,000,000 houses.

    uv run python bench/registry_search.py --tiny                   # CI smoke: seeds a temp DB
    uv run python bench/registry_search.py --database-url URL       # a database seeded before
    uv run python bench/registry_search.py --database-url URL --seed-houses 1000000

With --seed-houses the database is created when missing (PostgreSQL), migrated and seeded with
`propdesk seed` unless it already holds seed data. See bench/README.md for measured figures.
"""

import argparse
import json
import math
import os
import random
import secrets
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import unquote, urlsplit

REPO = Path(__file__).resolve().parent.parent
TARGET_P95_MS = 50.0
KINDS = (
    "stack_only",  # an empty query: middleware, session, endpoint; no search (the floor)
    "house_code",
    "owner_name",
    "pinyin_initials",
    "pinyin_prefix",
    "mobile_tail",
    "mobile",
    "plate_prefix",
)
# Measured on request (--kinds): a surname alone (张) matches tens of thousands of owners
# company-wide, the broadest query the front desk types.
EXTRA_KINDS = ("surname",)
TINY_HOUSES = 600
TINY_COMMUNITIES = 3


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=(
            "Measure p50/p95/max of the registry search endpoint (in-process, Django test Client) "
            "for each kind of query, as the seeded agent and the seeded administrator."
        )
    )
    parser.add_argument(
        "--database-url",
        default=None,
        help="database to measure (default: $DATABASE_URL), e.g. "
        "postgres://postgres@127.0.0.1:5432/propdesk_bench or sqlite:////absolute/path/db.sqlite3",
    )
    parser.add_argument(
        "--tiny",
        action="store_true",
        help=f"seed {TINY_HOUSES} houses into a temporary SQLite database and measure that (CI)",
    )
    parser.add_argument(
        "--seed-houses",
        type=int,
        default=0,
        help="create (PostgreSQL), migrate and seed the database with this many houses first, "
        "unless it already holds seed data",
    )
    parser.add_argument(
        "--repetitions",
        "-n",
        type=int,
        default=None,
        help="random queries per kind and user (default 200, or 10 with --tiny)",
    )
    parser.add_argument(
        "--kinds",
        default=",".join(KINDS),
        help=f"comma-separated query kinds (default: all of {', '.join(KINDS)}; "
        f"also available: {', '.join(EXTRA_KINDS)})",
    )
    parser.add_argument("--random-seed", type=int, default=1, help="seed of the query sampler")
    parser.add_argument("--json", metavar="PATH", help="also write the figures to this JSON file")
    parser.add_argument(
        "--strict", action="store_true", help=f"exit 1 when a p95 exceeds {TARGET_P95_MS:.0f} ms"
    )
    args = parser.parse_args(argv)
    if args.tiny and args.database_url:
        parser.error("--tiny makes its own temporary SQLite database; drop --database-url")
    if not args.tiny:
        args.database_url = args.database_url or os.environ.get("DATABASE_URL", "")
    if not args.tiny and not args.database_url:
        parser.error("give --database-url (or set DATABASE_URL), or use --tiny")
    unknown = set(args.kinds.split(",")) - set(KINDS) - set(EXTRA_KINDS)
    if unknown:
        known = ", ".join(KINDS + EXTRA_KINDS)
        parser.error(f"unknown kinds: {', '.join(sorted(unknown))}; known: {known}")
    if args.repetitions is None:
        args.repetitions = 10 if args.tiny else 200
    return args


def configure_environment(database_url: str, var_dir: str) -> None:
    """Production settings (DEBUG off) that the in-process test client can talk to."""
    os.environ["DATABASE_URL"] = database_url
    os.environ["DJANGO_SETTINGS_MODULE"] = "propdesk.settings"
    os.environ["DEBUG"] = "0"
    os.environ.setdefault("SECRET_KEY", "bench-" + secrets.token_urlsafe(32))
    os.environ["ALLOWED_HOSTS"] = "testserver"
    os.environ["SECURE_SSL_REDIRECT"] = "0"
    os.environ["SESSION_COOKIE_SECURE"] = "0"
    os.environ["CSRF_COOKIE_SECURE"] = "0"
    os.environ.setdefault("PROPDESK_VAR_DIR", var_dir)
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    # This folder holds requests.py, which would shadow the HTTP library of that name (imported
    # by an SMS provider's SDK): the project is imported from the checkout, not from here.
    here = Path(__file__).resolve().parent
    sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != here]
    if str(REPO) not in sys.path:
        sys.path.insert(0, str(REPO))


def ensure_postgres_database(database_url: str) -> None:
    """Create the PostgreSQL database named in the URL when it does not exist yet."""
    import psycopg
    from psycopg import sql

    parts = urlsplit(database_url)
    name = unquote(parts.path.lstrip("/"))
    admin_url = parts._replace(path="/postgres").geturl()
    with psycopg.connect(admin_url, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if not exists:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
            print(f"created database {name}")


def prepare_database(houses: int, communities: int | None) -> None:
    """Migrate and seed (unless seed data is there already), printing the seed's progress."""
    from django.core.management import call_command

    from propdesk.estates import seeding
    from propdesk.estates.models import Community, Company

    call_command("migrate", verbosity=0)
    company = Company.objects.filter(name=seeding.SEED_COMPANY_NAME).first()
    if company and Community.objects.filter(company=company).exists():
        print("the database already holds seed data: not seeding again")
        return
    try:
        result = seeding.seed_registry(
            houses=houses,
            communities=communities,
            progress=lambda done, total, rows, s: print(
                f"  seeding {100 * done / total:5.1f} %  {rows:,} rows  {s:.1f} s", flush=True
            ),
        )
    except seeding.SeedRefused as exc:
        sys.exit(str(exc))
    print(f"seeded {result.houses:,} houses, {result.rows:,} rows in {result.seconds:.1f} s")


def sample(model, community_ids: list[int], count: int, rng: random.Random, fields: list[str]):
    """`count` random rows (as dicts) of `model` in the given communities, by random id probes."""
    from django.db.models import Max, Min

    scoped = model.objects.filter(community_id__in=community_ids)
    bounds = scoped.aggregate(lo=Min("id"), hi=Max("id"))
    if bounds["lo"] is None:
        return []
    rows: list[dict] = []
    for _attempt in range(50):
        probes = {rng.randint(bounds["lo"], bounds["hi"]) for _ in range(count * 2)}
        rows += list(scoped.filter(id__in=probes).values(*fields))
        if len(rows) >= count:
            break
    rng.shuffle(rows)
    return rows[:count]


def draw_queries(kind: str, community_ids: list[int], count: int, rng: random.Random) -> list:
    from propdesk.estates.models import House, Owner, Vehicle

    if kind == "stack_only":
        return [""] * count
    if kind == "house_code":
        return [r["code"] for r in sample(House, community_ids, count, rng, ["code"])]
    if kind == "plate_prefix":
        plates = [r["plate"] for r in sample(Vehicle, community_ids, count, rng, ["plate"])]
        return [plate[: rng.randint(4, len(plate))] for plate in plates]
    fields = ["name", "name_pinyin", "name_initials", "mobile"]
    owners = sample(Owner, community_ids, count * 2, rng, fields)
    if kind == "owner_name":
        queries = [o["name"] for o in owners]
    elif kind == "surname":
        queries = [o["name"][0] for o in owners]
    elif kind == "pinyin_initials":
        queries = [o["name_initials"] for o in owners]
    elif kind == "pinyin_prefix":  # more than 4 letters: the search reads it as full pinyin
        queries = [
            o["name_pinyin"][: rng.randint(5, len(o["name_pinyin"]))]
            for o in owners
            if len(o["name_pinyin"]) >= 5
        ]
    elif kind == "mobile_tail":
        queries = [o["mobile"][-4:] for o in owners]
    else:
        queries = [o["mobile"] for o in owners]
    return queries[:count]


def percentile(values: list[float], pct: float) -> float:
    """Nearest-rank percentile."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(pct / 100 * len(ordered)) - 1)]


def measure(args: argparse.Namespace) -> dict:
    from django.db import connection
    from django.test import Client

    from propdesk.accounts.models import User
    from propdesk.core.permissions import community_ids
    from propdesk.estates import seeding
    from propdesk.estates.models import Community, House

    try:
        agent = User.objects.get(username=seeding.SEED_AGENT_USERNAME)
        admin = User.objects.get(username=seeding.SEED_ADMIN_USERNAME)
    except User.DoesNotExist:
        sys.exit("no seeded users: run `propdesk seed --houses N` first (or pass --seed-houses N)")
    load_before = [round(x, 2) for x in os.getloadavg()]
    rng = random.Random(args.random_seed)
    kinds = args.kinds.split(",")
    personas = {}
    tasks = []
    for label, user in (("agent", agent), ("admin", admin)):
        ids = community_ids(user)
        client = Client()
        client.force_login(user)
        personas[label] = {"user": user.username, "communities": len(ids), "client": client}
        for kind in kinds:
            queries = draw_queries(kind, ids, args.repetitions, rng)
            tasks += [(label, kind, q) for q in queries]
    rng.shuffle(tasks)

    def search(label: str, q: str):
        return personas[label]["client"].get("/api/search", {"q": q})

    for label, _kind, q in tasks[:20]:  # warm-up: imports, caches, first connections
        search(label, q)
    samples: dict[tuple[str, str], list[float]] = {}
    cpu: dict[tuple[str, str], list[float]] = {}
    hits: dict[tuple[str, str], list[int]] = {}
    for label, kind, q in tasks:
        cpu_started = time.process_time()
        started = time.perf_counter()
        response = search(label, q)
        elapsed_ms = (time.perf_counter() - started) * 1000
        cpu.setdefault((label, kind), []).append((time.process_time() - cpu_started) * 1000)
        if response.status_code != 200:
            sys.exit(f"{label} {kind} {q!r}: HTTP {response.status_code} {response.content[:200]}")
        samples.setdefault((label, kind), []).append(elapsed_ms)
        hits.setdefault((label, kind), []).append(len(response.json()))
    query_counts = {}
    executed: list[str] = []

    def count_queries(execute, sql, params, many, context):
        executed.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(count_queries):
        for label, kind, q in tasks:
            if (label, kind) not in query_counts:
                executed.clear()
                search(label, q)
                query_counts[(label, kind)] = len(executed)

    rows = []
    for label in personas:
        for kind in kinds:
            times = samples.get((label, kind), [])
            if not times:
                continue
            empty = sum(1 for h in hits[(label, kind)] if h == 0)
            rows.append(
                {
                    "user": label,
                    "communities": personas[label]["communities"],
                    "kind": kind,
                    "n": len(times),
                    "p50_ms": round(statistics.median(times), 2),
                    "p95_ms": round(percentile(times, 95), 2),
                    "max_ms": round(max(times), 2),
                    # CPU time of this process (Django, the driver, and SQLite itself; not the
                    # PostgreSQL server): the part of the work that other load cannot inflate.
                    "cpu_p50_ms": round(statistics.median(cpu[(label, kind)]), 2),
                    "mean_hits": round(statistics.fmean(hits[(label, kind)]), 1),
                    "empty": None if kind == "stack_only" else empty,
                    "sql_queries": query_counts.get((label, kind)),
                }
            )
    return {
        "database": connection.vendor,
        "database_version": _database_version(connection),
        "houses": House.objects.count(),
        "communities": Community.objects.count(),
        "repetitions": args.repetitions,
        "method": "Django test Client, in-process (full middleware stack, no HTTP server)",
        "target_p95_ms": TARGET_P95_MS,
        "cpus": os.cpu_count(),
        "load_average_before": load_before,
        "load_average_after": [round(x, 2) for x in os.getloadavg()],
        "results": rows,
    }


def _database_version(connection) -> str:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SHOW server_version")
        else:
            cursor.execute("SELECT sqlite_version()")
        return cursor.fetchone()[0]


def print_report(report: dict) -> bool:
    """Print the table; return whether every p95 meets the target."""
    print(
        f"\n{report['database']} {report['database_version']} · {report['houses']:,} houses in "
        f"{report['communities']:,} communities · {report['repetitions']} random queries per "
        f"kind and user · {report['method']}\n"
        f"{report['cpus']} CPUs, load average (1, 5, 15 min) before "
        f"{report['load_average_before']}, after {report['load_average_after']}\n"
    )
    header = (
        f"{'user':<16} {'kind':<16} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8} {'CPU p50':>8} "
        f"{'hits':>6} {'empty':>6} {'SQL':>4}  target"
    )
    print(header)
    print("-" * len(header))
    ok = True
    for row in report["results"]:
        meets = row["p95_ms"] <= report["target_p95_ms"]
        ok &= meets
        user = f"{row['user']} ({row['communities']})"
        print(
            f"{user:<16} {row['kind']:<16} {row['p50_ms']:>8.1f} {row['p95_ms']:>8.1f} "
            f"{row['max_ms']:>8.1f} {row['cpu_p50_ms']:>8.1f} {row['mean_hits']:>6.1f} "
            f"{'-' if row['empty'] is None else row['empty']:>6} "
            f"{row['sql_queries'] or '':>4}  {'ok' if meets else 'MISSED'}"
        )
    print(f"\np95 target <= {report['target_p95_ms']:.0f} ms: {'met' if ok else 'MISSED'}")
    return ok


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    temp_dir = tempfile.mkdtemp(prefix="propdesk-bench-")  # the tiny database, huey's file
    try:
        database_url = f"sqlite:///{temp_dir}/bench.sqlite3" if args.tiny else args.database_url
        configure_environment(database_url, temp_dir)
        if args.seed_houses and database_url.startswith(("postgres://", "postgresql://")):
            ensure_postgres_database(database_url)

        import warnings

        import django

        # DEBUG off without collectstatic: whitenoise warns about the missing directory; the
        # search endpoint serves no static files.
        warnings.filterwarnings("ignore", message="No directory at")
        django.setup()
        if args.tiny:
            prepare_database(args.seed_houses or TINY_HOUSES, TINY_COMMUNITIES)
        elif args.seed_houses:
            prepare_database(args.seed_houses, None)
        report = measure(args)
        ok = print_report(report)
        if args.json:
            Path(args.json).write_text(json.dumps(report, ensure_ascii=False, indent=2) + "\n")
        return 1 if args.strict and not ok else 0
    finally:
        if "django.db" in sys.modules:
            from django.db import connections

            connections.close_all()
        shutil.rmtree(temp_dir, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
