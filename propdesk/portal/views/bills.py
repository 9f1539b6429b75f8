"""The owner's bills: unpaid and paid, the statement, receipts as PDF, and paying online."""

import io
import json

import segno
from django.conf import settings
from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from propdesk.billing.services.receipts import receipt_print
from propdesk.billing.services.statements import statement_pdf_for
from propdesk.core.errors import AppError, NotFound
from propdesk.portal import access, selectors
from propdesk.portal.forms import StatementForm
from propdesk.portal.models import PaymentOrder
from propdesk.portal.payments import CallbackRejected, ProviderError, provider_named
from propdesk.portal.services.payments import (
    payment_callback_handle,
    payment_order_check,
    payment_order_create,
)
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
        {
            "houses": houses,
            "hidden": hidden,
            "earlier": selectors.earlier_houses(request.user) if not house_id else [],
            "statement_form": form,
        },
    )


@portal_view
def statement(request, house_id: int):
    right = access.fee_right_for(request.user, house_id)
    form = StatementForm(request.GET)
    if not form.is_valid():
        messages.error(request, " ".join(str(e) for errs in form.errors.values() for e in errs))
        return redirect("portal:bills")
    data = form.cleaned_data
    # The statement starts no earlier than the account's era: not an earlier owner's payments.
    date_from = access.statement_start(right, data.get("date_from"))
    content = statement_pdf_for(right.house, date_from, data.get("date_to"))
    return pdf_response(content, f"statement-{right.house.code}.pdf")


@portal_view
def receipt_pdf(request, receipt_id: int):
    receipt = access.receipt_for_owner(request.user, receipt_id)
    content = receipt_print(actor=request.user, receipt=receipt)
    return pdf_response(content, f"receipt-{receipt.pk}.pdf")


@portal_view
@require_POST
def pay(request):
    provider = str(request.POST.get("provider") or "")[:20]
    try:
        order = payment_order_create(
            actor=request.user,
            house_id=request.POST.get("house"),
            bill_ids=request.POST.getlist("bills") or None,
            provider=provider,
            channel=pay_channel(request, provider),
            client_ip=request.META.get("REMOTE_ADDR", ""),
            return_url=request.build_absolute_uri(reverse("portal:bills")),
        )
    except AppError as exc:
        if exc.status == 404 and exc.field is None:
            raise
        messages.error(request, str(exc.message))
        return redirect("portal:bills")
    return redirect(order.pay_url)


def pay_channel(request, provider: str) -> str:
    """How the owner pays: inside WeChat with WeChat Pay JSAPI once the account's openid is
    linked, in a phone's browser through the provider's H5/wap page, elsewhere by QR code
    (WeChat Pay Native) or Alipay's web page."""
    agent = request.headers.get("User-Agent", "")
    mobile = any(word in agent for word in ("iPhone", "Android", "Mobile"))
    if provider == "wechat":
        if "MicroMessenger" in agent:
            return "jsapi"
        return "h5" if mobile else "native"
    if provider == "alipay":
        return "wap" if mobile else "page"
    return ""


@portal_view
def wechat_pay(request, number: str):
    """The WeChat Pay page of an order: its QR code to scan with WeChat (Native). The page looks
    again every few seconds; "I have paid" asks WeChat Pay at once (a lost notification is
    found the same way) and shows the receipt when the money arrived."""
    order = PaymentOrder.objects.filter(number=number[:40], provider="wechat").first()
    if order is None:
        raise NotFound()
    order = access.order_for_owner(request.user, order.pk)
    if request.method == "POST":
        try:
            order = payment_order_check(order=order, actor=request.user)
        except (ProviderError, CallbackRejected) as exc:
            messages.error(request, str(exc.message))
        if order.status == PaymentOrder.Status.PAID:
            return redirect("portal:order", order_id=order.pk)
        messages.info(request, _("WeChat Pay has not received the money yet."))
        return redirect("portal:wechat_pay", number=order.number)
    if order.status == PaymentOrder.Status.PAID:
        return redirect("portal:order", order_id=order.pk)
    jsapi = None
    if order.channel == "jsapi" and order.is_payable():
        provider = provider_named("wechat", order.community.company_id)
        if provider is not None:
            jsapi = json.dumps(provider.jsapi_parameters(prepay_id=order.pay_code))
    return render(request, "portal/wechat_pay.html", {"order": order, "jsapi": jsapi})


@portal_view
def wechat_qr(request, number: str):
    """The order's code_url as an SVG QR code, made here (nothing is sent to a QR service)."""
    order = PaymentOrder.objects.filter(number=number[:40], provider="wechat").first()
    if order is None:
        raise NotFound()
    order = access.order_for_owner(request.user, order.pk)
    if not order.pay_code.startswith("weixin://") or not order.is_payable():
        raise NotFound()
    out = io.BytesIO()
    segno.make(order.pay_code, error="m").save(out, kind="svg", scale=6, border=2, xmldecl=False)
    response = HttpResponse(out.getvalue(), content_type="image/svg+xml")
    response["Cache-Control"] = "private, no-store"
    return response


@portal_view
def alipay_pay(request, number: str):
    """On to Alipay's cashier (page or wap) while the order can be paid; else the order page.
    POST ("I have paid") asks Alipay about the order at once."""
    order = PaymentOrder.objects.filter(number=number[:40], provider="alipay").first()
    if order is None:
        raise NotFound()
    order = access.order_for_owner(request.user, order.pk)
    if request.method == "POST":
        try:
            order = payment_order_check(order=order, actor=request.user)
        except (ProviderError, CallbackRejected) as exc:
            messages.error(request, str(exc.message))
        if order.status != PaymentOrder.Status.PAID:
            messages.info(request, _("Alipay has not received the money yet."))
        return redirect("portal:order", order_id=order.pk)
    if order.is_payable() and order.pay_code.startswith(settings.PORTAL_ALIPAY_GATEWAY):
        return redirect(order.pay_code)
    return redirect("portal:order", order_id=order.pk)


@portal_view
def order_detail(request, order_id: int):
    order = access.order_for_owner(request.user, order_id)
    receipt = getattr(order.payment, "receipt", None) if order.payment_id else None
    return render(request, "portal/order.html", {"order": order, "receipt": receipt})


@portal_view
def sandbox_pay(request, number: str):
    """The sandbox provider's pay page: shows the amount; "Pay" sends the signed callback the
    way a real provider would, through the same callback handling. Gone (404) unless the
    sandbox is switched on, which only a development site can do."""
    sandbox = provider_named("sandbox")
    if sandbox is None:
        raise NotFound()
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
        headers, body = sandbox.signed_callback(
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
