"""What the assistant keeps: trained triage models and the suggestions it made.

`TriageModel` holds a retrained model's artefact (the model built from the repository's labels
alone is rebuilt deterministically and never stored). `TriageSuggestion` is what was suggested
for a request and what the request finally carried: an agent's override is a label the next
retraining learns from, and the supervisors' accuracy page counts them per month.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class TriageModel(models.Model):
    """A model trained by `manage.py assistant_train`; the newest active one is used."""

    created_at = models.DateTimeField(_("trained at"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("trained by"),
    )
    sha256 = models.CharField(_("checksum"), max_length=64)
    artefact = models.BinaryField(_("model file"))
    training_rows = models.PositiveIntegerField(_("training rows"), default=0)
    override_rows = models.PositiveIntegerField(_("labels from overrides"), default=0)
    heldback_accuracy = models.FloatField(_("held-back accuracy"))
    heldback_macro_f1 = models.FloatField(_("held-back macro-F1"))
    is_active = models.BooleanField(_("in use"), default=True)
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        ordering = ["-id"]
        verbose_name = _("triage model")
        verbose_name_plural = _("triage models")

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.heldback_accuracy:.3f}"


class Source(models.TextChoices):
    CONSOLE = "console", _("Console intake")
    PORTAL = "portal", _("Owner portal")
    API = "api", _("API")
    IMPORT = "import", _("Import")


class TriageSuggestion(models.Model):
    """The suggestion made for one request, and whether the request kept it."""

    community = models.ForeignKey(
        "estates.Community",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("community"),
        db_index=False,
    )
    request = models.OneToOneField(
        "tickets.ServiceRequest",
        on_delete=models.CASCADE,
        related_name="triage_suggestion",
        verbose_name=_("request"),
    )
    created_at = models.DateTimeField(_("suggested at"))
    source = models.CharField(_("where the text arrived"), max_length=10, choices=Source.choices)
    model_version = models.CharField(_("model"), max_length=64, blank=True)
    suggested_category = models.CharField(_("suggested category"), max_length=40)
    suggested_kind = models.CharField(_("suggested kind"), max_length=40)
    suggested_urgency = models.CharField(_("suggested urgency"), max_length=40)
    category_confidence = models.FloatField(_("category confidence"))
    final_category = models.CharField(_("final category"), max_length=40)
    final_kind = models.CharField(_("final kind"), max_length=40)
    final_urgency = models.CharField(_("final urgency"), max_length=40)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("decided by"),
    )

    class Meta:
        ordering = ["-id"]
        indexes = [
            models.Index(fields=["community", "created_at"], name="assistant_sugg_month"),
        ]
        verbose_name = _("triage suggestion")
        verbose_name_plural = _("triage suggestions")

    def __str__(self) -> str:
        return f"{self.request_id}: {self.suggested_category} → {self.final_category}"

    @property
    def overridden(self) -> bool:
        return (
            self.suggested_category != self.final_category
            or self.suggested_kind != self.final_kind
            or self.suggested_urgency != self.final_urgency
        )


class FaqEntry(models.Model):
    """A company's own FAQ entry, or a community's; the same key replaces the shipped default.

    An inactive entry hides the default of its key for that company or community. Answers may
    use the placeholders of `assistant.faq.figures` ({fee_rates}, {decoration_hours}, …).
    """

    company = models.ForeignKey(
        "estates.Company", on_delete=models.PROTECT, related_name="+", verbose_name=_("company")
    )
    community = models.ForeignKey(
        "estates.Community",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("community"),
        help_text=_("Empty: every community of the company."),
    )
    key = models.SlugField(_("key"), max_length=60)
    question = models.CharField(_("question"), max_length=200)
    answer = models.TextField(_("answer"), max_length=2000)
    keywords = models.CharField(_("keywords"), max_length=400, blank=True)
    links = models.CharField(_("links"), max_length=400, blank=True)
    is_active = models.BooleanField(_("in use"), default=True)

    class Meta:
        ordering = ["company_id", "community_id", "key"]
        constraints = [
            models.UniqueConstraint(
                fields=["company", "community", "key"], name="assistant_faq_key_unique"
            )
        ]
        verbose_name = _("FAQ entry")
        verbose_name_plural = _("FAQ entries")

    def __str__(self) -> str:
        return self.question


class FaqAsk(models.Model):
    """A question asked on the portal: the answer given, whether it helped, the hand-off."""

    community = models.ForeignKey(
        "estates.Community",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("community"),
    )
    asked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", verbose_name=_("by")
    )
    asked_at = models.DateTimeField(_("asked at"), auto_now_add=True)
    question = models.CharField(_("question"), max_length=500)
    entry_key = models.CharField(_("answer given"), max_length=60, blank=True)
    confidence = models.FloatField(_("confidence"), default=0)
    helpful = models.BooleanField(_("helped"), null=True, blank=True)
    request = models.ForeignKey(
        "tickets.ServiceRequest",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("handed off as"),
    )

    class Meta:
        ordering = ["-id"]
        verbose_name = _("question asked")
        verbose_name_plural = _("questions asked")

    def __str__(self) -> str:
        return self.question


class OutreachOutcome(models.TextChoices):
    BOOKED = "booked", _("Visit booked")
    NO_NEED = "no_need", _("Reached, no need now")
    DECLINED = "declined", _("Declined")
    UNREACHABLE = "unreachable", _("Not reached")


class MaintenanceOutreach(models.Model):
    """One call made from the maintenance outreach list: whom, about what, and what came of it.

    A booked visit becomes a repair request (`request`); the place leaves the list for
    `OUTREACH_QUIET_DAYS` after any call, so two agents do not ring the same owner twice."""

    community = models.ForeignKey(
        "estates.Community", on_delete=models.PROTECT, related_name="+", verbose_name=_("community")
    )
    category = models.ForeignKey(
        "tickets.Category", on_delete=models.PROTECT, related_name="+", verbose_name=_("category")
    )
    house = models.ForeignKey(
        "estates.House",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("house"),
    )
    building = models.ForeignKey(
        "estates.Building",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("building"),
    )
    reason = models.CharField(_("why on the list"), max_length=300)
    score = models.FloatField(_("score"), default=0)
    outcome = models.CharField(_("outcome"), max_length=20, choices=OutreachOutcome.choices)
    note = models.CharField(_("note"), max_length=500, blank=True)
    called_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("by")
    )
    called_at = models.DateTimeField(_("called at"))
    request = models.ForeignKey(
        "tickets.ServiceRequest",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("request booked"),
    )

    class Meta:
        ordering = ["-called_at", "-id"]
        indexes = [models.Index(fields=["community", "called_at"])]
        verbose_name = _("maintenance outreach call")
        verbose_name_plural = _("maintenance outreach calls")

    def __str__(self) -> str:
        return f"{self.category_id} {self.house_id or self.building_id} {self.outcome}"
