"""Several deliverers on one PostgreSQL outbox send every message exactly once: the claim is one
UPDATE whose WHERE tests the status on the row it changes, so a deliverer that waited for
another's claim finds the row taken and moves on. Sends are counted at the transport."""

import collections

import pytest
from django.utils import timezone

from propdesk.core import outbox
from propdesk.core.models import OutboxMessage
from propdesk.core.tests.concurrency import require_postgresql, run_together
from propdesk.core.tests.outbox_transports import CountingTransport

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)
Status = OutboxMessage.Status
MESSAGES = 10_000
DELIVERERS = 4


@pytest.fixture(autouse=True)
def counting(settings):
    require_postgresql()
    settings.OUTBOX_TRANSPORTS = {
        "wechat": "propdesk.core.tests.outbox_transports.CountingTransport"
    }
    CountingTransport.sent = []
    return CountingTransport


def _queue(count: int, prefix: str) -> None:
    OutboxMessage.objects.bulk_create(
        [
            outbox.message_build(
                channel="wechat",
                recipient=f"openid-{i}",
                event="announcement",
                body="停水通知",
                dedupe_key=f"{prefix}:{i}",
            )
            for i in range(count)
        ],
        batch_size=2000,
    )


def _duplicates(sent: list[str]) -> int:
    return sum(n - 1 for n in collections.Counter(sent).values() if n > 1)


def test_concurrent_deliverers_send_ten_thousand_messages_once_each(counting):
    _queue(MESSAGES, "announcement-1")

    outcomes = run_together(DELIVERERS, lambda _i: outbox.outbox_deliver_all_due(batch=500))

    assert [o.get("error") for o in outcomes] == [None] * DELIVERERS
    assert _duplicates(counting.sent) == 0
    assert len(counting.sent) == MESSAGES
    assert sum(o["value"] for o in outcomes) == MESSAGES
    assert OutboxMessage.objects.filter(status=Status.SENT, attempts=1).count() == MESSAGES


def test_two_deliverers_of_one_message_send_it_once(counting):
    _queue(1, "receipt")
    message_id = OutboxMessage.objects.get().id
    for _round in range(20):
        OutboxMessage.objects.filter(id=message_id).update(
            status=Status.PENDING, next_attempt_at=timezone.now(), attempts=0
        )
        CountingTransport.sent = []
        outcomes = run_together(2, lambda _i: outbox.message_deliver(message_id))
        assert [o.get("error") for o in outcomes] == [None, None]
        assert len(counting.sent) == 1


def test_a_stale_claim_is_taken_again_by_one_deliverer_only(counting):
    _queue(200, "stale")
    long_ago = timezone.now() - outbox.CLAIM_TIMEOUT * 2
    OutboxMessage.objects.update(status=Status.SENDING, claimed_at=long_ago)

    outcomes = run_together(2, lambda _i: outbox.outbox_deliver_due(limit=500))

    assert [o.get("error") for o in outcomes] == [None, None]
    assert _duplicates(counting.sent) == 0
    assert len(counting.sent) == 200
