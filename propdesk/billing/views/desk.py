"""The cashier desk (收费台): find the house, see what it owes, take a payment, print the receipt;
meter top-ups; the owner statement; corrections asked for from a payment or a bill."""

import uuid

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from propdesk.billing import forms
from propdesk.billing.models import Bill, MeterTopUp, Payment
from propdesk.billing.selectors import access, accounts
from propdesk.billing.services import adjustments, payments, receipts, statements, utilities
from propdesk.core.errors import AppError
from propdesk.core.money import from_fen
from propdesk.core.permissions import Perm, has_perm, require
from propdesk.core.views import console_view, form_error, render_page
from propdesk.estates.models import Ownership
from propdesk.estates.search import registry_search


def _new_key() -> str:
    return f"desk-{uuid.uuid4().hex}"


@console_view
def desk(request):
    """Find the house: the front desk's search, with links to each house's fees."""
    require(request.user, Perm.BILLING_VIEW)
    q = request.GET.get("q", "").strip()[:40]
    hits = [hit for hit in registry_search(request.user, q) if hit.house_id] if q else []
    context = {"q": q, "hits": hits, "searched": bool(q)}
    return render_page(
        request, "billing/pages/desk.html", "billing/partials/desk_results.html", context
    )


def _house_context(request, house, payment_form=None, top_up_form=None) -> dict:
    dues = accounts.house_dues(house)
    recent = list(
        Payment.objects.filter(community_id=house.community_id, house=house)
        .select_related("receipt", "received_by")
        .order_by("-received_at", "-id")[:10]
    )
    reversed_ids = set(
        Payment.objects.filter(
            id__in=[p.id for p in recent],
            entries__kind="reversal",
            entries__reverses__kind="payment",
        ).values_list("id", flat=True)
    )
    for payment in recent:
        payment.is_reversed = payment.id in reversed_ids
    owners = (
        Ownership.objects.filter(house=house, end_on__isnull=True)
        .select_related("owner")
        .order_by("-is_primary", "id")
    )
    choices = [(b.bill_id, f"{b.fee_name} {b.period:%Y-%m} · {b.outstanding}") for b in dues.bills]
    return {
        "house": house,
        "dues": dues,
        "owners": [o.owner for o in owners],
        "recent": recent,
        "payment_form": payment_form
        or forms.PaymentForm(
            initial={"idempotency_key": _new_key(), "method": "wechat"}, bill_choices=choices
        ),
        "top_up_form": top_up_form
        or forms.TopUpForm(initial={"idempotency_key": _new_key()}, prefix="topup"),
        "top_ups": MeterTopUp.objects.filter(house=house).select_related("payment")[:5],
        "can_take": has_perm(request.user, Perm.PAYMENT_TAKE),
    }


@console_view
def desk_house(request, house_id: int):
    house = access.house_for_billing(request.user, house_id)
    return render(request, "billing/pages/desk_house.html", _house_context(request, house))


@require_POST
@console_view
def payment_take(request, house_id: int):
    house = access.house_for_billing(request.user, house_id)
    # Any bill of the house parses; whether it is still open is the service's to say (a
    # resubmitted form of a payment already taken must reach it, to be answered idempotently).
    bill_ids = Bill.objects.filter(community_id=house.community_id, house=house).values_list(
        "id", flat=True
    )
    form = forms.PaymentForm(request.POST, bill_choices=[(i, str(i)) for i in bill_ids])
    if form.is_valid():
        data = form.cleaned_data
        try:
            result = payments.payment_take(
                actor=request.user,
                house=house,
                amount=data["amount"],
                method=data["method"],
                idempotency_key=data["idempotency_key"],
                bill_ids=data["bills"] or None,
                payer_name=data["payer_name"],
                reference=data["reference"],
                note=data["note"],
            )
        except AppError as exc:
            form_error(form, exc)
        else:
            messages.success(
                request,
                _("Payment of %(amount)s recorded, receipt %(number)s.")
                % {"amount": result.payment.amount, "number": result.receipt.display_number},
            )
            return redirect("billing_payment_done", payment_id=result.payment.id)
    context = _house_context(request, house, payment_form=form)
    return render(request, "billing/pages/desk_house.html", context, status=400)


@console_view
def payment_done(request, payment_id: int):
    payment = access.payment_for_user(request.user, payment_id)
    receipt = payment.receipt
    context = {
        "payment": payment,
        "receipt": receipt,
        "lines": [(text, from_fen(fen)) for text, fen in receipts.receipt_lines(receipt)],
        "dues": accounts.house_dues(payment.house) if payment.house_id else None,
    }
    return render(request, "billing/pages/payment_done.html", context)


@console_view
def receipt_pdf(request, receipt_id: int):
    receipt = access.receipt_for_user(request.user, receipt_id)
    data = receipts.receipt_print(actor=request.user, receipt=receipt)
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="receipt-{receipt.display_number}.pdf"'
    return response


@require_POST
@console_view
def meter_top_up(request, house_id: int):
    house = access.house_for_billing(request.user, house_id)
    form = forms.TopUpForm(request.POST, prefix="topup")
    if form.is_valid():
        try:
            result = utilities.meter_top_up(actor=request.user, house=house, **form.cleaned_data)
        except AppError as exc:
            form_error(form, exc)
        else:
            return redirect("billing_payment_done", payment_id=result.top_up.payment_id)
    context = _house_context(request, house, top_up_form=form)
    return render(request, "billing/pages/desk_house.html", context, status=400)


@console_view
def statement(request, house_id: int, fmt: str):
    house = access.house_for_billing(request.user, house_id)
    date_from = forms.parse_date(request.GET.get("from")) if request.GET.get("from") else None
    date_to = forms.parse_date(request.GET.get("to")) if request.GET.get("to") else None
    if fmt == "pdf":
        data = statements.statement_pdf_for(house, date_from, date_to)
        response = HttpResponse(data, content_type="application/pdf")
    else:
        data = statements.statement_xlsx(house, date_from, date_to)
        response = HttpResponse(
            data,
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    response["Content-Disposition"] = f'attachment; filename="statement-{house.code}.{fmt}"'
    return response


@console_view
def adjustment_new(request, house_id: int):
    """Ask for a correction of a payment or a bill of this house (a supervisor approves it)."""
    house = access.house_for_billing(request.user, house_id, Perm.LEDGER_ADJUST_REQUEST)
    form = forms.AdjustmentForm(request.POST or None, initial=request.GET.dict())
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            payment = (
                access.payment_for_user(request.user, data["payment"]) if data["payment"] else None
            )
            bill = access.bill_for_user(request.user, data["bill"]) if data["bill"] else None
            adjustments.adjustment_request(
                actor=request.user,
                kind=data["kind"],
                house=house,
                reason=data["reason"],
                payment=payment,
                bill=bill,
                amount=data["amount"],
                method=data["method"],
            )
        except AppError as exc:
            form_error(form, exc)
        else:
            messages.success(request, _("Correction sent for approval."))
            return redirect("billing_desk_house", house_id=house.id)
    subject = None
    if form["payment"].value():
        subject = Payment.objects.filter(pk=form["payment"].value(), house=house).first()
    elif form["bill"].value():
        subject = Bill.objects.filter(pk=form["bill"].value(), house=house).first()
    context = {
        "form": form,
        "title": _("Ask for a correction"),
        "cancel_url": reverse("billing_desk_house", args=[house.id]),
        "intro": _("House %(code)s. %(subject)s") % {"code": house.code, "subject": subject or ""},
    }
    status = 400 if form.is_bound and form.errors else 200
    return render_page(
        request, "core/form_page.html", "core/partials/form.html", context, status=status
    )
