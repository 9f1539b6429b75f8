from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NoticesConfig(AppConfig):
    name = "propdesk.notices"
    label = "notices"
    verbose_name = _("Notices and notifications")

    def ready(self) -> None:
        # A saved or deleted template clears the configuration cache the senders read it from.
        from propdesk.core.config_cache import clear_on_change
        from propdesk.notices.models import NotificationTemplate

        clear_on_change((NotificationTemplate,), uid="notices-templates")

        # The SMS and WeChat channels find each company's provider accounts here.
        from propdesk.notices import providers

        providers.register()
