"""Cross-cutting records: the change history, the personal-data access log, numbering, the outbox
and the spreadsheets the worker prepares."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from propdesk.core.calendar_models import CalendarOverride, WorkingHours  # noqa: F401


class AuditEvent(models.Model):
    """Who changed what, when: one row per change of a registry record (DESIGN.md).

    `house_id` and `owner_id` are denormalised so the timelines of a house and an owner are one
    indexed read each.
    """

    community_id = models.BigIntegerField(null=True, db_index=False)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("who"),
    )
    action = models.CharField(_("action"), max_length=40)
    object_type = models.CharField(_("record"), max_length=40)
    object_id = models.BigIntegerField()
    object_repr = models.CharField(max_length=200, blank=True)
    house_id = models.BigIntegerField(null=True)
    owner_id = models.BigIntegerField(null=True)
    changes = models.JSONField(_("changes"), default=dict, blank=True)
    note = models.CharField(_("note"), max_length=300, blank=True)
    at = models.DateTimeField(_("when"), default=timezone.now)

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [
            models.Index(fields=["house_id", "-at"], name="audit_house"),
            models.Index(fields=["owner_id", "-at"], name="audit_owner"),
            models.Index(fields=["object_type", "object_id"], name="audit_object"),
            models.Index(fields=["community_id", "-at"], name="audit_community"),
        ]
        verbose_name = _("change history")
        verbose_name_plural = _("change history")

    def __str__(self) -> str:
        return f"{self.object_type}#{self.object_id} {self.action}"


class AccessLog(models.Model):
    """A reveal of masked personal data: who saw whose which field, when."""

    community_id = models.BigIntegerField(null=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("who")
    )
    subject_type = models.CharField(_("whose record"), max_length=40)
    subject_id = models.BigIntegerField()
    subject_repr = models.CharField(_("whose"), max_length=200)
    field = models.CharField(_("field"), max_length=40)
    reason = models.CharField(_("reason"), max_length=200, blank=True)
    at = models.DateTimeField(_("when"), default=timezone.now)

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [
            models.Index(fields=["community_id", "-at"], name="access_community"),
            models.Index(fields=["subject_type", "subject_id"], name="access_subject"),
        ]
        verbose_name = _("access log entry")
        verbose_name_plural = _("access log")

    def __str__(self) -> str:
        return f"{self.actor_id} → {self.subject_repr}.{self.field}"


class NumberSequence(models.Model):
    """Gap-free counters, e.g. archive numbers per community and year (see core.numbering)."""

    scope = models.CharField(max_length=80, unique=True)
    last_value = models.PositiveBigIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.scope}={self.last_value}"


class OutboxMessage(models.Model):
    """A message waiting to leave through a channel (DESIGN.md: side effects go through the outbox).

    Written in the same transaction as the change that causes it, delivered by the worker at least
    once; `dedupe_key` makes enqueueing idempotent and is handed to transports so that a retried
    delivery can be recognised by the receiving side.
    """

    class Channel(models.TextChoices):
        SMS = "sms", _("SMS")
        EMAIL = "email", _("Email")
        IN_APP = "in_app", _("In-app")
        WECHAT = "wechat", _("WeChat")

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        SENDING = "sending", _("Sending")
        SENT = "sent", _("Sent")
        DEAD = "dead", _("Failed for good")
        SKIPPED = "skipped", _("Not sent: channel turned off")

    class Receipt(models.TextChoices):
        DELIVERED = "delivered", _("Delivered")
        FAILED = "failed", _("Not delivered")

    community_id = models.BigIntegerField(null=True)
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    recipient = models.CharField(_("recipient"), max_length=200)
    recipient_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    event = models.CharField(_("event"), max_length=60)
    subject = models.CharField(_("subject"), max_length=200, blank=True)
    body = models.TextField(_("text"))
    dedupe_key = models.CharField(max_length=200, unique=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    claimed_at = models.DateTimeField(null=True, blank=True)
    last_error = models.CharField(_("last error"), max_length=500, blank=True)
    # An emergency: the delivery policy never defers or skips it, at enqueue or at delivery.
    urgent = models.BooleanField(_("urgent"), default=False)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    # The event's variables, for providers that send a registered template with parameters
    # instead of free text (SMS in mainland China, WeChat template messages).
    params = models.JSONField(default=dict, blank=True)
    # The provider's id of the sent message (an SMS BizId or SerialNo, a WeChat msgid), and the
    # delivery receipt the provider reported for it later.
    provider_ref = models.CharField(_("provider's message id"), max_length=100, blank=True)
    receipt_status = models.CharField(
        _("delivery receipt"), max_length=10, choices=Receipt.choices, blank=True
    )
    receipt_at = models.DateTimeField(_("receipt time"), null=True, blank=True)
    receipt_error = models.CharField(_("receipt error"), max_length=200, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["status", "next_attempt_at"], name="outbox_due"),
            models.Index(fields=["recipient_user", "-created_at"], name="outbox_inbox"),
            # Per-number rate limits count what was sent to a number lately; receipts find the
            # message by the provider's id.
            models.Index(fields=["recipient", "sent_at"], name="outbox_recipient_sent"),
            models.Index(
                fields=["provider_ref"],
                condition=~models.Q(provider_ref=""),
                name="outbox_provider_ref",
            ),
        ]
        verbose_name = _("outgoing message")
        verbose_name_plural = _("outgoing messages")

    def __str__(self) -> str:
        return f"{self.channel} → {self.recipient}: {self.event}"


class UnreachableAddress(models.Model):
    """An address a provider said does not exist (an empty or invalid mobile number): nothing
    more is sent to it until staff clear the mark, e.g. after correcting the person's number.
    The registry shows the mark beside the person's mobile (`core.unreachable`)."""

    channel = models.CharField(_("channel"), max_length=10, choices=OutboxMessage.Channel.choices)
    address = models.CharField(_("address"), max_length=200)
    reason = models.CharField(_("reason"), max_length=200)
    marked_at = models.DateTimeField(_("marked at"), default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["channel", "address"], name="unreachable_address")
        ]
        verbose_name = _("unreachable address")
        verbose_name_plural = _("unreachable addresses")

    def __str__(self) -> str:
        return f"{self.channel}: {self.reason}"


class ExportJob(models.Model):
    """A spreadsheet the worker prepares for one user: asked for, then its progress, then its file.

    Large exports (a month of requests of a whole company) take seconds to write; the page that
    asked shows the progress instead of holding the request open. The file lies in the default
    storage under a random name and is handed out only to the user who asked (core.exports).
    """

    class Status(models.TextChoices):
        QUEUED = "queued", _("Waiting")
        RUNNING = "running", _("Preparing")
        DONE = "done", _("Ready")
        FAILED = "failed", _("Failed")

    kind = models.CharField(_("kind"), max_length=60)
    params = models.JSONField(default=dict)
    title = models.CharField(_("title"), max_length=200)
    language = models.CharField(max_length=10, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.QUEUED
    )
    done = models.PositiveIntegerField(_("rows written"), default=0)
    total = models.PositiveIntegerField(_("rows in all"), null=True, blank=True)
    path = models.CharField(max_length=200, blank=True)
    filename = models.CharField(_("file name"), max_length=200, blank=True)
    size = models.PositiveBigIntegerField(_("size"), null=True, blank=True)
    error = models.CharField(_("error"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("asked at"), default=timezone.now)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["created_by", "-created_at"], name="export_mine"),
            models.Index(fields=["status", "created_at"], name="export_status"),
        ]
        verbose_name = _("export")
        verbose_name_plural = _("exports")

    def __str__(self) -> str:
        return f"{self.kind} #{self.pk} ({self.status})"

    @property
    def is_finished(self) -> bool:
        return self.status in (self.Status.DONE, self.Status.FAILED)

    @property
    def percent(self) -> int:
        if self.status == self.Status.DONE:
            return 100
        if not self.total:
            return 0
        return min(99, self.done * 100 // self.total)
