from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EstatesConfig(AppConfig):
    name = "propdesk.estates"
    label = "estates"
    verbose_name = _("Estate registry")

    def ready(self) -> None:
        # The shared history shows the registry's coded values by their labels.
        from propdesk.core import audit
        from propdesk.estates import models

        audit.value_labels_add("kind", models.HouseKind)
        audit.value_labels_add("status", models.HouseStatus)
        audit.value_labels_add("id_type", models.IdType)
        audit.value_labels_add("relation", models.ResidentRelation)
        audit.value_labels_add("doc_type", models.DocumentType)
        from propdesk.estates.excel.export_jobs import exporters_register

        exporters_register()
