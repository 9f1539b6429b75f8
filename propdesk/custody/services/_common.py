"""What the custody services share: input cleaning that names the field, and the time they act
at (the tickets app's clock: `timezone.now()` normally, another moment inside
`clock.travel(moment)` when the demo loader replays the past through these services)."""

import datetime

from django.utils import timezone

from propdesk.core.cleaning import clean_choice, clean_field, clean_text
from propdesk.tickets import clock

__all__ = ["clean_choice", "clean_field", "clean_text", "now", "today"]


def now() -> datetime.datetime:
    return clock.now()


def today() -> datetime.date:
    return timezone.localtime(clock.now()).date()
