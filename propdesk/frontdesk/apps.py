from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FrontdeskConfig(AppConfig):
    name = "propdesk.frontdesk"
    label = "frontdesk"
    verbose_name = _("Front-desk procedures")

    def ready(self):
        # The house and owner timelines (estates) name each history action through
        # core.audit's labels: teach them the procedures' actions and fields.
        from propdesk.core import audit
        from propdesk.frontdesk.templatetags.procedures import ACTION_LABELS, FIELD_LABELS

        for code, label in ACTION_LABELS.items():
            audit.ACTION_LABELS.setdefault(code, label)
        for name, label in FIELD_LABELS.items():
            audit.FIELD_LABELS.setdefault(name, label)
