"""The demo's year of requests is replayed through the services and looks like real work."""

import random

from propdesk.tickets.demo import load_demo_requests
from propdesk.tickets.models import RequestEvent, ServiceRequest, SlaClock
from propdesk.tickets.tests.conftest import at


def test_a_month_of_demo_requests(desk, frozen):
    result = load_demo_requests(
        communities=[desk.community_a],
        rng=random.Random(7),
        days=30,
        per_day=2,
        now=at("2026-03-16T09:30"),
    )

    requests = ServiceRequest.objects.order_by("id")
    assert result.requests == requests.count() > 30
    # Numbers are gap-free in order of intake, and timestamps lie in the replayed month.
    numbers = [int(r.number[-6:]) for r in requests]
    assert numbers == list(range(1, len(numbers) + 1))
    assert all(at("2026-02-14T00:00") <= r.created_at <= at("2026-03-16T09:30") for r in requests)
    assert {"closed"} <= set(result.by_status)
    # Every request has its intake event and its clocks; closed ones were followed up.
    assert RequestEvent.objects.filter(action="created").count() == result.requests
    assert SlaClock.objects.values("request").distinct().count() == result.requests
    for request in requests.filter(status="closed"):
        assert request.follow_ups.exclude(state="pending").exists()
    # Nothing was sent to owners about the past.
    from propdesk.core.models import OutboxMessage

    assert OutboxMessage.objects.count() == 0
