"""Reads of the fee schedule: fee items, the rate in effect on a day, the billing policy."""

import datetime

from django.db.models import Prefetch, QuerySet

from propdesk.billing.models import BillingPolicy, ClosedPeriod, FeeItem, FeeRate
from propdesk.billing.rules import VacancyPolicy


def policy_for(community_id: int) -> BillingPolicy:
    """The community's policy, or the DOMAIN.md defaults when none is stored yet (unsaved)."""
    policy = BillingPolicy.objects.filter(community_id=community_id).first()
    return policy or BillingPolicy(community_id=community_id)


def vacancy_policy(policy: BillingPolicy) -> VacancyPolicy:
    return VacancyPolicy(
        threshold_months=policy.vacancy_threshold_months,
        percent=policy.vacancy_percent,
        requires_application=policy.vacancy_requires_application,
    )


def fee_item(community_id: int, code: str) -> FeeItem | None:
    return FeeItem.objects.filter(community_id=community_id, code=code).first()


def rate_on(item: FeeItem, day: datetime.date) -> FeeRate | None:
    """The rate of `item` in effect on `day`: the latest one effective on or before it."""
    return (
        FeeRate.objects.filter(fee_item=item, effective_from__lte=day)
        .order_by("-effective_from", "-id")
        .first()
    )


def rates_in_effect(item_ids: list[int], day: datetime.date) -> dict[int, FeeRate]:
    """rate_on for many fee items at once: item id → its rate in effect on `day`."""
    found: dict[int, FeeRate] = {}
    for rate in FeeRate.objects.filter(fee_item_id__in=item_ids, effective_from__lte=day).order_by(
        "fee_item_id", "effective_from", "id"
    ):
        found[rate.fee_item_id] = rate  # the latest wins
    return found


def fee_schedule(community_id: int) -> QuerySet[FeeItem]:
    """The community's fee items with their rates, newest first."""
    return (
        FeeItem.objects.filter(community_id=community_id)
        .prefetch_related(
            Prefetch(
                "rates",
                queryset=FeeRate.objects.select_related("set_by").order_by("-effective_from"),
                to_attr="rate_list",
            )
        )
        .order_by("sort_order", "id")
    )


def current_rate(item: FeeItem, day: datetime.date) -> FeeRate | None:
    """From a prefetched `rate_list` (fee_schedule), the rate in effect on `day`."""
    for rate in getattr(item, "rate_list", None) or []:
        if rate.effective_from <= day:
            return rate
    return None


def period_is_closed(community_id: int, period: datetime.date) -> bool:
    return ClosedPeriod.objects.filter(community_id=community_id, period=period).exists()


def temporary_parking_quote(community_id: int, minutes: int, day: datetime.date) -> int | None:
    """The temporary-parking fee in fen for a stay of `minutes` (None: no rate)."""
    from propdesk.billing.models import FeeCode
    from propdesk.billing.rules import temporary_parking_fen

    item = fee_item(community_id, FeeCode.PARKING_TEMPORARY)
    rate = rate_on(item, day) if item and item.active else None
    if rate is None:
        return None
    policy = policy_for(community_id)
    return temporary_parking_fen(
        minutes,
        rate_fen=rate.rate_fen,
        short_stay_minutes=policy.temp_parking_free_minutes,
        short_stay_fen=policy.temp_parking_short_fen,
        block_hours=policy.temp_parking_block_hours,
        cap_fen=policy.temp_parking_cap_fen,
    )
