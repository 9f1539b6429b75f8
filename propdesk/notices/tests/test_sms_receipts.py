"""Delivery receipts pushed by Aliyun (SmsReport) and Tencent (status callback)."""

import datetime
import json

import pytest
import time_machine

from propdesk.core import outbox
from propdesk.core.models import OutboxMessage, UnreachableAddress

pytestmark = pytest.mark.django_db
MOBILE = "13812345678"


@pytest.fixture
def sent(sms_provider, community_a):
    """A message sent through the provider, and the stand-in's record of it."""
    _provider, standin, _gateway = sms_provider
    start = datetime.datetime(2026, 7, 8, 2, 0, tzinfo=datetime.UTC)
    with time_machine.travel(start, tick=False):
        message = outbox.message_enqueue(
            channel="sms",
            recipient=MOBILE,
            event="request.updated",
            body="进度",
            dedupe_key="rcpt-1",
            community_id=community_a.id,
            params={"number": "R-1", "status": "已派工"},
            wake=False,
        )
        assert outbox.message_deliver(message.id) == OutboxMessage.Status.SENT
    return message, standin.sent[0]


def url(gateway, token=None):
    token = token if token is not None else gateway.receipt_token.reveal()
    return f"/notices/receipts/sms/{gateway.provider}/{gateway.id}/{token}/"


def post(client, address, document):
    return client.post(address, json.dumps(document), content_type="application/json")


def test_a_receipt_is_recorded_on_its_message(client, sms_provider, sent):
    provider, standin, gateway = sms_provider
    message, record = sent
    response = post(client, url(gateway), standin.receipt(record))
    assert response.status_code == 200
    body = response.json()
    assert body.get("code", body.get("result")) == 0
    message.refresh_from_db()
    assert message.receipt_status == OutboxMessage.Receipt.DELIVERED
    assert message.receipt_at is not None


def test_a_replayed_receipt_changes_nothing(client, sms_provider, sent):
    _provider, standin, gateway = sms_provider
    message, record = sent
    post(client, url(gateway), standin.receipt(record))
    message.refresh_from_db()
    first = (message.receipt_status, message.receipt_at)
    kwargs = {"err_code": "MK:0001"} if _provider == "aliyun" else {"errmsg": "MK:0001"}
    again = post(client, url(gateway), standin.receipt(record, success=False, **kwargs))
    assert again.status_code == 200 and again.json()["counts"]["duplicate"] == 1
    message.refresh_from_db()
    assert (message.receipt_status, message.receipt_at) == first
    assert not UnreachableAddress.objects.exists()


def test_a_forged_receipt_is_refused(client, sms_provider, sent):
    provider, standin, gateway = sms_provider
    message, record = sent
    forged = [
        {**record, "biz_id": "999999^0", "serial": "2645:99999999"},  # an id never sent
        {**record, "number": "13900000000"},  # the id, another number
    ]
    for item in forged:
        response = post(client, url(gateway), standin.receipt(item))
        assert response.status_code == 400
    message.refresh_from_db()
    assert message.receipt_status == ""


@pytest.mark.parametrize("token", ["wrong-token", "", "x" * 500])
def test_the_wrong_receipt_address_is_refused(client, sms_provider, sent, token):
    _provider, standin, gateway = sms_provider
    message, record = sent
    address = url(gateway, token) if token else url(gateway, "-")
    assert post(client, address, standin.receipt(record)).status_code in (403, 404)
    message.refresh_from_db()
    assert message.receipt_status == ""


@pytest.mark.parametrize(
    "body", ["not json", "{}", "[1, 2]", '[{"success": "yes"}]', "\x00", json.dumps([{}] * 1001)]
)
def test_malformed_documents_are_refused(client, sms_provider, sent, body):
    _provider, _standin, gateway = sms_provider
    message, _record = sent
    response = client.post(url(gateway), body, content_type="application/json")
    assert response.status_code == 400
    message.refresh_from_db()
    assert message.receipt_status == ""


def test_a_receipt_for_a_number_that_does_not_exist_marks_it(client, sms_provider, sent):
    provider, standin, gateway = sms_provider
    message, record = sent
    kwargs = {"err_code": "MK:0001"} if provider == "aliyun" else {"errmsg": "MK:0001"}
    assert (
        post(client, url(gateway), standin.receipt(record, success=False, **kwargs)).status_code
        == 200
    )
    message.refresh_from_db()
    assert message.receipt_status == OutboxMessage.Receipt.FAILED
    assert UnreachableAddress.objects.filter(channel="sms", address=MOBILE).exists()


def test_another_gateways_address_is_refused(client, sms_provider, sent):
    _provider, standin, gateway = sms_provider
    _message, record = sent
    other = "tencent" if gateway.provider == "aliyun" else "aliyun"
    address = f"/notices/receipts/sms/{other}/{gateway.id}/{gateway.receipt_token.reveal()}/"
    assert post(client, address, standin.receipt(record)).status_code == 403
    assert client.get(url(gateway)).status_code == 405
