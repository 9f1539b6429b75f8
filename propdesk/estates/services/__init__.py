"""Every write to the registry goes through one of these functions (STYLE.md rule 2)."""

from propdesk.estates.services.documents import archive_number_next, document_upload
from propdesk.estates.services.houses import (
    building_create,
    community_create,
    house_change_status,
    house_create,
    house_update,
)
from propdesk.estates.services.owners import (
    clean_owner_fields,
    owner_create,
    owner_update,
    ownership_add,
    ownership_transfer,
)
from propdesk.estates.services.people import (
    agent_add,
    agent_revoke,
    parking_space_assign,
    parking_space_create,
    resident_add,
    resident_move_out,
    vehicle_add,
    vehicle_remove,
)
from propdesk.estates.services.privacy import personal_data_reveal

__all__ = [
    "agent_add",
    "agent_revoke",
    "archive_number_next",
    "building_create",
    "clean_owner_fields",
    "community_create",
    "document_upload",
    "house_change_status",
    "house_create",
    "house_update",
    "owner_create",
    "owner_update",
    "ownership_add",
    "ownership_transfer",
    "parking_space_assign",
    "parking_space_create",
    "personal_data_reveal",
    "resident_add",
    "resident_move_out",
    "vehicle_add",
    "vehicle_remove",
]
