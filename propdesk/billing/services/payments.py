"""Taking payments at the cashier desk, allocating them to bills, and the prepaid balance
(DOMAIN.md §3: cash, bank transfer, POS card, WeChat, Alipay, other; chosen bills or oldest first;
partial payments; overpayment into a prepaid balance used by later bills)."""

import hashlib
import json
import re
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.db.models import Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from propdesk.billing import error_codes
from propdesk.billing.models import (
    Bill,
    HouseAccount,
    LedgerEntry,
    Payment,
    PaymentMethod,
    PaymentSource,
    Receipt,
)
from propdesk.billing.selectors.accounts import open_bills, prepaid_fen, with_outstanding
from propdesk.billing.services._common import clean_amount_fen, entry, entry_row, lock_house_account
from propdesk.core import audit
from propdesk.core.cleaning import clean_choice, clean_text
from propdesk.core.errors import Conflict, NotFound, ValidationFailed
from propdesk.core.money import from_fen
from propdesk.core.numbering import next_number
from propdesk.core.permissions import Perm, require
from propdesk.estates.models import Community, House
from propdesk.notices.services.fees import payment_received_notify

IDEMPOTENCY_KEY_RE = re.compile(r"^[A-Za-z0-9_.:-]{8,80}$")
MAX_BILLS_PER_PAYMENT = 200


@dataclass
class PaymentResult:
    payment: Payment
    receipt: Receipt
    created: bool  # False when the idempotency key named a payment recorded before
    allocated_fen: int
    prepaid_fen: int  # what went into the prepaid balance


def payment_fingerprint(**fields) -> str:
    """What makes a payment the same payment when its idempotency key is sent again."""
    canonical = json.dumps(fields, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()


def _clean_key(value) -> str:
    key = "" if value is None else str(value).strip()
    if not IDEMPOTENCY_KEY_RE.match(key):
        raise ValidationFailed(
            _("Send an idempotency key of 8 to 80 letters, digits, '-', '_', '.' or ':'."),
            code=error_codes.BAD_IDEMPOTENCY_KEY,
            field="idempotency_key",
        )
    return key


def _existing(key: str, fingerprint: str) -> Payment | None:
    payment = Payment.objects.filter(idempotency_key=key).first()
    if payment is not None and payment.fingerprint != fingerprint:
        raise Conflict(
            _("This idempotency key was used for a different payment."),
            code=error_codes.IDEMPOTENCY_REUSED,
            field="idempotency_key",
        )
    return payment


def _insert_once(key: str, fingerprint: str, **fields) -> tuple[Payment | None, Payment | None]:
    """The new payment under its idempotency key, or (None, the first one) when another call
    recorded the same key at the same moment: the first one wins."""
    try:
        with transaction.atomic():
            return (
                Payment.objects.create(idempotency_key=key, fingerprint=fingerprint, **fields),
                None,
            )
    except IntegrityError:
        found = _existing(key, fingerprint)
        if found is None:
            raise
        return None, found


def _replay(payment: Payment) -> PaymentResult:
    entries = LedgerEntry.objects.filter(payment=payment, kind=LedgerEntry.Kind.ALLOCATION)
    allocated = -sum(e.amount_fen for e in entries if e.bill_id)
    return PaymentResult(
        payment=payment,
        receipt=payment.receipt,
        created=False,
        allocated_fen=allocated,
        prepaid_fen=payment.amount_fen - allocated,
    )


def allocation_rows(
    *, house: House, amount_fen: int, bills: list[Bill], payment=None, actor=None
) -> tuple[list[LedgerEntry], int]:
    """The entries allocating up to `amount_fen` of credit to `bills` in their order, and the
    fen allocated. Each allocation is a pair — minus on the bill, plus on the prepaid balance,
    written in that order — so the house's balance is unchanged. `bills` carry
    `outstanding_fen` (selectors.accounts.open_bills), which is reduced as they are paid."""
    rows = []
    left = amount_fen
    for bill in bills:
        if left <= 0:
            break
        share = min(left, bill.outstanding_fen)
        if share <= 0:
            continue
        rows.append(
            entry_row(
                house=house,
                kind=LedgerEntry.Kind.ALLOCATION,
                amount_fen=-share,
                bill=bill,
                payment=payment,
                actor=actor,
            )
        )
        rows.append(
            entry_row(
                house=house,
                kind=LedgerEntry.Kind.ALLOCATION,
                amount_fen=share,
                payment=payment,
                actor=actor,
            )
        )
        bill.outstanding_fen -= share
        left -= share
    return rows, amount_fen - left


def allocate(*, house: House, amount_fen: int, bills: list[Bill], payment=None, actor=None) -> int:
    """Allocate up to `amount_fen` of credit to `bills` in order; return what was allocated.
    The caller holds the house lock (lock_house_account)."""
    rows, allocated = allocation_rows(
        house=house, amount_fen=amount_fen, bills=bills, payment=payment, actor=actor
    )
    LedgerEntry.objects.bulk_create(rows)
    return allocated


@transaction.atomic
def payment_take(
    *,
    actor,
    house: House,
    amount,
    method: str,
    idempotency_key: str,
    bill_ids: list[int] | None = None,
    payer_name: str = "",
    reference: str = "",
    note: str = "",
) -> PaymentResult:
    """Record money received for a house, allocate it and issue the receipt.

    Allocation goes to the chosen bills (oldest first among them) or, when none are chosen, to
    all open bills oldest first; what is left becomes prepaid balance for later bills. The same
    idempotency key sent again — or concurrently — returns the one payment recorded for it; the
    same key with different details is refused.
    """
    require(actor, Perm.PAYMENT_TAKE, house.community_id)
    return _payment_record(
        actor=actor,
        house=house,
        amount=amount,
        method=method,
        idempotency_key=idempotency_key,
        bill_ids=bill_ids,
        payer_name=payer_name,
        reference=reference,
        note=note,
    )


@transaction.atomic
def payment_record_online(
    *,
    payer,
    house: House,
    amount_fen: int,
    method: str,
    idempotency_key: str,
    bill_ids: list[int] | None = None,
    reference: str = "",
    note: str = "",
) -> PaymentResult:
    """Record a payment made online and confirmed by the payment provider's signed callback.

    No cashier took it: the caller (the owner portal's payment service) has verified the
    provider's signature and the amount. It becomes a normal payment, received by `payer`, with
    its allocation and receipt; the idempotency key (the provider's transaction id) makes a
    repeated confirmation return the one payment recorded.
    """
    return _payment_record(
        actor=payer,
        house=house,
        amount=from_fen(amount_fen),
        method=method,
        idempotency_key=idempotency_key,
        bill_ids=bill_ids,
        payer_name=str(payer)[:60],
        reference=reference,
        note=note,
    )


def _payment_record(
    *,
    actor,
    house: House,
    amount,
    method: str,
    idempotency_key: str,
    bill_ids: list[int] | None,
    payer_name: str,
    reference: str,
    note: str,
) -> PaymentResult:
    key = _clean_key(idempotency_key)
    amount_fen = clean_amount_fen("amount", amount)
    method = clean_choice("method", method, PaymentMethod)
    payer_name = clean_text("payer_name", payer_name, max_length=60)
    reference = clean_text("reference", reference, max_length=60)
    note = clean_text("note", note, max_length=200)
    chosen = None
    if bill_ids:
        try:
            chosen = sorted({int(b) for b in bill_ids})
        except (TypeError, ValueError) as exc:
            raise ValidationFailed(_("Send bill ids as whole numbers."), field="bills") from exc
        if len(chosen) > MAX_BILLS_PER_PAYMENT:
            raise ValidationFailed(_("Too many bills in one payment."), field="bills")
    fingerprint = payment_fingerprint(
        house=house.id,
        amount_fen=amount_fen,
        method=method,
        bills=chosen,
        payer_name=payer_name,
        reference=reference,
        note=note,
    )
    if (found := _existing(key, fingerprint)) is not None:
        return _replay(found)
    lock_house_account(house)
    # A concurrent request with the same key waited for the lock; now it sees the first payment.
    if (found := _existing(key, fingerprint)) is not None:
        return _replay(found)
    if chosen is not None:
        bills = open_bills(house, bill_ids=chosen)
        if len(bills) != len(chosen):
            known = set(
                Bill.objects.filter(
                    community_id=house.community_id, house_id=house.id, id__in=chosen
                ).values_list("id", flat=True)
            )
            if len(known) != len(chosen):
                raise NotFound(
                    _("A chosen bill is not a bill of this house."),
                    code=error_codes.BILL_OTHER_HOUSE,
                    field="bills",
                )
            raise Conflict(
                _("A chosen bill has nothing left to pay."),
                code=error_codes.BILL_NOT_OPEN,
                field="bills",
            )
    else:
        bills = open_bills(house)
    now = timezone.now()
    payment, first = _insert_once(
        key,
        fingerprint,
        community_id=house.community_id,
        house=house,
        method=method,
        amount_fen=amount_fen,
        payer_name=payer_name,
        reference=reference,
        note=note,
        received_by=actor,
        received_at=now,
    )
    if first is not None:  # the key was used for another house at the same moment
        return _replay(first)
    entry(
        house=house,
        kind=LedgerEntry.Kind.PAYMENT,
        amount_fen=-amount_fen,
        payment=payment,
        actor=actor,
        note=reference,
    )
    allocated = allocate(
        house=house, amount_fen=amount_fen, bills=bills, payment=payment, actor=actor
    )
    receipt = receipt_issue(payment=payment, actor=actor)
    audit.record_change(
        actor=actor,
        instance=payment,
        action="payment",
        house_id=house.id,
        changes={"amount": [None, str(payment.amount)], "method": [None, method]},
        object_repr=receipt.display_number,
    )
    payment_received_notify(payment=payment, receipt=receipt)
    return PaymentResult(
        payment=payment,
        receipt=receipt,
        created=True,
        allocated_fen=allocated,
        prepaid_fen=amount_fen - allocated,
    )


# Who may take each counter charge that belongs to no house.
COUNTER_SOURCES = {PaymentSource.TEMPORARY_PARKING: Perm.PARKING_CHARGE}


@transaction.atomic
def payment_take_counter(
    *,
    actor,
    community: Community,
    source: str,
    amount_fen: int,
    method: str,
    idempotency_key: str,
    payer_name: str = "",
    reference: str = "",
    note: str = "",
) -> PaymentResult:
    """Record money taken at the gate or the desk for a charge of no house (temporary parking).

    It is a payment like the others for the receipt (numbered in the community's one gap-free
    series) and the cashier's daily cash-up, but it writes no ledger entry: the ledger holds the
    houses' accounts. The same idempotency key sent again — or concurrently — returns the one
    payment recorded for it; the same key with different details is refused.
    """
    source = clean_choice("source", source, PaymentSource)
    if source not in COUNTER_SOURCES:
        raise ValidationFailed(_("A house's fees are paid for the house."), field="source")
    require(actor, COUNTER_SOURCES[source], community.id)
    key = _clean_key(idempotency_key)
    amount_fen = clean_amount_fen("amount", from_fen(amount_fen))
    method = clean_choice("method", method, PaymentMethod)
    payer_name = clean_text("payer_name", payer_name, max_length=60)
    reference = clean_text("reference", reference, max_length=60)
    note = clean_text("note", note, max_length=200)
    fingerprint = payment_fingerprint(
        community=community.id,
        source=source,
        amount_fen=amount_fen,
        method=method,
        payer_name=payer_name,
        reference=reference,
        note=note,
    )
    if (found := _existing(key, fingerprint)) is not None:
        return _counter_replay(found)
    now = timezone.now()
    payment, first = _insert_once(
        key,
        fingerprint,
        community_id=community.id,
        source=source,
        house=None,
        method=method,
        amount_fen=amount_fen,
        payer_name=payer_name,
        reference=reference,
        note=note,
        received_by=actor,
        received_at=now,
    )
    if first is not None:  # the same key was being recorded at the same moment
        return _counter_replay(first)
    receipt = receipt_issue(payment=payment, actor=actor)
    audit.record_change(
        actor=actor,
        instance=payment,
        action="payment",
        changes={
            "amount": [None, str(payment.amount)],
            "method": [None, method],
            "source": [None, source],
        },
        object_repr=receipt.display_number,
    )
    return PaymentResult(
        payment=payment, receipt=receipt, created=True, allocated_fen=0, prepaid_fen=0
    )


def _counter_replay(payment: Payment) -> PaymentResult:
    return PaymentResult(
        payment=payment, receipt=payment.receipt, created=False, allocated_fen=0, prepaid_fen=0
    )


def receipt_issue(*, payment: Payment, actor) -> Receipt:
    """Give a payment its receipt number: gap-free per community and year (core.numbering)."""
    year = timezone.localtime(payment.received_at).year
    number = next_number(f"receipt:{payment.community_id}:{year}")
    return Receipt.objects.create(
        community_id=payment.community_id,
        year=year,
        number=number,
        payment=payment,
        issued_by=actor,
        issued_at=payment.received_at,
    )


@transaction.atomic
def prepaid_apply(*, house: House, actor=None) -> int:
    """Use the house's prepaid balance for its open bills, oldest first; return fen allocated.

    Runs after a billing run and after one-off bills, so an overpayment pays later bills.
    """
    lock_house_account(house)
    credit = prepaid_fen(house)
    if credit <= 0:
        return 0
    bills = open_bills(house)
    if not bills:
        return 0
    return allocate(house=house, amount_fen=credit, bills=bills, actor=actor)


def prepaid_apply_communities(*, community_ids: list[int], actor=None) -> int:
    """prepaid_apply for every house of these communities that has prepaid balance, in a fixed
    number of queries (a billing run calls it for each batch of communities).

    The houses' account rows are locked first, as prepaid_apply would lock each one, so a
    cashier's payment on one of them waits for the run's transaction.
    """
    return _prepaid_apply_where(Q(community_id__in=community_ids), actor=actor)


def prepaid_apply_houses(*, houses: list[House], actor=None) -> int:
    """prepaid_apply for each of `houses`, in a fixed number of queries: the same accounts
    opened (prepaid_apply opens a house's account on first use) and the same allocations, house
    by house in id order (a utility settlement calls it for the houses it has billed)."""
    if not houses:
        return 0
    HouseAccount.objects.bulk_create(
        [HouseAccount(house_id=h.id, community_id=h.community_id) for h in houses],
        ignore_conflicts=True,
    )
    by_community: dict[int, list[int]] = {}
    for house in houses:
        by_community.setdefault(house.community_id, []).append(house.id)
    where = Q()
    for community_id, house_ids in by_community.items():
        where |= Q(community_id=community_id, house_id__in=house_ids)
    return _prepaid_apply_where(where, actor=actor)


def _prepaid_apply_where(where: Q, *, actor=None) -> int:
    credits = {
        row["house_id"]: -row["total"]
        for row in LedgerEntry.objects.filter(where, bill__isnull=True)
        .values("house_id")
        .annotate(total=Sum("amount_fen"))
        .filter(total__lt=0)
        .order_by()
    }
    if not credits:
        return 0
    houses = House.objects.in_bulk(list(credits))
    HouseAccount.objects.bulk_create(
        [HouseAccount(house_id=h.id, community_id=h.community_id) for h in houses.values()],
        ignore_conflicts=True,
    )
    list(
        HouseAccount.objects.select_for_update()
        .filter(house_id__in=list(credits))
        .order_by("house_id")
        .values_list("id", flat=True)
    )
    # Read again under the locks: the balances that count are the ones now.
    credits = {
        row["house_id"]: -row["total"]
        for row in LedgerEntry.objects.filter(house_id__in=list(credits), bill__isnull=True)
        .values("house_id")
        .annotate(total=Sum("amount_fen"))
        .filter(total__lt=0)
        .order_by()
    }
    open_by_house: dict[int, list[Bill]] = {}
    for bill in (
        with_outstanding(Bill.objects.filter(house_id__in=list(credits)))
        .filter(outstanding_fen__gt=0)
        .order_by("house_id", "period", "due_on", "id")
    ):
        open_by_house.setdefault(bill.house_id, []).append(bill)
    rows = []
    allocated = 0
    for house_id, bills in open_by_house.items():
        new_rows, done = allocation_rows(
            house=houses[house_id], amount_fen=credits[house_id], bills=bills, actor=actor
        )
        rows += new_rows
        allocated += done
    LedgerEntry.objects.bulk_create(rows, batch_size=2000)
    return allocated
