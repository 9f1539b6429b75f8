"""Suggestion-versus-final figures for supervisors, scoped to their communities."""

from django.db.models import Count, F, Q
from django.db.models.functions import TruncMonth
from django.utils import timezone

from propdesk.assistant.models import TriageSuggestion
from propdesk.core.permissions import Perm, scope


def _rows(user, since):
    return scope(TriageSuggestion.objects.all(), user, Perm.REQUEST_REPORTS).filter(
        created_at__date__gte=since
    )


def accuracy_by_month(user, *, since) -> list[dict]:
    rows = (
        _rows(user, since)
        .annotate(month=TruncMonth("created_at", tzinfo=timezone.get_current_timezone()))
        .values("month", "community__name")
        .annotate(
            total=Count("id"),
            category_right=Count("id", filter=Q(suggested_category=F("final_category"))),
            kind_right=Count("id", filter=Q(suggested_kind=F("final_kind"))),
            urgency_right=Count("id", filter=Q(suggested_urgency=F("final_urgency"))),
            emergencies=Count("id", filter=Q(final_urgency="emergency")),
            emergencies_found=Count(
                "id", filter=Q(final_urgency="emergency", suggested_urgency="emergency")
            ),
        )
        .order_by("-month", "community__name")
    )
    out = []
    for row in rows:
        total = row["total"] or 1
        out.append(
            {
                **row,
                "category_rate": row["category_right"] / total,
                "kind_rate": row["kind_right"] / total,
                "urgency_rate": row["urgency_right"] / total,
            }
        )
    return out


def top_overrides(user, *, since, limit: int = 10) -> list[dict]:
    return list(
        _rows(user, since)
        .exclude(suggested_category=F("final_category"))
        .values("suggested_category", "final_category")
        .annotate(n=Count("id"))
        .order_by("-n", "suggested_category")[:limit]
    )
