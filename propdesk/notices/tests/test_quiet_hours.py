"""Preferences and quiet hours in the outbox: deferred not dropped, emergencies at once,
a channel turned off is skipped while the inbox copy still arrives."""

import datetime

import pytest
import time_machine

from propdesk.core.models import OutboxMessage
from propdesk.core.outbox import message_enqueue, outbox_deliver_due
from propdesk.notices.quiet_hours import in_quiet_hours, quiet_hours_end
from propdesk.notices.services.preferences import contact_preference_save
from propdesk.notices.tests.conftest import at

Status = OutboxMessage.Status


def _sms(user, key="k1", urgent=False):
    return message_enqueue(
        channel="sms",
        recipient="13812345678",
        recipient_user=user,
        event="test",
        body="您好",
        dedupe_key=key,
        urgent=urgent,
    )


def _prefs(user, **changes):
    values = {
        "sms_enabled": True,
        "email_enabled": False,
        "email": "",
        "quiet_hours_enabled": True,
        "quiet_start": "22:00",
        "quiet_end": "07:30",
        **changes,
    }
    return contact_preference_save(actor=user, **values)


def test_a_message_due_in_quiet_hours_waits_for_their_end(owner_a):
    _prefs(owner_a)
    with time_machine.travel(at("2026-07-08 23:15"), tick=False):
        message = _sms(owner_a)
        assert outbox_deliver_due() == 0
    assert (message.status, message.next_attempt_at) == (Status.PENDING, at("2026-07-09 07:30"))
    with time_machine.travel(at("2026-07-09 07:30"), tick=False):
        assert outbox_deliver_due() == 1
    message.refresh_from_db()
    assert message.status == Status.SENT


def test_after_midnight_it_waits_for_the_same_morning(owner_a):
    _prefs(owner_a)
    with time_machine.travel(at("2026-07-09 03:00"), tick=False):
        assert _sms(owner_a).next_attempt_at == at("2026-07-09 07:30")


def test_outside_quiet_hours_it_goes_at_once(owner_a):
    _prefs(owner_a)
    with time_machine.travel(at("2026-07-09 12:00"), tick=False):
        assert _sms(owner_a).next_attempt_at == at("2026-07-09 12:00")


def test_emergencies_go_at_once_even_at_night_and_on_a_channel_turned_off(owner_a):
    _prefs(owner_a, sms_enabled=False)
    with time_machine.travel(at("2026-07-08 23:15"), tick=False):
        message = _sms(owner_a, urgent=True)
        assert (message.status, message.next_attempt_at) == (
            Status.PENDING,
            at("2026-07-08 23:15"),
        )
        assert outbox_deliver_due() == 1


def test_a_channel_turned_off_is_skipped_and_kept_as_a_record(owner_a):
    _prefs(owner_a, sms_enabled=False)
    with time_machine.travel(at("2026-07-09 12:00"), tick=False):
        message = _sms(owner_a)
        assert outbox_deliver_due() == 0
    assert (message.status, message.last_error) == (Status.SKIPPED, "turned off by the recipient")


def test_the_inbox_is_never_turned_off_or_deferred(owner_a):
    _prefs(owner_a, sms_enabled=False)
    with time_machine.travel(at("2026-07-08 23:15"), tick=False):
        message = message_enqueue(
            channel="in_app",
            recipient="owner",
            recipient_user=owner_a,
            event="test",
            body="您好",
            dedupe_key="inbox",
        )
    assert (message.status, message.next_attempt_at) == (Status.PENDING, at("2026-07-08 23:15"))


def test_without_saved_preferences_the_defaults_hold_quiet_from_22_to_8(owner_a):
    with time_machine.travel(at("2026-07-08 22:30"), tick=False):
        assert _sms(owner_a).next_attempt_at == at("2026-07-09 08:00")


def test_quiet_hours_turned_off_send_at_night(owner_a):
    _prefs(owner_a, quiet_hours_enabled=False)
    with time_machine.travel(at("2026-07-08 23:15"), tick=False):
        assert _sms(owner_a).next_attempt_at == at("2026-07-08 23:15")


def test_staff_messages_ignore_owner_preferences(personas):
    with time_machine.travel(at("2026-07-08 23:15"), tick=False):
        message = _sms(personas["supervisor"])
    assert message.next_attempt_at == at("2026-07-08 23:15")


def test_a_scheduled_message_landing_in_quiet_hours_is_pushed_to_their_end(owner_a):
    _prefs(owner_a)
    with time_machine.travel(at("2026-07-08 12:00"), tick=False):
        message = message_enqueue(
            channel="sms",
            recipient="13812345678",
            recipient_user=owner_a,
            event="test",
            body="b",
            dedupe_key="later",
            send_at=at("2026-07-08 23:00"),
        )
    assert message.next_attempt_at == at("2026-07-09 07:30")


@pytest.fixture
def failing_sms(settings):
    from propdesk.core.tests.outbox_transports import RecordingTransport
    from propdesk.core.transports import TransportError

    settings.OUTBOX_TRANSPORTS = {"sms": "propdesk.core.tests.outbox_transports.RecordingTransport"}
    RecordingTransport.sent = []
    RecordingTransport.fail_next = [TransportError("gateway busy")]
    yield RecordingTransport
    RecordingTransport.fail_next = []


def test_a_retry_falling_into_quiet_hours_waits_for_their_end(owner_a, failing_sms):
    _prefs(owner_a)
    with time_machine.travel(at("2026-07-08 21:59:30"), tick=False):
        message = _sms(owner_a)
        assert outbox_deliver_due() == 0  # the gateway fails; the retry is due at 22:00:30
    with time_machine.travel(at("2026-07-08 22:01"), tick=False):
        assert outbox_deliver_due() == 0
    message.refresh_from_db()
    assert (message.status, message.attempts, message.next_attempt_at) == (
        Status.PENDING,
        1,  # held back by the policy: no attempt spent
        at("2026-07-09 07:30"),
    )
    assert message.last_error == "deferred to the end of quiet hours"
    with time_machine.travel(at("2026-07-09 07:30"), tick=False):
        assert outbox_deliver_due() == 1
    message.refresh_from_db()
    assert (message.status, message.attempts, failing_sms.sent) == (Status.SENT, 2, ["k1"])


def test_an_urgent_retry_goes_at_night(owner_a, failing_sms):
    _prefs(owner_a)
    with time_machine.travel(at("2026-07-08 21:59:30"), tick=False):
        message = _sms(owner_a, urgent=True)
        assert outbox_deliver_due() == 0
    with time_machine.travel(at("2026-07-08 22:01"), tick=False):
        assert outbox_deliver_due() == 1
    message.refresh_from_db()
    assert message.status == Status.SENT


def test_a_channel_turned_off_after_queuing_is_skipped_when_it_would_leave(owner_a):
    _prefs(owner_a)
    with time_machine.travel(at("2026-07-08 23:15"), tick=False):
        message = _sms(owner_a)  # deferred to 07:30
        _prefs(owner_a, sms_enabled=False)
    with time_machine.travel(at("2026-07-09 07:30"), tick=False):
        assert outbox_deliver_due() == 0
    message.refresh_from_db()
    assert (message.status, message.attempts, message.last_error) == (
        Status.SKIPPED,
        0,
        "turned off by the recipient",
    )


def test_the_policy_can_be_turned_off_by_settings(owner_a, settings):
    settings.OUTBOX_DELIVERY_POLICY = ""
    _prefs(owner_a, sms_enabled=False)
    assert _sms(owner_a).status == Status.PENDING


@pytest.mark.parametrize(
    ("moment", "quiet"),
    [("21:59", False), ("22:00", True), ("00:00", True), ("07:59", True), ("08:00", False)],
)
def test_windows_span_midnight(moment, quiet):
    start, end = datetime.time(22), datetime.time(8)
    assert in_quiet_hours(datetime.time.fromisoformat(moment), start, end) is quiet


def test_a_daytime_window_and_an_empty_one():
    assert in_quiet_hours(datetime.time(13), datetime.time(12), datetime.time(14))
    assert not in_quiet_hours(datetime.time(13), datetime.time(12), datetime.time(12))
    assert quiet_hours_end(at("2026-07-08 13:00"), datetime.time(12), datetime.time(14)) == at(
        "2026-07-08 14:00"
    )
    assert quiet_hours_end(at("2026-07-08 15:00"), datetime.time(12), datetime.time(14)) is None
