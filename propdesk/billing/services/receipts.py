"""Receipts (收据): print and reprint. A receipt is voided only by reversing its payment
(services.adjustments); printing never changes what it says."""

from dataclasses import dataclass

from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from propdesk.billing import documents
from propdesk.billing.models import LedgerEntry, Receipt
from propdesk.billing.selectors.access import is_owner
from propdesk.billing.selectors.accounts import fee_name
from propdesk.core.permissions import Perm, has_perm
from propdesk.estates.models import Ownership, Resident

# How a receipt names the online channel a payment came through (the provider in its key).
ONLINE_PROVIDERS = {
    "sandbox": gettext_lazy("Sandbox payment"),
    "wechat": gettext_lazy("WeChat Pay"),
    "wechatpay": gettext_lazy("WeChat Pay"),
    "alipay": gettext_lazy("Alipay"),
}


@dataclass(frozen=True)
class ReceiptParties:
    """Who a Chinese receipt names: the payer (缴款人), how the money came (the method, or the
    online channel and provider), the company that collects it (收款单位), the cashier who took
    it (收款人; none online) and who issued the receipt (开票人)."""

    payer: str
    channel: str
    collector: str
    cashier: str
    issuer: str
    online: bool


def receipt_parties(receipt: Receipt) -> ReceiptParties:
    payment = receipt.payment
    key = payment.idempotency_key or ""
    online = key.startswith("online:")
    if online:
        # The owner's account paid: the receipt names the person, not the account.
        payer = _account_holder(payment) or _house_owners_on(payment)
        provider = key.split(":")[1] if key.count(":") >= 2 else ""
        label = ONLINE_PROVIDERS.get(provider) or payment.get_method_display()
        return ReceiptParties(
            payer=payer or "—",
            channel=f"{_('Online payment')} · {label}",
            collector=receipt.community.company.name,
            cashier="",
            issuer=_("issued automatically for the online payment"),
            online=True,
        )
    payer = payment.payer_name or _house_owners_on(payment)
    return ReceiptParties(
        payer=payer or "—",
        channel=payment.get_method_display(),
        collector=receipt.community.company.name,
        cashier=payment.received_by.display_name,
        issuer=receipt.issued_by.display_name,
        online=False,
    )


def _account_holder(payment) -> str:
    """The owner or resident of the paid house whose mobile the paying account signs in with."""
    mobile = getattr(payment.received_by, "mobile", "")
    if not mobile:
        return ""
    on_house = Ownership.objects.filter(
        house_id=payment.house_id, end_on__isnull=True, owner__mobile=mobile
    ).values_list("owner__name", flat=True)
    name = (
        on_house.first()
        or Resident.objects.filter(house_id=payment.house_id, mobile=mobile)
        .values_list("name", flat=True)
        .first()
    )
    return name or ""


def _house_owners_on(payment) -> str:
    """The owners of the house on the day of the payment: the payer when nobody else is named."""
    if not payment.house_id:
        return ""
    day = timezone.localdate(payment.received_at)
    names = (
        Ownership.objects.filter(house_id=payment.house_id, start_on__lte=day)
        .filter(Q(end_on__isnull=True) | Q(end_on__gte=day))
        .order_by("-is_primary", "id")
        .values_list("owner__name", flat=True)
    )
    return "、".join(names)


def receipt_lines(receipt: Receipt) -> list[tuple[str, int]]:
    """What the payment paid, bill by bill, and what it left as prepaid balance (in fen)."""
    payment = receipt.payment
    if not payment.house_id:
        # A counter charge (temporary parking): one line saying what it paid.
        text = f"{payment.get_source_display()} {payment.note}".strip()
        return [(text, payment.amount_fen)]
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
        "community__company", "payment__house", "payment__received_by", "issued_by"
    ).get(pk=receipt.pk)
    reprint = receipt.print_count > 0
    if not is_owner(actor) and has_perm(actor, Perm.BILLING_VIEW):
        Receipt.objects.filter(pk=receipt.pk).update(print_count=F("print_count") + 1)
    return documents.receipt_pdf(
        receipt, lines=receipt_lines(receipt), parties=receipt_parties(receipt), reprint=reprint
    )
