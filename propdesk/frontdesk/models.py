"""Front-desk procedures (前台业务, DOMAIN.md §4): move-in, house inspection, decoration permits.

Every row carries `community_id` and list indexes start with it (DESIGN.md). Per-community
configuration (inspection items, decoration rules) has company-wide default rows
(`community` empty), seeded by migration 0002, which a community overrides with its own rows.
State changes are written to the change history (core.audit) by the services.
"""

import datetime

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

# --- configuration ----------------------------------------------------------------------------


class InspectionItem(models.Model):
    """One line of the house-inspection checklist (一房一验); defaults have no community."""

    community = models.ForeignKey(
        "estates.Community",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("community"),
    )
    name = models.CharField(_("item"), max_length=80)
    category_code = models.SlugField(
        _("repair category (code)"),
        max_length=40,
        default="repair_building",
        help_text=_("The request category a failed item is filed under, e.g. repair_water."),
    )
    sort_order = models.PositiveSmallIntegerField(_("order"), default=0)
    active = models.BooleanField(_("in use"), default=True)

    class Meta:
        ordering = ["community_id", "sort_order", "id"]
        indexes = [models.Index(fields=["community", "sort_order"], name="fd_inspection_item")]
        verbose_name = _("inspection item")
        verbose_name_plural = _("inspection items")

    def __str__(self) -> str:
        return self.name


class DecorationRules(models.Model):
    """Permitted working hours, prohibitions and the deposit of a community's decoration works."""

    community = models.OneToOneField(
        "estates.Community",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("community"),
    )
    work_start = models.TimeField(_("works start"), default=datetime.time(8, 0))
    break_start = models.TimeField(_("midday break from"), default=datetime.time(12, 0))
    break_end = models.TimeField(_("midday break until"), default=datetime.time(14, 0))
    work_end = models.TimeField(_("works end"), default=datetime.time(18, 0))
    quiet_on_rest_days = models.BooleanField(
        _("no noisy works on weekends and holidays"), default=True
    )
    prohibitions = models.TextField(_("prohibitions (one a line)"), blank=True)
    deposit_required = models.BooleanField(_("decoration deposit required"), default=False)
    deposit_fen = models.PositiveIntegerField(_("deposit (fen)"), default=200000)
    max_days = models.PositiveSmallIntegerField(_("longest permit (days)"), default=90)

    class Meta:
        verbose_name = _("decoration rules")
        verbose_name_plural = _("decoration rules")

    def __str__(self) -> str:
        return str(self.community or _("Company default"))

    def hours_text(self) -> str:
        def hm(value: datetime.time) -> str:
            return value.strftime("%H:%M")

        morning = f"{hm(self.work_start)}–{hm(self.break_start)}"
        text = f"{morning}, {hm(self.break_end)}–{hm(self.work_end)}"
        if self.quiet_on_rest_days:
            text += " · " + str(_("no noisy works on weekends and holidays"))
        return text

    def prohibition_list(self) -> list[str]:
        return [line.strip() for line in self.prohibitions.splitlines() if line.strip()]

    @property
    def deposit(self):
        from propdesk.core.money import from_fen

        return from_fen(self.deposit_fen)


# --- move-in (入伙) --------------------------------------------------------------------------


class ApplicantKind(models.TextChoices):
    OWNER = "owner", _("Owner in person")
    AGENT = "agent", _("Entrusted agent")
    COMPANY = "company", _("Company purchase")


class MoveInStatus(models.TextChoices):
    IN_PROGRESS = "in_progress", _("In progress")
    COMPLETED = "completed", _("Completed")
    CANCELLED = "cancelled", _("Cancelled")


class MoveIn(models.Model):
    """One move-in (入伙) of a house: who came, the documents checked and the ten steps."""

    community = models.ForeignKey("estates.Community", on_delete=models.PROTECT, related_name="+")
    number = models.CharField(_("number"), max_length=30)
    house = models.ForeignKey(
        "estates.House", on_delete=models.PROTECT, related_name="move_ins", verbose_name=_("house")
    )
    owner = models.ForeignKey(
        "estates.Owner", on_delete=models.PROTECT, related_name="+", verbose_name=_("owner")
    )
    applicant_kind = models.CharField(_("who came"), max_length=10, choices=ApplicantKind.choices)
    agent = models.ForeignKey(
        "estates.EntrustedAgent",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("entrusted agent"),
    )
    person_name = models.CharField(_("name of the person who came"), max_length=100)
    person_mobile = models.CharField(_("mobile"), max_length=11, blank=True)
    status = models.CharField(
        _("status"), max_length=12, choices=MoveInStatus.choices, default=MoveInStatus.IN_PROGRESS
    )
    note = models.CharField(_("note"), max_length=300, blank=True)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    started_at = models.DateTimeField(_("started at"), default=timezone.now)
    completed_at = models.DateTimeField(_("completed at"), null=True, blank=True)

    class Meta:
        ordering = ["-started_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["community", "number"], name="fd_move_in_number"),
            models.UniqueConstraint(
                fields=["house"],
                condition=models.Q(status="in_progress"),
                name="fd_one_open_move_in",
            ),
        ]
        indexes = [
            models.Index(fields=["community", "status", "started_at"], name="fd_move_in_list"),
            models.Index(fields=["community", "house"], name="fd_move_in_house"),
        ]
        verbose_name = _("move-in")
        verbose_name_plural = _("move-ins")

    def __str__(self) -> str:
        return self.number


class ChecklistGroup(models.TextChoices):
    DOCUMENT = "document", _("Document checked")
    FORM = "form", _("Form collected")


class MoveInItem(models.Model):
    """A document checked (and maybe scanned into the archive) or a form collected."""

    community = models.ForeignKey("estates.Community", on_delete=models.PROTECT, related_name="+")
    move_in = models.ForeignKey(MoveIn, on_delete=models.CASCADE, related_name="items")
    group = models.CharField(max_length=10, choices=ChecklistGroup.choices)
    code = models.SlugField(max_length=40)
    sort_order = models.PositiveSmallIntegerField(default=0)
    checked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    checked_at = models.DateTimeField(null=True, blank=True)
    document = models.ForeignKey(
        "estates.ArchiveDocument",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("archive document"),
    )

    class Meta:
        ordering = ["move_in_id", "group", "sort_order"]
        constraints = [
            models.UniqueConstraint(fields=["move_in", "group", "code"], name="fd_move_in_item")
        ]

    def __str__(self) -> str:
        return self.code

    @property
    def label(self) -> str:
        from propdesk.frontdesk.procedures import item_label

        return item_label(self.group, self.code)


class MoveInStep(models.Model):
    """One of the ten steps of a move-in, ticked by a named staff member with the time."""

    community = models.ForeignKey("estates.Community", on_delete=models.PROTECT, related_name="+")
    move_in = models.ForeignKey(MoveIn, on_delete=models.CASCADE, related_name="steps")
    code = models.SlugField(max_length=30)
    position = models.PositiveSmallIntegerField()
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    done_at = models.DateTimeField(null=True, blank=True)
    note = models.CharField(_("note"), max_length=300, blank=True)

    class Meta:
        ordering = ["move_in_id", "position"]
        constraints = [models.UniqueConstraint(fields=["move_in", "code"], name="fd_move_in_step")]

    def __str__(self) -> str:
        return self.code

    @property
    def label(self) -> str:
        from propdesk.frontdesk.procedures import step_label

        return step_label(self.code)

    @property
    def is_done(self) -> bool:
        return self.done_at is not None


# --- house inspection (一房一验) ---------------------------------------------------------------


class InspectionStatus(models.TextChoices):
    OPEN = "open", _("Being inspected")
    DEFECTS = "defects", _("Defects being repaired")
    CLOSED = "closed", _("Closed")


class Inspection(models.Model):
    """An inspection of a house; a re-inspection checks again only what failed before."""

    community = models.ForeignKey("estates.Community", on_delete=models.PROTECT, related_name="+")
    number = models.CharField(_("number"), max_length=30)
    house = models.ForeignKey(
        "estates.House",
        on_delete=models.PROTECT,
        related_name="inspections",
        verbose_name=_("house"),
    )
    move_in = models.ForeignKey(
        MoveIn, null=True, blank=True, on_delete=models.PROTECT, related_name="inspections"
    )
    reinspection_of = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="reinspections"
    )
    status = models.CharField(
        _("status"), max_length=10, choices=InspectionStatus.choices, default=InspectionStatus.OPEN
    )
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    started_at = models.DateTimeField(_("started at"), default=timezone.now)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)

    class Meta:
        ordering = ["-started_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["community", "number"], name="fd_inspection_number")
        ]
        indexes = [
            models.Index(fields=["community", "status", "started_at"], name="fd_inspection_list"),
            models.Index(fields=["community", "house"], name="fd_inspection_house"),
        ]
        verbose_name = _("house inspection")
        verbose_name_plural = _("house inspections")

    def __str__(self) -> str:
        return self.number


class Outcome(models.TextChoices):
    PENDING = "pending", _("Not checked")
    PASS = "pass", _("Pass")
    FAIL = "fail", _("Fail")


def inspection_photo_to(result: "InspectionResult", filename: str) -> str:
    suffix = filename.rsplit(".", 1)[-1].lower() if "." in filename else "jpg"
    return f"inspections/{result.community_id}/{result.inspection_id}-{result.position}.{suffix}"


class InspectionResult(models.Model):
    """One checklist line of an inspection: pass or fail, a note, a photo, the repair request."""

    community = models.ForeignKey("estates.Community", on_delete=models.PROTECT, related_name="+")
    inspection = models.ForeignKey(Inspection, on_delete=models.CASCADE, related_name="results")
    position = models.PositiveSmallIntegerField()
    name = models.CharField(_("item"), max_length=80)
    category_code = models.SlugField(max_length=40)
    outcome = models.CharField(
        _("outcome"), max_length=10, choices=Outcome.choices, default=Outcome.PENDING
    )
    note = models.CharField(_("note"), max_length=500, blank=True)
    photo = models.FileField(_("photo"), upload_to=inspection_photo_to, max_length=200, blank=True)
    photo_type = models.CharField(max_length=40, blank=True)
    checked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    checked_at = models.DateTimeField(null=True, blank=True)
    repair_request = models.ForeignKey(
        "tickets.ServiceRequest",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("repair request"),
    )

    class Meta:
        ordering = ["inspection_id", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["inspection", "position"], name="fd_inspection_result_position"
            )
        ]

    def __str__(self) -> str:
        return self.name


# --- decoration permits (装修) -----------------------------------------------------------------


class PermitStatus(models.TextChoices):
    APPLIED = "applied", pgettext_lazy("permit status", "Applied")
    ISSUED = "issued", _("Permit issued")
    COMPLETED = "completed", _("Works accepted")
    CANCELLED = "cancelled", _("Cancelled")


class PlanDecision(models.TextChoices):
    PENDING = "pending", _("Awaiting review")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")


class DecorationPermit(models.Model):
    """A decoration application and, once every gate is met, its permit (装修许可证)."""

    community = models.ForeignKey("estates.Community", on_delete=models.PROTECT, related_name="+")
    number = models.CharField(_("number"), max_length=30)
    house = models.ForeignKey(
        "estates.House",
        on_delete=models.PROTECT,
        related_name="decoration_permits",
        verbose_name=_("house"),
    )
    owner = models.ForeignKey(
        "estates.Owner", on_delete=models.PROTECT, related_name="+", verbose_name=_("owner")
    )
    applicant_kind = models.CharField(
        _("applicant"), max_length=10, choices=ApplicantKind.choices, default=ApplicantKind.OWNER
    )
    agent = models.ForeignKey(
        "estates.EntrustedAgent",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("entrusted agent"),
    )
    contractor_name = models.CharField(_("contractor"), max_length=120)
    contractor_leader = models.CharField(_("contractor's responsible person"), max_length=60)
    contractor_mobile = models.CharField(_("contractor's mobile"), max_length=11)
    workers = models.PositiveSmallIntegerField(_("workers"), default=1)
    scope = models.TextField(_("scope of the works"))
    starts_on = models.DateField(_("works start on"))
    ends_on = models.DateField(_("works end on"))
    status = models.CharField(
        _("status"), max_length=12, choices=PermitStatus.choices, default=PermitStatus.APPLIED
    )
    plan_documents = models.ManyToManyField(
        "estates.ArchiveDocument", blank=True, related_name="+", verbose_name=_("plan documents")
    )
    plan_decision = models.CharField(
        _("plan review"), max_length=10, choices=PlanDecision.choices, default=PlanDecision.PENDING
    )
    plan_reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    plan_reviewed_at = models.DateTimeField(null=True, blank=True)
    plan_note = models.CharField(_("review note"), max_length=300, blank=True)
    identity_verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    identity_verified_at = models.DateTimeField(null=True, blank=True)
    agreement_signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    agreement_signed_at = models.DateTimeField(null=True, blank=True)
    fee_bill = models.ForeignKey(
        "billing.Bill", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    deposit_fen = models.PositiveIntegerField(_("deposit (fen)"), default=0)
    # The deposit is a bill in the fee ledger (paid at the cashier desk, with a receipt and in the
    # cash-up); its refund is a correction a supervisor approves (selectors.deposit_state).
    deposit_bill = models.ForeignKey(
        "billing.Bill", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    deposit_refund = models.ForeignKey(
        "billing.LedgerAdjustment",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    house_status_before = models.CharField(max_length=20, blank=True)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    issued_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    accepted_at = models.DateTimeField(null=True, blank=True)
    acceptance_note = models.CharField(_("acceptance note"), max_length=300, blank=True)
    applied_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    applied_at = models.DateTimeField(_("applied at"), default=timezone.now)

    class Meta:
        ordering = ["-applied_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["community", "number"], name="fd_permit_number"),
            models.UniqueConstraint(
                fields=["house"],
                condition=models.Q(status__in=["applied", "issued"]),
                name="fd_one_open_permit",
            ),
            models.CheckConstraint(
                condition=models.Q(ends_on__gte=models.F("starts_on")), name="fd_permit_period"
            ),
        ]
        indexes = [
            models.Index(fields=["community", "status", "applied_at"], name="fd_permit_list"),
            models.Index(fields=["community", "house", "status"], name="fd_permit_house"),
        ]
        verbose_name = _("decoration permit")
        verbose_name_plural = _("decoration permits")

    def __str__(self) -> str:
        return self.number

    @property
    def deposit(self):
        from propdesk.core.money import from_fen

        return from_fen(self.deposit_fen)


class DecorationPatrol(models.Model):
    """A patrol inspection of works in progress; findings become a service request."""

    community = models.ForeignKey("estates.Community", on_delete=models.PROTECT, related_name="+")
    permit = models.ForeignKey(DecorationPermit, on_delete=models.PROTECT, related_name="patrols")
    found_issue = models.BooleanField(_("issue found"), default=False)
    findings = models.CharField(_("findings"), max_length=500, blank=True)
    request = models.ForeignKey(
        "tickets.ServiceRequest", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    patrolled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    patrolled_at = models.DateTimeField(_("patrolled at"), default=timezone.now)

    class Meta:
        ordering = ["-patrolled_at", "-id"]
        indexes = [
            models.Index(fields=["community", "permit", "patrolled_at"], name="fd_patrol_permit")
        ]
        verbose_name = _("decoration patrol")
        verbose_name_plural = _("decoration patrols")

    def __str__(self) -> str:
        return f"{self.permit_id} @ {self.patrolled_at:%Y-%m-%d}"
