"""Models of operations, one module per noun: equipment and readings, maintenance, patrols."""

from propdesk.operations.models.equipment import (
    METRIC_RANGE,
    Alert,
    Equipment,
    EquipmentKind,
    EquipmentRequest,
    EquipmentStatus,
    Metric,
    Reading,
    ReadingHour,
    ThresholdRule,
)
from propdesk.operations.models.maintenance import (
    IntervalUnit,
    MaintenancePlan,
    OrderStatus,
    WorkOrder,
    WorkOrderPhoto,
)
from propdesk.operations.models.parking import ParkingStay, StayStatus
from propdesk.operations.models.patrol import (
    CheckOutcome,
    PatrolCheck,
    PatrolPhoto,
    PatrolPlan,
    PatrolPoint,
    PatrolRound,
    PatrolRoute,
    PatrolStop,
    RoundStatus,
)
from propdesk.operations.models.publication import (
    FeePublication,
    LineKind,
    PublicationLine,
    PublicationStatus,
)

__all__ = [
    "METRIC_RANGE",
    "Alert",
    "CheckOutcome",
    "Equipment",
    "EquipmentKind",
    "EquipmentRequest",
    "EquipmentStatus",
    "FeePublication",
    "IntervalUnit",
    "LineKind",
    "MaintenancePlan",
    "Metric",
    "OrderStatus",
    "ParkingStay",
    "PatrolCheck",
    "PatrolPhoto",
    "PatrolPlan",
    "PatrolPoint",
    "PatrolRound",
    "PatrolRoute",
    "PatrolStop",
    "PublicationLine",
    "PublicationStatus",
    "Reading",
    "ReadingHour",
    "RoundStatus",
    "StayStatus",
    "ThresholdRule",
    "WorkOrder",
    "WorkOrderPhoto",
]
