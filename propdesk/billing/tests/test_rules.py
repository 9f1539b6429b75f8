"""The billing rules in Python (billing.rules): golden cases of DOMAIN.md §3 and the issue."""

import datetime
import math
from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from propdesk.billing.rules import (
    VacancyPolicy,
    add_months,
    billed_days,
    due_date,
    hundredths,
    largest_remainder,
    monthly_fee_fen,
    once_fee_fen,
    parse_period,
    temporary_parking_fen,
    vacancy_percent,
    vacancy_start,
)

JULY = datetime.date(2026, 7, 1)
POLICY = VacancyPolicy(threshold_months=6, percent=70, requires_application=True)


def fee(area: str, rate_fen: int, percent: int = 100, days: int = 31, period_days: int = 31):
    return monthly_fee_fen(
        quantity=hundredths(Decimal(area)),
        rate_fen=rate_fen,
        percent=percent,
        days=days,
        period_days=period_days,
    )


def test_residential_89_50_m2_costs_170_05_a_month():
    assert fee("89.50", 190) == 17005


def test_a_vacancy_month_of_the_same_house_costs_119_04_rounded_half_up():
    assert fee("89.50", 190, percent=70) == 11904  # 119.035


def test_commercial_120_m2_costs_300_a_month():
    assert fee("120.00", 250) == 30000


def test_decoration_for_89_50_m2_costs_313_25_once():
    assert once_fee_fen(quantity=hundredths(Decimal("89.50")), rate_fen=350) == 31325


def test_a_house_delivered_mid_month_pays_for_its_days():
    days, total = billed_days(JULY, datetime.date(2026, 7, 17), pro_rate=True)
    assert (days, total) == (15, 31)
    # 170.05 × 15 / 31 = 82.282… → 82.28
    assert fee("89.50", 190, days=days, period_days=total) == 8228


def test_delivery_dates_outside_the_month():
    assert billed_days(JULY, None, pro_rate=True) == (31, 31)
    assert billed_days(JULY, datetime.date(2026, 7, 1), pro_rate=True) == (31, 31)
    assert billed_days(JULY, datetime.date(2021, 6, 30), pro_rate=True) == (31, 31)
    assert billed_days(JULY, datetime.date(2026, 8, 1), pro_rate=True) == (0, 31)
    assert billed_days(JULY, datetime.date(2026, 7, 17), pro_rate=False) == (31, 31)


@pytest.mark.parametrize(
    ("month", "percent"),
    [(5, 100), (6, 100), (7, 70), (8, 70)],
)
def test_the_vacancy_rule_at_months_5_6_and_7(month, percent):
    # Vacant from 1 January; approved in February, so the discount may start in March.
    period = add_months(datetime.date(2026, 1, 1), month - 1)
    got = vacancy_percent(
        period,
        vacant_since=datetime.date(2026, 1, 1),
        policy=POLICY,
        discount_from=datetime.date(2026, 3, 1),
    )
    assert got == percent


def test_a_vacancy_starting_mid_month_counts_full_months_only():
    since = datetime.date(2026, 1, 15)  # February is the first full month
    assert (
        vacancy_percent(
            datetime.date(2026, 7, 1), vacant_since=since, policy=POLICY, discount_from=JULY
        )
        == 100
    )
    assert (
        vacancy_percent(
            datetime.date(2026, 8, 1), vacant_since=since, policy=POLICY, discount_from=JULY
        )
        == 70
    )


def test_the_discount_is_never_retroactive():
    since = datetime.date(2025, 1, 1)
    # Approved in July: August is the first discounted month, however long the vacancy.
    assert (
        vacancy_percent(
            JULY, vacant_since=since, policy=POLICY, discount_from=datetime.date(2026, 8, 1)
        )
        == 100
    )
    assert (
        vacancy_percent(
            datetime.date(2026, 8, 1),
            vacant_since=since,
            policy=POLICY,
            discount_from=datetime.date(2026, 8, 1),
        )
        == 70
    )


def test_without_an_application_there_is_no_discount_unless_the_policy_waives_it():
    since = datetime.date(2025, 1, 1)
    assert vacancy_percent(JULY, vacant_since=since, policy=POLICY) == 100
    waived = VacancyPolicy(threshold_months=6, percent=70, requires_application=False)
    assert vacancy_percent(JULY, vacant_since=since, policy=waived) == 70


def test_threshold_and_rate_are_configurable():
    policy = VacancyPolicy(threshold_months=3, percent=50, requires_application=False)
    assert (
        vacancy_percent(
            datetime.date(2026, 4, 1), vacant_since=datetime.date(2026, 1, 1), policy=policy
        )
        == 50
    )
    assert (
        vacancy_percent(
            datetime.date(2026, 3, 1), vacant_since=datetime.date(2026, 1, 1), policy=policy
        )
        == 100
    )


def test_the_vacancy_start_comes_from_the_status_history():
    history = [
        (datetime.date(2021, 6, 30), 1, "occupied"),
        (datetime.date(2026, 1, 1), 2, "vacant"),
        (datetime.date(2026, 7, 20), 3, "occupied"),
    ]
    assert vacancy_start(history, datetime.date(2026, 6, 30)) == datetime.date(2026, 1, 1)
    # Occupied on 20 July: July is no longer a vacancy month, so the discount stops then.
    assert vacancy_start(history, datetime.date(2026, 7, 31)) is None
    assert vacancy_start(history, datetime.date(2020, 1, 1)) is None
    assert vacancy_start([], datetime.date(2026, 1, 1)) is None


def test_periods_and_due_dates():
    assert parse_period("2026-07") == JULY
    assert parse_period("2026-07-01") == JULY
    for bad in ("2026-7-x", "July", "", "2026-07-02", "2026-13"):
        with pytest.raises(ValueError):
            parse_period(bad)
    assert add_months(datetime.date(2026, 1, 1), -6) == datetime.date(2025, 7, 1)
    assert add_months(datetime.date(2026, 12, 1), 1) == datetime.date(2027, 1, 1)
    assert due_date(JULY, 5) == datetime.date(2026, 7, 5)
    assert due_date(datetime.date(2026, 2, 1), 31) == datetime.date(2026, 2, 28)


def test_hundredths_refuse_a_third_decimal():
    assert hundredths(Decimal("89.5")) == 8950
    with pytest.raises(ValueError):
        hundredths(Decimal("89.505"))


def test_largest_remainder_shares_to_the_fen():
    shares = largest_remainder(10000, [(1, 8950), (2, 12000), (3, 7000)])
    assert shares == {1: 3202, 2: 4293, 3: 2505}  # 3202.15, 4293.38, 2504.47
    assert sum(shares.values()) == 10000


def test_largest_remainder_breaks_ties_by_key():
    assert largest_remainder(1, [(2, 1), (1, 1)]) == {1: 1, 2: 0}
    assert largest_remainder(100, [(1, 1), (2, 1), (3, 1)]) == {1: 34, 2: 33, 3: 33}


def test_largest_remainder_refuses_nonsense():
    with pytest.raises(ValueError):
        largest_remainder(-1, [(1, 1)])
    with pytest.raises(ValueError):
        largest_remainder(1, [(1, 0)])
    with pytest.raises(ValueError):
        largest_remainder(1, [(1, 2), (2, -1)])


@given(
    st.integers(min_value=0, max_value=10**10),
    st.lists(st.integers(min_value=1, max_value=10**7), min_size=1, max_size=60),
)
def test_largest_remainder_always_sums_exactly_and_stays_within_a_fen(total, weights):
    keyed = list(enumerate(weights))
    shares = largest_remainder(total, keyed)
    assert sum(shares.values()) == total
    weight_sum = sum(weights)
    for key, weight in keyed:
        exact = total * weight / weight_sum
        assert abs(shares[key] - exact) < 1 + 1e-6
        assert shares[key] >= 0


@pytest.mark.parametrize(
    ("minutes", "fen"),
    [(0, 0), (60, 0), (61, 500), (720, 500), (721, 1000), (1440, 1000), (1441, 1500)],
)
def test_temporary_parking_over_1h_within_12h_is_5_per_time(minutes, fen):
    got = temporary_parking_fen(
        minutes, rate_fen=500, short_stay_minutes=60, short_stay_fen=0, block_hours=12
    )
    assert got == fen


@given(
    st.integers(min_value=1, max_value=10_000_000),
    st.integers(min_value=0, max_value=100_000),
    st.integers(min_value=0, max_value=100),
    st.integers(min_value=28, max_value=31),
    st.data(),
)
def test_the_integer_rule_equals_decimal_arithmetic_rounded_half_up(q, rate, pct, dim, data):
    days = data.draw(st.integers(min_value=1, max_value=dim))
    fen_exact = Fraction(q, 100) * rate * Fraction(pct, 100) * Fraction(days, dim)
    expected = math.floor(fen_exact + Fraction(1, 2))
    assert (
        monthly_fee_fen(quantity=q, rate_fen=rate, percent=pct, days=days, period_days=dim)
        == expected
    )
