from django.apps import AppConfig
from django.db.backends.signals import connection_created
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "propdesk.core"
    label = "core"
    verbose_name = _("Core")

    def ready(self) -> None:
        from propdesk.core import checks  # noqa: F401 (registers the deployment checks)
        from propdesk.core.retention import register_sqlite_function

        # The history's SQLite triggers ask this connection whether a purge is under way.
        connection_created.connect(register_sqlite_function, dispatch_uid="propdesk_audit_purge")
