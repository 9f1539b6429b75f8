"""Every write of the equipment register and its alert rules: checked, audited, in a transaction."""

import datetime

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from propdesk.core.audit import apply_changes, record_change
from propdesk.core.cleaning import clean_choice, clean_text
from propdesk.core.errors import Conflict, NotFound, ValidationFailed
from propdesk.core.permissions import Perm, require
from propdesk.estates.models import Building
from propdesk.operations import error_codes
from propdesk.operations.models import (
    Equipment,
    EquipmentKind,
    EquipmentRequest,
    EquipmentStatus,
    ThresholdRule,
)

MONITOR_USERNAME = "device-monitor"


def monitor_account():
    """The account device alerts are filed under (no password: nobody signs in as it)."""
    from propdesk.accounts.models import Role, User

    user = User.objects.filter(username=MONITOR_USERNAME).first()
    if user is None:
        user = User(username=MONITOR_USERNAME, role=Role.ADMIN, first_name=_("Device monitor"))
        user.set_unusable_password()
        try:
            with transaction.atomic():
                user.save()
        except IntegrityError:
            user = User.objects.get(username=MONITOR_USERNAME)
    return user


def _clean_code(value) -> str:
    code = clean_text("code", value, max_length=40, required=True).lower()
    if not all(ch.isascii() and (ch.isalnum() or ch in "-_") for ch in code):
        raise ValidationFailed(
            _("Use letters, digits, - and _ only: devices report under this code."),
            code=error_codes.BAD_CODE,
            field="code",
        )
    return code


def _clean_building(building, community) -> Building:
    if not isinstance(building, Building) or building.community_id != community.id:
        raise NotFound(_("No such building in this community."), field="building")
    return building


def _clean_date(field: str, value) -> datetime.date | None:
    if value in (None, ""):
        return None
    if isinstance(value, datetime.date):
        return value
    try:
        return datetime.date.fromisoformat(str(value)[:10])
    except ValueError as exc:
        raise ValidationFailed(
            _("Enter a date as YYYY-MM-DD."), code=error_codes.BAD_DATE, field=field
        ) from exc


def _details(values: dict) -> dict:
    return {
        "name": clean_text("name", values.get("name"), max_length=100, required=True),
        "kind": clean_choice("kind", values.get("kind"), EquipmentKind),
        "location": clean_text("location", values.get("location", ""), max_length=200),
        "model_name": clean_text("model_name", values.get("model_name", ""), max_length=100),
        "installer": clean_text("installer", values.get("installer", ""), max_length=100),
        "contractor": clean_text("contractor", values.get("contractor", ""), max_length=100),
        "warranty_end": _clean_date("warranty_end", values.get("warranty_end")),
    }


@transaction.atomic
def equipment_register(*, actor, community, building, code, **values) -> Equipment:
    """Add a piece of equipment to the register (DOMAIN §5: lifts, pumps, AC, drainage…)."""
    require(actor, Perm.EQUIPMENT_MANAGE, community.id)
    code = _clean_code(code)
    building = _clean_building(building, community)
    details = _details(values)
    if Equipment.objects.filter(community=community, code=code).exists():
        raise Conflict(
            _("This community already has equipment with this code."),
            code=error_codes.CODE_TAKEN,
            field="code",
        )
    equipment = Equipment.objects.create(
        community=community, building=building, code=code, created_at=timezone.now(), **details
    )
    record_change(actor=actor, instance=equipment, action="equipment_registered")
    _directory_changed()
    return equipment


@transaction.atomic
def equipment_update(*, actor, equipment: Equipment, building, **values) -> Equipment:
    require(actor, Perm.EQUIPMENT_MANAGE, equipment.community_id)
    equipment = Equipment.objects.select_for_update().get(pk=equipment.pk)
    details = _details(values)
    details["building"] = _clean_building(building, equipment.community)
    changes = apply_changes(equipment, details)
    if changes:
        equipment.save()
        record_change(actor=actor, instance=equipment, action="update", changes=changes)
    return equipment


@transaction.atomic
def status_record(*, actor, equipment: Equipment, status, note: str = "") -> Equipment:
    """Put the equipment in service, out for a fault or maintenance, or retire it."""
    if actor is not None:
        require(actor, Perm.EQUIPMENT_MANAGE, equipment.community_id)
    status = clean_choice("status", status, EquipmentStatus)
    note = clean_text("note", note, max_length=300)
    equipment = Equipment.objects.select_for_update().get(pk=equipment.pk)
    if equipment.status == EquipmentStatus.RETIRED:
        raise Conflict(_("Retired equipment cannot change status."), code=error_codes.RETIRED)
    changes = apply_changes(equipment, {"status": status})
    if changes:
        equipment.save(update_fields=["status"])
        record_change(
            actor=actor or monitor_account(),
            instance=equipment,
            action="equipment_status",
            changes=changes,
            note=note,
        )
        _directory_changed()
    return equipment


@transaction.atomic
def request_link(*, actor, equipment: Equipment, number: str) -> EquipmentRequest:
    """Name the equipment on a request (a fault reported by phone, say), by the request number."""
    from propdesk.tickets.models import ServiceRequest

    require(actor, Perm.EQUIPMENT_MANAGE, equipment.community_id)
    require(actor, Perm.REQUEST_VIEW, equipment.community_id)
    number = clean_text("number", number, max_length=40, required=True)
    request = ServiceRequest.objects.filter(
        community_id=equipment.community_id, number=number
    ).first()
    if request is None:
        raise NotFound(_("No request with this number in this community."), field="number")
    link, created = EquipmentRequest.objects.get_or_create(
        equipment=equipment,
        request=request,
        defaults={"community_id": equipment.community_id, "linked_by": actor},
    )
    if not created:
        raise Conflict(
            _("This request already names the equipment."), code=error_codes.ALREADY_LINKED
        )
    record_change(
        actor=actor, instance=equipment, action="equipment_request_linked", note=request.number
    )
    return link


def _clean_bound(field: str, value) -> float | None:
    if value in (None, ""):
        return None
    try:
        number = float(value)
    except (TypeError, ValueError) as exc:
        raise ValidationFailed(
            _("Enter a number."), code=error_codes.BAD_NUMBER, field=field
        ) from exc
    if number != number or abs(number) > 1e6:
        raise ValidationFailed(_("Enter a number."), code=error_codes.BAD_NUMBER, field=field)
    return number


@transaction.atomic
def rule_set(*, actor, community, kind, metric, low, high, emergency: bool, category, active=True):
    """Set a community's threshold for a kind of equipment and a metric (its own row)."""
    from propdesk.operations.models import Metric
    from propdesk.tickets.models import Category

    require(actor, Perm.OPERATIONS_CONFIGURE, community.id)
    kind = clean_choice("kind", kind, EquipmentKind)
    metric = clean_choice("metric", metric, Metric)
    low, high = _clean_bound("low", low), _clean_bound("high", high)
    if low is None and high is None:
        raise ValidationFailed(
            _("Give a lowest or a highest normal value."), code=error_codes.NO_BOUNDS, field="low"
        )
    if low is not None and high is not None and low >= high:
        raise ValidationFailed(
            _("The lowest value must be below the highest."),
            code=error_codes.BAD_BOUNDS,
            field="high",
        )
    if not Category.objects.filter(code=category).exists():
        raise ValidationFailed(
            _("Choose one of the listed categories."),
            code=error_codes.UNKNOWN_CATEGORY,
            field="category",
        )
    values = {
        "low": low,
        "high": high,
        "emergency": bool(emergency),
        "category": category,
        "active": bool(active),
    }
    rule = (
        ThresholdRule.objects.select_for_update()
        .filter(community=community, kind=kind, metric=metric)
        .first()
    )
    if rule is None:
        rule = ThresholdRule.objects.create(community=community, kind=kind, metric=metric, **values)
        record_change(actor=actor, instance=rule, action="create")
    else:
        changes = apply_changes(rule, values)
        if changes:
            rule.save()
            record_change(actor=actor, instance=rule, action="update", changes=changes)
    _directory_changed()
    return rule


def _directory_changed() -> None:
    from propdesk.operations.readings import directory_clear

    transaction.on_commit(directory_clear)
