"""SLA clocks, escalations and follow-up calls of service requests (DOMAIN.md §2, §7).

A request gets one clock per target of its policy (first response, on site, resolution). A clock
runs from `started_at` to `due_at`, stands still while the request waits on the owner, and stops
when the target is reached, recording met or missed. `next_check_at` is when the sweep must look
at it next (the next escalation threshold); the sweep reads only clocks whose time has come.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from propdesk.tickets.models.config import Target
from propdesk.tickets.models.requests import ServiceRequest


class ClockState(models.TextChoices):
    RUNNING = "running", _("Running")
    PAUSED = "paused", _("Paused")
    MET = "met", _("Met")
    BREACHED = "breached", _("Missed")
    CANCELLED = "cancelled", _("Cancelled")


class SlaClock(models.Model):
    community = models.ForeignKey(
        "estates.Community", on_delete=models.PROTECT, related_name="+", db_index=False
    )
    request = models.ForeignKey(
        ServiceRequest, on_delete=models.CASCADE, related_name="clocks", db_index=False
    )
    target = models.CharField(_("target"), max_length=20, choices=Target.choices)
    round = models.PositiveSmallIntegerField(
        default=1, help_text=_("A reopened request gets a new resolution clock.")
    )
    working = models.BooleanField(_("working time"), default=False)
    amount_seconds = models.PositiveIntegerField(_("target length (s)"))
    started_at = models.DateTimeField(_("started at"))
    due_at = models.DateTimeField(_("due at"))
    due_soon_at = models.DateTimeField(_("due soon from"))
    thresholds = models.JSONField(default=list, blank=True)
    next_threshold = models.PositiveSmallIntegerField(null=True, blank=True)
    next_check_at = models.DateTimeField(null=True, blank=True)
    paused_at = models.DateTimeField(null=True, blank=True)
    stopped_at = models.DateTimeField(null=True, blank=True)
    state = models.CharField(
        _("state"), max_length=10, choices=ClockState.choices, default=ClockState.RUNNING
    )

    class Meta:
        ordering = ["request_id", "round", "id"]
        constraints = [
            models.UniqueConstraint(fields=["request", "target", "round"], name="sla_clock_unique")
        ]
        indexes = [
            # The sweep: clocks whose next threshold has come, company-wide (a worker's read).
            models.Index(fields=["next_check_at"], name="sla_clock_due"),
            # Reports: met % per target and month.
            models.Index(fields=["community", "target", "stopped_at"], name="sla_clock_report"),
        ]
        verbose_name = _("SLA clock")
        verbose_name_plural = _("SLA clocks")

    def __str__(self) -> str:
        return f"{self.request_id} {self.target}#{self.round} {self.state}"


class Escalation(models.Model):
    """A threshold of a clock passed and the supervisors were told; once per threshold."""

    community = models.ForeignKey(
        "estates.Community", on_delete=models.PROTECT, related_name="+", db_index=False
    )
    request = models.ForeignKey(
        ServiceRequest, on_delete=models.CASCADE, related_name="escalations"
    )
    clock = models.ForeignKey(
        SlaClock, on_delete=models.CASCADE, related_name="escalations", db_index=False
    )
    percent = models.PositiveSmallIntegerField(_("threshold %"))
    at = models.DateTimeField(_("when"))
    notified = models.PositiveSmallIntegerField(_("people told"), default=0)

    class Meta:
        ordering = ["at", "id"]
        constraints = [models.UniqueConstraint(fields=["clock", "percent"], name="escalation_once")]
        indexes = [models.Index(fields=["community", "at"], name="escalation_report")]
        verbose_name = _("escalation")
        verbose_name_plural = _("escalations")

    def __str__(self) -> str:
        return f"{self.request_id} {self.percent}%"


class FollowUp(models.Model):
    """The call back (回访) after a resolution: satisfaction 1–5 and a comment, or unreachable."""

    class State(models.TextChoices):
        PENDING = "pending", _("To call")
        DONE = "done", _("Done")
        UNREACHABLE = "unreachable", _("Owner unreachable")
        CANCELLED = "cancelled", _("Cancelled")

    class Via(models.TextChoices):
        PHONE = "phone", _("Phone call")
        VISIT = "visit", _("Visit")
        PORTAL = "portal", _("Owner portal")
        SMS = "sms", _("SMS link")

    community = models.ForeignKey(
        "estates.Community", on_delete=models.PROTECT, related_name="+", db_index=False
    )
    request = models.ForeignKey(
        ServiceRequest, on_delete=models.CASCADE, related_name="follow_ups", db_index=False
    )
    round = models.PositiveSmallIntegerField(default=1)
    due_at = models.DateTimeField(_("call back by"))
    state = models.CharField(
        _("state"), max_length=12, choices=State.choices, default=State.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("unanswered calls"), default=0)
    last_attempt_at = models.DateTimeField(null=True, blank=True)
    satisfaction = models.PositiveSmallIntegerField(_("satisfaction"), null=True, blank=True)
    comment = models.TextField(_("comment"), max_length=1000, blank=True)
    via = models.CharField(_("via"), max_length=10, choices=Via.choices, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    completed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["request_id", "round"]
        constraints = [
            models.UniqueConstraint(fields=["request", "round"], name="follow_up_round_unique"),
            models.CheckConstraint(
                condition=models.Q(satisfaction__isnull=True)
                | models.Q(satisfaction__gte=1, satisfaction__lte=5),
                name="follow_up_satisfaction_range",
            ),
        ]
        indexes = [
            models.Index(fields=["community", "completed_at"], name="follow_up_report"),
        ]
        verbose_name = _("follow-up")
        verbose_name_plural = _("follow-ups")

    def __str__(self) -> str:
        return f"{self.request_id} #{self.round} {self.state}"


class AssignmentCursor(models.Model):
    """Round-robin position per community and department: who got the last request."""

    community = models.ForeignKey(
        "estates.Community", on_delete=models.PROTECT, related_name="+", db_index=False
    )
    department = models.ForeignKey(
        "accounts.Department", on_delete=models.PROTECT, related_name="+"
    )
    last_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["community", "department"], name="assignment_cursor_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.community_id}/{self.department_id} → {self.last_user_id}"


class FollowUpLink(models.Model):
    """A follow-up sent by SMS: a link the owner answers once on the portal, until it expires.

    The link carries a signed token naming this row and a random nonce; only the nonce's hash is
    stored, and `used_at` makes it single-use (tickets.services.follow_up_link)."""

    community = models.ForeignKey(
        "estates.Community", on_delete=models.PROTECT, related_name="+", db_index=False
    )
    request = models.ForeignKey(ServiceRequest, on_delete=models.CASCADE, related_name="+")
    follow_up = models.ForeignKey(FollowUp, on_delete=models.CASCADE, related_name="links")
    mobile = models.CharField(_("sent to"), max_length=20)
    nonce_hash = models.CharField(max_length=64, unique=True)
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    sent_at = models.DateTimeField(_("sent at"))
    expires_at = models.DateTimeField(_("valid until"))
    used_at = models.DateTimeField(_("answered at"), null=True, blank=True)

    class Meta:
        ordering = ["sent_at", "id"]
        verbose_name = _("follow-up link")
        verbose_name_plural = _("follow-up links")

    def __str__(self) -> str:
        return f"{self.request_id} {self.sent_at:%Y-%m-%d}"
