"""Arrears reminders (催缴) through the outbox: templates, do-not-disturb hours, interval."""

import datetime

import pytest

from propdesk.billing.models import ReminderLog, ReminderTemplate
from propdesk.billing.services.reminders import (
    arrears_remind,
    reminder_template_save,
)
from propdesk.billing.services.schedule import billing_policy_update
from propdesk.billing.tests.conftest import SHANGHAI, pay, run_billing
from propdesk.core.errors import PermissionDenied, ValidationFailed
from propdesk.core.models import OutboxMessage
from propdesk.notices.quiet_hours import in_quiet_hours

JUNE = datetime.date(2026, 6, 1)


@pytest.fixture
def overdue(supervisor, house_a, zhang_san, schedule_a):
    """张三's house owes June's 170.05, due 5 June."""
    run_billing(supervisor, JUNE, community=schedule_a)
    return house_a


@pytest.fixture
def template(schedule_a):
    return ReminderTemplate.objects.get(community=schedule_a)


def test_a_reminder_goes_to_the_primary_owner_through_the_outbox(
    cashier, overdue, template, schedule_a
):
    result = arrears_remind(actor=cashier, community=schedule_a, template=template)
    assert (result.houses, result.queued, result.scheduled) == (1, 1, 0)
    message = OutboxMessage.objects.get()
    assert (message.channel, message.recipient, message.event) == (
        "sms",
        "13812345678",
        "billing.arrears_reminder",
    )
    assert "3-2-1502" in message.body
    assert "170.05" in message.body and "壹佰柒拾元零伍分" in message.body
    assert "2026-06" in message.body
    log = ReminderLog.objects.get()
    assert (log.house_id, log.amount_fen, log.outbox_message_id) == (overdue.id, 17005, message.id)


def test_a_house_is_not_reminded_twice_within_the_interval(
    clock, cashier, overdue, template, schedule_a
):
    arrears_remind(actor=cashier, community=schedule_a, template=template)
    clock.move_to(datetime.datetime(2026, 7, 20, 10, 0, tzinfo=SHANGHAI))
    again = arrears_remind(actor=cashier, community=schedule_a, template=template)
    assert (again.queued, again.skipped_recent) == (0, 1)
    clock.move_to(datetime.datetime(2026, 8, 10, 10, 0, tzinfo=SHANGHAI))
    later = arrears_remind(actor=cashier, community=schedule_a, template=template)
    assert later.queued == 1
    assert OutboxMessage.objects.count() == 2


def test_the_interval_is_configurable(clock, supervisor, cashier, overdue, template, schedule_a):
    billing_policy_update(actor=supervisor, community=schedule_a, reminder_interval_days=7)
    arrears_remind(actor=cashier, community=schedule_a, template=template)
    clock.move_to(datetime.datetime(2026, 7, 18, 10, 0, tzinfo=SHANGHAI))
    assert arrears_remind(actor=cashier, community=schedule_a, template=template).queued == 1


def test_during_do_not_disturb_hours_the_reminder_waits_for_the_morning(
    clock, cashier, overdue, template, schedule_a
):
    clock.move_to(datetime.datetime(2026, 7, 10, 22, 30, tzinfo=SHANGHAI))
    result = arrears_remind(actor=cashier, community=schedule_a, template=template)
    assert (result.queued, result.scheduled) == (0, 1)
    message = OutboxMessage.objects.get()
    assert message.next_attempt_at == datetime.datetime(2026, 7, 11, 8, 0, tzinfo=SHANGHAI)
    clock.move_to(datetime.datetime(2026, 7, 11, 7, 0, tzinfo=SHANGHAI))
    assert in_quiet_hours(datetime.time(7, 0), datetime.time(21, 0), datetime.time(8, 0))


@pytest.mark.parametrize(
    ("moment", "quiet"),
    [
        ("20:59", False),
        ("21:00", True),
        ("23:59", True),
        ("00:00", True),
        ("07:59", True),
        ("08:00", False),
        ("12:00", False),
    ],
)
def test_quiet_hours_span_midnight(moment, quiet):
    hour, minute = map(int, moment.split(":"))
    assert in_quiet_hours(datetime.time(hour, minute), datetime.time(21), datetime.time(8)) is quiet


def test_houses_that_paid_or_have_no_contact_get_nothing(
    cashier, admin, supervisor, overdue, template, house_factory, schedule_a
):
    run_billing(supervisor, JUNE, community=schedule_a)
    no_owner = house_factory()
    run_billing(supervisor, JUNE, community=schedule_a)
    pay(cashier, overdue, "170.05")
    result = arrears_remind(actor=cashier, community=schedule_a, template=template)
    assert (result.houses, result.queued, result.skipped_no_contact) == (1, 0, 1)
    assert not OutboxMessage.objects.exists()
    assert no_owner.id


def test_in_app_reminders_need_a_portal_account(cashier, personas, overdue, zhang_san, schedule_a):
    template = reminder_template_save(
        actor=personas["supervisor"],
        community=schedule_a,
        name="站内信",
        channel="in_app",
        body="{owner}您好，{house}欠费{amount}元。",
    )
    assert (
        arrears_remind(actor=cashier, community=schedule_a, template=template).skipped_no_contact
        == 1
    )
    from propdesk.estates.models import Owner

    Owner.objects.filter(pk=zhang_san.pk).update(user=personas["owner"])
    result = arrears_remind(actor=cashier, community=schedule_a, template=template)
    assert result.queued == 1
    assert OutboxMessage.objects.get().recipient_user == personas["owner"]


@pytest.mark.parametrize(
    ("body", "field"),
    [("{house} {balance}", "body"), ("{house", "body"), ("", "body"), ("{0}", "body")],
)
def test_templates_with_unknown_placeholders_are_refused(supervisor, schedule_a, body, field):
    with pytest.raises(ValidationFailed) as exc:
        reminder_template_save(
            actor=supervisor, community=schedule_a, name="x", channel="sms", body=body
        )
    assert exc.value.field == field


def test_only_collection_staff_send_reminders(personas, overdue, template, schedule_a):
    with pytest.raises(PermissionDenied):
        arrears_remind(actor=personas["agent"], community=schedule_a, template=template)
    assert not OutboxMessage.objects.exists()
