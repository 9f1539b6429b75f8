"""Working time (core.calendar) against the real 2026 holiday calendar and past its end.

2026: National Day holiday Oct 1–7, make-up working days Sun Sep 20 and Sat Oct 10; Spring
Festival Feb 15–23, make-up working days Sat Feb 14 and Sat Feb 28. Business hours 08:30–17:30
unless a test sets others, so one working day is nine hours.
"""

import datetime
import logging
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.utils import timezone

from propdesk.core import calendar
from propdesk.core.calendar import (
    WorkingCalendar,
    add_working_days,
    add_working_time,
    calendar_for,
    resume_deadline,
    working_time_between,
)
from propdesk.core.calendar_models import CalendarOverride, WorkingHours

SH = ZoneInfo("Asia/Shanghai")
HOUR = datetime.timedelta(hours=1)


def at(text: str) -> datetime.datetime:
    return datetime.datetime.fromisoformat(text).replace(tzinfo=SH)


@pytest.fixture
def cal(db):
    return calendar_for(None)


def test_a_make_up_saturday_is_a_working_day_and_a_holiday_weekday_is_not(cal):
    assert cal.is_working_day(datetime.date(2026, 10, 10)) is True  # Saturday, 调休
    assert cal.is_working_day(datetime.date(2026, 9, 20)) is True  # Sunday, 调休
    assert cal.is_working_day(datetime.date(2026, 10, 5)) is False  # Monday, National Day
    assert cal.is_working_day(datetime.date(2026, 10, 11)) is False  # an ordinary Sunday
    assert cal.day_kind(datetime.date(2026, 10, 10)) == "statutory"


def test_three_working_days_from_the_eve_of_national_day_end_on_the_make_up_saturday(cal):
    # Wed 09-30 15:00: 2.5 h that day, Thu 10-08 and Fri 10-09 in full, 6.5 h of Sat 10-10.
    due = add_working_days(at("2026-09-30T15:00"), 3, calendar=cal)
    assert due == at("2026-10-10T15:00")


def test_one_working_day_before_a_make_up_saturday_ends_on_the_saturday(cal):
    assert add_working_days(at("2026-10-09T16:00"), 1, calendar=cal) == at("2026-10-10T16:00")


def test_a_request_on_the_make_up_saturday_is_due_the_same_day(cal):
    assert add_working_time(at("2026-10-10T10:00"), 2 * HOUR, calendar=cal) == at(
        "2026-10-10T12:00"
    )


def test_a_request_on_a_sunday_counts_from_monday_opening(cal):
    assert add_working_time(at("2026-10-11T10:00"), 2 * HOUR, calendar=cal) == at(
        "2026-10-12T10:30"
    )


def test_a_request_in_the_evening_counts_from_the_next_opening(cal):
    assert add_working_days(at("2026-09-29T20:00"), 1, calendar=cal) == at("2026-09-30T17:30")


def test_spring_festival_eve_friday_runs_into_the_make_up_saturday(cal):
    # Fri 02-13 17:00: half an hour that day, 8.5 h of Saturday 02-14 (调休).
    assert add_working_days(at("2026-02-13T17:00"), 1, calendar=cal) == at("2026-02-14T17:00")


def test_a_request_during_spring_festival_waits_for_the_first_day_back(cal):
    due = add_working_days(at("2026-02-15T09:00"), 1, calendar=cal)
    assert due == at("2026-02-24T17:30")  # Feb 15–23 are all off


def test_zero_working_time_from_a_holiday_is_the_next_opening(cal):
    assert cal.next_working_moment(at("2026-10-03T12:00")) == at("2026-10-08T08:30")
    assert cal.next_working_moment(at("2026-10-08T09:00")) == at("2026-10-08T09:00")


def test_working_time_between_skips_the_holiday_week(cal):
    spent = working_time_between(at("2026-09-30T15:00"), at("2026-10-08T10:00"), calendar=cal)
    assert spent == 4 * HOUR  # 2.5 h on Sep 30 and 1.5 h on Oct 8


def test_working_time_between_is_negative_backwards_and_zero_on_a_day_off(cal):
    assert cal.between(at("2026-10-08T10:00"), at("2026-09-30T15:00")) == -4 * HOUR
    assert cal.between(at("2026-10-02T09:00"), at("2026-10-02T17:00")) == datetime.timedelta(0)


def test_adding_then_measuring_gives_the_same_working_time(cal):
    start = at("2026-09-18T11:20")
    for hours in (0.5, 3, 9, 27, 40):
        due = cal.add(start, hours * HOUR)
        assert cal.between(start, due) == hours * HOUR


def test_2027_has_no_statutory_data_and_falls_back_to_weekdays(cal, caplog):
    calendar.statutory_working_day.cache_clear()
    calendar._warn_uncovered.cache_clear()
    with caplog.at_level(logging.WARNING, logger="propdesk.calendar"):
        assert cal.is_working_day(datetime.date(2027, 1, 4)) is True  # Monday
        assert cal.is_working_day(datetime.date(2027, 1, 2)) is False  # Saturday
    assert cal.day_kind(datetime.date(2027, 1, 4)) == "weekday rule"
    assert "no holiday data for 2027" in caplog.text
    # Friday 2027-01-08 17:00 + 1 working day: 0.5 h, then Monday 8.5 h.
    assert add_working_days(at("2027-01-08T17:00"), 1, calendar=cal) == at("2027-01-11T17:00")


def test_overrides_fill_in_2027_holidays_until_the_package_knows_them(community_a):
    for day in range(1, 4):  # a New Year holiday entered by hand
        CalendarOverride.objects.create(date=datetime.date(2027, 1, day), is_working=False)
    CalendarOverride.objects.create(date=datetime.date(2027, 1, 9), is_working=True)  # Saturday
    cal = calendar_for(community_a.id)
    assert cal.is_working_day(datetime.date(2027, 1, 1)) is False
    assert cal.is_working_day(datetime.date(2027, 1, 9)) is True
    assert add_working_days(at("2027-01-08T17:00"), 1, calendar=cal) == at("2027-01-09T17:00")


def test_a_community_override_beats_the_company_wide_one(community_a, community_b):
    CalendarOverride.objects.create(date=datetime.date(2026, 10, 10), is_working=False)
    CalendarOverride.objects.create(
        community_id=community_a.id,
        date=datetime.date(2026, 10, 10),
        is_working=True,
        opens_at=datetime.time(9, 0),
        closes_at=datetime.time(12, 0),
        note="半天",
    )
    cal_a, cal_b = calendar_for(community_a.id), calendar_for(community_b.id)
    assert cal_a.hours_on(datetime.date(2026, 10, 10)) == (
        at("2026-10-10T09:00"),
        at("2026-10-10T12:00"),
    )
    assert cal_b.is_working_day(datetime.date(2026, 10, 10)) is False
    # Fri 17:00–17:30, Sat 09:00–12:00 in A, then half an hour on Monday.
    assert cal_a.add(at("2026-10-09T17:00"), 4 * HOUR) == at("2026-10-12T09:00")


def test_a_community_keeps_its_own_business_hours(community_a, community_b):
    WorkingHours.objects.create(opens_at=datetime.time(9), closes_at=datetime.time(18))
    WorkingHours.objects.create(
        community_id=community_a.id, opens_at=datetime.time(8), closes_at=datetime.time(20)
    )
    assert calendar_for(community_a.id).day_length == 12 * HOUR
    assert calendar_for(community_b.id).day_length == 9 * HOUR
    assert add_working_time(at("2026-09-30T19:00"), 2 * HOUR, community_id=community_a.id) == at(
        "2026-10-08T09:00"
    )


def test_the_clock_stands_still_while_paused_in_working_time(cal):
    # Due Thu 10-08 12:00; paused Wed 09-30 16:00 with 1.5 + 3.5 working hours left;
    # resumed Fri 10-09 09:00, so five working hours from then.
    due = resume_deadline(
        at("2026-10-08T12:00"),
        paused_at=at("2026-09-30T16:00"),
        resumed_at=at("2026-10-09T09:00"),
        working=True,
        calendar=cal,
    )
    assert due == at("2026-10-09T14:00")


def test_the_clock_stands_still_while_paused_in_elapsed_time(cal):
    due = resume_deadline(
        at("2026-10-01T10:30"),
        paused_at=at("2026-10-01T10:10"),
        resumed_at=at("2026-10-01T15:00"),
        working=False,
        calendar=cal,
    )
    assert due == at("2026-10-01T15:20")


def test_a_deadline_missed_before_the_pause_stays_missed(cal):
    due = resume_deadline(
        at("2026-10-08T12:00"),
        paused_at=at("2026-10-08T13:00"),
        resumed_at=at("2026-10-09T09:00"),
        working=True,
        calendar=cal,
    )
    assert due == at("2026-10-08T12:00")


def test_it_refuses_naive_times_and_negative_durations(cal):
    with pytest.raises(ValueError, match="aware"):
        cal.add(datetime.datetime(2026, 10, 8, 9), HOUR)  # noqa: DTZ001
    with pytest.raises(ValueError, match="negative"):
        cal.add(at("2026-10-08T09:00"), -HOUR)


def test_a_calendar_without_working_days_is_refused_not_looped_forever():
    nothing = WorkingCalendar()
    nothing.is_working_day = lambda day: False
    with pytest.raises(ValueError, match="no working time"):
        nothing.add(at("2026-10-08T09:00"), HOUR)


def test_a_complaint_taken_now_on_the_eve_of_national_day(cal):
    with time_machine.travel(at("2026-09-30T15:00"), tick=False):
        assert add_working_days(timezone.now(), 3, calendar=cal) == at("2026-10-10T15:00")
