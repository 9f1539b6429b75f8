"""Delivery status pulled from the SMS providers when no receipt was pushed: Aliyun
QuerySendDetails and Tencent PullSmsSendStatus through their SDKs, against the stand-ins (which
check the signature as the providers do). Messages sent less than ten minutes ago are not asked
about; a status is recorded once, by the same first-receipt-wins rule as a pushed receipt; a
provider that cannot answer now changes nothing and is asked again on the next pass."""

import datetime
import json

import pytest
import time_machine

from propdesk.core import outbox
from propdesk.core.models import OutboxMessage, UnreachableAddress
from propdesk.notices.services.receipts import sms_receipts_pull

pytestmark = pytest.mark.django_db
MOBILE = "13812345678"
SENT_AT = datetime.datetime(2026, 7, 8, 2, 0, tzinfo=datetime.UTC)  # 10:00 in Beijing


def _send(community, key="pull-1", mobile=MOBILE):
    with time_machine.travel(SENT_AT, tick=False):
        message = outbox.message_enqueue(
            channel="sms",
            recipient=mobile,
            event="request.updated",
            body="进度",
            dedupe_key=key,
            community_id=community.id,
            params={"number": "R-1", "status": "已派工"},
            wake=False,
        )
        assert outbox.message_deliver(message.id) == OutboxMessage.Status.SENT
    message.refresh_from_db()
    return message


def _pull(minutes_later: int):
    with time_machine.travel(SENT_AT + datetime.timedelta(minutes=minutes_later), tick=False):
        return sms_receipts_pull()


def test_a_status_is_pulled_after_ten_minutes_without_a_receipt(sms_provider, community_a):
    provider, standin, _gateway = sms_provider
    message = _send(community_a)
    standin.report(standin.sent[0])
    assert _pull(5)["recorded"] == 0 and standin.queries == []  # too early to ask
    counts = _pull(11)
    assert counts["recorded"] == 1, counts
    message.refresh_from_db()
    assert message.receipt_status == OutboxMessage.Receipt.DELIVERED
    assert message.receipt_at == datetime.datetime(2026, 7, 8, 2, 0, 5, tzinfo=datetime.UTC)
    asked = standin.queries[-1]
    if provider == "aliyun":
        assert asked["PhoneNumber"] == MOBILE and asked["SendDate"] == "20260708"
        assert asked["BizId"] == message.provider_ref
    else:
        assert asked["SmsSdkAppId"] == standin.sdk_app_id and asked["Limit"] == 100
    assert standin.bad_signatures == 0
    # Received: not asked about again.
    before = len(standin.queries)
    _pull(20)
    assert len(standin.queries) == before


def test_a_status_not_yet_known_is_asked_again(sms_provider, community_a):
    provider, standin, _gateway = sms_provider
    message = _send(community_a)
    counts = _pull(11)
    assert counts["recorded"] == 0
    message.refresh_from_db()
    assert message.receipt_status == ""
    standin.report(standin.sent[0], success=False)
    assert _pull(16)["recorded"] == 1
    message.refresh_from_db()
    assert message.receipt_status == OutboxMessage.Receipt.FAILED and message.receipt_error


def test_the_first_receipt_wins_between_push_and_pull(client, sms_provider, community_a):
    _provider, standin, gateway = sms_provider
    message = _send(community_a)
    pushed = client.post(
        f"/notices/receipts/sms/{gateway.provider}/{gateway.id}/{gateway.receipt_token.reveal()}/",
        json.dumps(standin.receipt(standin.sent[0], success=False)),
        content_type="application/json",
    )
    assert pushed.status_code == 200
    message.refresh_from_db()
    assert message.receipt_status == OutboxMessage.Receipt.FAILED
    first_at = message.receipt_at
    # A later pull (a different answer) changes nothing: the pushed receipt came first.
    standin.report(standin.sent[0], success=True)
    counts = _pull(11)
    assert counts["recorded"] == 0
    message.refresh_from_db()
    assert message.receipt_status == OutboxMessage.Receipt.FAILED
    assert message.receipt_at == first_at


def test_a_provider_that_cannot_answer_changes_nothing(sms_provider, community_a):
    provider, standin, _gateway = sms_provider
    message = _send(community_a)
    standin.report(standin.sent[0])
    standin.fail_next.append(503 if provider == "aliyun" else "InternalError.Timeout")
    counts = _pull(11)
    assert counts["unavailable"] == 1 and counts["recorded"] == 0
    message.refresh_from_db()
    assert message.receipt_status == ""
    assert _pull(16)["recorded"] == 1


def test_an_aliyun_number_that_does_not_exist_is_marked(
    aliyun_standin, company, admin, community_a
):
    from propdesk.notices.tests.conftest import gateway_for

    gateway_for("aliyun", aliyun_standin, company, admin)
    _send(community_a)
    aliyun_standin.report(aliyun_standin.sent[0], success=False, err_code="MN:0001")
    assert _pull(11)["recorded"] == 1
    assert UnreachableAddress.objects.filter(channel="sms", address=MOBILE).exists()


def test_a_status_of_another_number_is_not_believed(tencent_standin, company, admin, community_a):
    """Tencent answers whatever statuses it holds: one naming our serial with another number
    (or a serial we never sent) is counted unknown and changes nothing."""
    from propdesk.notices.tests.conftest import gateway_for

    gateway_for("tencent", tencent_standin, company, admin)
    message = _send(community_a)
    forged = dict(tencent_standin.sent[0], number="13900000000")
    tencent_standin.report(forged)
    tencent_standin.report(dict(forged, serial="2645:99999999", number=MOBILE))
    counts = _pull(11)
    assert counts["unknown"] == 2 and counts["recorded"] == 0
    message.refresh_from_db()
    assert message.receipt_status == ""
