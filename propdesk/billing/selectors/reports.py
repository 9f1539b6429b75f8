"""Reports of fees and collection: bills list, daily cash, arrears aging, collection rate, the
finance dashboard (DOMAIN.md §3). Callers pass the community ids the user may see."""

import datetime
from dataclasses import dataclass, field

from django.db.models import Case, F, IntegerField, Q, Sum, Value, When
from django.db.models.functions import Coalesce
from django.utils import timezone

from propdesk.billing.models import (
    Bill,
    FeeItem,
    LedgerEntry,
    Payment,
    PaymentMethod,
    PaymentSource,
)
from propdesk.billing.rules import add_months
from propdesk.billing.selectors.accounts import fee_name, with_outstanding
from propdesk.core.money import from_fen
from propdesk.estates.models import Building, Community, House, Ownership

AGING_BUCKETS = (
    ("d0_30", 0, 30),
    ("d31_90", 31, 90),
    ("d91_180", 91, 180),
    ("d181_365", 181, 365),
    ("d365_plus", 366, None),
)


def _day_bounds(day: datetime.date) -> tuple[datetime.datetime, datetime.datetime]:
    tz = timezone.get_current_timezone()
    start = datetime.datetime.combine(day, datetime.time.min, tz)
    return start, start + datetime.timedelta(days=1)


# --- bills ------------------------------------------------------------------------------------


def bill_list(
    community_ids: list[int],
    *,
    community_id: int | None = None,
    building_id: int | None = None,
    period: datetime.date | None = None,
    status: str = "",
    house_code: str = "",
    house_ids: list[int] | None = None,
    where: Q | None = None,
):
    """Bills with their outstanding amount; status "open" (something left), "paid" or all.
    `where` narrows further (an owner account's own bills, from estates.owner_access)."""
    bills = Bill.objects.filter(community_id__in=community_ids)
    if where is not None:
        bills = bills.filter(where)
    if community_id:
        bills = bills.filter(community_id=community_id)
    if house_ids is not None:
        bills = bills.filter(house_id__in=house_ids)
    if building_id:
        bills = bills.filter(house__building_id=building_id)
    if period:
        bills = bills.filter(period=period)
    if house_code:
        bills = bills.filter(house__code__startswith=house_code.upper())
    bills = with_outstanding(bills)
    if status == "open":
        bills = bills.filter(outstanding_fen__gt=0)
    elif status == "paid":
        bills = bills.filter(outstanding_fen__lte=0)
    return bills.select_related("house", "fee_item").order_by("-period", "house__code", "id")


# --- cash ---------------------------------------------------------------------------------------


def _reversed_payment_ids(payments) -> set[int]:
    return set(
        LedgerEntry.objects.filter(
            payment__in=payments, kind=LedgerEntry.Kind.REVERSAL, reverses__kind="payment"
        ).values_list("payment_id", flat=True)
    )


@dataclass
class CashRow:
    cashier_id: int
    cashier: str
    method: str
    method_label: str
    count: int
    fen: int

    @property
    def amount(self):
        return from_fen(self.fen)


@dataclass
class CashReport:
    day: datetime.date
    rows: list[CashRow] = field(default_factory=list)
    payments: list = field(default_factory=list)
    total_fen: int = 0
    reversed_fen: int = 0

    @property
    def total(self):
        return from_fen(self.total_fen)

    @property
    def reversed(self):
        return from_fen(self.reversed_fen)


def daily_cash(
    community_ids: list[int], day: datetime.date, *, cashier_id: int | None = None
) -> CashReport:
    """The day's takings per cashier and method (日结); reversed payments are listed apart."""
    start, end = _day_bounds(day)
    payments = Payment.objects.filter(
        community_id__in=community_ids, received_at__gte=start, received_at__lt=end
    )
    if cashier_id:
        payments = payments.filter(received_by_id=cashier_id)
    payments = list(
        payments.select_related("house", "received_by", "receipt").order_by("received_at", "id")
    )
    reversed_ids = _reversed_payment_ids([p.id for p in payments])
    labels = dict(PaymentMethod.choices)
    grouped: dict[tuple[int, str], CashRow] = {}
    report = CashReport(day=day)
    for payment in payments:
        payment.is_reversed = payment.id in reversed_ids
        if payment.is_reversed:
            report.reversed_fen += payment.amount_fen
            continue
        key = (payment.received_by_id, payment.method)
        row = grouped.get(key)
        if row is None:
            row = grouped[key] = CashRow(
                cashier_id=payment.received_by_id,
                cashier=payment.received_by.display_name,
                method=payment.method,
                method_label=str(labels[payment.method]),
                count=0,
                fen=0,
            )
        row.count += 1
        row.fen += payment.amount_fen
        report.total_fen += payment.amount_fen
    report.rows = sorted(grouped.values(), key=lambda r: (r.cashier, r.method))
    report.payments = payments
    return report


# --- arrears --------------------------------------------------------------------------------


@dataclass
class AgingRow:
    key: int
    label: str
    buckets: dict[str, int]
    total_fen: int
    owner: str = ""
    oldest_period: datetime.date | None = None

    @property
    def total(self):
        return from_fen(self.total_fen)

    def amount(self, bucket: str):
        return from_fen(self.buckets.get(bucket, 0))


@dataclass
class Aging:
    as_of: datetime.date
    houses: list[AgingRow]
    buildings: list[AgingRow]
    communities: list[AgingRow]
    totals: dict[str, int]
    total_fen: int

    @property
    def total(self):
        return from_fen(self.total_fen)


def _bucket_sums(as_of: datetime.date) -> dict:
    sums = {}
    for name, low, high in AGING_BUCKETS:
        # Days overdue = as_of − due_on; a bill due yesterday is 1 day overdue.
        condition = Q(due_on__lte=as_of - datetime.timedelta(days=max(low, 1)))
        if high is not None:
            condition &= Q(due_on__gte=as_of - datetime.timedelta(days=high))
        sums[name] = Coalesce(
            Sum(
                Case(
                    When(condition, then=F("outstanding_fen")),
                    default=Value(0),
                    output_field=IntegerField(),
                )
            ),
            Value(0),
        )
    return sums


def arrears_aging(
    community_ids: list[int],
    *,
    as_of: datetime.date | None = None,
    building_id: int | None = None,
    house_limit: int = 500,
) -> Aging:
    """What is overdue, by house, building and community, in aging buckets: ≤ 30, 31–90,
    91–180, 181–365 and > 365 days past the due date."""
    as_of = as_of or timezone.localdate()
    overdue = with_outstanding(
        Bill.objects.filter(community_id__in=community_ids, due_on__lt=as_of)
    ).filter(outstanding_fen__gt=0)
    if building_id:
        overdue = overdue.filter(house__building_id=building_id)
    sums = _bucket_sums(as_of)
    by_house = list(
        overdue.values("house_id", "house__code", "house__building_id", "community_id")
        .annotate(**sums)
        .order_by("house__code")
    )
    owners = {}
    house_ids = [row["house_id"] for row in by_house]
    for ownership in (
        Ownership.objects.filter(house_id__in=house_ids[:house_limit], end_on__isnull=True)
        .select_related("owner")
        .order_by("-is_primary", "id")
    ):
        owners.setdefault(ownership.house_id, ownership.owner.name)
    buckets = [name for name, _low, _high in AGING_BUCKETS]
    houses = []
    buildings: dict[int, AgingRow] = {}
    communities: dict[int, AgingRow] = {}
    totals = dict.fromkeys(buckets, 0)
    for row in by_house:
        values = {b: int(row[b]) for b in buckets}
        total = sum(values.values())
        if len(houses) < house_limit:
            houses.append(
                AgingRow(
                    key=row["house_id"],
                    label=row["house__code"],
                    buckets=values,
                    total_fen=total,
                    owner=owners.get(row["house_id"], ""),
                )
            )
        for target, key in (
            (buildings, row["house__building_id"]),
            (communities, row["community_id"]),
        ):
            agg = target.setdefault(
                key, AgingRow(key=key, label="", buckets=dict.fromkeys(buckets, 0), total_fen=0)
            )
            for b in buckets:
                agg.buckets[b] += values[b]
            agg.total_fen += total
        for b in buckets:
            totals[b] += values[b]
    names = dict(Building.objects.filter(id__in=list(buildings)).values_list("id", "number"))
    for key, agg in buildings.items():
        agg.label = str(names.get(key, key))
    community_names = dict(
        Community.objects.filter(id__in=list(communities)).values_list("id", "name")
    )
    for key, agg in communities.items():
        agg.label = community_names.get(key, str(key))
    return Aging(
        as_of=as_of,
        houses=houses,
        buildings=sorted(buildings.values(), key=lambda r: r.label),
        communities=sorted(communities.values(), key=lambda r: r.label),
        totals=totals,
        total_fen=sum(totals.values()),
    )


def oldest_open_period(house: House) -> datetime.date | None:
    bill = (
        with_outstanding(Bill.objects.filter(community_id=house.community_id, house_id=house.id))
        .filter(outstanding_fen__gt=0)
        .order_by("period")
        .first()
    )
    return bill.period if bill else None


# --- collection ---------------------------------------------------------------------------------


@dataclass
class Collection:
    period: datetime.date
    billed_fen: int
    collected_fen: int
    recovered_fen: int  # paid during the month for bills of earlier months

    @property
    def rate(self) -> float | None:
        return None if not self.billed_fen else self.collected_fen / self.billed_fen

    @property
    def rate_percent(self) -> str:
        return "—" if self.rate is None else f"{100 * self.rate:.1f}%"

    @property
    def billed(self):
        return from_fen(self.billed_fen)

    @property
    def collected(self):
        return from_fen(self.collected_fen)

    @property
    def recovered(self):
        return from_fen(self.recovered_fen)


_MONEY_IN = Q(kind=LedgerEntry.Kind.ALLOCATION) | Q(
    kind=LedgerEntry.Kind.REVERSAL, reverses__kind=LedgerEntry.Kind.ALLOCATION
)
_BILL_REDUCTIONS = (
    Q(kind__in=[LedgerEntry.Kind.DISCOUNT, LedgerEntry.Kind.WRITE_OFF])
    | Q(kind=LedgerEntry.Kind.REVERSAL, reverses__isnull=True)
    | Q(
        kind=LedgerEntry.Kind.REVERSAL,
        reverses__kind__in=[LedgerEntry.Kind.DISCOUNT, LedgerEntry.Kind.WRITE_OFF],
    )
)


def collection_rate(community_ids: list[int], period: datetime.date) -> Collection:
    """收缴率: collected for the month's bills ÷ billed for the month.

    Billed is net of cancellations, discounts and write-offs; collected is what payments (and
    prepaid balances) allocated to those bills, net of reversals. Recovered arrears are
    allocations made during the month to bills of earlier months.
    """
    bills = Bill.objects.filter(community_id__in=community_ids, period=period)
    billed = bills.aggregate(t=Sum("amount_fen"))["t"] or 0
    on_bills = LedgerEntry.objects.filter(
        community_id__in=community_ids, bill__period=period, bill__isnull=False
    )
    reductions = on_bills.filter(_BILL_REDUCTIONS).aggregate(t=Sum("amount_fen"))["t"] or 0
    collected = -(on_bills.filter(_MONEY_IN).aggregate(t=Sum("amount_fen"))["t"] or 0)
    start = datetime.datetime.combine(period, datetime.time.min, timezone.get_current_timezone())
    end = datetime.datetime.combine(
        add_months(period, 1), datetime.time.min, timezone.get_current_timezone()
    )
    recovered = -(
        LedgerEntry.objects.filter(
            community_id__in=community_ids,
            bill__isnull=False,
            bill__period__lt=period,
            created_at__gte=start,
            created_at__lt=end,
        )
        .filter(_MONEY_IN)
        .aggregate(t=Sum("amount_fen"))["t"]
        or 0
    )
    return Collection(
        period=period,
        billed_fen=billed + reductions,
        collected_fen=collected,
        recovered_fen=recovered,
    )


def takings_by_method(community_ids: list[int], since: datetime.datetime) -> dict[str, int]:
    """Fen received per payment method since `since` (the dashboard's month so far)."""
    return {
        row["method"]: row["total"]
        for row in Payment.objects.filter(community_id__in=community_ids, received_at__gte=since)
        .values("method")
        .annotate(total=Sum("amount_fen"))
    }


# --- income for publication -----------------------------------------------------------------


def income_by_source(
    community_id: int, start: datetime.datetime, end: datetime.datetime
) -> list[tuple[str, int]]:
    """Fee income received in [start, end) by what it paid, as (name, fen), largest first: what
    payments (and prepaid balances) allocated to each fee item's bills, net of reversals, and the
    counter charges of no house (temporary parking). For the owners' publication (收支公示)."""
    rows: dict[str, int] = {}
    allocated = (
        LedgerEntry.objects.filter(
            community_id=community_id,
            bill__isnull=False,
            created_at__gte=start,
            created_at__lt=end,
        )
        .filter(_MONEY_IN)
        .values("bill__fee_item_id")
        .annotate(total=Sum("amount_fen"))
        .order_by()
    )
    items = {item.id: item for item in FeeItem.objects.filter(community_id=community_id)}
    for row in allocated:
        if row["total"]:
            name = fee_name(items[row["bill__fee_item_id"]])
            rows[name] = rows.get(name, 0) - row["total"]
    counter = (
        Payment.objects.filter(
            community_id=community_id,
            house__isnull=True,
            received_at__gte=start,
            received_at__lt=end,
        )
        .values("source")
        .annotate(total=Sum("amount_fen"))
        .order_by()
    )
    labels = dict(PaymentSource.choices)
    for row in counter:
        name = str(labels[row["source"]])
        rows[name] = rows.get(name, 0) + row["total"]
    return sorted(((n, f) for n, f in rows.items() if f), key=lambda r: (-r[1], r[0]))
