"""Receipts (收据): print and reprint. A receipt is voided only by reversing its payment
(services.adjustments); printing never changes what it says."""

from django.db.models import F
from django.utils.translation import gettext as _

from propdesk.billing import documents
from propdesk.billing.models import LedgerEntry, Receipt
from propdesk.billing.selectors.access import is_owner
from propdesk.billing.selectors.accounts import fee_name
from propdesk.core.permissions import Perm, has_perm


def receipt_lines(receipt: Receipt) -> list[tuple[str, int]]:
    """What the payment paid, bill by bill, and what it left as prepaid balance (in fen)."""
    payment = receipt.payment
    allocations = (
        LedgerEntry.objects.filter(
            payment=payment, kind=LedgerEntry.Kind.ALLOCATION, bill__isnull=False
        )
        .select_related("bill__fee_item")
        .order_by("id")
    )
    lines = []
    paid = 0
    for allocation in allocations:
        bill = allocation.bill
        text = f"{fee_name(bill.fee_item)} {bill.period:%Y-%m}"
        if bill.description:
            text += f" {bill.description}"
        lines.append((text, -allocation.amount_fen))
        paid -= allocation.amount_fen
    if payment.amount_fen > paid:
        lines.append((str(_("Prepaid balance")), payment.amount_fen - paid))
    return lines


def receipt_print(*, actor, receipt: Receipt) -> bytes:
    """The receipt's PDF. The first print by staff is the original; later ones say "Reprint".

    Owners download a copy of their own receipts; that is not counted as a print.
    """
    receipt = Receipt.objects.select_related(
        "community", "payment__house", "payment__received_by"
    ).get(pk=receipt.pk)
    reprint = receipt.print_count > 0
    if not is_owner(actor) and has_perm(actor, Perm.BILLING_VIEW):
        Receipt.objects.filter(pk=receipt.pk).update(print_count=F("print_count") + 1)
    return documents.receipt_pdf(receipt, lines=receipt_lines(receipt), reprint=reprint)
