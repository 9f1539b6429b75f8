"""Survey pages (满意度调查): rounds and their results, the call list where agents enter phone and
visit answers, and the low answers waiting for a supervisor's decision."""

import datetime

from django.contrib import messages
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from propdesk.accounts.models import User
from propdesk.core.errors import AppError
from propdesk.core.masking import mask_mobile
from propdesk.core.permissions import Perm, communities_for, community_ids, has_perm, require
from propdesk.core.views import console_view, form_error, paginate, render_page
from propdesk.estates import selectors as estate_selectors
from propdesk.quality import selectors
from propdesk.quality.forms import (
    FollowUpDecideForm,
    FollowUpDoneForm,
    RoundOpenForm,
    SurveyAnswerForm,
)
from propdesk.quality.services import surveys
from propdesk.quality.services._common import settings_for, today


@console_view
def round_list(request):
    user = request.user
    require(user, Perm.SURVEY_VIEW)
    communities = list(communities_for(user))
    can_manage = has_perm(user, Perm.SURVEY_MANAGE)
    form = None
    if can_manage:
        day = today()
        initial = {"period": day, "closes_on": day + datetime.timedelta(days=14)}
        if len(communities) == 1:
            initial["community"] = communities[0].pk
        form = RoundOpenForm(request.POST or None, communities=communities, initial=initial)
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            community = next((c for c in communities if c.pk == data["community"]), None)
            try:
                survey_round = surveys.survey_round_open(
                    actor=user,
                    community=community,
                    period=data["period"],
                    sample_size=data["sample_size"],
                    closes_on=data["closes_on"],
                )
            except AppError as exc:
                form_error(form, exc)
            else:
                messages.success(
                    request,
                    _("The survey is open: %(n)d houses asked.")
                    % {"n": survey_round.targets_count},
                )
                return redirect("quality_round_detail", round_id=survey_round.pk)
    elif request.method == "POST":
        require(user, Perm.SURVEY_MANAGE)
    context = {
        "page": paginate(request, selectors.round_list(user)),
        "form": form,
        "pending": selectors.low_answers(user).count(),
    }
    status = 400 if form is not None and form.is_bound and form.errors else 200
    return render_page(request, "quality/pages/round_list.html", None, context, status=status)


@console_view
def round_detail(request, round_id: int):
    user = request.user
    survey_round = selectors.round_for_user(user, round_id)
    q = request.GET.get("q", "").strip()[:30]
    targets = paginate(request, selectors.round_targets(user, survey_round, q=q))
    for target in targets:
        target.owners = [
            (o.owner.name, mask_mobile(o.owner.mobile))
            for o in getattr(target.house, "current_ownerships", [])
        ]
    context = {
        "round": survey_round,
        "results": selectors.survey_results(user, survey_round),
        "page": targets,
        "q": q,
        "can_enter": has_perm(user, Perm.SURVEY_ENTER) and survey_round.state == "open",
        "can_manage": has_perm(user, Perm.SURVEY_MANAGE),
    }
    return render_page(request, "quality/pages/round_detail.html", None, context)


@require_POST
@console_view
def round_close(request, round_id: int):
    user = request.user
    survey_round = selectors.round_for_user(user, round_id, Perm.SURVEY_MANAGE)
    try:
        surveys.survey_round_close(actor=user, survey_round=survey_round)
    except AppError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("The survey is closed."))
    return redirect("quality_round_detail", round_id=survey_round.pk)


@console_view
def answer_enter(request, round_id: int, house_id: int):
    """An agent enters the answer a house gave by phone or on a visit."""
    user = request.user
    survey_round = selectors.round_for_user(user, round_id, Perm.SURVEY_ENTER)
    house = estate_selectors.house_for_user(user, house_id)
    questions = list(survey_round.questionnaire.questions.all())
    form = SurveyAnswerForm(request.POST or None, questions=questions, staff=True)
    if request.method == "POST" and form.is_valid():
        try:
            surveys.survey_answer(
                actor=user,
                survey_round=survey_round,
                house=house,
                answers=form.answers(),
                channel=form.cleaned_data["channel"],
                respondent_name=form.cleaned_data["respondent_name"],
            )
        except AppError as exc:
            form_error(form, exc)
        else:
            messages.success(
                request, _("The answer of %(house)s is saved.") % {"house": house.code}
            )
            return redirect("quality_round_detail", round_id=survey_round.pk)
    context = {"round": survey_round, "house": house, "form": form}
    status = 400 if form.is_bound and form.errors else 200
    return render_page(request, "quality/pages/answer_enter.html", None, context, status=status)


@console_view
def low_answer_list(request):
    user = request.user
    require(user, Perm.SURVEY_VIEW)
    state = request.GET.get("state", "pending")
    if state not in ("pending", "tasks", "decided"):
        state = "pending"
    context = {
        "page": paginate(request, selectors.low_answers(user, state=state)),
        "state": state,
        "can_manage": has_perm(user, Perm.SURVEY_MANAGE),
    }
    return render_page(request, "quality/pages/low_answers.html", None, context)


def _colleagues(community_id: int) -> list:
    people = User.objects.filter(is_active=True, communities__id=community_id).order_by("id")
    return [u for u in people if has_perm(u, Perm.SURVEY_ENTER)]


@console_view
def low_answer_detail(request, response_id: int):
    user = request.user
    response = selectors.response_for_user(user, response_id)
    decide = None
    if has_perm(user, Perm.SURVEY_MANAGE) and response.follow_up == "pending":
        decide = FollowUpDecideForm(
            request.POST or None, colleagues=_colleagues(response.community_id)
        )
        if request.method == "POST" and decide.is_valid():
            data = decide.cleaned_data
            assignee = None
            if data["assignee"]:
                assignee = next(
                    (u for u in _colleagues(response.community_id) if u.pk == data["assignee"]),
                    None,
                )
                if assignee is None:
                    decide.add_error(
                        "assignee", _("This colleague does not work in this community.")
                    )
            if not decide.errors:
                try:
                    surveys.survey_follow_up_decide(
                        actor=user,
                        response=response,
                        choice=data["choice"],
                        note=data["note"],
                        assignee=assignee,
                    )
                except AppError as exc:
                    form_error(decide, exc)
                else:
                    messages.success(request, _("The follow-up is decided."))
                    return redirect("quality_low_answer", response_id=response.pk)
    elif request.method == "POST":
        require(user, Perm.SURVEY_MANAGE, response.community_id)
    context = {
        "response": response,
        "answers": response.answers.select_related("question").order_by("question__order"),
        "decide": decide,
        "done_form": FollowUpDoneForm(),
        "can_finish": (
            response.follow_up == "task"
            and response.follow_up_done_at is None
            and (response.follow_up_assignee_id == user.pk or has_perm(user, Perm.SURVEY_MANAGE))
            and response.community_id in community_ids(user)
        ),
        "low_score": settings_for(response.community_id).survey_low_score,
    }
    status = 400 if decide is not None and decide.is_bound and decide.errors else 200
    return render_page(request, "quality/pages/low_answer.html", None, context, status=status)


@require_POST
@console_view
def low_answer_done(request, response_id: int):
    user = request.user
    response = selectors.response_for_user(user, response_id, Perm.SURVEY_ENTER)
    form = FollowUpDoneForm(request.POST)
    if form.is_valid():
        try:
            surveys.survey_follow_up_done(
                actor=user, response=response, note=form.cleaned_data["note"]
            )
        except AppError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("The follow-up is done."))
    else:
        messages.error(request, _("Say what the owner said."))
    return redirect("quality_low_answer", response_id=response.pk)
