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
from propdesk.portal import access, error_codes
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
def payment_order_create(
    *,
    actor,
    house_id,
    bill_ids=None,
    provider: str = "",
    channel: str = "",
    client_ip: str = "",
    openid: str = "",
    return_url: str = "",
) -> PaymentOrder:
    """Start paying the chosen open bills of a house (all open bills when none are chosen),
    through the chosen provider of the house's company (else its default) and channel (WeChat
    Pay: native QR code, h5 in a phone's browser, jsapi inside WeChat with the owner's openid)."""
    right = access.fee_right_for(actor, house_id)
    house = right.house
    chosen = _bill_ids(bill_ids)
    bills = open_bills(house, bill_ids=chosen, since=right.since)
    if chosen is not None and len(bills) != len(chosen):
        raise NotFound(
            _("A chosen bill is not an unpaid bill of this house."),
            code=error_codes.BILL_NOT_OPEN,
            field="bills",
        )
    if not bills:
        raise Conflict(
            _("Nothing is left to pay for this house."), code=error_codes.NOTHING_DUE, field="bills"
        )
    amount_fen = sum(bill.outstanding_fen for bill in bills)
    provider = current_provider(house.community.company_id, name=str(provider or "")[:20])
    channel = str(channel or "")[:10]
    if channel and channel not in provider.channels:
        raise ValidationFailed(_("Choose how to pay."), field="channel")
    if channel == "jsapi" and not openid:
        # Inside WeChat: JSAPI needs the openid the owner linked (portal WeChat sign-in); an
        # owner who has not linked WeChat pays by QR code instead.
        openid = provider.payer_openid(actor) if hasattr(provider, "payer_openid") else ""
        channel = channel if openid else "native"
    number = order_number_next()
    expires_at = timezone.now() + datetime.timedelta(minutes=settings.PORTAL_PAYMENT_ORDER_MINUTES)
    answer = provider.create_order(
        order_number=number,
        amount_fen=amount_fen,
        description=_("Property fees %(house)s") % {"house": house.code},
        expires_at=expires_at,
        channel=channel,
        client_ip=client_ip,
        openid=openid,
        return_url=return_url,
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
        pay_code=answer.pay_code[:4000],
        channel=answer.channel[:10],
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
        raise CallbackRejected(_("Unknown payment provider."), code=error_codes.UNKNOWN_PROVIDER)
    data = provider.verify_callback(headers, body)
    if abs(int(time.time()) - data.timestamp) > provider.max_callback_age:
        raise CallbackRejected(_("The callback is too old."), code=error_codes.STALE)
    if data.refund is not None:
        from propdesk.portal.services.refunds import refund_notification_handle

        return refund_notification_handle(provider=provider, data=data)
    return _confirm(provider, data)


def _order_locked(provider: PaymentProvider, number: str, company_id: int | None):
    order = (
        PaymentOrder.objects.select_for_update(of=("self",))
        .select_related("house", "user", "community")
        .filter(provider=provider.name, number=number)
        .first()
    )
    # A notification signed for one company's merchant account never pays another's order.
    if order is None or (company_id is not None and order.community.company_id != company_id):
        raise CallbackRejected(_("No such order."), code=error_codes.UNKNOWN_ORDER)
    return order


@transaction.atomic
def _confirm(provider: PaymentProvider, data) -> PaymentOrder:
    order = _order_locked(provider, data.order_number, data.company_id)
    # Idempotent on the provider's transaction id: the same transaction again changes nothing,
    # whatever nonce it carries (a provider retries with fresh nonces).
    if order.status == PaymentOrder.Status.PAID and order.transaction_id == data.transaction_id:
        return order
    try:
        with transaction.atomic():
            CallbackNonce.objects.create(provider=provider.name, nonce=data.nonce)
    except IntegrityError as exc:
        raise CallbackRejected(
            _("This callback was already received."), code=error_codes.REPLAY
        ) from exc
    if order.status == PaymentOrder.Status.PAID:
        raise CallbackRejected(
            _("The order was already paid by another transaction."), code=error_codes.ALREADY_PAID
        )
    if data.amount_fen != order.amount_fen:
        raise CallbackRejected(
            _("The amount differs from the order."), code=error_codes.AMOUNT_MISMATCH
        )
    if not data.paid:
        PaymentOrder.objects.filter(pk=order.pk).update(
            status=PaymentOrder.Status.FAILED, failure=_("The provider reported a failure.")
        )
        order.refresh_from_db()
        return order
    return _record_paid(provider, order, data.transaction_id, actor=order.user)


def _record_paid(provider: PaymentProvider, order: PaymentOrder, transaction_id: str, *, actor):
    """Turn the locked order's money into the billing payment with its receipt (once)."""
    key = f"online:{provider.name}:{transaction_id}"[:80]
    try:
        with transaction.atomic():
            result = payment_record_online(
                payer=order.user,
                house=order.house,
                amount_fen=order.amount_fen,
                method=provider.payment_method,
                idempotency_key=key,
                bill_ids=order.bill_ids,
                reference=transaction_id[:60],
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
            reference=transaction_id[:60],
            note=_("Online payment %(order)s") % {"order": order.number},
        )
    before = order.status
    order.status = PaymentOrder.Status.PAID
    order.transaction_id = transaction_id
    order.payment = result.payment
    order.paid_at = timezone.now()
    order.save(update_fields=["status", "transaction_id", "payment", "paid_at"])
    audit.record_change(
        actor=actor,
        instance=order,
        action="payment_order_paid",
        house_id=order.house_id,
        changes={"status": [before, PaymentOrder.Status.PAID]},
    )
    return order


def payment_order_check(*, order: PaymentOrder, actor) -> PaymentOrder:
    """Ask the provider about an unpaid order (the owner's "I have paid", a lost notification
    found by reconciliation): money the provider confirms, in the order's amount, is recorded
    exactly as its notification would have recorded it — once, whoever asks first."""
    if order.status == PaymentOrder.Status.PAID:
        return order
    provider = provider_named(order.provider, order.community.company_id)
    if provider is None or not provider.can_query:
        return order
    trade = provider.query_order(order_number=order.number)  # outside the lock: a network call
    if trade is None or not trade.paid or not trade.transaction_id:
        return order
    with transaction.atomic():
        locked = _order_locked(provider, order.number, None)
        if locked.status == PaymentOrder.Status.PAID:
            return locked
        if trade.order_number != locked.number or trade.amount_fen != locked.amount_fen:
            raise CallbackRejected(
                _("The amount differs from the order."), code=error_codes.AMOUNT_MISMATCH
            )
        return _record_paid(provider, locked, trade.transaction_id, actor=actor)


def payment_orders_expire(*, now: datetime.datetime | None = None) -> int:
    """Mark the pending orders past their time as expired (the worker); return how many."""
    now = now or timezone.now()
    return PaymentOrder.objects.filter(
        status=PaymentOrder.Status.PENDING, expires_at__lte=now
    ).update(status=PaymentOrder.Status.EXPIRED, failure=_("Not paid in time."))
