"""Birthday greetings and severe-weather warnings (seed 003 ch.6; DOMAIN.md §6): who asked not to
be greeted, which greetings went out (once per person and year), and the warnings staff schedule
to chosen communities."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class GreetingOptOut(models.Model):
    """A person who does not want birthday greetings. `person_key` is the company and a digest of
    the person's resident ID number, so the same person is one key in every community of the
    company and the table holds no ID number."""

    community = models.ForeignKey("estates.Community", on_delete=models.PROTECT, related_name="+")
    person_key = models.CharField(max_length=80, unique=True)
    owner = models.ForeignKey(
        "estates.Owner", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    resident = models.ForeignKey(
        "estates.Resident", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("birthday greeting opt-out")
        verbose_name_plural = _("birthday greeting opt-outs")

    def __str__(self) -> str:
        return self.person_key


class GreetingSetting(models.Model):
    """Whether a community greets its people on their birthday (on without a row)."""

    community = models.OneToOneField(
        "estates.Community", on_delete=models.CASCADE, related_name="+", verbose_name=_("community")
    )
    enabled = models.BooleanField(_("birthday greetings on"), default=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("birthday greeting setting")
        verbose_name_plural = _("birthday greeting settings")

    def __str__(self) -> str:
        return f"{self.community_id}: {self.enabled}"


class BirthdayGreeting(models.Model):
    """One greeting sent: the unique (person, year) makes a second one impossible, whichever
    worker tries and however often the job runs."""

    community = models.ForeignKey("estates.Community", on_delete=models.PROTECT, related_name="+")
    person_key = models.CharField(max_length=80)
    # Who was greeted, for the staff's list (the message itself names nobody).
    owner = models.ForeignKey(
        "estates.Owner", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    resident = models.ForeignKey(
        "estates.Resident", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    year = models.PositiveSmallIntegerField()
    sent_on = models.DateField()
    messages = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["community_id", "-sent_on", "id"]
        indexes = [models.Index(fields=["community", "sent_on"])]
        constraints = [
            models.UniqueConstraint(
                fields=["person_key", "year"], name="community_greeting_once_a_year"
            )
        ]
        verbose_name = _("birthday greeting")
        verbose_name_plural = _("birthday greetings")

    def __str__(self) -> str:
        return f"{self.person_key} {self.year}"


class WarningStatus(models.TextChoices):
    SCHEDULED = "scheduled", _("To be sent")
    SENT = "sent", _("Sent")
    CANCELLED = "cancelled", _("Cancelled")


class WeatherWarning(models.Model):
    """A severe-weather warning to one community, sent at `send_at` through the notices template
    `weather.warning` and the owners' quiet hours; its special-care residents get a phone call
    from staff (a care call due before the send) and their message first."""

    community = models.ForeignKey(
        "estates.Community", on_delete=models.PROTECT, related_name="+", verbose_name=_("community")
    )
    title = models.CharField(_("title"), max_length=60)
    text = models.CharField(_("advice"), max_length=300)
    send_at = models.DateTimeField(_("send at"))
    status = models.CharField(
        _("status"), max_length=10, choices=WarningStatus.choices, default=WarningStatus.SCHEDULED
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(_("queued at"), null=True, blank=True)
    care_calls = models.PositiveIntegerField(_("calls to make"), default=0)
    care_told = models.PositiveIntegerField(_("special-care residents told"), default=0)
    recipients = models.PositiveIntegerField(_("people told"), default=0)

    class Meta:
        ordering = ["-send_at", "-id"]
        indexes = [
            models.Index(fields=["community", "send_at"]),
            models.Index(
                fields=["send_at"], name="community_warning_due", condition=Q(status="scheduled")
            ),
        ]
        verbose_name = _("severe-weather warning")
        verbose_name_plural = _("severe-weather warnings")

    def __str__(self) -> str:
        return self.title
