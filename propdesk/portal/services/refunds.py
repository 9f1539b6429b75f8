"""Money back through the provider an owner paid with (WeChat Pay, Alipay).

A refund is sent for a correction a supervisor approved in billing (a decoration-deposit refund
or a refund of prepaid balance, with the refund method WeChat Pay or Alipay): the ledger entries
are billing's (adjustment_approve wrote them); this sends the money. Rules:

- never more than the order was paid, counting every refund of the order not failed — checked
  under the order's row lock, so concurrent refunds cannot together exceed it;
- exactly once: one refund per correction (unique), and its number (the provider's
  out_refund_no, which the provider itself treats as one refund) is fixed before the provider is
  asked, so a retry — a double click, a timeout, two supervisors at once — asks for the same
  refund and records nothing new;
- the provider's refund notification (verified like a payment's) settles its status;
- each step is a history row of the refund (sent by whom, answered by the provider), shown on
  the refund page and in the API.

The console's refund page (`views/refunds_staff.py`) and `POST /api/portal/refunds` send the
approved corrections; the reads below are scoped to the communities where the user may refund.
"""

import datetime

from django.db import transaction
from django.db.models import Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from propdesk.billing.models import LedgerAdjustment, LedgerEntry
from propdesk.core import audit
from propdesk.core.cleaning import clean_text
from propdesk.core.errors import Conflict, NotFound, ValidationFailed
from propdesk.core.models import AuditEvent
from propdesk.core.money import from_fen
from propdesk.core.permissions import Perm, get_scoped, require, scope
from propdesk.portal import error_codes
from propdesk.portal.models import PaymentOrder, ProviderRefund
from propdesk.portal.payments import (
    CallbackRejected,
    PaymentProvider,
    ProviderError,
    provider_named,
)

REFUNDABLE_KINDS = (LedgerAdjustment.Kind.REFUND, LedgerAdjustment.Kind.DEPOSIT_REFUND)


def refunded_fen(order: PaymentOrder) -> int:
    """What the order's refunds not failed add up to."""
    total = (
        ProviderRefund.objects.filter(order=order)
        .exclude(status=ProviderRefund.Status.FAILED)
        .aggregate(total=Sum("amount_fen"))["total"]
    )
    return int(total or 0)


def _orders_paying(adjustment: LedgerAdjustment):
    """The paid online orders whose payments went to the correction's bill (the deposit)."""
    payment_ids = LedgerEntry.objects.filter(
        community_id=adjustment.community_id,
        bill_id=adjustment.bill_id,
        kind=LedgerEntry.Kind.ALLOCATION,
        payment__isnull=False,
    ).values("payment_id")
    return PaymentOrder.objects.filter(
        community_id=adjustment.community_id,
        status=PaymentOrder.Status.PAID,
        payment_id__in=payment_ids,
    )


def refund_for_adjustment(*, actor, adjustment_id, order_id=None, reason=None) -> ProviderRefund:
    """Send the money of an approved refund correction back through the provider.

    A deposit refund goes to the online order that paid the deposit; a refund of prepaid
    balance to the paid order of the house named by `order_id`. `reason` is what the provider
    shows the owner (the correction's reason when none is given)."""
    adjustment = LedgerAdjustment.objects.filter(pk=_int(adjustment_id, "adjustment")).first()
    if adjustment is None:
        raise NotFound(field="adjustment")
    require(actor, Perm.PAYMENT_REFUND, adjustment.community_id)
    if reason is not None:
        reason = clean_text("reason", reason, max_length=80, required=True)
    if (
        adjustment.kind not in REFUNDABLE_KINDS
        or adjustment.status != LedgerAdjustment.Status.APPROVED
        or adjustment.method not in ("wechat", "alipay")
        or not adjustment.amount_fen
    ):
        raise Conflict(
            _("Only an approved refund paid back by WeChat Pay or Alipay is sent online."),
            code=error_codes.NOT_REFUNDABLE,
            field="adjustment",
        )
    orders = PaymentOrder.objects.filter(
        community_id=adjustment.community_id,
        house_id=adjustment.house_id,
        status=PaymentOrder.Status.PAID,
        provider=adjustment.method,
    )
    if adjustment.kind == LedgerAdjustment.Kind.DEPOSIT_REFUND:
        orders = orders.filter(pk__in=_orders_paying(adjustment).values("pk"))
    if order_id not in (None, ""):
        orders = orders.filter(pk=_int(order_id, "order"))
    order = orders.order_by("paid_at", "pk").first()
    if order is None:
        raise NotFound(
            _("No online payment of this house by that provider to refund."), field="order"
        )
    return refund_send(
        actor=actor,
        order=order,
        amount_fen=adjustment.amount_fen,
        reason=adjustment.reason[:80] if reason is None else reason,
        adjustment=adjustment,
    )


def refunds_check_pending(*, after_minutes: int = 10, limit: int = 200) -> dict[str, int]:
    """Refunds still pending after `after_minutes` (a refund notification lost or late): ask
    the provider and settle what it answers, by the same rule as the notification (a settled
    refund stays as it is). The worker runs it; a provider that cannot answer is asked later."""
    cutoff = timezone.now() - datetime.timedelta(minutes=after_minutes)
    pending = list(
        ProviderRefund.objects.filter(status=ProviderRefund.Status.PENDING, created_at__lte=cutoff)
        .select_related("order__community")
        .order_by("created_at", "pk")[:limit]
    )
    counts = {"settled": 0, "pending": 0, "unknown": 0}
    for refund in pending:
        provider = provider_named(refund.order.provider, refund.order.community.company_id)
        try:
            result = provider.refund_query(refund_number=refund.number) if provider else None
        except ProviderError:
            result = None
        if result is None:
            counts["unknown"] += 1
        elif result.status == "pending":
            counts["pending"] += 1
        else:
            _refund_settle(refund.pk, result)
            counts["settled"] += 1
    return counts


# --- reads: what the refund page and the API show --------------------------------------------


def refunds_for(user):
    """The online refunds of the communities where the user may refund (PermissionDenied for
    anyone without the right anywhere)."""
    require(user, Perm.PAYMENT_REFUND)
    return scope(ProviderRefund.objects.all(), user, Perm.PAYMENT_REFUND).select_related(
        "order__house", "order__community", "requested_by", "adjustment"
    )


def refund_for_user(user, refund_id) -> ProviderRefund:
    return get_scoped(refunds_for(user), user, refund_id, Perm.PAYMENT_REFUND)


def refund_order_for_user(user, order_id) -> PaymentOrder:
    """A paid online order of the user's communities (404 otherwise, whatever the reason)."""
    orders = PaymentOrder.objects.filter(
        status=PaymentOrder.Status.PAID, provider__in=("wechat", "alipay")
    ).select_related("house", "community", "payment")
    return get_scoped(orders, user, order_id, Perm.PAYMENT_REFUND)


def refund_order_for_payment(user, payment_id) -> PaymentOrder:
    """The paid online order behind a payment of the ledger (its detail page links here)."""
    order = (
        scope(PaymentOrder.objects.all(), user, Perm.PAYMENT_REFUND)
        .filter(payment_id=_int_or_none(payment_id), status=PaymentOrder.Status.PAID)
        .first()
    )
    require(user, Perm.PAYMENT_REFUND)
    if order is None:
        raise NotFound()
    return order


def _int_or_none(value) -> int | None:
    try:
        number = int(value)
    except (TypeError, ValueError):
        return None
    return number if 0 < number < 2**63 else None


def corrections_to_refund(user):
    """Approved refund corrections paid back by WeChat Pay or Alipay, not sent yet."""
    sent = ProviderRefund.objects.filter(adjustment__isnull=False).values("adjustment_id")
    return (
        scope(LedgerAdjustment.objects.all(), user, Perm.PAYMENT_REFUND)
        .filter(
            kind__in=REFUNDABLE_KINDS,
            status=LedgerAdjustment.Status.APPROVED,
            method__in=("wechat", "alipay"),
            amount_fen__gt=0,
        )
        .exclude(pk__in=sent)
        .select_related("house", "requested_by", "decided_by", "bill__fee_item")
        .order_by("decided_at", "pk")
    )


def correction_for_user(user, adjustment_id) -> LedgerAdjustment:
    """An approved online refund correction of the user's communities, sent or not."""
    corrections = LedgerAdjustment.objects.filter(
        kind__in=REFUNDABLE_KINDS,
        status=LedgerAdjustment.Status.APPROVED,
        method__in=("wechat", "alipay"),
    ).select_related("house", "requested_by", "decided_by", "bill__fee_item")
    return get_scoped(corrections, user, adjustment_id, Perm.PAYMENT_REFUND)


def orders_for_correction(adjustment: LedgerAdjustment):
    """The paid orders a correction may be paid back through, each with `left_fen` set."""
    orders = PaymentOrder.objects.filter(
        community_id=adjustment.community_id,
        house_id=adjustment.house_id,
        status=PaymentOrder.Status.PAID,
        provider=adjustment.method,
    )
    if adjustment.kind == LedgerAdjustment.Kind.DEPOSIT_REFUND:
        orders = orders.filter(pk__in=_orders_paying(adjustment).values("pk"))
    rows = list(orders.order_by("paid_at", "pk"))
    for order in rows:
        order.left_fen = order.amount_fen - refunded_fen(order)
    return rows


def refund_history(refunds) -> dict[int, list]:
    """Each refund's history rows (sent, answered), oldest first, described for people."""
    ids = [refund.pk for refund in refunds]
    events = audit.describe_events(
        AuditEvent.objects.filter(object_type="providerrefund", object_id__in=ids)
        .select_related("actor")
        .order_by("at", "pk")
    )
    history: dict[int, list] = {pk: [] for pk in ids}
    for event in events:
        history[event.object_id].append(event)
    return history


def _int(value, field: str) -> int:
    try:
        return int(value)
    except (TypeError, ValueError) as exc:
        raise ValidationFailed(_("Send a whole number."), field=field) from exc


def refund_send(
    *, actor, order: PaymentOrder, amount_fen: int, reason: str, adjustment=None, key: str = ""
) -> ProviderRefund:
    """Record the refund (once, within what was paid), then ask the provider for it."""
    require(actor, Perm.PAYMENT_REFUND, order.community_id)
    if not isinstance(amount_fen, int) or isinstance(amount_fen, bool) or amount_fen <= 0:
        raise ValidationFailed(_("Enter an amount above zero."), field="amount")
    refund = _refund_record(
        actor=actor,
        order=order,
        amount_fen=amount_fen,
        reason=reason,
        adjustment=adjustment,
        key=key,
    )
    if refund.status != ProviderRefund.Status.PENDING:
        return refund
    provider = provider_named(order.provider, order.community.company_id)
    if provider is None:
        raise Conflict(
            _("The provider is not configured any more: refund at the office."),
            code=error_codes.PROVIDER_NOT_CONFIGURED,
            field="order",
        )
    # The same number again is the same refund at the provider: a retry never pays twice.
    result = provider.refund(
        order_number=order.number,
        refund_number=refund.number,
        amount_fen=refund.amount_fen,
        total_fen=order.amount_fen,
        reason=refund.reason,
    )
    _refund_settle(refund.pk, result)
    refund.refresh_from_db()
    return refund


@transaction.atomic
def _refund_record(*, actor, order, amount_fen, reason, adjustment, key) -> ProviderRefund:
    order = PaymentOrder.objects.select_for_update(of=("self",)).get(pk=order.pk)
    existing = ProviderRefund.objects.filter(
        Q(adjustment=adjustment) if adjustment is not None else Q(number=_number(order, key))
    ).first()
    if existing is not None:
        if existing.order_id != order.pk or existing.amount_fen != amount_fen:
            raise Conflict(
                _("This refund was already sent with other details."),
                code=error_codes.NOT_REFUNDABLE,
                field="amount",
            )
        return existing
    if order.status != PaymentOrder.Status.PAID:
        raise Conflict(
            _("Only a paid order can be refunded."), code=error_codes.NOT_REFUNDABLE, field="order"
        )
    already = refunded_fen(order)
    if already + amount_fen > order.amount_fen:
        raise Conflict(
            _("A refund cannot exceed what was paid (%(left)s yuan left to refund).")
            % {"left": from_fen(order.amount_fen - already)},
            code=error_codes.REFUND_TOO_MUCH,
            field="amount",
        )
    number = _number(order, key) if adjustment is None else f"RF{order.pk}A{adjustment.pk}"
    refund = ProviderRefund.objects.create(
        community_id=order.community_id,
        order=order,
        number=number,
        amount_fen=amount_fen,
        adjustment=adjustment,
        reason=str(reason or _("Refund"))[:80],
        requested_by=actor,
    )
    audit.record_change(
        actor=actor,
        instance=refund,
        action="online_refund_sent",
        house_id=order.house_id,
        changes={"refund_amount": [None, from_fen(amount_fen)]},
        note=refund.reason,
        object_repr=number,
    )
    return refund


def _number(order: PaymentOrder, key: str) -> str:
    key = "".join(ch for ch in str(key or "") if ch.isalnum())[:40]
    if len(key) < 8:
        raise ValidationFailed(
            _("Send an idempotency key of 8 to 40 letters or digits."), field="idempotency_key"
        )
    return f"RF{order.pk}K{key}"


def _refund_settle(refund_id: int, result) -> None:
    """Record the provider's answer; a settled refund stays as it is."""
    if result.status == "pending":
        ProviderRefund.objects.filter(pk=refund_id, status=ProviderRefund.Status.PENDING).update(
            provider_refund_id=result.provider_refund_id
        )
        return
    settled = ProviderRefund.objects.filter(
        pk=refund_id, status=ProviderRefund.Status.PENDING
    ).update(
        status=(
            ProviderRefund.Status.SUCCEEDED
            if result.status == "succeeded"
            else ProviderRefund.Status.FAILED
        ),
        provider_refund_id=result.provider_refund_id,
        finished_at=timezone.now(),
        failure="" if result.status == "succeeded" else _("The provider refused the refund."),
    )
    if settled:
        refund = ProviderRefund.objects.select_related("order").get(pk=refund_id)
        audit.record_change(
            actor=None,
            instance=refund,
            action="online_refund_answered",
            house_id=refund.order.house_id,
            changes={"status": [ProviderRefund.Status.PENDING, refund.status]},
            object_repr=refund.number,
        )


@transaction.atomic
def refund_notification_handle(*, provider: PaymentProvider, data) -> PaymentOrder:
    """A verified refund notification: settle the refund it names (idempotent)."""
    refund = (
        ProviderRefund.objects.select_for_update(of=("self",))
        .select_related("order__community")
        .filter(number=data.refund.refund_number, order__provider=provider.name)
        .first()
    )
    if (
        refund is None
        or refund.order.number != data.order_number
        or (data.company_id is not None and refund.order.community.company_id != data.company_id)
    ):
        raise CallbackRejected(_("No such refund."), code=error_codes.UNKNOWN_ORDER)
    if data.refund.amount_fen and data.refund.amount_fen != refund.amount_fen:
        raise CallbackRejected(
            _("The amount differs from the order."), code=error_codes.AMOUNT_MISMATCH
        )
    _refund_settle(refund.pk, data.refund)
    return refund.order
