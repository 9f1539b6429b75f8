"""Fee transparency (收支公示), seed 003 ch.6 §9: a period's fee income (from the ledger) and
spending (entered or imported by category), prepared by one supervisor, reviewed by another and
published to owners. Published figures never change: a correction is a new version with its
reason, and the version it corrects stays readable as superseded."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from propdesk.core.money import from_fen
from propdesk.estates.models import Community


class PublicationStatus(models.TextChoices):
    DRAFT = "draft", _("Being prepared")
    SUBMITTED = "submitted", _("Waiting for review")
    PUBLISHED = "published", _("Published")
    SUPERSEDED = "superseded", _("Superseded by a correction")


OPEN_PUBLICATION = (PublicationStatus.DRAFT, PublicationStatus.SUBMITTED)


class LineKind(models.TextChoices):
    INCOME = "income", _("Income")
    SPENDING = "spending", _("Spending")


class FeePublication(models.Model):
    community = models.ForeignKey(
        Community, on_delete=models.PROTECT, related_name="+", verbose_name=_("community")
    )
    period_from = models.DateField(_("first month"))
    period_to = models.DateField(_("last month"))
    version = models.PositiveSmallIntegerField(_("version"), default=1)
    status = models.CharField(
        _("status"),
        max_length=12,
        choices=PublicationStatus.choices,
        default=PublicationStatus.DRAFT,
    )
    title = models.CharField(_("title"), max_length=100)
    supersedes = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="superseded_by"
    )
    correction_reason = models.CharField(_("reason for the correction"), max_length=300, blank=True)
    income_fen = models.BigIntegerField(_("income (fen)"), default=0)
    spending_fen = models.BigIntegerField(_("spending (fen)"), default=0)
    prepared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    prepared_at = models.DateTimeField(default=timezone.now)
    submitted_at = models.DateTimeField(null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    review_note = models.CharField(_("review note"), max_length=300, blank=True)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    announcement_id = models.BigIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["-period_from", "-version", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["community", "period_from", "period_to", "version"],
                name="publication_version_unique",
            ),
            # One version of a period is being prepared at a time.
            models.UniqueConstraint(
                fields=["community", "period_from", "period_to"],
                condition=Q(status__in=["draft", "submitted"]),
                name="publication_one_open",
            ),
            models.CheckConstraint(
                condition=Q(period_to__gte=models.F("period_from")),
                name="publication_period_order",
            ),
        ]
        indexes = [
            models.Index(fields=["community", "status", "period_from"], name="publication_list")
        ]
        verbose_name = _("fee publication")
        verbose_name_plural = _("fee publications")

    def __str__(self) -> str:
        return f"{self.title} v{self.version}"

    @property
    def income(self):
        return from_fen(self.income_fen)

    @property
    def spending(self):
        return from_fen(self.spending_fen)

    @property
    def balance(self):
        return from_fen(self.income_fen - self.spending_fen)


class PublicationLine(models.Model):
    community = models.ForeignKey(Community, on_delete=models.PROTECT, related_name="+")
    publication = models.ForeignKey(FeePublication, on_delete=models.PROTECT, related_name="lines")
    kind = models.CharField(_("kind"), max_length=10, choices=LineKind.choices)
    category = models.CharField(_("category"), max_length=60)
    amount_fen = models.BigIntegerField(_("amount (fen)"))
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        ordering = ["kind", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(amount_fen__gte=0), name="publication_line_amount")
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.category}"

    @property
    def amount(self):
        return from_fen(self.amount_fen)
