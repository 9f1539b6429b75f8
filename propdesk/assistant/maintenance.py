"""Maintenance prediction: which houses and buildings will likely need the same repair again soon.

The source documents ask for "predicting from an owner's repair records what maintenance they may
need, and contacting them first" (seed 002 §5; DOMAIN §9). The prediction reads only the request
history, so it works the day a company starts:

- **recurrence**: a place (a house, or a building for lifts and common parts) whose same kind of
  fault (the repair category) came back is likely to come back again;
- **time since the last fix** against the place's own rhythm: with two reports or more, the
  median gap between them says when the next one is due, and the score peaks there; with one
  report, the chance of a repeat fades over the following year;
- **season**: drains and pipes before and during the rainy season, power and air-conditioning
  circuits before summer, lifts and building fabric in the typhoon months (`SEASON`, defaults a
  company can change here).

Every candidate carries the reason in words, so the agent who calls knows what to ask about.
`score_places` is pure (rows in, ranked candidates out) so the backtest can replay any month:
`candidates_for(community, as_of)` reads the rows before `as_of` and ranks them.
"""

from __future__ import annotations

import datetime
import math
import statistics
from collections import defaultdict
from dataclasses import dataclass, field

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

REPAIR_CATEGORIES = ("repair_water", "repair_electric", "repair_elevator", "repair_building")
# Lifts and common parts are kept per building; water and power faults per house when the
# request names one.
BUILDING_CATEGORIES = ("repair_elevator", "repair_building")
HISTORY_DAYS = 730
ONE_REPORT_FADE_DAYS = 180.0

# Month → weight per category, 1.0 = an ordinary month (South China: rains April–June, summer
# heat June–September, typhoons July–September).
SEASON: dict[str, dict[int, float]] = {
    "repair_water": {3: 1.3, 4: 1.6, 5: 1.8, 6: 1.6, 7: 1.2, 12: 1.2, 1: 1.3},
    "repair_electric": {5: 1.4, 6: 1.7, 7: 1.8, 8: 1.6, 9: 1.2},
    "repair_elevator": {7: 1.2, 8: 1.2},
    "repair_building": {4: 1.2, 5: 1.3, 6: 1.3, 7: 1.4, 8: 1.4, 9: 1.3},
}
SEASON_REASON = {  # lazy: read in the language of the page
    "repair_water": gettext_lazy("rainy season: drains and pipes"),
    "repair_electric": gettext_lazy("summer: power and air-conditioning circuits"),
    "repair_elevator": gettext_lazy("typhoon months: lifts"),
    "repair_building": gettext_lazy("rain and typhoons: roofs, walls and windows"),
}


@dataclass(frozen=True)
class Report:
    """One past repair request of a place."""

    category: str
    house_id: int | None
    building_id: int | None
    at: datetime.datetime


@dataclass
class Candidate:
    category: str
    house_id: int | None
    building_id: int | None
    score: float
    reports: int
    days_since_last: int
    typical_gap_days: int | None
    in_season: bool
    reason: str = ""
    extra: dict = field(default_factory=dict)

    @property
    def key(self) -> tuple:
        return place_key(self.category, self.house_id, self.building_id)


def place_key(category: str, house_id: int | None, building_id: int | None) -> tuple:
    if category in BUILDING_CATEGORIES or house_id is None:
        return (category, "building", building_id)
    return (category, "house", house_id)


def season_weight(category: str, when: datetime.date) -> float:
    """The weight of the month ahead: the mean of this month's and the next month's."""
    table = SEASON.get(category, {})
    following = (when.month % 12) + 1
    return (table.get(when.month, 1.0) + table.get(following, 1.0)) / 2


def _timing(days_since: float, gaps: list[float]) -> tuple[float, int | None]:
    """How close the place is to its next report: 1.0 when due now, less before and after."""
    if not gaps:
        return math.exp(-days_since / ONE_REPORT_FADE_DAYS) * 0.5, None
    typical = max(14.0, statistics.median(gaps))
    # Due in (typical - days_since) days; the month ahead is what the outreach list is for.
    distance = abs(days_since + 15 - typical) / typical
    return math.exp(-distance * 1.5), int(round(typical))


def score_places(reports: list[Report], as_of: datetime.datetime) -> list[Candidate]:
    """Rank every place with a repair in the last two years, most likely repeat first."""
    since = as_of - datetime.timedelta(days=HISTORY_DAYS)
    grouped: dict[tuple, list[Report]] = defaultdict(list)
    for report in reports:
        if report.category in REPAIR_CATEGORIES and since <= report.at < as_of:
            grouped[place_key(report.category, report.house_id, report.building_id)].append(report)
    out = []
    for (category, _level, _place), rows in grouped.items():
        rows.sort(key=lambda r: r.at)
        times = [r.at for r in rows]
        gaps = [(b - a).total_seconds() / 86400 for a, b in zip(times, times[1:], strict=False)]
        gaps = [g for g in gaps if g >= 3]  # a report repeated within days is one fault
        days_since = (as_of - times[-1]).total_seconds() / 86400
        timing, typical = _timing(days_since, gaps)
        weight = season_weight(category, as_of.date())
        recurrence = (1 + len(gaps)) ** 0.8
        first = rows[-1]
        out.append(
            Candidate(
                category=category,
                house_id=None if category in BUILDING_CATEGORIES else first.house_id,
                building_id=first.building_id,
                score=round(recurrence * timing * weight, 6),
                reports=1 + len(gaps),
                days_since_last=int(days_since),
                typical_gap_days=typical,
                in_season=weight > 1.05,
            )
        )
    out.sort(key=lambda c: (-c.score, -c.reports, c.days_since_last, c.key))
    for candidate in out:
        candidate.reason = reason_of(candidate)
    return out


def reason_of(candidate: Candidate) -> str:
    parts = [
        ngettext(
            "%(count)d repair of this kind in two years",
            "%(count)d repairs of this kind in two years",
            candidate.reports,
        )
        % {"count": candidate.reports},
        _("the last %(days)d days ago") % {"days": candidate.days_since_last},
    ]
    if candidate.typical_gap_days:
        parts.append(
            _("it comes back about every %(days)d days") % {"days": candidate.typical_gap_days}
        )
    if candidate.in_season:
        parts.append(str(SEASON_REASON[candidate.category]))
    return _("; ").join(parts)


# --- reading the history ----------------------------------------------------------------------


def reports_before(community_id: int, as_of: datetime.datetime) -> list[Report]:
    """The repair requests of a community in the two years before `as_of` (cancelled ones and
    those linked as repeats of another open request are not separate faults)."""
    from propdesk.tickets.models import ServiceRequest, Status

    rows = (
        ServiceRequest.objects.filter(
            community_id=community_id,
            category__code__in=REPAIR_CATEGORIES,
            created_at__gte=as_of - datetime.timedelta(days=HISTORY_DAYS),
            created_at__lt=as_of,
        )
        .exclude(status=Status.CANCELLED)
        .values_list("category__code", "house_id", "building_id", "created_at")
    )
    return [Report(c, h, b, at) for c, h, b, at in rows]


def candidates_for(community_id: int, as_of: datetime.datetime, *, limit: int = 50) -> list:
    return score_places(reports_before(community_id, as_of), as_of)[:limit]


def reported_in(community_id: int, start: datetime.datetime, end: datetime.datetime) -> set:
    """The places (keys) with a repair request created in [start, end): what a backtest scores
    the list against."""
    return {
        place_key(r.category, r.house_id, r.building_id)
        for r in reports_before(community_id, end)
        if r.at >= start
    }


@dataclass
class Backtest:
    month: datetime.date
    community_id: int
    listed: int
    reported_places: int
    hits_at: dict[int, int]

    def precision(self, k: int) -> float | None:
        if self.listed == 0:
            return None
        return self.hits_at[k] / min(k, self.listed)


def backtest(community_id: int, month: datetime.date, *, tops=(20, 50)) -> Backtest:
    """Train on what was reported before month M, score the list against what M brought."""
    from django.utils import timezone

    tz = timezone.get_current_timezone()
    start = datetime.datetime(month.year, month.month, 1, tzinfo=tz)
    following = datetime.date(month.year + month.month // 12, month.month % 12 + 1, 1)
    end = datetime.datetime(following.year, following.month, 1, tzinfo=tz)
    ranked = score_places(reports_before(community_id, start), start)
    actual = reported_in(community_id, start, end)
    hits = {k: sum(1 for c in ranked[:k] if c.key in actual) for k in tops}
    return Backtest(
        month=month.replace(day=1),
        community_id=community_id,
        listed=len(ranked),
        reported_places=len(actual),
        hits_at=hits,
    )
