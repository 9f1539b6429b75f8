"""The owner portal's own records: sign-in codes and attempts, link requests, fee visibility
grants, and online payment orders with the provider callbacks seen.

Who an account is comes from the registry (estates.selectors.account_house_links); this app
keeps only what the registry has no place for.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

USER = settings.AUTH_USER_MODEL


class SignInCode(models.Model):
    """A one-time code sent by SMS: only its keyed hash is stored; single use, short-lived."""

    mobile = models.CharField(_("mobile"), max_length=11)
    code_hash = models.CharField(max_length=64)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)
    failed_attempts = models.PositiveSmallIntegerField(default=0)
    ip = models.GenericIPAddressField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["mobile", "created_at"], name="signin_code_mobile")]
        verbose_name = _("sign-in code")
        verbose_name_plural = _("sign-in codes")

    def __str__(self) -> str:
        return f"code {self.pk}"


class SignInEvent(models.Model):
    """One sign-in event, counted by mobile and by IP address for rate limits and lockout.

    Kept in the database (not only a cache) so that limits hold across processes and servers.
    """

    class Kind(models.TextChoices):
        CODE_SENT = "code_sent", _("Code sent")
        CODE_FAILED = "code_failed", _("Wrong code")
        PASSWORD_FAILED = "password_failed", _("Wrong password")
        SIGNED_IN = "signed_in", _("Signed in")

    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    mobile = models.CharField(_("mobile"), max_length=11)
    ip = models.GenericIPAddressField(null=True, blank=True)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [
            models.Index(fields=["mobile", "kind", "at"], name="signin_event_mobile"),
            models.Index(fields=["ip", "kind", "at"], name="signin_event_ip"),
        ]
        verbose_name = _("sign-in event")
        verbose_name_plural = _("sign-in events")

    def __str__(self) -> str:
        return f"{self.kind} {self.at:%Y-%m-%d %H:%M}"


class LinkRelation(models.TextChoices):
    """What a person not yet in the registry says they are to a house."""

    OWNER = "owner", _("Owner")
    CO_OWNER = "co_owner", _("Co-owner")
    FAMILY = "family", _("Family member")
    TENANT = "tenant", _("Tenant")


RELATION_LABELS = {
    "owner": _("Owner"),
    "co_owner": _("Co-owner"),
    "family": _("Family member"),
    "tenant": _("Tenant"),
    "other": _("Other occupant"),
    "agent": _("Entrusted agent"),
}


class LinkRequest(models.Model):
    """A signed-in person asks to be linked to a house; the desk checks and records it in the
    registry (DOMAIN.md §1: archive data kept current)."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")

    community = models.ForeignKey(
        "estates.Community", on_delete=models.PROTECT, related_name="+", verbose_name=_("community")
    )
    house = models.ForeignKey(
        "estates.House", on_delete=models.PROTECT, related_name="+", verbose_name=_("house")
    )
    user = models.ForeignKey(
        USER, on_delete=models.PROTECT, related_name="link_requests", verbose_name=_("account")
    )
    relation = models.CharField(_("relation"), max_length=10, choices=LinkRelation.choices)
    name = models.CharField(_("name"), max_length=100)
    note = models.CharField(_("note"), max_length=300, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    created_at = models.DateTimeField(_("asked at"), default=timezone.now)
    decided_by = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decision_note = models.CharField(_("decision note"), max_length=300, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["community", "status", "created_at"], name="link_request_queue"),
        ]
        verbose_name = _("link request")
        verbose_name_plural = _("link requests")

    def __str__(self) -> str:
        return self.name  # the house is named where the request is shown


class FeeGrant(models.Model):
    """An owner lets a tenant or entrusted agent of their house see and pay its fees."""

    community = models.ForeignKey("estates.Community", on_delete=models.PROTECT, related_name="+")
    house = models.ForeignKey("estates.House", on_delete=models.PROTECT, related_name="+")
    mobile = models.CharField(_("mobile"), max_length=11)
    granted_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    granted_at = models.DateTimeField(default=timezone.now)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["community", "house", "mobile"], name="fee_grant_house")]
        constraints = [
            models.UniqueConstraint(
                fields=["house", "mobile"],
                condition=models.Q(revoked_at__isnull=True),
                name="fee_grant_one_live",
            )
        ]
        verbose_name = _("fee visibility grant")
        verbose_name_plural = _("fee visibility grants")

    def __str__(self) -> str:
        return f"grant {self.house_id}"


class PaymentOrder(models.Model):
    """An online payment asked of a provider for chosen bills of one house.

    Confirmed once, by the provider's signed callback: the transaction id is unique per provider,
    and the confirmed order points at the one Payment it became. An order not paid by
    `expires_at` expires (the provider is told the same time); money that still arrives for it is
    recorded all the same.
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for payment")
        PAID = "paid", _("Paid")
        FAILED = "failed", _("Failed")
        EXPIRED = "expired", _("Expired")

    community = models.ForeignKey("estates.Community", on_delete=models.PROTECT, related_name="+")
    house = models.ForeignKey("estates.House", on_delete=models.PROTECT, related_name="+")
    user = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    number = models.CharField(_("order number"), max_length=40, unique=True)
    provider = models.CharField(_("provider"), max_length=20)
    amount_fen = models.BigIntegerField(_("amount (fen)"))
    bill_ids = models.JSONField(default=list)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    pay_url = models.CharField(max_length=300, blank=True)
    transaction_id = models.CharField(max_length=64, null=True, blank=True)
    payment = models.OneToOneField(
        "billing.Payment", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    failure = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField(_("pay before"), null=True, blank=True)
    paid_at = models.DateTimeField(null=True, blank=True)
    # How the owner pays at the provider (WeChat Pay native / h5 / jsapi, Alipay page / wap) and
    # what the provider answered for it (WeChat Pay's code_url shown as a QR code, a prepay id).
    channel = models.CharField(_("channel"), max_length=10, blank=True)
    pay_code = models.TextField(blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["provider", "transaction_id"], name="payment_order_transaction"
            )
        ]
        indexes = [
            models.Index(fields=["community", "house", "created_at"], name="payment_order_house"),
            models.Index(fields=["status", "expires_at"], name="payment_order_expiry"),
        ]
        verbose_name = _("online payment order")
        verbose_name_plural = _("online payment orders")

    def __str__(self) -> str:
        return self.number

    def is_payable(self, at=None) -> bool:
        """Pending and not past its time: the owner may still go and pay it."""
        at = at or timezone.now()
        return self.status == self.Status.PENDING and (
            self.expires_at is None or at < self.expires_at
        )

    @property
    def current_status(self) -> str:
        """The status as the owner should see it now (expired before the worker marks it)."""
        if self.status == self.Status.PENDING and not self.is_payable():
            return self.Status.EXPIRED
        return self.status

    def current_status_label(self) -> str:
        return str(self.Status(self.current_status).label)

    @property
    def amount(self):
        from propdesk.core.money import from_fen

        return from_fen(self.amount_fen)


class CallbackNonce(models.Model):
    """Each signed callback's nonce is accepted once: a replayed callback is refused."""

    provider = models.CharField(max_length=20)
    nonce = models.CharField(max_length=64)
    received_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["provider", "nonce"], name="callback_nonce_once")
        ]

    def __str__(self) -> str:
        return self.nonce


class PaymentCredential(models.Model):
    """A company's merchant credentials at one provider, encrypted at rest (payments.vault).

    `secret` is the Fernet text of every value an administrator entered; nothing of it is shown
    again. `lookup` is the public identifier a provider's notification names the merchant by
    (WeChat Pay's platform certificate serial, Alipay's app id); `summary` holds what may be
    shown (masked merchant id, certificate expiry); `problem` what was wrong when it was checked.
    """

    company = models.ForeignKey("estates.Company", on_delete=models.PROTECT, related_name="+")
    provider = models.CharField(_("provider"), max_length=20)
    secret = models.TextField()
    lookup = models.CharField(max_length=64, db_index=True)
    summary = models.JSONField(default=dict)
    problem = models.CharField(max_length=300, blank=True)
    updated_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["company", "provider"], name="payment_credential_once")
        ]
        verbose_name = _("payment provider credentials")
        verbose_name_plural = _("payment provider credentials")

    def __str__(self) -> str:
        return f"{self.provider} {self.company_id}"


class ProviderRefund(models.Model):
    """Money sent back through the provider an order was paid with.

    `number` (the provider's out_refund_no) is unique, and one correction (a supervisor-approved
    refund or deposit refund) has at most one refund: however often it is sent, the provider is
    asked for the same refund. The refunds of an order never exceed what it was paid.
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("Sent, waiting for the provider")
        SUCCEEDED = "succeeded", _("Refunded")
        FAILED = "failed", _("Failed")

    community = models.ForeignKey("estates.Community", on_delete=models.PROTECT, related_name="+")
    order = models.ForeignKey(PaymentOrder, on_delete=models.PROTECT, related_name="refunds")
    number = models.CharField(_("refund number"), max_length=64, unique=True)
    amount_fen = models.BigIntegerField(_("amount (fen)"))
    adjustment = models.OneToOneField(
        "billing.LedgerAdjustment",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    reason = models.CharField(_("reason"), max_length=80)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    provider_refund_id = models.CharField(max_length=64, blank=True)
    failure = models.CharField(max_length=200, blank=True)
    requested_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=models.Q(amount_fen__gt=0), name="refund_positive")
        ]
        indexes = [models.Index(fields=["community", "created_at"], name="provider_refund_date")]
        verbose_name = _("online refund")
        verbose_name_plural = _("online refunds")

    def __str__(self) -> str:
        return self.number


class ReconciliationDay(models.Model):
    """One provider statement day of one company (对账): open until no difference is left."""

    class Status(models.TextChoices):
        OPEN = "open", _("Differences to resolve")
        CLOSED = "closed", _("Reconciled")
        FAILED = "failed", _("Statement not fetched")

    company = models.ForeignKey("estates.Company", on_delete=models.PROTECT, related_name="+")
    provider = models.CharField(_("provider"), max_length=20)
    day = models.DateField(_("day"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices)
    matched = models.PositiveIntegerField(_("matched"), default=0)
    provider_total_fen = models.BigIntegerField(default=0)
    our_total_fen = models.BigIntegerField(default=0)
    failure = models.CharField(max_length=200, blank=True)
    fetched_at = models.DateTimeField(default=timezone.now)
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-day", "provider"]
        constraints = [
            models.UniqueConstraint(
                fields=["company", "provider", "day"], name="reconciliation_day_once"
            )
        ]
        verbose_name = _("reconciliation day")
        verbose_name_plural = _("reconciliation days")

    def __str__(self) -> str:
        return f"{self.provider} {self.day}"


class ReconciliationItem(models.Model):
    """A difference between a provider's statement and the payments recorded here."""

    class Kind(models.TextChoices):
        MISSING_HERE = "missing_here", _("Paid at the provider, not recorded here")
        MISSING_THERE = "missing_there", _("Recorded here, not in the statement")
        AMOUNT_DIFFERS = "amount_differs", _("Amounts differ")

    class Resolution(models.TextChoices):
        RECORDED = "recorded", _("Payment recorded after checking with the provider")
        CONFIRMED = "confirmed", _("Confirmed with the provider")
        NOTED = "noted", _("Explained")

    day = models.ForeignKey(ReconciliationDay, on_delete=models.CASCADE, related_name="items")
    community = models.ForeignKey(
        "estates.Community", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    kind = models.CharField(_("difference"), max_length=20, choices=Kind.choices)
    order_number = models.CharField(_("order number"), max_length=40)
    transaction_id = models.CharField(_("transaction"), max_length=64, blank=True)
    provider_amount_fen = models.BigIntegerField(null=True, blank=True)
    our_amount_fen = models.BigIntegerField(null=True, blank=True)
    resolution = models.CharField(
        _("resolution"), max_length=10, choices=Resolution.choices, blank=True
    )
    note = models.CharField(_("note"), max_length=300, blank=True)
    resolved_by = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    resolved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["day", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["day", "order_number", "kind"], name="reconciliation_item_once"
            )
        ]
        verbose_name = _("reconciliation difference")
        verbose_name_plural = _("reconciliation differences")

    def __str__(self) -> str:
        return f"{self.kind} {self.order_number}"
