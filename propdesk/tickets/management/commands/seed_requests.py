"""`propdesk seed_requests --requests N`: synthetic requests at scale (tickets.seeding)."""

import time

from django.core.management.base import BaseCommand, CommandError

from propdesk.tickets import seeding


class Command(BaseCommand):
    help = (
        "Write N synthetic service requests over the last twelve months into a database that "
        "holds a registry (propdesk seed --houses N first). Set-based bulk inserts; the seed "
        "must be the only writer while it runs."
    )

    def add_arguments(self, parser):
        parser.add_argument("--requests", type=int, required=True, help="number of requests")
        parser.add_argument("--seed", type=int, default=2026, help="random seed")

    def handle(self, *args, **options):
        self._last = 0.0
        try:
            result = seeding.seed_requests(
                requests=options["requests"], seed=options["seed"], progress=self._progress
            )
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        counts = ", ".join(f"{name} {n:,}" for name, n in result.counts.items())
        self.stdout.write(
            self.style.SUCCESS(
                f"Seeded {result.requests:,} requests in {result.communities:,} communities: "
                f"{result.rows:,} rows in {result.seconds:.1f} s "
                f"({result.rows / max(result.seconds, 1e-9):,.0f} rows/s, statistics refreshed)."
            )
        )
        self.stdout.write(f"  {counts}")

    def _progress(self, done: int, total: int, rows: int, seconds: float) -> None:
        now = time.monotonic()
        if done < total and now - self._last < 2.0:
            return
        self._last = now
        self.stdout.write(
            f"  {100 * done / total:5.1f} %  {done:>10,} / {total:,} requests  {rows:>12,} rows  "
            f"{rows / max(seconds, 1e-9):>9,.0f} rows/s  {seconds:7.1f} s"
        )
        self.stdout.flush()
