"""A house's money: open bills, prepaid balance, balance, the ledger, and the fee gate.

All sums are made from the ledger (bills and entries) every time; nothing is cached, so the
balance is the sum of the house's entries by construction.
"""

import datetime
from dataclasses import dataclass, field

from django.db.models import F, OuterRef, Q, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from propdesk.billing.models import Bill, LedgerEntry
from propdesk.core.money import from_fen
from propdesk.estates.models import House


def _credits_subquery():
    return Subquery(
        LedgerEntry.objects.filter(bill=OuterRef("pk"))
        .order_by()
        .values("bill")
        .annotate(total=Sum("amount_fen"))
        .values("total")[:1]
    )


def with_outstanding(bills):
    """Annotate bills with `outstanding_fen`: their amount plus the entries on them."""
    return bills.annotate(
        outstanding_fen=F("amount_fen") + Coalesce(_credits_subquery(), Value(0)),
    )


def house_bills(house: House):
    """Every bill of the house with its outstanding amount, oldest first."""
    return (
        with_outstanding(Bill.objects.filter(community_id=house.community_id, house_id=house.id))
        .select_related("fee_item")
        .order_by("period", "due_on", "id")
    )


def open_bills(
    house: House, *, bill_ids: list[int] | None = None, since: datetime.date | None = None
) -> list[Bill]:
    """Bills of the house with something left to pay, oldest first (period, due date, id);
    with `since`, only the bills of periods from that month on (an owner's era)."""
    bills = house_bills(house).filter(outstanding_fen__gt=0)
    if since is not None and since > datetime.date.min:
        bills = bills.filter(period__gte=since.replace(day=1))
    if bill_ids is not None:
        bills = bills.filter(id__in=bill_ids)
    return list(bills)


def bill_outstanding_fen(bill: Bill) -> int:
    """What one bill still owes, in fen: its amount plus the entries written against it."""
    credited = LedgerEntry.objects.filter(bill=bill).aggregate(t=Sum("amount_fen"))["t"] or 0
    return bill.amount_fen + credited


def prepaid_fen(house: House) -> int:
    """Money paid in and not yet allocated to a bill (the prepaid balance), in fen."""
    total = LedgerEntry.objects.filter(
        community_id=house.community_id, house_id=house.id, bill__isnull=True
    ).aggregate(total=Sum("amount_fen"))["total"]
    return -(total or 0)


def house_balance_fen(house: House) -> int:
    """What the house owes (positive) or has in credit (negative): bills plus entries."""
    billed = Bill.objects.filter(community_id=house.community_id, house_id=house.id).aggregate(
        total=Sum("amount_fen")
    )["total"]
    entries = LedgerEntry.objects.filter(
        community_id=house.community_id, house_id=house.id
    ).aggregate(total=Sum("amount_fen"))["total"]
    return (billed or 0) + (entries or 0)


@dataclass
class DueBill:
    bill_id: int
    fee_code: str
    fee_name: str
    period: datetime.date
    due_on: datetime.date
    amount_fen: int
    outstanding_fen: int
    overdue: bool

    @property
    def outstanding(self):
        return from_fen(self.outstanding_fen)

    @property
    def amount(self):
        return from_fen(self.amount_fen)


@dataclass
class HouseDues:
    """The fee gate's answer: does the house owe anything, and what."""

    house_id: int
    owes: bool
    outstanding_fen: int
    overdue_fen: int
    prepaid_fen: int
    bills: list[DueBill] = field(default_factory=list)

    @property
    def outstanding(self):
        return from_fen(self.outstanding_fen)

    @property
    def overdue(self):
        return from_fen(self.overdue_fen)

    @property
    def prepaid(self):
        return from_fen(self.prepaid_fen)


def fee_name(fee_item) -> str:
    return fee_item.name or str(fee_item.get_code_display())


def house_dues(
    house: House, *, today: datetime.date | None = None, since: datetime.date | None = None
) -> HouseDues:
    """Does house X owe anything, and what? Move-in and decoration ask this before they proceed.

    Every bill with something left to pay counts, whether due yet or not (DOMAIN.md §3: fees are
    paid first); `overdue_fen` is the part already past its due date. The caller has already
    checked that its user may act on the house. With `since`, only the bills of periods from
    that month on count (what an owner sees of a house bought after earlier owners' bills).
    """
    today = today or timezone.localdate()
    bills = [
        DueBill(
            bill_id=bill.id,
            fee_code=bill.fee_item.code,
            fee_name=fee_name(bill.fee_item),
            period=bill.period,
            due_on=bill.due_on,
            amount_fen=bill.amount_fen,
            outstanding_fen=bill.outstanding_fen,
            overdue=bill.due_on < today,
        )
        for bill in open_bills(house, since=since)
    ]
    outstanding = sum(b.outstanding_fen for b in bills)
    return HouseDues(
        house_id=house.id,
        owes=outstanding > 0,
        outstanding_fen=outstanding,
        overdue_fen=sum(b.outstanding_fen for b in bills if b.overdue),
        prepaid_fen=prepaid_fen(house),
        bills=bills,
    )


@dataclass
class LedgerLine:
    at: datetime.datetime
    kind: str
    kind_label: str
    amount_fen: int
    description: str
    bill_id: int | None = None
    payment_id: int | None = None
    balance_fen: int = 0

    @property
    def amount(self):
        return from_fen(self.amount_fen)

    @property
    def balance(self):
        return from_fen(self.balance_fen)


def house_ledger(
    house: House,
    *,
    date_from: datetime.date | None = None,
    date_to: datetime.date | None = None,
) -> tuple[int, list[LedgerLine], int]:
    """(opening balance, lines with running balance, closing balance) of a house, in fen.

    Bills are the ledger's debit entries. Allocations (and their reversals) move money between a
    house's own accounts and net to zero pair by pair, so a statement leaves them out: what is
    shown adds up to the balance. Dates are local business dates, both ends included.
    """
    tz = timezone.get_current_timezone()
    start = datetime.datetime.combine(date_from, datetime.time.min, tz) if date_from else None
    end = (
        datetime.datetime.combine(date_to + datetime.timedelta(days=1), datetime.time.min, tz)
        if date_to
        else None
    )
    bills = Bill.objects.filter(community_id=house.community_id, house_id=house.id)
    entries = LedgerEntry.objects.filter(
        community_id=house.community_id, house_id=house.id
    ).exclude(
        Q(kind=LedgerEntry.Kind.ALLOCATION)
        | Q(kind=LedgerEntry.Kind.REVERSAL, reverses__kind=LedgerEntry.Kind.ALLOCATION)
    )
    opening = 0
    if start is not None:
        opening = (bills.filter(created_at__lt=start).aggregate(t=Sum("amount_fen"))["t"] or 0) + (
            entries.filter(created_at__lt=start).aggregate(t=Sum("amount_fen"))["t"] or 0
        )
        bills = bills.filter(created_at__gte=start)
        entries = entries.filter(created_at__gte=start)
    if end is not None:
        bills = bills.filter(created_at__lt=end)
        entries = entries.filter(created_at__lt=end)
    labels = dict(LedgerEntry.Kind.choices)
    lines = [
        LedgerLine(
            at=bill.created_at,
            kind="bill",
            kind_label=str(labels["bill"]),
            amount_fen=bill.amount_fen,
            description=" ".join(
                part
                for part in (fee_name(bill.fee_item), f"{bill.period:%Y-%m}", bill.description)
                if part
            ),
            bill_id=bill.id,
        )
        for bill in bills.select_related("fee_item")
    ]
    for entry in entries.select_related("bill__fee_item", "payment"):
        if entry.bill_id:
            description = f"{fee_name(entry.bill.fee_item)} {entry.bill.period:%Y-%m}"
        elif entry.payment_id:
            description = str(entry.payment.get_method_display())
        else:
            description = ""
        lines.append(
            LedgerLine(
                at=entry.created_at,
                kind=entry.kind,
                kind_label=str(labels.get(entry.kind, entry.kind)),
                amount_fen=entry.amount_fen,
                description=" ".join(p for p in (description, entry.note) if p),
                bill_id=entry.bill_id,
                payment_id=entry.payment_id,
            )
        )
    lines.sort(key=lambda line: (line.at, line.kind != "bill", line.bill_id or 0))
    balance = opening
    for line in lines:
        balance += line.amount_fen
        line.balance_fen = balance
    return opening, lines, balance
