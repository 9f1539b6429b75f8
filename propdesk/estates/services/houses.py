"""Writes to communities, buildings, units and houses (DOMAIN.md §1)."""

import datetime
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from propdesk.core import audit
from propdesk.core.cleaning import clean_choice, clean_field, clean_text
from propdesk.core.errors import Conflict, ValidationFailed
from propdesk.core.permissions import Perm, require
from propdesk.core.validators import normalize_area
from propdesk.estates import error_codes
from propdesk.estates.models import (
    Building,
    Community,
    Company,
    House,
    HouseKind,
    HouseStatus,
    HouseStatusChange,
    Unit,
)

MAX_FLOOR = 200
MIN_FLOOR = -10


@transaction.atomic
def community_create(
    *, actor, company: Company, code: str, name: str, address: str = "", archive_prefix: str = ""
) -> Community:
    require(actor, Perm.STAFF_MANAGE)
    code = clean_text("code", code, max_length=20, required=True)
    if Community.objects.filter(code=code).exists():
        raise Conflict(
            _("A community with this code exists."), code=error_codes.DUPLICATE, field="code"
        )
    name = clean_text("name", name, max_length=120, required=True)
    address = clean_text("address", address, max_length=200)
    archive_prefix = _clean_archive_prefix(archive_prefix, code)
    community = Community.objects.create(
        company=company, code=code, name=name, address=address, archive_prefix=archive_prefix
    )
    audit.record_change(actor=actor, instance=community, action="create")
    return community


def _clean_archive_prefix(value, code: str) -> str:
    # The prefix starts every archive number and names the stored files: letters and digits
    # only, so no prefix can reach outside the archive folder. Without one, the code's letters
    # and digits serve.
    prefix = clean_text("archive_prefix", value, max_length=10).upper()
    if not prefix:
        prefix = "".join(ch for ch in code.upper() if ch.isascii() and ch.isalnum())[:10]
    if not (prefix.isascii() and prefix.isalnum()):
        raise ValidationFailed(
            _("Use up to 10 letters and digits for the archive number prefix."),
            code=error_codes.BAD_PREFIX,
            field="archive_prefix",
        )
    return prefix


@transaction.atomic
def building_create(
    *, actor, community: Community, number: str, name: str = "", floors: int | None = None
) -> Building:
    require(actor, Perm.REGISTRY_EDIT, community.id)
    number = clean_location_part("number", number)
    floors = _clean_floors(floors)
    if Building.objects.filter(community=community, number=number).exists():
        raise Conflict(
            _("Building %(number)s already exists.") % {"number": number},
            code=error_codes.DUPLICATE,
            field="number",
        )
    building = Building.objects.create(
        community=community,
        number=number,
        name=clean_text("name", name, max_length=60),
        floors=floors,
    )
    audit.record_change(actor=actor, instance=building, action="create")
    return building


def clean_location_part(field: str, value) -> str:
    text = clean_text(field, value, max_length=20, required=True).upper()
    # The parts make the house code people type (3-2-1502): nothing but letters and digits.
    if not all(ch.isalnum() for ch in text):
        raise ValidationFailed(
            _("Use letters and digits only; '-' separates building, unit and room."),
            code=error_codes.BAD_NUMBER,
            field=field,
        )
    return text


def _clean_floors(value) -> int | None:
    if value is None or value == "":
        return None
    try:
        floors = int(value)
    except (TypeError, ValueError) as exc:
        raise ValidationFailed(_("Enter the floors as a whole number."), field="floors") from exc
    if not 1 <= floors <= MAX_FLOOR:
        raise ValidationFailed(_("Floors must be between 1 and 200."), field="floors")
    return floors


def clean_floor(value) -> int:
    try:
        floor = int(value)
    except (TypeError, ValueError) as exc:
        raise ValidationFailed(_("Enter the floor as a whole number."), field="floor") from exc
    if not MIN_FLOOR <= floor <= MAX_FLOOR:
        raise ValidationFailed(_("The floor must be between -10 and 200."), field="floor")
    return floor


@transaction.atomic
def house_create(
    *,
    actor,
    building: Building,
    unit_number: str,
    number: str,
    floor: int,
    area_m2: Decimal | str,
    kind: str = HouseKind.RESIDENTIAL,
    status: str = HouseStatus.UNSOLD,
    delivered_on: datetime.date | None = None,
) -> House:
    """Add a house to a building; its unit is created on first use."""
    community_id = building.community_id
    require(actor, Perm.REGISTRY_EDIT, community_id)
    unit_number = clean_location_part("unit", unit_number)
    number = clean_location_part("number", number)
    code = House.make_code(building.number, unit_number, number)
    if House.objects.filter(community_id=community_id, code=code).exists():
        raise Conflict(
            _("House %(code)s already exists.") % {"code": code},
            code=error_codes.DUPLICATE,
            field="number",
        )
    unit, _created = Unit.objects.get_or_create(
        building=building, number=unit_number, defaults={"community_id": community_id}
    )
    house = House(
        community_id=community_id,
        building=building,
        unit=unit,
        number=number,
        code=code,
        floor=clean_floor(floor),
        area_m2=clean_field("area_m2", normalize_area, area_m2),
        kind=clean_choice("kind", kind, HouseKind),
        status=clean_choice("status", status, HouseStatus),
        delivered_on=delivered_on,
    )
    try:
        with transaction.atomic():
            house.save()
    except IntegrityError as exc:
        raise Conflict(
            _("House %(code)s already exists.") % {"code": code},
            code=error_codes.DUPLICATE,
            field="number",
        ) from exc
    HouseStatusChange.objects.create(
        community_id=community_id,
        house=house,
        from_status="",
        to_status=house.status,
        effective_on=delivered_on or timezone.localdate(),
        changed_by=actor,
        note=_("Registered"),
    )
    audit.record_change(actor=actor, instance=house, action="create", house_id=house.id)
    return house


@transaction.atomic
def house_update(
    *,
    actor,
    house: House,
    floor: int | None = None,
    area_m2: Decimal | str | None = None,
    kind: str | None = None,
    delivered_on: datetime.date | None = None,
) -> House:
    """Correct a house's facts; status changes go through house_change_status (history)."""
    require(actor, Perm.REGISTRY_EDIT, house.community_id)
    values = {}
    if floor is not None:
        values["floor"] = clean_floor(floor)
    if area_m2 is not None:
        values["area_m2"] = clean_field("area_m2", normalize_area, area_m2)
    if kind is not None:
        values["kind"] = clean_choice("kind", kind, HouseKind)
    if delivered_on is not None:
        values["delivered_on"] = delivered_on
    changes = audit.apply_changes(house, values)
    if changes:
        house.save(update_fields=list(changes))
        audit.record_change(
            actor=actor, instance=house, action="update", changes=changes, house_id=house.id
        )
    return house


@transaction.atomic
def house_change_status(
    *,
    actor,
    house: House,
    status: str,
    effective_on: datetime.date | None = None,
    note: str = "",
) -> House:
    """Move a house to unsold/vacant/occupied/decorating; the history row feeds vacancy rules."""
    require(actor, Perm.REGISTRY_EDIT, house.community_id)
    status = clean_choice("status", status, HouseStatus)
    note = clean_text("note", note, max_length=200)
    effective_on = effective_on or timezone.localdate()
    if effective_on > timezone.localdate() + datetime.timedelta(days=366):
        raise ValidationFailed(_("The date is too far in the future."), field="effective_on")
    last = house.status_changes.order_by("-effective_on", "-id").first()
    if last is not None and effective_on < last.effective_on:
        # The history is read in date order (vacancy months, reports): keep it consistent.
        raise ValidationFailed(
            _("The date is before the house's last status change (%(date)s).")
            % {"date": last.effective_on.isoformat()},
            code=error_codes.BEFORE_LAST_CHANGE,
            field="effective_on",
        )
    if status == house.status:
        raise Conflict(
            _("The house already has this status."), code=error_codes.SAME_STATUS, field="status"
        )
    previous = house.status
    house.status = status
    house.save(update_fields=["status"])
    HouseStatusChange.objects.create(
        community_id=house.community_id,
        house=house,
        from_status=previous,
        to_status=status,
        effective_on=effective_on,
        note=note,
        changed_by=actor,
    )
    audit.record_change(
        actor=actor,
        instance=house,
        action="status",
        changes={"status": [previous, status]},
        house_id=house.id,
        note=note,
    )
    return house
