"""Paying bills online (DOMAIN.md §3, §9): an order with the provider, confirmed by its callback.

1. `payment_order_create`: the owner picks open bills of a house they may pay for; the amount
   is what those bills still owe; the provider answers where to pay. The order is to be paid
   within `PORTAL_PAYMENT_ORDER_MINUTES`; `payment_orders_expire` (the worker) marks those left
   unpaid as expired, and the owner starts again from the bills.
2. The provider calls back (signed). `payment_callback_handle` verifies the signature through
   the provider, refuses stale or replayed callbacks (each nonce once), refuses an amount that
   differs from the order, and is idempotent on the provider's transaction id: however often the
   callback comes, exactly one payment is recorded.
3. The money becomes a normal billing payment (billing.services.payments.payment_record_online)
   with its ledger allocation and receipt, exactly as at the cashier's desk. Money confirmed for
   an expired or failed order is recorded all the same: it is never refused.
"""

import datetime
import secrets
import time

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from propdesk.billing.selectors.accounts import open_bills
from propdesk.billing.services.payments import payment_record_online
from propdesk.core import audit
from propdesk.core.errors import Conflict, NotFound, ValidationFailed
from propdesk.portal import access
from propdesk.portal.models import CallbackNonce, PaymentOrder
from propdesk.portal.payments import (
    CallbackRejected,
    PaymentProvider,
    current_provider,
    provider_named,
)

MAX_BILLS = 60


def order_number_next() -> str:
    stamp = timezone.localtime().strftime("%Y%m%d%H%M%S")
    return f"PO{stamp}{secrets.token_hex(4).upper()}"


def _bill_ids(value) -> list[int] | None:
    if value in (None, "", []):
        return None
    try:
        ids = sorted({int(b) for b in value})
    except (TypeError, ValueError) as exc:
        raise ValidationFailed(_("Send bill ids as whole numbers."), field="bills") from exc
    if len(ids) > MAX_BILLS:
        raise ValidationFailed(_("Too many bills in one payment."), field="bills")
    return ids


@transaction.atomic
def payment_order_create(*, actor, house_id, bill_ids=None) -> PaymentOrder:
    """Start paying the chosen open bills of a house (all open bills when none are chosen)."""
    right = access.fee_right_for(actor, house_id)
    house = right.house
    chosen = _bill_ids(bill_ids)
    bills = open_bills(house, bill_ids=chosen)
    if chosen is not None and len(bills) != len(chosen):
        raise NotFound(
            _("A chosen bill is not an unpaid bill of this house."),
            code="bill_not_open",
            field="bills",
        )
    if not bills:
        raise Conflict(
            _("Nothing is left to pay for this house."), code="nothing_due", field="bills"
        )
    amount_fen = sum(bill.outstanding_fen for bill in bills)
    provider = current_provider()
    number = order_number_next()
    expires_at = timezone.now() + datetime.timedelta(minutes=settings.PORTAL_PAYMENT_ORDER_MINUTES)
    answer = provider.create_order(
        order_number=number,
        amount_fen=amount_fen,
        description=_("Property fees %(house)s") % {"house": house.code},
        expires_at=expires_at,
    )
    order = PaymentOrder.objects.create(
        community_id=house.community_id,
        house=house,
        user=actor,
        number=number,
        provider=provider.name,
        amount_fen=amount_fen,
        bill_ids=[bill.id for bill in bills],
        pay_url=answer.pay_url[:300],
        expires_at=expires_at,
    )
    audit.record_change(
        actor=actor,
        instance=order,
        action="payment_order_created",
        house_id=house.pk,
        changes={"amount_fen": [None, amount_fen]},
    )
    return order


def payment_callback_handle(*, provider_name: str, headers, body: bytes) -> PaymentOrder:
    """Verify a provider's callback and record the payment once. Raises CallbackRejected."""
    provider = provider_named(provider_name)
    if provider is None:
        raise CallbackRejected(_("Unknown payment provider."), code="unknown_provider")
    data = provider.verify_callback(headers, body)
    if abs(int(time.time()) - data.timestamp) > provider.max_callback_age:
        raise CallbackRejected(_("The callback is too old."), code="stale")
    return _confirm(provider, data)


@transaction.atomic
def _confirm(provider: PaymentProvider, data) -> PaymentOrder:
    order = (
        PaymentOrder.objects.select_for_update(of=("self",))
        .select_related("house", "user")
        .filter(provider=provider.name, number=data.order_number)
        .first()
    )
    if order is None:
        raise CallbackRejected(_("No such order."), code="unknown_order")
    # Idempotent on the provider's transaction id: the same transaction again changes nothing,
    # whatever nonce it carries (a provider retries with fresh nonces).
    if order.status == PaymentOrder.Status.PAID and order.transaction_id == data.transaction_id:
        return order
    try:
        with transaction.atomic():
            CallbackNonce.objects.create(provider=provider.name, nonce=data.nonce)
    except IntegrityError as exc:
        raise CallbackRejected(_("This callback was already received."), code="replay") from exc
    if order.status == PaymentOrder.Status.PAID:
        raise CallbackRejected(
            _("The order was already paid by another transaction."), code="already_paid"
        )
    if data.amount_fen != order.amount_fen:
        raise CallbackRejected(_("The amount differs from the order."), code="amount_mismatch")
    if not data.paid:
        PaymentOrder.objects.filter(pk=order.pk).update(
            status=PaymentOrder.Status.FAILED, failure=_("The provider reported a failure.")
        )
        order.refresh_from_db()
        return order
    key = f"online:{provider.name}:{data.transaction_id}"[:80]
    try:
        with transaction.atomic():
            result = payment_record_online(
                payer=order.user,
                house=order.house,
                amount_fen=order.amount_fen,
                method=provider.payment_method,
                idempotency_key=key,
                bill_ids=order.bill_ids,
                reference=data.transaction_id[:60],
                note=_("Online payment %(order)s") % {"order": order.number},
            )
    except (Conflict, NotFound):
        # The desk took money for a bill meanwhile: the payment goes to the open bills, oldest
        # first, and what is left becomes prepaid balance — the money is never refused.
        result = payment_record_online(
            payer=order.user,
            house=order.house,
            amount_fen=order.amount_fen,
            method=provider.payment_method,
            idempotency_key=key,
            reference=data.transaction_id[:60],
            note=_("Online payment %(order)s") % {"order": order.number},
        )
    before = order.status
    order.status = PaymentOrder.Status.PAID
    order.transaction_id = data.transaction_id
    order.payment = result.payment
    order.paid_at = timezone.now()
    order.save(update_fields=["status", "transaction_id", "payment", "paid_at"])
    audit.record_change(
        actor=order.user,
        instance=order,
        action="payment_order_paid",
        house_id=order.house_id,
        changes={"status": [before, PaymentOrder.Status.PAID]},
    )
    return order


def payment_orders_expire(*, now: datetime.datetime | None = None) -> int:
    """Mark the pending orders past their time as expired (the worker); return how many."""
    now = now or timezone.now()
    return PaymentOrder.objects.filter(
        status=PaymentOrder.Status.PENDING, expires_at__lte=now
    ).update(status=PaymentOrder.Status.EXPIRED, failure=_("Not paid in time."))
