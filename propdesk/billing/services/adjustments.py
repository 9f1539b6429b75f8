"""Corrections of the ledger (DESIGN.md: never edit money, add entries), asked for by a cashier
and approved by a supervisor — a different person — before any entry is written.

- reverse a payment: every entry of the payment is negated (its allocations go back to the
  bills) and its receipt is voided — the only way a receipt is voided;
- cancel a bill: what was allocated to it goes back to the prepaid balance, its discounts and
  write-offs are negated, and one reversal entry cancels the charge;
- discount or write off part of what a bill still owes;
- refund prepaid balance to the owner;
- refund a paid deposit (the decoration deposit): the deposit bill is cancelled as above and the
  money it freed is paid back, in one correction. The front desk asks for it after the works are
  accepted (`deposit_refund_request`); a supervisor approves it like any other.
"""

from django.db import transaction
from django.db.models import Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from propdesk.billing import error_codes
from propdesk.billing.models import (
    Bill,
    FeeCode,
    LedgerAdjustment,
    LedgerEntry,
    Payment,
    PaymentMethod,
    Receipt,
)
from propdesk.billing.selectors.accounts import bill_outstanding_fen, prepaid_fen
from propdesk.billing.services._common import (
    clean_amount_fen,
    entry,
    lock_house_account,
    require_front_desk_or_cashier,
)
from propdesk.core import audit
from propdesk.core.cleaning import clean_choice, clean_text
from propdesk.core.errors import Conflict, PermissionDenied, ValidationFailed
from propdesk.core.permissions import Perm, require
from propdesk.estates.models import House

Kind = LedgerAdjustment.Kind
Status = LedgerAdjustment.Status
Entry = LedgerEntry.Kind
REFUNDABLE_DEPOSITS = {FeeCode.DECORATION_DEPOSIT}


def _is_reversed_payment(payment: Payment) -> bool:
    return LedgerEntry.objects.filter(
        payment=payment, kind=Entry.REVERSAL, reverses__kind=Entry.PAYMENT
    ).exists()


def _is_cancelled(bill: Bill) -> bool:
    return LedgerEntry.objects.filter(
        bill=bill, kind=Entry.REVERSAL, reverses__isnull=True
    ).exists()


def _check(kind: str, *, house: House, payment, bill, amount_fen, method) -> None:
    """The business rule of each kind of correction, checked on request and again on approval."""
    if kind == Kind.REVERSE_PAYMENT:
        if payment is None:
            raise ValidationFailed(_("Choose the payment to reverse."), field="payment")
        if _is_reversed_payment(payment):
            raise Conflict(
                _("This payment has already been reversed."),
                code=error_codes.ALREADY_REVERSED,
                field="payment",
            )
        # What the payment left in the prepaid balance must still be there to take back:
        # its amount less what is still allocated to bills (allocations net of reversals).
        allocated = -(
            LedgerEntry.objects.filter(payment=payment, bill__isnull=False)
            .filter(
                Q(kind=Entry.ALLOCATION) | Q(kind=Entry.REVERSAL, reverses__kind=Entry.ALLOCATION)
            )
            .aggregate(t=Sum("amount_fen"))["t"]
            or 0
        )
        if payment.amount_fen - allocated > prepaid_fen(house):
            raise Conflict(
                _("Part of this payment's credit has paid later bills; reverse those first."),
                code=error_codes.CREDIT_USED,
                field="payment",
            )
    elif kind in (Kind.CANCEL_BILL, Kind.DISCOUNT, Kind.WRITE_OFF):
        if bill is None:
            raise ValidationFailed(_("Choose the bill."), field="bill")
        if _is_cancelled(bill):
            raise Conflict(
                _("This bill has been cancelled."), code=error_codes.ALREADY_REVERSED, field="bill"
            )
        if kind != Kind.CANCEL_BILL:
            if amount_fen is None:
                raise ValidationFailed(_("Enter the amount."), field="amount")
            if amount_fen > bill_outstanding_fen(bill):
                raise Conflict(
                    _("The amount is more than the bill still owes."),
                    code=error_codes.OVER_OUTSTANDING,
                    field="amount",
                )
    elif kind == Kind.DEPOSIT_REFUND:
        if bill is None:
            raise ValidationFailed(_("Choose the deposit bill."), field="bill")
        if bill.fee_item.code not in REFUNDABLE_DEPOSITS:
            raise ValidationFailed(
                _("Only a deposit is refunded this way."),
                code=error_codes.NOT_A_DEPOSIT,
                field="bill",
            )
        if _is_cancelled(bill):
            raise Conflict(
                _("This bill has been cancelled."), code=error_codes.ALREADY_REVERSED, field="bill"
            )
        if bill_outstanding_fen(bill) != 0:
            raise Conflict(
                _("The deposit has not been paid in full: there is nothing to refund yet."),
                code=error_codes.DEPOSIT_UNPAID,
                field="bill",
            )
        if not method:
            raise ValidationFailed(_("Choose how the money is paid back."), field="method")
    elif kind == Kind.REFUND:
        if amount_fen is None:
            raise ValidationFailed(_("Enter the amount."), field="amount")
        if not method:
            raise ValidationFailed(_("Choose how the money is paid back."), field="method")
        if amount_fen > prepaid_fen(house):
            raise Conflict(
                _("The refund is more than the prepaid balance."),
                code=error_codes.OVER_PREPAID,
                field="amount",
            )


@transaction.atomic
def adjustment_request(
    *,
    actor,
    kind: str,
    house: House,
    reason: str,
    payment: Payment | None = None,
    bill: Bill | None = None,
    amount=None,
    method: str = "",
) -> LedgerAdjustment:
    """Ask for a correction; nothing moves until a supervisor approves it."""
    require(actor, Perm.LEDGER_ADJUST_REQUEST, house.community_id)
    return _request(
        actor=actor,
        kind=kind,
        house=house,
        reason=reason,
        payment=payment,
        bill=bill,
        amount=amount,
        method=method,
    )


@transaction.atomic
def deposit_refund_request(*, actor, bill: Bill, method: str, reason: str) -> LedgerAdjustment:
    """The front desk (or a cashier) asks for a paid deposit to be refunded; a supervisor
    approves it in the corrections queue, which cancels the deposit and pays the money back."""
    require_front_desk_or_cashier(actor, bill.community_id)
    return _request(
        actor=actor,
        kind=Kind.DEPOSIT_REFUND,
        house=bill.house,
        reason=reason,
        bill=bill,
        method=method,
    )


@transaction.atomic
def bill_cancel_request(*, actor, bill: Bill, reason: str) -> LedgerAdjustment:
    """The front desk (or a cashier) asks for a one-off bill of a procedure that will not happen
    (a cancelled decoration application) to be cancelled; a supervisor approves it."""
    require_front_desk_or_cashier(actor, bill.community_id)
    return _request(actor=actor, kind=Kind.CANCEL_BILL, house=bill.house, reason=reason, bill=bill)


def _request(*, actor, kind, house, reason, payment=None, bill=None, amount=None, method=""):
    kind = clean_choice("kind", kind, Kind)
    reason = clean_text("reason", reason, max_length=300, required=True)
    for field, record in (("payment", payment), ("bill", bill)):
        if record is not None and record.house_id != house.id:
            raise ValidationFailed(_("This belongs to another house."), field=field)
    amount_fen = None
    if kind in (Kind.DISCOUNT, Kind.WRITE_OFF, Kind.REFUND):
        amount_fen = clean_amount_fen("amount", amount)
    refunds = (Kind.REFUND, Kind.DEPOSIT_REFUND)
    method = clean_choice("method", method, PaymentMethod) if kind in refunds else ""
    if kind != Kind.REVERSE_PAYMENT:
        payment = None
    if kind not in (Kind.CANCEL_BILL, Kind.DISCOUNT, Kind.WRITE_OFF, Kind.DEPOSIT_REFUND):
        bill = None
    if kind == Kind.DEPOSIT_REFUND and bill is not None:
        amount_fen = bill.amount_fen  # the whole deposit, as paid
    lock_house_account(house)
    pending = LedgerAdjustment.objects.filter(house=house, status=Status.PENDING, kind=kind)
    if (payment and pending.filter(payment=payment).exists()) or (
        bill and pending.filter(bill=bill).exists()
    ):
        raise Conflict(
            _("A correction of this record is already waiting for approval."),
            code=error_codes.PENDING_EXISTS,
            field="payment" if payment else "bill",
        )
    _check(kind, house=house, payment=payment, bill=bill, amount_fen=amount_fen, method=method)
    adjustment = LedgerAdjustment.objects.create(
        community_id=house.community_id,
        house=house,
        kind=kind,
        payment=payment,
        bill=bill,
        amount_fen=amount_fen,
        method=method,
        reason=reason,
        requested_by=actor,
    )
    audit.record_change(
        actor=actor,
        instance=adjustment,
        action="correction_requested",
        house_id=house.id,
        changes={"kind": [None, kind]},
        note=reason,
        object_repr=house.code,
    )
    return adjustment


def _decide(actor, adjustment: LedgerAdjustment, status: str, note: str) -> None:
    require(actor, Perm.LEDGER_ADJUST_APPROVE, adjustment.community_id)
    if adjustment.requested_by_id == actor.id:
        raise PermissionDenied(
            _("A correction is approved by someone other than who asked for it."),
            code=error_codes.OWN_REQUEST,
        )
    claimed = LedgerAdjustment.objects.filter(pk=adjustment.pk, status=Status.PENDING).update(
        status=status,
        decided_by=actor,
        decided_at=timezone.now(),
        decision_note=clean_text("note", note, max_length=300),
    )
    if not claimed:
        raise Conflict(
            _("This correction has already been decided."),
            code=error_codes.NOT_PENDING,
            field="status",
        )
    adjustment.refresh_from_db()


def _negate(original: LedgerEntry, *, actor, adjustment, house) -> LedgerEntry:
    return entry(
        house=house,
        kind=Entry.REVERSAL,
        amount_fen=-original.amount_fen,
        bill=original.bill,
        payment=original.payment,
        adjustment=adjustment,
        reverses=original,
        actor=actor,
        note=adjustment.reason,
    )


def _open_entries(queryset):
    """Entries not reversed yet (and not reversals themselves)."""
    return queryset.exclude(kind=Entry.REVERSAL).filter(reversed_by__isnull=True).order_by("id")


@transaction.atomic
def adjustment_approve(*, actor, adjustment: LedgerAdjustment, note: str = "") -> LedgerAdjustment:
    """Approve a correction and write its entries (checked again under the house lock)."""
    house = adjustment.house
    lock_house_account(house)
    adjustment = LedgerAdjustment.objects.select_related("payment", "bill").get(pk=adjustment.pk)
    if adjustment.status == Status.PENDING:
        _check(
            adjustment.kind,
            house=house,
            payment=adjustment.payment,
            bill=adjustment.bill,
            amount_fen=adjustment.amount_fen,
            method=adjustment.method,
        )
    _decide(actor, adjustment, Status.APPROVED, note)
    kind = adjustment.kind
    if kind == Kind.REVERSE_PAYMENT:
        for original in _open_entries(LedgerEntry.objects.filter(payment=adjustment.payment)):
            _negate(original, actor=actor, adjustment=adjustment, house=house)
        Receipt.objects.filter(payment=adjustment.payment, voided_at__isnull=True).update(
            voided_at=timezone.now(), void_adjustment=adjustment
        )
    elif kind == Kind.CANCEL_BILL:
        _bill_cancel(adjustment, actor=actor, house=house)
    elif kind == Kind.DEPOSIT_REFUND:
        _bill_cancel(adjustment, actor=actor, house=house)
        entry(
            house=house,
            kind=Entry.REFUND,
            amount_fen=adjustment.amount_fen,
            adjustment=adjustment,
            actor=actor,
            note=adjustment.reason,
        )
    elif kind in (Kind.DISCOUNT, Kind.WRITE_OFF):
        entry(
            house=house,
            kind=Entry.DISCOUNT if kind == Kind.DISCOUNT else Entry.WRITE_OFF,
            amount_fen=-adjustment.amount_fen,
            bill=adjustment.bill,
            adjustment=adjustment,
            actor=actor,
            note=adjustment.reason,
        )
    elif kind == Kind.REFUND:
        entry(
            house=house,
            kind=Entry.REFUND,
            amount_fen=adjustment.amount_fen,
            adjustment=adjustment,
            actor=actor,
            note=adjustment.reason,
        )
    audit.record_change(
        actor=actor,
        instance=adjustment,
        action="correction_approved",
        house_id=house.id,
        changes={"status": [Status.PENDING, Status.APPROVED]},
        note=note,
        object_repr=house.code,
    )
    return adjustment


def _bill_cancel(adjustment: LedgerAdjustment, *, actor, house: House) -> None:
    """What was allocated to the bill goes back to the prepaid balance, its other entries are
    negated, and one reversal cancels the charge."""
    bill = adjustment.bill
    for original in _open_entries(LedgerEntry.objects.filter(bill=bill)):
        _negate(original, actor=actor, adjustment=adjustment, house=house)
        if original.kind == Entry.ALLOCATION:
            # Its prepaid half goes back too, so the money returns to the prepaid balance.
            partner = _allocation_partner(original)
            if partner is not None:
                _negate(partner, actor=actor, adjustment=adjustment, house=house)
    entry(
        house=house,
        kind=Entry.REVERSAL,
        amount_fen=-bill.amount_fen,
        bill=bill,
        adjustment=adjustment,
        actor=actor,
        note=adjustment.reason,
    )


def _allocation_partner(bill_side: LedgerEntry) -> LedgerEntry | None:
    """The prepaid half written together with an allocation's bill half: the pair is written
    back to back under the house lock, so it is the house's next matching entry."""
    return (
        LedgerEntry.objects.filter(
            house_id=bill_side.house_id,
            kind=Entry.ALLOCATION,
            bill__isnull=True,
            payment_id=bill_side.payment_id,
            amount_fen=-bill_side.amount_fen,
            id__gt=bill_side.id,
            reversed_by__isnull=True,
        )
        .order_by("id")
        .first()
    )


@transaction.atomic
def adjustment_reject(*, actor, adjustment: LedgerAdjustment, note: str = "") -> LedgerAdjustment:
    _decide(actor, adjustment, Status.REJECTED, note)
    audit.record_change(
        actor=actor,
        instance=adjustment,
        action="correction_rejected",
        house_id=adjustment.house_id,
        changes={"status": [Status.PENDING, Status.REJECTED]},
        note=note,
        object_repr=adjustment.house.code,
    )
    return adjustment


def pending_adjustments(community_ids: list[int]):
    return (
        LedgerAdjustment.objects.filter(community_id__in=community_ids, status=Status.PENDING)
        .select_related("house", "requested_by", "payment", "bill__fee_item")
        .order_by("requested_at", "id")
    )
