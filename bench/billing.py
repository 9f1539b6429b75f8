"""Billing run at scale: seconds and peak memory of a month's run for every seeded house, and the
ratio to the floor — one hand-written `INSERT … SELECT` computing the same bills in integer fen
into a table with a primary key and UNIQUE(house, fee_item, period), in the same database.

The run is the product's own: `billing_run_start` + `billing_run_execute` (what the worker does),
one transaction per community with the set-based statements of propdesk/billing/sql.py, progress
recorded after each community, prepaid balances applied. Floor and run are measured alternately,
each on an empty bills table, and the bills they make are compared (count and total) so the ratio
compares equal work. Targets (issue 4): ratio ≤ 3 on SQLite, ≤ 2 on PostgreSQL; peak memory
≤ 500 MB.

    uv run python bench/billing.py --tiny                                  # CI smoke
    uv run python bench/billing.py --database-url sqlite:////tmp/b/db.sqlite3 --seed-houses 1000000
    uv run python bench/billing.py --seed-houses 1000000 \\
        --database-url postgres://postgres@127.0.0.1:5432/propdesk_bench_billing

With --seed-houses the database is created when missing (PostgreSQL), migrated and seeded with
`propdesk seed` unless it already holds seed data. Figures: bench/README-billing.md.
"""

import argparse
import contextlib
import datetime
import json
import os
import resource
import secrets
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import unquote, urlsplit

REPO = Path(__file__).resolve().parent.parent
TINY_HOUSES = 2_000
TINY_COMMUNITIES = 4
FLOOR_TABLE = "bench_floor_bill"


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default=None, help="database to measure")
    parser.add_argument("--tiny", action="store_true", help="seed a small temporary SQLite DB")
    parser.add_argument("--seed-houses", type=int, default=0, help="seed this many houses first")
    parser.add_argument("--period", default="2026-11", help="month to bill (YYYY-MM)")
    parser.add_argument("--repetitions", "-n", type=int, default=3, help="runs of each")
    parser.add_argument("--json", metavar="PATH", help="also write the figures to this file")
    parser.add_argument("--keep", action="store_true", help="leave the last run's bills behind")
    args = parser.parse_args(argv)
    if args.tiny and args.database_url:
        parser.error("--tiny makes its own temporary SQLite database; drop --database-url")
    if not args.tiny:
        args.database_url = args.database_url or os.environ.get("DATABASE_URL", "")
        if not args.database_url:
            parser.error("give --database-url (or set DATABASE_URL), or use --tiny")
        if "var/propdesk.sqlite3" in args.database_url:
            parser.error("never benchmark in the shared development database")
    return args


def configure_environment(database_url: str, var_dir: str) -> None:
    os.environ["DATABASE_URL"] = database_url
    os.environ["DJANGO_SETTINGS_MODULE"] = "propdesk.settings"
    os.environ["DEBUG"] = "0"
    os.environ.setdefault("SECRET_KEY", "bench-" + secrets.token_urlsafe(32))
    os.environ.setdefault("ALLOWED_HOSTS", "testserver")
    os.environ.setdefault("PROPDESK_VAR_DIR", var_dir)
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    # This folder holds requests.py, which would shadow the HTTP library of that name (imported
    # by an SMS provider's SDK): the project is imported from the checkout, not from here.
    here = Path(__file__).resolve().parent
    sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != here]
    if str(REPO) not in sys.path:
        sys.path.insert(0, str(REPO))


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


def prepare_database(houses: int, communities: int | None) -> None:
    from django.core.management import call_command

    from propdesk.estates import seeding
    from propdesk.estates.models import Community, Company

    call_command("migrate", verbosity=0)
    company = Company.objects.filter(name=seeding.SEED_COMPANY_NAME).first()
    if company and Community.objects.filter(company=company).exists():
        print("the database already holds seed data: not seeding again")
        return
    result = seeding.seed_registry(houses=houses, communities=communities)
    print(f"seeded {result.houses:,} houses, {result.rows:,} rows in {result.seconds:.1f} s")


def floor_sql(vendor: str) -> tuple[str, str]:
    """(CREATE TABLE, INSERT … SELECT) of the floor: the month's management fee of every house
    that the run bills, in integer fen, with the run's fee items, nothing else."""
    key = "BIGSERIAL PRIMARY KEY" if vendor == "postgresql" else "INTEGER PRIMARY KEY AUTOINCREMENT"
    create = f"""
        CREATE TABLE {FLOOR_TABLE} (
          id {key}, house_id BIGINT NOT NULL, fee_item_id BIGINT NOT NULL,
          period DATE NOT NULL, amount_fen BIGINT NOT NULL,
          UNIQUE (house_id, fee_item_id, period)
        )
    """
    insert = f"""
        INSERT INTO {FLOOR_TABLE} (house_id, fee_item_id, period, amount_fen)
        SELECT h.id, fi.id, %(period)s,
               (CAST(ROUND(h.area_m2 * 100) AS BIGINT)
                * CASE h.kind WHEN 'residential' THEN 190 ELSE 250 END + 50) / 100
        FROM estates_house h
        JOIN billing_feeitem fi ON fi.community_id = h.community_id
         AND fi.code = CASE h.kind WHEN 'residential' THEN 'mgmt_residential'
                                   ELSE 'mgmt_commercial' END
        WHERE h.status <> 'unsold'
    """  # noqa: S608 — fixed text
    return create, insert


def reset_tables() -> None:
    from django.db import connection, transaction

    from propdesk.billing.models import Bill, BillingRun, LedgerEntry

    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {FLOOR_TABLE}")
        table = Bill._meta.db_table
        assert not LedgerEntry.objects.exists(), "bench databases hold no payments"
        if connection.vendor == "postgresql":
            # Only empty tables refer to bills here (asserted above), so CASCADE empties nothing
            # else; TRUNCATE leaves no dead rows to slow the next measurement.
            cursor.execute(f"TRUNCATE {table} CASCADE")
        else:
            cursor.execute(f"DELETE FROM {table}")
        BillingRun.objects.all().delete()
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")


def rerun_floor_sql(vendor: str) -> str:
    """The floor of a re-run that adds nothing: the floor's statement again, each row inserted
    only where the floor's table has no row of that house, fee item and month yet (NOT EXISTS,
    on the unique key's index) — on a full table it inserts nothing."""
    _create, insert = floor_sql(vendor)
    return (
        insert
        + f"""
          AND NOT EXISTS (
            SELECT 1 FROM {FLOOR_TABLE} f
            WHERE f.house_id = h.id AND f.fee_item_id = fi.id AND f.period = %(period)s
          )
    """  # noqa: S608 — fixed text
    )


class CpuClock:
    """CPU seconds used by this process and by the database server's backend serving its
    connection (PostgreSQL on this machine, read from /proc), between start and stop: a figure
    a loaded machine cannot inflate, beside the wall time it can."""

    def __init__(self):
        from django.db import connection

        self.backend_pid = None
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_backend_pid()")
                self.backend_pid = cursor.fetchone()[0]

    def _backend(self) -> float:
        if self.backend_pid is None:
            return 0.0
        try:
            fields = Path(f"/proc/{self.backend_pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            return float("nan")
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def __enter__(self):
        self.process, self.backend = time.process_time(), self._backend()
        return self

    def __exit__(self, *exc):
        self.process_s = time.process_time() - self.process
        self.backend_s = self._backend() - self.backend


def measure_floor(period: datetime.date) -> tuple[float, int, int, float, CpuClock, CpuClock]:
    """The floor's seconds, bills and fen; then the re-run floor's seconds on the full table;
    and the CPU of each (this process, the database backend)."""
    from django.db import connection, transaction

    create, insert = floor_sql(connection.vendor)
    params = {"period": connection.ops.adapt_datefield_value(period)}
    with connection.cursor() as cursor:
        cursor.execute(create)
    with CpuClock() as cpu:
        started = time.perf_counter()
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(insert, params)
        seconds = time.perf_counter() - started
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COUNT(*), COALESCE(SUM(amount_fen), 0) FROM {FLOOR_TABLE}")
        count, total = cursor.fetchone()
    with CpuClock() as rerun_cpu:
        started = time.perf_counter()
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(rerun_floor_sql(connection.vendor), params)
            assert cursor.rowcount in (0, -1), "the re-run floor inserted rows"
        rerun = time.perf_counter() - started
    return seconds, int(count), int(total), rerun, cpu, rerun_cpu


@contextlib.contextmanager
def parking_fees_off():
    """Bill management fees only — the floor's bills — by switching the parking items off."""
    from propdesk.billing.models import MONTHLY_PARKING_FEES, FeeItem

    items = FeeItem.objects.filter(code__in=list(MONTHLY_PARKING_FEES.values()), active=True)
    ids = list(items.values_list("id", flat=True))
    FeeItem.objects.filter(id__in=ids).update(active=False)
    try:
        yield
    finally:
        FeeItem.objects.filter(id__in=ids).update(active=True)


def measure_run(period: datetime.date, admin) -> tuple:
    """The product's run: seconds, bills, fen, (management bills, fen), re-run seconds."""
    from django.db.models import Count, Sum

    from propdesk.billing.models import Bill
    from propdesk.billing.services.runs import billing_run_execute, billing_run_start
    from propdesk.estates import seeding
    from propdesk.estates.models import Company

    company = Company.objects.get(name=seeding.SEED_COMPANY_NAME)
    with CpuClock() as cpu:
        started = time.perf_counter()
        run = billing_run_start(actor=admin, period=period, company=company)
        run = billing_run_execute(run.id)
        seconds = time.perf_counter() - started
    assert run.status == "done", run.error
    management = Bill.objects.filter(
        period=period, fee_item__code__in=["mgmt_residential", "mgmt_commercial"]
    ).aggregate(count=Count("id"), total=Sum("amount_fen"))
    with CpuClock() as rerun_cpu:
        started = time.perf_counter()
        again = billing_run_execute(
            billing_run_start(actor=admin, period=period, company=company).id
        )
        rerun = time.perf_counter() - started
    assert again.bills_created == 0
    # Once more: the first re-run refreshed the bill table's statistics (PostgreSQL), which the
    # run had made stale; this is a re-run on a table autovacuum has caught up with.
    with CpuClock() as settled_cpu:
        started = time.perf_counter()
        third = billing_run_execute(
            billing_run_start(actor=admin, period=period, company=company).id
        )
        settled = time.perf_counter() - started
    assert third.bills_created == 0
    return (
        seconds,
        run.bills_created,
        run.amount_fen,
        (management["count"], management["total"] or 0),
        (rerun, settled),
        cpu,
        (rerun_cpu, settled_cpu),
    )


def _cpu(used: CpuClock) -> str:
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    return (
        f"cpu {used.process_s:.2f} s here + {used.backend_s:.2f} s database backend  (load {load})"
    )


def _cpu_median(pairs: list[tuple[float, float]]) -> float:
    return statistics.median(process + backend for process, backend in pairs)


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def measure(args) -> dict:
    import django
    from django.db import connection

    django.setup()
    from propdesk.accounts.models import User
    from propdesk.billing.rules import parse_period
    from propdesk.billing.services.schedule import billing_defaults_ensure
    from propdesk.estates import seeding
    from propdesk.estates.models import Community, House

    if args.seed_houses:
        prepare_database(args.seed_houses, TINY_COMMUNITIES if args.tiny else None)
    admin = User.objects.get(username=seeding.SEED_ADMIN_USERNAME)
    for community in Community.objects.all():
        billing_defaults_ensure(community=community)
    period = parse_period(args.period)
    houses = House.objects.count()
    rss_before = peak_rss_mb()
    seconds: dict[str, list[float]] = {"floor": [], "same_bills": [], "full_run": []}
    reruns, settled_reruns, rerun_floors = [], [], []
    cpu: dict[str, list[tuple[float, float]]] = {
        "floor": [],
        "same_bills": [],
        "full_run": [],
        "rerun_floor": [],
        "rerun": [],
        "rerun_settled": [],
    }
    results = {}
    for repetition in range(args.repetitions):
        # Rotate the order, so that noise and caching fall on each alike.
        order = ["floor", "same_bills", "full_run"]
        order = order[repetition % 3 :] + order[: repetition % 3]
        for which in order:
            reset_tables()
            if which == "floor":
                took, count, total, rerun_floor, used, rerun_used = measure_floor(period)
                results["floor"] = (count, total)
                rerun_floors.append(rerun_floor)
                cpu["rerun_floor"].append((rerun_used.process_s, rerun_used.backend_s))
                print(f"  {'rerun floor':10} {rerun_floor:7.2f} s  {_cpu(rerun_used)}")
            elif which == "same_bills":
                with parking_fees_off():
                    took, count, total, management, _rerun, used, _ = measure_run(period, admin)
                results["same_bills"] = (count, total)
                assert management == (count, total)
            else:
                took, count, total, management, rerun, used, rerun_used = measure_run(period, admin)
                results["full_run"] = (count, total)
                results["full_run_management"] = management
                reruns.append(rerun[0])
                settled_reruns.append(rerun[1])
                for name, seconds_, used_ in zip(
                    ("rerun", "rerun_settled"), rerun, rerun_used, strict=True
                ):
                    cpu[name].append((used_.process_s, used_.backend_s))
                    print(f"  {name:10} {seconds_:7.2f} s  {_cpu(used_)}")
            seconds[which].append(took)
            cpu[which].append((used.process_s, used.backend_s))
            print(f"  {which:10} {took:7.2f} s  {count:,} bills  {_cpu(used)}", flush=True)
        # Equal work: the run's management bills are the floor's, to the fen.
        assert results["floor"] == results["same_bills"] == results["full_run_management"]
    if not args.keep:
        reset_tables()
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {FLOOR_TABLE}")
    floor_median = statistics.median(seconds["floor"])
    same_median = statistics.median(seconds["same_bills"])
    full_median = statistics.median(seconds["full_run"])
    return {
        "database": connection.vendor,
        "houses": houses,
        "period": args.period,
        "repetitions": args.repetitions,
        "floor_bills": results["floor"][0],
        "floor_amount_fen": results["floor"][1],
        "full_run_bills": results["full_run"][0],
        "full_run_amount_fen": results["full_run"][1],
        "seconds": {k: [round(v, 3) for v in values] for k, values in seconds.items()},
        "floor_median_s": round(floor_median, 3),
        "same_bills_median_s": round(same_median, 3),
        "full_run_median_s": round(full_median, 3),
        "ratio_same_bills": round(same_median / floor_median, 2),
        "ratio_full_run": round(full_median / floor_median, 2),
        "rerun_adding_nothing_median_s": round(statistics.median(reruns), 3),
        "rerun_floor_median_s": round(statistics.median(rerun_floors), 3),
        "ratio_rerun": round(statistics.median(reruns) / statistics.median(rerun_floors), 2),
        "rerun_settled_median_s": round(statistics.median(settled_reruns), 3),
        "ratio_rerun_settled": round(
            statistics.median(settled_reruns) / statistics.median(rerun_floors), 2
        ),
        # The same ratios in CPU seconds (this process + the database backend), which a loaded
        # machine does not inflate.
        "ratio_cpu": {
            name: round(_cpu_median(cpu[name]) / _cpu_median(cpu[floor]), 2)
            for name, floor in (
                ("same_bills", "floor"),
                ("full_run", "floor"),
                ("rerun", "rerun_floor"),
                ("rerun_settled", "rerun_floor"),
            )
        },
        "cpu_median_s": {
            which: {
                "process": round(statistics.median(p for p, _b in pairs), 3),
                "database_backend": round(statistics.median(b for _p, b in pairs), 3),
            }
            for which, pairs in cpu.items()
            if pairs
        },
        "peak_rss_mb": round(peak_rss_mb(), 1),
        "rss_before_runs_mb": round(rss_before, 1),
        "load_average": [round(x, 2) for x in os.getloadavg()],
    }


def main(argv=None) -> int:
    args = parse_args(argv)
    tmp = tempfile.mkdtemp(prefix="propdesk-bench-billing-")
    try:
        if args.tiny:
            args.database_url = f"sqlite:///{tmp}/bench.sqlite3"
            args.seed_houses = TINY_HOUSES
        configure_environment(args.database_url, tmp)
        if args.database_url.startswith("postgres"):
            ensure_postgres_database(args.database_url)
        result = measure(args)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    print(json.dumps(result, indent=2))
    if args.json:
        Path(args.json).write_text(json.dumps(result, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
