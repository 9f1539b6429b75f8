"""Writes to the people and things attached to a house: residents, agents, vehicles, parking."""

import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from propdesk.core import audit
from propdesk.core.cleaning import clean_choice, clean_field, clean_text
from propdesk.core.errors import Conflict, ValidationFailed
from propdesk.core.masking import mask_plate
from propdesk.core.permissions import Perm, require
from propdesk.core.pinyin import name_keys
from propdesk.core.validators import normalize_mobile, normalize_plate, normalize_resident_id
from propdesk.estates import error_codes
from propdesk.estates.models import (
    ArchiveDocument,
    Community,
    DocumentType,
    EntrustedAgent,
    House,
    Owner,
    ParkingKind,
    ParkingSpace,
    ParkingStatus,
    Resident,
    ResidentRelation,
    Vehicle,
)


@transaction.atomic
def resident_add(
    *,
    actor,
    house: House,
    relation: str,
    name: str,
    mobile: str = "",
    id_number: str = "",
    lease_start: datetime.date | None = None,
    lease_end: datetime.date | None = None,
    moved_in_on: datetime.date | None = None,
    note: str = "",
) -> Resident:
    """Register a family member or a tenant (tenants carry their lease dates)."""
    require(actor, Perm.REGISTRY_EDIT, house.community_id)
    relation = clean_choice("relation", relation, ResidentRelation)
    name = clean_text("name", name, max_length=100, required=True)
    mobile = clean_text("mobile", mobile, max_length=20)
    mobile = clean_field("mobile", normalize_mobile, mobile) if mobile else ""
    id_number = clean_text("id_number", id_number, max_length=30)
    id_number = clean_field("id_number", normalize_resident_id, id_number) if id_number else ""
    if relation == ResidentRelation.TENANT:
        if not (lease_start and lease_end):
            raise ValidationFailed(_("A tenant needs the lease start and end."), field="lease_end")
        if lease_end < lease_start:
            raise ValidationFailed(_("The lease ends before it starts."), field="lease_end")
    pinyin, initials = name_keys(name)
    resident = Resident.objects.create(
        community_id=house.community_id,
        house=house,
        relation=relation,
        name=name,
        name_pinyin=pinyin,
        name_initials=initials,
        mobile=mobile,
        mobile_tail=mobile[-4:],
        id_number=id_number,
        lease_start=lease_start,
        lease_end=lease_end,
        moved_in_on=moved_in_on or timezone.localdate(),
        note=clean_text("note", note, max_length=200),
    )
    audit.record_change(
        actor=actor,
        instance=resident,
        action="resident_added",
        changes={"relation": [None, relation]},
        house_id=house.id,
    )
    return resident


@transaction.atomic
def resident_move_out(
    *, actor, resident: Resident, moved_out_on: datetime.date | None = None
) -> Resident:
    require(actor, Perm.REGISTRY_EDIT, resident.community_id)
    if resident.moved_out_on:
        raise Conflict(_("This resident has already moved out."), field="moved_out_on")
    moved_out_on = moved_out_on or timezone.localdate()
    if resident.moved_in_on and moved_out_on < resident.moved_in_on:
        raise ValidationFailed(
            _("The move-out date is before the move-in date."), field="moved_out_on"
        )
    resident.moved_out_on = moved_out_on
    resident.save(update_fields=["moved_out_on"])
    audit.record_change(
        actor=actor,
        instance=resident,
        action="resident_moved_out",
        changes={"moved_out_on": [None, resident.moved_out_on]},
        house_id=resident.house_id,
    )
    return resident


@transaction.atomic
def agent_add(
    *,
    actor,
    house: House,
    owner: Owner,
    name: str,
    mobile: str,
    id_number: str,
    scope: str,
    power_of_attorney: ArchiveDocument,
    valid_from: datetime.date | None = None,
    valid_until: datetime.date | None = None,
) -> EntrustedAgent:
    """Record a 受托人: only with the power of attorney on file in this house's archive (001)."""
    require(actor, Perm.REGISTRY_EDIT, house.community_id)
    if (
        owner.community_id != house.community_id
        or not owner.ownerships.filter(house=house, end_on__isnull=True).exists()
    ):
        raise ValidationFailed(
            _("The principal must be a current owner of the house."), field="owner"
        )
    # The power of attorney is filed in this house's archive, or in the principal's own
    # archive when it covers all their houses; another house's document does not count.
    filed_here = power_of_attorney.house_id == house.id or (
        power_of_attorney.house_id is None and power_of_attorney.owner_id == owner.id
    )
    if (
        power_of_attorney.doc_type != DocumentType.POWER_OF_ATTORNEY
        or power_of_attorney.community_id != house.community_id
        or not filed_here
    ):
        raise ValidationFailed(
            _("Attach the power of attorney from this community's archive."),
            field="power_of_attorney",
        )
    valid_from = valid_from or timezone.localdate()
    if valid_until and valid_until < valid_from:
        raise ValidationFailed(_("The entrustment ends before it starts."), field="valid_until")
    agent = EntrustedAgent.objects.create(
        community_id=house.community_id,
        house=house,
        owner=owner,
        name=clean_text("name", name, max_length=100, required=True),
        mobile=clean_field("mobile", normalize_mobile, clean_text("mobile", mobile, max_length=20)),
        id_number=clean_field(
            "id_number", normalize_resident_id, clean_text("id_number", id_number, max_length=30)
        ),
        scope=clean_text("scope", scope, max_length=200, required=True),
        valid_from=valid_from,
        valid_until=valid_until,
        power_of_attorney=power_of_attorney,
    )
    audit.record_change(
        actor=actor,
        instance=agent,
        action="agent_added",
        changes={"principal": [None, owner.name]},
        house_id=house.id,
        owner_id=owner.id,
    )
    return agent


@transaction.atomic
def agent_revoke(*, actor, agent: EntrustedAgent, reason: str = "") -> EntrustedAgent:
    require(actor, Perm.REGISTRY_EDIT, agent.community_id)
    if agent.revoked_at:
        raise Conflict(_("This entrustment is already revoked."))
    agent.revoked_at = timezone.now()
    agent.save(update_fields=["revoked_at"])
    audit.record_change(
        actor=actor,
        instance=agent,
        action="agent_revoked",
        house_id=agent.house_id,
        owner_id=agent.owner_id,
        note=clean_text("reason", reason, max_length=200),
    )
    return agent


@transaction.atomic
def vehicle_add(
    *, actor, house: House, plate: str, owner: Owner | None = None, description: str = ""
) -> Vehicle:
    require(actor, Perm.REGISTRY_EDIT, house.community_id)
    plate, is_new_energy = clean_field(
        "plate", normalize_plate, clean_text("plate", plate, max_length=20, required=True)
    )
    if owner is not None and owner.community_id != house.community_id:
        raise ValidationFailed(_("The owner belongs to another community."), field="owner")
    if Vehicle.objects.filter(
        community_id=house.community_id, plate=plate, removed_on__isnull=True
    ).exists():
        raise Conflict(
            _("This plate is already registered in the community."),
            code=error_codes.DUPLICATE,
            field="plate",
        )
    vehicle = Vehicle.objects.create(
        community_id=house.community_id,
        house=house,
        owner=owner,
        plate=plate,
        is_new_energy=is_new_energy,
        description=clean_text("description", description, max_length=60),
    )
    # Plates are personal data: the history, read by every role, names them masked.
    audit.record_change(
        actor=actor,
        instance=vehicle,
        action="vehicle_added",
        changes={"plate": [None, mask_plate(plate)]},
        house_id=house.id,
        owner_id=owner.id if owner else None,
        object_repr=mask_plate(plate),
    )
    return vehicle


@transaction.atomic
def vehicle_remove(*, actor, vehicle: Vehicle) -> Vehicle:
    require(actor, Perm.REGISTRY_EDIT, vehicle.community_id)
    if vehicle.removed_on:
        raise Conflict(_("This vehicle is already removed."))
    vehicle.removed_on = timezone.localdate()
    vehicle.save(update_fields=["removed_on"])
    audit.record_change(
        actor=actor,
        instance=vehicle,
        action="vehicle_removed",
        house_id=vehicle.house_id,
        owner_id=vehicle.owner_id,
        object_repr=mask_plate(vehicle.plate),
    )
    return vehicle


@transaction.atomic
def parking_space_create(*, actor, community: Community, number: str, kind: str) -> ParkingSpace:
    require(actor, Perm.REGISTRY_EDIT, community.id)
    # Space numbers are kept in capitals, as the parking list searches them.
    number = clean_text("number", number, max_length=20, required=True).upper()
    if ParkingSpace.objects.filter(community=community, number=number).exists():
        raise Conflict(_("This space number exists."), code=error_codes.DUPLICATE, field="number")
    space = ParkingSpace.objects.create(
        community=community, number=number, kind=clean_choice("kind", kind, ParkingKind)
    )
    audit.record_change(actor=actor, instance=space, action="create")
    return space


@transaction.atomic
def parking_space_assign(
    *,
    actor,
    space: ParkingSpace,
    status: str,
    holder: Owner | None = None,
    house: House | None = None,
    vehicle: Vehicle | None = None,
) -> ParkingSpace:
    """Let or sell a space to a holder, or free it (status available clears the holder)."""
    require(actor, Perm.REGISTRY_EDIT, space.community_id)
    status = clean_choice("status", status, ParkingStatus)
    if status == ParkingStatus.AVAILABLE:
        holder = house = vehicle = None
    elif holder is None:
        raise ValidationFailed(_("A let or sold space needs a holder."), field="holder")
    for field, related in (("holder", holder), ("house", house), ("vehicle", vehicle)):
        if related is not None and related.community_id != space.community_id:
            raise ValidationFailed(_("This belongs to another community."), field=field)
    previous_house_id, previous_holder_id = space.house_id, space.holder_id
    changes = audit.apply_changes(
        space, {"status": status, "holder": holder, "house": house, "vehicle": vehicle}
    )
    if changes:
        space.save(
            update_fields=[f for f in ("status", "holder", "house", "vehicle") if f in changes]
        )
        audit.record_change(
            actor=actor,
            instance=space,
            action="parking_assigned",
            changes=changes,
            # A freed space stays on the timeline of the house and holder it leaves.
            house_id=house.id if house else previous_house_id,
            owner_id=holder.id if holder else previous_holder_id,
        )
    return space
