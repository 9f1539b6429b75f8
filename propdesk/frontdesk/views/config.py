"""Per-community configuration of the procedures (FRONTDESK_CONFIGURE): the decoration rules and
the inspection checklist."""

from django.contrib import messages
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from propdesk.core.errors import AppError, NotFound
from propdesk.core.permissions import Perm, require
from propdesk.core.views import console_view, form_error, render_page
from propdesk.estates.selectors import communities_visible_to, community_for_user
from propdesk.frontdesk import selectors
from propdesk.frontdesk.forms import InspectionItemForm, RulesForm
from propdesk.frontdesk.models import InspectionItem
from propdesk.frontdesk.services import configure
from propdesk.frontdesk.views._common import run


def _categories():
    from propdesk.tickets.models import Category

    return [
        (c.code, str(c)) for c in Category.objects.filter(is_active=True).order_by("sort_order")
    ]


def _community(request):
    require(request.user, Perm.FRONTDESK_CONFIGURE)
    community_id = request.GET.get("community") or request.POST.get("community")
    if community_id:
        return community_for_user(request.user, community_id, Perm.FRONTDESK_CONFIGURE)
    community = communities_visible_to(request.user).first()
    if community is None:
        raise NotFound()
    return community


def _url(community) -> str:
    return reverse("frontdesk_config") + f"?community={community.id}"


@console_view
def config_page(request):
    community = _community(request)
    rules = selectors.decoration_rules_for(community.id)
    rules_form = RulesForm(
        request.POST or None,
        initial={
            "work_start": rules.work_start,
            "break_start": rules.break_start,
            "break_end": rules.break_end,
            "work_end": rules.work_end,
            "quiet_on_rest_days": rules.quiet_on_rest_days,
            "prohibitions": rules.prohibitions,
            "deposit_required": rules.deposit_required,
            "deposit": rules.deposit,
            "max_days": rules.max_days,
        },
    )
    if request.method == "POST" and rules_form.is_valid():
        data = dict(rules_form.cleaned_data)
        data["deposit"] = str(data["deposit"])
        try:
            configure.decoration_rules_update(actor=request.user, community=community, **data)
        except AppError as exc:
            form_error(rules_form, exc)
        else:
            messages.success(request, _("The decoration rules are saved."))
            return redirect(_url(community))
    categories = _categories()
    names = dict(categories)
    items = selectors.inspection_items_for(community.id, include_inactive=True)
    for item in items:
        item.category_label = names.get(item.category_code, item.category_code)
    context = {
        "community": community,
        "communities": communities_visible_to(request.user),
        "rules_form": rules_form,
        "items": items,
        "item_form": InspectionItemForm(categories=categories),
    }
    status = 400 if rules_form.is_bound and rules_form.errors else 200
    return render_page(request, "frontdesk/pages/config.html", None, context, status=status)


@require_POST
@console_view
def config_item_add(request):
    community = _community(request)
    form = InspectionItemForm(request.POST, categories=_categories())
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return redirect(_url(community))
    return run(
        request,
        lambda: configure.inspection_item_add(
            actor=request.user, community=community, **form.cleaned_data
        ),
        success=_("Item added."),
        back=_url(community),
    )


@require_POST
@console_view
def config_item_toggle(request, item_id: int):
    community = _community(request)
    item = InspectionItem.objects.filter(pk=item_id).first()
    if item is None or item.community_id not in (None, community.id):
        raise NotFound()
    return run(
        request,
        lambda: configure.inspection_item_update(
            actor=request.user, community=community, item=item, active=not item.active
        ),
        success=_("Checklist updated."),
        back=_url(community),
    )
