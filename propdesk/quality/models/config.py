"""The figures service quality is measured against (DOMAIN.md §7–8): every one a default that a
company (the row without a community) or a community (its own row) can change."""

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _


class QualitySettings(models.Model):
    community = models.OneToOneField(
        "estates.Community",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("community"),
        help_text=_("Empty: the company-wide default."),
    )
    answer_rate_target_percent = models.DecimalField(
        _("answer rate target (%)"),
        max_digits=5,
        decimal_places=2,
        default=98,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )
    answer_within_seconds = models.PositiveSmallIntegerField(
        _("answer within (seconds)"), default=3, validators=[MaxValueValidator(600)]
    )
    answer_before_ring = models.PositiveSmallIntegerField(
        _("answer before ring number"),
        default=3,
        validators=[MinValueValidator(1), MaxValueValidator(20)],
    )
    ring_cycle_seconds = models.PositiveSmallIntegerField(
        _("one ring lasts (seconds)"),
        default=5,
        validators=[MinValueValidator(1), MaxValueValidator(60)],
        help_text=_("Used to count rings when the telephone system does not report them."),
    )
    satisfaction_target_percent = models.DecimalField(
        _("satisfaction target (%)"),
        max_digits=5,
        decimal_places=2,
        default=90,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )

    survey_monthly = models.BooleanField(_("open the monthly survey by itself"), default=True)
    survey_open_day = models.PositiveSmallIntegerField(
        _("monthly survey opens on day"),
        default=1,
        validators=[MinValueValidator(1), MaxValueValidator(7)],
        help_text=_("In the first week of the month (000 三(2))."),
    )
    survey_days_open = models.PositiveSmallIntegerField(
        _("survey open for (days)"),
        default=14,
        validators=[MinValueValidator(1), MaxValueValidator(60)],
    )
    survey_sample_size = models.PositiveIntegerField(
        _("houses asked (empty: all)"), null=True, blank=True
    )
    survey_low_score = models.PositiveSmallIntegerField(
        _("a score at or below this needs a follow-up"),
        default=2,
        validators=[MinValueValidator(1), MaxValueValidator(4)],
    )

    class Meta:
        verbose_name = _("quality settings")
        verbose_name_plural = _("quality settings")

    def __str__(self) -> str:
        return f"{self.community_id or '*'}"
