"""What the quality services share: the time they act at (the request app's clock, so the demo
can replay the past through them), phone numbers, and the settings that apply to a community."""

import datetime
import re

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from propdesk.core import error_codes as core_codes
from propdesk.core.errors import ValidationFailed
from propdesk.quality import error_codes
from propdesk.quality.models import QualitySettings
from propdesk.tickets import clock

_SEPARATORS = re.compile(r"[\s\-()]")


def now() -> datetime.datetime:
    return clock.now()


def today() -> datetime.date:
    return timezone.localtime(clock.now()).date()


def clean_phone(field: str, value, *, required: bool = True) -> str:
    """A phone number as the telephone system or an agent gives it: digits only, China's +86 or
    0086 prefix dropped from mobiles; 3 to 20 digits (short service numbers, landlines, mobiles)."""
    text = _SEPARATORS.sub("", "" if value is None else str(value))
    if text.startswith("+"):
        text = text[1:]
    if not text:
        if required:
            raise ValidationFailed(
                _("This field is required."), code=core_codes.REQUIRED, field=field
            )
        return ""
    if not text.isascii() or not text.isdigit() or not 3 <= len(text) <= 20:
        raise ValidationFailed(
            _("Enter a phone number of 3 to 20 digits."), code=error_codes.BAD_NUMBER, field=field
        )
    for prefix in ("0086", "86"):
        if text.startswith(prefix) and len(text) == len(prefix) + 11 and text[len(prefix)] == "1":
            return text[len(prefix) :]
    return text


def settings_for(community_id: int) -> QualitySettings:
    """The community's own settings, else the company's, else the defaults of DOMAIN.md."""
    return settings_by_community([community_id])[community_id]


def settings_by_community(community_ids: list[int]) -> dict[int, QualitySettings]:
    """The settings of several communities in one query."""
    wanted = Q(community_id__in=community_ids) | Q(community__isnull=True)
    rows = list(QualitySettings.objects.filter(wanted))
    own = {row.community_id: row for row in rows if row.community_id is not None}
    company = next((row for row in rows if row.community_id is None), None) or QualitySettings()
    return {cid: own.get(cid, company) for cid in community_ids}
