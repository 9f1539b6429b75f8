"""Training and exam pages (培训考试): the exams open to me and my grades, taking an attempt
(each answer saved as it is given, the time kept by the server), the question bank with its Excel
import, results per person and department, and training sessions with attendance."""

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from propdesk.accounts.models import User
from propdesk.api.schemas import MAX_ID
from propdesk.core.errors import AppError
from propdesk.core.permissions import (
    Perm,
    communities_for,
    has_perm,
    holders_q,
    is_company_wide,
    require,
)
from propdesk.core.views import console_view, form_error, form_page, paginate, render_page
from propdesk.quality import selectors
from propdesk.quality.forms import (
    ExamForm,
    ExamQuestionForm,
    QuestionImportForm,
    TrainingForm,
)
from propdesk.quality.models import AttemptState, ExamTopic
from propdesk.quality.services import exams, question_import
from propdesk.quality.services._common import now


def _chosen(communities, community_id):
    return next((c for c in communities if c.pk == community_id), None)


@console_view
def exam_list(request):
    user = request.user
    exam_rows = list(selectors.exams_visible_to(user))
    attempts = selectors.my_attempts(user, [exam.pk for exam in exam_rows])
    rows = []
    for exam in exam_rows:
        mine = attempts.get(exam.pk, [])
        best = max((a.score for a in mine if a.score is not None), default=None)
        rows.append(
            {
                "exam": exam,
                "attempts": mine,
                "open": next((a for a in mine if a.state == AttemptState.IN_PROGRESS), None),
                "best": best,
                "passed": any(a.passed for a in mine),
                "left": max(exam.max_attempts - len(mine), 0),
                "may_take": exams.may_take(user, exam),
            }
        )
    context = {"rows": rows, "can_manage": has_perm(user, Perm.EXAM_MANAGE)}
    return render_page(request, "quality/pages/exam_list.html", None, context)


@console_view
def exam_new(request):
    user = request.user
    require(user, Perm.EXAM_MANAGE)
    communities = list(communities_for(user, Perm.EXAM_MANAGE))
    form = ExamForm(request.POST or None, communities=communities, company=is_company_wide(user))

    def save(data):
        return exams.exam_create(
            actor=user,
            community=_chosen(communities, data["community"]),
            title=data["title"],
            topic_counts=form.topic_counts(),
            duration_minutes=data["duration_minutes"],
            pass_percent=data["pass_percent"],
            max_attempts=data["max_attempts"],
        )

    return form_page(
        request,
        form=form,
        title=_("Set an exam"),
        save=save,
        success_url=reverse("quality_exams"),
        cancel_url=reverse("quality_exams"),
        success_message=_("The exam is open."),
    )


@console_view
@require_POST
def exam_start(request, exam_id: int):
    user = request.user
    exam = selectors.exam_for_user(user, exam_id)
    try:
        attempt = exams.attempt_start(actor=user, exam=exam)
    except AppError as exc:
        messages.error(request, str(exc.message))
        return redirect("quality_exams")
    return redirect("quality_attempt", attempt_id=attempt.pk)


@console_view
def attempt_detail(request, attempt_id: int):
    user = request.user
    attempt = selectors.attempt_for_user(user, attempt_id)
    if attempt.state == AttemptState.IN_PROGRESS and now() > attempt.deadline_at:
        exams.attempts_expire()
        attempt = selectors.attempt_for_user(user, attempt_id)
    view = selectors.attempt_view(attempt)
    context = {
        "attempt": attempt,
        "answers": view["answers"],
        "mine": attempt.taker_id == user.pk,
        "in_progress": attempt.state == AttemptState.IN_PROGRESS,
        "letters": "ABCDEF",
    }
    return render_page(request, "quality/pages/attempt.html", None, context)


@console_view
@require_POST
def attempt_answer(request, attempt_id: int):
    """Save one answer (htmx on every change, or the question's own Save button)."""
    user = request.user
    attempt = selectors.attempt_for_user(user, attempt_id)
    try:
        question_id = int(request.POST.get("question", ""))
        chosen = [int(value) for value in request.POST.getlist("chosen")]
    except ValueError:
        question_id, chosen = None, None
    if question_id is not None and not 1 <= question_id <= MAX_ID:
        question_id = None
    try:
        exams.attempt_answer_save(
            actor=user, attempt=attempt, question_id=question_id, chosen=chosen
        )
    except AppError as exc:
        if request.headers.get("HX-Request"):
            return HttpResponse(
                f'<span class="text-danger">{_escape(exc.message)}</span>', status=exc.status
            )
        messages.error(request, str(exc.message))
        return redirect("quality_attempt", attempt_id=attempt.pk)
    if request.headers.get("HX-Request"):
        saved = _("Saved")
        return HttpResponse(f'<span class="text-success">{_escape(saved)}</span>')
    return redirect("quality_attempt", attempt_id=attempt.pk)


def _escape(text) -> str:
    from django.utils.html import escape

    return escape(str(text))


@console_view
@require_POST
def attempt_submit(request, attempt_id: int):
    user = request.user
    attempt = selectors.attempt_for_user(user, attempt_id)
    try:
        attempt = exams.attempt_submit(actor=user, attempt=attempt)
    except AppError as exc:
        messages.error(request, str(exc.message))
    else:
        if attempt.passed:
            messages.success(
                request, _("Handed in: %(score)s points, passed.") % {"score": attempt.score}
            )
        else:
            messages.warning(
                request, _("Handed in: %(score)s points, not passed.") % {"score": attempt.score}
            )
    return redirect("quality_attempt", attempt_id=attempt.pk)


@console_view
def question_list(request):
    user = request.user
    require(user, Perm.EXAM_MANAGE)
    topic = request.GET.get("topic", "")
    if topic not in ExamTopic.values:
        topic = ""
    q = request.GET.get("q", "")[:50].replace("\x00", "")
    context = {
        "page": paginate(request, selectors.questions_visible_to(user, topic=topic, q=q)),
        "topic": topic,
        "topics": ExamTopic.choices,
        "q": q,
        "letters": "ABCDEF",
    }
    return render_page(request, "quality/pages/question_list.html", None, context)


@console_view
def question_new(request):
    user = request.user
    require(user, Perm.EXAM_MANAGE)
    communities = list(communities_for(user, Perm.EXAM_MANAGE))
    form = ExamQuestionForm(
        request.POST or None, communities=communities, company=is_company_wide(user)
    )

    def save(data):
        return exams.question_create(
            actor=user,
            community=_chosen(communities, data["community"]),
            topic=data["topic"],
            kind=data["kind"],
            text=data["text"],
            options=data["options"],
            answer=data["answer"],
            explanation=data["explanation"],
            source=data["source"],
        )

    return form_page(
        request,
        form=form,
        title=_("Add a question"),
        save=save,
        success_url=reverse("quality_questions"),
        cancel_url=reverse("quality_questions"),
        success_message=_("The question is in the bank."),
    )


@console_view
def question_import_page(request):
    user = request.user
    require(user, Perm.EXAM_MANAGE)
    communities = list(communities_for(user, Perm.EXAM_MANAGE))
    form = QuestionImportForm(
        request.POST or None,
        request.FILES or None,
        communities=communities,
        company=is_company_wide(user),
    )
    result = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            result = question_import.questions_import(
                actor=user,
                upload=data["file"],
                community=_chosen(communities, data["community"]),
                dry_run=data["dry_run"],
            )
        except AppError as exc:
            form_error(form, exc)
        else:
            if result.written:
                messages.success(request, _("%(n)d questions imported.") % {"n": result.good})
                return redirect("quality_questions")
    status = 400 if form.is_bound and form.errors else 200
    context = {"form": form, "result": result}
    return render_page(request, "quality/pages/question_import.html", None, context, status=status)


@console_view
def exam_results(request):
    user = request.user
    require(user, Perm.EXAM_MANAGE)
    people, departments = selectors.exam_results(user)
    context = {"people": people, "departments": departments}
    return render_page(request, "quality/pages/exam_results.html", None, context)


@console_view
def training_list(request):
    user = request.user
    require(user, Perm.EXAM_TAKE)
    context = {
        "page": paginate(request, selectors.training_sessions(user).order_by("-held_on", "-id")),
        "can_manage": has_perm(user, Perm.EXAM_MANAGE),
    }
    return render_page(request, "quality/pages/training_list.html", None, context)


@console_view
def training_new(request):
    user = request.user
    require(user, Perm.EXAM_MANAGE)
    communities = list(communities_for(user, Perm.EXAM_MANAGE))
    staff = list(
        User.objects.filter(holders_q(Perm.EXAM_TAKE), communities__in=communities)
        .distinct()
        .order_by("username")
    )
    form = TrainingForm(request.POST or None, communities=communities, staff=staff)

    def save(data):
        community = _chosen(communities, data["community"])
        chosen = set(data["attendees"])
        return exams.training_record(
            actor=user,
            community=community,
            kind=data["kind"],
            title=data["title"],
            held_on=data["held_on"],
            hours=data["hours"],
            trainer=data["trainer"],
            note=data["note"],
            attendees=[person for person in staff if person.pk in chosen],
        )

    return form_page(
        request,
        form=form,
        title=_("Record a training session"),
        save=save,
        success_url=reverse("quality_training"),
        cancel_url=reverse("quality_training"),
        success_message=_("The training session is recorded."),
    )
