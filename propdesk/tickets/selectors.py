"""Reads of service requests for pages, the API and exports, always scoped to who asks.

Queues page by keyset (seek) on an index that matches their filter and sort (PERF-NOTES.md):
a page is one indexed range read of `limit + 1` rows whatever the table's size, and counts are
capped. `request_for_user` is the only way an edge fetches one request (404 outside one's
communities, STYLE.md rule 4).
"""

import base64
import binascii
import datetime
import json
import re
from dataclasses import dataclass, field

from django.db import connection
from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from propdesk.core import statements
from propdesk.core.errors import ValidationFailed
from propdesk.core.permissions import (
    Perm,
    chosen_community_ids,
    get_scoped,
    has_perm,
    is_company_wide,
    require,
    scope,
)
from propdesk.tickets import clock, error_codes, search
from propdesk.tickets.models import (
    AWAITING_FOLLOW_UP,
    OPEN_STATUSES,
    FollowUp,
    OwnerCost,
    RequestEvent,
    RequestPhoto,
    RequestSolution,
    ServiceRequest,
    SlaClock,
    Status,
    WorkNote,
)
from propdesk.tickets.workflow import allowed_actions

PAGE_SIZE = 25
MAX_PAGE_SIZE = 100
COUNT_CAP = 500
# Newest-first pages of up to this many communities are read community by community.
UNION_COMMUNITIES_MAX = 32
# A first page reads its ids up to the cap and counts them, one statement instead of two, unless
# it reads more communities than this one by one (each range would be read up to the cap).
COUNT_IN_PAGE_PARTS = 4
NUMBER_RE = re.compile(r"^[A-Za-z0-9]{1,20}\d{10}$")

QUEUES = {
    "mine": _("Mine"),
    "department": _("My department"),
    "unassigned": _("Unassigned"),
    "due_soon": _("Due soon"),
    "overdue": _("Overdue"),
    "follow_up": _("Awaiting follow-up"),
    "all": _("All requests"),
}
DEADLINE_QUEUES = {"mine", "department", "unassigned", "due_soon", "overdue", "follow_up"}
# The columns a deadline queue's filter holds fixed, in the order of the one index that serves it
# (community first, then these, then due_at and id). A page of one community is ordered by them
# too: PostgreSQL cannot tell that `assignee IS NULL` or `is_open IN (true)` fixes a column, and
# without them in the ORDER BY it sorts every matching row instead of reading the index in order
# and stopping at the page (5.6 ms against 1.1 ms for 4,600 unassigned requests). Mine and my
# department are left out: an equality on the assignee or the department makes a second index fit
# the same order, and with statistics older than the newest requests PostgreSQL picked the wrong
# one. The awaiting-follow-up queue reads several statuses, which no index order serves. Pages of
# several communities are sorted: merging each community's range (as newest-first pages do) cost
# more CPU in the ORM than the sort saved, unless thousands of requests wait in the queue.
DEADLINE_INDEX_LEADS = {
    "unassigned": ("assignee_id", "is_open"),
    "due_soon": ("is_open",),
    "overdue": ("is_open",),
}

# `is_open IN (true)` rather than `is_open = true`: SQLite compiles the latter to the bare column,
# which its planner cannot use as an equality on the indexes that start (community, is_open, …).
OPEN = (True,)

LIST_RELATED = ("community", "house", "building", "kind", "category", "urgency", "department")
# A queue page read as plain values (request_queue(as_values=True), for the API): building
# model objects for 25 rows and their relations cost more than the page's three statements.
PAGE_VALUES = (
    *("id", "number", "community_id", "community__name", "house_id", "house__code"),
    *("building_id", "location", "kind_id", "category_id", "urgency_id", "channel", "status"),
    *("department_id", "assignee_id", "assignee__first_name", "assignee__last_name"),
    *("assignee__username", "caller_name", "caller_mobile", "description", "created_at"),
    *("due_at", "due_soon_at", "promised_at", "escalation_level", "reopen_count"),
    *("recurrence_of_id", "satisfaction", "visit_from", "visit_until"),
)


def requests_visible_to(user) -> QuerySet[ServiceRequest]:
    return scope(ServiceRequest.objects.all(), user, Perm.REQUEST_VIEW)


def request_for_user(user, request_id, perm: Perm = Perm.REQUEST_VIEW) -> ServiceRequest:
    return get_scoped(
        ServiceRequest.objects.select_related(*LIST_RELATED, "assignee", "caller_owner"),
        user,
        request_id,
        perm,
    )


# --- queues -----------------------------------------------------------------------------------


@dataclass
class QueueFilters:
    community_id: int | None = None
    building_id: int | None = None
    kind: str = ""
    category: str = ""
    status: str = ""
    date_from: datetime.date | None = None
    date_to: datetime.date | None = None
    q: str = ""


@dataclass
class QueuePage:
    queue: str
    items: list  # ServiceRequest objects, or dicts of PAGE_VALUES (request_queue(as_values=True))
    next_cursor: str | None
    count: int
    count_capped: bool
    now: datetime.datetime
    search_words: list[str] = field(default_factory=list)


def encode_cursor(values: list) -> str:
    return base64.urlsafe_b64encode(json.dumps(values).encode()).decode().rstrip("=")


def decode_cursor(cursor: str | None, *, deadline: bool):
    if not cursor:
        return None
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        values = json.loads(base64.urlsafe_b64decode(padded.encode()).decode())
        if deadline:
            moment = datetime.datetime.fromisoformat(values[0])
            if timezone.is_naive(moment):
                raise ValueError
            return moment, int(values[1])
        return int(values[0])
    except (ValueError, TypeError, IndexError, KeyError, binascii.Error, json.JSONDecodeError):
        raise ValidationFailed(
            _("The page link is not valid; start from the first page."),
            code=error_codes.BAD_CURSOR,
            field="cursor",
        ) from None


def _search_community_ids(user, community_id: int | None) -> list[int] | None:
    """For the word index: None (no filter) for a company-wide user, who reads the
    (token, request) index across every community in request order."""
    if community_id is None and is_company_wide(user):
        return None
    return chosen_community_ids(user, community_id)


def queue_queryset(user, queue: str, filters: QueueFilters, now) -> QuerySet[ServiceRequest]:
    require(user, Perm.REQUEST_VIEW)
    if queue not in QUEUES:
        raise ValidationFailed(_("Unknown queue."), code=error_codes.UNKNOWN_QUEUE, field="queue")
    requests = ServiceRequest.objects.all()
    if queue == "all" and filters.community_id is None and is_company_wide(user):
        pass  # newest first over everything: the primary key's order, no community filter
    else:
        requests = requests.filter(
            community_id__in=chosen_community_ids(user, filters.community_id)
        )
    if queue == "mine":
        requests = requests.filter(assignee_id=user.pk, is_open__in=OPEN)
    elif queue == "department":
        requests = requests.filter(department_id=user.department_id, is_open__in=OPEN)
    elif queue == "unassigned":
        requests = requests.filter(assignee__isnull=True, is_open__in=OPEN)
    elif queue == "due_soon":
        requests = requests.filter(is_open__in=OPEN, due_at__gt=now, due_soon_at__lte=now).exclude(
            status=Status.WAITING_OWNER
        )
    elif queue == "overdue":
        requests = requests.filter(is_open__in=OPEN, due_at__lte=now).exclude(
            status=Status.WAITING_OWNER
        )
    elif queue == "follow_up":
        requests = requests.filter(status__in=sorted(AWAITING_FOLLOW_UP))
    if filters.building_id:
        requests = requests.filter(building_id=filters.building_id)
    if filters.kind:
        requests = requests.filter(kind__code=filters.kind)
    if filters.category:
        requests = requests.filter(category__code=filters.category)
    if filters.status:
        requests = requests.filter(status=filters.status)
    if filters.date_from:
        requests = requests.filter(created_at__gte=_day_start(filters.date_from))
    if filters.date_to:
        requests = requests.filter(
            created_at__lt=_day_start(filters.date_to + datetime.timedelta(days=1))
        )
    return requests


def _day_start(day: datetime.date) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(0), tzinfo=timezone.get_current_timezone())


def request_queue(
    user,
    queue: str = "all",
    filters: QueueFilters | None = None,
    *,
    cursor: str | None = None,
    limit: int = PAGE_SIZE,
    with_count: bool = True,
    as_values: bool = False,
) -> QueuePage:
    """One page of a queue in deadline order (or newest first for `all` and searches).

    The items are requests with their relations, or with `as_values` dicts of PAGE_VALUES."""
    filters = filters or QueueFilters()
    now = clock.now()
    limit = max(1, min(int(limit), MAX_PAGE_SIZE))
    requests = queue_queryset(user, queue, filters, now)
    q = (filters.q or "").strip()
    words: list[str] = []
    search_scope = None
    if q and NUMBER_RE.match(q):
        requests = requests.filter(number=q.upper())
    elif q:
        words = search.query_words(q)
        if not words:
            raise ValidationFailed(
                _("Search with words of at least two characters."),
                code=error_codes.QUERY_TOO_SHORT,
                field="q",
            )
        search_scope = _search_community_ids(user, filters.community_id)
    deadline = queue in DEADLINE_QUEUES and not words
    position = decode_cursor(cursor, deadline=deadline)
    plain_search = (
        bool(words)
        and queue == "all"
        and filters == QueueFilters(community_id=filters.community_id, q=filters.q)
    )
    if words and not plain_search:
        # A plain search reads the word index alone: joining its words to the queue's query,
        # never run, cost the ORM 0.14-0.2 ms of CPU for one word and 0.33-0.49 ms for two.
        tokens = search.matching_tokens(words, search_scope)
        requests = requests.filter(id__in=tokens.values("request_id"))
    newest_scope = [] if deadline or plain_search else _newest_scope(user, queue, filters)
    # A first page is counted from its own ids: read up to the cap in the page's order, the
    # page is the first `limit` of them (the database reads that range for the count anyway).
    counted_here = (
        with_count
        and position is None
        and (deadline or plain_search or len(newest_scope) <= COUNT_IN_PAGE_PARTS)
    )
    wanted = COUNT_CAP + 1 if counted_here else limit + 1
    # First the page's ids, from the index alone; then those rows with their relations. Joining
    # before the sort would join every candidate row, not just the page (PERF-NOTES.md).
    if plain_search:
        # A plain search is read straight from the word index, in request order.
        page_ids = search.matching_request_ids(words, search_scope, before=position, limit=wanted)
        counted = None  # a later page's count is the one statement still written each time
        if with_count and not counted_here:
            counted = search.matching_tokens(words, search_scope)
    elif deadline:
        leads = ()
        if (
            queue in DEADLINE_INDEX_LEADS
            and len(chosen_community_ids(user, filters.community_id)) == 1
        ):
            leads = ("community_id", *DEADLINE_INDEX_LEADS[queue])
        ordered = requests.order_by(*leads, "due_at", "id")
        if position is not None:
            moment, last_id = position
            ordered = ordered.filter(Q(due_at__gt=moment) | Q(due_at=moment, id__gt=last_id))
        page_ids = list(ordered.values_list("id", flat=True)[:wanted])
        counted = requests
    else:
        ordered = requests.order_by("-id")
        if position is not None:
            ordered = ordered.filter(id__lt=position)
        page_ids = _newest_ids(ordered, newest_scope, wanted)
        counted = requests
    count, capped = (0, False)
    if counted_here:
        count, capped = min(len(page_ids), COUNT_CAP), len(page_ids) > COUNT_CAP
    elif with_count:
        count = counted.order_by()[: COUNT_CAP + 1].count()
        capped = count > COUNT_CAP
        count = min(count, COUNT_CAP)
    more = len(page_ids) > limit
    page_ids = page_ids[:limit]
    if as_values:
        loaded = {row["id"]: row for row in _page_values(page_ids)}
    else:
        picked = ServiceRequest.objects.filter(id__in=page_ids)
        loaded = {row.id: row for row in picked.select_related(*LIST_RELATED, "assignee")}
    rows = [loaded[pk] for pk in page_ids if pk in loaded]
    next_cursor = None
    if more and rows:
        last = rows[-1]
        last_id, due_at = (last["id"], last["due_at"]) if as_values else (last.id, last.due_at)
        next_cursor = encode_cursor([due_at.isoformat(), last_id] if deadline else [last_id])
    return QueuePage(
        queue=queue,
        items=rows,
        next_cursor=next_cursor,
        count=count,
        count_capped=capped,
        now=now,
        search_words=words,
    )


def _newest_scope(user, queue: str, filters: QueueFilters) -> list[int]:
    """The communities a newest-first page is read from, as queue_queryset filters them."""
    if queue == "all" and filters.community_id is None and is_company_wide(user):
        return []  # no community filter: the primary key's order over everything
    return chosen_community_ids(user, filters.community_id)


def _newest_ids(ordered: QuerySet, community_ids: list[int], limit: int) -> list[int]:
    """The first `limit` ids of a newest-first queue, read as one index range per community.

    Left to itself, PostgreSQL walks the primary key backwards and skips every other
    community's rows: 2 s at a million requests for an agent whose communities hold the oldest
    ids. Each community's newest rows come from the (community, id) index instead and are
    merged: one UNION ALL statement where the database allows a LIMIT in each part, else one
    small query per community (SQLite, which plans `community IN (…)` well anyway).
    """
    if not 1 < len(community_ids) <= UNION_COMMUNITIES_MAX:
        return list(ordered.values_list("id", flat=True)[:limit])
    parts = [
        ordered.filter(community_id=pk).values_list("id", flat=True)[:limit] for pk in community_ids
    ]
    if connection.features.supports_slicing_ordering_in_compound:
        return list(parts[0].union(*parts[1:], all=True).order_by("-id")[:limit])
    return sorted((pk for part in parts for pk in part), reverse=True)[:limit]


def _page_values(ids: list[int]) -> list[dict]:
    """The requests `ids` as dicts of PAGE_VALUES, read by a statement built once per database
    and number of ids: every API page runs it, and the ORM spent more CPU writing its joins
    than the database answering it (issue 20). The ORM still writes it, and its converters
    turn the columns into values exactly as `.values()` would."""
    if not ids:
        return []
    marks = list(range(1, len(ids) + 1))
    page = statements.statement(
        ("page values", len(ids)),
        lambda ids: ServiceRequest.objects.filter(id__in=ids).values(*PAGE_VALUES),
        marks,
    )
    return [dict(zip(page.names, row, strict=True)) for row in page.run(ids)]


# --- one request --------------------------------------------------------------------------------


def request_detail(user, request_id) -> ServiceRequest:
    """A request with everything its workbench shows, in a fixed number of queries."""
    request = request_for_user(user, request_id)
    request.timeline = list(
        RequestEvent.objects.filter(request=request)
        .select_related("actor")
        .prefetch_related(
            Prefetch("photos", queryset=RequestPhoto.objects.order_by("id"), to_attr="photo_list")
        )
        .order_by("at", "id")
    )
    request.clock_list = list(SlaClock.objects.filter(request=request).order_by("round", "id"))
    request.cost_list = list(
        OwnerCost.objects.filter(request=request).select_related("proposed_by").order_by("id")
    )
    request.solution_list = list(
        RequestSolution.objects.filter(request=request)
        .select_related("proposed_by", "decided_by")
        .order_by("id")
    )
    request.note_list = list(
        WorkNote.objects.filter(request=request).select_related("author").order_by("id")
    )
    request.follow_up_list = list(
        FollowUp.objects.filter(request=request).select_related("recorded_by").order_by("round")
    )
    request.photo_list = [photo for event in request.timeline for photo in event.photo_list]
    request.department_list = list(
        request.departments.select_related("department").order_by("-is_lead", "id")
    )
    request.actions = allowed_actions(user, request)
    return request


def duplicates_for(user, *, house_id: int, category_id: int | None = None) -> list[ServiceRequest]:
    """Open requests of the same house (and category): a likely duplicate of a new call."""
    requests = requests_visible_to(user).filter(house_id=house_id, is_open__in=OPEN)
    if category_id:
        requests = requests.filter(category_id=category_id)
    return list(requests.select_related(*LIST_RELATED, "assignee").order_by("-created_at")[:10])


# --- caller lookup ------------------------------------------------------------------------------


@dataclass
class CallerHouse:
    house_id: int
    house_code: str
    community_name: str
    person_name: str
    mobile_masked: str
    match: str
    owner_id: int | None = None
    open_requests: list[ServiceRequest] = field(default_factory=list)
    history: list[ServiceRequest] = field(default_factory=list)


HISTORY_DAYS = 90


def caller_lookup(user, q: str, *, limit: int = 10) -> list[CallerHouse]:
    """From a mobile number or house code the caller gives: their houses, what is still open
    there and the last 90 days of requests (DOMAIN.md §2 intake)."""
    from propdesk.estates.search import registry_search

    require(user, Perm.REQUEST_VIEW)
    q = (q or "").strip()[:40]
    if not q:
        return []
    houses: dict[int, CallerHouse] = {}
    for hit in registry_search(user, q, limit=limit):
        if hit.house_id is None or hit.house_id in houses:
            continue
        houses[hit.house_id] = CallerHouse(
            house_id=hit.house_id,
            house_code=hit.house_code,
            community_name=hit.community_name,
            person_name=hit.person_name,
            mobile_masked=hit.mobile_masked,
            match=hit.match,
            owner_id=hit.owner_id,
        )
    if not houses:
        return []
    since = clock.now() - datetime.timedelta(days=HISTORY_DAYS)
    recent = (
        requests_visible_to(user)
        .filter(house_id__in=list(houses))
        .filter(Q(is_open__in=OPEN) | Q(created_at__gte=since))
        .select_related(*LIST_RELATED, "assignee")
        .order_by("-created_at", "-id")[:200]
    )
    for request in recent:
        house = houses[request.house_id]
        (house.open_requests if request.is_open else house.history).append(request)
    return list(houses.values())


def assignable_people(user, request: ServiceRequest):
    """Who the dispatcher can pick: staff with the work right in the request's community."""
    from propdesk.accounts.models import User
    from propdesk.core.permissions import holders_q

    if not has_perm(user, Perm.REQUEST_DISPATCH):
        return []
    people = (
        User.objects.filter(holders_q(Perm.REQUEST_WORK), communities__id=request.community_id)
        .select_related("department")
        .order_by("department_id", "id")
    )
    return list(people)


def open_statuses() -> list[str]:
    return sorted(OPEN_STATUSES)


# --- configuration rows (the configuration pages and API) -------------------------------------


def taxonomy_rows(user, model, *, q: str = ""):
    """A kind, urgency or category list for someone who configures requests, searched by code or
    name."""
    require(user, Perm.REQUEST_CONFIGURE)
    rows = model.objects.order_by("sort_order", "id")
    q = (q or "").strip()
    if q:
        rows = rows.filter(Q(code__icontains=q) | Q(name__icontains=q) | Q(name_en__icontains=q))
    return rows


def taxonomy_row(user, model, pk):
    from propdesk.core.errors import NotFound

    require(user, Perm.REQUEST_CONFIGURE)
    row = model.objects.filter(pk=pk).first()
    if row is None:
        raise NotFound()
    return row


def _configured_here(user) -> Q:
    """Company-wide rows (no community) and the rows of the user's communities."""
    return Q(community_id__isnull=True) | Q(community_id__in=chosen_community_ids(user, None))


def routing_rules_for(user, *, community_id: int | None = None, q: str = ""):
    from propdesk.tickets.models import RoutingRule

    require(user, Perm.REQUEST_CONFIGURE)
    rules = RoutingRule.objects.filter(_configured_here(user)).select_related(
        "community", "category", "department"
    )
    if community_id is not None:
        rules = rules.filter(community_id__in=chosen_community_ids(user, community_id))
    q = (q or "").strip()
    if q:
        rules = rules.filter(
            Q(category__code__icontains=q)
            | Q(category__name__icontains=q)
            | Q(department__name__icontains=q)
        )
    return rules.order_by("community_id", "category__sort_order", "category_id", "-is_lead", "id")


def routing_rule_for(user, pk):
    from propdesk.core.errors import NotFound
    from propdesk.tickets.models import RoutingRule

    require(user, Perm.REQUEST_CONFIGURE)
    rule = (
        RoutingRule.objects.filter(_configured_here(user))
        .select_related("community", "category", "department")
        .filter(pk=pk)
        .first()
    )
    if rule is None:
        raise NotFound()
    return rule


def working_hours_for(user):
    from propdesk.core.calendar_models import WorkingHours

    require(user, Perm.REQUEST_CONFIGURE)
    return WorkingHours.objects.filter(_configured_here(user)).order_by("community_id")


def calendar_overrides_for(user, *, since=None):
    from propdesk.core.calendar_models import CalendarOverride

    require(user, Perm.REQUEST_CONFIGURE)
    rows = CalendarOverride.objects.filter(_configured_here(user))
    if since is not None:
        rows = rows.filter(date__gte=since)
    return rows.order_by("date", "community_id")


def calendar_override_for(user, pk):
    from propdesk.core.errors import NotFound

    rule = calendar_overrides_for(user).filter(pk=pk).first()
    if rule is None:
        raise NotFound()
    return rule
