"""Staff users, departments, roles and the communities each person may work in."""

import hashlib
import secrets

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from propdesk.core.masking import mask_mobile
from propdesk.core.roles import Role


class Department(models.Model):
    """A department work is routed to; seeded with the six of DOMAIN.md and editable."""

    class Code(models.TextChoices):
        CUSTOMER_SERVICE = "customer_service", _("Customer service")
        ENGINEERING = "engineering", _("Engineering")
        SECURITY = "security", _("Security")
        CLEANING = "cleaning", _("Cleaning")
        GREENING = "greening", _("Greening")
        FINANCE = "finance", _("Finance")

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=60)

    class Meta:
        ordering = ["id"]
        verbose_name = _("department")
        verbose_name_plural = _("departments")

    def __str__(self) -> str:
        return self.name


class User(AbstractUser):
    role = models.CharField(_("role"), max_length=20, choices=Role.choices, default=Role.AGENT)
    department = models.ForeignKey(
        Department,
        verbose_name=_("department"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="staff",
    )
    communities = models.ManyToManyField(
        "estates.Community",
        verbose_name=_("communities"),
        blank=True,
        related_name="staff",
        help_text=_("The communities this person works in. Administrators see all."),
    )
    mobile = models.CharField(_("mobile"), max_length=20, blank=True)

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        constraints = [
            # The portal finds an owner's account by its verified mobile (usernames are opaque).
            models.UniqueConstraint(
                fields=["mobile"],
                condition=models.Q(role="owner") & ~models.Q(mobile=""),
                name="one_owner_account_per_mobile",
            )
        ]

    def __str__(self) -> str:
        if self.role == Role.OWNER and not (self.first_name or self.last_name):
            # A portal account's username is opaque (owner-…): staff read it as a resident with
            # a masked mobile until a link to the registry names it.
            return str(_("Resident %(mobile)s") % {"mobile": mask_mobile(self.mobile)}).strip()
        return display_name_of(self.first_name, self.last_name, self.username)

    @property
    def display_name(self) -> str:
        return str(self)


def display_name_of(first_name: str, last_name: str, username: str) -> str:
    """A user's name as staff read it: family name first, else the username."""
    full = f"{last_name}{first_name}".strip()
    return full or username


def hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


class ApiToken(models.Model):
    """A bearer token for an integration. Only its SHA-256 is stored; the key is shown once."""

    PREFIX = "pdk_"

    user = models.ForeignKey(
        User, verbose_name=_("acts as"), on_delete=models.PROTECT, related_name="api_tokens"
    )
    name = models.CharField(_("name"), max_length=80)
    key_prefix = models.CharField(_("key prefix"), max_length=12)
    key_hash = models.CharField(max_length=64, unique=True)
    created_by = models.ForeignKey(
        User, on_delete=models.PROTECT, related_name="+", verbose_name=_("created by")
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self) -> str:
        return f"{self.name} ({self.key_prefix}…)"

    @classmethod
    def generate_key(cls) -> str:
        return cls.PREFIX + secrets.token_urlsafe(32)

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None
