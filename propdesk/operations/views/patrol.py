"""Patrol pages: the console's view of rounds and figures, the set-up of points, routes and
plans, and the phone-sized pages a patroller walks a round with (390×844)."""

import io

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from propdesk.accounts.models import Department
from propdesk.core.cleaning import clean_month
from propdesk.core.errors import AppError
from propdesk.core.permissions import (
    Perm,
    communities_for,
    community_ids,
    has_perm,
    holders_q,
    require,
)
from propdesk.core.views import console_view, form_error, form_page, render_page
from propdesk.estates.models import Building
from propdesk.operations import forms, selectors
from propdesk.operations.models import PatrolRoute, RoundStatus
from propdesk.operations.services import patrol
from propdesk.operations.views.equipment import _community_filter


@console_view
def patrol_home(request):
    """Today's rounds in the user's communities and the month's completion figures."""
    user = request.user
    require(user, Perm.PATROL_VIEW)
    community_id = _community_filter(request, user)
    try:
        month = (
            clean_month("month", request.GET.get("month"), required=False) or timezone.localdate()
        )
    except AppError:
        month = timezone.localdate()
    today = timezone.localdate()
    context = {
        "rounds": selectors.patrol_rounds(user, community_id=community_id, day=today)[:50],
        "open_rounds": selectors.patrol_rounds(user, community_id=community_id)
        .filter(status__in=(RoundStatus.SCHEDULED, RoundStatus.IN_PROGRESS))
        .count(),
        "figures": selectors.patrol_figures(user, month=month, community_id=community_id),
        "month": month,
        "communities": communities_for(user, Perm.PATROL_VIEW),
        "community_id": community_id,
        "can_walk": has_perm(user, Perm.PATROL_CHECK),
        "can_manage": has_perm(user, Perm.PATROL_MANAGE),
    }
    return render_page(request, "operations/patrol_home.html", None, context)


@console_view
def patrol_setup(request):
    user = request.user
    require(user, Perm.PATROL_VIEW)
    community_id = _community_filter(request, user)
    context = {
        "points": selectors.patrol_points(user, community_id=community_id)[:300],
        "routes": selectors.patrol_routes(user, community_id=community_id)[:100],
        "can_manage": has_perm(user, Perm.PATROL_MANAGE),
    }
    return render_page(request, "operations/patrol_setup.html", None, context)


@console_view
def point_qr(request, point_id: int):
    """The point's QR code as SVG, to print and stick at the place."""
    import segno

    point = selectors.patrol_point_get(request.user, point_id)
    buffer = io.BytesIO()
    segno.make(point.qr_text(), error="m").save(buffer, kind="svg", scale=6, border=2)
    return HttpResponse(buffer.getvalue(), content_type="image/svg+xml")


@console_view
def point_new(request):
    user = request.user
    require(user, Perm.PATROL_MANAGE)
    buildings = (
        Building.objects.filter(community_id__in=community_ids(user))
        .select_related("community")
        .order_by("community__code", "name")
    )
    form = forms.PointForm(request.POST or None, buildings=buildings)
    return form_page(
        request,
        form=form,
        title=_("New patrol point"),
        save=lambda data: patrol.point_create(actor=user, **data),
        success_url=reverse("operations_patrol_setup"),
        cancel_url=reverse("operations_patrol_setup"),
        success_message=_("Point saved: print its QR code from the list."),
    )


@console_view
def route_new(request):
    user = request.user
    require(user, Perm.PATROL_MANAGE)
    form = forms.RouteForm(request.POST or None, communities=communities_for(user))

    def save(data):
        return patrol.route_create(
            actor=user,
            community=data["community"],
            name=data["name"],
            point_codes=data["points"].replace(",", "\n").splitlines(),
        )

    return form_page(
        request,
        form=form,
        title=_("New patrol route"),
        save=save,
        success_url=reverse("operations_patrol_setup"),
        cancel_url=reverse("operations_patrol_setup"),
        success_message=_("Route saved."),
    )


@console_view
def plan_new(request):
    user = request.user
    require(user, Perm.PATROL_MANAGE)
    ids = community_ids(user)
    from django.contrib.auth import get_user_model

    form = forms.PlanForm(
        request.POST or None,
        routes=PatrolRoute.objects.filter(community_id__in=ids, active=True).select_related(
            "community"
        ),
        departments=Department.objects.order_by("id"),
        patrollers=get_user_model()
        .objects.filter(holders_q(Perm.PATROL_CHECK), communities__in=ids)
        .distinct()
        .order_by("username"),
    )

    def save(data):
        return patrol.plan_create(actor=user, **data)

    return form_page(
        request,
        form=form,
        title=_("New patrol plan"),
        save=save,
        success_url=reverse("operations_patrol_setup"),
        cancel_url=reverse("operations_patrol_setup"),
        success_message=_("Plan saved: its rounds are scheduled a day ahead."),
    )


@console_view
def my_rounds(request):
    """The patroller's phone page: the rounds due to them now and soon."""
    user = request.user
    require(user, Perm.PATROL_CHECK)
    rounds = selectors.my_rounds(user)
    return render_page(request, "operations/patrol_mine.html", None, {"rounds": rounds[:30]})


def _round_page(request, patrol_round, *, code_error: str = "", code: str = "", status=200):
    context = {
        "round": patrol_round,
        "sheet": selectors.round_sheet(patrol_round),
        "code_error": code_error,
        "code": code,
        "can_walk": has_perm(request.user, Perm.PATROL_CHECK) and patrol_round.is_open,
        "can_see_requests": has_perm(request.user, Perm.REQUEST_VIEW),
    }
    return render_page(request, "operations/patrol_round.html", None, context, status=status)


@console_view
def round_detail(request, round_id: int):
    return _round_page(request, selectors.patrol_round_get(request.user, round_id))


def _categories():
    from propdesk.tickets.models import Category

    names = {c.code: str(c) for c in Category.objects.filter(code__in=patrol.FINDING_CATEGORIES)}
    return [(code, names[code]) for code in patrol.FINDING_CATEGORIES if code in names]


@console_view
def round_check(request, round_id: int):
    """A scanned or typed code opens the point's checklist; posting it records the check."""
    user = request.user
    patrol_round = selectors.patrol_round_get(user, round_id)
    require(user, Perm.PATROL_CHECK, patrol_round.community_id)
    code = (request.POST.get("code") or request.GET.get("code") or "")[:200]
    try:
        point, position = patrol.resolve_point(patrol_round, code)
    except AppError as exc:
        return _round_page(
            request,
            patrol_round,
            code_error=str(exc.message),
            code=code.replace("\x00", ""),
            status=400,
        )
    form = forms.CheckForm(
        request.POST or None,
        request.FILES or None,
        items=point.checklist_items(),
        categories=_categories(),
    )
    if request.method == "POST" and form.is_valid():
        try:
            patrol.check_record(
                actor=user,
                patrol_round=patrol_round,
                code=point.code,
                failed=form.failed(),
                note=form.cleaned_data["note"],
                finding=form.cleaned_data["finding"],
                category=form.cleaned_data["category"] or "repair_building",
                photos=form.cleaned_data["photos"] or [],
            )
        except AppError as exc:
            form_error(form, exc)
        else:
            messages.success(request, _("%(point)s recorded.") % {"point": point.name})
            return redirect("operations_patrol_round", patrol_round.id)
    context = {
        "round": patrol_round,
        "point": point,
        "position": position,
        "form": form,
        "skip_form": forms.SkipForm(initial={"code": point.code}),
    }
    status = 400 if form.is_bound and form.errors else 200
    return render_page(request, "operations/patrol_check.html", None, context, status=status)


@console_view
@require_POST
def round_skip(request, round_id: int):
    user = request.user
    patrol_round = selectors.patrol_round_get(user, round_id)
    form = forms.SkipForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Say why the point is skipped."))
        return redirect("operations_patrol_round", patrol_round.id)
    try:
        patrol.point_skip(actor=user, patrol_round=patrol_round, **form.cleaned_data)
    except AppError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(request, _("Point skipped; it counts as missed."))
    return redirect("operations_patrol_round", patrol_round.id)


@console_view
@require_POST
def round_finish(request, round_id: int):
    user = request.user
    patrol_round = selectors.patrol_round_get(user, round_id)
    try:
        done = patrol.round_finish(actor=user, patrol_round=patrol_round)
    except AppError as exc:
        messages.error(request, str(exc.message))
        return redirect("operations_patrol_round", patrol_round.id)
    messages.success(
        request,
        _("Round finished: %(checked)d of %(due)d points checked, %(missed)d missed.")
        % {"checked": done.points_checked, "due": done.points_due, "missed": done.points_missed},
    )
    return redirect("operations_patrol_mine")
