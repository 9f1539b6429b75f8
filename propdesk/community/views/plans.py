"""Console pages of the emergency plans (/community/plans/) and the duty roster
(/community/duty/)."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from propdesk.accounts.models import Department, User
from propdesk.community import selectors
from propdesk.community.forms import DutyShiftForm
from propdesk.community.models import DutyShift, IncidentKind
from propdesk.community.services import incidents as incident_service
from propdesk.community.services import plans as service
from propdesk.core.errors import AppError, NotFound
from propdesk.core.permissions import (
    Perm,
    communities_for,
    get_scoped,
    has_perm,
    require,
    staff_q,
)
from propdesk.core.views import console_view, form_error, render_page
from propdesk.estates.models import Community
from propdesk.estates.selectors import community_for_user

BLANK_ROWS = 3


def _community(user, community_id, perm: Perm) -> Community:
    """The community chosen in the query string, or the user's first."""
    if community_id:
        return community_for_user(user, community_id, perm)
    require(user, perm)
    first = communities_for(user, perm).first()
    if first is None:
        raise NotFound()
    return first


@console_view
def plan_edit(request):
    user = request.user
    community = _community(user, request.GET.get("community"), Perm.INCIDENT_VIEW)
    kind = request.GET.get("kind") or IncidentKind.FIRE
    if kind not in IncidentKind.values:
        raise NotFound()
    can_edit = has_perm(user, Perm.INCIDENT_PLANS)
    error = None
    if request.method == "POST":
        require(user, Perm.INCIDENT_PLANS, community.id)
        if request.POST.get("reset"):
            service.plan_reset(actor=user, community=community, kind=kind)
            messages.success(request, _("The plan is back to the company default."))
            return redirect(f"{request.path}?community={community.id}&kind={kind}")
        titles = request.POST.getlist("title")[:100]
        departments = request.POST.getlist("department")[:100]
        minutes = request.POST.getlist("due_minutes")[:100]
        steps = [
            {"title": t, "department": d, "due_minutes": m}
            for t, d, m in zip(titles, departments, minutes, strict=False)
            if t.strip()
        ]
        try:
            service.plan_save(actor=user, community=community, kind=kind, steps=steps)
        except AppError as exc:
            error = exc.message
        else:
            messages.success(request, _("Plan saved. New incidents start these steps."))
            return redirect(f"{request.path}?community={community.id}&kind={kind}")
    steps = service.plan_steps(community=community, kind=kind)
    context = {
        "community": community,
        "communities": communities_for(user, Perm.INCIDENT_VIEW),
        "kind": kind,
        "kinds": IncidentKind.choices,
        "steps": steps,
        "blank_rows": range(BLANK_ROWS),
        "departments": Department.objects.order_by("id"),
        "is_default": not steps or steps[0].pk is None,
        "can_edit": can_edit,
        "error": error,
    }
    return render_page(
        request, "community/pages/plan_edit.html", None, context, status=400 if error else 200
    )


@console_view
def duty_roster(request):
    user = request.user
    community = _community(user, request.GET.get("community"), Perm.INCIDENT_VIEW)
    can_edit = has_perm(user, Perm.INCIDENT_PLANS)
    people = list(
        User.objects.filter(staff_q(), communities__id=community.id)
        .select_related("department")
        .order_by("department_id", "username")
    )
    form = DutyShiftForm(request.POST or None, people=people)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        chosen = next((p for p in people if p.id == data["user"]), None)
        try:
            if chosen is None:
                raise NotFound(_("No such staff member in this community."), field="user")
            incident_service.duty_shift_add(
                actor=user,
                community=community,
                user=chosen,
                starts_at=data["starts_at"],
                ends_at=data["ends_at"],
            )
        except AppError as exc:
            form_error(form, exc)
        else:
            messages.success(request, _("Shift added to the roster."))
            return redirect(f"{request.path}?community={community.id}")
    shifts = selectors.duty_shifts(community)
    context = {
        "community": community,
        "communities": communities_for(user, Perm.INCIDENT_VIEW),
        "page": Paginator(shifts, 50).get_page(request.GET.get("page")),
        "form": form if can_edit else None,
        "now": timezone.now(),
    }
    status = 400 if form.is_bound and form.errors else 200
    return render_page(request, "community/pages/duty_roster.html", None, context, status=status)


@require_POST
@console_view
def duty_shift_remove(request, shift_id: int):
    shift = get_scoped(DutyShift.objects.all(), request.user, shift_id, Perm.INCIDENT_PLANS)
    incident_service.duty_shift_remove(actor=request.user, shift=shift)
    messages.success(request, _("Shift removed."))
    return redirect(f"/community/duty/?community={shift.community_id}")
