"""Console and portal pieces of the assistant: the suggestion panel (htmx) and the accuracy page.

The panel is posted the description as the writer types (debounced by htmx, 600 ms) and
answers a small piece of HTML; the page script `assistant/triage.js` applies a suggestion to the
form when the agent accepts it, and on the portal pre-selects the category and ticks the
emergency box (which brings the hotline up; the request then starts on the emergency clock).
"""

import datetime

from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from propdesk.assistant import reports, services
from propdesk.core.errors import ValidationFailed
from propdesk.core.permissions import Perm, community_ids, has_perm, is_owner_account, require
from propdesk.core.views import console_view


def _labels():
    from propdesk.accounts.models import Department
    from propdesk.tickets import configuration

    return {
        "categories": {c.code: c.label for c in configuration.active_categories()},
        "kinds": {k.code: k.label for k in configuration.active_kinds()},
        "urgencies": {u.code: u.label for u in configuration.active_urgencies()},
        "departments": dict(Department.objects.values_list("code", "name")),
    }


def _community_of_house(user, house_id) -> int | None:
    from propdesk.estates.models import House

    try:
        pk = int(house_id)
    except (TypeError, ValueError):
        return None
    allowed = community_ids(user)
    return (
        House.objects.filter(pk=pk, community_id__in=allowed)
        .values_list("community_id", flat=True)
        .first()
    )


@require_POST
def suggest(request):
    """The suggestion panel for the text of a form (console intake or portal report form)."""
    user = request.user
    if not user.is_authenticated:
        return HttpResponse(status=401)
    portal = is_owner_account(user)
    if not portal and not has_perm(user, Perm.REQUEST_CREATE):
        return HttpResponse(status=403)
    text = request.POST.get("description", "")
    context = {"portal": portal, "suggestion": None, "problem": ""}
    try:
        cleaned = services.clean_message(text, field="description")
    except ValidationFailed as exc:
        context["problem"] = exc.code
        return render(request, "assistant/partials/suggestion.html", context)
    community_id = None
    if not portal:
        community_id = _community_of_house(user, request.POST.get("house"))
        if community_id is None and len(community_ids(user)) == 1:
            community_id = community_ids(user)[0]
    suggestion = services.suggest(cleaned, community_id=community_id)
    if not portal:
        from propdesk.assistant import faq
        from propdesk.estates.models import Community

        community = Community.objects.filter(pk=community_id).first() if community_id else None
        answer = faq.best(cleaned, community=community)
        context["faq_answer"] = answer if answer and answer.confident else None
    labels = _labels()
    context.update(
        {
            "suggestion": suggestion,
            "category_label": labels["categories"].get(suggestion.category, suggestion.category),
            "kind_label": labels["kinds"].get(suggestion.kind, suggestion.kind),
            "urgency_label": labels["urgencies"].get(suggestion.urgency, suggestion.urgency),
            "department_label": labels["departments"].get(
                suggestion.department, suggestion.department
            ),
            "category_percent": round(suggestion.confidence["category"] * 100),
        }
    )
    return render(request, "assistant/partials/suggestion.html", context)


@console_view
def accuracy(request):
    """Suggestion against final category, kind and urgency, per month and community."""
    require(request.user, Perm.REQUEST_REPORTS)
    today = timezone.localdate()
    try:
        months = max(1, min(24, int(request.GET.get("months", 12))))
    except ValueError:
        months = 12
    since = (today.replace(day=1) - datetime.timedelta(days=31 * (months - 1))).replace(day=1)
    categories = _labels()["categories"]
    confusions = reports.top_overrides(request.user, since=since)
    for row in confusions:
        for key in ("suggested", "final"):
            code = row[f"{key}_category"]
            row[f"{key}_label"] = categories.get(code, code)
    context = {
        "rows": reports.accuracy_by_month(request.user, since=since),
        "confusions": confusions,
        "months": months,
        "since": since,
    }
    return render(request, "assistant/accuracy.html", context)


def _outreach_community(request, raw):
    from propdesk.core.permissions import communities_for

    choices = list(communities_for(request.user, Perm.MAINTENANCE_OUTREACH))
    if not choices:
        require(request.user, Perm.MAINTENANCE_OUTREACH)
    if raw in (None, ""):
        return choices[0], choices
    try:
        pk = int(raw)
    except (TypeError, ValueError):
        pk = None
    for community in choices:
        if community.pk == pk:
            return community, choices
    from propdesk.core.errors import NotFound

    raise NotFound(_("No such community in yours."), field="community")


@console_view
def maintenance(request):
    """The maintenance outreach list: places likely to need the same repair soon, to call."""
    from propdesk.assistant import outreach
    from propdesk.assistant.models import MaintenanceOutreach, OutreachOutcome

    community, choices = _outreach_community(request, request.GET.get("community"))
    rows = outreach.outreach_list(actor=request.user, community=community)
    recent = (
        MaintenanceOutreach.objects.filter(community=community)
        .select_related("category", "house", "building", "called_by", "request")
        .order_by("-called_at", "-id")[:20]
    )
    context = {
        "community": community,
        "communities": choices,
        "rows": rows,
        "recent": recent,
        "outcomes": OutreachOutcome.choices,
        "booked": OutreachOutcome.BOOKED,
        "quiet_days": outreach.OUTREACH_QUIET_DAYS,
    }
    return render(request, "assistant/maintenance.html", context)


@require_POST
@console_view
def maintenance_call(request):
    """Record a call made from the list (a booked visit files the repair request)."""
    from django.contrib import messages
    from django.shortcuts import redirect
    from django.urls import reverse

    from propdesk.assistant import outreach
    from propdesk.core.cleaning import clean_id

    community, _choices = _outreach_community(request, request.POST.get("community"))
    back = f"{reverse('assistant_maintenance')}?community={community.pk}"
    try:
        house_id = clean_id("house", request.POST.get("house"))
        building_id = clean_id("building", request.POST.get("building"))
        record = outreach.outreach_record(
            actor=request.user,
            community=community,
            category=request.POST.get("category", ""),
            house_id=house_id,
            building_id=building_id,
            outcome=request.POST.get("outcome", ""),
            note=request.POST.get("note", ""),
            visit_at=request.POST.get("visit_at") or None,
        )
    except ValidationFailed as exc:
        messages.error(request, exc.message)
        return redirect(back)
    if record.request_id:
        messages.success(
            request, _("Visit booked: request %(number)s.") % {"number": record.request.number}
        )
    else:
        messages.success(request, _("The call is recorded."))
    return redirect(back)
