"""Reads of training and exams, scoped to who asks: staff see the exams open to them and their
own attempts; supervisors (EXAM_MANAGE) see the bank, the exams and everyone's results in their
communities."""

import datetime
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Q, QuerySet

from propdesk.core.errors import NotFound
from propdesk.core.permissions import Perm, community_ids, has_perm, require
from propdesk.quality.models import (
    AttemptState,
    Exam,
    ExamAttempt,
    ExamQuestion,
    TrainingSession,
)

FINISHED = (AttemptState.SUBMITTED, AttemptState.TIMED_OUT)


def _in_reach(user) -> Q:
    """Rows of the company (no community) or of one of `user`'s communities."""
    return Q(community__isnull=True) | Q(community_id__in=community_ids(user))


def _pk(value) -> int:
    try:
        return int(value)
    except (TypeError, ValueError) as exc:
        raise NotFound() from exc


def exams_visible_to(user) -> QuerySet[Exam]:
    """Exams open to `user`; supervisors also see the closed ones they keep."""
    require(user, Perm.EXAM_TAKE)
    exams = Exam.objects.filter(_in_reach(user)).select_related("community")
    if not has_perm(user, Perm.EXAM_MANAGE):
        exams = exams.filter(is_active=True)
    return exams.order_by("-is_active", "-created_at", "-id")


def exam_for_user(user, exam_id) -> Exam:
    exam = exams_visible_to(user).filter(pk=_pk(exam_id)).first()
    if exam is None:
        raise NotFound()
    return exam


def attempts_visible_to(user) -> QuerySet[ExamAttempt]:
    """A person's own attempts; a supervisor's also those taken in their communities."""
    require(user, Perm.EXAM_TAKE)
    visible = Q(taker=user)
    if has_perm(user, Perm.EXAM_MANAGE):
        visible |= Q(community_id__in=community_ids(user))
    return ExamAttempt.objects.filter(visible).select_related("exam", "taker", "community")


def attempt_for_user(user, attempt_id) -> ExamAttempt:
    attempt = attempts_visible_to(user).filter(pk=_pk(attempt_id)).first()
    if attempt is None:
        raise NotFound()
    return attempt


def my_attempts(user, exam_ids: list[int] | None = None) -> dict[int, list[ExamAttempt]]:
    """`user`'s own attempts per exam, newest first."""
    attempts = ExamAttempt.objects.filter(taker=user).order_by("-number")
    if exam_ids is not None:
        attempts = attempts.filter(exam_id__in=exam_ids)
    found: dict[int, list[ExamAttempt]] = {}
    for attempt in attempts:
        found.setdefault(attempt.exam_id, []).append(attempt)
    return found


def attempt_sheet(attempt: ExamAttempt) -> list:
    """The attempt's answers in order, each with its question (explanations and the right
    answer are shown only once the attempt is finished)."""
    return list(attempt.answers.select_related("question").order_by("order"))


def questions_visible_to(user, *, topic: str = "", q: str = "") -> QuerySet[ExamQuestion]:
    require(user, Perm.EXAM_MANAGE)
    questions = ExamQuestion.objects.filter(_in_reach(user)).select_related("community")
    if topic:
        questions = questions.filter(topic=topic)
    if q:
        questions = questions.filter(text__icontains=q)
    return questions.order_by("topic", "id")


def question_for_user(user, question_id) -> ExamQuestion:
    question = questions_visible_to(user).filter(pk=_pk(question_id)).first()
    if question is None:
        raise NotFound()
    return question


def training_sessions(user, *, community: int | None = None) -> QuerySet[TrainingSession]:
    require(user, Perm.EXAM_TAKE)
    ids = community_ids(user)
    if community is not None:
        ids = [community] if community in ids else []
    sessions = TrainingSession.objects.filter(community_id__in=ids)
    if not has_perm(user, Perm.EXAM_MANAGE):
        sessions = sessions.filter(attendance__person=user)
    return sessions.select_related("community").prefetch_related("attendance__person").distinct()


@dataclass
class PersonResult:
    person_id: int
    name: str
    department: str
    attempts: int = 0
    best: Decimal | None = None
    passed: bool = False
    exams: set = field(default_factory=set)


@dataclass
class DepartmentResult:
    department: str
    people: int = 0
    passed: int = 0
    mean_best: Decimal | None = None

    @property
    def pass_rate(self) -> Decimal | None:
        if not self.people:
            return None
        return (Decimal(self.passed * 100) / self.people).quantize(
            Decimal("0.1"), rounding=ROUND_HALF_UP
        )


def exam_results(
    user,
    *,
    community: int | None = None,
    exam: int | None = None,
    date_from: datetime.date | None = None,
    date_to: datetime.date | None = None,
) -> tuple[list[PersonResult], list[DepartmentResult]]:
    """Finished attempts per person (attempts, best score, passed) and per department (people,
    passed, pass rate, mean of the best scores), in `user`'s communities."""
    require(user, Perm.EXAM_MANAGE)
    ids = community_ids(user)
    if community is not None:
        ids = [community] if community in ids else []
    attempts = ExamAttempt.objects.filter(community_id__in=ids, state__in=FINISHED)
    if exam is not None:
        attempts = attempts.filter(exam_id=exam)
    if date_from is not None:
        attempts = attempts.filter(finished_at__date__gte=date_from)
    if date_to is not None:
        attempts = attempts.filter(finished_at__date__lte=date_to)
    people: dict[int, PersonResult] = {}
    rows = attempts.select_related("taker__department").order_by("taker_id", "id")
    for attempt in rows:
        taker = attempt.taker
        result = people.get(taker.pk)
        if result is None:
            department = taker.department.name if taker.department_id else ""
            result = people[taker.pk] = PersonResult(taker.pk, str(taker), department)
        result.attempts += 1
        result.exams.add(attempt.exam_id)
        if result.best is None or attempt.score > result.best:
            result.best = attempt.score
        result.passed = result.passed or bool(attempt.passed)
    departments: dict[str, DepartmentResult] = {}
    for result in people.values():
        row = departments.setdefault(result.department, DepartmentResult(result.department))
        row.people += 1
        row.passed += result.passed
        row.mean_best = (row.mean_best or Decimal(0)) + (result.best or Decimal(0))
    for row in departments.values():
        row.mean_best = (row.mean_best / row.people).quantize(
            Decimal("0.1"), rounding=ROUND_HALF_UP
        )
    ordered = sorted(people.values(), key=lambda r: (-(r.best or 0), r.name))
    return ordered, sorted(departments.values(), key=lambda r: r.department)


def exam_pass_rate(community_ids_: list[int], date_from, date_to) -> Decimal | None:
    """The share of finished attempts that passed, for the dashboard (None without attempts)."""
    attempts = ExamAttempt.objects.filter(
        community_id__in=community_ids_,
        state__in=FINISHED,
        finished_at__date__gte=date_from,
        finished_at__date__lte=date_to,
    )
    total = attempts.count()
    if not total:
        return None
    passed = attempts.filter(passed=True).count()
    return (Decimal(passed * 100) / total).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def attempt_view(attempt: ExamAttempt) -> dict:
    """An attempt with its questions in order; the right answers and explanations only once it
    is finished (never while the person is still answering)."""
    finished = attempt.state in FINISHED
    answers = []
    for answer in attempt_sheet(attempt):
        question = answer.question
        answers.append(
            {
                "order": answer.order,
                "question": question,
                "chosen": answer.chosen,
                "saved_at": answer.saved_at,
                "correct": answer.correct if finished else None,
                "right_answer": question.answer if finished else None,
                "explanation": question.explanation if finished else None,
            }
        )
    return {
        **{f.attname: getattr(attempt, f.attname) for f in ExamAttempt._meta.concrete_fields},
        "answers": answers,
    }
