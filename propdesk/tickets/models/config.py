"""Configuration rows of service requests: taxonomy, routing, time limits, phrases, settings.

All of it is seeded by the data migration from DESIGN.md's taxonomy and DOMAIN.md §2's time
limits, and edited in the admin or the API. A row with `community` NULL is the company default;
a community's own row overrides it (routing rules, SLA policies, phrases, settings).
"""

import datetime

from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _


class _Labelled(models.Model):
    """A configurable row with a stable code and a name in Chinese and English."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=60)
    name_en = models.CharField(_("English name"), max_length=60, blank=True)
    sort_order = models.PositiveSmallIntegerField(_("order"), default=0)
    is_active = models.BooleanField(_("in use"), default=True)

    class Meta:
        abstract = True
        ordering = ["sort_order", "id"]

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        language = (get_language() or "").lower()
        if language.startswith("en") and self.name_en:
            return self.name_en
        return self.name


class RequestKind(_Labelled):
    """Complaint, repair, inquiry, suggestion, help request, praise (DOMAIN.md §2)."""

    class Meta(_Labelled.Meta):
        verbose_name = _("request kind")
        verbose_name_plural = _("request kinds")


class Category(_Labelled):
    """What a request is about; decides the department it is routed to (DESIGN.md taxonomy)."""

    description = models.TextField(_("what belongs here"), blank=True)
    department_code = models.SlugField(
        _("default department (code)"),
        max_length=40,
        blank=True,
        help_text=_(
            "Where requests of this category go when no routing rule says otherwise, "
            "e.g. engineering."
        ),
    )
    refers_outside = models.BooleanField(
        _("referred outside"),
        default=False,
        help_text=_("Matters the property company does not own: recorded and referred outside."),
    )
    common_area = models.BooleanField(
        _("usually a common area"),
        default=False,
        help_text=_("Requests of this category often concern a building rather than one house."),
    )

    class Meta(_Labelled.Meta):
        verbose_name = _("category")
        verbose_name_plural = _("categories")


class Urgency(_Labelled):
    description = models.TextField(_("when it applies"), blank=True)
    is_emergency = models.BooleanField(_("emergency"), default=False)

    class Meta(_Labelled.Meta):
        verbose_name = _("urgency")
        verbose_name_plural = _("urgencies")


class RoutingRule(models.Model):
    """Category → department, per community (NULL: company-wide), overriding the category's
    default department. Several rules for one category mean several departments take part; the
    one marked lead coordinates (DOMAIN §2: no buck-passing)."""

    community = models.ForeignKey(
        "estates.Community",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("community"),
        help_text=_("Empty: the company-wide default."),
    )
    category = models.ForeignKey(
        Category, on_delete=models.PROTECT, related_name="routing_rules", verbose_name=_("category")
    )
    department = models.ForeignKey(
        "accounts.Department",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("department"),
    )
    is_lead = models.BooleanField(_("lead department"), default=True)

    class Meta:
        ordering = ["community_id", "category_id", "-is_lead", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["community", "category", "department"], name="routing_rule_unique"
            )
        ]
        indexes = [models.Index(fields=["community", "category"], name="routing_lookup")]
        verbose_name = _("routing rule")
        verbose_name_plural = _("routing rules")

    def __str__(self) -> str:
        return f"{self.community_id or '*'}: {self.category_id} → {self.department_id}"


class TimeUnit(models.TextChoices):
    MINUTES = "minutes", _("minutes")
    HOURS = "hours", _("hours")
    WORKING_HOURS = "working_hours", _("working hours")
    WORKING_DAYS = "working_days", _("working days")


class Target(models.TextChoices):
    FIRST_RESPONSE = "first_response", _("First response")
    ON_SITE = "on_site", _("On site")
    RESOLUTION = "resolution", _("Resolution")


def _threshold_default() -> list[int]:
    return [80, 100]


class SlaPolicy(models.Model):
    """Time limits for requests of one kind and urgency (optionally one category), per community.

    The most specific row wins: community + category, community, company + category, company.
    Each target is an amount and a unit; calendar units are elapsed time, working units follow
    the community's working calendar (core.calendar). Escalations go to the supervisors when the
    given percentages of a target have passed, once per threshold.
    """

    community = models.ForeignKey(
        "estates.Community",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("community"),
        help_text=_("Empty: the company-wide default."),
    )
    kind = models.ForeignKey(
        RequestKind, on_delete=models.PROTECT, related_name="+", verbose_name=_("kind")
    )
    urgency = models.ForeignKey(
        Urgency, on_delete=models.PROTECT, related_name="+", verbose_name=_("urgency")
    )
    category = models.ForeignKey(
        Category,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("category"),
        help_text=_("Empty: every category."),
    )
    first_response_amount = models.PositiveIntegerField(
        _("first response within"), null=True, blank=True
    )
    first_response_unit = models.CharField(
        _("unit"), max_length=20, choices=TimeUnit.choices, default=TimeUnit.HOURS
    )
    on_site_amount = models.PositiveIntegerField(_("on site within"), null=True, blank=True)
    on_site_unit = models.CharField(
        _("unit"), max_length=20, choices=TimeUnit.choices, default=TimeUnit.MINUTES
    )
    resolution_amount = models.PositiveIntegerField(_("resolved within"), null=True, blank=True)
    resolution_unit = models.CharField(
        _("unit"), max_length=20, choices=TimeUnit.choices, default=TimeUnit.WORKING_DAYS
    )
    escalation_percents = models.JSONField(
        _("escalate at % of the target"),
        default=_threshold_default,
        help_text=_("For example [80, 100]: tell the supervisors at 80 % and at 100 %."),
    )
    due_soon_percent_left = models.PositiveSmallIntegerField(_("due soon when % left"), default=20)
    simple = models.BooleanField(
        _("simple complaints"),
        default=False,
        help_text=_(
            "Applies to complaints the desk marked simple when verifying them (24 hours by "
            "default), instead of the policy without this mark."
        ),
    )
    note = models.CharField(_("source of the rule"), max_length=200, blank=True)

    class Meta:
        ordering = ["community_id", "kind_id", "urgency_id", "category_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["community", "kind", "urgency", "category", "simple"],
                name="sla_policy_unique_simple",
            )
        ]
        verbose_name = _("SLA policy")
        verbose_name_plural = _("SLA policies")

    def __str__(self) -> str:
        return f"{self.community_id or '*'} {self.kind_id}/{self.urgency_id}/{self.category_id}"

    def target(self, name: str) -> tuple[int, str] | None:
        """(amount, unit) of one target, or None when the policy sets none."""
        amount = getattr(self, f"{name}_amount")
        if amount is None:
            return None
        return amount, getattr(self, f"{name}_unit")

    def thresholds(self) -> list[int]:
        values = self.escalation_percents if isinstance(self.escalation_percents, list) else []
        return sorted({int(v) for v in values if isinstance(v, int | float) and 0 < v <= 500})


def target_length(amount: int, unit: str, working_day: datetime.timedelta) -> datetime.timedelta:
    """The length of a target: elapsed time, or working time measured in business hours."""
    if unit == TimeUnit.MINUTES:
        return datetime.timedelta(minutes=amount)
    if unit in (TimeUnit.HOURS, TimeUnit.WORKING_HOURS):
        return datetime.timedelta(hours=amount)
    return working_day * amount


def is_working_unit(unit: str) -> bool:
    return unit in (TimeUnit.WORKING_HOURS, TimeUnit.WORKING_DAYS)


class RequestSettings(models.Model):
    """Per-community knobs of follow-up and recurrence (NULL community: company default)."""

    community = models.OneToOneField(
        "estates.Community",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("community"),
    )
    follow_up_after_hours = models.PositiveSmallIntegerField(
        _("call back within (hours after resolution)"), default=24
    )
    follow_up_max_attempts = models.PositiveSmallIntegerField(
        _("unreachable after attempts"), default=3
    )
    reopen_at_or_below = models.PositiveSmallIntegerField(
        _("reopen when satisfaction is at most"), default=2
    )
    recurrence_days = models.PositiveSmallIntegerField(_("recurrence window (days)"), default=30)
    follow_up_link_hours = models.PositiveSmallIntegerField(
        _("an SMS follow-up link is valid for (hours)"), default=72
    )

    class Meta:
        verbose_name = _("request settings")
        verbose_name_plural = _("request settings")

    def __str__(self) -> str:
        return f"{self.community_id or '*'}"


class StandardPhrase(models.Model):
    """A standard phrase (标准语) agents insert into replies and notes (DOMAIN.md §2).

    `text` may hold {number}, {due}, {department} and {caller}; they are filled in on insertion.
    """

    class Purpose(models.TextChoices):
        GREETING = "greeting", _("Greeting")
        TRANSFER = "transfer", _("Transferring")
        APOLOGY = "apology", _("Apologising")
        CALLBACK = "callback", _("Promising a callback")
        CONFIRMATION = "confirmation", _("Confirming receipt")
        FOLLOW_UP = "follow_up", _("Follow-up call")
        CLOSING = "closing", _("Closing")

    community = models.ForeignKey(
        "estates.Community",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("community"),
    )
    purpose = models.CharField(_("purpose"), max_length=20, choices=Purpose.choices)
    title = models.CharField(_("title"), max_length=60)
    text = models.TextField(_("text"), max_length=500)
    sort_order = models.PositiveSmallIntegerField(_("order"), default=0)
    is_active = models.BooleanField(_("in use"), default=True)

    class Meta:
        ordering = ["purpose", "sort_order", "id"]
        indexes = [models.Index(fields=["community", "purpose"], name="phrase_lookup")]
        verbose_name = _("standard phrase")
        verbose_name_plural = _("standard phrases")

    def __str__(self) -> str:
        return self.title
