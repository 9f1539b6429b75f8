"""Shared water & electricity (公摊水电费) and meter top-ups (水电费充值), DOMAIN.md §3.

A household prepays a deposit (default 500 CNY, billed by `utility_deposit_bill`). Each period,
finance enters the actual shared cost of a building or the community; it is shared out by
building area with the largest-remainder method, so the shares add up to the cost to the fen.
Each share is drawn from the household's deposit, and what the deposit cannot cover is billed as
a top-up.
"""

from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.db.models import Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from propdesk.billing import error_codes
from propdesk.billing.models import (
    Bill,
    FeeCode,
    LedgerEntry,
    MeterTopUp,
    Payment,
    PaymentMethod,
    Utility,
    UtilitySettlement,
    UtilitySettlementLine,
)
from propdesk.billing.rules import hundredths, largest_remainder
from propdesk.billing.services._common import clean_amount_fen, clean_period, lock_house_account
from propdesk.billing.services.bills import one_off_bill, one_off_bill_row, one_off_fee_item
from propdesk.billing.services.payments import payment_take, prepaid_apply_houses
from propdesk.core import audit
from propdesk.core.cleaning import clean_choice, clean_text
from propdesk.core.errors import Conflict, ValidationFailed
from propdesk.core.permissions import Perm, require
from propdesk.estates.models import Building, Community, House, HouseStatus

_PAID_IN = Q(kind=LedgerEntry.Kind.ALLOCATION) | Q(
    kind=LedgerEntry.Kind.REVERSAL, reverses__kind=LedgerEntry.Kind.ALLOCATION
)


def deposit_balances(community_id: int, house_ids: list[int]) -> dict[int, int]:
    """house → deposit left in fen: what was paid on its deposit bills less what was drawn."""
    paid = {
        row["house_id"]: -(row["total"] or 0)
        for row in LedgerEntry.objects.filter(
            community_id=community_id,
            house_id__in=house_ids,
            bill__fee_item__code=FeeCode.UTILITY_DEPOSIT,
        )
        .filter(_PAID_IN)
        .values("house_id")
        .annotate(total=Sum("amount_fen"))
        .order_by()
    }
    drawn = {
        row["house_id"]: row["total"] or 0
        for row in UtilitySettlementLine.objects.filter(
            community_id=community_id, house_id__in=house_ids
        )
        .values("house_id")
        .annotate(total=Sum("drawn_fen"))
        .order_by()
    }
    return {house_id: paid.get(house_id, 0) - drawn.get(house_id, 0) for house_id in house_ids}


@transaction.atomic
def utility_settlement_create(
    *,
    actor,
    community: Community,
    utility: str,
    period,
    cost,
    building: Building | None = None,
) -> UtilitySettlement:
    """Share a period's actual shared cost by area, draw from deposits, bill the shortfalls."""
    require(actor, Perm.BILLING_RUN, community.id)
    utility = clean_choice("utility", utility, Utility)
    period = clean_period(period)
    cost_fen = clean_amount_fen("cost", cost)
    if building is not None and building.community_id != community.id:
        raise ValidationFailed(_("This building is in another community."), field="building")
    same = UtilitySettlement.objects.select_for_update().filter(
        community=community, utility=utility, period=period
    )
    if building is None:
        overlapping = same.exists()
    else:
        overlapping = same.filter(Q(building__isnull=True) | Q(building=building)).exists()
    if overlapping:
        raise Conflict(
            _("This cost has already been settled for the period."),
            code=error_codes.SETTLEMENT_EXISTS,
            field="period",
        )
    houses = House.objects.filter(community=community, area_m2__gt=0).exclude(
        status=HouseStatus.UNSOLD
    )
    if building is not None:
        houses = houses.filter(building=building)
    houses = list(houses.order_by("id"))
    if not houses:
        raise ValidationFailed(
            _("No delivered houses to share the cost between."),
            code=error_codes.NOTHING_TO_SHARE,
            field="building" if building else "community",
        )
    shares = largest_remainder(cost_fen, [(h.id, hundredths(h.area_m2)) for h in houses])
    settlement = UtilitySettlement.objects.create(
        community=community,
        building=building,
        utility=utility,
        period=period,
        cost_fen=cost_fen,
        total_area_m2=sum((h.area_m2 for h in houses), Decimal("0")),
        created_by=actor,
    )
    balances = deposit_balances(community.id, [h.id for h in houses])
    label = Utility(utility).label
    item = one_off_fee_item(community=community, code=FeeCode.UTILITY_SHARE)
    drawn_total = billed_total = 0
    lines = []
    for house in houses:
        share = shares[house.id]
        drawn = max(0, min(share, balances.get(house.id, 0)))
        bill = None
        if share > drawn:
            # The settlement is new, so its bills cannot repeat one: one statement writes them.
            bill = one_off_bill_row(
                actor=actor,
                house=house,
                item=item,
                amount_fen=share - drawn,
                ref=f"utility:{settlement.id}",
                description=f"{label} {period:%Y-%m}",
            )
            billed_total += share - drawn
        drawn_total += drawn
        lines.append(
            UtilitySettlementLine(
                community=community,
                settlement=settlement,
                house=house,
                area_m2=house.area_m2,
                share_fen=share,
                drawn_fen=drawn,
                bill=bill,
            )
        )
    billed = [line for line in lines if line.bill is not None]
    Bill.objects.bulk_create([line.bill for line in billed])
    UtilitySettlementLine.objects.bulk_create(lines)
    UtilitySettlement.objects.filter(pk=settlement.pk).update(
        drawn_fen=drawn_total, billed_fen=billed_total
    )
    settlement.drawn_fen, settlement.billed_fen = drawn_total, billed_total
    # A house's prepaid balance pays its share, as after any one-off bill.
    prepaid_apply_houses(houses=[line.house for line in billed], actor=actor)
    audit.record_change(
        actor=actor,
        instance=settlement,
        action="utility_settled",
        changes={"cost": [None, str(Decimal(cost_fen) / 100)], "houses": [None, len(houses)]},
        object_repr=f"{label} {period:%Y-%m}",
    )
    return settlement


@dataclass
class TopUpResult:
    top_up: MeterTopUp
    created: bool


@transaction.atomic
def meter_top_up(
    *,
    actor,
    house: House,
    utility: str,
    meter_number: str,
    amount,
    method: str,
    idempotency_key: str,
    payer_name: str = "",
    reference: str = "",
) -> TopUpResult:
    """Money put on a water or electricity meter: a bill for the amount, paid at once, with
    its receipt. The idempotency key works as for any payment."""
    require(actor, Perm.PAYMENT_TAKE, house.community_id)
    utility = clean_choice("utility", utility, Utility)
    meter_number = clean_text("meter_number", meter_number, max_length=40, required=True)
    if not all(ch.isalnum() or ch in "-_" for ch in meter_number):
        raise ValidationFailed(
            _("Use letters, digits, '-' and '_' for the meter number."), field="meter_number"
        )
    amount_fen = clean_amount_fen("amount", amount)
    clean_choice("method", method, PaymentMethod)
    lock_house_account(house)
    existing = Payment.objects.filter(idempotency_key=str(idempotency_key).strip()).first()
    if existing is not None:
        top_up = MeterTopUp.objects.filter(payment=existing).first()
        if (
            top_up is None
            or top_up.house_id != house.id
            or top_up.meter_number != meter_number
            or existing.amount_fen != amount_fen
            or existing.method != method
        ):
            raise Conflict(
                _("This idempotency key was used for a different payment."),
                code=error_codes.IDEMPOTENCY_REUSED,
                field="idempotency_key",
            )
        return TopUpResult(top_up=top_up, created=False)
    code = FeeCode.WATER_TOP_UP if utility == Utility.WATER else FeeCode.ELECTRICITY_TOP_UP
    bill = one_off_bill(
        actor=actor,
        house=house,
        code=code,
        amount_fen=amount_fen,
        ref=f"topup:{str(idempotency_key).strip()[:50]}",
        description=meter_number,
    )
    paid = payment_take(
        actor=actor,
        house=house,
        amount=Decimal(amount_fen) / 100,
        method=method,
        idempotency_key=idempotency_key,
        bill_ids=[bill.id],
        payer_name=payer_name,
        reference=reference,
        note=f"{Utility(utility).label} {meter_number}",
    )
    top_up = MeterTopUp.objects.create(
        community_id=house.community_id,
        house=house,
        utility=utility,
        meter_number=meter_number,
        bill=bill,
        payment=paid.payment,
        created_at=timezone.now(),
    )
    return TopUpResult(top_up=top_up, created=True)
