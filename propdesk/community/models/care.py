"""Special-care residents (特殊关怀, seed 003 ch.6 §8): who needs looking after, the visit plan
and the visits, and the calls made to them first when severe weather is on its way."""

import datetime

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class CareCategory(models.TextChoices):
    ELDERLY_ALONE = "elderly_alone", _("Elderly, living alone")
    DISABLED = "disabled", pgettext_lazy("care category", "Disabled")  # not "switched off"
    OTHER = "other", _("Other")


class CareResident(models.Model):
    """A resident the centre looks after. Health and disability details are personal data:
    masked everywhere, shown only to roles with the right, every reveal logged."""

    community = models.ForeignKey(
        "estates.Community", on_delete=models.PROTECT, related_name="+", verbose_name=_("community")
    )
    house = models.ForeignKey(
        "estates.House", on_delete=models.PROTECT, related_name="+", verbose_name=_("house")
    )
    name = models.CharField(_("name"), max_length=100)
    mobile = models.CharField(_("mobile"), max_length=11, blank=True)
    category = models.CharField(_("category"), max_length=20, choices=CareCategory.choices)
    visit_every_days = models.PositiveSmallIntegerField(_("visit every (days)"), default=30)
    emergency_contact = models.CharField(_("emergency contact"), max_length=100, blank=True)
    emergency_mobile = models.CharField(_("emergency contact's mobile"), max_length=11, blank=True)
    health_notes = models.TextField(_("health and disability details"), blank=True)
    notes = models.CharField(_("notes"), max_length=300, blank=True)
    next_visit_on = models.DateField(_("next visit due"))
    last_visit_on = models.DateField(_("last visit"), null=True, blank=True)
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["community_id", "next_visit_on", "id"]
        indexes = [models.Index(fields=["community", "active", "next_visit_on"])]
        verbose_name = _("special-care resident")
        verbose_name_plural = _("special-care residents")

    def __str__(self) -> str:
        return self.name

    def is_overdue(self, today: datetime.date) -> bool:
        return self.active and self.next_visit_on < today


class CareVisit(models.Model):
    community = models.ForeignKey("estates.Community", on_delete=models.PROTECT, related_name="+")
    resident = models.ForeignKey(CareResident, on_delete=models.PROTECT, related_name="visits")
    visited_on = models.DateField(_("visited on"))
    visited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    findings = models.TextField(_("findings"))
    help_given = models.CharField(_("help given"), max_length=500, blank=True)
    request = models.ForeignKey(
        "tickets.ServiceRequest", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["resident_id", "-visited_on", "-id"]
        verbose_name = _("care visit")
        verbose_name_plural = _("care visits")

    def __str__(self) -> str:
        return f"{self.visited_on}"


class CareCall(models.Model):
    """A phone call to make to a special-care resident before a warning reaches everyone."""

    community = models.ForeignKey("estates.Community", on_delete=models.PROTECT, related_name="+")
    resident = models.ForeignKey(CareResident, on_delete=models.PROTECT, related_name="calls")
    reason = models.CharField(_("reason"), max_length=200)
    due_at = models.DateTimeField(_("call by"))
    done_at = models.DateTimeField(_("called at"), null=True, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    outcome = models.CharField(_("outcome"), max_length=300, blank=True)
    source = models.CharField(max_length=60)  # e.g. "warning:12", one call per source

    class Meta:
        ordering = ["community_id", "done_at", "due_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["resident", "source"], name="community_care_call_once_per_source"
            )
        ]
        verbose_name = _("care call")
        verbose_name_plural = _("care calls")

    def __str__(self) -> str:
        return self.reason
