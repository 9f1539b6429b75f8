"""The working calendar's configuration: business hours and dated overrides per community.

Statutory holidays and make-up working days come from chinese-calendar (see core.calendar); these
rows say when the service centre is open and correct the statutory calendar where a community
differs, or where the package has no data yet (it stops at 2026). A row with `community_id`
NULL applies to every community that has no row of its own.
"""

import datetime

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

DEFAULT_OPENS_AT = datetime.time(8, 30)
DEFAULT_CLOSES_AT = datetime.time(17, 30)


class WorkingHours(models.Model):
    """When the service centre of a community works on a working day (company default: NULL)."""

    community_id = models.BigIntegerField(_("community"), null=True, blank=True)
    opens_at = models.TimeField(_("opens at"), default=DEFAULT_OPENS_AT)
    closes_at = models.TimeField(_("closes at"), default=DEFAULT_CLOSES_AT)

    class Meta:
        ordering = ["community_id"]
        constraints = [
            models.UniqueConstraint(fields=["community_id"], name="working_hours_community"),
            models.CheckConstraint(
                condition=models.Q(closes_at__gt=models.F("opens_at")),
                name="working_hours_order",
            ),
        ]
        verbose_name = _("working hours")
        verbose_name_plural = _("working hours")

    def __str__(self) -> str:
        return f"{self.community_id or '*'} {self.opens_at:%H:%M}–{self.closes_at:%H:%M}"

    def clean(self) -> None:
        if self.opens_at and self.closes_at and self.closes_at <= self.opens_at:
            raise ValidationError({"closes_at": _("Closing time must be after opening time.")})


class CalendarOverride(models.Model):
    """One date that differs from the statutory calendar or the usual hours.

    `is_working` False makes the date a day off; True makes it a working day, with its own hours
    when `opens_at`/`closes_at` are given (e.g. a half day before a holiday).
    """

    community_id = models.BigIntegerField(_("community"), null=True, blank=True)
    date = models.DateField(_("date"))
    is_working = models.BooleanField(_("working day"))
    opens_at = models.TimeField(_("opens at"), null=True, blank=True)
    closes_at = models.TimeField(_("closes at"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=100, blank=True)

    class Meta:
        ordering = ["community_id", "date"]
        constraints = [
            models.UniqueConstraint(fields=["community_id", "date"], name="calendar_override_day"),
        ]
        indexes = [models.Index(fields=["date"], name="calendar_override_date")]
        verbose_name = _("calendar override")
        verbose_name_plural = _("calendar overrides")

    def __str__(self) -> str:
        return f"{self.community_id or '*'} {self.date} {'work' if self.is_working else 'off'}"

    def clean(self) -> None:
        if (self.opens_at is None) != (self.closes_at is None):
            raise ValidationError(_("Give both the opening and the closing time, or neither."))
        if self.opens_at and self.closes_at and self.closes_at <= self.opens_at:
            raise ValidationError({"closes_at": _("Closing time must be after opening time.")})
