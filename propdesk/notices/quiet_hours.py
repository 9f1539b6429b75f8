"""Do-not-disturb windows: pure time arithmetic, in the site's time zone (Asia/Shanghai)."""

import datetime

from django.utils import timezone


def in_quiet_hours(moment: datetime.time, start: datetime.time, end: datetime.time) -> bool:
    """Is `moment` inside [start, end)? The window may span midnight; start == end is no window."""
    if start == end:
        return False
    if start < end:
        return start <= moment < end
    return moment >= start or moment < end


def quiet_hours_end(
    at: datetime.datetime, start: datetime.time, end: datetime.time
) -> datetime.datetime | None:
    """The end of the window `at` falls in (an aware datetime), or None when `at` is not in one."""
    local = timezone.localtime(at)
    if not in_quiet_hours(local.time(), start, end):
        return None
    day = local.date()
    if local.time() >= end:
        day += datetime.timedelta(days=1)
    naive = datetime.datetime.combine(day, end)
    return timezone.make_aware(naive, local.tzinfo)
