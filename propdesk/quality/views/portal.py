"""The owner's survey pages on the phone-sized portal (/m/surveys/…)."""

from django.contrib import messages
from django.shortcuts import redirect
from django.utils.translation import gettext as _

from propdesk.core.errors import AppError, NotFound
from propdesk.core.views import form_error
from propdesk.estates.selectors import account_house_links
from propdesk.portal.views._common import portal_view
from propdesk.quality import selectors
from propdesk.quality.forms import SurveyAnswerForm
from propdesk.quality.models import AnswerChannel, SurveyTarget
from propdesk.quality.services import surveys


@portal_view
def survey_list(request):
    from django.shortcuts import render

    return render(
        request,
        "quality/portal/survey_list.html",
        {"targets": selectors.open_surveys_for_owner(request.user)},
    )


@portal_view
def survey_answer(request, round_id: int, house_id: int):
    from django.shortcuts import render

    user = request.user
    if not account_house_links(user, house_id=house_id):
        raise NotFound()
    target = (
        SurveyTarget.objects.select_related("round__questionnaire", "house", "community")
        .filter(round_id=round_id, house_id=house_id)
        .first()
    )
    if target is None:
        raise NotFound()
    survey_round = target.round
    questions = list(survey_round.questionnaire.questions.all())
    form = SurveyAnswerForm(request.POST or None, questions=questions)
    if request.method == "POST" and form.is_valid():
        try:
            surveys.survey_answer(
                actor=user,
                survey_round=survey_round,
                house=target.house,
                answers=form.answers(),
                channel=AnswerChannel.PORTAL,
            )
        except AppError as exc:
            form_error(form, exc)
        else:
            messages.success(request, _("Thank you! Your answer is saved."))
            return redirect("quality_portal_surveys")
    status = 400 if form.is_bound and form.errors else 200
    context = {"target": target, "round": survey_round, "form": form}
    return render(request, "quality/portal/survey_answer.html", context, status=status)
