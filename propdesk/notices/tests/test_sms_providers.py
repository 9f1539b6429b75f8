"""SMS through Aliyun and Tencent Cloud: each provider's SDK against its loopback stand-in.

Every test runs for both providers. The stand-ins check the signature of each request (ACS3 and
TC3), the credentials, signature name, template and parameters, and apply per-number flow
control, as the providers do."""

import datetime
import logging

import pytest
import time_machine
from django.utils import timezone

from propdesk.core import outbox
from propdesk.core.models import OutboxMessage, UnreachableAddress
from propdesk.notices.models import SmsGateway
from propdesk.notices.services.providers import sms_gateway_save

pytestmark = pytest.mark.django_db
Status = OutboxMessage.Status
MOBILE = "13812345678"


def send(community, *, key, mobile=MOBILE, event="request.updated", params=None):
    message = outbox.message_enqueue(
        channel="sms",
        recipient=mobile,
        event=event,
        body="您的报修单 R-001 已派工。",
        dedupe_key=key,
        community_id=community.id,
        params=params if params is not None else {"number": "R-001", "status": "已派工"},
        wake=False,
    )
    status = outbox.message_deliver(message.id)
    message.refresh_from_db()
    assert message.status == status
    return message


@pytest.fixture
def clock():
    start = datetime.datetime(2026, 7, 8, 2, 0, tzinfo=datetime.UTC)  # 10:00 in Shanghai
    with time_machine.travel(start, tick=False) as traveller:
        yield traveller


def test_a_message_is_sent_with_its_template_and_parameters(sms_provider, community_a, clock):
    provider, standin, _gateway = sms_provider
    message = send(community_a, key="m-1")
    assert message.status == Status.SENT and message.attempts == 1
    assert len(standin.sent) == 1
    sent = standin.sent[0]
    assert sent["number"] == MOBILE
    if provider == "aliyun":
        assert sent["template"] == "SMS_100002"
        assert sent["params"] == {"number": "R-001", "status": "已派工"}
        assert sent["out_id"] == "m-1"
        assert message.provider_ref == sent["biz_id"]
    else:
        assert sent["template"] == "100002" and sent["params"] == ["R-001", "已派工"]
        assert sent["session"] == "m-1"
        assert message.provider_ref == sent["serial"]
    assert standin.bad_signatures == 0


def test_a_sign_in_code_goes_through_its_own_template(sms_provider, community_a, clock):
    _provider, standin, _gateway = sms_provider
    message = send(
        community_a, key="code-1", event="portal.sign_in_code", params={"code": "482913"}
    )
    assert message.status == Status.SENT, message.last_error
    assert "482913" in str(standin.sent[0]["params"])


def test_wrong_credentials_fail_for_good_and_the_provider_saw_a_bad_signature(
    sms_provider, community_a, admin, clock
):
    provider, standin, gateway = sms_provider
    sms_gateway_save(
        actor=admin,
        company=gateway.company,
        provider=provider,
        access_key_secret="not-the-secret",
        sign_name=gateway.sign_name,
        sdk_app_id=gateway.sdk_app_id,
        endpoint=gateway.endpoint,
        use_tls=False,
        templates="request.updated = "
        + (
            "SMS_100002: number=number, status=status"
            if provider == "aliyun"
            else "100002: 1=number, 2=status"
        ),
    )
    message = send(community_a, key="m-bad")
    assert message.status == Status.DEAD, message.last_error
    assert standin.bad_signatures == 1 and standin.sent == []
    assert "not-the-secret" not in message.last_error


@pytest.mark.parametrize("kind", ["server", "throttled", "busy"])
def test_temporary_errors_are_retried(sms_provider, community_a, clock, kind):
    provider, standin, _gateway = sms_provider
    failure = {
        ("aliyun", "server"): 503,
        ("aliyun", "throttled"): 429,
        ("aliyun", "busy"): "isp.SYSTEM_ERROR",
        ("tencent", "server"): 502,
        ("tencent", "throttled"): "RequestLimitExceeded",
        ("tencent", "busy"): "InternalError.Timeout",
    }[(provider, kind)]
    standin.fail_next.append(failure)
    message = send(community_a, key="m-retry")
    assert message.status == Status.PENDING and message.attempts == 1
    assert message.next_attempt_at == timezone.now() + datetime.timedelta(minutes=1)
    clock.shift(datetime.timedelta(minutes=2))
    assert outbox.message_deliver(message.id) == Status.SENT
    assert len(standin.sent) == 1


def test_a_timeout_is_retried(sms_provider, community_a, settings):
    provider, standin, _gateway = sms_provider
    settings.SMS_HTTP_TIMEOUT = 1
    if provider == "aliyun":
        standin.fail_next.append("timeout")
    else:
        standin.fail_next.append("timeout")  # an unknown scripted code: see below
        standin.fail_next.clear()
        standin.stop()  # nothing answers: the connection is refused
    message = send(community_a, key="m-timeout")
    assert message.status == Status.PENDING and message.attempts == 1


@pytest.mark.parametrize("refusal", ["template", "signature"])
def test_refused_content_gives_up(sms_provider, community_a, clock, refusal):
    provider, standin, _gateway = sms_provider
    if refusal == "template":
        standin.templates.clear()
    else:
        standin.sign_name = "别的签名"
    message = send(community_a, key="m-refused")
    assert message.status == Status.DEAD
    assert provider.capitalize()[:3] in message.last_error or "SMS" in message.last_error
    assert standin.sent == []


def test_a_kind_without_a_registered_template_gives_up_without_a_call(
    sms_provider, community_a, clock
):
    _provider, standin, _gateway = sms_provider
    message = send(community_a, key="m-no-template", event="announcement")
    assert message.status == Status.DEAD
    assert "template" in message.last_error
    assert standin.requests == []


def test_an_invalid_number_is_marked_and_not_tried_again(sms_provider, community_a, clock):
    _provider, standin, _gateway = sms_provider
    standin_number = "19999999999"
    if _provider == "aliyun":
        standin.fail_next.append("isv.MOBILE_NUMBER_ILLEGAL")
    else:
        standin.fail_next.append("status:InvalidParameterValue.IncorrectPhoneNumber")
    first = send(community_a, key="m-invalid-1", mobile=standin_number)
    assert first.status == Status.DEAD
    mark = UnreachableAddress.objects.get(channel="sms", address=standin_number)
    assert "valid" in mark.reason
    calls = len(standin.requests)
    second = send(community_a, key="m-invalid-2", mobile=standin_number)
    assert second.status == Status.DEAD and len(standin.requests) == calls


def test_our_per_number_limit_defers_without_a_call(sms_provider, community_a, clock):
    _provider, standin, _gateway = sms_provider
    assert send(community_a, key="r-1").status == Status.SENT
    second = send(community_a, key="r-2")
    assert second.status == Status.PENDING and second.attempts == 0
    assert second.next_attempt_at == timezone.now() + datetime.timedelta(minutes=1, seconds=1)
    assert len(standin.requests) == 1
    clock.shift(datetime.timedelta(seconds=61))
    assert outbox.message_deliver(second.id) == Status.SENT
    assert len(standin.sent) == 2


def test_the_hour_and_day_limits_defer_too(sms_provider, community_a, clock):
    _provider, standin, gateway = sms_provider
    SmsGateway.objects.filter(id=gateway.id).update(per_minute=0, per_hour=2, per_day=3)
    standin.limits.limits = [(60, 100), (3600, 100), (86400, 100)]
    assert [send(community_a, key=f"h-{i}").status for i in range(3)] == [
        Status.SENT,
        Status.SENT,
        Status.PENDING,
    ]
    clock.shift(datetime.timedelta(hours=1, seconds=2))
    assert outbox.message_deliver(OutboxMessage.objects.get(dedupe_key="h-2").id) == Status.SENT
    fourth = send(community_a, key="h-3")
    assert fourth.status == Status.PENDING  # the day's three are used
    assert fourth.next_attempt_at > timezone.now() + datetime.timedelta(hours=20)


def test_the_providers_own_flow_control_defers_not_drops(sms_provider, community_a, clock):
    _provider, standin, gateway = sms_provider
    SmsGateway.objects.filter(id=gateway.id).update(per_minute=10, per_hour=10, per_day=10)
    assert send(community_a, key="f-1").status == Status.SENT
    second = send(community_a, key="f-2")  # the stand-in's 1 a minute refuses it
    assert second.status == Status.PENDING and second.attempts == 0
    assert second.next_attempt_at > timezone.now()
    assert len(standin.sent) == 1


def test_no_secret_reaches_the_logs(sms_provider, community_a, clock, caplog, admin):
    provider, standin, gateway = sms_provider
    with caplog.at_level(logging.DEBUG):
        send(community_a, key="s-1")
        standin.fail_next.append(503 if provider == "aliyun" else 502)
        send(community_a, key="s-2", mobile="13900000000")
    text = caplog.text + " ".join(m.last_error for m in OutboxMessage.objects.all())
    assert standin.key_secret not in text
    assert repr(gateway.access_key_secret) == "Secret('********')"


def test_the_secrets_are_encrypted_in_the_database(sms_provider):
    from django.db import connection

    _provider, standin, gateway = sms_provider
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT access_key_id, access_key_secret FROM notices_smsgateway WHERE id = %s",
            [gateway.id],
        )
        key_id, secret = cursor.fetchone()
    assert standin.key_secret not in secret and standin.key_id not in key_id
    assert secret.startswith("gAAAAA")
