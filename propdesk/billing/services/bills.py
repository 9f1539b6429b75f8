"""Single bills: the monthly fee of one house worked out in Python (the same rule as the run's
SQL), and the one-off fees — decoration management fee and the shared-utility deposit."""

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from propdesk.billing import error_codes
from propdesk.billing.models import MONTHLY_HOUSE_FEES, Bill, FeeCode, FeeItem, VacancyApplication
from propdesk.billing.rules import (
    billed_days,
    due_date,
    hundredths,
    month_end,
    month_start,
    monthly_fee_fen,
    once_fee_fen,
    vacancy_percent,
    vacancy_start,
)
from propdesk.billing.selectors.schedule import policy_for, rate_on, vacancy_policy
from propdesk.billing.services._common import require_front_desk_or_cashier
from propdesk.core import audit
from propdesk.core.cleaning import clean_text
from propdesk.core.errors import Conflict, ValidationFailed
from propdesk.estates.models import Community, House, HouseStatus
from propdesk.notices.services.fees import bills_issued_notify


@dataclass
class BillQuote:
    """What a bill for one house and month comes to, and how."""

    fee_item: FeeItem
    period: datetime.date
    quantity_hundredths: int
    rate_fen: int
    percent: int
    days: int
    period_days: int
    amount_fen: int
    due_on: datetime.date


def monthly_bill_quote(house: House, period: datetime.date) -> BillQuote | None:
    """The management fee of `house` for `period` by the rules in Python, or None when the run
    would not bill it (unsold, delivered after the month, no rate). Same figures as the run."""
    if house.status == HouseStatus.UNSOLD or house.area_m2 is None or house.area_m2 <= 0:
        return None
    policy = policy_for(house.community_id)
    item = FeeItem.objects.filter(
        community_id=house.community_id, code=MONTHLY_HOUSE_FEES.get(house.kind), active=True
    ).first()
    rate = rate_on(item, period) if item else None
    if rate is None:
        return None
    days, period_days = billed_days(period, house.delivered_on, pro_rate=policy.pro_rate_by_days)
    if days == 0:
        return None
    changes = house.status_changes.values_list("effective_on", "id", "to_status")
    since = vacancy_start(changes, month_end(period))
    discount_from = None
    if since is not None:
        application = (
            VacancyApplication.objects.filter(
                community_id=house.community_id,
                house_id=house.id,
                status=VacancyApplication.Status.APPROVED,
                vacant_since=since,
            )
            .order_by("discount_from")
            .first()
        )
        discount_from = application.discount_from if application else None
    percent = vacancy_percent(
        period, vacant_since=since, policy=vacancy_policy(policy), discount_from=discount_from
    )
    quantity = hundredths(house.area_m2)
    return BillQuote(
        fee_item=item,
        period=period,
        quantity_hundredths=quantity,
        rate_fen=rate.rate_fen,
        percent=percent,
        days=days,
        period_days=period_days,
        amount_fen=monthly_fee_fen(
            quantity=quantity,
            rate_fen=rate.rate_fen,
            percent=percent,
            days=days,
            period_days=period_days,
        ),
        due_on=due_date(period, policy.due_day),
    )


def one_off_bill(
    *,
    actor,
    house: House,
    code: str,
    amount_fen: int,
    ref: str,
    quantity_hundredths: int = 100,
    rate_fen: int | None = None,
    description: str = "",
    due_on: datetime.date | None = None,
) -> Bill:
    """Create a bill outside the monthly run (the caller checks permissions and the amount)."""
    item = one_off_fee_item(community=house.community, code=code)
    bill = one_off_bill_row(
        actor=actor,
        house=house,
        item=item,
        amount_fen=amount_fen,
        ref=ref,
        quantity_hundredths=quantity_hundredths,
        rate_fen=rate_fen,
        description=description,
        due_on=due_on,
    )
    try:
        with transaction.atomic():
            bill.save(force_insert=True)
    except IntegrityError as exc:
        raise Conflict(
            _("This fee has already been billed."), code=error_codes.DUPLICATE, field="ref"
        ) from exc
    return bill


def one_off_fee_item(*, community: Community, code: str) -> FeeItem:
    """The community's fee item of a one-off bill (its default schedule made on first use)."""
    from propdesk.billing.services.schedule import billing_defaults_ensure

    billing_defaults_ensure(community=community)
    return FeeItem.objects.get(community_id=community.id, code=code)


def one_off_bill_row(
    *,
    actor,
    house: House,
    item: FeeItem,
    amount_fen: int,
    ref: str,
    quantity_hundredths: int = 100,
    rate_fen: int | None = None,
    description: str = "",
    due_on: datetime.date | None = None,
) -> Bill:
    """The unsaved bill `one_off_bill` writes: one statement writes many of them (a utility
    settlement bills every house's shortfall at once)."""
    today = timezone.localdate()
    return Bill(
        community_id=house.community_id,
        house=house,
        fee_item=item,
        period=month_start(today),
        ref=ref,
        quantity=Decimal(quantity_hundredths) / 100,
        rate_fen=amount_fen if rate_fen is None else rate_fen,
        percent=100,
        days=1,
        period_days=1,
        amount_fen=amount_fen,
        due_on=due_on or today,
        description=description[:120],
        created_by=actor if getattr(actor, "pk", None) else None,
    )


@transaction.atomic
def decoration_fee_bill(*, actor, house: House, permit_ref: str) -> Bill:
    """Bill the decoration management fee (装修管理服务费): area × rate, once per permit."""
    require_front_desk_or_cashier(actor, house.community_id)
    permit_ref = clean_text("permit_ref", permit_ref, max_length=40, required=True)
    from propdesk.billing.services.schedule import billing_defaults_ensure

    billing_defaults_ensure(community=house.community)
    item = FeeItem.objects.get(community_id=house.community_id, code=FeeCode.DECORATION)
    rate = rate_on(item, timezone.localdate())
    if rate is None:
        raise ValidationFailed(
            _("The decoration fee has no rate yet."), code=error_codes.NO_RATE, field="permit_ref"
        )
    quantity = hundredths(house.area_m2)
    bill = one_off_bill(
        actor=actor,
        house=house,
        code=FeeCode.DECORATION,
        amount_fen=once_fee_fen(quantity=quantity, rate_fen=rate.rate_fen),
        ref=f"permit:{permit_ref}",
        quantity_hundredths=quantity,
        rate_fen=rate.rate_fen,
        description=permit_ref,
    )
    _after_one_off(actor, house, bill)
    return bill


@transaction.atomic
def decoration_deposit_bill(*, actor, house: House, permit_ref: str, amount_fen: int) -> Bill:
    """Bill the decoration deposit the community takes with each permit (its decoration rule
    sets the amount). Paid at the cashier desk like any bill; refunded by an approved correction
    (`deposit_refund_request`) after the works are accepted."""
    require_front_desk_or_cashier(actor, house.community_id)
    permit_ref = clean_text("permit_ref", permit_ref, max_length=40, required=True)
    if not isinstance(amount_fen, int) or amount_fen <= 0:
        raise ValidationFailed(_("The deposit must be more than zero."), field="deposit")
    bill = one_off_bill(
        actor=actor,
        house=house,
        code=FeeCode.DECORATION_DEPOSIT,
        amount_fen=amount_fen,
        ref=f"deposit:permit:{permit_ref}",
        description=permit_ref,
    )
    _after_one_off(actor, house, bill)
    return bill


@transaction.atomic
def utility_deposit_bill(*, actor, house: House) -> Bill:
    """Bill the shared water & electricity deposit (公摊水电费预存, default 500 per household)."""
    require_front_desk_or_cashier(actor, house.community_id)
    from propdesk.billing.services.schedule import billing_defaults_ensure

    billing_defaults_ensure(community=house.community)
    item = FeeItem.objects.get(community_id=house.community_id, code=FeeCode.UTILITY_DEPOSIT)
    rate = rate_on(item, timezone.localdate())
    if rate is None or rate.rate_fen <= 0:
        raise ValidationFailed(
            _("The shared utility deposit has no amount yet."),
            code=error_codes.NO_RATE,
            field="house",
        )
    count = Bill.objects.filter(
        community_id=house.community_id, house_id=house.id, fee_item=item
    ).count()
    bill = one_off_bill(
        actor=actor,
        house=house,
        code=FeeCode.UTILITY_DEPOSIT,
        amount_fen=rate.rate_fen,
        ref=f"deposit:{count + 1}",
    )
    _after_one_off(actor, house, bill)
    return bill


def _after_one_off(actor, house: House, bill: Bill) -> None:
    from propdesk.billing.services.payments import prepaid_apply

    audit.record_change(
        actor=actor,
        instance=bill,
        action="billed",
        house_id=house.id,
        changes={"amount": [None, str(bill.amount)]},
        object_repr=f"{bill.fee_item.get_code_display()} {bill.period:%Y-%m}",
    )
    prepaid_apply(house=house, actor=actor)
    bills_issued_notify(house=house, bills=[bill], dedupe_base=f"billing:bill:{bill.id}")


def run_bills_notify(run_id: int) -> int:
    """After a billing run: one message per billed house that has an account owner."""
    house_ids = (
        Bill.objects.filter(
            run_id=run_id,
            house__ownerships__end_on__isnull=True,
            house__ownerships__owner__user__isnull=False,
        )
        .values_list("house_id", flat=True)
        .distinct()
    )
    houses = House.objects.in_bulk(list(house_ids))
    bills_by_house: dict[int, list] = {}
    for bill in (
        Bill.objects.filter(run_id=run_id, house_id__in=list(houses))
        .select_related("fee_item")
        .order_by("house_id", "id")
    ):
        bills_by_house.setdefault(bill.house_id, []).append(bill)
    communities = {
        c.pk: c for c in Community.objects.filter(id__in={h.community_id for h in houses.values()})
    }
    told = 0
    for house_id, bills in bills_by_house.items():
        house = houses[house_id]
        house.community = communities[house.community_id]
        told += bills_issued_notify(
            house=house, bills=bills, dedupe_base=f"billing:run:{run_id}:{house_id}"
        )
    return told
