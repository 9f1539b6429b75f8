"""Temporary parking (临时停车), seed 001: a visitor's car recorded at the gate when it comes in
and when it leaves, priced by the community's rule (billing's temporary-parking rate and policy:
free minutes, a price per started period, a cap) and paid at the gate or the cashier desk with a
receipt (a billing payment of no house)."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from propdesk.core.money import from_fen
from propdesk.estates.models import Community


class StayStatus(models.TextChoices):
    PARKED = "parked", _("Parked")
    DUE = "due", _("Left, to pay")
    PAID = "paid", _("Paid")
    FREE = "free", _("Left, nothing to pay")


class ParkingStay(models.Model):
    community = models.ForeignKey(
        Community, on_delete=models.PROTECT, related_name="+", verbose_name=_("community")
    )
    plate = models.CharField(_("plate"), max_length=10)
    entered_at = models.DateTimeField(_("came in at"))
    left_at = models.DateTimeField(_("left at"), null=True, blank=True)
    minutes = models.PositiveIntegerField(_("minutes parked"), null=True, blank=True)
    fee_fen = models.BigIntegerField(_("fee (fen)"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=StayStatus.choices, default=StayStatus.PARKED
    )
    payment = models.OneToOneField(
        "billing.Payment",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="parking_stay",
    )
    note = models.CharField(_("note"), max_length=200, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-entered_at", "-id"]
        constraints = [
            # One car is parked once at a time in a community.
            models.UniqueConstraint(
                fields=["community", "plate"],
                condition=Q(status="parked"),
                name="parking_one_open_stay",
            ),
            models.CheckConstraint(
                condition=Q(left_at__isnull=True) | Q(left_at__gte=models.F("entered_at")),
                name="parking_leaves_after_entering",
            ),
        ]
        indexes = [
            models.Index(fields=["community", "status", "entered_at"], name="parking_queue"),
            models.Index(fields=["community", "plate"], name="parking_plate"),
        ]
        verbose_name = _("temporary parking stay")
        verbose_name_plural = _("temporary parking stays")

    def __str__(self) -> str:
        return f"{self.plate} {self.entered_at:%Y-%m-%d %H:%M}"

    @property
    def fee(self):
        return None if self.fee_fen is None else from_fen(self.fee_fen)
