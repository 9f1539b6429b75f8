"""Writing the change history and the access log. Services call these; nothing else writes them."""

import datetime
from decimal import Decimal

from django.db import models
from django.utils.translation import gettext_lazy as _

from propdesk.core.models import AccessLog, AuditEvent

# How the history names each action and field (the codes stay stable in the database).
ACTION_LABELS = {
    "create": _("Created"),
    "update": _("Changed"),
    "status": _("Status changed"),
    "transfer": _("Transferred to new owners"),
    "owner_added": _("Owner added"),
    "resident_added": _("Resident added"),
    "resident_moved_out": _("Resident moved out"),
    "agent_added": _("Entrusted agent recorded"),
    "agent_revoked": _("Entrustment revoked"),
    "vehicle_added": _("Vehicle registered"),
    "vehicle_removed": _("Vehicle removed"),
    "parking_assigned": _("Parking space assigned"),
    "document_uploaded": _("Document filed"),
    "imported": _("Imported"),
}
FIELD_LABELS = {
    "area_m2": _("area (m²)"),
    "floor": _("floor"),
    "kind": _("kind"),
    "status": _("status"),
    "delivered_on": _("delivered on"),
    "name": _("name"),
    "mobile": _("mobile"),
    "id_type": _("ID type"),
    "id_number": _("ID number"),
    "note": _("note"),
    "owner": _("owner"),
    "owners": _("owners"),
    "relation": _("relation"),
    "moved_out_on": _("moved out on"),
    "principal": _("principal"),
    "plate": _("plate"),
    "holder": _("holder"),
    "house": _("house"),
    "vehicle": _("vehicle"),
    "doc_type": _("document type"),
}
# How the history names a field's coded values, e.g. {"method": {"cash": "Cash"}}: each app adds
# its choices in ready(); a value without a label is shown as it is.
VALUE_LABELS: dict[str, dict[str, str]] = {}


def value_labels_add(field: str, choices) -> None:
    """Teach the history the labels of `field`'s values (a TextChoices class or (code, label)s);
    a label already taught for a code is kept."""
    pairs = choices.choices if hasattr(choices, "choices") else choices
    labels = VALUE_LABELS.setdefault(field, {})
    for code, label in pairs:
        labels.setdefault(code, label)


def value_label(field: str, value) -> str:
    return str(VALUE_LABELS.get(field, {}).get(value, value))


def _plain(value):
    if isinstance(value, models.Model):
        return value.pk
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime.date | datetime.datetime):
        return value.isoformat()
    return value


def _same(old, new) -> bool:
    # 89.5 and 89.50 are the same area: compare decimals by value, not by their text.
    if isinstance(old, Decimal) and isinstance(new, Decimal):
        return old == new
    return _plain(old) == _plain(new)


def _community_id(instance: models.Model) -> int | None:
    # A community's own history belongs to that community, or community-scoped reads miss it.
    if instance._meta.label == "estates.Community":
        return instance.pk
    return getattr(instance, "community_id", None)


def apply_changes(instance: models.Model, values: dict) -> dict:
    """Set `values` on `instance` and return {field: [old, new]} for the fields that changed."""
    changes = {}
    for field, new in values.items():
        old = getattr(instance, field)
        if not _same(old, new):
            changes[field] = [_plain(old), _plain(new)]
            setattr(instance, field, new)
    return changes


def record_change(
    *,
    actor,
    instance: models.Model,
    action: str,
    changes: dict | None = None,
    house_id: int | None = None,
    owner_id: int | None = None,
    note: str = "",
    object_repr: str | None = None,
) -> AuditEvent:
    """Write one history row. Pass `object_repr` when the record's name is personal data."""
    return AuditEvent.objects.create(
        community_id=_community_id(instance),
        actor=actor if getattr(actor, "pk", None) else None,
        action=action,
        object_type=instance._meta.model_name,
        object_id=instance.pk,
        object_repr=(str(instance) if object_repr is None else object_repr)[:200],
        house_id=house_id,
        owner_id=owner_id,
        changes={k: [_plain(a) for a in v] for k, v in (changes or {}).items()},
        note=note[:300],
    )


def record_access(*, actor, subject: models.Model, field: str, reason: str = "") -> AccessLog:
    return AccessLog.objects.create(
        community_id=getattr(subject, "community_id", None),
        actor=actor,
        subject_type=subject._meta.model_name,
        subject_id=subject.pk,
        subject_repr=str(subject)[:200],
        field=field,
        reason=reason[:200],
    )
