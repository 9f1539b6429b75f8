from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OperationsConfig(AppConfig):
    name = "propdesk.operations"
    label = "operations"
    verbose_name = _("Operations")

    def ready(self) -> None:
        from propdesk.core.audit import ACTION_LABELS, FIELD_LABELS, value_labels_add
        from propdesk.operations import tasks  # noqa: F401 — the worker's periodic jobs
        from propdesk.operations.models import (
            CheckOutcome,
            EquipmentKind,
            EquipmentStatus,
            RoundStatus,
        )

        # How the shared history names this app's events (the codes stay in the database).
        ACTION_LABELS.update(
            {
                "equipment_registered": _("Equipment registered"),
                "equipment_status": _("Equipment status changed"),
                "equipment_request_linked": _("Request names the equipment"),
                "patrol_point_checked": _("Patrol point recorded"),
                "work_order_opened": _("Maintenance work order opened"),
                "work_order_completed": _("Maintenance work order completed"),
                "work_order_escalated": _("Maintenance work order overdue: escalated"),
                "patrol_round_finished": _("Patrol round finished"),
                "patrol_round_overdue": _("Patrol round closed when its time was over"),
            }
        )
        FIELD_LABELS.update(
            {
                "model_name": _("model"),
                "installer": _("installer"),
                "contractor": _("maintenance contractor"),
                "warranty_end": _("warranty ends"),
                "low": _("lowest normal value"),
                "high": _("highest normal value"),
                "emergency": _("emergency"),
                "outcome": _("outcome"),
                "points_missed": _("points missed"),
            }
        )
        value_labels_add("status", EquipmentStatus.choices)
        value_labels_add("kind", EquipmentKind.choices)
        value_labels_add("outcome", CheckOutcome.choices)
        value_labels_add("status", RoundStatus.choices)
