"""The billing rules in plain Python, in integer fen (DOMAIN.md §3).

The billing run computes the same rules in SQL for a million houses at once (services/runs.py);
single bills, previews and quotes use these functions, and the golden cases in
tests/test_rules.py and tests/test_billing_run.py hold both to the same figures.

- Monthly fee: area in hundredths of m² × rate in fen × percent billed × days billed, divided
  by 100 × 100 × days in the month, rounded half-up to the fen: 89.50 m² × 1.90 = 170.05;
  at 70 % for a vacancy month 119.035 → 119.04.
- Pro-rating: a house delivered mid-month pays for the days from delivery to the month's end.
- Vacancy: a house vacant without a break since V pays the vacancy percentage for month P when
  V ≤ P − threshold months (so months 1–6 of a vacancy starting on the 1st pay in full and month 7
  is the first discounted one) and, when the policy asks for an application, an approved one for
  this vacancy takes effect from the month after approval — never retroactively. It stops the
  month the house is occupied, because the vacancy must last to the end of P.
"""

import calendar
import datetime
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal

from propdesk.core.money import fen_half_up

VACANT = "vacant"


# --- periods --------------------------------------------------------------------------------


def month_start(day: datetime.date) -> datetime.date:
    return day.replace(day=1)


def add_months(period: datetime.date, months: int) -> datetime.date:
    index = period.year * 12 + period.month - 1 + months
    return datetime.date(index // 12, index % 12 + 1, 1)


def days_in_month(period: datetime.date) -> int:
    return calendar.monthrange(period.year, period.month)[1]


def month_end(period: datetime.date) -> datetime.date:
    return period.replace(day=days_in_month(period))


def due_date(period: datetime.date, due_day: int) -> datetime.date:
    return period.replace(day=min(max(due_day, 1), days_in_month(period)))


def parse_period(text: str) -> datetime.date:
    """'2026-07' or '2026-07-01' → 2026-07-01; ValueError otherwise."""
    text = (text or "").strip()
    parts = text.split("-")
    if len(parts) not in (2, 3) or not all(p.isdigit() for p in parts):
        raise ValueError("period must look like 2026-07")
    period = datetime.date(int(parts[0]), int(parts[1]), 1)
    if len(parts) == 3 and int(parts[2]) != 1:
        raise ValueError("a period starts on the first of the month")
    return period


# --- amounts --------------------------------------------------------------------------------


def hundredths(quantity: Decimal) -> int:
    """89.50 m² → 8950: an area in hundredths of m², exact for two decimals."""
    value = Decimal(quantity) * 100
    if value != value.to_integral_value():
        raise ValueError("a quantity has at most two decimals")
    return int(value)


def monthly_fee_fen(
    *, quantity: int, rate_fen: int, percent: int = 100, days: int, period_days: int
) -> int:
    """`quantity` in hundredths (of m², or 100 per parking space) → the month's fee in fen."""
    return fen_half_up(quantity * rate_fen * percent * days, 100 * 100 * period_days)


def once_fee_fen(*, quantity: int, rate_fen: int) -> int:
    """A one-off fee by area, such as decoration: 89.50 m² × 3.50 = 313.25."""
    return fen_half_up(quantity * rate_fen, 100)


def billed_days(
    period: datetime.date, delivered_on: datetime.date | None, *, pro_rate: bool
) -> tuple[int, int]:
    """(days billed, days in the month); (0, n) when the house is delivered after the month."""
    total = days_in_month(period)
    if delivered_on is None or delivered_on <= period:
        return total, total
    if delivered_on > month_end(period):
        return 0, total
    if not pro_rate:
        return total, total
    return total - delivered_on.day + 1, total


# --- vacancy --------------------------------------------------------------------------------


@dataclass(frozen=True)
class VacancyPolicy:
    threshold_months: int = 6
    percent: int = 70
    requires_application: bool = True


def vacancy_start(
    changes: Iterable[tuple[datetime.date, int, str]], as_of: datetime.date
) -> datetime.date | None:
    """When the vacancy going on at `as_of` began, from (effective_on, id, to_status) rows."""
    last = None
    for change in sorted(changes):
        if change[0] > as_of:
            break
        last = change
    if last is None or last[2] != VACANT:
        return None
    return last[0]


def vacancy_percent(
    period: datetime.date,
    *,
    vacant_since: datetime.date | None,
    policy: VacancyPolicy,
    discount_from: datetime.date | None = None,
) -> int:
    """The percentage of the monthly fee billed for `period`.

    `vacant_since` is when the vacancy lasting to the end of `period` began (None when the house
    is not vacant then); `discount_from` is the first discounted month of an approved application
    for that same vacancy.
    """
    if vacant_since is None or vacant_since > add_months(period, -policy.threshold_months):
        return 100
    if policy.requires_application and (discount_from is None or discount_from > period):
        return 100
    return policy.percent


# --- shares and temporary parking -----------------------------------------------------------


def largest_remainder(total_fen: int, weights: Sequence[tuple[int, int]]) -> dict[int, int]:
    """Share `total_fen` by integer `weights` [(key, weight)] so the shares sum exactly to it.

    Each key gets the floor of its exact share; the fen left over go one each to the largest
    remainders (ties to the smaller key). Every share is within one fen of the exact share.
    """
    if total_fen < 0:
        raise ValueError("the total must not be negative")
    weight_sum = sum(weight for _key, weight in weights)
    if weight_sum <= 0:
        raise ValueError("the weights must add up to more than zero")
    if any(weight < 0 for _key, weight in weights):
        raise ValueError("weights must not be negative")
    shares = {}
    remainders = []
    for key, weight in weights:
        share, remainder = divmod(total_fen * weight, weight_sum)
        shares[key] = share
        remainders.append((-remainder, key))
    left = total_fen - sum(shares.values())
    for _remainder, key in sorted(remainders)[:left]:
        shares[key] += 1
    return shares


def temporary_parking_fen(
    minutes: int,
    *,
    rate_fen: int,
    short_stay_minutes: int,
    short_stay_fen: int,
    block_hours: int,
    cap_fen: int = 0,
) -> int:
    """Temporary parking: up to `short_stay_minutes` costs `short_stay_fen`; longer stays pay
    `rate_fen` per started block of `block_hours` (default: over 1 h and within 12 h, 5 CNY),
    and no stay pays more than `cap_fen` when a cap is set (0: none)."""
    if minutes < 0:
        raise ValueError("minutes must not be negative")
    if minutes <= short_stay_minutes:
        return short_stay_fen
    block = max(block_hours, 1) * 60
    fee = -(-minutes // block) * rate_fen
    return min(fee, cap_fen) if cap_fen > 0 else fee
