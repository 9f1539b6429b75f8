"""Console pages of special-care residents (/community/care/)."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from propdesk.community import selectors
from propdesk.community.forms import CareResidentForm, CareVisitForm
from propdesk.community.models import CareCall, CareCategory, CareResident
from propdesk.community.services import care as service
from propdesk.core.errors import AppError, ValidationFailed
from propdesk.core.masking import mask_mobile
from propdesk.core.permissions import Perm, community_ids, get_scoped, has_perm, require, scope
from propdesk.core.views import console_view, form_error, form_page, render_page
from propdesk.estates.models import Community, House
from propdesk.tickets import configuration


def _resident(user, resident_id) -> CareResident:
    return selectors.care_resident_for_user(user, resident_id)


@console_view
def care_list(request):
    user = request.user
    require(user, Perm.CARE_VIEW)
    today = timezone.localdate()
    q = request.GET.get("q", "").strip()[:40]
    overdue = request.GET.get("overdue") == "1"
    residents = selectors.care_list(user, q=q, overdue=overdue)
    page = Paginator(residents, 25).get_page(request.GET.get("page"))
    for r in page:
        r.mobile_masked = mask_mobile(r.mobile)
    calls = selectors.care_calls_open(user)[:50]
    context = {
        "page": page,
        "q": q,
        "overdue": overdue,
        "today": today,
        "overdue_count": scope(CareResident.objects.all(), user, Perm.CARE_VIEW)
        .filter(active=True, next_visit_on__lt=today)
        .count(),
        "calls": calls,
        "can_manage": has_perm(user, Perm.CARE_MANAGE),
    }
    return render_page(request, "community/pages/care_list.html", None, context)


@console_view
def care_new(request):
    user = request.user
    require(user, Perm.CARE_MANAGE)
    communities = list(Community.objects.filter(id__in=community_ids(user)).order_by("code"))
    form = CareResidentForm(request.POST or None, communities=communities)

    def save(data):
        house = House.objects.filter(
            community_id=data["community"], code=data["house_code"].strip()
        ).first()
        if house is None:
            raise ValidationFailed(_("No such house in this community."), field="house_code")
        details = {k: v for k, v in data.items() if k not in ("community", "house_code")}
        return service.care_resident_add(actor=user, house=house, **details)

    return form_page(
        request,
        form=form,
        title=_("Add a special-care resident"),
        save=save,
        success_url=lambda resident: reverse("community_care_detail", args=[resident.id]),
        cancel_url=reverse("community_care"),
        success_message=_("On the care list; the first visit is due today."),
    )


@console_view
def care_detail(request, resident_id: int):
    user = request.user
    resident = _resident(user, resident_id)
    categories = [(c.code, c.label) for c in configuration.active_categories()]
    form = CareVisitForm(
        request.POST or None,
        categories=categories,
        initial={"visited_on": timezone.localdate()},
    )
    if request.method == "POST":
        require(user, Perm.CARE_MANAGE, resident.community_id)
        if form.is_valid():
            data = form.cleaned_data
            try:
                visit = service.care_visit_record(
                    actor=user,
                    resident=resident,
                    visited_on=data["visited_on"],
                    findings=data["findings"],
                    help_given=data["help_given"],
                    need=data["need"],
                    need_category=data["need_category"] or "service",
                )
            except AppError as exc:
                form_error(form, exc)
            else:
                text = _("Visit recorded.")
                if visit.request_id:
                    text += " " + _("Help request %(number)s recorded.") % {
                        "number": visit.request.number
                    }
                messages.success(request, text)
                return redirect("community_care_detail", resident_id=resident.id)
    context = {
        "resident": resident,
        "mobile_masked": mask_mobile(resident.mobile),
        "emergency_masked": mask_mobile(resident.emergency_mobile),
        "visits": resident.visits.select_related("visited_by", "request")[:50],
        "calls": resident.calls.select_related("done_by")[:20],
        "form": form if has_perm(user, Perm.CARE_MANAGE) else None,
        "can_reveal": has_perm(user, Perm.REVEAL_HEALTH),
        "categories": CareCategory,
        "today": timezone.localdate(),
    }
    status = 400 if form.is_bound and form.errors else 200
    return render_page(request, "community/pages/care_detail.html", None, context, status=status)


@require_POST
@console_view
def care_reveal(request, resident_id: int):
    resident = _resident(request.user, resident_id)
    try:
        value = service.care_health_reveal(
            actor=request.user, resident=resident, reason=request.POST.get("reason", "")
        )
    except AppError as exc:
        return render(
            request, "community/partials/revealed.html", {"error": exc.message}, status=exc.status
        )
    return render(request, "community/partials/revealed.html", {"value": value})


@require_POST
@console_view
def care_call_done(request, call_id: int):
    call = get_scoped(CareCall.objects.all(), request.user, call_id, Perm.CARE_MANAGE)
    try:
        service.care_call_done(
            actor=request.user, call=call, outcome=request.POST.get("outcome", "")
        )
    except AppError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(request, _("Call recorded."))
    if request.POST.get("next") == "detail":
        return redirect("community_care_detail", resident_id=call.resident_id)
    if request.POST.get("next") == "warnings":
        return redirect("community_warnings")
    return redirect("community_care")
