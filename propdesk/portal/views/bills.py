"""The owner's bills: unpaid and paid, the statement, receipts as PDF, and paying online."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from propdesk.billing.services.receipts import receipt_print
from propdesk.billing.services.statements import statement_pdf_for
from propdesk.core.errors import AppError, NotFound
from propdesk.portal import access, selectors
from propdesk.portal.forms import StatementForm
from propdesk.portal.models import PaymentOrder
from propdesk.portal.payments import CallbackRejected
from propdesk.portal.payments.sandbox import SandboxProvider
from propdesk.portal.services.payments import payment_callback_handle, payment_order_create
from propdesk.portal.views._common import pdf_response, portal_view


@portal_view
def bills(request):
    house_id = request.GET.get("house") or None
    houses = selectors.bills_for(request.user, house_id)
    hidden = [r for r in access.house_rights(request.user) if not r.sees_fees]
    today = timezone.localdate()
    form = StatementForm(initial={"date_from": today.replace(month=1, day=1), "date_to": today})
    return render(
        request,
        "portal/bills.html",
        {"houses": houses, "hidden": hidden, "statement_form": form},
    )


@portal_view
def statement(request, house_id: int):
    right = access.fee_right_for(request.user, house_id)
    form = StatementForm(request.GET)
    if not form.is_valid():
        messages.error(request, " ".join(str(e) for errs in form.errors.values() for e in errs))
        return redirect("portal:bills")
    data = form.cleaned_data
    content = statement_pdf_for(right.house, data.get("date_from"), data.get("date_to"))
    return pdf_response(content, f"statement-{right.house.code}.pdf")


@portal_view
def receipt_pdf(request, receipt_id: int):
    receipt = access.receipt_for_owner(request.user, receipt_id)
    content = receipt_print(actor=request.user, receipt=receipt)
    return pdf_response(content, f"receipt-{receipt.pk}.pdf")


@portal_view
@require_POST
def pay(request):
    try:
        order = payment_order_create(
            actor=request.user,
            house_id=request.POST.get("house"),
            bill_ids=request.POST.getlist("bills") or None,
        )
    except AppError as exc:
        if exc.status == 404 and exc.field is None:
            raise
        messages.error(request, str(exc.message))
        return redirect("portal:bills")
    return redirect(order.pay_url)


@portal_view
def order_detail(request, order_id: int):
    order = access.order_for_owner(request.user, order_id)
    receipt = getattr(order.payment, "receipt", None) if order.payment_id else None
    return render(request, "portal/order.html", {"order": order, "receipt": receipt})


@portal_view
def sandbox_pay(request, number: str):
    """The sandbox provider's pay page: shows the amount; "Pay" sends the signed callback the
    way a real provider would, through the same callback handling."""
    order = PaymentOrder.objects.filter(number=number[:40], provider="sandbox").first()
    if order is None:
        raise NotFound()
    order = access.order_for_owner(request.user, order.pk)
    if request.method == "POST" and not order.is_payable():
        # Like a real provider: an expired order takes no money.
        if order.status != PaymentOrder.Status.PAID:
            messages.error(request, _("This payment has expired: start again from your bills."))
        return redirect("portal:order", order_id=order.pk)
    if request.method == "POST":
        headers, body = SandboxProvider().signed_callback(
            order_number=order.number,
            amount_fen=order.amount_fen,
            paid=request.POST.get("outcome") != "fail",
        )
        try:
            payment_callback_handle(provider_name="sandbox", headers=headers, body=body)
        except CallbackRejected as exc:
            messages.error(request, str(exc.message))
        return redirect("portal:order", order_id=order.pk)
    return render(request, "portal/sandbox_pay.html", {"order": order})
