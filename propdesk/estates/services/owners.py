"""Writes to owners and ownerships: registering owners, co-owners and transfers (过户).

A house changes owner only by a transfer: the current ownerships end, new ones start, and both
stay in the archive (DOMAIN.md §1 "nothing is deleted").
"""

import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from propdesk.core import audit
from propdesk.core.cleaning import clean_choice, clean_field, clean_text
from propdesk.core.errors import Conflict, ValidationFailed
from propdesk.core.permissions import Perm, require
from propdesk.core.pinyin import name_keys
from propdesk.core.validators import (
    normalize_credit_code,
    normalize_mobile,
    normalize_other_id,
    normalize_resident_id,
)
from propdesk.estates import error_codes
from propdesk.estates.models import (
    Community,
    House,
    IdType,
    Owner,
    OwnerKind,
    Ownership,
    OwnershipTransfer,
)

ID_NORMALIZERS = {
    IdType.RESIDENT_ID: normalize_resident_id,
    IdType.CREDIT_CODE: normalize_credit_code,
    IdType.PASSPORT: normalize_other_id,
    IdType.HK_MACAO_PERMIT: normalize_other_id,
    IdType.TAIWAN_PERMIT: normalize_other_id,
}


def clean_owner_fields(
    *, kind: str, name: str, mobile: str, id_type: str, id_number: str, note: str = ""
) -> dict:
    """Validate and normalise an owner's identity data; shared by create, update and import."""
    kind = clean_choice("kind", kind, OwnerKind)
    id_type = clean_choice("id_type", id_type, IdType)
    if kind == OwnerKind.COMPANY and id_type != IdType.CREDIT_CODE:
        raise ValidationFailed(
            _("A company is identified by its unified social credit code."), field="id_type"
        )
    if kind == OwnerKind.PERSON and id_type == IdType.CREDIT_CODE:
        raise ValidationFailed(_("A person cannot have a credit code as ID."), field="id_type")
    name = clean_text("name", name, max_length=100, required=True)
    mobile = clean_text("mobile", mobile, max_length=20)
    id_number = clean_text("id_number", id_number, max_length=30)
    values = {
        "kind": kind,
        "name": name,
        "mobile": clean_field("mobile", normalize_mobile, mobile) if mobile else "",
        "id_type": id_type,
        "id_number": clean_field("id_number", ID_NORMALIZERS[id_type], id_number)
        if id_number
        else "",
        "note": clean_text("note", note, max_length=300),
    }
    values["name_pinyin"], values["name_initials"] = name_keys(
        name, is_person=kind == OwnerKind.PERSON
    )
    values["mobile_tail"] = values["mobile"][-4:]
    return values


@transaction.atomic
def owner_create(
    *,
    actor,
    community: Community,
    name: str,
    kind: str = OwnerKind.PERSON,
    mobile: str = "",
    id_type: str = IdType.RESIDENT_ID,
    id_number: str = "",
    note: str = "",
) -> Owner:
    require(actor, Perm.REGISTRY_EDIT, community.id)
    values = clean_owner_fields(
        kind=kind, name=name, mobile=mobile, id_type=id_type, id_number=id_number, note=note
    )
    if (
        values["id_number"]
        and Owner.objects.filter(community=community, id_number=values["id_number"]).exists()
    ):
        raise Conflict(
            _("An owner with this ID number is already in the archive."),
            code=error_codes.DUPLICATE,
            field="id_number",
        )
    owner = Owner.objects.create(community=community, **values)
    audit.record_change(actor=actor, instance=owner, action="create", owner_id=owner.id)
    return owner


@transaction.atomic
def owner_update(actor, owner: Owner, **fields) -> Owner:
    """Keep an owner's data current (003 ch.9 §3); every change is in the history."""
    require(actor, Perm.REGISTRY_EDIT, owner.community_id)
    merged = {
        "kind": owner.kind,
        "name": owner.name,
        "mobile": owner.mobile,
        "id_type": owner.id_type,
        "id_number": owner.id_number,
        "note": owner.note,
    }
    merged.update({k: v for k, v in fields.items() if k in merged and v is not None})
    values = clean_owner_fields(**merged)
    if (
        values["id_number"]
        and values["id_number"] != owner.id_number
        and Owner.objects.filter(community_id=owner.community_id, id_number=values["id_number"])
        .exclude(pk=owner.pk)
        .exists()
    ):
        raise Conflict(
            _("An owner with this ID number is already in the archive."),
            code=error_codes.DUPLICATE,
            field="id_number",
        )
    changes = audit.apply_changes(owner, values)
    if changes:
        owner.save(update_fields=list(changes))
        visible = {k: v for k, v in changes.items() if k not in {"name_pinyin", "name_initials"}}
        for secret in ("mobile", "id_number", "mobile_tail"):
            if secret in visible:  # the history says it changed, not what to
                visible[secret] = ["***", "***"]
        visible.pop("mobile_tail", None)
        audit.record_change(
            actor=actor, instance=owner, action="update", changes=visible, owner_id=owner.id
        )
    return owner


def _check_same_community(house: House, owner: Owner) -> None:
    if house.community_id != owner.community_id:
        raise ValidationFailed(
            _("The owner and the house belong to different communities."), field="owner"
        )


@transaction.atomic
def ownership_add(
    *,
    actor,
    house: House,
    owner: Owner,
    start_on: datetime.date | None = None,
    is_primary: bool | None = None,
) -> Ownership:
    """Register an owner (or a co-owner) of a house that is not changing hands."""
    require(actor, Perm.REGISTRY_EDIT, house.community_id)
    _check_same_community(house, owner)
    current = Ownership.objects.filter(house=house, end_on__isnull=True)
    if current.filter(owner=owner).exists():
        raise Conflict(
            _("This person already owns the house."), code=error_codes.DUPLICATE, field="owner"
        )
    if is_primary is None:
        is_primary = not current.exists()
    if is_primary:
        current.filter(is_primary=True).update(is_primary=False)
    ownership = Ownership.objects.create(
        community_id=house.community_id,
        house=house,
        owner=owner,
        is_primary=is_primary,
        start_on=start_on or timezone.localdate(),
    )
    audit.record_change(
        actor=actor,
        instance=ownership,
        action="owner_added",
        changes={"owner": [None, owner.name]},
        house_id=house.id,
        owner_id=owner.id,
    )
    return ownership


@transaction.atomic
def ownership_transfer(
    *,
    actor,
    house: House,
    new_owners: list[Owner],
    effective_on: datetime.date | None = None,
    reason: str = "",
) -> OwnershipTransfer:
    """Hand a house to new owners (the first is primary); the old ownerships end, kept forever."""
    require(actor, Perm.OWNERSHIP_TRANSFER, house.community_id)
    if not new_owners:
        raise ValidationFailed(_("Name at least one new owner."), field="new_owners")
    if len({o.pk for o in new_owners}) != len(new_owners):
        raise ValidationFailed(_("An owner is named twice."), field="new_owners")
    for owner in new_owners:
        _check_same_community(house, owner)
    effective_on = effective_on or timezone.localdate()
    if effective_on > timezone.localdate():
        # Current owners are those without an end date, so a transfer is recorded once it happened.
        raise ValidationFailed(
            _("Record the transfer on or after the day it takes effect."),
            code=error_codes.FUTURE_TRANSFER,
            field="effective_on",
        )
    reason = clean_text("reason", reason, max_length=200)
    House.objects.select_for_update().filter(pk=house.pk).first()
    current = list(Ownership.objects.filter(house=house, end_on__isnull=True))
    if current and effective_on < max(o.start_on for o in current):
        raise ValidationFailed(
            _("The transfer cannot take effect before the current ownership began."),
            field="effective_on",
        )
    if {o.owner_id for o in current} == {o.pk for o in new_owners}:
        raise Conflict(_("These people already own the house."), field="new_owners")
    transfer = OwnershipTransfer.objects.create(
        community_id=house.community_id,
        house=house,
        effective_on=effective_on,
        reason=reason,
        recorded_by=actor,
    )
    Ownership.objects.filter(pk__in=[o.pk for o in current]).update(
        end_on=effective_on, ended_by_transfer=transfer
    )
    Ownership.objects.bulk_create(
        Ownership(
            community_id=house.community_id,
            house=house,
            owner=owner,
            is_primary=index == 0,
            start_on=effective_on,
            started_by_transfer=transfer,
        )
        for index, owner in enumerate(new_owners)
    )
    audit.record_change(
        actor=actor,
        instance=house,
        action="transfer",
        changes={
            "owners": [
                [o.owner.name for o in current],
                [o.name for o in new_owners],
            ]
        },
        house_id=house.id,
        note=reason,
    )
    return transfer
