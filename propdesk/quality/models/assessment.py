"""The six-dimension staff assessment (绩效考核), issue 16 (DOMAIN.md §8, seed 004).

Each month every agent of a community gets a scorecard: service attitude, knowledge,
communication, problem solving, efficiency and owner satisfaction, each scored 0–100 from the
records (reviews, exams, request clocks, follow-up ratings, surveys) with its evidence kept
beside it, and a total weighted by the community's rules less the data-entry deduction. A
supervisor may adjust a score with a reason; closing the month freezes the scorecards.
"""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

DIMENSIONS = (
    "attitude",
    "knowledge",
    "communication",
    "problem_solving",
    "efficiency",
    "satisfaction",
)


class AssessmentDimension(models.TextChoices):
    ATTITUDE = "attitude", _("Service attitude")
    KNOWLEDGE = "knowledge", _("Knowledge")
    COMMUNICATION = "communication", _("Communication")
    PROBLEM_SOLVING = "problem_solving", _("Problem solving")
    EFFICIENCY = "efficiency", _("Efficiency")
    SATISFACTION = "satisfaction", _("Owner satisfaction")


class AssessmentRules(models.Model):
    """Weights and deductions: the company's row (no community) or a community's own."""

    community = models.OneToOneField(
        "estates.Community",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("community"),
        help_text=_("Empty: the company's rules, used where a community has none."),
    )
    weight_attitude = models.PositiveSmallIntegerField(_("weight: service attitude"), default=20)
    weight_knowledge = models.PositiveSmallIntegerField(_("weight: knowledge"), default=15)
    weight_communication = models.PositiveSmallIntegerField(_("weight: communication"), default=15)
    weight_problem_solving = models.PositiveSmallIntegerField(
        _("weight: problem solving"), default=20
    )
    weight_efficiency = models.PositiveSmallIntegerField(_("weight: efficiency"), default=15)
    weight_satisfaction = models.PositiveSmallIntegerField(
        _("weight: owner satisfaction"), default=15
    )
    late_feedback_points = models.PositiveSmallIntegerField(
        _("points off communication per late first response"), default=5
    )
    overdue_points = models.PositiveSmallIntegerField(
        _("points off efficiency per overdue request"), default=5
    )
    entry_error_target_percent = models.DecimalField(
        _("data-entry error target (%)"), max_digits=4, decimal_places=1, default=Decimal("2.0")
    )
    entry_error_points = models.PositiveSmallIntegerField(
        _("points off the total per percentage point of errors above the target"), default=5
    )

    class Meta:
        verbose_name = _("assessment rules")
        verbose_name_plural = _("assessment rules")

    def __str__(self) -> str:
        return str(self.community or _("The whole company"))

    def weights(self) -> dict[str, int]:
        return {name: getattr(self, f"weight_{name}") for name in DIMENSIONS}


class MonthState(models.TextChoices):
    OPEN = "open", _("Open")
    CLOSED = "closed", _("Closed")


class AssessmentMonth(models.Model):
    community = models.ForeignKey(
        "estates.Community", on_delete=models.PROTECT, related_name="+", verbose_name=_("community")
    )
    period = models.DateField(_("month"))
    state = models.CharField(
        _("state"), max_length=8, choices=MonthState.choices, default=MonthState.OPEN
    )
    computed_at = models.DateTimeField(_("computed at"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)

    class Meta:
        ordering = ["-period", "community_id"]
        constraints = [
            models.UniqueConstraint(fields=["community", "period"], name="assessment_month_once")
        ]
        verbose_name = _("assessment month")
        verbose_name_plural = _("assessment months")

    def __str__(self) -> str:
        return f"{self.community_id} {self.period:%Y-%m}"


class Scorecard(models.Model):
    month = models.ForeignKey(AssessmentMonth, on_delete=models.CASCADE, related_name="cards")
    community = models.ForeignKey("estates.Community", on_delete=models.PROTECT, related_name="+")
    agent = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("agent"),
    )
    attitude = models.DecimalField(max_digits=5, decimal_places=1, null=True, blank=True)
    knowledge = models.DecimalField(max_digits=5, decimal_places=1, null=True, blank=True)
    communication = models.DecimalField(max_digits=5, decimal_places=1, null=True, blank=True)
    problem_solving = models.DecimalField(max_digits=5, decimal_places=1, null=True, blank=True)
    efficiency = models.DecimalField(max_digits=5, decimal_places=1, null=True, blank=True)
    satisfaction = models.DecimalField(max_digits=5, decimal_places=1, null=True, blank=True)
    entry_error_percent = models.DecimalField(
        _("data-entry error rate (%)"), max_digits=5, decimal_places=2, null=True, blank=True
    )
    total = models.DecimalField(_("total"), max_digits=5, decimal_places=1, null=True, blank=True)
    evidence = models.JSONField(default=dict)
    adjusted = models.JSONField(default=dict, help_text=_("Dimensions a supervisor adjusted."))

    class Meta:
        ordering = ["-total", "agent_id"]
        constraints = [
            models.UniqueConstraint(fields=["month", "agent"], name="scorecard_once"),
        ]
        indexes = [models.Index(fields=["community", "agent"], name="scorecard_agent")]
        verbose_name = _("scorecard")
        verbose_name_plural = _("scorecards")

    def __str__(self) -> str:
        return f"{self.month} {self.agent_id}: {self.total}"

    def scores(self) -> dict[str, Decimal | None]:
        return {name: getattr(self, name) for name in DIMENSIONS}


class ScoreAdjustment(models.Model):
    scorecard = models.ForeignKey(Scorecard, on_delete=models.CASCADE, related_name="adjustments")
    dimension = models.CharField(max_length=20, choices=AssessmentDimension.choices)
    before = models.DecimalField(max_digits=5, decimal_places=1, null=True, blank=True)
    after = models.DecimalField(max_digits=5, decimal_places=1)
    reason = models.CharField(_("reason"), max_length=300)
    adjusted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    adjusted_at = models.DateTimeField()

    class Meta:
        ordering = ["adjusted_at", "id"]

    def __str__(self) -> str:
        return f"{self.scorecard_id} {self.dimension}: {self.before} → {self.after}"


class EntryCheck(models.Model):
    """A supervisor's sample of an agent's records: how many fields were checked and how many
    were wrong (target below 2 %, 000 二(2))."""

    community = models.ForeignKey(
        "estates.Community", on_delete=models.PROTECT, related_name="+", verbose_name=_("community")
    )
    agent = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("agent"),
    )
    period = models.DateField(_("month"))
    records_checked = models.PositiveIntegerField(_("records checked"))
    fields_checked = models.PositiveIntegerField(_("fields checked"))
    field_errors = models.PositiveIntegerField(_("fields wrong"))
    note = models.CharField(_("note"), max_length=300, blank=True)
    checked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    checked_at = models.DateTimeField(_("checked at"))

    class Meta:
        ordering = ["-checked_at", "-id"]
        indexes = [models.Index(fields=["community", "period", "agent"], name="entry_check_month")]
        verbose_name = _("data-entry check")
        verbose_name_plural = _("data-entry checks")

    def __str__(self) -> str:
        return f"{self.agent_id} {self.period:%Y-%m}: {self.field_errors}/{self.fields_checked}"
