"""Queuing a broadcast under real concurrency (PostgreSQL: SQLite runs one writer at a time):
workers racing for the same broadcast queue it once, and workers racing over the outbox hand
each message to the transport once — one message per resident per channel."""

import collections
import threading

import pytest
from django.db import connection, connections

from propdesk.community.models import IncidentBroadcast, IncidentEntry
from propdesk.community.services.incidents import broadcast_deliver, incident_open
from propdesk.community.tests.transports import CountingTransport
from propdesk.core.models import OutboxMessage
from propdesk.core.outbox import outbox_deliver_all_due

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.fixture(autouse=True)
def _postgresql_only():
    if connection.vendor != "postgresql":
        pytest.skip("only PostgreSQL runs writing transactions at once")


def _race(count, work):
    start = threading.Barrier(count)
    results = [None] * count

    def run(i):
        try:
            start.wait(10)
            results[i] = work()
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    return results


def test_workers_racing_for_a_broadcast_queue_it_once(staff, neighbours, building_3, settings):
    settings.OUTBOX_TRANSPORTS = {
        c: "propdesk.community.tests.transports.CountingTransport"
        for c in ("sms", "email", "in_app")
    }
    CountingTransport.sent = []
    incident = incident_open(
        actor=staff["agent"],
        community=building_3.community,
        kind="power_cut",
        severity="major",
        place="3号楼",
        building_ids=[building_3.id],
    )
    broadcast = incident.broadcasts.get()
    # The worker ran right after the commit (eager in tests): undo its work so the racing
    # workers below start from a broadcast nobody has queued.
    OutboxMessage.objects.filter(event="incident.broadcast").delete()
    IncidentEntry.objects.filter(incident=incident, action="broadcast_queued").delete()
    IncidentBroadcast.objects.filter(pk=broadcast.pk).update(
        delivered_at=None, claimed_at=None, recipients=0
    )
    CountingTransport.sent = []
    results = _race(8, lambda: broadcast_deliver(broadcast.id))
    assert results.count(True) == 1 and results.count(False) == 7
    rows = list(
        OutboxMessage.objects.filter(event="incident.broadcast").values_list("channel", "recipient")
    )
    assert len(rows) == len(set(rows)) == 6
    assert IncidentBroadcast.objects.get(pk=broadcast.pk).recipients == 4
    assert IncidentEntry.objects.filter(incident=incident, action="broadcast_queued").count() == 1

    # Two workers deliver the outbox at once: each message reaches the transport once.
    _race(2, outbox_deliver_all_due)
    sent = collections.Counter(pair for pair in CountingTransport.sent if pair in set(rows))
    assert set(sent) == set(rows)
    assert set(sent.values()) == {1}
