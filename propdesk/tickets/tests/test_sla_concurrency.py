"""Two SLA sweeps at once escalate each threshold once (PostgreSQL; SQLite runs one writing
transaction at a time): each clock is taken with SELECT … FOR UPDATE SKIP LOCKED and its state
tested on the locked row, and the escalation row is unique per clock and threshold. Counted at
the edge: escalation rows, the request's events and the supervisors' messages."""

import pytest

from propdesk.core.models import OutboxMessage
from propdesk.core.tests.concurrency import require_postgresql, run_together
from propdesk.tickets import services
from propdesk.tickets.models import Escalation, RequestEvent
from propdesk.tickets.tests.conftest import at

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)
REQUESTS = 15


def test_two_sweeps_at_once_escalate_each_threshold_once(desk, frozen, make_request):
    require_postgresql()
    for n in range(REQUESTS):
        make_request(description=f"地漏反水 {n}")
    OutboxMessage.objects.all().delete()
    frozen.move_to(at("2026-03-18T14:00"))  # first response 80 % and 100 %, resolution 80 %

    outcomes = run_together(2, lambda _i: services.sla_sweep())

    assert [o.get("error") for o in outcomes] == [None, None]
    assert sum(o["value"] for o in outcomes) == 3 * REQUESTS
    assert Escalation.objects.count() == 3 * REQUESTS
    assert RequestEvent.objects.filter(action="escalated").count() == 3 * REQUESTS
    messages = OutboxMessage.objects.filter(event="request.escalated")
    assert messages.count() == 3 * REQUESTS
    assert messages.values("dedupe_key").distinct().count() == 3 * REQUESTS
