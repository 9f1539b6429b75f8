"""Maintenance pages: the work orders (overdue first) and plans, a plan's form, and the
phone-sized work order page an engineer completes it on."""

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from propdesk.core.errors import AppError
from propdesk.core.permissions import Perm, community_ids, has_perm, holders_q, require
from propdesk.core.views import console_view, form_error, form_page, paginate, render_page
from propdesk.operations import forms, selectors
from propdesk.operations.models import Equipment, EquipmentStatus, OrderStatus
from propdesk.operations.services import maintenance
from propdesk.operations.views.equipment import PAGE_SIZE, _community_filter


@console_view
def maintenance_home(request):
    user = request.user
    require(user, Perm.OPERATIONS_VIEW)
    community_id = _community_filter(request, user)
    status = request.GET.get("status") if request.GET.get("status") in OrderStatus else "open"
    rows = selectors.work_orders(user, community_id=community_id, status=status)
    context = {
        "page": paginate(request, rows, PAGE_SIZE),
        "status": status,
        "statuses": OrderStatus.choices,
        "plans": selectors.maintenance_plans(user, community_id=community_id)[:100],
        "today": timezone.localdate(),
        "can_manage": has_perm(user, Perm.EQUIPMENT_MANAGE),
    }
    return render_page(request, "operations/maintenance_home.html", None, context)


@console_view
def plan_new(request):
    user = request.user
    require(user, Perm.EQUIPMENT_MANAGE)
    ids = community_ids(user)
    form = forms.MaintenancePlanForm(
        request.POST or None,
        equipment=Equipment.objects.filter(community_id__in=ids)
        .exclude(status=EquipmentStatus.RETIRED)
        .select_related("community")
        .order_by("community__code", "code"),
        engineers=get_user_model()
        .objects.filter(holders_q(Perm.EQUIPMENT_MANAGE), communities__in=ids)
        .distinct()
        .order_by("username"),
    )
    return form_page(
        request,
        form=form,
        title=_("New maintenance plan"),
        save=lambda data: maintenance.plan_create(actor=user, **data),
        success_url=reverse("operations_maintenance"),
        cancel_url=reverse("operations_maintenance"),
        success_message=_("Plan saved: its work orders open ahead of each due day."),
    )


@console_view
def work_order_detail(request, order_id: int):
    user = request.user
    order = selectors.work_order_get(user, order_id)
    can_complete = order.status == OrderStatus.OPEN and has_perm(user, Perm.EQUIPMENT_MANAGE)
    form = forms.CompleteForm(
        request.POST or None, request.FILES or None, items=order.checklist_items()
    )
    if request.method == "POST":
        require(user, Perm.EQUIPMENT_MANAGE, order.community_id)
        if form.is_valid():
            try:
                maintenance.work_order_complete(
                    actor=user,
                    work_order=order,
                    failed=form.failed(),
                    readings=form.readings(),
                    parts=form.cleaned_data["parts"],
                    cost=form.cleaned_data["cost"],
                    notes=form.cleaned_data["notes"],
                    photos=form.cleaned_data["photos"] or [],
                )
            except AppError as exc:
                if exc.field and exc.field.startswith("readings."):
                    form.add_error(f"reading_{exc.field.split('.', 1)[1]}", str(exc.message))
                else:
                    form_error(form, exc)
            else:
                messages.success(request, _("Work order completed."))
                return redirect("operations_work_order", order.id)
    context = {
        "order": order,
        "form": form,
        "can_complete": can_complete,
        "overdue": order.is_overdue(timezone.localdate()),
        "photos": order.photos.all(),
    }
    status = 400 if form.is_bound and form.errors else 200
    return render_page(request, "operations/work_order.html", None, context, status=status)
