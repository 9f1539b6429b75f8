"""The roles a person can hold (DOMAIN.md §1). The kernel's permission policy maps each role to
its permissions; the user model (accounts) stores one per person."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    AGENT = "agent", _("Agent")
    SUPERVISOR = "supervisor", _("Supervisor")
    TECHNICIAN = "technician", _("Technician")
    CASHIER = "cashier", _("Cashier")
    GUARD = "guard", _("Guard")
    ADMIN = "admin", _("Administrator")
    OWNER = "owner", _("Owner")
