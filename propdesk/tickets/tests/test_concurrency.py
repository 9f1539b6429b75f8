"""Two people acting on one request at the same moment (PostgreSQL: real row locks).

Proves that the request's row lock serialises steps: of two simultaneous dispatches one wins and
the other is refused by the transition table, and simultaneous intakes never share a number.
SQLite serialises every write transaction anyway, so these run on PostgreSQL only.
"""

import threading

import pytest
from django.db import connection, connections

from propdesk.core.errors import Conflict
from propdesk.tickets import services
from propdesk.tickets.models import RequestEvent, ServiceRequest
from propdesk.tickets.tests.conftest import new_request

pytestmark = [
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="row locks are only real on PostgreSQL"
    ),
]


def _together(*calls):
    barrier = threading.Barrier(len(calls))
    outcomes = [None] * len(calls)

    def run(index, call):
        try:
            barrier.wait()
            outcomes[index] = call()
        except Exception as exc:  # noqa: BLE001 — collected for the assertions
            outcomes[index] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return outcomes


def test_two_simultaneous_accepts_leave_one_step(personas, house_a, zhang_san):
    request = new_request(personas["agent"], house_a)
    outcomes = _together(
        lambda: services.request_accept(actor=personas["agent"], request=request),
        lambda: services.request_accept(actor=personas["supervisor"], request=request),
    )
    assert sorted(type(o).__name__ for o in outcomes) == ["Conflict", "ServiceRequest"]
    assert isinstance([o for o in outcomes if isinstance(o, Exception)][0], Conflict)
    assert RequestEvent.objects.filter(request=request, action="accepted").count() == 1


def test_simultaneous_intakes_get_distinct_gap_free_numbers(personas, house_a, zhang_san):
    outcomes = _together(
        *[
            lambda n=n: new_request(personas["agent"], house_a, description=f"漏水{n}")
            for n in range(6)
        ]
    )
    assert all(isinstance(o, ServiceRequest) for o in outcomes), outcomes
    numbers = sorted(int(o.number[-6:]) for o in outcomes)
    assert numbers == [1, 2, 3, 4, 5, 6]
