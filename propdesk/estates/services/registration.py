"""Front-desk registrations that combine several registry writes in one transaction.

An owner arriving at the desk is found in the archive by ID number (or registered), then linked
to the house; an entrusted agent is recorded together with the power of attorney they brought.
"""

import datetime

from django.db import transaction

from propdesk.core.permissions import Perm, require
from propdesk.estates.models import DocumentType, EntrustedAgent, House, Owner, Ownership
from propdesk.estates.models import OwnershipTransfer as Transfer
from propdesk.estates.services.documents import document_upload
from propdesk.estates.services.owners import (
    clean_owner_fields,
    owner_create,
    ownership_add,
    ownership_transfer,
)
from propdesk.estates.services.people import agent_add


def owner_find_or_create(*, actor, house: House, owner_fields: dict) -> Owner:
    """The archive's owner with this ID number, or a newly registered one."""
    require(actor, Perm.REGISTRY_EDIT, house.community_id)
    values = clean_owner_fields(**owner_fields)
    if values["id_number"]:
        existing = Owner.objects.filter(
            community_id=house.community_id, id_number=values["id_number"]
        ).first()
        if existing is not None:
            return existing
    return owner_create(actor=actor, community=house.community, **owner_fields)


@transaction.atomic
def owner_register_for_house(
    *,
    actor,
    house: House,
    owner_fields: dict,
    is_primary: bool | None = None,
    start_on: datetime.date | None = None,
) -> Ownership:
    owner = owner_find_or_create(actor=actor, house=house, owner_fields=owner_fields)
    return ownership_add(
        actor=actor, house=house, owner=owner, is_primary=is_primary, start_on=start_on
    )


@transaction.atomic
def transfer_to_owners(
    *,
    actor,
    house: House,
    owners_fields: list[dict],
    effective_on: datetime.date | None = None,
    reason: str = "",
) -> Transfer:
    require(actor, Perm.OWNERSHIP_TRANSFER, house.community_id)
    owners = [
        owner_find_or_create(actor=actor, house=house, owner_fields=fields)
        for fields in owners_fields
    ]
    return ownership_transfer(
        actor=actor, house=house, new_owners=owners, effective_on=effective_on, reason=reason
    )


@transaction.atomic
def agent_register_with_attorney(
    *,
    actor,
    house: House,
    owner: Owner,
    power_of_attorney_file,
    name: str,
    mobile: str,
    id_number: str,
    scope: str,
    valid_from: datetime.date | None = None,
    valid_until: datetime.date | None = None,
) -> EntrustedAgent:
    """File the power of attorney in the house's archive and record the agent (DOMAIN §1, 001)."""
    document = document_upload(
        actor=actor,
        community=house.community,
        doc_type=DocumentType.POWER_OF_ATTORNEY,
        uploaded=power_of_attorney_file,
        house=house,
        owner=owner,
        title=name,
    )
    return agent_add(
        actor=actor,
        house=house,
        owner=owner,
        name=name,
        mobile=mobile,
        id_number=id_number,
        scope=scope,
        power_of_attorney=document,
        valid_from=valid_from,
        valid_until=valid_until,
    )
