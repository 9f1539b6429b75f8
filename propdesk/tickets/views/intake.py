"""Quick intake for a call (DOMAIN.md §2): type a mobile number or house code, the caller's
houses, open requests and 90 days of history appear (htmx); one form records the request, and a
likely duplicate can be linked instead of recorded twice."""

from django.contrib import messages
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from propdesk.core.errors import AppError, NotFound, PermissionDenied
from propdesk.core.permissions import Perm, require
from propdesk.core.views import console_view, form_error, render_page
from propdesk.estates import house_alerts
from propdesk.estates import selectors as estate_selectors
from propdesk.tickets import selectors, services
from propdesk.tickets.forms import IntakeForm, LinkCallForm
from propdesk.tickets.models import Category
from propdesk.tickets.owner_text import when


def _related(fetch, user, pk, field: str, form, **kwargs):
    if not pk:
        return None
    try:
        return fetch(user, pk, **kwargs)
    except NotFound:
        form.add_error(field, _("No such record in your communities."))
        return None


@console_view
def request_intake(request):
    user = request.user
    require(user, Perm.REQUEST_CREATE)
    q = request.GET.get("q", "").strip()[:40]
    form = IntakeForm(request.POST or None, request.FILES or None)
    form.fields["category"].widget.attrs.update(
        {
            "hx-get": reverse("request_duplicates"),
            "hx-include": "#intake-form [name=house], #intake-form [name=category]",
            "hx-target": "#duplicates",
            "hx-trigger": "change",
        }
    )
    selected = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        house = _related(
            estate_selectors.house_for_user,
            user,
            data["house"],
            "house",
            form,
            perm=Perm.REQUEST_CREATE,
        )
        building = _related(
            estate_selectors.building_for_user,
            user,
            data["building"],
            "building",
            form,
            perm=Perm.REQUEST_CREATE,
        )
        owner = _related(
            estate_selectors.owner_for_user, user, data["caller_owner"], "caller_owner", form
        )
        if not form.errors:
            try:
                created = services.request_create(
                    actor=user,
                    house=house,
                    building=building,
                    location=data["location"],
                    caller_owner=owner,
                    caller_name=data["caller_name"],
                    caller_mobile=data["caller_mobile"],
                    kind=data["kind"],
                    category=data["category"],
                    urgency=data["urgency"],
                    channel=data["channel"],
                    description=data["description"],
                    preferred_visit_at=data["preferred_visit_at"],
                    photos=data["photos"],
                )
            except AppError as exc:
                form_error(form, exc)
            else:
                messages.success(
                    request,
                    _("Recorded as %(number)s. Tell the caller: handled by %(due)s.")
                    % {"number": created.number, "due": when(created.promised_at)},
                )
                return redirect("request_detail", request_id=created.pk)
        selected = house
    elif request.method == "GET" and request.GET.get("new_caller") and q:
        # A caller the registry does not know: what the agent searched fills the form.
        digits = q.replace(" ", "").replace("-", "")
        if digits.isdigit():
            form.initial["caller_mobile"] = digits
        elif not any(ch.isdigit() for ch in q):
            form.initial["caller_name"] = q
    elif request.method == "GET" and request.GET.get("house"):
        selected = _related(
            estate_selectors.house_for_user, user, request.GET.get("house"), "house", form
        )
        if selected is not None:
            form.initial["house"] = selected.pk
    context = {
        "form": form,
        "q": q,
        "callers": selectors.caller_lookup(user, q) if q else [],
        "selected_house": selected,
        "new_caller": bool(request.GET.get("new_caller")) and request.method == "GET",
    }
    status = 400 if form.is_bound and form.errors else 200
    return render_page(request, "tickets/pages/intake.html", None, context, status=status)


@console_view
def caller_lookup(request):
    """The caller card (htmx): houses, open requests and 90 days of history."""
    require(request.user, Perm.REQUEST_VIEW)
    q = request.GET.get("q", "").strip()[:40]
    context = {"q": q, "callers": selectors.caller_lookup(request.user, q) if q else []}
    return render_page(
        request,
        "tickets/partials/caller_lookup.html",
        "tickets/partials/caller_lookup.html",
        context,
    )


@console_view
def duplicate_hint(request):
    """Open requests of the chosen house and category: the agent may link the call instead."""
    require(request.user, Perm.REQUEST_VIEW)
    duplicates = []
    try:
        house_id = int(request.GET.get("house") or 0)
    except ValueError:
        house_id = 0
    category = Category.objects.filter(code=request.GET.get("category", "")).first()
    if house_id and category is not None:
        duplicates = selectors.duplicates_for(
            request.user, house_id=house_id, category_id=category.id
        )
    # What other apps flag on the house (an emergency under way there): the call may belong
    # to it instead of becoming a request of its own.
    alerts = []
    if house_id:
        try:
            house = estate_selectors.house_for_user(request.user, house_id)
        except (NotFound, PermissionDenied):
            house = None
        alerts = house_alerts.alerts_for(request.user, house) if house is not None else []
    context = {"duplicates": duplicates, "link_form": LinkCallForm(), "alerts": alerts}
    return render_page(
        request, "tickets/partials/duplicates.html", "tickets/partials/duplicates.html", context
    )


@require_POST
@console_view
def request_link_call(request, request_id: int):
    target = selectors.request_for_user(request.user, request_id)
    form = LinkCallForm(request.POST)
    if form.is_valid():
        try:
            services.request_link_call(
                actor=request.user, request=target, note=form.cleaned_data["note"]
            )
        except AppError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(
                request,
                _("The call was added to %(number)s instead of a new request.")
                % {"number": target.number},
            )
    else:
        messages.error(request, _("Say what the caller said."))
    return redirect("request_detail", request_id=target.pk)
