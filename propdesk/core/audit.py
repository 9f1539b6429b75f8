"""Writing the change history and the access log. Services call these; nothing else writes them."""

import datetime
import functools
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import FieldDoesNotExist
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


# Apps that store their own codes in the history (procedure steps, checklist items) add a
# function (field, value) -> label or None here in ready().
VALUE_RESOLVERS: list = []


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
    """A value as the history's JSON column holds it: quiet hours (times), dates, amounts and
    records become text or ids, so no field type can make writing the history fail."""
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, models.Model):
        return value.pk
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime.time):
        return value.isoformat(timespec="minutes" if not value.second else "seconds")
    if isinstance(value, datetime.date | datetime.datetime):
        return value.isoformat()
    if isinstance(value, datetime.timedelta):
        return value.total_seconds()
    if isinstance(value, list | tuple | set | frozenset):
        return [_plain(item) for item in value]
    if isinstance(value, dict):
        return {str(key): _plain(item) for key, item in value.items()}
    return str(value)


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
    event = change_row(
        actor=actor,
        instance=instance,
        action=action,
        changes=changes,
        house_id=house_id,
        owner_id=owner_id,
        note=note,
        object_repr=object_repr,
    )
    event.save(force_insert=True)
    return event


def change_row(
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
    """The history row `record_change` writes, unsaved: for loaders that write many rows at
    once (`AuditEvent.objects.bulk_create`), so bulk and single writes make the same rows."""
    return AuditEvent(
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


# --- reading the history in plain language -------------------------------------------------------


@dataclass(frozen=True)
class ChangeLine:
    """One changed field as a person reads it: its label, and the old and new values by name."""

    field: str
    label: str
    old: str
    new: str

    def __str__(self) -> str:
        return f"{self.label}: {self.old} → {self.new}"


@functools.cache
def _models_by_name() -> dict:
    from django.apps import apps

    found: dict = {}
    for model in apps.get_models():
        found.setdefault(model._meta.model_name, model)
    return found


def _model_field(model, name: str):
    if model is None:
        return None
    for candidate in (name, name.removesuffix("_id")):
        try:
            return model._meta.get_field(candidate)
        except FieldDoesNotExist:
            continue
    return None


def _is_reference(field) -> bool:
    return field is not None and (field.many_to_one or field.one_to_one) and field.related_model


def describe_events(events) -> list:
    """The history rows with `action_label`, `lines` (ChangeLine) and `display` (one sentence)
    set on each: labels instead of codes, names instead of ids, the user's language — on every
    page, API answer and export that shows a history. One query per kind of record named."""
    events = list(events)
    models = _models_by_name()
    wanted: dict = defaultdict(set)
    for event in events:
        model = models.get(event.object_type)
        for name, pair in (event.changes or {}).items():
            field = _model_field(model, name)
            if _is_reference(field):
                for value in pair if isinstance(pair, list) else [pair]:
                    if isinstance(value, int) and not isinstance(value, bool):
                        wanted[field.related_model].add(value)
    names = {
        related: {obj.pk: str(obj) for obj in related._default_manager.filter(pk__in=ids)}
        for related, ids in wanted.items()
    }
    for event in events:
        model = models.get(event.object_type)
        lines = []
        for name, pair in (event.changes or {}).items():
            field = _model_field(model, name)
            old, new = (pair + [None, None])[:2] if isinstance(pair, list) else (None, pair)
            lines.append(
                ChangeLine(
                    name,
                    str(FIELD_LABELS.get(name) or getattr(field, "verbose_name", "") or name),
                    _value_text(field, name, old, names),
                    _value_text(field, name, new, names),
                )
            )
        event.action_label = str(ACTION_LABELS.get(event.action, event.action))
        event.lines = lines
        event.display = "；".join(
            [
                event.action_label,
                *(str(line) for line in lines),
                *([event.note] if event.note else []),
            ]
        )
    return events


def _value_text(field, name: str, value, names: dict) -> str:
    from django.utils.translation import gettext

    if value in (None, "", []):
        return "—"
    if isinstance(value, list):
        return "、".join(_value_text(field, name, v, names) for v in value) or "—"
    if isinstance(value, bool):
        return gettext("yes") if value else gettext("no")
    if _is_reference(field) and isinstance(value, int):
        return names.get(field.related_model, {}).get(value) or f"#{value}"
    if _is_reference(field):
        return str(value)  # already a name (some services record the name, not the id)
    if field is not None and getattr(field, "choices", None):
        label = dict(field.flatchoices).get(value)
        if label is not None:
            return str(label)
    for resolve in VALUE_RESOLVERS:
        if (label := resolve(name, value)) is not None:
            return str(label)
    if isinstance(value, str) and len(value) > 19 and value[10:11] == "T":
        try:
            moment = datetime.datetime.fromisoformat(value)
        except ValueError:
            return value_label(name, value)
        from django.utils import timezone

        return f"{timezone.localtime(moment):%Y-%m-%d %H:%M}" if moment.tzinfo else value
    return value_label(name, value) if isinstance(value, str) else str(value)
