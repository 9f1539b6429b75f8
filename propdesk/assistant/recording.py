"""Recording the suggestion each new request got, and what it finally carried.

Every channel (console intake, portal, API, import) creates requests through the tickets
services; the worker then records, for each request of the last days without one, the
suggestion the same text gets and the request's final category, kind and urgency. An agent
who overrode the suggestion in the intake form thereby leaves a label (`retraining.overrides`).
One row per request (a unique key): two workers recording at once insert each request once.
"""

import datetime

from django.db import transaction
from django.utils import timezone

from propdesk.assistant import services
from propdesk.assistant.models import Source, TriageSuggestion
from propdesk.core.errors import ValidationFailed

LOOK_BACK = datetime.timedelta(days=3)
BATCH = 500

_SOURCES = {"portal": Source.PORTAL, "api": Source.API, "import": Source.IMPORT}


def record_new_requests(*, now=None, limit: int = BATCH) -> int:
    """Record suggestions for up to `limit` recent requests that have none. Returns how many."""
    from propdesk.tickets.models import ServiceRequest

    now = now or timezone.now()
    pending = list(
        ServiceRequest.objects.filter(created_at__gte=now - LOOK_BACK, triage_suggestion=None)
        .select_related("category", "kind", "urgency")
        .order_by("id")[:limit]
    )
    rows = []
    by_community: dict[int, list] = {}
    for req in pending:
        by_community.setdefault(req.community_id, []).append(req)
    for community_id, requests in by_community.items():
        texts, kept = [], []
        for req in requests:
            try:
                texts.append(services.clean_message(req.description))
            except ValidationFailed:
                continue  # a text triage cannot read (too short) gets no suggestion
            kept.append(req)
        if not kept:
            continue
        for req, suggestion in zip(
            kept, services.suggest_many(texts, community_id=community_id), strict=True
        ):
            rows.append(
                TriageSuggestion(
                    community_id=community_id,
                    request=req,
                    created_at=req.created_at,
                    source=_SOURCES.get(req.channel, Source.CONSOLE),
                    model_version=suggestion.model_version,
                    suggested_category=suggestion.category,
                    suggested_kind=suggestion.kind,
                    suggested_urgency=suggestion.urgency,
                    category_confidence=suggestion.confidence["category"],
                    final_category=req.category.code,
                    final_kind=req.kind.code,
                    final_urgency=req.urgency.code,
                    decided_by_id=req.created_by_id,
                )
            )
    with transaction.atomic():
        TriageSuggestion.objects.bulk_create(rows, ignore_conflicts=True)
    return len(rows)
