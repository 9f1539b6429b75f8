from django import template

from propdesk.core.masking import MASKERS
from propdesk.core.permissions import can_reveal

register = template.Library()


@register.inclusion_tag("estates/partials/masked.html", takes_context=True)
def masked(context, subject: str, record, field: str):
    """A masked value with a reveal button for the roles that may see it (the reveal is logged)."""
    value = getattr(record, field, "") or ""
    return {
        "masked_value": MASKERS[field](value),
        "has_value": bool(value),
        "can_reveal": can_reveal(context["request"].user, field),
        "subject": subject,
        "subject_id": record.pk,
        "field": field,
    }


@register.filter
def mask(value, field: str) -> str:
    """Masked form of a personal value, for lists (no reveal button)."""
    return MASKERS[field](value or "")


@register.filter
def described(events) -> list:
    """History rows in plain language (labels, names), for the timeline partials."""
    from propdesk.core.audit import describe_events

    return describe_events(events)


@register.filter
def action_label(code: str) -> str:
    from propdesk.core.audit import ACTION_LABELS

    return ACTION_LABELS.get(code, code)


@register.filter
def field_label(name: str) -> str:
    from propdesk.core.audit import FIELD_LABELS

    return FIELD_LABELS.get(name, name)


@register.filter
def change_value(value, field: str = "") -> str:
    """A history value for reading: coded values by their label, lists joined, empty a dash."""
    from propdesk.core.audit import value_label

    if value in (None, "", []):
        return "—"
    if isinstance(value, list):
        return "、".join(value_label(field, v) for v in value) or "—"
    return value_label(field, value) if isinstance(value, str) else str(value)
