"""Regular owner visits (业主走访) and owner forums' opinions (座谈会, seed 003 ch.6; DOMAIN.md
§6): a visit plan per building, the visits made, and the opinions heard, each opinion becoming
a suggestion (建议) request."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class OwnerVisitPlan(models.Model):
    """How often the houses of a building are visited (every 90 days by default)."""

    community = models.ForeignKey("estates.Community", on_delete=models.PROTECT, related_name="+")
    building = models.OneToOneField(
        "estates.Building", on_delete=models.PROTECT, related_name="+", verbose_name=_("building")
    )
    every_days = models.PositiveSmallIntegerField(_("visit every (days)"), default=90)
    next_due_on = models.DateField(_("next visit due"))
    last_visit_on = models.DateField(_("last visit"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["community_id", "next_due_on", "id"]
        indexes = [models.Index(fields=["community", "next_due_on"])]
        verbose_name = _("owner visit plan")
        verbose_name_plural = _("owner visit plans")

    def __str__(self) -> str:
        return str(self.building_id)


class OwnerVisit(models.Model):
    """A visit to a house: when, who went, and the owner's opinions."""

    community = models.ForeignKey("estates.Community", on_delete=models.PROTECT, related_name="+")
    building = models.ForeignKey("estates.Building", on_delete=models.PROTECT, related_name="+")
    house = models.ForeignKey(
        "estates.House", on_delete=models.PROTECT, related_name="+", verbose_name=_("house")
    )
    visited_on = models.DateField(_("visited on"))
    visited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    opinions = models.TextField(_("opinions"), blank=True)
    note = models.CharField(_("note"), max_length=500, blank=True)
    request = models.ForeignKey(
        "tickets.ServiceRequest", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["community_id", "-visited_on", "-id"]
        indexes = [models.Index(fields=["community", "visited_on"])]
        verbose_name = _("owner visit")
        verbose_name_plural = _("owner visits")

    def __str__(self) -> str:
        return f"{self.house_id} {self.visited_on}"


class ForumOpinion(models.Model):
    """An opinion heard at an owner forum (an activity of the forum kind), recorded by staff and
    made a suggestion request at once."""

    community = models.ForeignKey("estates.Community", on_delete=models.PROTECT, related_name="+")
    activity = models.ForeignKey(
        "community.Activity", on_delete=models.PROTECT, related_name="opinions"
    )
    house = models.ForeignKey(
        "estates.House", on_delete=models.PROTECT, related_name="+", verbose_name=_("house")
    )
    text = models.TextField(_("opinion"))
    request = models.ForeignKey(
        "tickets.ServiceRequest", on_delete=models.PROTECT, related_name="+"
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["activity_id", "recorded_at", "id"]
        verbose_name = _("forum opinion")
        verbose_name_plural = _("forum opinions")

    def __str__(self) -> str:
        return self.text[:40]
