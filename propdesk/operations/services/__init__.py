"""Every write of operations, one module per noun; the register's services are re-exported."""

from propdesk.operations.services.equipment import (
    MONITOR_USERNAME,
    equipment_register,
    equipment_update,
    monitor_account,
    request_link,
    rule_set,
    status_record,
)

__all__ = [
    "MONITOR_USERNAME",
    "equipment_register",
    "equipment_update",
    "monitor_account",
    "request_link",
    "rule_set",
    "status_record",
]
