"""Satisfaction surveys (满意度调查), DOMAIN.md §7 and issue 16.

A questionnaire is a list of questions (a 1–5 scale, single or multiple choice, free text), each
scale question tagged with the dimension it measures. A round sends one questionnaire to all
houses of a community (or a random sample) for a period; each house answers once per round, on
the portal or through an agent (phone, visit). A low answer (≤ 2) waits for a supervisor's
decision: a follow-up task or a complaint request.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class QuestionKind(models.TextChoices):
    SCALE = "scale", _("Scale 1–5")
    SINGLE = "single", _("Single choice")
    MULTIPLE = "multiple", _("Multiple choice")
    TEXT = "text", _("Free text")


class Dimension(models.TextChoices):
    """What a scale question measures (000 三(2), 004)."""

    ATTITUDE = "attitude", _("Service attitude")
    KNOWLEDGE = "knowledge", _("Knowledge")
    COMMUNICATION = "communication", _("Communication")
    PROBLEM_SOLVING = "problem_solving", _("Problem solving")
    ONLINE = "online", _("Online channels")
    OVERALL = "overall", _("Overall")


class Questionnaire(models.Model):
    community = models.ForeignKey(
        "estates.Community",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("community"),
        help_text=_("Empty: the company's questionnaire, usable in every community."),
    )
    title = models.CharField(_("title"), max_length=100)
    intro = models.TextField(_("introduction"), max_length=1000, blank=True)
    is_monthly_default = models.BooleanField(_("the monthly survey"), default=False)
    is_active = models.BooleanField(_("in use"), default=True)

    class Meta:
        ordering = ["community_id", "id"]
        verbose_name = _("questionnaire")
        verbose_name_plural = _("questionnaires")

    def __str__(self) -> str:
        return self.title


class Question(models.Model):
    questionnaire = models.ForeignKey(
        Questionnaire, on_delete=models.CASCADE, related_name="questions"
    )
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    kind = models.CharField(_("kind"), max_length=10, choices=QuestionKind.choices)
    text = models.CharField(_("question"), max_length=300)
    dimension = models.CharField(
        _("dimension"), max_length=20, choices=Dimension.choices, blank=True
    )
    options = models.JSONField(_("options"), default=list, blank=True)
    required = models.BooleanField(_("required"), default=True)

    class Meta:
        ordering = ["questionnaire_id", "order", "id"]
        verbose_name = _("question")
        verbose_name_plural = _("questions")

    def __str__(self) -> str:
        return self.text


class RoundState(models.TextChoices):
    OPEN = "open", _("Collecting answers")
    CLOSED = "closed", _("Closed")


class SurveyRound(models.Model):
    community = models.ForeignKey(
        "estates.Community", on_delete=models.PROTECT, related_name="+", verbose_name=_("community")
    )
    questionnaire = models.ForeignKey(
        Questionnaire, on_delete=models.PROTECT, related_name="rounds"
    )
    period = models.DateField(_("month"), help_text=_("The first day of the month surveyed."))
    opens_on = models.DateField(_("opens on"))
    closes_on = models.DateField(_("closes on"))
    sample_size = models.PositiveIntegerField(_("sample size"), null=True, blank=True)
    state = models.CharField(
        _("state"), max_length=10, choices=RoundState.choices, default=RoundState.OPEN
    )
    targets_count = models.PositiveIntegerField(_("houses asked"), default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"))

    class Meta:
        ordering = ["-period", "community_id", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["community", "questionnaire", "period"], name="survey_round_once"
            )
        ]
        verbose_name = _("survey round")
        verbose_name_plural = _("survey rounds")

    def __str__(self) -> str:
        return f"{self.questionnaire.title} {self.period:%Y-%m}"


class SurveyTarget(models.Model):
    """A house asked in a round."""

    round = models.ForeignKey(SurveyRound, on_delete=models.CASCADE, related_name="targets")
    community = models.ForeignKey("estates.Community", on_delete=models.PROTECT, related_name="+")
    house = models.ForeignKey("estates.House", on_delete=models.PROTECT, related_name="+")
    answered = models.BooleanField(default=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["round", "house"], name="survey_target_once")
        ]
        indexes = [models.Index(fields=["round", "answered", "house"], name="survey_target_todo")]

    def __str__(self) -> str:
        return f"{self.round_id}/{self.house_id}"


class AnswerChannel(models.TextChoices):
    PORTAL = "portal", _("Owner portal")
    PHONE = "phone", _("Phone")
    VISIT = "visit", _("Visit")


class FollowUpChoice(models.TextChoices):
    PENDING = "pending", _("Waiting for a decision")
    TASK = "task", _("Follow-up task")
    COMPLAINT = "complaint", _("Complaint request")
    NONE = "none", _("No action needed")


class SurveyResponse(models.Model):
    """One house's answer to a round (one per house per round)."""

    round = models.ForeignKey(SurveyRound, on_delete=models.PROTECT, related_name="responses")
    community = models.ForeignKey("estates.Community", on_delete=models.PROTECT, related_name="+")
    house = models.ForeignKey("estates.House", on_delete=models.PROTECT, related_name="+")
    respondent = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("answered by"),
    )
    respondent_name = models.CharField(_("respondent"), max_length=100, blank=True)
    channel = models.CharField(_("channel"), max_length=10, choices=AnswerChannel.choices)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("entered by"),
    )
    answered_at = models.DateTimeField(_("answered at"))
    scale_count = models.PositiveSmallIntegerField(default=0)
    satisfied_count = models.PositiveSmallIntegerField(default=0)
    lowest_score = models.PositiveSmallIntegerField(null=True, blank=True)
    comment = models.TextField(_("comments"), blank=True)
    follow_up = models.CharField(
        _("follow-up"), max_length=10, choices=FollowUpChoice.choices, blank=True
    )
    follow_up_request = models.ForeignKey(
        "tickets.ServiceRequest",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("follow-up request"),
    )
    follow_up_assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("follow-up by"),
    )
    follow_up_note = models.TextField(_("follow-up note"), blank=True)
    follow_up_decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    follow_up_done_at = models.DateTimeField(_("follow-up done at"), null=True, blank=True)

    class Meta:
        ordering = ["-answered_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["round", "house"], name="survey_response_once")
        ]
        indexes = [
            models.Index(fields=["community", "answered_at"], name="survey_resp_community"),
            models.Index(fields=["community", "follow_up"], name="survey_resp_follow_up"),
        ]
        verbose_name = _("survey answer")
        verbose_name_plural = _("survey answers")

    def __str__(self) -> str:
        return f"{self.round_id}/{self.house_id}"


class SurveyAnswer(models.Model):
    response = models.ForeignKey(SurveyResponse, on_delete=models.CASCADE, related_name="answers")
    question = models.ForeignKey(Question, on_delete=models.PROTECT, related_name="+")
    score = models.PositiveSmallIntegerField(null=True, blank=True)
    choices = models.JSONField(default=list, blank=True)
    text = models.TextField(blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["response", "question"], name="survey_answer_once"),
            models.CheckConstraint(
                condition=Q(score__isnull=True) | Q(score__gte=1, score__lte=5),
                name="survey_answer_score_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.response_id}/{self.question_id}"
