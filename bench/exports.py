"""Exports at scale: how long the worker takes to write the registry lists and a month of requests.

In-process, with production settings (`DEBUG` off), against a seeded database: each export is
written exactly as the worker writes it (`sheet_write` for the registry lists, the month exporter
for requests), with its progress callback, for the seeded administrator (every community) and
for one community. Prints rows, seconds, rows a second and the file's size.

    uv run python bench/exports.py --tiny                               # smoke test, temp SQLite
    uv run python bench/exports.py --database-url URL                   # a database seeded before
    uv run python bench/exports.py --database-url URL --seed-houses 200000 --seed-requests 100000

The request bench (`requests.py`) seeds the same way; its databases serve here too.
"""

import argparse
import importlib.util
import json
import os
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
# The request bench's database set-up and seeding, loaded by path ("requests" is also the name
# of a PyPI package).
_spec = importlib.util.spec_from_file_location("bench_requests", REPO / "bench" / "requests.py")
bench_requests = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(bench_requests)

TINY = {"houses": 600, "communities": 3, "requests": 2000}


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--database-url", default=None, help="database to measure")
    parser.add_argument("--tiny", action="store_true", help="seed a small temporary SQLite DB")
    parser.add_argument("--seed-houses", type=int, default=0, help="seed a registry first")
    parser.add_argument("--seed-requests", type=int, default=0, help="seed requests first")
    parser.add_argument("--json", metavar="PATH", help="also write the figures here")
    args = parser.parse_args(argv)
    if args.tiny and args.database_url:
        parser.error("--tiny makes its own temporary SQLite database; drop --database-url")
    if not args.tiny:
        args.database_url = args.database_url or os.environ.get("DATABASE_URL", "")
        if not args.database_url:
            parser.error("give --database-url (or set DATABASE_URL), or use --tiny")
    return args


def _timed(name: str, scope: str, write) -> dict:
    calls = []
    started = time.perf_counter()
    filename, content = write(lambda done, total: calls.append((done, total)))
    seconds = time.perf_counter() - started
    if isinstance(content, bytes):
        size = len(content)
    else:
        content.seek(0, os.SEEK_END)
        size = content.tell()
        content.close()
    rows = calls[-1][0] if calls else 0
    row = {
        "export": name,
        "scope": scope,
        "rows": rows,
        "seconds": round(seconds, 2),
        "rows_per_second": round(rows / seconds) if seconds else None,
        "kb": size // 1024,
        "file": filename,
    }
    print(
        f"  {name:<18} {scope:<16} {rows:>9,} rows {seconds:>8.2f} s "
        f"{row['rows_per_second'] or 0:>8,} rows/s {row['kb']:>8,} KB",
        flush=True,
    )
    return row


def measure() -> list[dict]:
    from django.db.models import Count
    from django.db.models.functions import TruncMonth

    from propdesk.accounts.models import User
    from propdesk.estates import seeding
    from propdesk.estates.excel.export_jobs import EXPORTS
    from propdesk.estates.models import Community
    from propdesk.tickets import exports as request_exports
    from propdesk.tickets.models import ServiceRequest

    admin = User.objects.get(username=seeding.SEED_ADMIN_USERNAME)
    community = Community.objects.order_by("id").first()
    rows = []
    for scope, community_id in (("all communities", None), ("one community", community.id)):
        for spec in EXPORTS.values():
            filters = spec.clean({"community": community_id})

            def write(progress, spec=spec, filters=filters):
                from propdesk.estates.excel.export import export_filename, sheet_write

                sheet = spec.write_sheet(admin, filters)
                return export_filename(spec.name), sheet_write(sheet, progress)

            rows.append(_timed(spec.kind, scope, write))
        busiest = (
            ServiceRequest.objects.filter(
                **({"community_id": community_id} if community_id else {})
            )
            .annotate(month=TruncMonth("created_at"))
            .values("month")
            .annotate(n=Count("id"))
            .order_by("-n")
            .first()
        )
        if busiest:
            params = {"month": f"{busiest['month']:%Y-%m}", "community": community_id}
            rows.append(
                _timed(
                    request_exports.KIND,
                    scope,
                    lambda progress, params=params: request_exports.month_write(
                        admin, params, progress
                    ),
                )
            )
    return rows


def main(argv=None) -> dict:
    args = parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="propdesk-bench-exports-") as temp_dir:
        bench_requests.database_ready(args, temp_dir, TINY)
        import openpyxl
        from django.db import connection

        report = {
            "database": connection.vendor,
            "lxml": openpyxl.LXML,
            "cpus": os.cpu_count(),
            "load_average_before": [round(x, 2) for x in os.getloadavg()],
        }
        print(f"{connection.vendor}; openpyxl with lxml: {openpyxl.LXML}")
        report["exports"] = measure()
        report["load_average_after"] = [round(x, 2) for x in os.getloadavg()]
        if args.json:
            Path(args.json).write_text(json.dumps(report, ensure_ascii=False, indent=2))
        return report


if __name__ == "__main__":
    main()
