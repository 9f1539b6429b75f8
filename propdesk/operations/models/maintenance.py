"""Maintenance plans (保养) and the work orders they generate (seed 002 §1.2, §5.3).

A plan repeats every N days or N months from a first due day (a seasonal check is every 12
months: the AC before summer, drainage before the rainy season); its work order is opened
`lead_days` ahead of the day it is due. A work order is completed with its checklist, readings,
parts, cost, notes and photos; one still open after its due day is overdue and escalates.
"""

import calendar
import datetime
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from propdesk.estates.models import Community
from propdesk.operations.models.equipment import Equipment


class IntervalUnit(models.TextChoices):
    DAYS = "days", _("days")
    MONTHS = "months", _("months")


def add_interval(day: datetime.date, every: int, unit: str) -> datetime.date:
    """`day` plus `every` days or months (the 31st of a shorter month is its last day)."""
    if unit == IntervalUnit.DAYS:
        return day + datetime.timedelta(days=every)
    index = day.year * 12 + day.month - 1 + every
    year, month = divmod(index, 12)
    month += 1
    return datetime.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


class MaintenancePlan(models.Model):
    community = models.ForeignKey(
        Community, on_delete=models.PROTECT, related_name="+", verbose_name=_("community")
    )
    equipment = models.ForeignKey(
        Equipment,
        on_delete=models.PROTECT,
        related_name="maintenance_plans",
        verbose_name=_("equipment"),
    )
    name = models.CharField(_("name"), max_length=100)
    every = models.PositiveSmallIntegerField(_("every"))
    unit = models.CharField(_("unit"), max_length=10, choices=IntervalUnit.choices)
    next_due = models.DateField(_("next due"))
    lead_days = models.PositiveSmallIntegerField(
        _("opened ahead (days)"),
        default=7,
        help_text=_("The work order is opened this many days before it is due."),
    )
    checklist = models.TextField(_("checklist"), blank=True, help_text=_("One item a line."))
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("engineer"),
    )
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["community_id", "next_due"]
        verbose_name = _("maintenance plan")
        verbose_name_plural = _("maintenance plans")
        indexes = [models.Index(fields=["active", "next_due"], name="maintenance_plan_due_idx")]

    def __str__(self) -> str:
        return self.name


# The most a work order's cost column holds (10 digits, 2 of them decimals).
MAX_ORDER_COST = Decimal("99999999.99")


class OrderStatus(models.TextChoices):
    OPEN = "open", _("To do")
    DONE = "done", _("Maintained")
    CANCELLED = "cancelled", _("Cancelled")


class WorkOrder(models.Model):
    community = models.ForeignKey(
        Community, on_delete=models.PROTECT, related_name="+", verbose_name=_("community")
    )
    equipment = models.ForeignKey(
        Equipment, on_delete=models.PROTECT, related_name="work_orders", verbose_name=_("equipment")
    )
    plan = models.ForeignKey(
        MaintenancePlan,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="work_orders",
        verbose_name=_("plan"),
    )
    title = models.CharField(_("title"), max_length=100)
    checklist = models.TextField(_("checklist"), blank=True)
    due_on = models.DateField(_("due on"))
    status = models.CharField(
        _("status"), max_length=10, choices=OrderStatus.choices, default=OrderStatus.OPEN
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("engineer"),
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    escalated_at = models.DateTimeField(_("escalated at"), null=True, blank=True)
    completed_at = models.DateTimeField(_("completed at"), null=True, blank=True)
    completed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("completed by"),
    )
    answers = models.JSONField(_("checklist answers"), default=dict)
    readings = models.JSONField(_("readings"), default=dict)
    parts = models.CharField(_("parts"), max_length=300, blank=True)
    cost = models.DecimalField(_("cost"), max_digits=10, decimal_places=2, null=True, blank=True)
    notes = models.CharField(_("notes"), max_length=1000, blank=True)

    class Meta:
        ordering = ["due_on", "id"]
        verbose_name = _("work order")
        verbose_name_plural = _("work orders")
        constraints = [
            # A plan's work order for a due day is opened once, however often the job runs.
            models.UniqueConstraint(fields=["plan", "due_on"], name="work_order_once")
        ]
        indexes = [
            models.Index(fields=["community", "status", "due_on"], name="work_order_queue_idx")
        ]

    def __str__(self) -> str:
        return f"{self.title} {self.due_on:%Y-%m-%d}"

    def checklist_items(self) -> list[str]:
        return [line.strip() for line in self.checklist.splitlines() if line.strip()]

    def is_overdue(self, today: datetime.date) -> bool:
        return self.status == OrderStatus.OPEN and today > self.due_on


def work_order_photo_to(photo: "WorkOrderPhoto", filename: str) -> str:
    return f"maintenance/{photo.community_id}/{timezone.now():%Y/%m}/{filename[-80:]}"


class WorkOrderPhoto(models.Model):
    community_id = models.IntegerField()
    work_order = models.ForeignKey(WorkOrder, on_delete=models.CASCADE, related_name="photos")
    file = models.FileField(upload_to=work_order_photo_to, max_length=200)
    content_type = models.CharField(max_length=40)
    size_bytes = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return self.file.name
