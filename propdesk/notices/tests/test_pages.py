"""Every page renders for who may see it, refuses the others, and shows errors on the field."""

import pytest
from django.test import Client

from propdesk.core.models import OutboxMessage
from propdesk.notices.models import Announcement, ContactPreference, NotificationTemplate
from propdesk.notices.services.announcements import (
    announcement_deliver_pending,
    announcement_publish,
)
from propdesk.notices.tests.conftest import notices_snapshot


def as_user(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


WRITERS = {"agent", "supervisor", "admin"}


@pytest.mark.parametrize(
    "role", ["agent", "supervisor", "admin", "technician", "cashier", "guard", "other_agent"]
)
def test_the_announcement_list_is_for_writers(personas, world, role):
    response = as_user(personas[role]).get("/notices/")
    if role in WRITERS:
        assert response.status_code == 200
        assert "甲小区全体公告" in response.content.decode()
        assert "乙小区公告" not in response.content.decode() or role == "admin"
    elif role == "other_agent":
        assert response.status_code == 200
        assert "甲小区全体公告" not in response.content.decode()
    else:
        assert response.status_code == 403


def test_the_list_searches_and_filters(personas, world):
    client = as_user(personas["supervisor"])
    page = client.get("/notices/", {"q": "4栋", "status": "published"}).content.decode()
    assert "4栋公告" in page and "甲小区全体公告" not in page
    partial = client.get("/notices/", {"status": "draft"}, headers={"HX-Request": "true"})
    assert "草稿" in partial.content.decode() and "<html" not in partial.content.decode()
    assert (
        client.get("/notices/", {"q": "'; DROP TABLE x; --", "community": "abc"}).status_code == 200
    )


def test_an_agent_writes_a_draft_on_the_page(personas, world, building_a):
    response = as_user(personas["agent"]).post(
        "/notices/new/",
        {
            "community": world.community_a.id,
            "buildings": [building_a.id],
            "title": "<script>alert(1)</script>",
            "body": "正文",
        },
    )
    created = Announcement.objects.get(title="<script>alert(1)</script>")
    assert response.status_code == 302
    assert response["Location"] == f"/notices/{created.id}/"
    detail = as_user(personas["agent"]).get(response["Location"]).content.decode()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in detail and "<script>alert(1)" not in detail


def test_form_errors_land_on_the_field(personas, world):
    before = notices_snapshot()
    response = as_user(personas["agent"]).post(
        "/notices/new/", {"community": world.community_b.id, "title": "", "body": "x" * 10_000}
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert 'data-field-error="community"' in page and 'data-field-error="title"' in page
    assert 'data-field-error="body"' in page
    assert notices_snapshot() == before


def test_a_supervisor_schedules_and_publishes_on_the_page(
    personas, world, owner_a, django_capture_on_commit_callbacks
):
    client = as_user(personas["supervisor"])
    url = f"/notices/{world.draft.id}/"
    page = client.get(url).content.decode()
    assert "publish-form" in page and 'data-testid="reach">' in page
    bad = client.post(url + "publish/", {"publish_at": "2000-01-01T09:00"})
    assert bad.status_code == 400 and 'data-field-error="publish_at"' in bad.content.decode()
    assert client.post(url + "publish/", {"publish_at": "2099-01-01T09:00"}).status_code == 400
    with django_capture_on_commit_callbacks(execute=True):  # the delivery task, after commit
        assert client.post(url + "publish/", {}).status_code == 302
    world.draft.refresh_from_db()
    assert world.draft.status == "published"
    assert OutboxMessage.objects.filter(dedupe_key__startswith=f"announcement:{world.draft.id}:")
    assert "delivery" in client.get(url).content.decode()


def test_agents_see_no_publish_button_and_cannot_post_it(personas, world):
    client = as_user(personas["agent"])
    assert "publish-form" not in client.get(f"/notices/{world.draft.id}/").content.decode()
    assert client.post(f"/notices/{world.draft.id}/publish/", {}).status_code == 403
    world.draft.refresh_from_db()
    assert world.draft.status == "draft"


def test_editing_and_withdrawing(personas, world):
    client = as_user(personas["supervisor"])
    response = client.post(
        f"/notices/{world.draft.id}/edit/",
        {"community": world.community_a.id, "title": "改过的草稿", "body": "b"},
    )
    assert response.status_code == 302
    world.draft.refresh_from_db()
    assert world.draft.title == "改过的草稿"
    assert client.post(f"/notices/{world.all_a.id}/withdraw/").status_code == 302
    world.all_a.refresh_from_db()
    assert world.all_a.status == "withdrawn"


def test_another_communitys_announcement_is_404_for_staff(personas, world):
    client = as_user(personas["agent"])
    assert client.get(f"/notices/{world.in_b.id}/").status_code == 404
    assert client.post(f"/notices/{world.in_b.id}/withdraw/").status_code == 404


def _published_undelivered(personas, world):
    """The draft, published; its delivery task has not run yet (after-commit does not run here)."""
    return announcement_publish(actor=personas["supervisor"], announcement=world.draft)


def test_the_detail_page_polls_until_the_messages_are_queued(personas, world):
    client = as_user(personas["supervisor"])
    notice = _published_undelivered(personas, world)
    poll = f"/notices/{notice.id}/delivery/"
    page = client.get(f"/notices/{notice.id}/").content.decode()
    assert 'data-testid="queuing"' in page
    assert f'hx-get="{poll}" hx-trigger="every 2s" hx-swap="outerHTML"' in page
    waiting = client.get(poll, headers={"HX-Request": "true"}).content.decode()
    assert 'data-testid="queuing"' in waiting and 'hx-trigger="every 2s"' in waiting
    assert "<html" not in waiting
    assert 'data-testid="delivery"' not in page and 'data-testid="delivery"' not in waiting

    announcement_deliver_pending(notice.id)
    done = client.get(poll, headers={"HX-Request": "true"}).content.decode()
    assert 'data-testid="recipients">2</dd>' in done  # 张三 and 李四; the polling stops
    assert "hx-trigger" not in done and 'data-testid="queuing"' not in done
    # The same answer fills the messages by channel in, out of band.
    assert '<div id="announcement-messages" hx-swap-oob="true">' in done
    assert 'data-testid="delivery"' in done
    page = client.get(f"/notices/{notice.id}/").content.decode()
    assert 'data-testid="recipients">2</dd>' in page and 'hx-trigger="every 2s"' not in page


def test_the_list_shows_queuing_instead_of_a_count_until_delivered(personas, world):
    notice = _published_undelivered(personas, world)
    client = as_user(personas["supervisor"])
    listing = client.get("/notices/", {"status": "published"}).content.decode()
    assert listing.count('data-testid="queuing"') == 1
    announcement_deliver_pending(notice.id)
    listing = client.get("/notices/", {"status": "published"}).content.decode()
    assert 'data-testid="queuing"' not in listing


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("agent", 200),
        ("supervisor", 200),
        ("admin", 200),
        ("technician", 403),
        ("cashier", 403),
        ("guard", 403),
        ("owner", 403),
        ("other_agent", 404),
    ],
)
def test_the_delivery_partial_answers_who_may_see_the_announcement(personas, world, role, status):
    response = as_user(personas[role]).get(
        f"/notices/{world.all_a.id}/delivery/", headers={"HX-Request": "true"}
    )
    assert response.status_code == status
    assert ('data-testid="recipients"' in response.content.decode()) == (status == 200)


def test_the_delivery_partial_sends_visitors_to_sign_in(world):
    response = Client().get(f"/notices/{world.all_a.id}/delivery/")
    assert response.status_code == 302


@pytest.mark.parametrize("role", ["admin", "supervisor", "agent"])
def test_templates_are_for_administrators(personas, role):
    client = as_user(personas[role])
    template = NotificationTemplate.objects.get(event="bill.issued", channel="any")
    list_status = client.get("/notices/templates/").status_code
    edit_status = client.get(f"/notices/templates/{template.id}/").status_code
    expected = 200 if role == "admin" else 403
    assert (list_status, edit_status) == (expected, expected)


def test_an_administrator_edits_a_template_with_a_preview(admin):
    client = as_user(admin)
    template = NotificationTemplate.objects.get(event="bill.issued", channel="any")
    page = client.get(f"/notices/templates/{template.id}/").content.decode()
    assert "{due_on}" in page and "preview-button" in page
    preview = client.post(
        "/notices/templates/preview/",
        {"event": "bill.issued", "subject": "{period}账单", "body": "{owner}：{amount}元"},
        headers={"HX-Request": "true"},
    ).content.decode()
    assert "2026-07账单" in preview and "张三：170.05元" in preview
    hostile = client.post(
        "/notices/templates/preview/",
        {"event": "bill.issued", "subject": "", "body": "{owner.__class__}"},
    ).content.decode()
    assert "alert-danger" in hostile
    bad = client.post(f"/notices/templates/{template.id}/", {"subject": "", "body": "{secret}"})
    assert bad.status_code == 400 and 'data-field-error="body"' in bad.content.decode()
    ok = client.post(f"/notices/templates/{template.id}/", {"subject": "新账单", "body": "{house}"})
    assert ok.status_code == 302
    template.refresh_from_db()
    assert (template.subject, template.body) == ("新账单", "{house}")


# --- owner pages --------------------------------------------------------------------------------


def test_the_owner_reads_notices_and_the_unread_mark_goes(world):
    client = as_user(world.owner_a)
    listing = client.get("/m/notices/").content.decode()
    assert "甲小区全体公告" in listing and 'data-read="0"' in listing
    assert "4栋公告" not in listing and "乙小区公告" not in listing
    detail = client.get(f"/m/notices/{world.all_a.id}/")
    assert detail.status_code == 200 and "甲小区全体公告。" in detail.content.decode()
    assert 'data-read="0"' not in client.get("/m/notices/").content.decode()


def test_the_owner_inbox_lists_and_opens_messages(world):
    client = as_user(world.owner_a)
    inbox = client.get("/m/inbox/").content.decode()
    assert "您的诉求" in inbox and inbox.count('data-read="0"') == 2
    assert client.get(f"/m/inbox/{world.mine.id}/").status_code == 200
    assert client.get("/m/inbox/").content.decode().count('data-read="0"') == 1


def test_the_owner_profile_saves_preferences(world):
    client = as_user(world.owner_a)
    page = client.get("/m/profile/").content.decode()
    assert 'name="quiet_start"' in page and 'value="22:00"' in page
    response = client.post(
        "/m/profile/",
        {
            "sms_enabled": "on",
            "quiet_hours_enabled": "on",
            "quiet_start": "21:00",
            "quiet_end": "07:00",
        },
    )
    assert response.status_code == 302
    pref = ContactPreference.objects.get(user=world.owner_a)
    assert (pref.sms_enabled, pref.email_enabled, str(pref.quiet_start)) == (
        True,
        False,
        "21:00:00",
    )


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"email_enabled": "on", "quiet_start": "21:00", "quiet_end": "07:00"}, "email"),
        ({"email": "bad", "quiet_start": "21:00", "quiet_end": "07:00"}, "email"),
        ({"quiet_start": "99:99", "quiet_end": "07:00"}, "quiet_start"),
        ({"quiet_hours_enabled": "on", "quiet_start": "07:00", "quiet_end": "07:00"}, "quiet_end"),
    ],
)
def test_profile_errors_land_on_the_field(world, data, field):
    response = as_user(world.owner_a).post("/m/profile/", data)
    assert response.status_code == 400
    assert f'data-field-error="{field}"' in response.content.decode()
    assert not ContactPreference.objects.exists()


@pytest.mark.parametrize("path", ["/m/notices/", "/m/inbox/", "/m/profile/"])
def test_staff_are_sent_to_the_portal_sign_in_from_the_owner_pages(personas, path):
    response = as_user(personas["agent"]).get(path)
    assert response.status_code == 302
    assert response["Location"].startswith("/m/login/?next=")


def test_an_administrator_adds_a_community_wording_from_the_current_one(admin, community_a):
    client = as_user(admin)
    response = client.post(
        "/notices/templates/new/",
        {"event": "payment.received", "channel": "sms", "community": community_a.id},
    )
    created = NotificationTemplate.objects.get(community=community_a, event="payment.received")
    assert response["Location"] == f"/notices/templates/{created.id}/"
    default = NotificationTemplate.objects.get(community=None, event="payment.received")
    assert (created.channel, created.body) == ("sms", default.body)
    again = client.post(
        "/notices/templates/new/",
        {"event": "payment.received", "channel": "sms", "community": community_a.id},
    )
    assert again["Location"] == response["Location"]
    bad = client.post("/notices/templates/new/", {"event": "x", "channel": "fax"})
    assert bad.status_code == 302
    assert NotificationTemplate.objects.filter(community=community_a).count() == 1


def test_only_administrators_add_wordings(personas, community_a):
    response = as_user(personas["supervisor"]).post(
        "/notices/templates/new/", {"event": "announcement", "channel": "sms"}
    )
    assert response.status_code == 403
    assert NotificationTemplate.objects.filter(event="announcement").count() == 2
