"""Console pages of online refunds (supervisors, PAYMENT_REFUND): the approved corrections
waiting to be paid back by WeChat Pay or Alipay, an online payment with its refunds and their
history, and the confirmation form that sends one. Thin: reads and the send are
`services/refunds.py`; a payment of the ledger links here from its receipt page."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from propdesk.core.errors import AppError
from propdesk.core.views import console_view, paginate
from propdesk.portal.services import refunds


@console_view
def refund_list(request):
    """The corrections to pay back online and the refunds sent, newest first."""
    waiting = list(refunds.corrections_to_refund(request.user)[:100])
    page = paginate(request, refunds.refunds_for(request.user).order_by("-created_at", "-pk"))
    return render(
        request,
        "portal/staff/refund_list.html",
        {"waiting": waiting, "page": page},
    )


@console_view
def order_refunds(request, order_id: int):
    """One paid online order: what was paid and refunded, its refunds with their history, and
    the approved corrections of its house it may pay back."""
    order = refunds.refund_order_for_user(request.user, order_id)
    rows = list(order.refunds.select_related("requested_by", "adjustment").order_by("created_at"))
    history = refunds.refund_history(rows)
    for row in rows:
        row.history = history[row.pk]
    waiting = [
        correction
        for correction in refunds.corrections_to_refund(request.user).filter(
            house_id=order.house_id, method=order.provider
        )
        if any(o.pk == order.pk for o in refunds.orders_for_correction(correction))
    ]
    refunded = refunds.refunded_fen(order)
    return render(
        request,
        "portal/staff/refund_order.html",
        {
            "order": order,
            "refunds": rows,
            "waiting": waiting,
            "refunded_fen": refunded,
            "left_fen": order.amount_fen - refunded,
        },
    )


@console_view
def payment_refunds(request, payment_id: int):
    """From a payment of the ledger to its online order's refunds (404 when paid otherwise)."""
    order = refunds.refund_order_for_payment(request.user, payment_id)
    return redirect("portal:staff_refund_order", order_id=order.pk)


@console_view
def refund_confirm(request, adjustment_id: int):
    """Confirm an approved correction's refund: the payment it goes back through, the amount
    (the approved one, within what that payment has left), the reason the owner is shown."""
    correction = refunds.correction_for_user(request.user, adjustment_id)
    orders = refunds.orders_for_correction(correction)
    sent = refunds.refunds_for(request.user).filter(adjustment=correction).first()
    if sent is not None:
        return redirect("portal:staff_refund_order", order_id=sent.order_id)
    error = None
    values = {
        "order": request.GET.get("order") or (str(orders[0].pk) if orders else ""),
        "reason": correction.reason[:80],
    }
    if request.method == "POST":
        values = {
            "order": str(request.POST.get("order", ""))[:20],
            "reason": str(request.POST.get("reason", ""))[:400],
        }
        try:
            refund = refunds.refund_for_adjustment(
                actor=request.user,
                adjustment_id=correction.pk,
                order_id=values["order"] or None,
                reason=values["reason"],
            )
        except AppError as exc:
            if exc.status == 403:
                raise
            field = exc.field or ""
            error = {
                "field": field,
                "message": str(exc.message),
                "general": field not in ("order", "reason", "amount"),
            }
        else:
            if refund.status == refund.Status.FAILED:
                messages.error(request, _("The provider refused the refund: see its history."))
            else:
                messages.success(request, _("The refund was sent to the provider."))
            return redirect("portal:staff_refund_order", order_id=refund.order_id)
    return render(
        request,
        "portal/staff/refund_confirm.html",
        {"correction": correction, "orders": orders, "values": values, "error": error},
        status=400 if error else 200,
    )
