"""WeChat template messages to owners who linked their openid, against the WeChat stand-in."""

import logging
import threading

import pytest
from django.core.cache import caches

from propdesk.core import outbox
from propdesk.core.models import OutboxMessage
from propdesk.core.transports.wechat import WechatClient
from propdesk.notices.models import ContactPreference, WechatLink
from propdesk.notices.wechat import account_config

pytestmark = pytest.mark.django_db
Status = OutboxMessage.Status
OPENID = "oWx-owner-0001"


def send(owner, community, key, **extra):
    message = outbox.message_enqueue(
        channel="wechat",
        recipient=OPENID,
        recipient_user=owner,
        event="request.updated",
        body="您的报修单 R-001 已派工。",
        dedupe_key=key,
        community_id=community.id,
        params={"number": "R-001", "status": "已派工"},
        wake=False,
        urgent=True,  # no quiet hours in the way: the channel is what is tested here
        **extra,
    )
    outbox.message_deliver(message.id)
    message.refresh_from_db()
    return message


@pytest.fixture
def linked(owner_a, wechat_account, wechat_standin):
    WechatLink.objects.create(user=owner_a, app_id=wechat_account.app_id, openid=OPENID)
    wechat_standin.follower(OPENID)
    return owner_a


def test_a_linked_follower_gets_the_template_message(linked, community_a, wechat_standin):
    message = send(linked, community_a, "w-1")
    assert message.status == Status.SENT, message.last_error
    sent = wechat_standin.sent[0]
    assert sent["touser"] == OPENID and sent["template_id"] == "TPL-REQUEST"
    assert sent["data"] == {"thing1": {"value": "R-001"}, "thing2": {"value": "已派工"}}
    assert sent["url"] == "https://propdesk.example.com/m/inbox/"
    assert sent["client_msg_id"] == "w-1"
    assert message.provider_ref.isdigit()


def test_the_token_is_taken_once_and_shared(linked, community_a, wechat_standin):
    for i in range(3):
        assert send(linked, community_a, f"w-{i}").status == Status.SENT
    assert wechat_standin.token_fetches == 1
    assert caches["shared"].get(f"wechat:token:{wechat_standin.app_id}").startswith("gAAAAA")


def test_a_token_wechat_revoked_is_taken_again_and_the_message_goes(
    linked, community_a, wechat_standin
):
    assert send(linked, community_a, "w-1").status == Status.SENT
    wechat_standin.token = "REVOKED"  # another process took a new one, or WeChat reset it
    assert send(linked, community_a, "w-2").status == Status.SENT
    assert wechat_standin.token_fetches == 2 and len(wechat_standin.sent) == 2


def test_concurrent_refreshes_take_one_token(wechat_account, wechat_standin):
    clients = [WechatClient(account_config(wechat_account)) for _ in range(4)]
    tokens = []
    threads = [
        threading.Thread(target=lambda c=c: tokens.append(c.access_token())) for c in clients
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(set(tokens)) == 1 and wechat_standin.token_fetches == 1


def test_an_owner_who_does_not_follow_gets_nothing_and_it_is_not_retried(
    linked, community_a, wechat_standin
):
    wechat_standin.followers.clear()
    message = send(linked, community_a, "w-1")
    assert message.status == Status.DEAD and "43004" in message.last_error


def test_busy_and_quota_are_retried_or_deferred(linked, community_a, wechat_standin):
    wechat_standin.fail_next.append(-1)
    busy = send(linked, community_a, "w-busy")
    assert busy.status == Status.PENDING and busy.attempts == 1
    wechat_standin.fail_next.append(45009)
    quota = send(linked, community_a, "w-quota")
    assert quota.status == Status.PENDING and quota.attempts == 0


def test_a_wrong_app_secret_fails_for_good(linked, community_a, wechat_standin):
    wechat_standin.app_secret = "rotated-elsewhere"
    message = send(linked, community_a, "w-1")
    assert message.status == Status.DEAD
    assert "rotated-elsewhere" not in message.last_error


def test_a_kind_without_a_template_fails_for_good(linked, community_a, wechat_standin):
    message = outbox.message_enqueue(
        channel="wechat",
        recipient=OPENID,
        recipient_user=linked,
        event="bill.issued",
        body="账单",
        dedupe_key="w-bill",
        community_id=community_a.id,
        wake=False,
        urgent=True,
    )
    assert outbox.message_deliver(message.id) == Status.DEAD
    assert wechat_standin.sent == []


def test_the_owners_own_wechat_switch_is_respected(linked, community_a, wechat_standin):
    ContactPreference.objects.create(user=linked, sms_enabled=True, wechat_enabled=False)
    message = outbox.message_enqueue(
        channel="wechat",
        recipient=OPENID,
        recipient_user=linked,
        event="request.updated",
        body="x",
        dedupe_key="w-off",
        community_id=community_a.id,
        wake=False,
        params={"number": "R", "status": "S"},
    )
    assert message.status == Status.SKIPPED
    assert wechat_standin.sent == []


def test_the_profile_page_has_the_wechat_switch(client, linked):
    client.force_login(linked)
    page = client.get("/m/profile/")
    assert page.status_code == 200 and 'name="wechat_enabled"' in page.content.decode()
    form = {
        "sms_enabled": "on",
        "quiet_hours_enabled": "on",
        "quiet_start": "22:00",
        "quiet_end": "08:00",
        "email": "",
    }
    assert client.post("/m/profile/", form).status_code == 302
    pref = ContactPreference.objects.get(user=linked)
    assert pref.sms_enabled is True and pref.wechat_enabled is False


def test_no_secret_or_token_in_the_logs(linked, community_a, wechat_standin, caplog):
    with caplog.at_level(logging.DEBUG):
        send(linked, community_a, "w-1")
        wechat_standin.fail_next.append(-1)
        send(linked, community_a, "w-2")
    assert wechat_standin.app_secret not in caplog.text
    assert "ACCESS_TOKEN_" not in caplog.text
    errors = " ".join(OutboxMessage.objects.values_list("last_error", flat=True))
    assert "ACCESS_TOKEN_" not in errors and wechat_standin.app_secret not in errors


def test_request_progress_reaches_a_linked_owner_by_wechat(linked, community_a):
    from propdesk.notices.services.delivery import Person, people_notify

    people_notify(
        people=[Person(name="张三", mobile="13812345678", user=linked)],
        event="announcement",
        outbox_event="announcement",
        context={
            "community": "甲小区",
            "title": "停水通知",
            "body": "明日停水",
            "published": "今天",
        },
        community=community_a,
        dedupe_base="ann:1",
    )
    channels = set(OutboxMessage.objects.values_list("channel", flat=True))
    assert "wechat" in channels
    wechat = OutboxMessage.objects.get(channel="wechat")
    assert wechat.recipient == OPENID and wechat.params["title"] == "停水通知"
