"""Working time: the one place that knows which hours count towards a deadline (DESIGN.md).

A moment counts as working time when it falls inside the service centre's business hours on a
working day. Which days are working days:

1. a dated override of the community (`CalendarOverride`), else the company-wide override;
2. else the statutory calendar from chinese-calendar: public holidays are off, make-up working
   days (调休, e.g. Saturday 2026-10-10) are working days;
3. else — chinese-calendar only knows 2004–2026 and raises NotImplementedError for 2027 — Monday
   to Friday. Until the package ships the next year's data, the State Council's holiday notice is
   entered as overrides, which rule 1 then applies; a warning is logged once per uncovered year.

Deadlines in working days are counted as that many full business days of working time, so a
complaint received on Wednesday at 15:00 with "3 working days" is due at 15:00 on the third
working day after it, and one received in the evening is counted from the next opening.
Calendar-hour targets (an emergency: on site in 30 minutes) never use this module's rules: they
are plain elapsed time. Pausing (waiting on the owner) is `resume_deadline`.
"""

import datetime
import functools
import logging
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

import chinese_calendar
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from propdesk.core.calendar_models import DEFAULT_CLOSES_AT, DEFAULT_OPENS_AT

logger = logging.getLogger("propdesk.calendar")

# A deadline further away than this many days of searching means the calendar has no working
# time at all (e.g. every day overridden as a day off): refuse rather than loop for ever.
MAX_SEARCH_DAYS = 3660
ZERO = datetime.timedelta(0)


def local_zone() -> ZoneInfo:
    return ZoneInfo(settings.TIME_ZONE)


@functools.lru_cache(maxsize=8192)
def statutory_working_day(day: datetime.date) -> bool | None:
    """chinese-calendar's answer for `day`, or None for a year it has no data for."""
    try:
        return bool(chinese_calendar.is_workday(day))
    except NotImplementedError:
        _warn_uncovered(day.year)
        return None


@functools.lru_cache(maxsize=64)
def _warn_uncovered(year: int) -> None:
    logger.warning(
        "chinese-calendar has no holiday data for %s: Monday to Friday are working days there "
        "unless calendar overrides say otherwise",
        year,
    )


def statutory_holiday_name(day: datetime.date) -> str:
    """The holiday a date belongs to (for display), '' when none or unknown."""
    try:
        _on_holiday, name = chinese_calendar.get_holiday_detail(day)
    except NotImplementedError:
        return ""
    return name or ""


@dataclass(frozen=True)
class DayOverride:
    is_working: bool
    opens_at: datetime.time | None = None
    closes_at: datetime.time | None = None
    note: str = ""


@dataclass
class WorkingCalendar:
    """Business hours plus dated overrides; the arithmetic of working time on top of them."""

    opens_at: datetime.time = DEFAULT_OPENS_AT
    closes_at: datetime.time = DEFAULT_CLOSES_AT
    overrides: dict[datetime.date, DayOverride] = field(default_factory=dict)
    zone: ZoneInfo = field(default_factory=local_zone)

    # --- days ------------------------------------------------------------------------------

    @property
    def day_length(self) -> datetime.timedelta:
        """The working time of a usual working day: what one 'working day' of a target is."""
        return _combine(datetime.date(2000, 1, 3), self.closes_at, self.zone) - _combine(
            datetime.date(2000, 1, 3), self.opens_at, self.zone
        )

    def is_working_day(self, day: datetime.date) -> bool:
        override = self.overrides.get(day)
        if override is not None:
            return override.is_working
        statutory = statutory_working_day(day)
        if statutory is None:
            return day.weekday() < 5
        return statutory

    def day_kind(self, day: datetime.date) -> str:
        """Why a day is what it is: 'override', 'statutory' or 'weekday rule' (for display)."""
        if day in self.overrides:
            return "override"
        return "weekday rule" if statutory_working_day(day) is None else "statutory"

    def hours_on(self, day: datetime.date) -> tuple[datetime.datetime, datetime.datetime] | None:
        """The opening and closing instants of `day` (aware, local time), None on a day off."""
        if not self.is_working_day(day):
            return None
        override = self.overrides.get(day)
        opens, closes = self.opens_at, self.closes_at
        if override is not None and override.opens_at and override.closes_at:
            opens, closes = override.opens_at, override.closes_at
        return _combine(day, opens, self.zone), _combine(day, closes, self.zone)

    def is_working_time(self, moment: datetime.datetime) -> bool:
        moment = _local(moment, self.zone)
        span = self.hours_on(moment.date())
        return span is not None and span[0] <= moment < span[1]

    def next_working_moment(self, moment: datetime.datetime) -> datetime.datetime:
        """`moment` itself when it is working time, else the next opening."""
        return self.add(moment, ZERO)

    # --- arithmetic ------------------------------------------------------------------------

    def add(self, start: datetime.datetime, duration: datetime.timedelta) -> datetime.datetime:
        """The moment `duration` of working time after `start` (local time, aware)."""
        if duration < ZERO:
            raise ValueError("working time to add must not be negative")
        moment = _local(start, self.zone)
        remaining = duration
        day = moment.date()
        for _attempt in range(MAX_SEARCH_DAYS):
            span = self.hours_on(day)
            if span is not None:
                opens, closes = span
                begin = max(moment, opens)
                if begin < closes:
                    available = closes - begin
                    if remaining <= available:
                        return begin + remaining
                    remaining -= available
            day += datetime.timedelta(days=1)
            moment = _combine(day, datetime.time(0, 0), self.zone)
        raise ValueError("the working calendar has no working time in the next ten years")

    def subtract(self, end: datetime.datetime, duration: datetime.timedelta) -> datetime.datetime:
        """The moment `duration` of working time before `end` (the mirror of `add`)."""
        if duration < ZERO:
            raise ValueError("working time to subtract must not be negative")
        moment = _local(end, self.zone)
        remaining = duration
        day = moment.date()
        for _attempt in range(MAX_SEARCH_DAYS):
            span = self.hours_on(day)
            if span is not None:
                opens, closes = span
                finish = min(moment, closes)
                if finish > opens:
                    available = finish - opens
                    if remaining <= available:
                        return finish - remaining
                    remaining -= available
            moment = _combine(day, datetime.time(0, 0), self.zone)
            day -= datetime.timedelta(days=1)
        raise ValueError("the working calendar has no working time in the last ten years")

    def between(self, start: datetime.datetime, end: datetime.datetime) -> datetime.timedelta:
        """Working time from `start` to `end`; negative when `end` comes first."""
        if end < start:
            return -self.between(end, start)
        start, end = _local(start, self.zone), _local(end, self.zone)
        total = ZERO
        day = start.date()
        while day <= end.date():
            span = self.hours_on(day)
            if span is not None:
                low, high = max(start, span[0]), min(end, span[1])
                if high > low:
                    total += high - low
            day += datetime.timedelta(days=1)
        return total


def _combine(day: datetime.date, at: datetime.time, zone: ZoneInfo) -> datetime.datetime:
    return datetime.datetime.combine(day, at, tzinfo=zone)


def _local(moment: datetime.datetime, zone: ZoneInfo) -> datetime.datetime:
    if moment.tzinfo is None:
        raise ValueError("working-time arithmetic needs aware datetimes")
    return moment.astimezone(zone)


# --- loading a community's calendar ---------------------------------------------------------


def calendar_for(community_id: int | None) -> WorkingCalendar:
    """The working calendar of a community: its own hours and overrides over the company's."""
    from django.db.models import Q

    from propdesk.core.calendar_models import CalendarOverride, WorkingHours

    scope = Q(community_id__isnull=True)
    if community_id is not None:
        scope |= Q(community_id=community_id)
    hours = {row.community_id: row for row in WorkingHours.objects.filter(scope)}
    chosen = hours.get(community_id) or hours.get(None)
    rows = sorted(
        CalendarOverride.objects.filter(scope).values_list(
            "community_id", "date", "is_working", "opens_at", "closes_at", "note"
        ),
        key=lambda r: r[0] is not None,  # company-wide first: a community's own row wins
    )
    overrides = {r[1]: DayOverride(r[2], r[3], r[4], r[5]) for r in rows}
    if chosen is None:
        return WorkingCalendar(overrides=overrides)
    return WorkingCalendar(
        opens_at=chosen.opens_at, closes_at=chosen.closes_at, overrides=overrides
    )


# --- the functions services call ------------------------------------------------------------


def add_working_time(
    start: datetime.datetime,
    duration: datetime.timedelta,
    *,
    community_id: int | None = None,
    calendar: WorkingCalendar | None = None,
) -> datetime.datetime:
    """`start` plus `duration` of working time of the community's calendar."""
    calendar = calendar or calendar_for(community_id)
    return calendar.add(start, duration)


def add_working_days(
    start: datetime.datetime,
    days: int | float,
    *,
    community_id: int | None = None,
    calendar: WorkingCalendar | None = None,
) -> datetime.datetime:
    """`start` plus `days` full business days of working time."""
    calendar = calendar or calendar_for(community_id)
    return calendar.add(start, calendar.day_length * days)


def working_time_between(
    start: datetime.datetime,
    end: datetime.datetime,
    *,
    community_id: int | None = None,
    calendar: WorkingCalendar | None = None,
) -> datetime.timedelta:
    calendar = calendar or calendar_for(community_id)
    return calendar.between(start, end)


def deadline_after(
    start: datetime.datetime,
    amount: datetime.timedelta,
    *,
    working: bool,
    calendar: WorkingCalendar,
) -> datetime.datetime:
    """When a target of `amount` started at `start` falls due: working or elapsed time."""
    if working:
        return calendar.add(start, amount)
    return start + amount


def deadline_before(
    end: datetime.datetime,
    amount: datetime.timedelta,
    *,
    working: bool,
    calendar: WorkingCalendar,
) -> datetime.datetime:
    """The moment `amount` of working (or elapsed) time before `end`, e.g. a warning point."""
    if working:
        return calendar.subtract(end, amount)
    return end - amount


def elapsed(
    start: datetime.datetime,
    end: datetime.datetime,
    *,
    working: bool,
    calendar: WorkingCalendar,
) -> datetime.timedelta:
    """How much of a target's time passed between two moments: working or elapsed time."""
    if working:
        return calendar.between(start, end)
    return end - start


def resume_deadline(
    due_at: datetime.datetime,
    *,
    paused_at: datetime.datetime,
    resumed_at: datetime.datetime,
    working: bool,
    calendar: WorkingCalendar,
) -> datetime.datetime:
    """A deadline after the clock stood still from `paused_at` to `resumed_at`.

    The time that was left when the clock stopped is counted again from the moment it restarts;
    a deadline already passed when the clock stopped stays where it was (it was missed).
    """
    if due_at <= paused_at:
        return due_at
    left = elapsed(paused_at, due_at, working=working, calendar=calendar)
    return deadline_after(resumed_at, left, working=working, calendar=calendar)


DAY_KIND_LABELS = {
    "override": _("set for this community"),
    "statutory": _("statutory calendar"),
    "weekday rule": _("weekday rule (no statutory data for this year)"),
}
