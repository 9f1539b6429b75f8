"""`propdesk seed --houses N`: a synthetic registry at scale for benchmarks (estates.seeding)."""

import time

from django.core.management.base import BaseCommand, CommandError

from propdesk.estates import seeding


class Command(BaseCommand):
    help = (
        "Write a synthetic registry for benchmarks: communities of about 5,000 houses with owners, "
        "residents, vehicles and parking, plus an agent and an administrator to log in as. "
        "Bulk inserts without per-row audit history; refuses a database holding other data."
    )

    def add_arguments(self, parser):
        parser.add_argument("--houses", type=int, required=True, help="number of houses")
        parser.add_argument(
            "--communities",
            type=int,
            default=None,
            help=f"number of communities (default: one per {seeding.HOUSES_PER_COMMUNITY} houses)",
        )
        parser.add_argument(
            "--seed", type=int, default=2026, help="random seed; same seed, same data"
        )
        parser.add_argument(
            "--force",
            action="store_true",
            help="add seed data even though the database holds other data",
        )
        parser.add_argument(
            "--password",
            default=seeding.DEFAULT_PASSWORD,
            help="password of the seeded agent and administrator",
        )

    def handle(self, *args, **options):
        self._last_report = 0.0
        try:
            result = seeding.seed_registry(
                houses=options["houses"],
                communities=options["communities"],
                seed=options["seed"],
                force=options["force"],
                password=options["password"],
                progress=self._progress,
            )
        except seeding.SeedRefused as exc:
            raise CommandError(str(exc)) from exc
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        counts = ", ".join(f"{name} {count:,}" for name, count in result.counts.items())
        self.stdout.write(
            self.style.SUCCESS(
                f"Seeded {result.houses:,} houses in {result.communities:,} communities: "
                f"{result.rows:,} rows in {result.seconds:.1f} s "
                f"({result.rows / max(result.seconds, 1e-9):,.0f} rows/s, statistics refreshed)."
            )
        )
        self.stdout.write(f"  {counts}")
        self.stdout.write(
            f"  agent: {result.agent_username} (communities "
            f"{', '.join(result.agent_community_codes)})  admin: {result.admin_username}  "
            f"password: {options['password']}"
        )

    def _progress(self, done: int, total: int, rows: int, seconds: float) -> None:
        now = time.monotonic()
        if done < total and now - self._last_report < 1.0:
            return
        self._last_report = now
        self.stdout.write(
            f"  {100 * done / total:5.1f} %  {done:>11,} / {total:,} houses  {rows:>12,} rows  "
            f"{rows / max(seconds, 1e-9):>10,.0f} rows/s  {seconds:7.1f} s"
        )
        self.stdout.flush()
