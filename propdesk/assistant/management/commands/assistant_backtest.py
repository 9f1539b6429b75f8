"""`manage.py assistant_backtest --month YYYY-MM`: how good the maintenance outreach list was.

For each community (or the one given) the list is built from the requests reported before month
M, then scored against the places that did report the same repair in M: precision at the top 20
and 50 of the list. `--months N` replays the N months ending with M, so one good month is not
taken for a good method.
"""

import datetime

from django.core.management.base import BaseCommand, CommandError

from propdesk.assistant import maintenance
from propdesk.core.cleaning import clean_month
from propdesk.core.errors import ValidationFailed


def _months_back(month: datetime.date, n: int) -> list[datetime.date]:
    out = []
    year, number = month.year, month.month
    for _i in range(n):
        out.append(datetime.date(year, number, 1))
        year, number = (year, number - 1) if number > 1 else (year - 1, 12)
    return list(reversed(out))


class Command(BaseCommand):
    help = "Score the maintenance outreach list of past months against what was reported."

    def add_arguments(self, parser):
        parser.add_argument("--month", required=True, help="The month scored, YYYY-MM")
        parser.add_argument("--months", type=int, default=1, help="Replay this many months")
        parser.add_argument("--community", help="A community code (default: every community)")

    def handle(self, *args, month, months=1, community=None, **options):
        from propdesk.estates.models import Community

        try:
            chosen = clean_month("month", month)
        except ValidationFailed as exc:
            raise CommandError(f"--month: {exc.message}") from exc
        if not 1 <= months <= 36:
            raise CommandError("--months: give 1 to 36")
        communities = Community.objects.order_by("code")
        if community:
            communities = communities.filter(code=community)
            if not communities.exists():
                raise CommandError(f"--community: no community with the code {community}")
        totals = {20: [0, 0], 50: [0, 0]}
        self.stdout.write("month    community      listed  reported  P@20   P@50")
        for each in communities:
            for m in _months_back(chosen, months):
                result = maintenance.backtest(each.pk, m)
                for k in (20, 50):
                    if result.listed:
                        totals[k][0] += result.hits_at[k]
                        totals[k][1] += min(k, result.listed)
                p20, p50 = result.precision(20), result.precision(50)
                self.stdout.write(
                    f"{m:%Y-%m}  {each.code[:12]:<12} {result.listed:>8}"
                    f" {result.reported_places:>9}  {_fmt(p20)}  {_fmt(p50)}"
                )
        self.stdout.write(f"overall  P@20 {_ratio(*totals[20])}  P@50 {_ratio(*totals[50])}")


def _fmt(value) -> str:
    return "  —  " if value is None else f"{value:.3f}"


def _ratio(hits: int, listed: int) -> str:
    return "—" if not listed else f"{hits / listed:.3f} ({hits}/{listed})"
