"""Small helpers the community services share."""

import datetime

from django.utils import timezone
from django.utils.translation import gettext as _

from propdesk.community import error_codes
from propdesk.core.errors import ValidationFailed


def clean_when(
    field: str,
    value,
    *,
    required: bool = False,
    not_before: datetime.datetime | None = None,
    not_after: datetime.datetime | None = None,
) -> datetime.datetime | None:
    """An aware datetime within bounds; a naive one is read in the site's time zone."""
    if value in (None, ""):
        if required:
            raise ValidationFailed(
                _("This field is required."), code=error_codes.REQUIRED, field=field
            )
        return None
    if not isinstance(value, datetime.datetime):
        raise ValidationFailed(
            _("Enter a valid date and time."), code=error_codes.BAD_TIME, field=field
        )
    if timezone.is_naive(value):
        value = timezone.make_aware(value)
    if not_before is not None and value < not_before:
        raise ValidationFailed(
            _("This time is too early."), code=error_codes.TOO_EARLY, field=field
        )
    if not_after is not None and value > not_after:
        raise ValidationFailed(
            _("This time is too far ahead."), code=error_codes.TOO_LATE, field=field
        )
    return value


def clean_date(
    field: str,
    value,
    *,
    required: bool = False,
    not_after: datetime.date | None = None,
) -> datetime.date | None:
    if value in (None, ""):
        if required:
            raise ValidationFailed(
                _("This field is required."), code=error_codes.REQUIRED, field=field
            )
        return None
    if isinstance(value, datetime.datetime) or not isinstance(value, datetime.date):
        raise ValidationFailed(_("Enter a valid date."), code=error_codes.BAD_DATE, field=field)
    if not_after is not None and value > not_after:
        raise ValidationFailed(
            _("The date cannot be in the future."), code=error_codes.FUTURE_DATE, field=field
        )
    return value


def clean_lines(field: str, value, *, max_items: int, max_length: int) -> list[str]:
    """A list of short items given as a list or as text with one item per line."""
    if value in (None, ""):
        return []
    items = value.splitlines() if isinstance(value, str) else list(value)
    cleaned = []
    for item in items:
        text = str(item).strip()
        if any(ord(ch) < 32 and ch != "\t" for ch in text) or "\x7f" in text:
            raise ValidationFailed(
                _("This field holds characters that are not allowed."),
                code=error_codes.BAD_CHARACTERS,
                field=field,
            )
        if not text:
            continue
        if len(text) > max_length:
            raise ValidationFailed(
                _("Each item may have at most %(n)d characters.") % {"n": max_length},
                code=error_codes.TOO_LONG,
                field=field,
            )
        cleaned.append(text)
    if len(cleaned) > max_items:
        raise ValidationFailed(
            _("At most %(n)d items.") % {"n": max_items}, code=error_codes.TOO_MANY, field=field
        )
    return cleaned
