from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TicketsConfig(AppConfig):
    name = "propdesk.tickets"
    label = "tickets"
    verbose_name = _("Service requests")

    def ready(self) -> None:
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
