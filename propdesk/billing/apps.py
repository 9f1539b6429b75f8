from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BillingConfig(AppConfig):
    name = "propdesk.billing"
    label = "billing"
    verbose_name = _("Fees and collection")

    def ready(self) -> None:
        from propdesk.estates import house_links

        house_links.register(house_links_of_fees)


def house_links_of_fees(user, house):
    """On a house's page: its dues, payments and statement at the cashier desk."""
    from django.urls import reverse

    from propdesk.core.permissions import Perm, has_perm
    from propdesk.estates.house_links import HouseLink

    if has_perm(user, Perm.BILLING_VIEW):
        url = reverse("billing_desk_house", args=[house.pk])
        yield HouseLink(_("Fees and payments"), url, "fees")
