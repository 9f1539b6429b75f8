"""Keys, goods release passes and the document register of the service centre (DOMAIN.md §4).

Every row carries `community_id` directly and the indexes lists use start with it (DESIGN.md).
Status changes are written by the services in `propdesk.custody.services`, each with a row in
the change history (core.audit), so every key, pass and document has a timeline.
"""

import datetime

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from propdesk.estates.models import (
    ArchiveDocument,
    Community,
    EntrustedAgent,
    House,
    Owner,
    Resident,
)


class CustodySettings(models.Model):
    """Per-community rules of keys and passes; a default row is created when first read."""

    community = models.OneToOneField(
        Community, on_delete=models.PROTECT, related_name="+", verbose_name=_("community")
    )
    release_needs_fees_paid = models.BooleanField(
        _("release needs fees paid"),
        default=False,
        help_text=_("Approve a release pass only when the house owes nothing."),
    )
    key_overdue_hours = models.PositiveSmallIntegerField(
        _("key overdue after (hours)"),
        default=24,
        help_text=_("A borrowed key not returned within this time is flagged as overdue."),
    )
    pass_validity_hours = models.PositiveSmallIntegerField(
        _("pass valid for (hours)"),
        default=24,
        help_text=_("A pass is valid from the start of its release date for this many hours."),
    )
    repair_lead = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("repair lead"),
        help_text=_("Told to inspect the work when a warranty repair key comes back."),
    )
    updated_at = models.DateTimeField(_("updated at"), default=timezone.now)

    class Meta:
        verbose_name = _("custody settings")
        verbose_name_plural = _("custody settings")

    def __str__(self) -> str:
        return f"custody settings {self.community_id}"


# --- keys (钥匙管理) ----------------------------------------------------------------------------


class KeyKind(models.TextChoices):
    HOUSE = "house", _("House key")
    CABINET = "cabinet", _("Office cabinet key")


class KeyStatus(models.TextChoices):
    IN_STORE = "in_store", _("In the key cabinet")
    ON_LOAN = "on_loan", _("On loan")
    RETIRED = "retired", _("Retired")


class WarrantyContractor(models.Model):
    """A contractor doing warranty repairs, with the one responsible person who may take keys."""

    community = models.ForeignKey(Community, on_delete=models.PROTECT, related_name="+")
    company = models.CharField(_("contractor"), max_length=100)
    responsible_name = models.CharField(_("responsible person"), max_length=50)
    responsible_mobile = models.CharField(_("mobile"), max_length=11)
    responsible_id_number = models.CharField(_("ID number"), max_length=20, blank=True)
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        ordering = ["community_id", "company", "id"]
        indexes = [models.Index(fields=["community", "active"], name="contractor_active")]
        verbose_name = _("warranty contractor")
        verbose_name_plural = _("warranty contractors")

    def __str__(self) -> str:
        return f"{self.company} · {self.responsible_name}"


class Key(models.Model):
    """One key (or bunch) kept by the service centre: a house's, or an office cabinet's."""

    community = models.ForeignKey(Community, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("kind"), max_length=10, choices=KeyKind.choices)
    house = models.ForeignKey(
        House,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("house"),
    )
    label = models.CharField(_("label"), max_length=40)
    location = models.CharField(_("location"), max_length=60)
    copies = models.PositiveSmallIntegerField(_("copies"), default=1)
    status = models.CharField(
        _("status"), max_length=10, choices=KeyStatus.choices, default=KeyStatus.IN_STORE
    )
    note = models.CharField(_("note"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        ordering = ["community_id", "label"]
        constraints = [
            models.UniqueConstraint(fields=["community", "label"], name="key_label_unique"),
            models.CheckConstraint(
                condition=(models.Q(kind="house", house__isnull=False))
                | (models.Q(kind="cabinet", house__isnull=True)),
                name="key_house_matches_kind",
            ),
        ]
        indexes = [
            models.Index(fields=["community", "status", "label"], name="key_status"),
            models.Index(fields=["community", "house"], name="key_house"),
        ]
        verbose_name = _("key")
        verbose_name_plural = _("keys")

    def __str__(self) -> str:
        return self.label


class LoanPurpose(models.TextChoices):
    OWNER = "owner", _("Owner in person")
    AGENT = "agent", _("Entrusted agent")
    WARRANTY = "warranty", _("Warranty repair")
    STAFF = "staff", _("Staff (office cabinet)")


class KeyLoan(models.Model):
    """One borrowing of a key, from hand-out to return, with the checks made at the desk."""

    community = models.ForeignKey(Community, on_delete=models.PROTECT, related_name="+")
    key = models.ForeignKey(Key, on_delete=models.PROTECT, related_name="loans")
    house = models.ForeignKey(
        House, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    purpose = models.CharField(_("purpose"), max_length=10, choices=LoanPurpose.choices)
    borrower_name = models.CharField(_("borrower"), max_length=100)
    borrower_mobile = models.CharField(_("mobile"), max_length=11, blank=True)
    owner = models.ForeignKey(
        Owner, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    agent = models.ForeignKey(
        EntrustedAgent, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    contractor = models.ForeignKey(
        WarrantyContractor, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    staff = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    witness = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("supervised by"),
    )
    id_checked = models.BooleanField(_("identity checked"), default=False)
    authority_letter = models.ForeignKey(
        ArchiveDocument,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("letter of authority"),
    )
    confirming_owner = models.ForeignKey(
        Owner,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("confirmed by owner"),
    )
    owner_confirmation = models.CharField(_("owner's confirmation"), max_length=200, blank=True)
    reason = models.CharField(_("reason"), max_length=200, blank=True)
    lent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    lent_at = models.DateTimeField(_("lent at"), default=timezone.now)
    due_at = models.DateTimeField(_("due back"))
    overdue_flagged_at = models.DateTimeField(null=True, blank=True)
    returned_at = models.DateTimeField(_("returned at"), null=True, blank=True)
    returned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    return_note = models.CharField(_("return note"), max_length=200, blank=True)

    class Meta:
        ordering = ["-lent_at", "-id"]
        constraints = [
            # One open loan per key, whatever two desks do at once.
            models.UniqueConstraint(
                fields=["key"],
                condition=models.Q(returned_at__isnull=True),
                name="key_one_open_loan",
            )
        ]
        indexes = [
            models.Index(fields=["community", "returned_at", "due_at"], name="keyloan_open"),
            models.Index(fields=["community", "-lent_at"], name="keyloan_recent"),
        ]
        verbose_name = _("key loan")
        verbose_name_plural = _("key loans")

    def __str__(self) -> str:
        return f"{self.key_id} → {self.borrower_name}"

    def is_overdue(self, now: datetime.datetime | None = None) -> bool:
        return self.returned_at is None and self.due_at < (now or timezone.now())


# --- goods release (物品放行) -------------------------------------------------------------------


class ApplicantKind(models.TextChoices):
    OWNER = "owner", _("Owner")
    RESIDENT = "resident", _("Resident or tenant")
    AGENT = "agent", _("Entrusted agent")


class PassStatus(models.TextChoices):
    PENDING = "pending", _("Waiting for approval")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")
    USED = "used", _("Used")
    CANCELLED = "cancelled", _("Cancelled")


class ReleasePass(models.Model):
    """A goods release pass (放行条): applied for, approved at the desk, used once at the gate."""

    community = models.ForeignKey(Community, on_delete=models.PROTECT, related_name="+")
    house = models.ForeignKey(House, on_delete=models.PROTECT, related_name="+")
    code = models.CharField(_("pass code"), max_length=12, unique=True)
    applicant_kind = models.CharField(
        _("applicant is"), max_length=10, choices=ApplicantKind.choices
    )
    owner = models.ForeignKey(
        Owner, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    resident = models.ForeignKey(
        Resident, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    agent = models.ForeignKey(
        EntrustedAgent, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    applicant_name = models.CharField(_("applicant"), max_length=100)
    organisation = models.CharField(_("shop or company"), max_length=100, blank=True)
    items = models.TextField(_("items"), max_length=1000)
    release_on = models.DateField(_("release date"))
    vehicle_plate = models.CharField(_("vehicle plate"), max_length=10, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=PassStatus.choices, default=PassStatus.PENDING
    )
    applied_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    applied_at = models.DateTimeField(_("applied at"), default=timezone.now)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decision_note = models.CharField(_("decision note"), max_length=200, blank=True)
    valid_from = models.DateTimeField(_("valid from"), null=True, blank=True)
    valid_until = models.DateTimeField(_("valid until"), null=True, blank=True)
    used_at = models.DateTimeField(_("used at"), null=True, blank=True)
    used_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    gate_note = models.CharField(_("gate note"), max_length=200, blank=True)

    class Meta:
        ordering = ["-applied_at", "-id"]
        indexes = [
            models.Index(fields=["community", "status", "-applied_at"], name="pass_status"),
            models.Index(fields=["community", "release_on"], name="pass_release_on"),
            models.Index(fields=["house", "-applied_at"], name="pass_house"),
        ]
        verbose_name = _("release pass")
        verbose_name_plural = _("release passes")

    def __str__(self) -> str:
        return self.code

    def state(self, now: datetime.datetime | None = None) -> str:
        """The status as the gate sees it: an approved pass past its window is 'expired'."""
        if (
            self.status == PassStatus.APPROVED
            and self.valid_until
            and self.valid_until < (now or timezone.now())
        ):
            return "expired"
        return self.status

    def state_label(self) -> str:
        state = self.state()
        if state == "expired":
            return str(_("Expired"))
        return str(self.get_status_display())

    @property
    def display_code(self) -> str:
        return f"{self.code[:4]}-{self.code[4:]}"


# --- document register (资料管理) ---------------------------------------------------------------


class DocumentCategory(models.TextChoices):
    INCOMING = "incoming", _("Incoming document")
    OUTGOING = "outgoing", _("Outgoing document")
    DRAWING = "drawing", _("Drawing")
    RESIDENT_FILE = "resident_file", _("Resident file")
    OTHER = "other", _("Other")


class RegisteredDocumentStatus(models.TextChoices):
    ON_FILE = "on_file", _("On file")
    LENT = "lent", _("Lent out")


def register_upload_to(document: "RegisteredDocument", filename: str) -> str:
    suffix = filename.rsplit(".", 1)[-1].lower() if "." in filename else "bin"
    return f"register/{document.community_id}/{document.number}.{suffix}"


class RegisteredDocument(models.Model):
    """A paper document in the register: classified, numbered with the unified archive number
    (资料统一编号, shared with the owner archive), filed at a location, lendable."""

    community = models.ForeignKey(Community, on_delete=models.PROTECT, related_name="+")
    number = models.CharField(_("archive number"), max_length=30)
    category = models.CharField(_("category"), max_length=20, choices=DocumentCategory.choices)
    title = models.CharField(_("title"), max_length=120)
    counterparty = models.CharField(_("from or to"), max_length=100, blank=True)
    reference = models.CharField(_("their reference"), max_length=60, blank=True)
    dated = models.DateField(_("document date"), null=True, blank=True)
    house = models.ForeignKey(
        House, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    location = models.CharField(_("archive location"), max_length=60)
    keywords = models.CharField(_("keywords"), max_length=120, blank=True)
    scan = models.FileField(_("scan"), upload_to=register_upload_to, max_length=200, blank=True)
    scan_name = models.CharField(max_length=200, blank=True)
    scan_type = models.CharField(max_length=100, blank=True)
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=RegisteredDocumentStatus.choices,
        default=RegisteredDocumentStatus.ON_FILE,
    )
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    registered_at = models.DateTimeField(_("registered at"), default=timezone.now)

    class Meta:
        ordering = ["-registered_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["community", "number"], name="register_number_unique")
        ]
        indexes = [
            models.Index(fields=["community", "category", "-registered_at"], name="register_cat"),
            models.Index(fields=["community", "house"], name="register_house"),
        ]
        verbose_name = _("registered document")
        verbose_name_plural = _("document register")

    def __str__(self) -> str:
        return self.number


class DocumentLoan(models.Model):
    """One lending of a registered document, from hand-out to return."""

    community = models.ForeignKey(Community, on_delete=models.PROTECT, related_name="+")
    document = models.ForeignKey(RegisteredDocument, on_delete=models.PROTECT, related_name="loans")
    borrower_name = models.CharField(_("borrower"), max_length=100)
    purpose = models.CharField(_("purpose"), max_length=200)
    due_on = models.DateField(_("due back on"))
    lent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    lent_at = models.DateTimeField(_("lent at"), default=timezone.now)
    returned_at = models.DateTimeField(_("returned at"), null=True, blank=True)
    returned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-lent_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["document"],
                condition=models.Q(returned_at__isnull=True),
                name="document_one_open_loan",
            )
        ]
        indexes = [models.Index(fields=["community", "returned_at"], name="docloan_open")]
        verbose_name = _("document loan")
        verbose_name_plural = _("document loans")

    def __str__(self) -> str:
        return f"{self.document_id} → {self.borrower_name}"
