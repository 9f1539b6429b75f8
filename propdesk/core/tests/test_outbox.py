"""The notification outbox: idempotent enqueue, at-least-once delivery, back-off, dead letters."""

import datetime

import pytest
import time_machine
from django.db import transaction
from django.utils import timezone

from propdesk.core import outbox
from propdesk.core.models import OutboxMessage
from propdesk.core.tests.outbox_transports import RecordingTransport
from propdesk.core.transports import TransportError

Status = OutboxMessage.Status


@pytest.fixture(autouse=True)
def recording(settings):
    settings.OUTBOX_TRANSPORTS = {"sms": "propdesk.core.tests.outbox_transports.RecordingTransport"}
    RecordingTransport.sent = []
    RecordingTransport.fail_next = []
    return RecordingTransport


def _enqueue(key="req-1-received", **extra):
    return outbox.message_enqueue(
        channel="sms",
        recipient="13812345678",
        event="request_received",
        body="您的报修已受理",
        dedupe_key=key,
        **extra,
    )


def test_the_same_key_queues_one_message(db):
    first = _enqueue()
    second = _enqueue()
    assert first.id == second.id
    assert OutboxMessage.objects.count() == 1


def test_a_rolled_back_change_sends_nothing(db):
    with pytest.raises(RuntimeError), transaction.atomic():
        _enqueue()
        raise RuntimeError("the business change failed")
    assert OutboxMessage.objects.count() == 0


def test_delivery_after_commit(db, recording, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        message = _enqueue()
    message.refresh_from_db()
    assert (message.status, message.attempts, recording.sent) == (
        Status.SENT,
        1,
        ["req-1-received"],
    )


def test_a_failure_is_retried_with_back_off(db, recording):
    message = _enqueue()
    recording.fail_next = [TransportError("provider busy")]
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        assert outbox.message_deliver(message.id) == Status.PENDING
    message.refresh_from_db()
    assert (message.attempts, message.last_error) == (1, "provider busy")
    assert message.next_attempt_at == start + datetime.timedelta(minutes=1)
    with time_machine.travel(start + datetime.timedelta(seconds=30), tick=False):
        assert outbox.outbox_deliver_due() == 0  # not due yet
    with time_machine.travel(start + datetime.timedelta(minutes=1), tick=False):
        assert outbox.outbox_deliver_due() == 1
    message.refresh_from_db()
    assert (message.status, message.attempts, recording.sent) == (
        Status.SENT,
        2,
        ["req-1-received"],
    )


def test_a_permanent_failure_is_not_retried(db, recording):
    message = _enqueue()
    recording.fail_next = [TransportError("no such number", permanent=True)]
    assert outbox.message_deliver(message.id) == Status.DEAD
    assert outbox.outbox_deliver_due() == 0


def test_it_gives_up_after_the_last_attempt(db, recording):
    message = _enqueue()
    now = timezone.now()
    for attempt in range(1, outbox.MAX_ATTEMPTS + 1):
        recording.fail_next = [TransportError("down")]
        with time_machine.travel(now + datetime.timedelta(hours=attempt), tick=False):
            status = outbox.message_deliver(message.id)
    message.refresh_from_db()
    assert (status, message.attempts) == (Status.DEAD, outbox.MAX_ATTEMPTS)


def test_a_message_claimed_by_a_killed_worker_is_delivered_again(db, recording):
    message = _enqueue()
    now = timezone.now()
    OutboxMessage.objects.filter(id=message.id).update(status=Status.SENDING, claimed_at=now)
    with time_machine.travel(now + datetime.timedelta(minutes=1), tick=False):
        assert outbox.outbox_deliver_due() == 0  # another worker may still be on it
    with time_machine.travel(
        now + outbox.CLAIM_TIMEOUT + datetime.timedelta(seconds=1), tick=False
    ):
        assert outbox.outbox_deliver_due() == 1
    assert recording.sent == ["req-1-received"]


def test_a_sent_message_is_never_sent_twice(db, recording):
    message = _enqueue()
    assert outbox.message_deliver(message.id) == Status.SENT
    assert outbox.message_deliver(message.id) == Status.SENT
    assert outbox.outbox_deliver_due() == 0
    assert recording.sent == ["req-1-received"]


def test_scheduled_messages_wait_for_their_time(db, recording):
    later = timezone.now() + datetime.timedelta(hours=2)
    _enqueue(send_at=later)
    assert outbox.outbox_deliver_due() == 0
    with time_machine.travel(later, tick=False):
        assert outbox.outbox_deliver_due() == 1


def test_unknown_channels_are_refused(db):
    with pytest.raises(ValueError):
        outbox.message_enqueue(channel="fax", recipient="x", event="e", body="b", dedupe_key="k")


def test_the_default_transports_deliver_without_a_provider(db, settings, caplog):
    settings.OUTBOX_TRANSPORTS = {}
    message = _enqueue()
    assert outbox.message_deliver(message.id) == Status.SENT
    assert message.dedupe_key in caplog.text and "您的报修已受理" not in caplog.text


def test_a_batch_queued_without_wake_is_delivered_by_one_pass_after_commit(
    db, recording, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks, transaction.atomic():
        for n in range(5):
            _enqueue(key=f"batch-{n}", wake=False)
        outbox.outbox_wake()
    assert len(callbacks) == 1  # one wake-up for the batch, not one per message
    assert recording.sent == []
    callbacks[0]()
    assert sorted(recording.sent) == [f"batch-{n}" for n in range(5)]
    assert set(OutboxMessage.objects.values_list("status", flat=True)) == {Status.SENT}


def test_one_pass_delivers_batch_after_batch_until_nothing_is_due(db, recording):
    for n in range(7):
        _enqueue(key=f"many-{n}", wake=False)
    recording.fail_next = [TransportError("the provider is down")]  # the first one fails
    assert outbox.outbox_deliver_all_due(batch=2) == 6
    failed = OutboxMessage.objects.get(dedupe_key="many-0")
    assert (failed.status, failed.attempts) == (Status.PENDING, 1)  # retried later, not now
    assert failed.next_attempt_at > timezone.now()
    assert OutboxMessage.objects.filter(status=Status.SENT).count() == 6


def test_a_rolled_back_batch_wakes_nobody(db, recording, django_capture_on_commit_callbacks):
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        _enqueue(key="gone", wake=False)
        outbox.outbox_wake()
        raise RuntimeError("the business change failed")
    assert callbacks == [] and recording.sent == []
    assert not OutboxMessage.objects.exists()


def test_a_built_batch_is_written_at_once_keeping_a_key_already_queued(
    db, recording, django_capture_on_commit_callbacks
):
    first = _enqueue(key="batch-1", wake=False)
    built = [
        outbox.message_build(
            channel="sms",
            recipient="13812345678",
            event="e",
            body=f"第{n}条",
            dedupe_key=f"batch-{n}",
        )
        for n in range(1, 4)
    ]
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        outbox.messages_enqueue(built)
    assert len(callbacks) == 1  # one delivery pass for the batch
    assert OutboxMessage.objects.get(dedupe_key="batch-1").body == first.body  # kept as queued
    assert sorted(recording.sent) == ["batch-1", "batch-2", "batch-3"]


def test_an_empty_batch_writes_and_wakes_nothing(db, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        outbox.messages_enqueue([])
    assert callbacks == [] and not OutboxMessage.objects.exists()
