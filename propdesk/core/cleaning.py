"""Cleaning the values a service receives: each refusal is a ValidationFailed naming the field.

Every app's services use these, so a form, an API body and an import row get the same answers.
"""

import datetime
from collections.abc import Callable
from typing import Any

from django.core.exceptions import ValidationError

from propdesk.core import error_codes
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
        raise ValidationFailed(_("This field is required."), code=error_codes.REQUIRED, field=field)
    if len(text) > max_length:
        raise ValidationFailed(
            _("At most %(n)d characters.") % {"n": max_length},
            code=error_codes.TOO_LONG,
            field=field,
        )
    return text


def clean_choice(field: str, value: Any, choices) -> str:
    from django.utils.translation import gettext as _

    if value not in choices.values:
        raise ValidationFailed(
            _("Choose one of the listed values."), code=error_codes.BAD_CHOICE, field=field
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


# Dates people and integrations give: far enough back for an owner since the 1950s, far enough
# ahead for any contract, and never so far that date arithmetic (a month before, a day after)
# leaves the calendar Python and the databases know (years 1 to 9999).
EARLIEST_DAY = datetime.date(1900, 1, 1)
LATEST_DAY = datetime.date(2099, 12, 31)


def _in_range(field: str, day: datetime.date, code: str) -> datetime.date:
    from django.utils.translation import gettext as _

    if not EARLIEST_DAY <= day <= LATEST_DAY:
        raise ValidationFailed(
            _("Give a date between %(first)s and %(last)s.")
            % {"first": EARLIEST_DAY.year, "last": LATEST_DAY.year},
            code=code,
            field=field,
        )
    return day


def clean_date(field: str, value: Any, *, required: bool = False) -> datetime.date | None:
    """A day as YYYY-MM-DD (or a date); empty is None unless required. Year 0, month 13 or a
    year outside 1900–2099 is a ValidationFailed naming `field`, never a ValueError."""
    from django.utils.translation import gettext as _

    if value in (None, ""):
        if required:
            raise ValidationFailed(_("This field is required."), code="required", field=field)
        return None
    if isinstance(value, datetime.datetime):
        value = value.date()
    if not isinstance(value, datetime.date):
        text = str(value).strip()
        try:
            if len(text) != 10:
                raise ValueError(text)
            value = datetime.date.fromisoformat(text)
        except ValueError as exc:
            raise ValidationFailed(
                _("Enter a date as YYYY-MM-DD."), code="bad_date", field=field
            ) from exc
    return _in_range(field, value, "bad_date")


def clean_month(
    field: str,
    value: Any,
    *,
    required: bool = True,
    code: str = "bad_period",
    message: str | None = None,
) -> datetime.date | None:
    """A month as YYYY-MM (or YYYY-MM-01, or the first of a month as a date) → its first day.

    The one reader of periods and months for pages and the API: `0000-01`, `2026-13` or
    `2026-07-15` is a ValidationFailed naming `field`.
    """
    from django.utils.translation import gettext as _

    message = message or _("A period is a month, such as 2026-07.")
    if value in (None, ""):
        if required:
            raise ValidationFailed(message, code=code, field=field)
        return None
    if isinstance(value, datetime.datetime):
        value = value.date()
    if isinstance(value, datetime.date):
        month = value
    else:
        parts = str(value).strip().split("-")
        if (
            len(parts) not in (2, 3)
            or not all(p.isascii() and p.isdigit() for p in parts)
            or [len(p) for p in parts] not in ([4, 2], [4, 2, 2])
        ):
            raise ValidationFailed(message, code=code, field=field)
        try:
            month = datetime.date(*(int(p) for p in parts), *([] if len(parts) == 3 else [1]))
        except ValueError as exc:
            raise ValidationFailed(message, code=code, field=field) from exc
    if month.day != 1 or not EARLIEST_DAY <= month <= LATEST_DAY:
        raise ValidationFailed(message, code=code, field=field)
    return month


def clean_datetime(field: str, value: Any, *, required: bool = False) -> datetime.datetime | None:
    """A moment as YYYY-MM-DDTHH:MM[:SS] (a datetime-local input; local time) or ISO 8601 with an
    offset (the API), or a datetime; empty is None unless required. Always timezone-aware."""
    from django.utils import timezone
    from django.utils.translation import gettext as _

    if value in (None, ""):
        if required:
            raise ValidationFailed(_("This field is required."), code="required", field=field)
        return None
    if not isinstance(value, datetime.datetime):
        text = str(value).strip()
        try:
            if not 16 <= len(text) <= 32:
                raise ValueError(text)
            value = datetime.datetime.fromisoformat(text)
        except ValueError as exc:
            raise ValidationFailed(
                _("Enter a date and time as YYYY-MM-DD HH:MM."), code="bad_date", field=field
            ) from exc
    _in_range(field, value.date(), "bad_date")
    if timezone.is_naive(value):
        value = timezone.make_aware(value, timezone.get_current_timezone())
    return value
