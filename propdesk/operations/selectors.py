"""Reads of the equipment register, its readings and alerts, scoped to the user's communities."""

import datetime
import statistics

from django.contrib.auth import get_user_model
from django.db.models import Count, Q, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone

from propdesk.billing.models import FeeCode
from propdesk.billing.rules import add_months
from propdesk.billing.selectors.schedule import fee_item, policy_for, rate_on
from propdesk.core.errors import NotFound
from propdesk.core.permissions import Perm, get_scoped, has_perm, scope
from propdesk.operations.models import (
    Alert,
    Equipment,
    EquipmentRequest,
    FeePublication,
    LineKind,
    MaintenancePlan,
    ParkingStay,
    PatrolCheck,
    PatrolPlan,
    PatrolPoint,
    PatrolRound,
    PatrolRoute,
    PatrolStop,
    PublicationStatus,
    Reading,
    ReadingHour,
    RoundStatus,
    ThresholdRule,
    WorkOrder,
)
from propdesk.operations.models.patrol import OPEN_ROUND
from propdesk.tickets.reports import month_bounds


def equipment_list(user, *, q: str = "", kind: str = "", status: str = "", community_id=None):
    rows = scope(Equipment.objects.all(), user, Perm.OPERATIONS_VIEW).select_related(
        "community", "building"
    )
    if community_id:
        rows = rows.filter(community_id=community_id)
    if kind:
        rows = rows.filter(kind=kind)
    if status:
        rows = rows.filter(status=status)
    if q:
        rows = rows.filter(Q(code__icontains=q) | Q(name__icontains=q) | Q(location__icontains=q))
    return rows.order_by("community_id", "code")


def equipment_get(user, pk) -> Equipment:
    return get_scoped(
        Equipment.objects.select_related("community", "building"), user, pk, Perm.OPERATIONS_VIEW
    )


def latest_readings(equipment: Equipment) -> list[Reading]:
    """The newest value of each metric the equipment reports."""
    metrics = (
        Reading.objects.filter(equipment=equipment).values_list("metric", flat=True).distinct()
    )
    found = []
    for metric in sorted(set(metrics)):
        row = Reading.objects.filter(equipment=equipment, metric=metric).order_by("-at").first()
        if row is not None:
            found.append(row)
    return found


def recent_readings(equipment: Equipment, *, metric: str, limit: int = 200) -> list[Reading]:
    return list(Reading.objects.filter(equipment=equipment, metric=metric).order_by("-at")[:limit])[
        ::-1
    ]


def hourly_readings(equipment: Equipment, *, metric: str, limit: int = 24 * 30):
    return list(
        ReadingHour.objects.filter(equipment=equipment, metric=metric).order_by("-hour")[:limit]
    )[::-1]


def alert_list(user, *, open_only: bool = True, community_id=None):
    rows = scope(Alert.objects.all(), user, Perm.OPERATIONS_VIEW).select_related(
        "equipment", "community", "request", "rule"
    )
    if community_id:
        rows = rows.filter(community_id=community_id)
    if open_only:
        rows = rows.filter(is_open=True)
    return rows.order_by("-opened_at")


def equipment_requests(equipment: Equipment):
    return (
        EquipmentRequest.objects.filter(equipment=equipment)
        .select_related("request", "request__category")
        .order_by("-request__created_at")
    )


def fault_figures(equipment: Equipment) -> dict:
    """Faults, the mean time between them (days) and repeats (same category within 30 days)."""
    requests = [
        link.request
        for link in EquipmentRequest.objects.filter(equipment=equipment)
        .select_related("request")
        .order_by("request__created_at")
    ]
    gaps = [
        (later.created_at - earlier.created_at).total_seconds() / 86400
        for earlier, later in zip(requests, requests[1:], strict=False)
    ]
    repeats = sum(
        1
        for earlier, later in zip(requests, requests[1:], strict=False)
        if later.category_id == earlier.category_id
        and (later.created_at - earlier.created_at).days < 30
    )
    return {
        "faults": len(requests),
        "mtbf_days": round(statistics.mean(gaps), 1) if gaps else None,
        "repeats": repeats,
    }


def rules_for(user, community) -> list[ThresholdRule]:
    """The rules in force in a community: its own rows, else the company's defaults."""
    own = {
        (r.kind, r.metric): r
        for r in ThresholdRule.objects.filter(community=community).order_by("kind", "metric")
    }
    defaults = ThresholdRule.objects.filter(community__isnull=True).order_by("kind", "metric")
    rules = [own.pop((d.kind, d.metric), d) for d in defaults]
    return rules + list(own.values())


# patrols ---------------------------------------------------------------------------------------


def patrol_round_get(user, pk) -> PatrolRound:
    return get_scoped(
        PatrolRound.objects.select_related("route", "community", "assignee", "department"),
        user,
        pk,
        Perm.PATROL_VIEW,
    )


def patrol_rounds(user, *, community_id=None, status: str = "", day=None):
    rows = scope(PatrolRound.objects.all(), user, Perm.PATROL_VIEW).select_related(
        "route", "community", "assignee", "walked_by", "department"
    )
    if community_id:
        rows = rows.filter(community_id=community_id)
    if status:
        rows = rows.filter(status=status)
    if day is not None:
        start = timezone.make_aware(datetime.datetime.combine(day, datetime.time()))
        rows = rows.filter(due_at__gte=start, due_at__lt=start + datetime.timedelta(days=1))
    return rows.order_by("-due_at", "id")


def my_rounds(user, *, now=None, hours_ahead: int = 12, community_id=None):
    """The open rounds `user` may walk: theirs, their department's, or anyone's, due by soon
    (in one of their communities when `community_id` is given)."""
    now = now or timezone.now()
    if not has_perm(user, Perm.PATROL_CHECK):
        return PatrolRound.objects.none()
    mine = Q(assignee=user) | Q(assignee__isnull=True, department__isnull=True)
    if getattr(user, "department_id", None):
        mine |= Q(assignee__isnull=True, department_id=user.department_id)
    rounds = scope(PatrolRound.objects.all(), user, Perm.PATROL_CHECK).filter(
        mine, status__in=OPEN_ROUND, due_at__lte=now + datetime.timedelta(hours=hours_ahead)
    )
    if community_id:
        rounds = rounds.filter(community_id=community_id)
    return rounds.select_related("route", "community").order_by("due_at", "id")


def round_sheet(patrol_round: PatrolRound) -> list[dict]:
    """The route's points in order, each with its check on this round (or None)."""
    checks = {
        c.point_id: c
        for c in PatrolCheck.objects.filter(patrol_round=patrol_round).select_related("request")
    }
    return [
        {"stop": stop, "point": stop.point, "check": checks.get(stop.point_id)}
        for stop in PatrolStop.objects.filter(route_id=patrol_round.route_id)
        .select_related("point", "point__building")
        .order_by("position")
    ]


def patrol_points(user, *, community_id=None):
    rows = scope(PatrolPoint.objects.all(), user, Perm.PATROL_VIEW).select_related(
        "community", "building"
    )
    if community_id:
        rows = rows.filter(community_id=community_id)
    return rows.order_by("community_id", "code")


def patrol_point_get(user, pk) -> PatrolPoint:
    return get_scoped(
        PatrolPoint.objects.select_related("community", "building"), user, pk, Perm.PATROL_VIEW
    )


def patrol_routes(user, *, community_id=None):
    rows = scope(PatrolRoute.objects.all(), user, Perm.PATROL_VIEW).select_related("community")
    if community_id:
        rows = rows.filter(community_id=community_id)
    return rows.prefetch_related("stops__point", "plans").order_by("community_id", "name")


def patrol_route_get(user, pk) -> PatrolRoute:
    return get_scoped(
        PatrolRoute.objects.prefetch_related("stops__point"), user, pk, Perm.PATROL_VIEW
    )


def patrol_plans(user, *, community_id=None):
    rows = scope(PatrolPlan.objects.all(), user, Perm.PATROL_VIEW)
    if community_id:
        rows = rows.filter(community_id=community_id)
    return rows.order_by("community_id", "name", "id")


def _rate(checked: int, due: int) -> float | None:
    return round(100 * checked / due, 1) if due else None


def patrol_figures(user, *, month: datetime.date, community_id=None) -> dict:
    """Completion of the closed rounds of a month: points checked of points due, per route and
    per person, with missed and late points; and the rate of each of the last six months."""
    closed = scope(PatrolRound.objects.all(), user, Perm.PATROL_VIEW).filter(
        status__in=(RoundStatus.DONE, RoundStatus.MISSED)
    )
    if community_id:
        closed = closed.filter(community_id=community_id)
    start, end = month_bounds(month)
    in_month = closed.filter(due_at__gte=start, due_at__lt=end)
    sums = {
        "rounds": Count("id"),
        "missed_rounds": Count("id", filter=Q(status=RoundStatus.MISSED)),
        "due": Sum("points_due"),
        "checked": Sum("points_checked"),
        "missed": Sum("points_missed"),
        "late": Sum("points_late"),
    }

    routes = []
    for row in in_month.values("route_id", "route__name").annotate(**sums).order_by("route__name"):
        row["name"] = row.pop("route__name")
        row["rate"] = _rate(row["checked"] or 0, row["due"] or 0)
        routes.append(row)
    # A round counts for whoever walked it, or (never begun) for the patroller it was due from.
    people = list(
        in_month.annotate(person=Coalesce("walked_by_id", "assignee_id"))
        .values("person")
        .annotate(**sums)
        .order_by("person")
    )
    users = get_user_model().objects.in_bulk([row["person"] for row in people if row["person"]])
    for row in people:
        person = users.get(row["person"])
        row["name"] = person.display_name if person else "—"
        row["rate"] = _rate(row["checked"] or 0, row["due"] or 0)

    months = []
    for back in range(5, -1, -1):
        m_start, m_end = month_bounds(add_months(month.replace(day=1), -back))
        totals = closed.filter(due_at__gte=m_start, due_at__lt=m_end).aggregate(**sums)
        months.append(
            {
                "month": m_start.date(),
                "rate": _rate(totals["checked"] or 0, totals["due"] or 0),
                "rounds": totals["rounds"],
            }
        )
    total = in_month.aggregate(**sums)
    return {
        "total": {**total, "rate": _rate(total["checked"] or 0, total["due"] or 0)},
        "routes": routes,
        "people": people,
        "months": months,
    }


# maintenance -----------------------------------------------------------------------------------


def work_orders(
    user,
    *,
    community_id=None,
    status: str = "open",
    equipment_id=None,
    overdue: bool = False,
    today: datetime.date | None = None,
):
    """Work orders of the user's communities; `overdue`: open ones past their due day."""
    rows = scope(WorkOrder.objects.all(), user, Perm.OPERATIONS_VIEW).select_related(
        "equipment", "community", "assignee", "completed_by"
    )
    if community_id:
        rows = rows.filter(community_id=community_id)
    if equipment_id:
        rows = rows.filter(equipment_id=equipment_id)
    if overdue:
        status = "open"
        rows = rows.filter(due_on__lt=today or timezone.localdate())
    if status:
        rows = rows.filter(status=status)
    return rows.order_by("due_on", "id") if status == "open" else rows.order_by("-due_on", "-id")


def work_order_get(user, pk) -> WorkOrder:
    return get_scoped(
        WorkOrder.objects.select_related("equipment", "community", "plan", "assignee"),
        user,
        pk,
        Perm.OPERATIONS_VIEW,
    )


def maintenance_plans(user, *, community_id=None):
    rows = scope(MaintenancePlan.objects.all(), user, Perm.OPERATIONS_VIEW).select_related(
        "equipment", "community", "assignee"
    )
    if community_id:
        rows = rows.filter(community_id=community_id)
    return rows.order_by("next_due", "id")


def maintenance_history(equipment: Equipment):
    return (
        WorkOrder.objects.filter(equipment=equipment)
        .select_related("completed_by")
        .order_by("-due_on", "-id")
    )


# --- temporary parking ----------------------------------------------------------------------


def parking_stays(user, *, community_id=None, status: str = "", plate: str = ""):
    """Stays in the user's communities: parked and due first, newest first."""
    rows = scope(ParkingStay.objects.all(), user, Perm.PARKING_CHARGE)
    if community_id:
        rows = rows.filter(community_id=community_id)
    if status:
        rows = rows.filter(status=status)
    if plate:
        rows = rows.filter(plate=plate)
    return rows.select_related("community", "payment__receipt").order_by("-entered_at", "-id")


def parking_stay_get(user, pk):
    return get_scoped(
        ParkingStay.objects.select_related("community", "payment__receipt", "recorded_by"),
        user,
        pk,
        Perm.PARKING_CHARGE,
    )


def parking_rule(community_id: int, day: datetime.date) -> dict | None:
    """The community's temporary-parking rule as people read it (None: no rate set)."""
    item = fee_item(community_id, FeeCode.PARKING_TEMPORARY)
    rate = rate_on(item, day) if item and item.active else None
    if rate is None:
        return None
    policy = policy_for(community_id)
    return {
        "free_minutes": policy.temp_parking_free_minutes,
        "short_stay_fen": policy.temp_parking_short_fen,
        "period_hours": policy.temp_parking_block_hours,
        "rate_fen": rate.rate_fen,
        "cap_fen": policy.temp_parking_cap_fen,
    }


# --- fee transparency -----------------------------------------------------------------------


def publications(user, *, community_id=None):
    """The publications of the user's communities, newest period and version first."""
    rows = scope(FeePublication.objects.all(), user, Perm.PUBLICATION_PREPARE)
    if community_id:
        rows = rows.filter(community_id=community_id)
    return rows.select_related("community", "prepared_by", "reviewed_by")


def publication_get(user, pk) -> FeePublication:
    return get_scoped(
        FeePublication.objects.select_related(
            "community", "prepared_by", "reviewed_by", "supersedes"
        ),
        user,
        pk,
        Perm.PUBLICATION_PREPARE,
    )


def publication_lines(publication: FeePublication) -> dict:
    lines = list(publication.lines.order_by("kind", "id"))
    return {
        "income": [line for line in lines if line.kind == LineKind.INCOME],
        "spending": [line for line in lines if line.kind == LineKind.SPENDING],
    }


def publication_versions(publication: FeePublication) -> list[FeePublication]:
    """Every version of the publication's period, newest first (the corrections' history)."""
    return list(
        FeePublication.objects.filter(
            community_id=publication.community_id,
            period_from=publication.period_from,
            period_to=publication.period_to,
        )
        .select_related("reviewed_by")
        .order_by("-version")
    )


def _owner_community_ids(user) -> set[int]:
    from propdesk.estates import owner_access
    from propdesk.estates.models import House

    return set(
        House.objects.filter(id__in=owner_access.house_ids(user)).values_list(
            "community_id", flat=True
        )
    )


def publications_for_owner(user):
    """What the owner's communities published (a corrected version stays, marked superseded)."""
    return (
        FeePublication.objects.filter(
            community_id__in=_owner_community_ids(user),
            status__in=(PublicationStatus.PUBLISHED, PublicationStatus.SUPERSEDED),
        )
        .select_related("community")
        .order_by("-period_from", "-version")
    )


def publication_for_owner(user, pk) -> FeePublication:
    try:
        pk = int(pk)
    except (TypeError, ValueError) as exc:
        raise NotFound() from exc
    found = publications_for_owner(user).filter(pk=pk).first()
    if found is None:
        raise NotFound()
    return found
