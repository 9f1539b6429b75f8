from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EstatesConfig(AppConfig):
    name = "propdesk.estates"
    label = "estates"
    verbose_name = _("Estate registry")
