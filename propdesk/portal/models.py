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
