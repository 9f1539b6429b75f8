"""Two workers' passes at once tell each new request's owners once (PostgreSQL; SQLite runs one
writing transaction at a time): the marked events are claimed with SELECT … FOR UPDATE SKIP
LOCKED and unmarked in the transaction that writes their messages, and the messages' dedupe keys
are unique. Counted at the edge: the messages written and the transport's sends."""

import collections
import logging

import pytest

from propdesk.core.models import OutboxMessage
from propdesk.core.tests.concurrency import require_postgresql, run_together
from propdesk.tickets.models import RequestEvent
from propdesk.tickets.services.notify import owner_notices_send

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)
REQUESTS = 30


def test_two_workers_tell_each_owner_once(desk, make_request, settings, caplog):
    require_postgresql()
    # The wake-ups wait (as they would for a second) so that both passes find the marked events.
    settings.OWNER_NOTICE_BATCH_SECONDS = 3600
    for n in range(REQUESTS):
        make_request(description=f"地漏反水 {n}")
    assert RequestEvent.objects.filter(owner_notice_pending=True).count() == REQUESTS

    with caplog.at_level(logging.INFO, logger="propdesk.outbox"):
        outcomes = run_together(2, lambda _i: owner_notices_send(batch=4))

    assert [o.get("error") for o in outcomes] == [None, None]
    assert sum(o["value"] for o in outcomes) == 2 * REQUESTS
    messages = OutboxMessage.objects.filter(event="request.created")
    assert messages.count() == 2 * REQUESTS
    assert messages.values("dedupe_key").distinct().count() == 2 * REQUESTS
    assert not RequestEvent.objects.filter(owner_notice_pending=True).exists()
    assert messages.filter(status="sent", attempts=1).count() == 2 * REQUESTS
    # The texts at the SMS stand-in (it logs the dedupe key of each): one per request.
    texts = collections.Counter(
        record.args[3]
        for record in caplog.records
        if record.msg.startswith("outbox") and record.args[0] == "sms"
    )
    assert set(texts) == set(messages.filter(channel="sms").values_list("dedupe_key", flat=True))
    assert len(texts) == REQUESTS and set(texts.values()) == {1}
