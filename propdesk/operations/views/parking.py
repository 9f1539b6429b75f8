"""Temporary parking pages: the guard's gate page (cars in, cars leaving, the fee taken) and the
cashier's view of the stays waiting for payment; a stay's receipt."""

import uuid

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from propdesk.billing.selectors.schedule import policy_for
from propdesk.billing.services.receipts import receipt_print
from propdesk.billing.services.schedule import billing_policy_update
from propdesk.core.errors import AppError, NotFound
from propdesk.core.masking import mask_plate
from propdesk.core.money import from_fen
from propdesk.core.permissions import Perm, communities_for, has_perm, require
from propdesk.core.views import console_view, form_error, form_page, paginate, render_page
from propdesk.estates.selectors import community_for_user
from propdesk.operations import forms, selectors
from propdesk.operations.models import StayStatus
from propdesk.operations.services import parking
from propdesk.operations.views.equipment import _community_filter


def _shown(stays, user) -> list:
    """Full plates for those who compare them with the car (guards); masked for the others."""
    full = has_perm(user, Perm.REVEAL_PLATE)
    for stay in stays:
        stay.plate_shown = stay.plate if full else mask_plate(stay.plate)
    return stays


def _pay_form(stay) -> forms.ParkingPayForm:
    return forms.ParkingPayForm(
        prefix=f"pay{stay.pk}",
        initial={"method": "cash", "idempotency_key": f"parking-{uuid.uuid4().hex}"},
    )


@console_view
def parking_gate(request, enter_form=None, errors_for=None):
    """Cars parked now, stays waiting for payment (each with its pay form), and the day's
    closed stays; a plate search finds one car (the cashier asks the visitor for it)."""
    user = request.user
    require(user, Perm.PARKING_CHARGE)
    community_id = _community_filter(request, user)
    communities = communities_for(user, Perm.PARKING_CHARGE)
    plate = ""
    if request.GET.get("plate"):
        try:
            plate = parking.clean_plate(request.GET.get("plate"))
        except AppError as exc:
            messages.error(request, exc.message)
    rows = selectors.parking_stays(user, community_id=community_id, plate=plate)
    today_start = timezone.localtime().replace(hour=0, minute=0, second=0, microsecond=0)
    parked = _shown(list(rows.filter(status=StayStatus.PARKED)[:200]), user)
    due = _shown(list(rows.filter(status=StayStatus.DUE)[:200]), user)
    for stay in due:
        stay.pay_form = (errors_for or {}).get(stay.pk) or _pay_form(stay)
    closed = paginate(
        request,
        rows.filter(status__in=(StayStatus.PAID, StayStatus.FREE), left_at__gte=today_start),
    )
    _shown(closed.object_list, user)
    now = timezone.now()
    for stay in parked:
        stay.minutes_so_far = int((now - stay.entered_at).total_seconds() // 60)
    rules = [
        (community, selectors.parking_rule(community.pk, timezone.localdate()))
        for community in communities
    ]
    context = {
        "enter_form": enter_form or forms.ParkingEnterForm(communities=communities),
        "parked": parked,
        "due": due,
        "page": closed,
        "plate": plate,
        "rules": rules,
        "community_id": community_id,
        "communities": communities,
        "can_set_rule": has_perm(user, Perm.BILLING_CONFIGURE),
    }
    status = 400 if (enter_form is not None and enter_form.errors) or errors_for else 200
    return render_page(request, "operations/parking_gate.html", None, context, status=status)


@require_POST
@console_view
def parking_enter(request):
    user = request.user
    require(user, Perm.PARKING_CHARGE)
    form = forms.ParkingEnterForm(
        request.POST, communities=communities_for(user, Perm.PARKING_CHARGE)
    )
    if form.is_valid():
        try:
            stay = parking.stay_enter(actor=user, **form.cleaned_data)
        except AppError as exc:
            form_error(form, exc)
        else:
            messages.success(request, _("%(plate)s came in.") % {"plate": stay.plate})
            return redirect("operations_parking")
    return parking_gate(request, enter_form=form)


@require_POST
@console_view
def parking_leave(request, stay_id: int):
    user = request.user
    stay = selectors.parking_stay_get(user, stay_id)
    try:
        stay = parking.stay_leave(actor=user, stay=stay, left_at=request.POST.get("left_at"))
    except AppError as exc:
        messages.error(request, exc.message)
    else:
        if stay.status == StayStatus.FREE:
            messages.success(request, _("The car left within the free time: nothing to pay."))
        else:
            messages.success(
                request,
                _("The car stayed %(minutes)s minutes: %(fee)s yuan to pay.")
                % {"minutes": stay.minutes, "fee": stay.fee},
            )
    return redirect("operations_parking")


@require_POST
@console_view
def parking_pay(request, stay_id: int):
    user = request.user
    stay = selectors.parking_stay_get(user, stay_id)
    form = forms.ParkingPayForm(request.POST, prefix=f"pay{stay.pk}")
    if form.is_valid():
        try:
            stay = parking.stay_charge(actor=user, stay=stay, **form.cleaned_data)
        except AppError as exc:
            form_error(form, exc)
        else:
            messages.success(
                request,
                _("Paid: receipt %(number)s.") % {"number": stay.payment.receipt.display_number},
            )
            return redirect("operations_parking_stay", stay_id=stay.pk)
    return parking_gate(request, errors_for={stay.pk: form})


@console_view
def parking_stay(request, stay_id: int):
    user = request.user
    stay = selectors.parking_stay_get(user, stay_id)
    _shown([stay], user)
    return render_page(request, "operations/parking_stay.html", None, {"stay": stay})


@console_view
def parking_receipt(request, stay_id: int):
    """The stay's receipt as a PDF, for the visitor (the guard hands it over at the gate)."""
    stay = selectors.parking_stay_get(request.user, stay_id)
    if stay.payment_id is None:
        raise NotFound()
    receipt = stay.payment.receipt
    data = receipt_print(actor=request.user, receipt=receipt)
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="receipt-{receipt.display_number}.pdf"'
    return response


@console_view
def parking_rule(request, community_id: int):
    """The community's temporary-parking rule on the console: the short stay, the hours one fee
    covers and the most a stay pays (the cap), kept with the billing rules and changed through
    billing's policy service (the rate itself is the fee schedule's)."""
    user = request.user
    require(user, Perm.BILLING_CONFIGURE)
    community = community_for_user(user, community_id, Perm.BILLING_CONFIGURE)
    policy = policy_for(community.id)
    form = forms.ParkingRuleForm(
        request.POST or None,
        initial={
            "temp_parking_free_minutes": policy.temp_parking_free_minutes,
            "temp_parking_short_fee": from_fen(policy.temp_parking_short_fen),
            "temp_parking_block_hours": policy.temp_parking_block_hours,
            "temp_parking_cap": from_fen(policy.temp_parking_cap_fen),
        },
    )
    url = f"{reverse('operations_parking')}?community={community.id}"
    return form_page(
        request,
        form=form,
        title=_("Temporary parking rule: %(community)s") % {"community": community.name},
        save=lambda data: billing_policy_update(actor=user, community=community, **data),
        success_url=url,
        cancel_url=url,
        success_message=_("Parking rule saved: it prices the stays that leave from now on."),
    )
