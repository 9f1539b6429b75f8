"""Quality reviews (质检), issue 16 (004, 001 电话的礼仪).

A review form is a checklist of weighted items. A supervisor reviews one agent's call (with its
recording), request or visit and deducts points per item with a note; the score is the share of
the points kept. The agent acknowledges it or appeals once with a reason, and another
supervisor decides the appeal. A review's marks never change: a correction is a new version
that supersedes the old one.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ReviewForm(models.Model):
    community = models.ForeignKey(
        "estates.Community",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("community"),
        help_text=_("Empty: the company's form, usable in every community."),
    )
    name = models.CharField(_("name"), max_length=100)
    is_active = models.BooleanField(_("in use"), default=True)

    class Meta:
        ordering = ["community_id", "id"]
        verbose_name = _("review form")
        verbose_name_plural = _("review forms")

    def __str__(self) -> str:
        return self.name


class ReviewItem(models.Model):
    form = models.ForeignKey(ReviewForm, on_delete=models.CASCADE, related_name="items")
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    text = models.CharField(_("checklist item"), max_length=200)
    points = models.PositiveSmallIntegerField(_("points"), default=10)
    dimension = models.CharField(_("dimension"), max_length=20, blank=True)
    source = models.CharField(_("source"), max_length=60, blank=True)

    class Meta:
        ordering = ["form_id", "order", "id"]
        verbose_name = _("review item")
        verbose_name_plural = _("review items")

    def __str__(self) -> str:
        return self.text


class ReviewSubject(models.TextChoices):
    CALL = "call", _("Call")
    REQUEST = "request", _("Request")
    VISIT = "visit", _("Visit")


class ReviewState(models.TextChoices):
    PUBLISHED = "published", _("Waiting for the agent")
    ACKNOWLEDGED = "acknowledged", _("Acknowledged")
    APPEALED = "appealed", _("Appealed")
    UPHELD = "upheld", _("Appeal refused")
    OVERTURNED = "overturned", _("Appeal granted")
    SUPERSEDED = "superseded", _("Corrected by a later version")


class Review(models.Model):
    community = models.ForeignKey(
        "estates.Community", on_delete=models.PROTECT, related_name="+", verbose_name=_("community")
    )
    agent = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("agent reviewed"),
    )
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("reviewer"),
    )
    form = models.ForeignKey(ReviewForm, on_delete=models.PROTECT, related_name="+")
    subject = models.CharField(_("what was reviewed"), max_length=10, choices=ReviewSubject.choices)
    call = models.ForeignKey(
        "quality.Call", null=True, blank=True, on_delete=models.PROTECT, related_name="reviews"
    )
    request = models.ForeignKey(
        "tickets.ServiceRequest",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    visit_note = models.CharField(_("visit"), max_length=200, blank=True)
    version = models.PositiveSmallIntegerField(_("version"), default=1)
    supersedes = models.OneToOneField(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="superseded_by",
        verbose_name=_("corrects"),
    )
    points_possible = models.PositiveIntegerField(default=0)
    points_deducted = models.PositiveIntegerField(default=0)
    score = models.DecimalField(_("score"), max_digits=5, decimal_places=1)
    note = models.TextField(_("note"), blank=True)
    state = models.CharField(
        _("state"), max_length=12, choices=ReviewState.choices, default=ReviewState.PUBLISHED
    )
    created_at = models.DateTimeField(_("reviewed at"))
    acknowledged_at = models.DateTimeField(_("acknowledged at"), null=True, blank=True)
    appeal_reason = models.TextField(_("appeal"), blank=True)
    appealed_at = models.DateTimeField(_("appealed at"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("appeal decided by"),
    )
    decision_note = models.TextField(_("decision"), blank=True)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["community", "agent", "created_at"], name="review_agent"),
            models.Index(fields=["community", "state"], name="review_state"),
        ]
        verbose_name = _("quality review")
        verbose_name_plural = _("quality reviews")

    def __str__(self) -> str:
        return f"{self.get_subject_display()} v{self.version} {self.score}"


class ReviewMark(models.Model):
    review = models.ForeignKey(Review, on_delete=models.PROTECT, related_name="marks")
    item = models.ForeignKey(ReviewItem, on_delete=models.PROTECT, related_name="+")
    deducted = models.PositiveSmallIntegerField(_("points deducted"), default=0)
    note = models.CharField(_("note"), max_length=300, blank=True)

    class Meta:
        ordering = ["item__order", "id"]
        constraints = [models.UniqueConstraint(fields=["review", "item"], name="review_mark_once")]

    def __str__(self) -> str:
        return f"{self.review_id}/{self.item_id}: -{self.deducted}"
