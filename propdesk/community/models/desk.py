"""The front-desk visit log (来访登记, seed 001 来访接待): walk-ins at the service centre."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class VisitPurpose(models.TextChoices):
    INQUIRY = "inquiry", _("Question")
    COMPLAINT = "complaint", _("Complaint")
    REPAIR = "repair", _("Repair")
    FEES = "fees", _("Fees")
    PROCEDURE = "procedure", _("Procedure (move-in, decoration, keys…)")
    SUGGESTION = "suggestion", _("Suggestion")
    OTHER = "other", _("Other")


class VisitOutcome(models.TextChoices):
    ANSWERED = "answered", _("Answered on the spot")
    REFERRED = "referred", _("Referred to a colleague")
    CALLBACK = "callback", _("Callback promised")
    REQUEST = "request", _("Recorded as a request")


class DeskVisit(models.Model):
    community = models.ForeignKey(
        "estates.Community", on_delete=models.PROTECT, related_name="+", verbose_name=_("community")
    )
    visited_at = models.DateTimeField(_("time"), default=timezone.now)
    visitor_name = models.CharField(_("visitor"), max_length=100)
    visitor_mobile = models.CharField(_("mobile"), max_length=11, blank=True)
    house = models.ForeignKey(
        "estates.House",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("house"),
    )
    purpose = models.CharField(_("purpose"), max_length=20, choices=VisitPurpose.choices)
    details = models.TextField(_("what they came about"))
    referred_to = models.CharField(_("referred to"), max_length=100, blank=True)
    outcome = models.CharField(_("outcome"), max_length=20, choices=VisitOutcome.choices)
    outcome_note = models.CharField(_("outcome note"), max_length=500, blank=True)
    callback_at = models.DateTimeField(_("promised callback"), null=True, blank=True)
    request = models.ForeignKey(
        "tickets.ServiceRequest",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("request"),
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-visited_at", "-id"]
        indexes = [models.Index(fields=["community", "visited_at"])]
        verbose_name = _("desk visit")
        verbose_name_plural = _("desk visits")

    def __str__(self) -> str:
        return f"{self.visited_at:%Y-%m-%d %H:%M}"
