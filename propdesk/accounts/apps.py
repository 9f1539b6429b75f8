from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "propdesk.accounts"
    label = "accounts"
    verbose_name = _("Staff and accounts")

    def ready(self) -> None:
        from propdesk.accounts.token_cache import forget_on_change
        from propdesk.core import audit

        forget_on_change()

        # How the shared history names this app's events (the codes stay in the database).
        audit.ACTION_LABELS.setdefault("staff_access_changed", _("Access changed"))
