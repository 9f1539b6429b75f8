"""Two workers delivering the same outbox batch through a real SMS adapter (Aliyun's SDK against
its stand-in) make one send per message: counted at the stand-in, on PostgreSQL."""

import collections

import pytest

from propdesk.core import outbox
from propdesk.core.models import OutboxMessage
from propdesk.core.tests.concurrency import require_postgresql, run_together
from propdesk.notices.tests.conftest import gateway_for

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)
MESSAGES = 60


@pytest.mark.parametrize("provider", ["aliyun", "tencent"])
def test_two_workers_send_each_message_once(request, provider, company, community_a, admin):
    require_postgresql()
    standin = request.getfixturevalue(f"{provider}_standin")
    standin.limits.limits = [(60, 1000), (3600, 1000), (86400, 1000)]
    gateway_for(provider, standin, company, admin)
    OutboxMessage.objects.bulk_create(
        [
            outbox.message_build(
                channel="sms",
                recipient=f"1380000{i:04d}",
                event="request.updated",
                body="进度",
                dedupe_key=f"batch:{i}",
                community_id=community_a.id,
                params={"number": f"R-{i}", "status": "已派工"},
            )
            for i in range(MESSAGES)
        ]
    )

    outcomes = run_together(2, lambda _i: outbox.outbox_deliver_all_due(batch=10))

    assert [o.get("error") for o in outcomes] == [None, None]
    numbers = collections.Counter(s["number"] for s in standin.sent)
    assert len(numbers) == MESSAGES and set(numbers.values()) == {1}
    assert sum(o["value"] for o in outcomes) == MESSAGES
    assert OutboxMessage.objects.filter(status="sent", attempts=1).count() == MESSAGES
    assert OutboxMessage.objects.exclude(provider_ref="").count() == MESSAGES
