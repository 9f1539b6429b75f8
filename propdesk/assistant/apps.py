from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AssistantConfig(AppConfig):
    name = "propdesk.assistant"
    label = "assistant"
    verbose_name = _("Text assistant")
