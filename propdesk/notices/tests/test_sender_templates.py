"""The existing senders speak through the editable templates: request progress, bills issued,
arrears reminders and payments received."""

import datetime

import pytest
import time_machine

from propdesk.core.models import OutboxMessage
from propdesk.notices.models import NotificationTemplate
from propdesk.notices.tests.conftest import at

JULY = datetime.date(2026, 7, 1)


@pytest.fixture
def billed(personas, owner_a, community_a, house_a, django_capture_on_commit_callbacks):
    """July's management fee billed for 张三's house (the `owner` persona has the account);
    the messages the run queues once it is committed are sent."""
    from propdesk.billing.services.runs import billing_run_execute, billing_run_start
    from propdesk.billing.services.schedule import billing_defaults_ensure

    billing_defaults_ensure(community=community_a)
    with (
        time_machine.travel(at("2026-07-01 09:00"), tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        run = billing_run_start(actor=personas["supervisor"], period=JULY, community=community_a)
        billing_run_execute(run.id)
    return run


def test_a_billing_run_tells_account_owners_with_the_bill_issued_template(billed):
    inbox = OutboxMessage.objects.get(event="billing.bill_issued", channel="in_app")
    assert inbox.recipient == "owner"
    assert inbox.subject == "2026-07账单已出"
    assert inbox.body.startswith("【甲小区】张三您好，3-2-1502房屋2026-07月")
    assert "170.05元已出账" in inbox.body
    sms = OutboxMessage.objects.get(event="billing.bill_issued", channel="sms")
    assert sms.recipient == "13812345678"


def test_a_payment_tells_the_account_owner_with_the_receipt_number(personas, billed, house_a):
    from propdesk.billing.services.payments import payment_take

    NotificationTemplate.objects.filter(event="payment.received", channel="any").update(
        subject="收到{amount}元", body="{house}缴费{amount}元，收据{receipt}，{method}。"
    )
    with time_machine.travel(at("2026-07-03 10:15"), tick=False):
        result = payment_take(
            actor=personas["cashier"],
            house=house_a,
            amount="170.05",
            method="wechat",
            idempotency_key="pay-july-0001",
        )
    inbox = OutboxMessage.objects.get(event="billing.payment_received", channel="in_app")
    assert inbox.subject == "收到170.05元"
    assert inbox.body == f"3-2-1502缴费170.05元，收据{result.receipt.display_number}，微信支付。"


def test_owners_without_an_account_are_not_sent_fee_messages(
    personas, zhang_san, community_a, django_capture_on_commit_callbacks
):
    from propdesk.billing.services.runs import billing_run_execute, billing_run_start
    from propdesk.billing.services.schedule import billing_defaults_ensure

    billing_defaults_ensure(community=community_a)
    run = billing_run_start(actor=personas["supervisor"], period=JULY, community=community_a)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        billing_run_execute(run.id)
    assert len(callbacks) == 1
    assert not OutboxMessage.objects.filter(event="billing.bill_issued").exists()


def test_the_reminder_subject_comes_from_the_template(personas, billed, community_a):
    from propdesk.billing.models import ReminderTemplate
    from propdesk.billing.services.reminders import arrears_remind

    NotificationTemplate.objects.filter(event="bill.reminder", channel="any").update(
        subject="{house}缴费提醒"
    )
    template = ReminderTemplate.objects.get(community=community_a)
    with time_machine.travel(at("2026-07-20 10:00"), tick=False):
        arrears_remind(actor=personas["cashier"], community=community_a, template=template)
    message = OutboxMessage.objects.get(event="billing.arrears_reminder")
    assert message.subject == "3-2-1502缴费提醒"


def _request(personas, house, **values):
    """A request recorded at the desk, and the worker's pass that tells its owners."""
    from propdesk.tickets.services.notify import owner_notices_send
    from propdesk.tickets.tests.conftest import new_request

    request = new_request(personas["agent"], house, **values)
    owner_notices_send()
    return request


def test_request_messages_follow_the_communitys_template(personas, owner_a, community_a, house_a):
    NotificationTemplate.objects.create(
        community=community_a,
        event="request.received",
        channel="any",
        subject="{number}收到",
        body="{community}收到您关于{category}的诉求{number}，{due}前处理。",
    )
    with time_machine.travel(at("2026-03-16 09:30"), tick=False):
        request = _request(personas, house_a)
    messages = {m.channel: m for m in OutboxMessage.objects.filter(event="request.created")}
    assert set(messages) == {"sms", "in_app"}
    assert messages["in_app"].subject == f"{request.number}收到"
    assert (
        messages["sms"].body
        == f"甲小区收到您关于给排水的诉求{request.number}，2026-03-19 09:30前处理。"
    )
    # the caller's mobile is the account owner's: their preferences apply to the SMS
    assert messages["sms"].recipient_user == owner_a


def test_a_normal_request_at_night_texts_the_owner_in_the_morning(personas, owner_a, house_a):
    with time_machine.travel(at("2026-03-16 23:00"), tick=False):
        _request(personas, house_a)
    sms = OutboxMessage.objects.get(event="request.created", channel="sms")
    assert sms.next_attempt_at == at("2026-03-17 08:00")


def test_an_emergency_request_texts_the_owner_at_once(personas, owner_a, house_a):
    with time_machine.travel(at("2026-03-16 23:00"), tick=False):
        _request(personas, house_a, urgency="emergency", description="楼道有燃气味")
    sms = OutboxMessage.objects.get(event="request.created", channel="sms")
    assert sms.next_attempt_at == at("2026-03-16 23:00")
