"""Announcements (公告), notification templates per event, and each person's contact preferences.

DOMAIN.md §6 (announcements and owner messaging) and §2 (telling the owner where a request
stands). The messages themselves live in the outbox (`core.OutboxMessage`); this app decides
what they say (templates), to whom (announcement audiences) and how (preferences, quiet hours).
"""

import datetime

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class NotificationTemplate(models.Model):
    """The words of one event's message on one channel; a community row overrides the default.

    Bodies use `{variable}` placeholders from the event's whitelist (`notices.events`); they are
    rendered with a restricted formatter, never as Django templates.
    """

    class Channel(models.TextChoices):
        ANY = "any", _("Every channel")
        SMS = "sms", _("SMS")
        EMAIL = "email", _("Email")
        IN_APP = "in_app", _("In-app")

    community = models.ForeignKey(
        "estates.Community",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("community"),
        help_text=_("Empty: the default for every community."),
    )
    event = models.CharField(_("event"), max_length=40)
    channel = models.CharField(
        _("channel"), max_length=10, choices=Channel.choices, default=Channel.ANY
    )
    subject = models.CharField(_("subject"), max_length=200, blank=True)
    body = models.TextField(_("text"))
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    updated_at = models.DateTimeField(_("updated at"), default=timezone.now)

    class Meta:
        ordering = ["event", "channel", "community_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["community", "event", "channel"], name="notice_template_unique"
            ),
            models.UniqueConstraint(
                fields=["event", "channel"],
                condition=models.Q(community__isnull=True),
                name="notice_template_default_unique",
            ),
        ]
        indexes = [models.Index(fields=["community", "event"], name="notice_template_event")]
        verbose_name = _("notification template")
        verbose_name_plural = _("notification templates")

    def __str__(self) -> str:
        return f"{self.event} / {self.channel}"


class ContactPreference(models.Model):
    """How a person with a portal account wants to be reached, and when not to be disturbed.

    No row means the defaults below. The in-app inbox cannot be turned off: it is the record of
    every message and the fall-back when the other channels are off (README: the fall-back rule).
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="contact_preference"
    )
    sms_enabled = models.BooleanField(_("SMS"), default=True)
    email_enabled = models.BooleanField(_("email"), default=False)
    email = models.EmailField(_("email address"), max_length=200, blank=True)
    quiet_hours_enabled = models.BooleanField(_("do not disturb at night"), default=True)
    quiet_start = models.TimeField(_("quiet from"), default=datetime.time(22, 0))
    quiet_end = models.TimeField(_("quiet until"), default=datetime.time(8, 0))
    updated_at = models.DateTimeField(_("updated at"), default=timezone.now)

    class Meta:
        verbose_name = _("contact preference")
        verbose_name_plural = _("contact preferences")

    def __str__(self) -> str:
        return str(self.user)


class Announcement(models.Model):
    """A notice to a community or some of its buildings (公告): drafted, scheduled, published."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SCHEDULED = "scheduled", _("Scheduled")
        PUBLISHED = "published", _("Published")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    community = models.ForeignKey(
        "estates.Community",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("community"),
    )
    buildings = models.ManyToManyField(
        "estates.Building",
        blank=True,
        related_name="+",
        verbose_name=_("buildings"),
        help_text=_("None chosen: the whole community."),
    )
    title = models.CharField(_("title"), max_length=100)
    body = models.TextField(_("text"))
    urgent = models.BooleanField(
        _("emergency"),
        default=False,
        help_text=_("Emergencies are sent at once, even at night and on channels turned off."),
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    publish_at = models.DateTimeField(_("publish at"), null=True, blank=True)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    recipients = models.PositiveIntegerField(_("people notified"), default=0)
    # Set by the worker once every message is in the outbox; empty while a published
    # announcement waits for it (publishing never computes the audience in the request).
    delivered_at = models.DateTimeField(_("messages queued at"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated at"), default=timezone.now)

    class Meta:
        ordering = ["-published_at", "-created_at", "-id"]
        indexes = [
            models.Index(fields=["community", "status", "-published_at"], name="announcement_feed"),
            models.Index(fields=["status", "publish_at"], name="announcement_due"),
        ]
        verbose_name = _("announcement")
        verbose_name_plural = _("announcements")

    def __str__(self) -> str:
        return self.title

    @property
    def messages_queuing(self) -> bool:
        """Published, and the worker has not yet queued the messages to its audience."""
        return self.status == self.Status.PUBLISHED and self.delivered_at is None


class AnnouncementRead(models.Model):
    """One person has opened one announcement."""

    announcement = models.ForeignKey(Announcement, on_delete=models.CASCADE, related_name="reads")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    read_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "announcement"], name="announcement_read_once")
        ]

    def __str__(self) -> str:
        return f"{self.user_id} read {self.announcement_id}"


class InboxRead(models.Model):
    """One person has opened one message of their in-app inbox (an in_app outbox row)."""

    message = models.ForeignKey("core.OutboxMessage", on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    read_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "message"], name="inbox_read_once")]

    def __str__(self) -> str:
        return f"{self.user_id} read {self.message_id}"
