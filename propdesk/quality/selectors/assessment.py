"""Reads of the six-dimension assessment: an agent sees their own scorecards; a supervisor
(ASSESSMENT_MANAGE) sees every scorecard of their communities; nobody another community's."""

import datetime
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Q, QuerySet

from propdesk.core.errors import NotFound
from propdesk.core.permissions import Perm, community_ids, has_perm, require
from propdesk.quality.models import AssessmentMonth, Scorecard
from propdesk.quality.models.assessment import DIMENSIONS


def _pk(value) -> int:
    try:
        return int(value)
    except (TypeError, ValueError) as exc:
        raise NotFound() from exc


def scorecards_visible_to(user) -> QuerySet[Scorecard]:
    require(user, Perm.ASSESSMENT_VIEW)
    visible = Q(agent=user)
    if has_perm(user, Perm.ASSESSMENT_MANAGE):
        visible |= Q(community_id__in=community_ids(user))
    return Scorecard.objects.filter(visible).select_related("month", "agent", "community")


def scorecard_list(
    user, *, community: int | None = None, period: datetime.date | None = None
) -> QuerySet[Scorecard]:
    """The scorecards `user` sees, of one community or month if given: the latest month first,
    the best total first within it."""
    cards = scorecards_visible_to(user)
    if community is not None:
        cards = cards.filter(community_id=community)
    if period is not None:
        cards = cards.filter(month__period=period.replace(day=1))
    return cards.order_by("-month__period", "-total", "id")


def scorecard_for_user(user, scorecard_id) -> Scorecard:
    card = scorecards_visible_to(user).filter(pk=_pk(scorecard_id)).first()
    if card is None:
        raise NotFound()
    return card


def month_for_user(user, month_id) -> AssessmentMonth:
    require(user, Perm.ASSESSMENT_MANAGE)
    month = (
        AssessmentMonth.objects.filter(pk=_pk(month_id), community_id__in=community_ids(user))
        .select_related("community")
        .first()
    )
    if month is None:
        raise NotFound()
    return month


def month_ranking(user, month: AssessmentMonth) -> list[Scorecard]:
    """The month's scorecards, best total first (a supervisor's view)."""
    require(user, Perm.ASSESSMENT_MANAGE, month.community_id)
    cards = list(
        Scorecard.objects.filter(month=month)
        .select_related("agent__department")
        .order_by("-total", "agent__username")
    )
    return sorted(cards, key=lambda c: (c.total is None, -(c.total or 0)))


def team_scores(cards: list[Scorecard]) -> dict[str, Decimal | None]:
    """The team's score per dimension and in total: the mean of its members' scores."""
    figures: dict[str, Decimal | None] = {}
    for name in (*DIMENSIONS, "total"):
        values = [getattr(card, name) for card in cards if getattr(card, name) is not None]
        figures[name] = (
            (sum(values) / len(values)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
            if values
            else None
        )
    return figures


def nominations(cards: list[Scorecard]) -> Scorecard | None:
    """The month's 优秀员工 candidate: the best total, when anyone has one."""
    scored = [card for card in cards if card.total is not None]
    return max(scored, key=lambda c: c.total) if scored else None


def entry_checks(user, community, period):
    """The month's data-entry checks of a community, newest first."""
    from propdesk.quality.models import EntryCheck

    require(user, Perm.ASSESSMENT_MANAGE, community.pk)
    return list(
        EntryCheck.objects.filter(community=community, period=period).select_related(
            "agent", "checked_by"
        )
    )


def entry_rates(user, community, period, agents) -> list[dict]:
    """Per agent: fields checked, fields wrong and the error rate of the month."""
    from django.db.models import Sum

    from propdesk.quality.models import EntryCheck

    require(user, Perm.ASSESSMENT_MANAGE, community.pk)
    sums = {
        row["agent_id"]: row
        for row in EntryCheck.objects.filter(community=community, period=period)
        .values("agent_id")
        .annotate(fields=Sum("fields_checked"), errors=Sum("field_errors"))
    }
    rows = []
    for agent in agents:
        row = sums.get(agent.pk)
        rate = (
            (Decimal(row["errors"]) * 100 / row["fields"]).quantize(
                Decimal("0.01"), rounding=ROUND_HALF_UP
            )
            if row and row["fields"]
            else None
        )
        rows.append(
            {
                "agent": agent,
                "fields": row["fields"] if row else 0,
                "errors": row["errors"] if row else 0,
                "rate": rate,
            }
        )
    return rows


SAMPLE_SIZE = 10


def entry_sample(user, community, period, agent) -> list:
    """Up to ten of the requests `agent` recorded in the month, the same ten on every visit
    (ordered by a hash of their number, not by time), for a supervisor to check field by field."""
    import hashlib

    from propdesk.quality.services.assessment import month_bounds
    from propdesk.tickets.models import ServiceRequest

    require(user, Perm.ASSESSMENT_MANAGE, community.pk)
    start, end = month_bounds(period)
    rows = list(
        ServiceRequest.objects.filter(
            community=community, created_by=agent, created_at__gte=start, created_at__lt=end
        )
        .select_related("house", "kind", "category")
        .order_by("id")[:2000]
    )
    rows.sort(key=lambda r: hashlib.sha256(f"{period}:{r.number}".encode()).hexdigest())
    return rows[:SAMPLE_SIZE]
