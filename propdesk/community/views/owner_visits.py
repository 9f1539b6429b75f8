"""Console pages of regular owner visits (业主走访, /community/owner-visits/): the plan of each
building with the overdue ones, the visits recorded (opinions become suggestion requests) and
the counts per month."""

from django.contrib import messages
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from propdesk.community import selectors
from propdesk.community.forms import OwnerVisitForm, VisitPlanForm
from propdesk.community.models import OwnerVisitPlan
from propdesk.community.services import visits as service
from propdesk.core.errors import AppError, NotFound
from propdesk.core.permissions import Perm, communities_for, has_perm, require, scope
from propdesk.core.views import console_view, form_error, form_page, paginate, render_page
from propdesk.estates.models import Building, House


def chosen_community(request, perm: Perm):
    """The community picked in `?community=` among the user's (404 for another's), or the
    first of theirs; and the list to pick from."""
    communities = list(communities_for(request.user, perm))
    wanted = request.GET.get("community", "")
    if wanted:
        chosen = next((c for c in communities if str(c.id) == wanted), None)
        if chosen is None:
            raise NotFound()
        return chosen, communities
    return (communities[0] if communities else None), communities


def _label(building) -> str:
    return _("Building %(n)s") % {"n": building.number}


@console_view
def plan_list(request):
    user = request.user
    require(user, Perm.ACTIVITY_VIEW)
    community, communities = chosen_community(request, Perm.ACTIVITY_VIEW)
    q = request.GET.get("q", "").strip()[:20]
    show = request.GET.get("show", "")
    show = show if show in ("overdue", "none") else ""
    rows = (
        selectors.visit_plan_buildings(user, community_id=community.id, q=q, show=show)
        if community
        else Building.objects.none()
    )
    page = paginate(request, rows)
    plans = selectors.visit_plans_for(page)
    for building in page:
        building.plan = plans.get(building.id)
        building.label = _label(building)
    overdue = (
        selectors.visit_plans_overdue(user, community_id=community.id).count() if community else 0
    )
    context = {
        "page": page,
        "community": community,
        "communities": communities,
        "q": q,
        "show": show,
        "overdue_count": overdue,
        "today": timezone.localdate(),
        "can_manage": has_perm(user, Perm.ACTIVITY_MANAGE),
    }
    return render_page(request, "community/pages/owner_visit_plans.html", None, context)


@console_view
def plan_edit(request, community_id: int):
    """Plan a building's visits or change how often (`?building=` preselects one)."""
    user = request.user
    require(user, Perm.ACTIVITY_MANAGE)
    community = communities_for(user, Perm.ACTIVITY_MANAGE).filter(id=community_id).first()
    if community is None:
        raise NotFound()
    buildings = list(Building.objects.filter(community=community).order_by("number", "id"))
    for building in buildings:
        building.label = _label(building)
    initial = {}
    wanted = request.GET.get("building", "")
    if wanted:
        building = next((b for b in buildings if str(b.id) == wanted), None)
        if building is None:
            raise NotFound()
        initial["building"] = building.id
        plan = OwnerVisitPlan.objects.filter(building=building).first()
        if plan:
            initial["every_days"] = plan.every_days
    form = VisitPlanForm(request.POST or None, buildings=buildings, initial=initial)
    by_id = {b.id: b for b in buildings}
    back = f"{reverse('community_owner_visits')}?community={community.id}"
    return form_page(
        request,
        form=form,
        title=_("Owner visit plan: %(community)s") % {"community": community.name},
        save=lambda data: service.visit_plan_set(
            actor=user, building=by_id[data["building"]], every_days=data["every_days"]
        ),
        success_url=back,
        cancel_url=back,
        success_message=_("Visit plan saved."),
    )


@console_view
def visit_records(request):
    """The visits made (search, month) and the form to record one."""
    user = request.user
    require(user, Perm.ACTIVITY_VIEW)
    community, communities = chosen_community(request, Perm.ACTIVITY_VIEW)
    can_manage = has_perm(user, Perm.ACTIVITY_MANAGE)
    managed = list(communities_for(user, Perm.ACTIVITY_MANAGE))
    initial = {"visited_on": timezone.localdate()}
    if community:
        initial["community"] = community.id
    if request.GET.get("house"):
        initial["house_code"] = request.GET["house"][:30]
    form = OwnerVisitForm(request.POST or None, communities=managed, initial=initial)
    status = 200
    if request.method == "POST":
        require(user, Perm.ACTIVITY_MANAGE)
        if form.is_valid():
            data = form.cleaned_data
            house = House.objects.filter(
                community_id=data["community"], code=data["house_code"].strip()
            ).first()
            if house is None:
                form.add_error("house_code", _("No such house in this community."))
            else:
                try:
                    visit = service.owner_visit_record(
                        actor=user,
                        house=house,
                        visited_on=data["visited_on"],
                        opinions=data["opinions"],
                        note=data["note"],
                    )
                except AppError as exc:
                    form_error(form, exc)
                else:
                    text = _("Visit to %(house)s recorded.") % {"house": house.code}
                    if visit.request_id:
                        text += " " + _("Suggestion request %(number)s recorded.") % {
                            "number": visit.request.number
                        }
                    messages.success(request, text)
                    return redirect(
                        f"{reverse('community_owner_visit_records')}?community={house.community_id}"
                    )
        status = 400
    q = request.GET.get("q", "").strip()[:40]
    month = request.GET.get("month", "")[:7]
    rows = selectors.owner_visit_list(
        user, community_id=community.id if community else None, q=q, month=month
    )
    context = {
        "page": paginate(request, rows),
        "form": form if can_manage else None,
        "community": community,
        "communities": communities,
        "q": q,
        "month": month,
    }
    return render_page(
        request, "community/pages/owner_visit_records.html", None, context, status=status
    )


@console_view
def visit_months(request):
    """Visits and the suggestions they raised per month of a year, per community."""
    user = request.user
    require(user, Perm.ACTIVITY_VIEW)
    community, communities = chosen_community(request, Perm.ACTIVITY_VIEW)
    this_year = timezone.localdate().year
    try:
        year = int(request.GET.get("year", this_year))
    except ValueError:
        year = this_year
    year = min(max(year, 2000), this_year + 1)
    months = (
        selectors.owner_visits_by_month(user, community_id=community.id, year=year)
        if community
        else []
    )
    planned = (
        scope(OwnerVisitPlan.objects.all(), user, Perm.ACTIVITY_VIEW)
        .filter(community=community)
        .count()
        if community
        else 0
    )
    context = {
        "community": community,
        "communities": communities,
        "months": months,
        "year": year,
        "years": list(range(this_year, this_year - 5, -1)),
        "total_visits": sum(m["visits"] for m in months),
        "total_suggestions": sum(m["suggestions"] for m in months),
        "planned": planned,
    }
    return render_page(request, "community/pages/owner_visit_months.html", None, context)
