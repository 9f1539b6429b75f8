from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TicketsConfig(AppConfig):
    name = "propdesk.tickets"
    label = "tickets"
    verbose_name = _("Service requests")

    def ready(self) -> None:
        from propdesk.estates import house_links

        house_links.register(house_links_of_requests)
        from propdesk.core.exports import exporter_register
        from propdesk.tickets.exports import MONTH_EXPORT

        exporter_register(MONTH_EXPORT)
        # A saved or deleted configuration row clears this process's configuration cache
        # (core.config_cache); it holds no business rule.
        from propdesk.accounts.models import Department
        from propdesk.core.calendar_models import CalendarOverride, WorkingHours
        from propdesk.core.config_cache import clear_on_change
        from propdesk.tickets import models

        clear_on_change(
            (
                models.RequestKind,
                models.Category,
                models.Urgency,
                models.RoutingRule,
                models.SlaPolicy,
                models.RequestSettings,
                Department,
                WorkingHours,
                CalendarOverride,
            ),
            uid="tickets-config",
        )


def house_links_of_requests(user, house):
    """On a house's page: record a request for it."""
    from urllib.parse import urlencode

    from django.urls import reverse

    from propdesk.core.permissions import Perm, has_perm
    from propdesk.estates.house_links import HouseLink

    if has_perm(user, Perm.REQUEST_CREATE):
        url = f"{reverse('request_intake')}?{urlencode({'house': house.pk})}"
        yield HouseLink(_("Record a request"), url, "request_new")
