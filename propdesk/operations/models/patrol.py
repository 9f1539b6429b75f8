"""Patrol inspections (巡检): points with a QR code and a checklist, routes of ordered points,
plans that schedule rounds of a route, and the checks a patroller records (seed 002 §1.2, §3.3).

A round is one walk of a route due in a time window; each point checked on it is one row, with
its time and the order it was checked in. Points not checked when the round closes are missed.
"""

import datetime

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from propdesk.estates.models import Building, Community

# What a printed QR code holds: this prefix, the community's code and the point's code.
QR_PREFIX = "PDPATROL:"


class PatrolPoint(models.Model):
    community = models.ForeignKey(
        Community, on_delete=models.PROTECT, related_name="+", verbose_name=_("community")
    )
    building = models.ForeignKey(
        Building, on_delete=models.PROTECT, related_name="+", verbose_name=_("building")
    )
    code = models.SlugField(
        _("code"),
        max_length=40,
        help_text=_("Unique in the community; printed under the QR code for typing."),
    )
    name = models.CharField(_("name"), max_length=100)
    place = models.CharField(_("place"), max_length=200, blank=True)
    checklist = models.TextField(_("checklist"), blank=True, help_text=_("One item a line."))
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        ordering = ["community_id", "code"]
        verbose_name = _("patrol point")
        verbose_name_plural = _("patrol points")
        constraints = [
            models.UniqueConstraint(fields=["community", "code"], name="patrol_point_code_unique")
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"

    def checklist_items(self) -> list[str]:
        return [line.strip() for line in self.checklist.splitlines() if line.strip()]

    def qr_text(self) -> str:
        return f"{QR_PREFIX}{self.community.code}/{self.code}"


class PatrolRoute(models.Model):
    community = models.ForeignKey(
        Community, on_delete=models.PROTECT, related_name="+", verbose_name=_("community")
    )
    name = models.CharField(_("name"), max_length=100)
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        ordering = ["community_id", "name"]
        verbose_name = _("patrol route")
        verbose_name_plural = _("patrol routes")

    def __str__(self) -> str:
        return self.name


class PatrolStop(models.Model):
    """A point's place on a route (1 is walked first)."""

    community_id = models.IntegerField()
    route = models.ForeignKey(PatrolRoute, on_delete=models.CASCADE, related_name="stops")
    point = models.ForeignKey(PatrolPoint, on_delete=models.PROTECT, related_name="+")
    position = models.PositiveSmallIntegerField()

    class Meta:
        ordering = ["route_id", "position"]
        constraints = [
            models.UniqueConstraint(fields=["route", "position"], name="patrol_stop_position"),
            models.UniqueConstraint(fields=["route", "point"], name="patrol_stop_point_once"),
        ]

    def __str__(self) -> str:
        return f"{self.route_id}#{self.position}"


class PatrolPlan(models.Model):
    """A route walked every N days from a first day, at a time, within a window; for a person
    or a department (the seeds give no frequencies: each plan sets its own)."""

    community = models.ForeignKey(
        Community, on_delete=models.PROTECT, related_name="+", verbose_name=_("community")
    )
    route = models.ForeignKey(
        PatrolRoute, on_delete=models.PROTECT, related_name="plans", verbose_name=_("route")
    )
    name = models.CharField(_("name"), max_length=100)
    every_days = models.PositiveSmallIntegerField(_("every (days)"), default=1)
    starts_on = models.DateField(_("first day"))
    start_time = models.TimeField(_("starts at"))
    window_minutes = models.PositiveSmallIntegerField(_("time allowed (minutes)"), default=120)
    department = models.ForeignKey(
        "accounts.Department",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("department"),
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("patroller"),
    )
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["community_id", "name"]
        verbose_name = _("patrol plan")
        verbose_name_plural = _("patrol plans")

    def __str__(self) -> str:
        return self.name

    def due_days(self, first: datetime.date, last: datetime.date) -> list[datetime.date]:
        """The days in [first, last] on which this plan's round is due."""
        start = max(first, self.starts_on)
        offset = (start - self.starts_on).days % self.every_days
        day = start + datetime.timedelta(days=(self.every_days - offset) % self.every_days)
        days = []
        while day <= last:
            days.append(day)
            day += datetime.timedelta(days=self.every_days)
        return days


class RoundStatus(models.TextChoices):
    SCHEDULED = "scheduled", _("Not yet walked")
    IN_PROGRESS = "in_progress", _("Being walked")
    DONE = "done", _("Round done")
    MISSED = "missed", _("Round missed")


OPEN_ROUND = (RoundStatus.SCHEDULED, RoundStatus.IN_PROGRESS)


class PatrolRound(models.Model):
    community = models.ForeignKey(
        Community, on_delete=models.PROTECT, related_name="+", verbose_name=_("community")
    )
    plan = models.ForeignKey(
        PatrolPlan,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="rounds",
        verbose_name=_("plan"),
    )
    route = models.ForeignKey(
        PatrolRoute, on_delete=models.PROTECT, related_name="rounds", verbose_name=_("route")
    )
    due_at = models.DateTimeField(_("due at"))
    due_by = models.DateTimeField(_("due by"))
    department = models.ForeignKey(
        "accounts.Department",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("department"),
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("patroller"),
    )
    status = models.CharField(
        _("status"), max_length=20, choices=RoundStatus.choices, default=RoundStatus.SCHEDULED
    )
    walked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("walked by"),
    )
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    points_due = models.PositiveSmallIntegerField(_("points due"), default=0)
    points_checked = models.PositiveSmallIntegerField(_("points checked"), default=0)
    points_missed = models.PositiveSmallIntegerField(_("points missed"), default=0)
    points_late = models.PositiveSmallIntegerField(_("points late"), default=0)

    class Meta:
        ordering = ["-due_at"]
        verbose_name = _("patrol round")
        verbose_name_plural = _("patrol rounds")
        constraints = [
            # A plan's round is scheduled once, however often the scheduler runs.
            models.UniqueConstraint(fields=["plan", "due_at"], name="patrol_round_once")
        ]
        indexes = [
            models.Index(fields=["community", "status", "due_at"], name="patrol_round_queue_idx")
        ]

    def __str__(self) -> str:
        return f"{self.route} {timezone.localtime(self.due_at):%Y-%m-%d %H:%M}"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_ROUND


class CheckOutcome(models.TextChoices):
    OK = "ok", _("All right")
    FINDING = "finding", _("Finding reported")
    SKIPPED = "skipped", _("Skipped")


class PatrolCheck(models.Model):
    """One point on one round: checked (all right or with a finding) or skipped with a reason."""

    community_id = models.IntegerField()
    patrol_round = models.ForeignKey(PatrolRound, on_delete=models.CASCADE, related_name="checks")
    point = models.ForeignKey(PatrolPoint, on_delete=models.PROTECT, related_name="checks")
    position = models.PositiveSmallIntegerField(_("place on the route"))
    sequence = models.PositiveSmallIntegerField(_("order checked"))
    outcome = models.CharField(_("outcome"), max_length=10, choices=CheckOutcome.choices)
    answers = models.JSONField(_("checklist answers"), default=dict)
    note = models.CharField(_("note"), max_length=500, blank=True)
    checked_at = models.DateTimeField(_("checked at"))
    checked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    late = models.BooleanField(_("late"), default=False)
    out_of_order = models.BooleanField(_("out of order"), default=False)
    request = models.ForeignKey(
        "tickets.ServiceRequest",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("request"),
    )

    class Meta:
        ordering = ["patrol_round_id", "sequence"]
        constraints = [
            models.UniqueConstraint(fields=["patrol_round", "point"], name="patrol_check_once")
        ]
        indexes = [models.Index(fields=["community_id", "checked_at"], name="patrol_check_idx")]

    def __str__(self) -> str:
        return f"{self.patrol_round_id}/{self.point_id} {self.outcome}"


def patrol_photo_to(photo: "PatrolPhoto", filename: str) -> str:
    return f"patrol/{photo.community_id}/{timezone.now():%Y/%m}/{filename[-80:]}"


class PatrolPhoto(models.Model):
    community_id = models.IntegerField()
    patrol_check = models.ForeignKey(PatrolCheck, on_delete=models.CASCADE, related_name="photos")
    file = models.FileField(upload_to=patrol_photo_to, max_length=200)
    content_type = models.CharField(max_length=40)
    size_bytes = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return self.file.name
