"""Intake's message to the owners: built by the worker from the `created` event, seconds after
the request commits, exactly once, and never for a replay of the past (tickets.services.notify)."""

from huey.contrib.djhuey import HUEY

from propdesk.core.models import OutboxMessage
from propdesk.tickets import clock
from propdesk.tickets.models import RequestEvent
from propdesk.tickets.services import notify
from propdesk.tickets.tasks import requests_owner_notices_sweep


def _told():
    return sorted(OutboxMessage.objects.values_list("channel", "recipient", "event"))


OWNER_TOLD = [("in_app", "owner", "request.created"), ("sms", "13812345678", "request.created")]


def test_the_owners_are_told_once_the_request_commits(
    desk, make_request, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        request = make_request()

    assert _told() == OWNER_TOLD
    event = request.events.get()
    assert not event.owner_notice_pending
    for message in OutboxMessage.objects.all():
        assert message.dedupe_key.startswith(f"request:{request.id}:event:{event.id}:")
        assert "A2026000001" in message.body and "2026-03-19 09:30" in message.body


def test_nothing_is_told_inside_the_request_and_the_event_waits_for_the_worker(desk, make_request):
    request = make_request()  # its wake-up lost: the test's transaction never commits

    assert OutboxMessage.objects.count() == 0
    assert request.events.get().owner_notice_pending
    assert requests_owner_notices_sweep.call_local() == 2  # the minute's sweep
    assert _told() == OWNER_TOLD
    assert not RequestEvent.objects.filter(owner_notice_pending=True).exists()


def test_a_second_pass_tells_nobody_again(desk, make_request):
    make_request()
    assert notify.owner_notices_send() == 2
    assert notify.owner_notices_send() == 0
    assert OutboxMessage.objects.count() == 2


def test_the_words_are_those_of_the_request_at_intake(desk, make_request):
    from propdesk.tickets.services import request_accept

    request = make_request()
    request_accept(actor=desk.agent, request=request)  # before the worker's pass
    OutboxMessage.objects.all().delete()

    notify.owner_notices_send()

    sms = OutboxMessage.objects.get(channel="sms", event="request.created")
    assert "A2026000001" in sms.body and "2026-03-19 09:30" in sms.body


def test_a_replay_of_the_past_tells_nobody(desk, make_request):
    with clock.quiet():
        request = make_request()

    assert not request.events.get().owner_notice_pending
    assert notify.owner_notices_send() == 0
    assert OutboxMessage.objects.count() == 0


def test_requests_in_a_burst_wake_the_worker_once(
    desk, make_request, settings, monkeypatch, django_capture_on_commit_callbacks
):
    settings.OWNER_NOTICE_BATCH_SECONDS = 5
    monkeypatch.setattr(notify, "_wake_queued_until", 0.0)
    HUEY.storage.flush_schedule()

    with django_capture_on_commit_callbacks(execute=True):
        for n in range(3):
            make_request(description=f"地漏反水 {n}")

    scheduled = HUEY.scheduled()
    assert [task.name for task in scheduled] == ["request_owner_notices"]
    HUEY.storage.flush_schedule()
    # the pass that wakes up seconds later tells the owners of all three
    assert notify.owner_notices_send() == 6
