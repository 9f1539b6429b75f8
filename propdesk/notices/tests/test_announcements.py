"""Announcements: drafts, targeting, publishing now or on schedule, idempotent delivery.

Publishing leaves the messages to the worker: `_publish_and_deliver` publishes and then does what
the worker's task does after commit. The hand-off itself is in test_announcement_delivery.py.
"""

import datetime

import pytest
import time_machine

from propdesk.core.errors import Conflict, PermissionDenied, ValidationFailed
from propdesk.core.models import AuditEvent, OutboxMessage
from propdesk.notices.models import Announcement
from propdesk.notices.services import announcements as svc
from propdesk.notices.tests.conftest import at

Status = Announcement.Status


@pytest.fixture
def draft(agent, community_a):
    return svc.announcement_create(
        actor=agent, community=community_a, title="停水通知", body="7月10日9:00-17:00停水。"
    )


def _publish_and_deliver(actor, announcement):
    """Publish now, then queue the messages as the worker's task does after commit."""
    svc.announcement_publish(actor=actor, announcement=announcement)
    assert svc.announcement_deliver_pending(announcement.id) is True
    announcement.refresh_from_db()
    return announcement


def _messages(announcement):
    return set(
        OutboxMessage.objects.filter(
            dedupe_key__startswith=f"announcement:{announcement.id}:"
        ).values_list("channel", "recipient", "status")
    )


def test_an_agent_writes_a_draft_for_buildings_of_their_community(agent, community_a, building_a):
    draft = svc.announcement_create(
        actor=agent,
        community=community_a,
        title="电梯保养",
        body="3栋电梯周三保养。",
        building_ids=[building_a.id],
    )
    assert (draft.status, draft.created_by, list(draft.buildings.all())) == (
        Status.DRAFT,
        agent,
        [building_a],
    )
    assert AuditEvent.objects.filter(action="create", object_id=str(draft.pk)).exists()
    assert not OutboxMessage.objects.exists()


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"title": ""}, "title"),
        ({"title": "x" * 101}, "title"),
        ({"title": "a\nb"}, "title"),
        ({"body": ""}, "body"),
        ({"body": "x" * 10_000}, "body"),
        ({"body": "null\x00byte"}, "body"),
        ({"building_ids": ["abc"]}, "buildings"),
        ({"urgent": "yes"}, "urgent"),
    ],
)
def test_bad_drafts_are_refused_naming_the_field(agent, community_a, change, field):
    values = {"title": "标题", "body": "正文", **change}
    with pytest.raises(ValidationFailed) as exc:
        svc.announcement_create(actor=agent, community=community_a, **values)
    assert exc.value.field == field
    assert not Announcement.objects.exists()


def test_a_building_of_another_community_is_refused(agent, community_a, house_b):
    with pytest.raises(ValidationFailed) as exc:
        svc.announcement_create(
            actor=agent,
            community=community_a,
            title="t",
            body="b",
            building_ids=[house_b.building_id],
        )
    assert exc.value.field == "buildings"
    assert not Announcement.objects.exists()


@pytest.mark.parametrize("who", ["other_agent", "technician", "cashier", "guard", "owner"])
def test_staff_of_another_community_and_other_roles_cannot_write(personas, community_a, who):
    with pytest.raises(PermissionDenied):
        svc.announcement_create(actor=personas[who], community=community_a, title="t", body="b")
    assert not Announcement.objects.exists()


def test_publishing_tells_every_owner_and_resident_once_per_channel(
    personas, draft, owner_a, owner_a4, owner_b, admin, house_a
):
    from propdesk.estates import services as estates

    estates.resident_add(
        actor=admin, house=house_a, name="张小三", relation="family", mobile="13600000001"
    )
    with time_machine.travel(at("2026-07-08 10:00"), tick=False):
        published = _publish_and_deliver(personas["supervisor"], draft)
    assert (
        published.status,
        published.published_at,
        published.recipients,
        published.delivered_at,
    ) == (Status.PUBLISHED, at("2026-07-08 10:00"), 3, at("2026-07-08 10:00"))
    assert _messages(draft) == {
        ("in_app", "owner", "pending"),
        ("sms", "13812345678", "pending"),
        ("in_app", "lisi", "pending"),
        ("sms", "13912345678", "pending"),
        ("sms", "13600000001", "pending"),
    }
    sms = OutboxMessage.objects.get(recipient="13812345678")
    assert sms.body == "【甲小区】公告：停水通知。详情请登录业主端查看。"
    inbox = OutboxMessage.objects.get(recipient="owner")
    assert (inbox.subject, inbox.body) == ("【公告】停水通知", "7月10日9:00-17:00停水。")


def test_delivering_wakes_the_outbox_once_and_it_sends_every_message(
    clock, personas, draft, owner_a, owner_a4, django_capture_on_commit_callbacks
):
    # At 10:00: the owners' default quiet hours (22:00-08:00) would hold their SMS till morning.
    svc.announcement_publish(actor=personas["supervisor"], announcement=draft)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        svc.announcement_deliver_pending(draft.id)
    # One wake-up for the four messages, not a queued task per message.
    assert [c.__name__ for c in callbacks] == ["_deliver_due_soon"]
    assert len(_messages(draft)) == 4
    callbacks[0]()  # the worker (immediate in tests) delivers everything due
    assert {status for _c, _r, status in _messages(draft)} == {"sent"}


def test_delivering_reads_preferences_once_and_writes_messages_in_batches(
    personas, draft, owner_a, owner_a4
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    svc.announcement_publish(actor=personas["supervisor"], announcement=draft)
    with CaptureQueriesContext(connection) as queries:
        svc.announcement_deliver_pending(draft.id)
    statements = [q["sql"] for q in queries.captured_queries]
    preference_reads = [q for q in statements if "notices_contactpreference" in q]
    outbox_writes = [q for q in statements if q.startswith("INSERT") and "core_outboxmessage" in q]
    # Two owners with accounts, four messages: one read of preferences, one batch written.
    assert (len(preference_reads), len(outbox_writes), len(_messages(draft))) == (1, 1, 4)


def test_a_building_announcement_reaches_only_that_building(
    personas, community_a, building_4, owner_a, owner_a4
):
    notice = svc.announcement_create(
        actor=personas["agent"],
        community=community_a,
        title="4栋停电",
        body="b",
        building_ids=[building_4.id],
    )
    assert _publish_and_deliver(personas["supervisor"], notice).recipients == 1
    assert {r for _c, r, _s in _messages(notice)} == {"lisi", "13912345678"}


def test_owners_who_turned_sms_off_get_the_inbox_copy_and_a_skipped_sms(personas, draft, owner_a):
    from propdesk.notices.services.preferences import contact_preference_save

    contact_preference_save(
        actor=owner_a,
        sms_enabled=False,
        email_enabled=True,
        email="zhang@example.com",
        quiet_hours_enabled=False,
        quiet_start="22:00",
        quiet_end="08:00",
    )
    _publish_and_deliver(personas["supervisor"], draft)
    assert _messages(draft) == {
        ("in_app", "owner", "pending"),
        ("sms", "13812345678", "skipped"),
        ("email", "zhang@example.com", "pending"),
    }


def test_an_emergency_announcement_goes_at_night(personas, community_a, owner_a):
    notice = svc.announcement_create(
        actor=personas["agent"], community=community_a, title="燃气泄漏", body="b", urgent=True
    )
    with time_machine.travel(at("2026-07-08 23:30"), tick=False):
        _publish_and_deliver(personas["supervisor"], notice)
    sms = OutboxMessage.objects.get(channel="sms")
    assert sms.next_attempt_at == at("2026-07-08 23:30")


def test_a_night_announcement_waits_for_the_morning(personas, draft, owner_a):
    with time_machine.travel(at("2026-07-08 23:30"), tick=False):
        _publish_and_deliver(personas["supervisor"], draft)
    assert OutboxMessage.objects.get(channel="sms").next_attempt_at == at("2026-07-09 08:00")
    assert OutboxMessage.objects.get(channel="in_app").next_attempt_at == at("2026-07-08 23:30")


def test_delivering_twice_queues_nothing_more(personas, draft, owner_a):
    _publish_and_deliver(personas["supervisor"], draft)
    count = OutboxMessage.objects.count()
    svc.announcement_deliver(announcement=draft)
    assert OutboxMessage.objects.count() == count == 2


def test_agents_cannot_publish(personas, draft, owner_a):
    with pytest.raises(PermissionDenied):
        svc.announcement_publish(actor=personas["agent"], announcement=draft)
    draft.refresh_from_db()
    assert draft.status == Status.DRAFT
    assert not OutboxMessage.objects.exists()


def test_publishing_twice_is_a_conflict(personas, draft):
    svc.announcement_publish(actor=personas["supervisor"], announcement=draft)
    with pytest.raises(Conflict):
        svc.announcement_publish(actor=personas["supervisor"], announcement=draft)


def test_scheduled_announcements_are_published_by_the_worker_when_due(
    personas, draft, owner_a, django_capture_on_commit_callbacks
):
    with time_machine.travel(at("2026-07-08 10:00"), tick=False):
        scheduled = svc.announcement_publish(
            actor=personas["supervisor"], announcement=draft, publish_at=at("2026-07-09 09:00")
        )
        assert (scheduled.status, scheduled.publish_at) == (
            Status.SCHEDULED,
            at("2026-07-09 09:00"),
        )
        assert svc.announcements_publish_due() == 0
        assert not OutboxMessage.objects.exists()
    with (
        time_machine.travel(at("2026-07-09 09:00:30"), tick=False),
        django_capture_on_commit_callbacks(execute=True),  # the delivery task, after commit
    ):
        assert svc.announcements_publish_due() == 1
        assert svc.announcements_publish_due() == 0
    draft.refresh_from_db()
    assert (draft.status, draft.published_by, draft.recipients, draft.delivered_at) == (
        Status.PUBLISHED,
        personas["supervisor"],
        1,
        at("2026-07-09 09:00:30"),
    )
    assert OutboxMessage.objects.count() == 2


@pytest.mark.parametrize(
    "when", [at("2026-07-08 09:59"), at("2028-01-01 00:00")], ids=["past", "too-far"]
)
def test_schedule_times_must_be_in_the_coming_year(personas, draft, when):
    with (
        time_machine.travel(at("2026-07-08 10:00"), tick=False),
        pytest.raises(ValidationFailed) as exc,
    ):
        svc.announcement_publish(actor=personas["supervisor"], announcement=draft, publish_at=when)
    assert exc.value.field == "publish_at"
    draft.refresh_from_db()
    assert draft.status == Status.DRAFT


def test_drafts_change_and_published_ones_do_not(personas, draft, building_a):
    svc.announcement_update(
        actor=personas["agent"],
        announcement=draft,
        title="停水通知（更正）",
        body="b",
        building_ids=[building_a.id],
    )
    draft.refresh_from_db()
    assert (draft.title, list(draft.buildings.all())) == ("停水通知（更正）", [building_a])
    svc.announcement_publish(actor=personas["supervisor"], announcement=draft)
    with pytest.raises(Conflict):
        svc.announcement_update(actor=personas["agent"], announcement=draft, title="x", body="y")


def test_withdrawing_hides_but_keeps(personas, draft):
    svc.announcement_publish(actor=personas["supervisor"], announcement=draft)
    svc.announcement_withdraw(actor=personas["supervisor"], announcement=draft)
    draft.refresh_from_db()
    assert draft.status == Status.WITHDRAWN
    with pytest.raises(Conflict):
        svc.announcement_withdraw(actor=personas["supervisor"], announcement=draft)
    with pytest.raises(PermissionDenied):
        svc.announcement_withdraw(actor=personas["agent"], announcement=draft)


def test_the_worker_task_runs_the_sweep(personas, draft, owner_a):
    from propdesk.notices.tasks import announcements_publish_due

    svc.announcement_publish(
        actor=personas["supervisor"],
        announcement=draft,
        publish_at=datetime.datetime.now(datetime.UTC) + datetime.timedelta(minutes=1),
    )
    with time_machine.travel(datetime.datetime.now(datetime.UTC) + datetime.timedelta(minutes=2)):
        assert announcements_publish_due.call_local() == 1
