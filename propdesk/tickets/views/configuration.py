"""Configuration pages of service requests, for supervisors and administrators: request kinds,
urgencies and categories (administrators change them; supervisors read them), routing rules and
the working calendar (each for their communities; administrators also the company's defaults).

Every change goes through `tickets.services.taxonomy` and lands in the history shown on each
edit page; deactivating and deleting ask for confirmation first.
"""

import datetime

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from propdesk.accounts.models import Department
from propdesk.core.errors import Conflict, NotFound
from propdesk.core.permissions import Perm, communities_for, is_company_wide, require
from propdesk.core.views import console_view, form_page, paginate
from propdesk.tickets import selectors
from propdesk.tickets.forms import (
    CalendarOverrideForm,
    RoutingRuleForm,
    TaxonomyForm,
    WorkingHoursForm,
)
from propdesk.tickets.services import taxonomy


def _titles() -> dict:
    return {"kind": _("Request kinds"), "urgency": _("Urgencies"), "category": _("Categories")}


def _model(kind: str):
    model = taxonomy.TAXONOMY.get(kind)
    if model is None:
        raise NotFound()
    return model


def _history(request, row) -> list:
    """The row's changes, newest first, with field names and yes/no in words."""

    def label(name):
        try:
            return str(type(row)._meta.get_field(name).verbose_name)
        except Exception:  # a field the model no longer has
            return name

    def words(value):
        if value is None or value == "":
            return "—"
        if isinstance(value, bool):
            return _("yes") if value else _("no")
        return str(value)

    return [
        {
            "at": event.at,
            "actor": event.actor,
            "changes": [
                (label(name), words(pair[0]), words(pair[1]))
                for name, pair in (event.changes or {}).items()
            ],
        }
        for event in taxonomy.configuration_history(actor=request.user, row=row)
    ]


def _config_form(request, *, form, title: str, save, row, list_url: str):
    """The configuration rows' edit page: the form, its service, then back to the list; the
    row's history below the form."""
    return form_page(
        request,
        form=form,
        title=title,
        save=save,
        success_url=list_url,
        cancel_url=list_url,
        success_message=_("Saved."),
        template="tickets/pages/config_form.html",
        extra={"history": _history(request, row) if row else [], "row": row},
    )


@console_view
def configuration_home(request):
    require(request.user, Perm.REQUEST_CONFIGURE)
    return render(
        request,
        "tickets/pages/config_home.html",
        {"titles": _titles(), "company_wide": is_company_wide(request.user)},
    )


# --- kinds, urgencies, categories -------------------------------------------------------------


@console_view
def taxonomy_list(request, kind: str):
    model = _model(kind)
    q = request.GET.get("q", "")[:60]
    rows = list(selectors.taxonomy_rows(request.user, model, q=q)[:500])
    departments = dict(Department.objects.values_list("code", "name"))
    for row in rows:
        row.department_name = departments.get(getattr(row, "department_code", ""), "")
    return render(
        request,
        "tickets/pages/config_taxonomy.html",
        {
            "kind": kind,
            "title": _titles()[kind],
            "titles": _titles(),
            "rows": rows,
            "q": q,
            "can_change": is_company_wide(request.user),
        },
    )


@console_view
def taxonomy_edit(request, kind: str, row_id: int | None = None):
    model = _model(kind)
    row = selectors.taxonomy_row(request.user, model, row_id) if row_id else None
    if row is None:
        taxonomy.require_configure(request.user, None)
    initial = {}
    if row is not None:
        initial = {name: getattr(row, name, None) for name in TaxonomyForm.base_fields}
    form = TaxonomyForm(request.POST or None, kind=kind, editing=row is not None, initial=initial)

    def save(data):
        if row is None:
            return taxonomy.taxonomy_create(
                actor=request.user, kind=kind, code=data["code"], **form.values()
            )
        return taxonomy.taxonomy_update(actor=request.user, row=row, **form.values())

    list_url = reverse("request_config_taxonomy", args=[kind])
    return _config_form(
        request,
        form=form,
        title=(
            _("Change %(name)s") % {"name": row.name}
            if row
            else _("Add to %(list)s") % {"list": _titles()[kind]}
        ),
        save=save,
        row=row,
        list_url=list_url,
    )


@require_POST
@console_view
def taxonomy_toggle(request, kind: str, row_id: int):
    row = selectors.taxonomy_row(request.user, _model(kind), row_id)
    try:
        taxonomy.taxonomy_update(actor=request.user, row=row, is_active=not row.is_active)
    except Conflict as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(
            request,
            _("%(name)s is in use again.") % {"name": row.name}
            if not row.is_active
            else _("%(name)s is no longer offered.") % {"name": row.name},
        )
    return redirect("request_config_taxonomy", kind=kind)


# --- routing rules ----------------------------------------------------------------------------


def _community_filter(request) -> int | None:
    raw = request.GET.get("community", "")
    return int(raw) if raw.isdigit() and len(raw) < 12 else None


@console_view
def routing_list(request):
    community_id = _community_filter(request)
    q = request.GET.get("q", "")[:60]
    rules = selectors.routing_rules_for(request.user, community_id=community_id, q=q)
    return render(
        request,
        "tickets/pages/config_routing.html",
        {
            "page": paginate(request, rules, 50),
            "q": q,
            "community_id": community_id,
            "communities": communities_for(request.user, Perm.REQUEST_CONFIGURE),
            "titles": _titles(),
        },
    )


@console_view
def routing_edit(request, rule_id: int | None = None):
    rule = selectors.routing_rule_for(request.user, rule_id) if rule_id else None
    if rule is None:
        require(request.user, Perm.REQUEST_CONFIGURE)
    initial = {"department": rule.department, "is_lead": rule.is_lead} if rule else {}
    form = RoutingRuleForm(
        request.POST or None, actor=request.user, editing=rule is not None, initial=initial
    )

    def save(data):
        if rule is None:
            return taxonomy.routing_rule_create(
                actor=request.user,
                community=data["community"],
                category=data["category"],
                department=data["department"],
                is_lead=data["is_lead"],
            )
        return taxonomy.routing_rule_update(
            actor=request.user, rule=rule, department=data["department"], is_lead=data["is_lead"]
        )

    list_url = reverse("request_config_routing")
    title = _("New routing rule")
    if rule is not None:
        title = _("Routing of %(category)s in %(community)s") % {
            "category": rule.category.name,
            "community": rule.community.name if rule.community_id else _("every community"),
        }
    return _config_form(
        request,
        form=form,
        title=title,
        save=save,
        row=rule,
        list_url=list_url,
    )


@require_POST
@console_view
def routing_delete(request, rule_id: int):
    rule = selectors.routing_rule_for(request.user, rule_id)
    taxonomy.routing_rule_delete(actor=request.user, rule=rule)
    messages.success(request, _("The routing rule is removed."))
    return redirect("request_config_routing")


# --- the working calendar ---------------------------------------------------------------------


@console_view
def calendar_page(request):
    user = request.user
    communities = list(communities_for(user, Perm.REQUEST_CONFIGURE))
    hours = {row.community_id: row for row in selectors.working_hours_for(user)}
    names = {c.pk: c.name for c in communities}
    since = timezone.localdate() - datetime.timedelta(days=31)
    page = paginate(request, selectors.calendar_overrides_for(user, since=since), 50)
    for row in page.object_list:
        row.community_name = names.get(row.community_id, "")
    return render(
        request,
        "tickets/pages/config_calendar.html",
        {
            "company_hours": hours.get(None),
            "community_hours": [(c, hours.get(c.pk)) for c in communities],
            "page": page,
            "company_wide": is_company_wide(user),
            "titles": _titles(),
        },
    )


@console_view
def working_hours_edit(request, community_id: int = 0):
    community = None
    if community_id:
        community = communities_for(request.user, Perm.REQUEST_CONFIGURE).filter(pk=community_id)
        community = community.first()
        if community is None:
            raise NotFound()
    taxonomy.require_configure(request.user, community.pk if community else None)
    current = selectors.working_hours_for(request.user).filter(
        community_id=community.pk if community else None
    )
    row = current.first()
    initial = {"opens_at": row.opens_at, "closes_at": row.closes_at} if row else {}
    form = WorkingHoursForm(request.POST or None, initial=initial)
    list_url = reverse("request_config_calendar")
    return _config_form(
        request,
        form=form,
        title=_("Working hours of %(name)s")
        % {"name": community.name if community else _("every community")},
        save=lambda data: taxonomy.working_hours_set(
            actor=request.user,
            community=community,
            opens_at=data["opens_at"],
            closes_at=data["closes_at"],
        ),
        row=row,
        list_url=list_url,
    )


@console_view
def override_edit(request, override_id: int | None = None):
    row = selectors.calendar_override_for(request.user, override_id) if override_id else None
    if row is None:
        require(request.user, Perm.REQUEST_CONFIGURE)
    initial = {}
    if row is not None:
        initial = {
            "date": row.date,
            "is_working": row.is_working,
            "opens_at": row.opens_at,
            "closes_at": row.closes_at,
            "note": row.note,
        }
    form = CalendarOverrideForm(
        request.POST or None, actor=request.user, editing=row is not None, initial=initial
    )

    def save(data):
        values = {
            "date": data["date"],
            "is_working": data["is_working"],
            "opens_at": data["opens_at"],
            "closes_at": data["closes_at"],
            "note": data["note"],
        }
        if row is None:
            return taxonomy.calendar_override_create(
                actor=request.user, community=data["community"], **values
            )
        return taxonomy.calendar_override_update(actor=request.user, override=row, **values)

    list_url = reverse("request_config_calendar")
    return _config_form(
        request,
        form=form,
        title=_("Change the exception of %(date)s") % {"date": row.date.isoformat()}
        if row
        else _("New calendar exception"),
        save=save,
        row=row,
        list_url=list_url,
    )


@require_POST
@console_view
def override_delete(request, override_id: int):
    row = selectors.calendar_override_for(request.user, override_id)
    taxonomy.calendar_override_delete(actor=request.user, override=row)
    messages.success(request, _("The calendar exception is removed."))
    return redirect("request_config_calendar")
