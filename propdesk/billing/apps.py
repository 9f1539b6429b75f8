from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BillingConfig(AppConfig):
    name = "propdesk.billing"
    label = "billing"
    verbose_name = _("Fees and collection")

    def ready(self) -> None:
        from propdesk.billing.models import LedgerAdjustment, PaymentMethod
        from propdesk.core import audit
        from propdesk.estates import house_links

        house_links.register(house_links_of_fees)
        # How the shared history names this app's events (the codes stay in the database).
        for code, label in {
            "billed": _("Billed"),
            "billing_run": _("Billing run"),
            "cash_up": _("Daily cash-up"),
            "correction_requested": _("Correction requested"),
            "correction_approved": _("Correction approved"),
            "correction_rejected": _("Correction rejected"),
            "payment": _("Payment received"),
            "period_closed": _("Period closed"),
            "rate_added": _("Rate added"),
            "utility_settled": _("Shared utility settled"),
            "vacancy_applied": _("Vacancy discount applied for"),
            "vacancy_approved": _("Vacancy discount approved"),
            "vacancy_rejected": _("Vacancy discount refused"),
        }.items():
            audit.ACTION_LABELS.setdefault(code, label)
        for name, label in {"amount": _("amount"), "method": _("method")}.items():
            audit.FIELD_LABELS.setdefault(name, label)
        audit.value_labels_add("method", PaymentMethod)
        audit.value_labels_add("kind", LedgerAdjustment.Kind)
        audit.value_labels_add("status", LedgerAdjustment.Status)


def house_links_of_fees(user, house):
    """On a house's page: its dues, payments and statement at the cashier desk."""
    from django.urls import reverse

    from propdesk.core.permissions import Perm, has_perm
    from propdesk.estates.house_links import HouseLink

    if has_perm(user, Perm.BILLING_VIEW):
        url = reverse("billing_desk_house", args=[house.pk])
        yield HouseLink(_("Fees and payments"), url, "fees")
