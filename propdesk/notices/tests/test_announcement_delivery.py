"""Publishing leaves the messages to the worker: the delivery task queues them once, a withdrawn
announcement gets none, and the every-minute sweep delivers those whose task was lost.

In tests the task queue runs tasks at once (immediate mode), but after-commit callbacks only run
inside `django_capture_on_commit_callbacks(execute=True)`; without it a publish looks exactly
like one whose task was lost.
"""

import pytest
import time_machine

from propdesk.core.models import AuditEvent, OutboxMessage
from propdesk.notices.models import Announcement
from propdesk.notices.services import announcements as svc
from propdesk.notices.tasks import announcement_deliver_task, announcements_publish_due
from propdesk.notices.tests.conftest import at

Status = Announcement.Status


@pytest.fixture
def draft(agent, community_a):
    return svc.announcement_create(
        actor=agent, community=community_a, title="停水通知", body="7月10日9:00-17:00停水。"
    )


@pytest.fixture
def supervisor(personas):
    return personas["supervisor"]


def _messages(announcement) -> set:
    return set(
        OutboxMessage.objects.filter(
            dedupe_key__startswith=f"announcement:{announcement.id}:"
        ).values_list("channel", "recipient")
    )


def _audit(announcement, action) -> list:
    return list(
        AuditEvent.objects.filter(
            object_type="announcement", object_id=str(announcement.id), action=action
        ).values_list("actor_id", "changes")
    )


def test_publishing_marks_it_published_without_computing_the_audience(
    clock, supervisor, draft, owner_a, owner_a4, django_capture_on_commit_callbacks
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with (
        django_capture_on_commit_callbacks(execute=False) as callbacks,
        CaptureQueriesContext(connection) as queries,
    ):
        svc.announcement_publish(actor=supervisor, announcement=draft)
    draft.refresh_from_db()
    assert (
        draft.status,
        draft.published_at,
        draft.published_by,
        draft.recipients,
        draft.delivered_at,
    ) == (Status.PUBLISHED, at("2026-07-08 10:00"), supervisor, 0, None)
    assert _audit(draft, "publish") == [(supervisor.id, {"status": ["draft", "published"]})]
    touched = " ".join(q["sql"] for q in queries.captured_queries)
    assert "estates_ownership" not in touched and "estates_resident" not in touched
    assert "core_outboxmessage" not in touched
    assert len(callbacks) == 1  # the hand-off to the worker, after commit
    assert not OutboxMessage.objects.exists()


def test_after_commit_the_worker_queues_the_messages(
    clock, supervisor, draft, owner_a, owner_a4, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        svc.announcement_publish(actor=supervisor, announcement=draft)
    draft.refresh_from_db()
    assert (draft.recipients, draft.delivered_at) == (2, at("2026-07-08 10:00"))
    assert _messages(draft) == {
        ("in_app", "owner"),
        ("sms", "13812345678"),
        ("in_app", "lisi"),
        ("sms", "13912345678"),
    }
    assert _audit(draft, "deliver") == [(None, {"recipients": [0, 2]})]


def test_delivering_twice_queues_the_messages_once(clock, supervisor, draft, owner_a):
    svc.announcement_publish(actor=supervisor, announcement=draft)
    assert svc.announcement_deliver_pending(draft.id) is True
    before = list(OutboxMessage.objects.order_by("pk").values())
    with time_machine.travel(at("2026-07-08 10:05"), tick=False):
        assert announcement_deliver_task.call_local(draft.id) is False  # a duplicate task
    assert list(OutboxMessage.objects.order_by("pk").values()) == before
    assert len(before) == 2
    draft.refresh_from_db()
    assert (draft.recipients, draft.delivered_at) == (1, at("2026-07-08 10:00"))
    assert len(_audit(draft, "deliver")) == 1


def test_messages_already_in_the_outbox_are_not_queued_again(clock, supervisor, draft, owner_a):
    svc.announcement_publish(actor=supervisor, announcement=draft)
    svc.announcement_deliver(announcement=draft)  # an earlier run got this far
    assert svc.announcement_deliver_pending(draft.id) is True
    assert OutboxMessage.objects.count() == 2
    draft.refresh_from_db()
    assert (draft.recipients, draft.delivered_at) == (1, at("2026-07-08 10:00"))


def test_an_announcement_withdrawn_before_its_delivery_gets_no_messages(
    supervisor, draft, owner_a, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        svc.announcement_publish(actor=supervisor, announcement=draft)
    svc.announcement_withdraw(actor=supervisor, announcement=draft)
    callbacks[0]()  # the task runs only now
    assert svc.announcement_deliver_pending(draft.id) is False
    assert not OutboxMessage.objects.exists()
    draft.refresh_from_db()
    assert (draft.status, draft.recipients, draft.delivered_at) == (Status.WITHDRAWN, 0, None)
    assert _audit(draft, "deliver") == []


def test_drafts_scheduled_and_missing_announcements_are_not_delivered(
    clock, supervisor, draft, owner_a
):
    assert svc.announcement_deliver_pending(draft.id) is False
    svc.announcement_publish(
        actor=supervisor, announcement=draft, publish_at=at("2026-07-09 09:00")
    )
    assert svc.announcement_deliver_pending(draft.id) is False
    assert svc.announcement_deliver_pending(draft.id + 1000) is False
    assert not OutboxMessage.objects.exists()
    draft.refresh_from_db()
    assert (draft.status, draft.delivered_at) == (Status.SCHEDULED, None)


def _published_at(when, actor, community, title):
    """Published at `when`, its delivery task lost (after-commit callbacks do not run here)."""
    notice = svc.announcement_create(actor=actor, community=community, title=title, body="b")
    with time_machine.travel(when, tick=False):
        return svc.announcement_publish(actor=actor, announcement=notice)


def test_the_sweep_delivers_a_stale_announcement_and_leaves_a_fresh_one(
    supervisor, community_a, owner_a
):
    stale = _published_at(at("2026-07-08 10:00"), supervisor, community_a, "旧")
    fresh = _published_at(at("2026-07-08 10:01:30"), supervisor, community_a, "新")
    with time_machine.travel(at("2026-07-08 10:02:30"), tick=False):
        assert svc.announcements_deliver_overdue() == 1
    stale.refresh_from_db()
    fresh.refresh_from_db()
    assert (stale.recipients, stale.delivered_at) == (1, at("2026-07-08 10:02:30"))
    assert (fresh.recipients, fresh.delivered_at) == (0, None)
    assert _messages(stale) == {("in_app", "owner"), ("sms", "13812345678")}
    assert _messages(fresh) == set()
    with time_machine.travel(at("2026-07-08 10:04"), tick=False):
        assert svc.announcements_deliver_overdue() == 1
        assert svc.announcements_deliver_overdue() == 0
    assert OutboxMessage.objects.count() == 4


def test_the_sweep_takes_a_bounded_batch_oldest_first(
    supervisor, community_a, owner_a, monkeypatch
):
    monkeypatch.setattr(svc, "DELIVERY_SWEEP_BATCH", 1)
    second = _published_at(at("2026-07-08 10:01"), supervisor, community_a, "二")
    first = _published_at(at("2026-07-08 10:00"), supervisor, community_a, "一")
    with time_machine.travel(at("2026-07-08 10:10"), tick=False):
        assert svc.announcements_deliver_overdue() == 1
        first.refresh_from_db()
        second.refresh_from_db()
        assert (first.delivered_at, second.delivered_at) == (at("2026-07-08 10:10"), None)
        assert svc.announcements_deliver_overdue() == 1
    second.refresh_from_db()
    assert second.delivered_at == at("2026-07-08 10:10")


def test_the_sweep_leaves_withdrawn_announcements_alone(supervisor, community_a, owner_a):
    notice = _published_at(at("2026-07-08 10:00"), supervisor, community_a, "撤回")
    svc.announcement_withdraw(actor=supervisor, announcement=notice)
    with time_machine.travel(at("2026-07-08 10:10"), tick=False):
        assert svc.announcements_deliver_overdue() == 0
    assert not OutboxMessage.objects.exists()


def test_the_every_minute_task_runs_the_sweep(supervisor, community_a, owner_a):
    notice = _published_at(at("2026-07-08 10:00"), supervisor, community_a, "丢失的任务")
    with time_machine.travel(at("2026-07-08 10:03"), tick=False):
        assert announcements_publish_due.call_local() == 0  # nothing scheduled came due
    notice.refresh_from_db()
    assert (notice.recipients, notice.delivered_at) == (1, at("2026-07-08 10:03"))
    assert _messages(notice) == {("in_app", "owner"), ("sms", "13812345678")}
