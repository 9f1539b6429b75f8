"""Reading the configuration rows: the one place that knows which row applies where.

A community's own row wins over the company-wide default (community NULL). Services, pages and
the API read configuration only through these functions (STYLE.md rule 9).

Intake reads half a dozen configuration rows per request; they change a few times a year, so
lookups go through the per-process configuration cache (core.config_cache), cleared by the model
signals wired in apps.py.
"""

from dataclasses import dataclass

from django.db.models import Q

from propdesk.accounts.models import Department
from propdesk.core.config_cache import cached, cached_row
from propdesk.tickets.models import (
    Category,
    RequestKind,
    RequestSettings,
    RoutingRule,
    SlaPolicy,
    StandardPhrase,
    Urgency,
)


def taxonomy_by_code(model, code: str):
    """An active or retired kind, category or urgency by code (None when unknown)."""
    rows = cached(("taxonomy", model._meta.label), lambda: {r.code: r for r in model.objects.all()})
    return rows.get(code)


def taxonomy_by_id(model, pk: int | None):
    """A kind, category or urgency (active or retired) by id (None when unknown)."""
    if pk is None:
        return None
    return cached_row(
        ("taxonomy-ids", model._meta.label), lambda: {r.pk: r for r in model.objects.all()}, pk
    )


def department_by_id(pk: int | None) -> Department | None:
    if pk is None:
        return None
    return cached_row(("departments",), lambda: {r.pk: r for r in Department.objects.all()}, pk)


def calendar(community_id: int):
    """The community's working calendar (core.calendar), cached like the other rows."""
    from propdesk.core.calendar import calendar_for

    return cached(("calendar", community_id), lambda: calendar_for(community_id))


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
    *, community_id: int, kind_id: int, urgency_id: int, category_id: int, simple: bool = False
) -> SlaPolicy | None:
    """The most specific policy: community + category, community, company + category, company.

    `simple`: a complaint the desk marked simple takes the policies marked for simple complaints,
    and the ordinary ones when none is set for its kind and urgency."""
    return cached(
        ("policy", community_id, kind_id, urgency_id, category_id, simple),
        lambda: _policy_for(community_id, kind_id, urgency_id, category_id, simple),
    )


def _policy_for(community_id, kind_id, urgency_id, category_id, simple=False) -> SlaPolicy | None:
    candidates = list(
        SlaPolicy.objects.filter(
            _community_or_default(community_id),
            Q(category__isnull=True) | Q(category_id=category_id),
            kind_id=kind_id,
            urgency_id=urgency_id,
            simple__in=[False, True] if simple else [False],
        )
    )

    def specificity(policy: SlaPolicy) -> tuple[int, int, int]:
        return (policy.simple, policy.community_id is not None, policy.category_id is not None)

    return max(candidates, key=specificity, default=None)


DEFAULT_SETTINGS = RequestSettings()


def settings_for(community_id: int) -> RequestSettings:
    return cached(("settings", community_id), lambda: _settings_for(community_id))


def _settings_for(community_id: int) -> RequestSettings:
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
    return cached(("route", community_id, category.pk), lambda: _route_for(community_id, category))


def _route_for(community_id: int, category: Category) -> Route:
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
