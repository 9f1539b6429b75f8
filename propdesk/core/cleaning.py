"""Cleaning the values a service receives: each refusal is a ValidationFailed naming the field.

Every app's services use these, so a form, an API body and an import row get the same answers.
"""

from collections.abc import Callable
from typing import Any

from django.core.exceptions import ValidationError

from propdesk.core.errors import ValidationFailed


def clean_field(field: str, normalize: Callable[[Any], Any], value: Any) -> Any:
    """Run a core.validators normaliser; its error becomes a ValidationFailed naming `field`."""
    try:
        return normalize(value)
    except ValidationError as exc:
        raise ValidationFailed(exc.messages[0], code=exc.code or "invalid", field=field) from exc


def clean_text(field: str, value: Any, *, max_length: int, required: bool = False) -> str:
    from django.utils.translation import gettext as _

    text = "" if value is None else str(value).strip()
    # Control characters (other than tab and line breaks) never belong in what people type.
    if any(ord(ch) < 32 and ch not in "\t\n\r" for ch in text) or "\x7f" in text:
        raise ValidationFailed(_("This field holds characters that are not allowed."), field=field)
    if required and not text:
        raise ValidationFailed(_("This field is required."), code="required", field=field)
    if len(text) > max_length:
        raise ValidationFailed(
            _("At most %(n)d characters.") % {"n": max_length}, code="too_long", field=field
        )
    return text


def clean_choice(field: str, value: Any, choices) -> str:
    from django.utils.translation import gettext as _

    if value not in choices.values:
        raise ValidationFailed(
            _("Choose one of the listed values."), code="bad_choice", field=field
        )
    return value


MAX_ID_DIGITS = 18  # a 64-bit id


def clean_id(field: str, value: Any, *, message: str | None = None) -> int | None:
    """An optional id given as a number or digits (a query string, a JSON body); empty is None."""
    from django.utils.translation import gettext as _

    if value in (None, ""):
        return None
    text = str(value)
    if isinstance(value, bool) or not text.isdigit() or len(text) > MAX_ID_DIGITS:
        raise ValidationFailed(message or _("Choose from the list."), field=field)
    return int(text)
