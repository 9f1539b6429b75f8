"""Quality review pages (质检): the month's sample of calls to review, the review form, and the
review itself with the agent's acknowledgement or appeal and another supervisor's decision."""

from django.contrib import messages
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from propdesk.accounts.models import User
from propdesk.core.errors import AppError, NotFound
from propdesk.core.permissions import Perm, communities_for, community_ids, has_perm, require
from propdesk.core.views import console_view, form_error, paginate, render_page
from propdesk.quality import selectors
from propdesk.quality.forms import AppealForm, DecideForm, ReviewCreateForm
from propdesk.quality.models import ReviewState
from propdesk.quality.services import reviews
from propdesk.quality.services._common import today


@console_view
def review_list(request):
    user = request.user
    require(user, Perm.REVIEW_VIEW)
    can_write = has_perm(user, Perm.REVIEW_WRITE)
    state = request.GET.get("state", "")
    if state not in ReviewState.values:
        state = ""
    sample = []
    if can_write:
        day = today()
        for community in list(communities_for(user))[:10]:
            sample += reviews.review_sample(
                community_id=community.pk, year=day.year, month=day.month
            )
    context = {
        "page": paginate(request, selectors.review_list(user, state=state)),
        "state": state,
        "states": ReviewState.choices,
        "sample": sample[:50],
        "can_write": can_write,
    }
    return render_page(request, "quality/pages/review_list.html", None, context)


def _subject(user, request):
    from propdesk.tickets.selectors import request_for_user

    call_id, request_id = request.GET.get("call"), request.GET.get("request")
    if call_id:
        call = selectors.call_for_user(user, call_id)
        return call, None, call.agent
    if request_id:
        ticket = request_for_user(user, request_id)
        return None, ticket, ticket.assignee or ticket.created_by
    raise NotFound()


@console_view
def review_new(request):
    user = request.user
    require(user, Perm.REVIEW_WRITE)
    call, ticket, agent = _subject(user, request)
    community_id = (call or ticket).community_id
    require(user, Perm.REVIEW_WRITE, community_id)
    form_row = reviews.review_form_default()
    items = list(form_row.items.all())
    form = ReviewCreateForm(request.POST or None, items=items)
    agents = [
        u
        for u in User.objects.filter(is_active=True, communities__id=community_id).order_by("id")
        if has_perm(u, Perm.REVIEW_VIEW) and not has_perm(u, Perm.REVIEW_WRITE)
    ]
    chosen = request.POST.get("agent") or (agent.pk if agent else "")
    if request.method == "POST" and form.is_valid():
        reviewed = next((u for u in agents if str(u.pk) == str(chosen)), None)
        if reviewed is None:
            form.add_error(None, _("Choose the agent whose work this is."))
        else:
            try:
                review = reviews.review_create(
                    actor=user,
                    agent=reviewed,
                    marks=form.marks(),
                    call=call,
                    request=ticket,
                    note=form.cleaned_data["note"],
                    form=form_row,
                )
            except AppError as exc:
                form_error(form, exc)
            else:
                messages.success(request, _("The review is saved; the agent sees it now."))
                return redirect("quality_review_detail", review_id=review.pk)
    context = {
        "form": form,
        "call": call,
        "ticket": ticket,
        "agents": agents,
        "chosen": str(chosen),
        "review_form": form_row,
    }
    status = 400 if form.is_bound and form.errors else 200
    return render_page(request, "quality/pages/review_new.html", None, context, status=status)


@console_view
def review_detail(request, review_id: int):
    user = request.user
    review = selectors.review_for_user(user, review_id)
    is_agent = review.agent_id == user.pk
    can_decide = (
        review.state == ReviewState.APPEALED
        and has_perm(user, Perm.REVIEW_WRITE)
        and review.community_id in community_ids(user)
        and user.pk not in (review.reviewer_id, review.agent_id)
    )
    context = {
        "review": review,
        "marks": review.marks.select_related("item"),
        "can_answer": is_agent and review.state == ReviewState.PUBLISHED,
        "can_decide": can_decide,
        "appeal_form": AppealForm(),
        "decide_form": DecideForm(),
        "versions": _versions(review),
    }
    return render_page(request, "quality/pages/review_detail.html", None, context)


def _versions(review) -> list:
    chain = []
    current = review.supersedes
    while current is not None and len(chain) < 20:
        chain.append(current)
        current = current.supersedes
    later = getattr(review, "superseded_by", None) if review.state == "superseded" else None
    return ([later] if later else []) + chain


@require_POST
@console_view
def review_answer(request, review_id: int):
    """The agent acknowledges (`action=acknowledge`) or appeals (`action=appeal`, with a reason)."""
    user = request.user
    review = selectors.review_for_user(user, review_id)
    try:
        if request.POST.get("action") == "appeal":
            form = AppealForm(request.POST)
            if not form.is_valid():
                messages.error(request, _("Say why you disagree."))
                return redirect("quality_review_detail", review_id=review.pk)
            reviews.review_appeal(actor=user, review=review, reason=form.cleaned_data["reason"])
            messages.success(request, _("Your appeal is sent; another supervisor decides it."))
        else:
            reviews.review_acknowledge(actor=user, review=review)
            messages.success(request, _("Acknowledged."))
    except AppError as exc:
        messages.error(request, exc.message)
    return redirect("quality_review_detail", review_id=review.pk)


@require_POST
@console_view
def review_decide(request, review_id: int):
    user = request.user
    review = selectors.review_for_user(user, review_id)
    form = DecideForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give the decision and its reason."))
        return redirect("quality_review_detail", review_id=review.pk)
    try:
        reviews.review_decide(
            actor=user,
            review=review,
            granted=form.cleaned_data["granted"],
            note=form.cleaned_data["note"],
        )
    except AppError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("The appeal is decided."))
    return redirect("quality_review_detail", review_id=review.pk)
