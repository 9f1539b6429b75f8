"""Training and exams (培训考试), issue 16 (DOMAIN.md §8; 000, 003 ch.7, 004 业务知识).

Supervisors keep the question bank and set exams (questions per topic, time allowed, pass mark,
attempts allowed). A staff member takes one attempt at a time: the questions are drawn when it
starts, each answer is saved as it is given, and the server enforces the time — an answer after
the deadline is refused and the attempt is graded with what was saved. Training sessions are
recorded with who attended.
"""

import datetime
import secrets
from decimal import ROUND_HALF_UP, Decimal

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from propdesk.core import audit
from propdesk.core import error_codes as core_codes
from propdesk.core.cleaning import clean_choice, clean_text
from propdesk.core.errors import Conflict, PermissionDenied, ValidationFailed
from propdesk.core.permissions import Perm, community_ids, has_perm, is_company_wide, require
from propdesk.quality import error_codes
from propdesk.quality.models import (
    AttemptAnswer,
    AttemptState,
    Exam,
    ExamAttempt,
    ExamQuestion,
    ExamQuestionKind,
    ExamTopic,
    TrainingAttendance,
    TrainingKind,
    TrainingSession,
)
from propdesk.quality.services._common import now, today

MAX_QUESTIONS = 100
MAX_OPTIONS = 6
GRACE = datetime.timedelta(seconds=5)  # a click sent in the last second still counts
_random = secrets.SystemRandom()


# --- the question bank --------------------------------------------------------------------------


def _clean_options(kind: str, options) -> list[str]:
    if kind == ExamQuestionKind.TRUE_FALSE:
        return []
    if not isinstance(options, list):
        raise ValidationFailed(
            _("Give the options as a list."), code=error_codes.BAD_OPTIONS, field="options"
        )
    cleaned = [clean_text("options", option, max_length=200) for option in options]
    cleaned = [option for option in cleaned if option]
    if not 2 <= len(cleaned) <= MAX_OPTIONS:
        raise ValidationFailed(
            _("Give from 2 to %(n)d options.") % {"n": MAX_OPTIONS},
            code=error_codes.BAD_OPTIONS,
            field="options",
        )
    if len(set(cleaned)) != len(cleaned):
        raise ValidationFailed(
            _("Two options say the same."), code=error_codes.BAD_OPTIONS, field="options"
        )
    return cleaned


def _clean_answer(kind: str, options: list[str], answer) -> list[int]:
    size = 2 if kind == ExamQuestionKind.TRUE_FALSE else len(options)
    if not isinstance(answer, list) or not all(
        isinstance(index, int) and not isinstance(index, bool) for index in answer
    ):
        raise ValidationFailed(
            _("Mark the right answer."), code=error_codes.BAD_ANSWER_KEY, field="answer"
        )
    chosen = sorted(set(answer))
    if not chosen or any(not 0 <= index < size for index in chosen):
        raise ValidationFailed(
            _("Mark the right answer."), code=error_codes.BAD_ANSWER_KEY, field="answer"
        )
    if kind != ExamQuestionKind.MULTIPLE and len(chosen) != 1:
        raise ValidationFailed(
            _("This type of question has exactly one right answer."),
            code=error_codes.BAD_ANSWER_KEY,
            field="answer",
        )
    if kind == ExamQuestionKind.MULTIPLE and len(chosen) < 2:
        raise ValidationFailed(
            _("A multiple-choice question has at least two right answers."),
            code=error_codes.BAD_ANSWER_KEY,
            field="answer",
        )
    return chosen


def answer_letters(text: str) -> list[int]:
    """'AC' → [0, 2]; 'T'/'对' → [0], 'F'/'错' → [1], as people write answer keys."""
    text = "".join(str(text).split()).upper()
    if text in ("T", "对", "√", "TRUE", "正确"):
        return [0]
    if text in ("F", "错", "×", "FALSE", "错误"):
        return [1]
    if not text or not all("A" <= letter <= "F" for letter in text):
        raise ValidationFailed(
            _("Give the right answer as letters from A to F."),
            code=error_codes.BAD_ANSWER_KEY,
            field="answer",
        )
    return sorted({ord(letter) - ord("A") for letter in text})


def question_values(
    *, topic, kind, text, options, answer, explanation="", source=""
) -> dict[str, object]:
    """A question's values as a form, the API or an import row give them, cleaned; the refusal
    names the field at fault."""
    topic = clean_choice("topic", topic, ExamTopic)
    kind = clean_choice("kind", kind, ExamQuestionKind)
    text = clean_text("text", text, max_length=500, required=True)
    options = _clean_options(kind, options)
    return {
        "topic": topic,
        "kind": kind,
        "text": text,
        "options": options,
        "answer": _clean_answer(kind, options, answer),
        "explanation": clean_text("explanation", explanation, max_length=500),
        "source": clean_text("source", source, max_length=60),
    }


def _require_bank(actor, community) -> None:
    """A community's bank and exams are kept by its supervisors; the company's by company-wide
    staff."""
    require(actor, Perm.EXAM_MANAGE, getattr(community, "pk", None))
    if community is None and not is_company_wide(actor):
        raise PermissionDenied(
            _("The company's question bank is kept by company-wide staff."),
            code=error_codes.COMPANY_BANK,
        )


@transaction.atomic
def question_create(*, actor, community=None, **values) -> ExamQuestion:
    """Add a question to the company's bank (no community) or a community's own."""
    _require_bank(actor, community)
    question = ExamQuestion.objects.create(community=community, **question_values(**values))
    audit.record_change(actor=actor, instance=question, action="create")
    return question


@transaction.atomic
def question_update(*, actor, question: ExamQuestion, **values) -> ExamQuestion:
    """Change a question; attempts already graded keep their grade (answers point at the
    question, the grade was fixed when the attempt was handed in)."""
    question = ExamQuestion.objects.select_for_update().get(pk=question.pk)
    _require_bank(actor, question.community)
    is_active = values.pop("is_active", question.is_active)
    changes = audit.apply_changes(question, {**question_values(**values), "is_active": is_active})
    if changes:
        question.save(update_fields=list(changes))
        audit.record_change(actor=actor, instance=question, action="update", changes=changes)
    return question


# --- exams ----------------------------------------------------------------------------------------


def _clean_topic_counts(topic_counts) -> dict[str, int]:
    if not isinstance(topic_counts, dict):
        raise ValidationFailed(
            _("Give the number of questions per topic."),
            code=error_codes.BAD_TOPIC_COUNTS,
            field="topic_counts",
        )
    cleaned = {}
    for topic, count in topic_counts.items():
        if topic not in ExamTopic.values:
            raise ValidationFailed(
                _("Choose one of the listed values."),
                code=core_codes.BAD_CHOICE,
                field=f"topic_counts.{str(topic)[:30]}",
            )
        if isinstance(count, bool) or not isinstance(count, int) or not 0 <= count <= 50:
            raise ValidationFailed(
                _("Enter a whole number from 0 to 50."),
                code=error_codes.BAD_TOPIC_COUNTS,
                field=f"topic_counts.{topic}",
            )
        if count:
            cleaned[topic] = count
    total = sum(cleaned.values())
    if not 1 <= total <= MAX_QUESTIONS:
        raise ValidationFailed(
            _("An exam has from 1 to %(n)d questions.") % {"n": MAX_QUESTIONS},
            code=error_codes.BAD_TOPIC_COUNTS,
            field="topic_counts",
        )
    return cleaned


def _clean_number(field: str, value, low: int, high: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise ValidationFailed(
            _("Enter a whole number from %(low)d to %(high)d.") % {"low": low, "high": high},
            code=error_codes.BAD_VALUE,
            field=field,
        )
    return value


def exam_values(
    *, title, topic_counts, duration_minutes=30, pass_percent=80, max_attempts=3, is_active=True
) -> dict[str, object]:
    return {
        "title": clean_text("title", title, max_length=100, required=True),
        "topic_counts": _clean_topic_counts(topic_counts),
        "duration_minutes": _clean_number("duration_minutes", duration_minutes, 1, 240),
        "pass_percent": _clean_number("pass_percent", pass_percent, 1, 100),
        "max_attempts": _clean_number("max_attempts", max_attempts, 1, 20),
        "is_active": bool(is_active),
    }


@transaction.atomic
def exam_create(*, actor, community=None, **values) -> Exam:
    """Set an exam for the company (no community) or one community."""
    _require_bank(actor, community)
    exam = Exam.objects.create(community=community, created_by=actor, **exam_values(**values))
    audit.record_change(actor=actor, instance=exam, action="create")
    return exam


@transaction.atomic
def exam_update(*, actor, exam: Exam, **values) -> Exam:
    exam = Exam.objects.select_for_update().get(pk=exam.pk)
    _require_bank(actor, exam.community)
    changes = audit.apply_changes(exam, exam_values(**values))
    if changes:
        exam.save(update_fields=list(changes))
        audit.record_change(actor=actor, instance=exam, action="update", changes=changes)
    return exam


def may_take(user, exam: Exam) -> bool:
    """Staff take the company's exams and those of a community they work in."""
    if not has_perm(user, Perm.EXAM_TAKE) or not exam.is_active:
        return False
    return exam.community_id is None or exam.community_id in community_ids(user)


def _draw(exam: Exam, community_id: int | None) -> list[ExamQuestion]:
    """The exam's questions: for each topic, its count drawn at random from the active questions
    of the company's bank and the community's own."""
    drawn: list[ExamQuestion] = []
    for topic, count in exam.topic_counts.items():
        pool = ExamQuestion.objects.filter(topic=topic, is_active=True).filter(
            Q(community__isnull=True) | Q(community_id=community_id)
        )
        pool_ids = list(pool.values_list("pk", flat=True))
        drawn_ids = _random.sample(pool_ids, min(int(count), len(pool_ids)))
        by_id = ExamQuestion.objects.in_bulk(drawn_ids)
        drawn += [by_id[pk] for pk in drawn_ids]
    return drawn


def _grade(attempt: ExamAttempt, state: str, at: datetime.datetime) -> ExamAttempt:
    answers = list(attempt.answers.select_related("question"))
    correct = 0
    for answer in answers:
        answer.correct = answer.question.is_right(answer.chosen)
        correct += answer.correct
    AttemptAnswer.objects.bulk_update(answers, ["correct"])
    total = len(answers)
    score = (Decimal(correct * 100) / total) if total else Decimal(0)
    attempt.score = score.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
    attempt.correct_count = correct
    attempt.question_count = total
    attempt.passed = attempt.score >= attempt.exam.pass_percent
    attempt.state = state
    attempt.finished_at = at
    attempt.save(
        update_fields=["score", "correct_count", "question_count", "passed", "state", "finished_at"]
    )
    return attempt


def _finish_if_due(attempt: ExamAttempt, at: datetime.datetime) -> bool:
    """Grade an open attempt whose time is up (what was saved counts); True if it was."""
    if attempt.state == AttemptState.IN_PROGRESS and at > attempt.deadline_at + GRACE:
        _grade(attempt, AttemptState.TIMED_OUT, attempt.deadline_at)
        return True
    return False


@transaction.atomic
def attempt_start(*, actor, exam: Exam) -> ExamAttempt:
    """Start an attempt: one at a time per person, and no more than the exam allows (a passed
    exam is not retaken). The person's own open attempt of this exam is returned as it is."""
    require(actor, Perm.EXAM_TAKE)
    if not may_take(actor, exam):
        raise PermissionDenied(_("This exam is not open to you."), code=error_codes.EXAM_NOT_OPEN)
    at = now()
    for open_attempt in (
        ExamAttempt.objects.select_for_update()
        .filter(taker=actor, state=AttemptState.IN_PROGRESS)
        .select_related("exam")
    ):
        if not _finish_if_due(open_attempt, at):
            if open_attempt.exam_id == exam.pk:
                return open_attempt
            raise Conflict(
                _("Finish the exam you have started first."),
                code=error_codes.ATTEMPT_OPEN_ELSEWHERE,
            )
    earlier = list(ExamAttempt.objects.filter(exam=exam, taker=actor).values("number", "passed"))
    if any(row["passed"] for row in earlier):
        raise Conflict(_("You have passed this exam."), code=error_codes.EXAM_PASSED)
    if len(earlier) >= exam.max_attempts:
        raise Conflict(
            _("You have used all %(n)d attempts of this exam.") % {"n": exam.max_attempts},
            code=error_codes.NO_ATTEMPTS_LEFT,
        )
    mine = community_ids(actor)
    community_id = exam.community_id or (mine[0] if mine else None)
    questions = _draw(exam, community_id)
    if not questions:
        raise ValidationFailed(
            _("The question bank has no question for this exam's topics."),
            code=error_codes.EMPTY_BANK,
            field="exam",
        )
    number = max((row["number"] for row in earlier), default=0) + 1
    try:
        with transaction.atomic():
            attempt = ExamAttempt.objects.create(
                exam=exam,
                community_id=community_id,
                taker=actor,
                number=number,
                started_at=at,
                deadline_at=at + datetime.timedelta(minutes=exam.duration_minutes),
                question_count=len(questions),
            )
    except IntegrityError as exc:  # another tab started one at the same moment
        raise Conflict(
            _("Finish the exam you have started first."), code=error_codes.ATTEMPT_OPEN_ELSEWHERE
        ) from exc
    AttemptAnswer.objects.bulk_create(
        AttemptAnswer(attempt=attempt, question=question, order=order)
        for order, question in enumerate(questions, start=1)
    )
    audit.record_change(actor=actor, instance=attempt, action="create")
    return attempt


def _lock_own_open(actor, attempt: ExamAttempt) -> ExamAttempt:
    require(actor, Perm.EXAM_TAKE)
    attempt = ExamAttempt.objects.select_for_update().select_related("exam").get(pk=attempt.pk)
    if attempt.taker_id != actor.pk:
        raise PermissionDenied(
            _("This attempt is another person's."), code=error_codes.NOT_YOUR_ATTEMPT
        )
    return attempt


def attempt_answer_save(*, actor, attempt: ExamAttempt, question_id, chosen) -> AttemptAnswer:
    """Save one answer as it is given. After the deadline nothing more is saved: the attempt is
    graded with the answers it has, and the answer is refused."""
    with transaction.atomic():
        attempt = _lock_own_open(actor, attempt)
        timed_out = _finish_if_due(attempt, now())
    if timed_out:
        raise Conflict(_("The time for this exam is up."), code=error_codes.TIME_UP)
    return _answer_save(actor=actor, attempt=attempt, question_id=question_id, chosen=chosen)


@transaction.atomic
def _answer_save(*, actor, attempt: ExamAttempt, question_id, chosen) -> AttemptAnswer:
    attempt = _lock_own_open(actor, attempt)
    if attempt.state != AttemptState.IN_PROGRESS:
        raise Conflict(_("This attempt is finished."), code=error_codes.ATTEMPT_FINISHED)
    answer = (
        AttemptAnswer.objects.select_related("question")
        .filter(attempt=attempt, question_id=question_id)
        .first()
        if isinstance(question_id, int) and not isinstance(question_id, bool)
        else None
    )
    if answer is None:
        raise ValidationFailed(
            _("This question is not in your exam."),
            code=error_codes.NOT_IN_EXAM,
            field="question",
        )
    size = len(answer.question.choice_labels())
    if not isinstance(chosen, list) or not all(
        isinstance(i, int) and not isinstance(i, bool) and 0 <= i < size for i in chosen
    ):
        raise ValidationFailed(
            _("Choose from the listed values."), code=core_codes.BAD_CHOICE, field="chosen"
        )
    chosen = sorted(set(chosen))
    if answer.question.kind != ExamQuestionKind.MULTIPLE and len(chosen) > 1:
        raise ValidationFailed(_("Choose one answer."), code=core_codes.BAD_CHOICE, field="chosen")
    answer.chosen = chosen
    answer.saved_at = now()
    answer.save(update_fields=["chosen", "saved_at"])
    return answer


def attempt_submit(*, actor, attempt: ExamAttempt) -> ExamAttempt:
    """Hand in: grade the saved answers (after the deadline the attempt counts as timed out)."""
    with transaction.atomic():
        attempt = _lock_own_open(actor, attempt)
        if attempt.state != AttemptState.IN_PROGRESS:
            raise Conflict(_("This attempt is finished."), code=error_codes.ATTEMPT_FINISHED)
        at = now()
        if not _finish_if_due(attempt, at):
            _grade(attempt, AttemptState.SUBMITTED, at)
        audit.record_change(
            actor=actor,
            instance=attempt,
            action="update",
            changes={"state": [AttemptState.IN_PROGRESS, attempt.state]},
        )
    return attempt


def attempts_expire(*, at: datetime.datetime | None = None) -> int:
    """The worker's sweep: grade every open attempt whose time is up. Each is claimed under a
    row lock that skips rows another worker holds, so two sweeps never grade one twice."""
    at = at or now()
    graded = 0
    while True:
        with transaction.atomic():
            batch = list(
                ExamAttempt.objects.select_for_update(skip_locked=True)
                .select_related("exam")
                .filter(state=AttemptState.IN_PROGRESS, deadline_at__lt=at - GRACE)
                .order_by("deadline_at")[:100]
            )
            for attempt in batch:
                _grade(attempt, AttemptState.TIMED_OUT, attempt.deadline_at)
        graded += len(batch)
        if len(batch) < 100:
            return graded


# --- training sessions --------------------------------------------------------------------------


@transaction.atomic
def training_record(
    *,
    actor,
    community,
    kind,
    title,
    held_on: datetime.date,
    hours=Decimal(1),
    trainer="",
    note="",
    attendees=(),
) -> TrainingSession:
    """Record a training session and who attended (staff of the session's community)."""
    require(actor, Perm.EXAM_MANAGE, community.pk)
    kind = clean_choice("kind", kind, TrainingKind)
    title = clean_text("title", title, max_length=100, required=True)
    if held_on is None or held_on > today():
        raise ValidationFailed(
            _("Record a session that has been held."), code=error_codes.BAD_PERIOD, field="held_on"
        )
    try:
        hours = Decimal(str(hours))
        if not hours.is_finite():
            raise ArithmeticError
        hours = hours.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
    except ArithmeticError as exc:
        raise ValidationFailed(
            _("Enter a number of hours."), code=error_codes.BAD_VALUE, field="hours"
        ) from exc
    if not Decimal("0.5") <= hours <= Decimal(24):
        raise ValidationFailed(
            _("Enter from 0.5 to 24 hours."), code=error_codes.BAD_VALUE, field="hours"
        )
    people = list(attendees)
    if not people:
        raise ValidationFailed(_("Name who attended."), code=core_codes.REQUIRED, field="attendees")
    for person in people:
        if community.pk not in community_ids(person):
            raise ValidationFailed(
                _("This colleague does not work in this community."),
                code=error_codes.OTHER_COMMUNITY,
                field="attendees",
            )
    session = TrainingSession.objects.create(
        community=community,
        kind=kind,
        title=title,
        held_on=held_on,
        hours=hours,
        trainer=clean_text("trainer", trainer, max_length=50),
        note=clean_text("note", note, max_length=2000),
        created_by=actor,
    )
    TrainingAttendance.objects.bulk_create(
        TrainingAttendance(session=session, person=person)
        for person in {p.pk: p for p in people}.values()
    )
    audit.record_change(actor=actor, instance=session, action="create")
    return session
