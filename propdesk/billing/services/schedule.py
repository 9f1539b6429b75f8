"""The fee schedule and billing policy of a community (DOMAIN.md §3; DESIGN.md: configuration
over constants). Defaults are seeded per community; rates change only by adding a rate with a
later effective date, so bills already issued never change."""

import datetime

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from propdesk.billing import error_codes
from propdesk.billing.models import (
    DEFAULT_FEES,
    DEFAULT_RATES_FROM,
    BillingPolicy,
    ClosedPeriod,
    FeeBasis,
    FeeItem,
    FeeRate,
    ReminderTemplate,
)
from propdesk.billing.rules import month_start
from propdesk.billing.services._common import clean_amount_fen, clean_period
from propdesk.core import audit
from propdesk.core.cleaning import clean_text
from propdesk.core.errors import Conflict, ValidationFailed
from propdesk.core.permissions import Perm, require
from propdesk.estates.models import Community

DEFAULT_REMINDER_NAME = "欠费提醒（短信）"
DEFAULT_REMINDER_BODY = (
    "【{community}】尊敬的业主：您的房屋{house}尚有物业费等费用{amount}元（{amount_words}）未缴，"
    "最早欠费月份{oldest_period}。请尽快到客服中心或通过线上渠道缴纳，如已缴纳请忽略本提醒。"
)
MONTHLY_BASES = {FeeBasis.PER_M2_MONTH, FeeBasis.PER_SPACE_MONTH}


@transaction.atomic
def billing_defaults_ensure(*, community: Community) -> None:
    """Give a community the default fee items, rates, policy and reminder text it lacks.

    Safe to run again; what exists is left alone. Runs, payments and the console call it, so a
    community created after the billing app was installed gets its schedule on first use.
    """
    existing = set(FeeItem.objects.filter(community=community).values_list("code", flat=True))
    for order, (code, (basis, rate)) in enumerate(DEFAULT_FEES.items()):
        if code in existing:
            continue
        try:
            with transaction.atomic():
                item = FeeItem.objects.create(
                    community=community, code=code, name="", basis=basis, sort_order=order
                )
        except IntegrityError:
            continue  # created by a concurrent call
        FeeRate.objects.create(
            community=community,
            fee_item=item,
            effective_from=DEFAULT_RATES_FROM,
            rate_fen=clean_amount_fen("rate", rate, allow_zero=True),
        )
    BillingPolicy.objects.get_or_create(community=community)
    if not ReminderTemplate.objects.filter(community=community).exists():
        ReminderTemplate.objects.create(
            community=community,
            name=DEFAULT_REMINDER_NAME,
            channel=ReminderTemplate.Channel.SMS,
            body=DEFAULT_REMINDER_BODY,
        )


@transaction.atomic
def fee_rate_add(
    *,
    actor,
    fee_item: FeeItem,
    rate,
    effective_from: datetime.date,
    note: str = "",
) -> FeeRate:
    """Schedule a new rate for a fee item from `effective_from` on (never backdated).

    A monthly fee's rate starts on the first day of a month; the rate in effect on the first day
    of a month bills that month. Bills already issued keep the rate they were made with.
    """
    require(actor, Perm.BILLING_CONFIGURE, fee_item.community_id)
    rate_fen = clean_amount_fen("rate", rate, allow_zero=True)
    if not isinstance(effective_from, datetime.date):
        raise ValidationFailed(_("Enter a date as YYYY-MM-DD."), field="effective_from")
    today = timezone.localdate()
    if fee_item.basis in MONTHLY_BASES and effective_from.day != 1:
        raise ValidationFailed(
            _("A monthly fee's rate starts on the first day of a month."),
            code=error_codes.BAD_PERIOD,
            field="effective_from",
        )
    earliest = month_start(today) if fee_item.basis in MONTHLY_BASES else today
    if effective_from < earliest:
        raise ValidationFailed(
            _("A rate cannot start in the past; bills already issued keep their rate."),
            code=error_codes.RATE_IN_PAST,
            field="effective_from",
        )
    if FeeRate.objects.filter(fee_item=fee_item, effective_from=effective_from).exists():
        raise Conflict(
            _("This fee already has a rate from that date."),
            code=error_codes.RATE_EXISTS,
            field="effective_from",
        )
    fee_rate = FeeRate.objects.create(
        community_id=fee_item.community_id,
        fee_item=fee_item,
        effective_from=effective_from,
        rate_fen=rate_fen,
        note=clean_text("note", note, max_length=200),
        set_by=actor,
    )
    audit.record_change(
        actor=actor,
        instance=fee_item,
        action="rate_added",
        changes={"rate": [None, str(fee_rate.rate)], "effective_from": [None, effective_from]},
    )
    return fee_rate


@transaction.atomic
def fee_item_update(
    *, actor, fee_item: FeeItem, name: str | None = None, active: bool | None = None
) -> FeeItem:
    require(actor, Perm.BILLING_CONFIGURE, fee_item.community_id)
    values = {}
    if name is not None:
        values["name"] = clean_text("name", name, max_length=60)
    if active is not None:
        values["active"] = bool(active)
    changes = audit.apply_changes(fee_item, values)
    if changes:
        fee_item.save(update_fields=list(changes))
        audit.record_change(actor=actor, instance=fee_item, action="update", changes=changes)
    return fee_item


POLICY_LIMITS = {
    "due_day": (1, 28),
    "vacancy_threshold_months": (1, 36),
    "vacancy_percent": (0, 100),
    "reminder_interval_days": (1, 365),
    "temp_parking_free_minutes": (0, 1440),
    "temp_parking_block_hours": (1, 72),
}
POLICY_FLAGS = ("pro_rate_by_days", "vacancy_requires_application")


@transaction.atomic
def billing_policy_update(*, actor, community: Community, **values) -> BillingPolicy:
    """Change the community's billing rules; each figure is checked against its sensible range."""
    require(actor, Perm.BILLING_CONFIGURE, community.id)
    policy, _created = BillingPolicy.objects.select_for_update().get_or_create(community=community)
    cleaned = {}
    for name, value in values.items():
        if value is None:
            continue
        if name in POLICY_LIMITS:
            low, high = POLICY_LIMITS[name]
            try:
                number = int(value)
            except (TypeError, ValueError) as exc:
                raise ValidationFailed(_("Enter a whole number."), field=name) from exc
            if not low <= number <= high:
                raise ValidationFailed(
                    _("Enter a number from %(low)s to %(high)s.") % {"low": low, "high": high},
                    field=name,
                )
            cleaned[name] = number
        elif name in POLICY_FLAGS:
            cleaned[name] = bool(value)
        elif name in ("quiet_hours_start", "quiet_hours_end"):
            if not isinstance(value, datetime.time):
                raise ValidationFailed(_("Enter a time as HH:MM."), field=name)
            cleaned[name] = value
        elif name == "temp_parking_short_fee":
            cleaned["temp_parking_short_fen"] = clean_amount_fen(name, value, allow_zero=True)
        elif name == "temp_parking_cap":
            cleaned["temp_parking_cap_fen"] = clean_amount_fen(name, value, allow_zero=True)
        else:
            raise ValidationFailed(_("Unknown setting."), field=name)
    changes = audit.apply_changes(policy, cleaned)
    if changes:
        policy.updated_at = timezone.now()
        policy.save(update_fields=[*changes, "updated_at"])
        audit.record_change(actor=actor, instance=policy, action="update", changes=changes)
    return policy


@transaction.atomic
def billing_period_close(*, actor, community: Community, period) -> ClosedPeriod:
    """Close a month: billing runs add nothing to it any more (corrections stay possible)."""
    require(actor, Perm.BILLING_CONFIGURE, community.id)
    period = clean_period(period)
    if period >= month_start(timezone.localdate()):
        raise ValidationFailed(
            _("Only a month that has ended can be closed."),
            code=error_codes.BAD_PERIOD,
            field="period",
        )
    closed, created = ClosedPeriod.objects.get_or_create(
        community=community, period=period, defaults={"closed_by": actor}
    )
    if created:
        audit.record_change(
            actor=actor,
            instance=community,
            action="period_closed",
            changes={"period": [None, f"{period:%Y-%m}"]},
        )
    return closed
