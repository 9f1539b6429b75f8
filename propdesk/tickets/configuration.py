"""Reading the configuration rows: the one place that knows which row applies where.

A community's own row wins over the company-wide default (community NULL). Services, pages and
the API read configuration only through these functions (STYLE.md rule 9).
"""

from dataclasses import dataclass

from django.db.models import Q

from propdesk.accounts.models import Department
from propdesk.tickets.models import (
    Category,
    RequestKind,
    RequestSettings,
    RoutingRule,
    SlaPolicy,
    StandardPhrase,
    Urgency,
)


def _community_or_default(community_id: int | None) -> Q:
    scope = Q(community__isnull=True)
    if community_id is not None:
        scope |= Q(community_id=community_id)
    return scope


def active_kinds():
    return RequestKind.objects.filter(is_active=True).order_by("sort_order", "id")


def active_categories():
    return Category.objects.filter(is_active=True).order_by("sort_order", "id")


def active_urgencies():
    return Urgency.objects.filter(is_active=True).order_by("sort_order", "id")


def policy_for(
    *, community_id: int, kind_id: int, urgency_id: int, category_id: int
) -> SlaPolicy | None:
    """The most specific policy: community + category, community, company + category, company."""
    candidates = SlaPolicy.objects.filter(
        _community_or_default(community_id),
        Q(category__isnull=True) | Q(category_id=category_id),
        kind_id=kind_id,
        urgency_id=urgency_id,
    )

    def specificity(policy: SlaPolicy) -> tuple[int, int]:
        return (policy.community_id is not None, policy.category_id is not None)

    return max(candidates, key=specificity, default=None)


DEFAULT_SETTINGS = RequestSettings()


def settings_for(community_id: int) -> RequestSettings:
    rows = {
        row.community_id: row
        for row in RequestSettings.objects.filter(_community_or_default(community_id))
    }
    return rows.get(community_id) or rows.get(None) or DEFAULT_SETTINGS


@dataclass(frozen=True)
class Route:
    lead: Department | None
    others: tuple[Department, ...] = ()


def route_for(*, community_id: int, category: Category) -> Route:
    """Who handles a category in a community: its routing rules, else the category's default."""
    rules = list(
        RoutingRule.objects.filter(_community_or_default(community_id), category=category)
        .select_related("department")
        .order_by("-is_lead", "id")
    )
    own = [rule for rule in rules if rule.community_id is not None]
    chosen = own or [rule for rule in rules if rule.community_id is None]
    if chosen:
        leads = [rule.department for rule in chosen if rule.is_lead] or [chosen[0].department]
        others = tuple(rule.department for rule in chosen if rule.department != leads[0])
        return Route(lead=leads[0], others=others)
    if category.department_code:
        return Route(lead=Department.objects.filter(code=category.department_code).first())
    return Route(lead=None)


def phrases_for(community_id: int | None):
    """Active standard phrases for a community: its own plus the company's."""
    return (
        StandardPhrase.objects.filter(_community_or_default(community_id), is_active=True)
        .select_related("community")
        .order_by("purpose", "sort_order", "id")
    )
