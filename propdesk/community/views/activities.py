"""Console pages of community activities (/community/activities/)."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import FileResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from propdesk.community import selectors
from propdesk.community.forms import ActivityForm, ActivityPhotoForm, ForumOpinionForm
from propdesk.community.models import (
    ActivityFeedback,
    ActivityKind,
    ActivityPhoto,
    ActivitySignup,
)
from propdesk.community.services import activities as service
from propdesk.community.services import visits as visits_service
from propdesk.core.errors import AppError, NotFound
from propdesk.core.permissions import Perm, communities_for, get_scoped, has_perm, require
from propdesk.core.views import console_view, form_error, form_page, render_page
from propdesk.estates.models import Building, House


@console_view
def activity_list(request):
    user = request.user
    require(user, Perm.ACTIVITY_VIEW)
    upcoming = request.GET.get("all") != "1"
    page = Paginator(selectors.activity_list(user, upcoming=upcoming), 25).get_page(
        request.GET.get("page")
    )
    context = {
        "page": page,
        "upcoming": upcoming,
        "can_manage": has_perm(user, Perm.ACTIVITY_MANAGE),
        "now": timezone.now(),
    }
    return render_page(request, "community/pages/activity_list.html", None, context)


@console_view
def activity_new(request):
    user = request.user
    require(user, Perm.ACTIVITY_MANAGE)
    communities = list(communities_for(user, Perm.ACTIVITY_MANAGE))
    buildings = list(
        Building.objects.filter(community__in=communities)
        .select_related("community")
        .order_by("community__code", "number", "id")
    )
    for b in buildings:
        b.label = _("Building %(n)s") % {"n": b.number}
    by_id = {c.id: c for c in communities}
    form = ActivityForm(request.POST or None, communities=communities, buildings=buildings)

    def save(data):
        announce = data.pop("announce")
        community = by_id[data.pop("community")]
        return service.activity_create(
            actor=user,
            community=community,
            building_ids=data.pop("buildings"),
            fee=data.pop("fee") or 0,
            announce=announce,
            **data,
        )

    return form_page(
        request,
        form=form,
        title=_("Plan an activity"),
        save=save,
        success_url=lambda a: reverse("community_activity_detail", args=[a.id]),
        cancel_url=reverse("community_activities"),
        success_message=_("Activity planned; owners can sign up on the portal."),
    )


def _detail(request, activity, *, photo_form=None, opinion_form=None, status=200):
    user = request.user
    can_manage = has_perm(user, Perm.ACTIVITY_MANAGE)
    is_forum = activity.kind == ActivityKind.FORUM
    context = {
        **selectors.activity_detail(activity),
        "can_manage": can_manage,
        "photo_form": (photo_form or ActivityPhotoForm()) if can_manage else None,
        "is_forum": is_forum,
        "opinions": selectors.forum_opinions(activity) if is_forum else [],
        "opinion_form": (opinion_form or ForumOpinionForm()) if can_manage and is_forum else None,
        "now": timezone.now(),
    }
    return render_page(
        request, "community/pages/activity_detail.html", None, context, status=status
    )


@console_view
def activity_detail(request, activity_id: int):
    user = request.user
    activity = selectors.activity_for_user(user, activity_id)
    if request.method != "POST":
        return _detail(request, activity)
    require(user, Perm.ACTIVITY_MANAGE, activity.community_id)
    photo_form = ActivityPhotoForm(request.POST, request.FILES or None)
    if photo_form.is_valid():
        try:
            service.activity_photo_add(
                actor=user,
                activity=activity,
                photo=photo_form.cleaned_data["photo"],
                caption=photo_form.cleaned_data["caption"],
            )
        except AppError as exc:
            form_error(photo_form, exc)
        else:
            messages.success(request, _("Photo added."))
            return redirect("community_activity_detail", activity_id=activity.id)
    return _detail(request, activity, photo_form=photo_form, status=400)


@require_POST
@console_view
def forum_opinion(request, activity_id: int):
    """Record an opinion heard at an owner forum: it becomes a suggestion request at once."""
    user = request.user
    activity = selectors.activity_for_user(user, activity_id, Perm.ACTIVITY_MANAGE)
    form = ForumOpinionForm(request.POST)
    if form.is_valid():
        house = House.objects.filter(
            community_id=activity.community_id, code=form.cleaned_data["house_code"].strip()
        ).first()
        if house is None:
            form.add_error("house_code", _("No such house in this community."))
        else:
            try:
                opinion = visits_service.forum_opinion_record(
                    actor=user, activity=activity, house=house, text=form.cleaned_data["text"]
                )
            except AppError as exc:
                form_error(form, exc)
            else:
                messages.success(
                    request,
                    _("Opinion recorded as suggestion request %(n)s.")
                    % {"n": opinion.request.number},
                )
                return redirect("community_activity_detail", activity_id=activity.id)
    return _detail(request, activity, opinion_form=form, status=400)


def _back(activity_id):
    return redirect("community_activity_detail", activity_id=activity_id)


def _signup(user, activity_id, signup_id) -> ActivitySignup:
    activity = selectors.activity_for_user(user, activity_id, Perm.ACTIVITY_MANAGE)
    signup = ActivitySignup.objects.filter(activity=activity, pk=signup_id).first()
    if signup is None:
        raise NotFound()
    return signup


@require_POST
@console_view
def signup_check_in(request, activity_id: int, signup_id: int):
    signup = _signup(request.user, activity_id, signup_id)
    try:
        service.signup_check_in(actor=request.user, signup=signup)
    except AppError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(request, _("Checked in: %(house)s.") % {"house": signup.house.code})
    return _back(activity_id)


@require_POST
@console_view
def signup_cancel(request, activity_id: int, signup_id: int):
    signup = _signup(request.user, activity_id, signup_id)
    try:
        service.signup_cancel(actor=request.user, signup=signup)
    except AppError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(request, _("Sign-up cancelled; the waiting list has moved up."))
    return _back(activity_id)


@require_POST
@console_view
def activity_cancel(request, activity_id: int):
    activity = selectors.activity_for_user(request.user, activity_id, Perm.ACTIVITY_MANAGE)
    try:
        service.activity_cancel(
            actor=request.user, activity=activity, reason=request.POST.get("reason", "")
        )
    except AppError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(request, _("Activity cancelled; everyone signed up is told."))
    return _back(activity_id)


@require_POST
@console_view
def feedback_suggest(request, activity_id: int, feedback_id: int):
    activity = selectors.activity_for_user(request.user, activity_id, Perm.ACTIVITY_MANAGE)
    feedback = ActivityFeedback.objects.filter(activity=activity, pk=feedback_id).first()
    if feedback is None:
        raise NotFound()
    try:
        made = service.feedback_to_suggestion(actor=request.user, feedback=feedback)
    except AppError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(request, _("Suggestion request %(n)s recorded.") % {"n": made.number})
    return _back(activity_id)


@console_view
def activity_photo(request, activity_id: int, photo_id: int):
    activity = selectors.activity_for_user(request.user, activity_id)
    photo = get_scoped(
        ActivityPhoto.objects.filter(activity=activity), request.user, photo_id, Perm.ACTIVITY_VIEW
    )
    return FileResponse(photo.photo.open("rb"), content_type=photo.photo_type)
