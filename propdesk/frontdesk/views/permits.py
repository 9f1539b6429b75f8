"""Decoration permit pages: the list, the application, the gates with the actions each role may
take, patrols, acceptance and the printable permit with its QR code."""

from django.http import HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from propdesk.billing.selectors.accounts import house_dues
from propdesk.core.errors import AppError
from propdesk.core.permissions import Perm, has_perm, require
from propdesk.core.views import console_view, form_error, render_page
from propdesk.frontdesk import documents, selectors
from propdesk.frontdesk.forms import (
    AcceptForm,
    DepositRefundForm,
    PatrolForm,
    PermitApplyForm,
    PlanReviewForm,
    ScanForm,
)
from propdesk.frontdesk.models import PermitStatus
from propdesk.frontdesk.services import decoration as services
from propdesk.frontdesk.views._common import form_errors, list_context, list_filters, run
from propdesk.frontdesk.views.houses import house_from_request
from propdesk.frontdesk.views.move_ins import _people


@console_view
def permit_list(request):
    require(request.user, Perm.FRONTDESK_VIEW)
    rows = selectors.permit_list(request.user, **list_filters(request))
    context = list_context(request, rows, PermitStatus.choices)
    return render_page(request, "frontdesk/pages/permit_list.html", None, context)


@console_view
def permit_new(request):
    require(request.user, Perm.DECORATION_MANAGE)
    house, find = house_from_request(request)
    if house is None:
        context = {**find, "title": _("Apply for decoration")}
        return render_page(request, "frontdesk/pages/find_house.html", None, context)
    owners, agents = _people(house)
    today = timezone.localdate()
    form = PermitApplyForm(
        request.POST or None,
        request.FILES or None,
        owners=owners,
        agents=agents,
        initial={"owner": owners.first(), "starts_on": today, "workers": 1},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            permit = services.permit_apply(
                actor=request.user,
                house=house,
                owner=data["owner"],
                applicant_kind=data["applicant_kind"],
                agent=data["agent"],
                contractor_name=data["contractor_name"],
                contractor_leader=data["contractor_leader"],
                contractor_mobile=data["contractor_mobile"],
                workers=data["workers"],
                scope=data["scope"],
                starts_on=data["starts_on"],
                ends_on=data["ends_on"],
                plan_files=[data["plan"]] if data["plan"] else [],
            )
        except AppError as exc:
            form_error(form, exc)
        else:
            return redirect("frontdesk_permit_detail", permit_id=permit.id)
    status = 400 if form.is_bound and form.errors else 200
    context = {
        "house": house,
        "form": form,
        "rules": selectors.decoration_rules_for(house.community_id),
        "has_owner": owners.exists(),
    }
    return render_page(request, "frontdesk/pages/permit_new.html", None, context, status=status)


@console_view
def permit_detail(request, permit_id: int):
    user = request.user
    permit = selectors.permit_detail(user, permit_id)
    applied = permit.status == PermitStatus.APPLIED
    manage = has_perm(user, Perm.DECORATION_MANAGE)
    context = {
        "permit": permit,
        "dues": house_dues(permit.house),
        "can_manage": manage and applied,
        "can_review": has_perm(user, Perm.DECORATION_APPROVE) and applied,
        "can_patrol": has_perm(user, Perm.DECORATION_PATROL)
        and permit.status == PermitStatus.ISSUED,
        "can_accept": manage and permit.status == PermitStatus.ISSUED,
        "can_refund": manage
        and permit.status in (PermitStatus.COMPLETED, PermitStatus.CANCELLED)
        and permit.deposit_state.status == "paid",
        "can_take_payment": has_perm(user, Perm.PAYMENT_TAKE),
        "refund_form": DepositRefundForm(),
        "review_form": PlanReviewForm(),
        "patrol_form": PatrolForm(),
        "accept_form": AcceptForm(),
        "scan_form": ScanForm(),
    }
    return render_page(request, "frontdesk/pages/permit_detail.html", None, context)


def _back(permit_id: int) -> str:
    return reverse("frontdesk_permit_detail", args=[permit_id])


SIMPLE_ACTIONS = {
    "identity": (services.permit_identity_verify, _("Identity verified.")),
    "agreement": (services.permit_agreement_sign, _("Agreement signed.")),
    "issue": (services.permit_issue, _("The permit is issued.")),
}


@require_POST
@console_view
def permit_action(request, permit_id: int, action: str):
    permit = selectors.permit_for_user(request.user, permit_id)
    if action in SIMPLE_ACTIONS:
        service, message = SIMPLE_ACTIONS[action]
        return run(
            request,
            lambda: service(actor=request.user, permit=permit),
            success=str(message),
            back=_back(permit_id),
        )
    if action in ("approve", "reject"):
        form = PlanReviewForm(request.POST)
        form.is_valid()
        return run(
            request,
            lambda: services.permit_plan_review(
                actor=request.user,
                permit=permit,
                approve=action == "approve",
                note=form.cleaned_data.get("note", ""),
            ),
            success=_("Plan approved.") if action == "approve" else _("Plan rejected."),
            back=_back(permit_id),
        )
    if action == "patrol":
        form = PatrolForm(request.POST)
        form.is_valid()
        return run(
            request,
            lambda: services.permit_patrol_record(
                actor=request.user,
                permit=permit,
                found_issue=form.cleaned_data.get("found_issue", False),
                findings=form.cleaned_data.get("findings", ""),
            ),
            success=_("Patrol recorded."),
            back=_back(permit_id),
        )
    if action == "accept":
        form = AcceptForm(request.POST)
        form.is_valid()
        return run(
            request,
            lambda: services.permit_accept(
                actor=request.user, permit=permit, note=form.cleaned_data.get("note", "")
            ),
            success=_("The works are accepted."),
            back=_back(permit_id),
        )
    if action == "refund":
        form = DepositRefundForm(request.POST)
        form.is_valid()
        return run(
            request,
            lambda: services.permit_deposit_refund(
                actor=request.user,
                permit=permit,
                method=form.cleaned_data.get("method", ""),
                reason=form.cleaned_data.get("reason", ""),
            ),
            success=_("The refund is asked for: a supervisor approves it in the fee corrections."),
            back=_back(permit_id),
        )
    if action == "cancel":
        return run(
            request,
            lambda: services.permit_cancel(
                actor=request.user, permit=permit, reason=request.POST.get("reason", "")
            ),
            success=_("The application is cancelled."),
            back=_back(permit_id),
        )
    if action == "plan":
        form = ScanForm(request.POST, request.FILES)
        if not form.is_valid():
            form_errors(request, form)
            return redirect(_back(permit_id))
        return run(
            request,
            lambda: services.permit_plan_add(
                actor=request.user, permit=permit, uploaded=form.cleaned_data["file"]
            ),
            success=_("The plan is filed."),
            back=_back(permit_id),
        )
    from django.http import Http404

    raise Http404


@console_view
def permit_pdf(request, permit_id: int):
    permit = selectors.permit_detail(request.user, permit_id)
    url = request.build_absolute_uri(_back(permit.id))
    response = HttpResponse(
        documents.permit_pdf(permit, check_url=url), content_type="application/pdf"
    )
    response["Content-Disposition"] = f'attachment; filename="permit-{permit.number}.pdf"'
    return response
