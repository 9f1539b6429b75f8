"""Emergency incidents (突发事件, seed 003 ch.4): per-community plans, the incident, its tasks,
broadcasts, linked calls and requests, and its timeline."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class IncidentKind(models.TextChoices):
    FIRE = "fire", _("Fire")
    POWER_CUT = "power_cut", _("Power cut")
    WATER_CUT = "water_cut", _("Water cut")
    FLOODING = "flooding", _("Leak or flooding")
    LIFT = "lift", _("Lift failure or entrapment")
    GAS = "gas", _("Gas leak")
    WEATHER = "weather", _("Severe weather")
    SECURITY = "security", _("Security incident")


class Severity(models.TextChoices):
    MINOR = "minor", _("Minor")
    MAJOR = "major", _("Major")
    SEVERE = "severe", _("Severe")


class PlanStep(models.Model):
    """One step of a community's plan for a kind of incident, in order (editable per community;
    seeded from the company defaults in `community.plans` on first use)."""

    community = models.ForeignKey(
        "estates.Community", on_delete=models.PROTECT, related_name="+", verbose_name=_("community")
    )
    kind = models.CharField(_("kind"), max_length=20, choices=IncidentKind.choices)
    position = models.PositiveSmallIntegerField(_("order"))
    title = models.CharField(_("step"), max_length=200)
    department = models.ForeignKey(
        "accounts.Department",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("department"),
    )
    due_minutes = models.PositiveIntegerField(_("minutes after opening"), default=15)

    class Meta:
        ordering = ["community_id", "kind", "position", "id"]
        indexes = [models.Index(fields=["community", "kind", "position"])]
        verbose_name = _("plan step")
        verbose_name_plural = _("plan steps")

    def __str__(self) -> str:
        return self.title


class IncidentStatus(models.TextChoices):
    ACTIVE = "active", _("Under way")
    CLOSED = "closed", _("Closed")


class Incident(models.Model):
    community = models.ForeignKey(
        "estates.Community", on_delete=models.PROTECT, related_name="+", verbose_name=_("community")
    )
    number = models.CharField(_("number"), max_length=30, unique=True)
    kind = models.CharField(_("kind"), max_length=20, choices=IncidentKind.choices)
    severity = models.CharField(_("severity"), max_length=10, choices=Severity.choices)
    place = models.CharField(_("place"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    is_drill = models.BooleanField(_("drill"), default=False)
    whole_community = models.BooleanField(_("whole community"), default=False)
    buildings = models.ManyToManyField(
        "estates.Building", blank=True, related_name="+", verbose_name=_("buildings")
    )
    units = models.ManyToManyField(
        "estates.Unit", blank=True, related_name="+", verbose_name=_("units")
    )
    status = models.CharField(
        _("status"), max_length=10, choices=IncidentStatus.choices, default=IncidentStatus.ACTIVE
    )
    expected_restore_at = models.DateTimeField(_("expected restoration"), null=True, blank=True)
    restored_at = models.DateTimeField(_("restored at"), null=True, blank=True)
    source_request = models.ForeignKey(
        "tickets.ServiceRequest",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("opened from request"),
    )
    opened_at = models.DateTimeField(_("opened at"), default=timezone.now)
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    linked_count = models.PositiveIntegerField(_("linked calls and requests"), default=0)
    staff_notified = models.PositiveIntegerField(_("staff notified"), default=0)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    cause = models.TextField(_("cause"), blank=True)
    measures = models.TextField(_("measures taken"), blank=True)

    class Meta:
        ordering = ["-opened_at", "-id"]
        indexes = [
            models.Index(fields=["community", "status", "opened_at"]),
            models.Index(fields=["community", "opened_at"]),
        ]
        verbose_name = _("incident")
        verbose_name_plural = _("incidents")

    def __str__(self) -> str:
        return f"{self.number} {self.get_kind_display()}"

    @property
    def is_active(self) -> bool:
        return self.status == IncidentStatus.ACTIVE


class IncidentTask(models.Model):
    """A plan step started for one incident: who does it and by when."""

    community = models.ForeignKey("estates.Community", on_delete=models.PROTECT, related_name="+")
    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="tasks")
    position = models.PositiveSmallIntegerField(_("order"))
    title = models.CharField(_("step"), max_length=200)
    department = models.ForeignKey(
        "accounts.Department", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    due_at = models.DateTimeField(_("due at"))
    done_at = models.DateTimeField(_("done at"), null=True, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    note = models.CharField(_("note"), max_length=300, blank=True)

    class Meta:
        ordering = ["incident_id", "position", "id"]
        verbose_name = _("incident task")
        verbose_name_plural = _("incident tasks")

    def __str__(self) -> str:
        return self.title

    def is_overdue(self, now) -> bool:
        return self.done_at is None and self.due_at < now


class BroadcastKind(models.TextChoices):
    OPENED = "opened", _("First notice")
    UPDATE = "update", _("Update")
    RESTORED = "restored", _("Restored")


class IncidentBroadcast(models.Model):
    """A message to every resident of the incident's scope; the worker queues it once."""

    community = models.ForeignKey("estates.Community", on_delete=models.PROTECT, related_name="+")
    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="broadcasts")
    kind = models.CharField(_("kind"), max_length=10, choices=BroadcastKind.choices)
    text = models.TextField(_("text"))
    expected_restore_at = models.DateTimeField(_("expected restoration"), null=True, blank=True)
    created_at = models.DateTimeField(_("sent at"), default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    claimed_at = models.DateTimeField(null=True, blank=True)
    delivered_at = models.DateTimeField(_("queued at"), null=True, blank=True)
    recipients = models.PositiveIntegerField(_("people told"), default=0)
    messages = models.PositiveIntegerField(_("messages"), default=0)

    class Meta:
        ordering = ["incident_id", "created_at", "id"]
        indexes = [models.Index(fields=["delivered_at", "created_at"])]
        verbose_name = _("broadcast")
        verbose_name_plural = _("broadcasts")

    def __str__(self) -> str:
        return self.text[:40]


class IncidentLink(models.Model):
    """A call or request about the incident, recorded on it instead of as a duplicate."""

    community = models.ForeignKey("estates.Community", on_delete=models.PROTECT, related_name="+")
    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="links")
    house = models.ForeignKey(
        "estates.House", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    request = models.ForeignKey(
        "tickets.ServiceRequest",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    caller_name = models.CharField(_("caller"), max_length=100, blank=True)
    note = models.CharField(_("note"), max_length=500, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["incident_id", "created_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["incident", "request"],
                condition=models.Q(request__isnull=False),
                name="community_incident_link_request_once",
            )
        ]
        verbose_name = _("linked call")
        verbose_name_plural = _("linked calls")

    def __str__(self) -> str:
        return self.caller_name or str(self.request_id or "")


class TimelineAction(models.TextChoices):
    OPENED = "opened", _("Opened")
    STAFF_NOTIFIED = "staff_notified", _("Staff notified")
    STEP_DONE = "step_done", _("Step done")
    STEP_UNDONE = "step_undone", _("Step reopened")
    BROADCAST = "broadcast", _("Broadcast")
    BROADCAST_QUEUED = "broadcast_queued", _("Broadcast queued")
    LINKED = "linked", _("Call or request linked")
    NOTE = "note", _("Note")
    PHOTO = "photo", _("Photo")
    RESTORED = "restored", _("Restored")
    CLOSED = "closed", _("Closed")
    FOLLOW_UP = "follow_up", _("Follow-up item turned into a request")


class IncidentEntry(models.Model):
    """One line of the incident's timeline: everything that happened, in order."""

    community = models.ForeignKey("estates.Community", on_delete=models.PROTECT, related_name="+")
    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="entries")
    at = models.DateTimeField(default=timezone.now)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    action = models.CharField(max_length=20, choices=TimelineAction.choices)
    note = models.TextField(blank=True)
    data = models.JSONField(default=dict, blank=True)
    photo = models.FileField(upload_to="incidents/%Y/%m/", blank=True)
    photo_type = models.CharField(max_length=40, blank=True)

    class Meta:
        ordering = ["incident_id", "at", "id"]
        verbose_name = _("timeline entry")
        verbose_name_plural = _("timeline entries")

    def __str__(self) -> str:
        return f"{self.get_action_display()} {self.at:%Y-%m-%d %H:%M}"


class FollowUpItem(models.Model):
    """A prevention item written on closing; each can become a request."""

    community = models.ForeignKey("estates.Community", on_delete=models.PROTECT, related_name="+")
    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="follow_ups")
    position = models.PositiveSmallIntegerField()
    text = models.CharField(_("prevention item"), max_length=300)
    request = models.ForeignKey(
        "tickets.ServiceRequest", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["incident_id", "position", "id"]
        verbose_name = _("prevention item")
        verbose_name_plural = _("prevention items")

    def __str__(self) -> str:
        return self.text


class DutyShift(models.Model):
    """Who is on duty when (值班): opening an incident tells those on duty in the plan's
    departments; a department with nobody on the roster tells all its staff in the community."""

    community = models.ForeignKey("estates.Community", on_delete=models.PROTECT, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    starts_at = models.DateTimeField(_("from"))
    ends_at = models.DateTimeField(_("until"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["community_id", "starts_at", "id"]
        indexes = [models.Index(fields=["community", "ends_at", "starts_at"])]
        verbose_name = _("duty shift")
        verbose_name_plural = _("duty shifts")

    def __str__(self) -> str:
        return f"{self.user} {self.starts_at:%Y-%m-%d %H:%M}"
