"""Figures of the supervisor dashboard and its Excel export (DOMAIN.md §2, §7, §8).

Open requests by status, overdue by department, SLA met % per target this month, satisfaction
average and repeat rate. Each figure is one grouped query over an index that starts with the
community, so the dashboard costs the same at a thousand requests as at a million.
"""

import datetime
from dataclasses import dataclass, field

from django.db.models import Avg, Count, Q
from django.utils import timezone

from propdesk.core.permissions import Perm, chosen_community_ids, require
from propdesk.tickets import clock
from propdesk.tickets.models import (
    AWAITING_FOLLOW_UP,
    OPEN_STATUSES,
    ClockState,
    FollowUp,
    ServiceRequest,
    SlaClock,
    Status,
    Target,
)


def month_bounds(day: datetime.date) -> tuple[datetime.datetime, datetime.datetime]:
    zone = timezone.get_current_timezone()
    start = datetime.datetime(day.year, day.month, 1, tzinfo=zone)
    following = datetime.datetime(day.year + (day.month == 12), day.month % 12 + 1, 1, tzinfo=zone)
    return start, following


@dataclass
class Dashboard:
    month: datetime.date
    community_ids: list[int]
    open_by_status: dict[str, int] = field(default_factory=dict)
    overdue_by_department: list[tuple[str, int]] = field(default_factory=list)
    sla_met: dict[str, dict[str, int | float | None]] = field(default_factory=dict)
    satisfaction_average: float | None = None
    satisfaction_count: int = 0
    created_this_month: int = 0
    recurrences_this_month: int = 0
    by_category: list[tuple[str, int]] = field(default_factory=list)

    @property
    def repeat_rate(self) -> float | None:
        if not self.created_this_month:
            return None
        return round(100 * self.recurrences_this_month / self.created_this_month, 1)


def repeat_rate(
    user, *, start: datetime.datetime, end: datetime.datetime, community_id: int | None = None
) -> tuple[int, int]:
    """(recurrences, requests) received in [start, end): the repeat rate's two numbers."""
    require(user, Perm.REQUEST_REPORTS)
    figures = ServiceRequest.objects.filter(
        community_id__in=chosen_community_ids(user, community_id),
        created_at__gte=start,
        created_at__lt=end,
    ).aggregate(total=Count("id"), recurrences=Count("id", filter=Q(recurrence_of__isnull=False)))
    return figures["recurrences"], figures["total"]


def dashboard(user, *, month: datetime.date | None = None, community_id: int | None = None):
    require(user, Perm.REQUEST_REPORTS)
    now = clock.now()
    month = month or timezone.localtime(now).date()
    start, end = month_bounds(month)
    ids = chosen_community_ids(user, community_id)
    board = Dashboard(month=start.date(), community_ids=ids)
    requests = ServiceRequest.objects.filter(community_id__in=ids)

    live = requests.filter(is_open__in=(True,)).values_list("status").annotate(n=Count("id"))
    board.open_by_status = {status: 0 for status in _dashboard_statuses()}
    board.open_by_status.update(dict(live))
    for status, n in (
        requests.filter(status__in=sorted(AWAITING_FOLLOW_UP))
        .values_list("status")
        .annotate(n=Count("id"))
    ):
        board.open_by_status[status] = n

    overdue = (
        requests.filter(is_open__in=(True,), due_at__lte=now)
        .exclude(status=Status.WAITING_OWNER)
        .values_list("department__name")
        .annotate(n=Count("id"))
        .order_by("-n")
    )
    board.overdue_by_department = [(name or "—", n) for name, n in overdue]

    outcomes = (
        SlaClock.objects.filter(
            community_id__in=ids,
            stopped_at__gte=start,
            stopped_at__lt=end,
            state__in=[ClockState.MET, ClockState.BREACHED],
        )
        .values_list("target", "state")
        .annotate(n=Count("id"))
    )
    counts: dict[str, dict[str, int]] = {t: {"met": 0, "breached": 0} for t in Target.values}
    for target, state, n in outcomes:
        counts[target][state] = n
    for target, pair in counts.items():
        total = pair["met"] + pair["breached"]
        board.sla_met[target] = {
            "met": pair["met"],
            "total": total,
            "percent": round(100 * pair["met"] / total, 1) if total else None,
        }

    rated = FollowUp.objects.filter(
        community_id__in=ids,
        completed_at__gte=start,
        completed_at__lt=end,
        satisfaction__isnull=False,
    ).aggregate(average=Avg("satisfaction"), n=Count("id"))
    board.satisfaction_count = rated["n"]
    board.satisfaction_average = (
        round(float(rated["average"]), 2) if rated["average"] is not None else None
    )

    this_month = requests.filter(created_at__gte=start, created_at__lt=end)
    figures = this_month.aggregate(
        total=Count("id"), recurrences=Count("id", filter=Q(recurrence_of__isnull=False))
    )
    board.created_this_month = figures["total"]
    board.recurrences_this_month = figures["recurrences"]
    board.by_category = [
        (name, n)
        for name, n in this_month.values_list("category__name")
        .annotate(n=Count("id"))
        .order_by("-n")
    ]
    return board


def _dashboard_statuses() -> list[str]:
    order = [s.value for s in Status]
    return [s for s in order if s in OPEN_STATUSES or s in AWAITING_FOLLOW_UP]
