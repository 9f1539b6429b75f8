"""Input cleaning the notices services share: every error names its field."""

import datetime

from django.utils.translation import gettext as _

from propdesk.core.cleaning import clean_text
from propdesk.core.errors import ValidationFailed


def clean_line(field: str, value, *, max_length: int, required: bool = False) -> str:
    text = clean_text(field, value, max_length=max_length, required=required)
    if any(ch in text for ch in "\t\n\r"):
        raise ValidationFailed(_("Keep this field on one line."), field=field)
    return text


def clean_time(field: str, value) -> datetime.time:
    if isinstance(value, datetime.time):
        return value.replace(second=0, microsecond=0)
    try:
        return datetime.time.fromisoformat(str(value).strip()).replace(second=0, microsecond=0)
    except ValueError as exc:
        raise ValidationFailed(_("Enter a time such as 22:00."), field=field) from exc


def clean_bool(field: str, value) -> bool:
    if isinstance(value, bool):
        return value
    raise ValidationFailed(_("Choose yes or no."), field=field)
