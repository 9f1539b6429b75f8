"""The finance dashboard's figures (DOMAIN.md §3: collection rate, arrears by age).

Twelve months of billed, collected and recovered money and the arrears by age are read from a
year of bills and ledger entries: 10 s at 200,000 houses on SQLite, measured, and five times that
at a million — too much for a page view. So the worker computes them per community every quarter
of an hour (`figures_refresh`, periodic task `billing_figures_refresh_periodic`: the communities
with new bills or ledger entries, and each at least daily) into `CommunityFigures`, and a page
view sums the rows of the communities asked for (`dashboard_figures`). A community without
figures, or whose figures predate the current month, is computed on the spot; the page says when
the figures were computed and a supervisor may ask for them again. This month's takings by
payment method are read live: they are one indexed range of payments.
"""

import datetime

from django.db import transaction
from django.utils import timezone

from propdesk.billing.models import Bill, CommunityFigures, LedgerEntry, PaymentMethod
from propdesk.billing.rules import add_months, month_start
from propdesk.billing.selectors.reports import (
    AGING_BUCKETS,
    Collection,
    arrears_aging,
    collection_rate,
    takings_by_method,
)
from propdesk.core.money import from_fen
from propdesk.estates.models import Community

MONTHS = 12


def dashboard_periods(today: datetime.date | None = None) -> list[datetime.date]:
    """The first days of the dashboard's months, oldest first, ending with this month."""
    this_month = month_start(today or timezone.localdate())
    return [add_months(this_month, -i) for i in range(MONTHS - 1, -1, -1)]


@transaction.atomic
def figures_compute(community_id: int, periods: list[datetime.date]) -> CommunityFigures:
    """Compute and store one community's figures for `periods`. They are stamped with the time
    the reading began, so money written while they were computed is seen as a change."""
    started = timezone.now()
    monthly = [collection_rate([community_id], period) for period in periods]
    aging = arrears_aging([community_id], house_limit=0)
    row, _created = CommunityFigures.objects.update_or_create(
        community_id=community_id,
        defaults={
            "months": {
                f"{c.period:%Y-%m}": [c.billed_fen, c.collected_fen, c.recovered_fen]
                for c in monthly
            },
            "aging": {name: aging.totals[name] for name, _low, _high in AGING_BUCKETS},
            "computed_at": started,
        },
    )
    return row


def figures_refresh(community_ids: list[int] | None = None, *, only_changed: bool = False) -> int:
    """Recompute the figures of these communities (every community when None), one community
    per transaction; returns how many were computed. With `only_changed` (the periodic task) a
    community is skipped when its figures are from today and no bill of this month or ledger
    entry was written since: an idle community costs two indexed look-ups, not a year of bills."""
    ids = (
        list(community_ids)
        if community_ids is not None
        else list(Community.objects.order_by("id").values_list("id", flat=True))
    )
    periods = dashboard_periods()
    stored = {
        row.community_id: row.computed_at
        for row in CommunityFigures.objects.filter(community_id__in=ids).only(
            "community_id", "computed_at"
        )
    }
    computed = 0
    for community_id in ids:
        if only_changed and not _changed_since(community_id, stored.get(community_id), periods):
            continue
        figures_compute(community_id, periods)
        computed += 1
    return computed


def _changed_since(community_id: int, computed_at, periods: list[datetime.date]) -> bool:
    if computed_at is None or timezone.localdate(computed_at) != timezone.localdate():
        return True  # never computed, or arrears have aged (and perhaps a month turned) since
    return (
        LedgerEntry.objects.filter(community_id=community_id, created_at__gte=computed_at).exists()
        or Bill.objects.filter(
            community_id=community_id, period__gte=periods[-1], created_at__gte=computed_at
        ).exists()
    )


def dashboard_figures(community_ids: list[int]) -> dict:
    """The dashboard's figures summed over `community_ids`, from the stored rows."""
    periods = dashboard_periods()
    keys = [f"{period:%Y-%m}" for period in periods]
    rows = {
        row.community_id: row
        for row in CommunityFigures.objects.filter(community_id__in=community_ids)
    }
    for community_id in community_ids:
        row = rows.get(community_id)
        if row is None or keys[-1] not in row.months:  # never computed, or a month has turned
            rows[community_id] = figures_compute(community_id, periods)
    monthly = []
    for period, key in zip(periods, keys, strict=True):
        sums = [0, 0, 0]
        for row in rows.values():
            for i, value in enumerate(row.months.get(key, (0, 0, 0))):
                sums[i] += value
        monthly.append(Collection(period, *sums))
    aging = {name: sum(r.aging.get(name, 0) for r in rows.values()) for name, *_ in AGING_BUCKETS}
    start = datetime.datetime.combine(
        periods[-1], datetime.time.min, timezone.get_current_timezone()
    )
    by_method = takings_by_method(community_ids, start)
    labels = dict(PaymentMethod.choices)
    return {
        "months": keys,
        "billed": [str(from_fen(c.billed_fen)) for c in monthly],
        "collected": [str(from_fen(c.collected_fen)) for c in monthly],
        "rates": [None if c.rate is None else round(100 * c.rate, 1) for c in monthly],
        "aging": [
            {"bucket": name, "amount": str(from_fen(aging[name]))} for name, *_ in AGING_BUCKETS
        ],
        "methods": [
            {"method": str(labels[m]), "amount": str(from_fen(by_method.get(m, 0)))}
            for m in PaymentMethod.values
        ],
        "current": monthly[-1],
        "aging_total": from_fen(sum(aging.values())),
        "computed_at": min((r.computed_at for r in rows.values()), default=None),
    }
