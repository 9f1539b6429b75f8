"""The owner's activity pages on the phone-sized portal (/m/activities/…): what is on for their
houses, sign-up (waiting list when full), cancelling before the deadline, and feedback."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from propdesk.community import selectors
from propdesk.community.forms import FeedbackForm, SignupForm
from propdesk.community.models import ActivityFeedback, ActivitySignup, SignupStatus
from propdesk.community.services import activities as service
from propdesk.core.errors import AppError, NotFound
from propdesk.core.views import form_error, owner_view
from propdesk.estates import owner_access


@owner_view
def activity_list(request):
    rows = selectors.activities_for_owner(request.user)
    return render(
        request,
        "community/portal/activity_list.html",
        {
            "upcoming": [r for r in rows if not r["over"]],
            "past": [r for r in rows if r["over"]],
        },
    )


@owner_view
def activity_detail(request, activity_id: int):
    user = request.user
    row = selectors.activity_for_owner(user, activity_id)
    activity = row["activity"]
    signed = {s.house_id for s in row["signups"]}
    free_houses = [h for h in row["houses"] if h.id not in signed]
    signup_form = SignupForm(
        request.POST if request.POST.get("action") == "signup" else None,
        houses=free_houses,
        max_party=activity.max_party,
    )
    given = set(
        ActivityFeedback.objects.filter(activity=activity, house_id__in=signed).values_list(
            "house_id", flat=True
        )
    )
    feedback_houses = [
        h
        for h in row["houses"]
        if any(s.house_id == h.id and s.status == SignupStatus.CONFIRMED for s in row["signups"])
        and h.id not in given
    ]
    feedback_form = FeedbackForm(
        request.POST if request.POST.get("action") == "feedback" else None,
        houses=feedback_houses,
    )
    status = 200
    if request.method == "POST":
        houses = {h.id: h for h in row["houses"]}
        if request.POST.get("action") == "signup" and signup_form.is_valid():
            data = signup_form.cleaned_data
            try:
                signup = service.signup_create(
                    actor=user,
                    activity=activity,
                    house=houses[data["house"]],
                    people=data["people"],
                )
            except AppError as exc:
                form_error(signup_form, exc)
            else:
                if signup.status == SignupStatus.CONFIRMED:
                    messages.success(request, _("You are signed up. See you there!"))
                else:
                    messages.info(
                        request,
                        _(
                            "It is full for now: you are on the waiting list and will be told "
                            "if a place comes free."
                        ),
                    )
                return redirect("community_portal_activity", activity_id=activity.id)
        elif request.POST.get("action") == "feedback" and feedback_form.is_valid():
            data = feedback_form.cleaned_data
            try:
                service.feedback_add(
                    actor=user,
                    activity=activity,
                    house=houses[data["house"]],
                    rating=data["rating"],
                    comment=data["comment"],
                )
            except AppError as exc:
                form_error(feedback_form, exc)
            else:
                messages.success(request, _("Thank you for your feedback."))
                return redirect("community_portal_activity", activity_id=activity.id)
        status = 400
    now = timezone.now()
    for signup in row["signups"]:
        if signup.status == SignupStatus.WAITLISTED:
            signup.position = ActivitySignup.objects.filter(
                activity=activity, status=SignupStatus.WAITLISTED, created_at__lte=signup.created_at
            ).count()
    context = {
        **row,
        "signup_form": signup_form if row["open"] and free_houses else None,
        "feedback_form": feedback_form if feedback_houses and now >= activity.starts_at else None,
        "can_cancel": now < activity.signup_closes_at,
    }
    return render(request, "community/portal/activity_detail.html", context, status=status)


@require_POST
@owner_view
def signup_cancel(request, signup_id: int):
    user = request.user
    signup = (
        ActivitySignup.objects.filter(pk=signup_id, house_id__in=owner_access.house_ids(user))
        .select_related("activity", "house")
        .first()
    )
    if signup is None:
        raise NotFound()
    try:
        service.signup_cancel(actor=user, signup=signup)
    except AppError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(request, _("Your sign-up is cancelled."))
    return redirect("community_portal_activity", activity_id=signup.activity_id)
