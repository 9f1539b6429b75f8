"""The demo's year of requests is replayed through the services and looks like real work."""

import random
from collections import Counter

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


def _written() -> dict:
    """Every row the replay writes, in id order, with requests named by number and no ids."""
    from propdesk.core.models import NumberSequence
    from propdesk.tickets.models import (
        AssignmentCursor,
        Escalation,
        FollowUp,
        RequestDepartment,
        RequestToken,
    )

    numbers = dict(ServiceRequest.objects.values_list("id", "number"))
    clocks = {c.id: (numbers[c.request_id], c.target, c.round) for c in SlaClock.objects.all()}
    names = {"request_id": numbers, "recurrence_of_id": numbers, "clock_id": clocks}
    written = {}
    for model in (ServiceRequest, SlaClock, RequestDepartment, RequestEvent, FollowUp,
                  RequestToken, Escalation, AssignmentCursor):  # fmt: skip
        written[model.__name__] = [
            {
                name: names[name].get(value) if name in names else value
                for name, value in row.items()
                if name != "id"
            }
            for row in model.objects.order_by("pk").values()
        ]
    written["NumberSequence"] = list(
        NumberSequence.objects.filter(scope__startswith="request:").values_list(
            "scope", "last_value"
        )
    )
    return written


def test_the_bulk_replay_writes_what_the_services_write(desk, frozen):
    """The older requests are replayed in memory and written in bulk: row for row what the
    request services write for the same months (clocks met and missed, pauses, round-robin turns,
    reopenings, unanswered follow-up calls, cancellations, recurrences, numbers, tokens), and the
    last two weeks, still through the services, carry on from it."""
    from django.db import transaction

    def load(*, bulk: bool) -> dict:
        load_demo_requests(
            communities=[desk.community_a],
            rng=random.Random(11),
            days=150,
            per_day=3,
            now=at("2026-03-16T09:30"),
            bulk=bulk,
        )
        return _written()

    class Rollback(Exception):
        pass

    try:
        with transaction.atomic():
            by_services = load(bulk=False)
            raise Rollback
    except Rollback:
        pass
    assert not ServiceRequest.objects.exists()
    in_bulk = load(bulk=True)

    for table, rows in by_services.items():
        assert in_bulk[table] == rows, table
    # The months replayed take every path the bulk replay restates.
    requests = by_services["ServiceRequest"]
    actions = Counter(event["action"] for event in by_services["RequestEvent"])
    assert len(requests) > 300
    assert {"paused", "resumed", "reopened", "cancelled", "follow_up_attempt"} <= set(actions)
    assert any(r["recurrence_of_id"] for r in requests)
    assert {r["assignee_id"] for r in requests} >= {desk.technician.id, desk.tech2.id}
    assert {c["state"] for c in by_services["SlaClock"]} >= {"met", "breached", "running"}
    assert by_services["Escalation"]
