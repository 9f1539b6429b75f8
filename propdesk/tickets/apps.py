from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TicketsConfig(AppConfig):
    name = "propdesk.tickets"
    label = "tickets"
    verbose_name = _("Service requests")

    def ready(self) -> None:
        # A saved or deleted configuration row clears this process's configuration cache
        # (tickets.configuration); it holds no business rule.
        from django.db.models.signals import post_delete, post_save

        from propdesk.accounts.models import Department
        from propdesk.core.calendar_models import CalendarOverride, WorkingHours
        from propdesk.tickets import configuration, models

        for model in (
            models.RequestKind,
            models.Category,
            models.Urgency,
            models.RoutingRule,
            models.SlaPolicy,
            models.RequestSettings,
            Department,
            WorkingHours,
            CalendarOverride,
        ):
            for signal in (post_save, post_delete):
                signal.connect(
                    configuration.clear_cache,
                    sender=model,
                    dispatch_uid=f"tickets-config-{model._meta.label}-{signal is post_save}",
                )
