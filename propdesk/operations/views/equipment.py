"""Console pages of operations: the equipment register, its readings and alerts, alert rules."""

from django.contrib import messages
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from propdesk.core.cleaning import clean_id
from propdesk.core.errors import AppError, NotFound
from propdesk.core.permissions import Perm, community_ids, has_perm, require
from propdesk.core.views import console_view, form_error, form_page, paginate, render_page
from propdesk.estates.models import Building, Community
from propdesk.operations import forms, selectors, services
from propdesk.operations.models import EquipmentKind, EquipmentStatus, Metric

PAGE_SIZE = 30


def _community_filter(request, user):
    try:
        chosen = clean_id("community", request.GET.get("community"))
    except AppError:
        chosen = None
    return chosen if chosen in community_ids(user) else None


@console_view
def equipment_list(request):
    user = request.user
    require(user, Perm.OPERATIONS_VIEW)
    filters = {
        "q": request.GET.get("q", "").replace("\x00", "").strip()[:60],
        "kind": request.GET.get("kind") if request.GET.get("kind") in EquipmentKind else "",
        "status": request.GET.get("status") if request.GET.get("status") in EquipmentStatus else "",
        "community_id": _community_filter(request, user),
    }
    rows = selectors.equipment_list(user, **filters)
    page = paginate(request, rows, PAGE_SIZE)
    context = {
        "page": page,
        "filters": filters,
        "kinds": EquipmentKind.choices,
        "statuses": EquipmentStatus.choices,
        "communities": Community.objects.filter(id__in=community_ids(user)).order_by("code"),
        "open_alerts": selectors.alert_list(user, community_id=filters["community_id"])[:10],
        "can_manage": has_perm(user, Perm.EQUIPMENT_MANAGE),
        "can_configure": has_perm(user, Perm.OPERATIONS_CONFIGURE),
    }
    return render_page(request, "operations/equipment_list.html", None, context)


def _buildings(user):
    return (
        Building.objects.filter(community_id__in=community_ids(user))
        .select_related("community")
        .order_by("community__code", "name")
    )


@console_view
def equipment_new(request):
    user = request.user
    require(user, Perm.EQUIPMENT_MANAGE)
    form = forms.EquipmentForm(request.POST or None, buildings=_buildings(user))

    def save(data):
        building = data["building"]
        return services.equipment_register(
            actor=user,
            community=building.community,
            **{k: v for k, v in data.items()},
        )

    return form_page(
        request,
        form=form,
        title=_("Register equipment"),
        save=save,
        success_url=lambda equipment: reverse("operations_equipment", args=[equipment.id]),
        cancel_url=reverse("operations_home"),
        success_message=_("Equipment registered."),
    )


@console_view
def equipment_edit(request, equipment_id: int):
    user = request.user
    equipment = selectors.equipment_get(user, equipment_id)
    require(user, Perm.EQUIPMENT_MANAGE, equipment.community_id)
    initial = {
        field: getattr(equipment, field)
        for field in (
            "building",
            "name",
            "kind",
            "location",
            "model_name",
            "installer",
            "contractor",
            "warranty_end",
        )
    }
    form = forms.EquipmentForm(
        request.POST or None,
        initial=initial,
        buildings=_buildings(user).filter(community_id=equipment.community_id),
        editing=True,
    )

    def save(data):
        return services.equipment_update(actor=user, equipment=equipment, **data)

    url = reverse("operations_equipment", args=[equipment.id])
    return form_page(
        request,
        form=form,
        title=_("Edit %(name)s") % {"name": equipment.name},
        save=save,
        success_url=url,
        cancel_url=url,
        success_message=_("Saved."),
    )


@console_view
def equipment_detail(request, equipment_id: int):
    user = request.user
    equipment = selectors.equipment_get(user, equipment_id)
    metric = request.GET.get("metric")
    latest = selectors.latest_readings(equipment)
    if metric not in Metric.values:
        metric = latest[0].metric if latest else ""
    from propdesk.core.models import AuditEvent

    context = {
        "equipment": equipment,
        "latest": latest,
        "metric": metric,
        "metric_label": Metric(metric).label if metric else "",
        "recent": selectors.recent_readings(equipment, metric=metric, limit=50) if metric else [],
        "alerts": equipment.alerts.select_related("request", "rule").order_by("-opened_at")[:20],
        "links": selectors.equipment_requests(equipment)[:50],
        "figures": selectors.fault_figures(equipment),
        "maintenance": selectors.maintenance_history(equipment)[:20],
        "history": AuditEvent.objects.filter(
            object_type="equipment", object_id=str(equipment.pk)
        ).order_by("-id")[:30],
        "status_form": forms.StatusForm(initial={"status": equipment.status}),
        "link_form": forms.LinkForm(),
        "can_manage": has_perm(user, Perm.EQUIPMENT_MANAGE),
        "can_see_requests": has_perm(user, Perm.REQUEST_VIEW),
    }
    return render_page(request, "operations/equipment_detail.html", None, context)


@console_view
@require_POST
def equipment_status(request, equipment_id: int):
    user = request.user
    equipment = selectors.equipment_get(user, equipment_id)
    form = forms.StatusForm(request.POST)
    if form.is_valid():
        try:
            services.status_record(actor=user, equipment=equipment, **form.cleaned_data)
        except AppError as exc:
            messages.error(request, str(exc.message))
        else:
            messages.success(request, _("Status recorded."))
    else:
        messages.error(request, _("Choose one of the listed values."))
    return redirect("operations_equipment", equipment.id)


@console_view
@require_POST
def equipment_link(request, equipment_id: int):
    user = request.user
    equipment = selectors.equipment_get(user, equipment_id)
    form = forms.LinkForm(request.POST)
    if form.is_valid():
        try:
            services.request_link(actor=user, equipment=equipment, **form.cleaned_data)
        except AppError as exc:
            messages.error(request, str(exc.message))
        else:
            messages.success(request, _("The request now names this equipment."))
    else:
        messages.error(request, _("Enter the request number."))
    return redirect("operations_equipment", equipment.id)


@console_view
def alert_list(request):
    user = request.user
    require(user, Perm.OPERATIONS_VIEW)
    open_only = request.GET.get("all") != "1"
    rows = selectors.alert_list(
        user, open_only=open_only, community_id=_community_filter(request, user)
    )
    page = paginate(request, rows, PAGE_SIZE)
    return render_page(
        request,
        "operations/alert_list.html",
        None,
        {
            "page": page,
            "open_only": open_only,
            "can_see_requests": has_perm(user, Perm.REQUEST_VIEW),
        },
    )


@console_view
def rule_list(request):
    user = request.user
    require(user, Perm.OPERATIONS_CONFIGURE)
    ids = community_ids(user)
    chosen = _community_filter(request, user) or (ids[0] if ids else None)
    if chosen is None:
        raise NotFound()
    community = Community.objects.get(pk=chosen)
    from propdesk.tickets.models import Category

    categories = [(c.code, str(c)) for c in Category.objects.order_by("id")]
    form = forms.RuleForm(request.POST or None, categories=categories)
    if request.method == "POST" and form.is_valid():
        try:
            services.rule_set(actor=user, community=community, **form.cleaned_data)
        except AppError as exc:
            form_error(form, exc)
        else:
            messages.success(request, _("Rule saved for %(community)s.") % {"community": community})
            return redirect(f"{reverse('operations_rules')}?community={community.id}")
    context = {
        "community": community,
        "communities": Community.objects.filter(id__in=ids).order_by("code"),
        "rules": selectors.rules_for(user, community),
        "form": form,
    }
    status = 400 if form.is_bound and form.errors else 200
    return render_page(request, "operations/rule_list.html", None, context, status=status)
