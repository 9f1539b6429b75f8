"""Equipment, its device readings and the alerts threshold rules raise (seed 002 §1.2, §5.3).

Every row carries `community_id` directly and the indexes start with it (DESIGN.md). Readings are
many: raw rows are kept seven days and then folded into hourly rows (`ReadingHour`). An alert is
one row per equipment and rule while the condition lasts, so a pump that keeps reading low opens
one request, not one per reading.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from propdesk.estates.models import Building, Community


class EquipmentKind(models.TextChoices):
    LIFT = "lift", _("Lift")
    PUMP = "pump", _("Water pump")
    TANK = "tank", _("Water tank")
    AC = "ac", _("Air conditioning")
    DRAINAGE = "drainage", _("Drainage")
    FIRE = "fire", _("Fire system")
    GENERATOR = "generator", _("Generator")
    GATE = "gate", _("Gate")
    OTHER = "other", _("Other equipment")


class EquipmentStatus(models.TextChoices):
    IN_SERVICE = "in_service", _("In service")
    FAULT = "fault", _("Fault")
    MAINTENANCE = "maintenance", _("Under maintenance")
    RETIRED = "retired", _("Retired")


class Metric(models.TextChoices):
    """What devices report, each with its unit and the range a real reading can take."""

    PRESSURE = "pressure", _("Water pressure (MPa)")
    LEVEL = "level", _("Tank level (%)")
    CURRENT = "current", _("Pump current (A)")
    STOPS = "stops", _("Lift stops (per hour)")
    TEMPERATURE = "temperature", _("Temperature (°C)")


# Readings outside these bounds are refused as malformed: no device reports them.
METRIC_RANGE: dict[str, tuple[float, float]] = {
    Metric.PRESSURE: (0.0, 10.0),
    Metric.LEVEL: (0.0, 100.0),
    Metric.CURRENT: (0.0, 1000.0),
    Metric.STOPS: (0.0, 10000.0),
    Metric.TEMPERATURE: (-60.0, 200.0),
}


class Equipment(models.Model):
    community = models.ForeignKey(
        Community, on_delete=models.PROTECT, related_name="+", verbose_name=_("community")
    )
    code = models.SlugField(
        _("code"),
        max_length=40,
        help_text=_("Unique in the community; devices report under this code."),
    )
    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=20, choices=EquipmentKind.choices)
    building = models.ForeignKey(
        Building,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("building"),
    )
    location = models.CharField(_("location"), max_length=200, blank=True)
    model_name = models.CharField(_("model"), max_length=100, blank=True)
    installer = models.CharField(_("installer"), max_length=100, blank=True)
    contractor = models.CharField(_("maintenance contractor"), max_length=100, blank=True)
    warranty_end = models.DateField(_("warranty ends"), null=True, blank=True)
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=EquipmentStatus.choices,
        default=EquipmentStatus.IN_SERVICE,
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        ordering = ["community_id", "code"]
        verbose_name = _("equipment")
        verbose_name_plural = _("equipment")
        constraints = [
            models.UniqueConstraint(fields=["community", "code"], name="equipment_code_unique")
        ]
        indexes = [models.Index(fields=["community", "kind"], name="equipment_kind_idx")]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"


class ThresholdRule(models.Model):
    """A reading outside [low, high] for this kind of equipment raises an alert.

    Rows without a community are the company's defaults; a community's own row for the same kind
    and metric replaces the default there."""

    community = models.ForeignKey(
        Community,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("community"),
    )
    kind = models.CharField(_("equipment kind"), max_length=20, choices=EquipmentKind.choices)
    metric = models.CharField(_("metric"), max_length=20, choices=Metric.choices)
    low = models.FloatField(_("lowest normal value"), null=True, blank=True)
    high = models.FloatField(_("highest normal value"), null=True, blank=True)
    emergency = models.BooleanField(
        _("emergency"),
        default=False,
        help_text=_("Opens an emergency request (someone on site within 30 minutes)."),
    )
    category = models.CharField(
        _("request category"),
        max_length=40,
        default="repair_water",
        help_text=_("The category of the request the alert opens."),
    )
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["kind", "metric", "community_id"]
        verbose_name = _("threshold rule")
        verbose_name_plural = _("threshold rules")
        constraints = [
            models.UniqueConstraint(
                fields=["community", "kind", "metric"], name="threshold_rule_unique"
            ),
            models.UniqueConstraint(
                fields=["kind", "metric"],
                condition=Q(community__isnull=True),
                name="threshold_rule_default_unique",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.get_metric_display()}"

    def breached_by(self, value: float) -> bool:
        return (self.low is not None and value < self.low) or (
            self.high is not None and value > self.high
        )


class Reading(models.Model):
    """One value a device reported. Replays of the same reading (same time) are ignored."""

    community_id = models.IntegerField()
    equipment = models.ForeignKey(Equipment, on_delete=models.CASCADE, related_name="+")
    metric = models.CharField(max_length=20, choices=Metric.choices)
    at = models.DateTimeField()
    value = models.FloatField()

    class Meta:
        ordering = ["-at"]
        constraints = [
            models.UniqueConstraint(
                fields=["equipment", "metric", "at"], name="reading_once_per_instant"
            )
        ]
        indexes = [models.Index(fields=["community_id", "at"], name="reading_community_at_idx")]

    def __str__(self) -> str:
        return f"{self.metric} {self.value:g} @ {self.at:%Y-%m-%d %H:%M:%S}"


class ReadingHour(models.Model):
    """Readings older than the raw retention, folded into one row per hour."""

    community_id = models.IntegerField()
    equipment = models.ForeignKey(Equipment, on_delete=models.CASCADE, related_name="+")
    metric = models.CharField(max_length=20, choices=Metric.choices)
    hour = models.DateTimeField()
    count = models.PositiveIntegerField()
    minimum = models.FloatField()
    maximum = models.FloatField()
    mean = models.FloatField()

    class Meta:
        ordering = ["-hour"]
        constraints = [
            models.UniqueConstraint(
                fields=["equipment", "metric", "hour"], name="reading_hour_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.metric} {self.mean:g} ({self.count}) @ {self.hour:%Y-%m-%d %H:00}"


class Alert(models.Model):
    """A rule breached by an equipment's readings, open until a reading is normal again."""

    community = models.ForeignKey(
        Community, on_delete=models.PROTECT, related_name="+", verbose_name=_("community")
    )
    equipment = models.ForeignKey(
        Equipment, on_delete=models.PROTECT, related_name="alerts", verbose_name=_("equipment")
    )
    rule = models.ForeignKey(
        ThresholdRule, on_delete=models.PROTECT, related_name="+", verbose_name=_("rule")
    )
    metric = models.CharField(_("metric"), max_length=20, choices=Metric.choices)
    first_value = models.FloatField(_("value at the alert"))
    last_value = models.FloatField(_("last value"))
    opened_at = models.DateTimeField(_("opened at"))
    closed_at = models.DateTimeField(_("recovered at"), null=True, blank=True)
    is_open = models.BooleanField(_("open"), default=True)
    request = models.ForeignKey(
        "tickets.ServiceRequest",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("request"),
    )

    class Meta:
        ordering = ["-opened_at"]
        verbose_name = _("alert")
        verbose_name_plural = _("alerts")
        constraints = [
            # One open alert per equipment and rule: a second reading cannot open a second one.
            models.UniqueConstraint(
                fields=["equipment", "rule"],
                condition=Q(is_open=True),
                name="alert_open_once",
            )
        ]
        indexes = [models.Index(fields=["community", "is_open"], name="alert_open_idx")]

    def __str__(self) -> str:
        return f"{self.equipment_id} {self.metric} {self.first_value:g}"


class EquipmentRequest(models.Model):
    """A request that names the equipment (a fault reported on it, or an alert's request)."""

    community_id = models.IntegerField()
    equipment = models.ForeignKey(Equipment, on_delete=models.PROTECT, related_name="request_links")
    request = models.ForeignKey(
        "tickets.ServiceRequest", on_delete=models.PROTECT, related_name="+"
    )
    linked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    linked_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-linked_at"]
        constraints = [
            models.UniqueConstraint(fields=["equipment", "request"], name="equipment_request_once")
        ]

    def __str__(self) -> str:
        return f"{self.equipment_id} → {self.request_id}"
