"""Training and exams (培训考试), issue 16 (000, 001, 003 ch.7, 004 业务知识).

A question bank by topic (single choice, multiple choice, true/false, each with its
explanation); an exam draws its questions from the bank by topic weights, is timed by the
server, graded automatically against a pass mark and may be retaken a configured number of
times. Staff take one attempt at a time; each answer is saved as it is given. Training sessions
(role-play, emergency drill, system training…) are recorded with their attendance.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class ExamTopic(models.TextChoices):
    DUTIES = "duties", _("Duties and norms")
    PROCESS = "process", _("Processes")
    COMMUNICATION = "communication", _("Communication and complaints")
    REGULATIONS = "regulations", _("Regulations")
    COMMUNITY = "community", _("Community facts")
    PROBLEMS = "problems", _("Common-problem solutions")
    EMERGENCY = "emergency", _("Emergencies")
    SYSTEM = "system", _("The system itself")


class ExamQuestionKind(models.TextChoices):
    SINGLE = "single", _("Single choice")
    MULTIPLE = "multiple", _("Multiple choice")
    TRUE_FALSE = "true_false", _("True or false")


class ExamQuestion(models.Model):
    """One question of the bank. `options` are the choices shown (a true/false question has
    none: its choices are True and False); `answer` lists the indexes of the right ones."""

    community = models.ForeignKey(
        "estates.Community",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("community"),
        help_text=_("Empty: the company's bank, used in every community."),
    )
    topic = models.CharField(_("topic"), max_length=20, choices=ExamTopic.choices)
    kind = models.CharField(_("question type"), max_length=12, choices=ExamQuestionKind.choices)
    text = models.CharField(_("question"), max_length=500)
    options = models.JSONField(_("options"), default=list, blank=True)
    answer = models.JSONField(_("right answer"), default=list)
    explanation = models.CharField(_("explanation"), max_length=500, blank=True)
    source = models.CharField(_("source"), max_length=60, blank=True)
    is_active = models.BooleanField(_("in use"), default=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["topic", "id"]
        indexes = [models.Index(fields=["community", "topic", "is_active"], name="exam_q_topic")]
        verbose_name = _("exam question")
        verbose_name_plural = _("exam questions")

    def __str__(self) -> str:
        return self.text[:60]

    def choice_labels(self) -> list[str]:
        if self.kind == ExamQuestionKind.TRUE_FALSE:
            return [str(_("True")), str(_("False"))]
        return list(self.options)

    def is_right(self, chosen: list[int]) -> bool:
        return sorted(set(chosen)) == sorted(set(self.answer))


class Exam(models.Model):
    """An exam paper: how many questions of each topic, the time allowed, the pass mark and how
    many attempts a person has (DOMAIN.md §8: every figure a default a company can change)."""

    community = models.ForeignKey(
        "estates.Community",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("community"),
        help_text=_("Empty: the company's exam, taken in every community."),
    )
    title = models.CharField(_("title"), max_length=100)
    topic_counts = models.JSONField(_("questions per topic"), default=dict)
    duration_minutes = models.PositiveSmallIntegerField(_("time allowed (minutes)"), default=30)
    pass_percent = models.PositiveSmallIntegerField(_("pass mark (%)"), default=80)
    max_attempts = models.PositiveSmallIntegerField(_("attempts allowed"), default=3)
    is_active = models.BooleanField(_("open"), default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("exam")
        verbose_name_plural = _("exams")

    def __str__(self) -> str:
        return self.title

    @property
    def question_count(self) -> int:
        return sum(int(n) for n in self.topic_counts.values())


class AttemptState(models.TextChoices):
    IN_PROGRESS = "in_progress", _("In progress")
    SUBMITTED = "submitted", _("Handed in")
    TIMED_OUT = "timed_out", _("Time ran out")


class ExamAttempt(models.Model):
    exam = models.ForeignKey(Exam, on_delete=models.PROTECT, related_name="attempts")
    community = models.ForeignKey(
        "estates.Community",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("community"),
    )
    taker = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("taken by"),
    )
    number = models.PositiveSmallIntegerField(_("attempt"), default=1)
    state = models.CharField(
        _("state"), max_length=12, choices=AttemptState.choices, default=AttemptState.IN_PROGRESS
    )
    started_at = models.DateTimeField(_("started at"))
    deadline_at = models.DateTimeField(_("time is up at"))
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    question_count = models.PositiveSmallIntegerField(default=0)
    correct_count = models.PositiveSmallIntegerField(default=0)
    score = models.DecimalField(_("score"), max_digits=5, decimal_places=1, null=True, blank=True)
    passed = models.BooleanField(_("passed"), null=True, blank=True)

    class Meta:
        ordering = ["-started_at", "-id"]
        constraints = [
            # One attempt at a time per person, and never more attempts than the exam allows:
            # two tabs starting at once cannot both win.
            models.UniqueConstraint(
                fields=["taker"],
                condition=Q(state="in_progress"),
                name="exam_one_open_attempt",
            ),
            models.UniqueConstraint(
                fields=["exam", "taker", "number"], name="exam_attempt_number_once"
            ),
        ]
        indexes = [
            models.Index(fields=["community", "started_at"], name="exam_attempt_community"),
            models.Index(fields=["state", "deadline_at"], name="exam_attempt_due"),
        ]
        verbose_name = _("exam attempt")
        verbose_name_plural = _("exam attempts")

    def __str__(self) -> str:
        return f"{self.exam_id}/{self.taker_id}#{self.number}"


class AttemptAnswer(models.Model):
    attempt = models.ForeignKey(ExamAttempt, on_delete=models.CASCADE, related_name="answers")
    question = models.ForeignKey(ExamQuestion, on_delete=models.PROTECT, related_name="+")
    order = models.PositiveSmallIntegerField(default=0)
    chosen = models.JSONField(default=list, blank=True)
    saved_at = models.DateTimeField(null=True, blank=True)
    correct = models.BooleanField(null=True, blank=True)

    class Meta:
        ordering = ["attempt_id", "order"]
        constraints = [
            models.UniqueConstraint(fields=["attempt", "question"], name="exam_answer_once")
        ]

    def __str__(self) -> str:
        return f"{self.attempt_id}/{self.question_id}"


class TrainingKind(models.TextChoices):
    ROLE_PLAY = "role_play", _("Role-play")
    EMERGENCY_DRILL = "drill", _("Emergency drill")
    SYSTEM = "system", _("System training")
    PROCESS = "process", _("Processes and norms")
    OTHER = "other", _("Other")


class TrainingSession(models.Model):
    community = models.ForeignKey(
        "estates.Community", on_delete=models.PROTECT, related_name="+", verbose_name=_("community")
    )
    kind = models.CharField(_("kind"), max_length=12, choices=TrainingKind.choices)
    title = models.CharField(_("title"), max_length=100)
    held_on = models.DateField(_("held on"))
    hours = models.DecimalField(_("hours"), max_digits=4, decimal_places=1, default=1)
    trainer = models.CharField(_("trainer"), max_length=50, blank=True)
    note = models.TextField(_("note"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        ordering = ["-held_on", "-id"]
        indexes = [models.Index(fields=["community", "held_on"], name="training_held")]
        verbose_name = _("training session")
        verbose_name_plural = _("training sessions")

    def __str__(self) -> str:
        return self.title


class TrainingAttendance(models.Model):
    session = models.ForeignKey(
        TrainingSession, on_delete=models.CASCADE, related_name="attendance"
    )
    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    present = models.BooleanField(_("present"), default=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["session", "person"], name="training_attend_once")
        ]

    def __str__(self) -> str:
        return f"{self.session_id}/{self.person_id}"
