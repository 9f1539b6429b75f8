"""Synthetic service requests at scale for benchmarks: `propdesk seed_requests --requests N`.

Spreads N requests over the communities of the database (in proportion to their houses) and
over the twelve months before now: the recent ones still open in every status, with deadlines,
assignees and departments, the rest closed (a few cancelled), about 10 % of descriptions naming
a leak (漏水) as the full-text benchmark asks. Requests get their search words, gap-free numbers
(the counters are moved past them so new requests carry on), an intake event, and — for the
last 60 days and everything still open — their SLA clocks, final event and follow-up.

Why not through the services: a million requests through per-object saves takes hours (see
PERF-NOTES.md). Rows are generated in Python and written set-based per community (COPY on
PostgreSQL, one executemany per table on SQLite, estates.seeding.write_rows). Deadlines here are
plain elapsed time (72 h to resolve, 30 minutes on site for an emergency) rather than the working
calendar, and requests older than 60 days keep only their intake event: neither changes what a
queue, a search or the dashboard reads. The seed must be the only writer while it runs.
"""

import datetime
import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from django.core.management.color import no_style
from django.db import connection, transaction
from django.db.models import Count, Max
from django.utils import timezone

from propdesk.accounts.models import Department, Role, User
from propdesk.core.models import NumberSequence
from propdesk.estates.models import Community, House, Ownership
from propdesk.estates.seeding import analyze, write_rows
from propdesk.tickets import search
from propdesk.tickets.demo import EMERGENCY_TEXTS, PLACES, ROOMS, TEXTS, TIMES
from propdesk.tickets.models import (
    NO_DEADLINE,
    Category,
    FollowUp,
    RequestEvent,
    RequestKind,
    RequestToken,
    ServiceRequest,
    SlaClock,
    Urgency,
)

LEAK_SHARE = 0.10
LEAK_TEXTS = (
    "{room}漏水，楼下邻居说天花板在滴水",
    "{time}发现{room}墙角漏水，地板都泡起来了",
    "{place}的消防水管漏水，地面积水很深",
    "空调外机下面一直漏水，滴到楼下的雨棚上",
    "热水器接口漏水，关了总阀还在滴",
)
DETAIL_DAYS = 60
RESOLVE_HOURS = 72
FIRST_RESPONSE_HOURS = 24
FOLLOW_UP_HOURS = 24


def _words(text: str) -> tuple[str, ...]:
    return tuple(text.split())


REQUEST_FIELDS = _words(
    "id community_id number house_id building_id location caller_owner_id caller_name "
    "caller_mobile channel kind_id category_id urgency_id description preferred_visit_at status "
    "is_open department_id assignee_id sla_policy_id due_at due_soon_at promised_at "
    "escalation_level reopen_count recurrence_of_id satisfaction created_by_id created_at "
    "accepted_at dispatched_at on_site_at resolved_at closed_at cancel_reason updated_at "
    "visit_from visit_until verified_at simple_complaint"
)
EVENT_FIELDS = _words(
    "id community_id request_id actor_id action from_status to_status note data at "
    "owner_notice_pending"
)
CLOCK_FIELDS = _words(
    "id community_id request_id target round working amount_seconds started_at due_at "
    "due_soon_at thresholds next_threshold next_check_at paused_at stopped_at state"
)
FOLLOW_UP_FIELDS = _words(
    "id community_id request_id round due_at state attempts last_attempt_at satisfaction "
    "comment via recorded_by_id completed_at"
)
TOKEN_FIELDS = ("community_id", "token", "request_id")

OPEN_STATUS_WEIGHTS = {
    "new": 15,
    "accepted": 10,
    "dispatched": 30,
    "in_progress": 25,
    "waiting_owner": 5,
    "resolved": 10,
    "follow_up": 5,
}
SATISFACTION = (5, 5, 5, 5, 5, 4, 4, 4, 3, 2)

ProgressCallback = Callable[[int, int, int, float], None]  # requests done, total, rows, seconds


@dataclass
class RequestSeedResult:
    requests: int = 0
    communities: int = 0
    rows: int = 0
    seconds: float = 0.0
    counts: dict[str, int] = field(default_factory=dict)


def _open_probability(age: datetime.timedelta) -> float:
    days = age.total_seconds() / 86400
    if days < 2:
        return 0.7
    if days < 7:
        return 0.2
    if days < 30:
        return 0.02
    return 0.002


class _Texts:
    """Descriptions and their search words, segmented once per distinct text."""

    def __init__(self, rng: random.Random):
        self.rng = rng
        self.words: dict[str, list[str]] = {}

    def fill(self, template: str) -> str:
        return template.format(
            room=self.rng.choice(ROOMS),
            place=self.rng.choice(PLACES),
            time=self.rng.choice(TIMES),
            floor=self.rng.randint(2, 30),
        )

    def tokens(self, text: str) -> list[str]:
        words = self.words.get(text)
        if words is None:
            words = self.words[text] = search.tokenize(text)
        return words


def _adapt(value):
    return connection.ops.adapt_datetimefield_value(value) if value is not None else None


def seed_requests(
    *,
    requests: int,
    seed: int = 2026,
    now: datetime.datetime | None = None,
    progress: ProgressCallback | None = None,
) -> RequestSeedResult:
    """Write `requests` synthetic requests; see the module docstring."""
    if requests < 1:
        raise ValueError("requests must be at least 1")
    houses_per_community = dict(
        House.objects.values_list("community_id").annotate(n=Count("id")).order_by("community_id")
    )
    if not houses_per_community:
        raise ValueError("seed a registry first (propdesk seed --houses N): there are no houses")
    started = time.perf_counter()
    now = now or timezone.now()
    rng = random.Random(f"propdesk-requests:{seed}")  # noqa: S311 — synthetic data
    total_houses = sum(houses_per_community.values())
    shares = {cid: round(requests * n / total_houses) for cid, n in houses_per_community.items()}
    shares[max(shares, key=shares.get)] += requests - sum(shares.values())
    context = _Context.load(rng)
    result = RequestSeedResult()
    for community in Community.objects.filter(id__in=list(shares)).order_by("id"):
        count = shares[community.id]
        if count <= 0:
            continue
        with transaction.atomic():
            counts = _seed_community(community, count, now, context)
            _reset_sequences()
        for name, n in counts.items():
            result.counts[name] = result.counts.get(name, 0) + n
            result.rows += n
        result.requests += count
        result.communities += 1
        if progress:
            progress(result.requests, requests, result.rows, time.perf_counter() - started)
    analyze([ServiceRequest, RequestToken, RequestEvent, SlaClock, FollowUp])
    result.seconds = time.perf_counter() - started
    return result


@dataclass
class _Context:
    rng: random.Random
    texts: _Texts
    kinds: dict[str, int]
    categories: dict[str, Category]
    urgencies: dict[str, int]
    departments: dict[str, int]
    creator_id: int
    workers: list[int]
    ids: dict[type, int]

    @classmethod
    def load(cls, rng: random.Random) -> "_Context":
        for code, label in Department.Code.choices:
            Department.objects.get_or_create(code=code, defaults={"name": str(label)})
        creator = (
            User.objects.filter(role__in=[Role.AGENT, Role.ADMIN], is_active=True)
            .order_by("id")
            .first()
        )
        if creator is None:
            raise ValueError("there is no agent or administrator to record the requests")
        workers = list(
            User.objects.filter(is_active=True, role__in=[Role.AGENT, Role.TECHNICIAN])
            .order_by("id")
            .values_list("id", flat=True)
        )
        ids = {
            model: (model.objects.aggregate(top=Max("id"))["top"] or 0) + 1
            for model in (ServiceRequest, RequestEvent, SlaClock, FollowUp)
        }
        return cls(
            rng=rng,
            texts=_Texts(rng),
            kinds=dict(RequestKind.objects.values_list("code", "id")),
            categories={c.code: c for c in Category.objects.all()},
            urgencies=dict(Urgency.objects.values_list("code", "id")),
            departments=dict(Department.objects.values_list("code", "id")),
            creator_id=creator.id,
            workers=workers or [creator.id],
            ids=ids,
        )

    def take(self, model) -> int:
        value = self.ids[model]
        self.ids[model] = value + 1
        return value


def _seed_community(community: Community, count: int, now, ctx: _Context) -> dict[str, int]:
    rng = ctx.rng
    houses = list(House.objects.filter(community=community).values_list("id", "building_id"))
    owners = {
        house_id: (owner_id, name, mobile)
        for house_id, owner_id, name, mobile in Ownership.objects.filter(
            community=community, end_on__isnull=True, is_primary=True
        ).values_list("house_id", "owner_id", "owner__name", "owner__mobile")
    }
    buildings = sorted({b for _h, b in houses})
    start = now - datetime.timedelta(days=365)
    moments = sorted(start + (now - start) * rng.random() for _n in range(count))
    zone = timezone.get_current_timezone()
    # Numbers carry on from any requests already there, per community and year.
    prefix = f"request:{community.id}:"
    counters = {
        int(scope[len(prefix) :]): value
        for scope, value in NumberSequence.objects.filter(scope__startswith=prefix).values_list(
            "scope", "last_value"
        )
    }
    rows: dict[str, list] = {"request": [], "event": [], "clock": [], "follow_up": [], "token": []}
    category_codes = list(ctx.categories)
    weights = [
        {
            "repair_water": 20,
            "repair_electric": 10,
            "repair_elevator": 6,
            "repair_building": 8,
            "noise": 10,
            "security": 5,
            "environment": 10,
            "greening": 3,
            "parking": 6,
            "fees": 8,
            "decoration": 5,
            "service": 5,
            "other_nonproperty": 4,
        }.get(code, 1)
        for code in category_codes
    ]
    for created in moments:
        year = created.astimezone(zone).year
        counters[year] = counters.get(year, 0) + 1
        request_id = ctx.take(ServiceRequest)
        category_code = rng.choices(category_codes, weights=weights)[0]
        kinds, house_texts, area_texts = TEXTS.get(category_code, ({"inquiry": 1}, ["咨询"], []))
        kind = rng.choices(list(kinds), weights=list(kinds.values()))[0]
        urgency = "normal"
        common = not house_texts or (area_texts and rng.random() < 0.25)
        if rng.random() < LEAK_SHARE:
            text = ctx.texts.fill(rng.choice(LEAK_TEXTS))
            category_code, kind = "repair_water", "repair"
        elif category_code in EMERGENCY_TEXTS and rng.random() < 0.03:
            text, urgency, kind = (
                ctx.texts.fill(EMERGENCY_TEXTS[category_code]),
                "emergency",
                "repair",
            )
        else:
            text = ctx.texts.fill(rng.choice(area_texts if common else house_texts))
        category = ctx.categories[category_code]
        house_id, building_id = rng.choice(houses)
        owner = None if common else owners.get(house_id)
        if common:
            house_id = None
            building_id = rng.choice(buildings)
        age = now - created
        is_open = rng.random() < _open_probability(age)
        cancelled = not is_open and rng.random() < 0.02
        status = (
            rng.choices(list(OPEN_STATUS_WEIGHTS), weights=list(OPEN_STATUS_WEIGHTS.values()))[0]
            if is_open
            else ("cancelled" if cancelled else "closed")
        )
        emergency = urgency == "emergency"
        resolve_after = datetime.timedelta(
            minutes=rng.randint(20, 120) if emergency else rng.randint(60, RESOLVE_HOURS * 75)
        )
        promised = created + datetime.timedelta(hours=24 if emergency else RESOLVE_HOURS)
        accepted = created + datetime.timedelta(minutes=rng.randint(2, 180))
        resolved = created + resolve_after
        live = status in ("new", "accepted", "dispatched", "in_progress", "waiting_owner")
        awaiting = status in ("resolved", "follow_up")
        if status == "new":
            due = created + datetime.timedelta(
                minutes=10 if emergency else FIRST_RESPONSE_HOURS * 60
            )
            length = due - created
        else:
            due, length = promised, promised - created
        due_soon = due - length / 5
        if awaiting:
            resolved = min(resolved, now - datetime.timedelta(minutes=5))
            due = due_soon = resolved + datetime.timedelta(hours=FOLLOW_UP_HOURS)
        elif not live:
            due = due_soon = None
        department = ctx.departments.get(category.department_code)
        assignee = (
            rng.choice(ctx.workers)
            if status in ("dispatched", "in_progress", "waiting_owner", "resolved", "follow_up")
            or (not live and not cancelled)
            else None
        )
        closed_at = (
            (created + datetime.timedelta(minutes=rng.randint(5, 300)))
            if cancelled
            else (resolved + datetime.timedelta(hours=rng.randint(2, 30)))
            if status == "closed"
            else None
        )
        satisfaction = rng.choice(SATISFACTION) if status == "closed" else None
        number = f"{community.code}{year}{counters[year]:06d}"

        rows["request"].append(
            (
                request_id,
                community.id,
                number,
                house_id,
                building_id,
                rng.choice(PLACES) if common else "",
                owner[0] if owner else None,
                owner[1] if owner else "",
                owner[2] if owner else "",
                rng.choice(("phone", "phone", "phone", "walk_in", "portal", "patrol")),
                ctx.kinds[kind],
                category.id,
                ctx.urgencies[urgency],
                text,
                None,
                status,
                live,
                department,
                assignee,
                None,
                _adapt(due or NO_DEADLINE),
                _adapt(due_soon or NO_DEADLINE),
                _adapt(promised),
                0,
                0,
                None,
                satisfaction,
                ctx.creator_id,
                _adapt(created),
                _adapt(accepted) if status != "new" else None,
                _adapt(accepted) if status not in ("new", "accepted") and not cancelled else None,
                _adapt(accepted)
                if status in ("in_progress", "waiting_owner") or awaiting or status == "closed"
                else None,
                _adapt(resolved) if awaiting or status == "closed" else None,
                _adapt(closed_at),
                "业主撤销" if cancelled else "",
                _adapt(closed_at or (resolved if awaiting else created)),
                None,  # no visit window promised
                None,
                None,  # not verified as a complaint
                False,
            )
        )
        rows["event"].append(
            (
                ctx.take(RequestEvent),
                community.id,
                request_id,
                ctx.creator_id,
                "created",
                "",
                "new",
                text[:200],
                "{}",
                _adapt(created),
                False,  # synthetic history: nobody to tell
            )
        )
        for token in ctx.texts.tokens(text):
            rows["token"].append((community.id, token, request_id))
        if age > datetime.timedelta(days=DETAIL_DAYS) and not live and not awaiting:
            continue
        # Recent and open requests: their clocks, final event and follow-up as well.
        clock_state = "running" if live else ("met" if resolved <= promised else "breached")
        if cancelled:
            clock_state = "cancelled"
        if status == "waiting_owner":
            clock_state = "paused"
        resolution_due = promised
        rows["clock"].append(
            (
                ctx.take(SlaClock),
                community.id,
                request_id,
                "resolution",
                1,
                False,
                int((promised - created).total_seconds()),
                _adapt(created),
                _adapt(resolution_due),
                _adapt(resolution_due - (promised - created) / 5),
                "[80, 100]",
                80 if clock_state == "running" else None,
                _adapt(created + (promised - created) * 0.8) if clock_state == "running" else None,
                _adapt(now) if clock_state == "paused" else None,
                _adapt(resolved) if clock_state in ("met", "breached") else None,
                clock_state,
            )
        )
        if not live or status != "new":
            final = status if status not in ("resolved", "follow_up") else "resolved"
            rows["event"].append(
                (
                    ctx.take(RequestEvent),
                    community.id,
                    request_id,
                    assignee or ctx.creator_id,
                    {
                        "accepted": "accepted",
                        "dispatched": "dispatched",
                        "in_progress": "started",
                        "waiting_owner": "paused",
                        "resolved": "resolved",
                        "closed": "closed",
                        "cancelled": "cancelled",
                    }[final],
                    "new",
                    status,
                    "",
                    "{}",
                    _adapt(closed_at or (resolved if awaiting else accepted)),
                    False,
                )
            )
        if awaiting or status == "closed":
            rows["follow_up"].append(
                (
                    ctx.take(FollowUp),
                    community.id,
                    request_id,
                    1,
                    _adapt(resolved + datetime.timedelta(hours=FOLLOW_UP_HOURS)),
                    "pending" if awaiting else "done",
                    0,
                    None,
                    satisfaction,
                    "",
                    "" if awaiting else "phone",
                    None if awaiting else ctx.creator_id,
                    None if awaiting else _adapt(closed_at),
                )
            )
    write_rows(ServiceRequest, REQUEST_FIELDS, rows["request"])
    write_rows(RequestEvent, EVENT_FIELDS, rows["event"])
    write_rows(SlaClock, CLOCK_FIELDS, rows["clock"])
    write_rows(FollowUp, FOLLOW_UP_FIELDS, rows["follow_up"])
    write_rows(RequestToken, TOKEN_FIELDS, rows["token"])
    for year, last in counters.items():
        scope = f"request:{community.id}:{year}"
        NumberSequence.objects.get_or_create(scope=scope)
        NumberSequence.objects.filter(scope=scope, last_value__lt=last).update(last_value=last)
    return {
        "ServiceRequest": len(rows["request"]),
        "RequestEvent": len(rows["event"]),
        "SlaClock": len(rows["clock"]),
        "FollowUp": len(rows["follow_up"]),
        "RequestToken": len(rows["token"]),
    }


def _reset_sequences() -> None:
    statements = connection.ops.sequence_reset_sql(
        no_style(), [ServiceRequest, RequestEvent, SlaClock, FollowUp]
    )
    if statements:
        with connection.cursor() as cursor:
            for sql in statements:
                cursor.execute(sql)
