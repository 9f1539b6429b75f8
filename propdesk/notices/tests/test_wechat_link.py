"""Linking an owner account to WeChat through WeChat's web sign-in, and signing in with it.

The WeChat stand-in plays WeChat: it hands out codes for openids and answers the code exchange.
The browser's part (following WeChat's redirect) is done by hand: read the `state` the portal
sent to WeChat, then come back to the callback with a code, as WeChat would.
"""

import datetime
import logging
import urllib.parse

import pytest
import time_machine
from django.apps import apps

from propdesk.accounts.models import Role
from propdesk.conftest import make_user
from propdesk.notices.models import ContactPreference, WechatLink
from propdesk.notices.wechat import wechat_openid_for

pytestmark = pytest.mark.django_db

OPENID = "oWx-owner-zhang-0001"


def start(client, path="/m/wechat/link/"):
    response = client.post(path)
    assert response.status_code == 302
    url = urllib.parse.urlsplit(response["Location"])
    query = dict(urllib.parse.parse_qsl(url.query))
    assert url.path == "/connect/oauth2/authorize"
    assert url.fragment == "wechat_redirect"
    assert query["scope"] == "snsapi_base" and query["response_type"] == "code"
    return query


def come_back(client, query, code):
    redirect = urllib.parse.urlsplit(query["redirect_uri"])
    back = dict(urllib.parse.parse_qsl(redirect.query))
    return client.get(redirect.path, {**back, "code": code, "state": query["state"]})


@pytest.fixture
def owner_client(client, owner_a):
    client.force_login(owner_a)
    return client


def test_an_owner_links_wechat_and_the_openid_can_be_read(
    owner_client, owner_a, wechat_account, wechat_standin
):
    query = start(owner_client)
    assert query["appid"] == wechat_account.app_id
    assert len(query["state"]) <= 128 and query["state"].isalnum()
    response = come_back(owner_client, query, wechat_standin.code_for(OPENID))
    assert response.status_code == 302 and response["Location"] == "/m/wechat/"
    assert wechat_openid_for(owner_a) == OPENID
    assert wechat_openid_for(owner_a, wechat_account.app_id) == OPENID
    assert wechat_openid_for(owner_a, "wx-other-app") is None
    page = owner_client.get("/m/wechat/")
    assert page.status_code == 200
    assert "已关联" in page.content.decode()


def test_a_replayed_state_is_refused(owner_client, owner_a, wechat_account, wechat_standin):
    query = start(owner_client)
    assert come_back(owner_client, query, wechat_standin.code_for(OPENID)).status_code == 302
    again = come_back(owner_client, query, wechat_standin.code_for("oWx-attacker"))
    assert again.status_code == 400
    assert WechatLink.objects.get(user=owner_a).openid == OPENID


def test_a_forged_or_altered_state_is_refused(
    owner_client, owner_a, wechat_account, wechat_standin
):
    query = start(owner_client)
    for state in (
        "0" * 88,
        query["state"][:-1] + ("0" if query["state"][-1] != "0" else "1"),
        "",
        "abc",
        query["state"] + "00",
        "<script>",
        "x\x00y",
    ):
        forged = {**query, "state": state}
        response = come_back(owner_client, forged, wechat_standin.code_for("oWx-attacker"))
        assert response.status_code == 400, state
    assert not WechatLink.objects.exists()
    # the genuine state still works once
    assert come_back(owner_client, query, wechat_standin.code_for(OPENID)).status_code == 302


def test_a_state_from_another_browser_is_refused(
    client, owner_a, wechat_account, wechat_standin, community_a
):
    """CSRF: an attacker starts a link in their own session and makes the victim come back with
    the attacker's code. The victim's session never got that state."""
    attacker = make_user("attacker", Role.OWNER, community_a)
    client.force_login(attacker)
    query = start(client)
    from django.test import Client

    victim = Client()
    victim.force_login(owner_a)
    response = come_back(victim, query, wechat_standin.code_for("oWx-attacker"))
    assert response.status_code == 400
    assert not WechatLink.objects.exists()


def test_a_stale_state_is_refused(owner_client, wechat_account, wechat_standin):
    with time_machine.travel(datetime.datetime(2026, 7, 8, 2, 0, tzinfo=datetime.UTC), tick=False):
        query = start(owner_client)
    later = datetime.datetime(2026, 7, 8, 2, 11, tzinfo=datetime.UTC)
    with time_machine.travel(later, tick=False):
        response = come_back(owner_client, query, wechat_standin.code_for(OPENID))
    assert response.status_code == 400
    assert not WechatLink.objects.exists()


def test_a_code_wechat_refuses_links_nothing(owner_client, wechat_account, wechat_standin):
    query = start(owner_client)
    response = come_back(owner_client, query, "code-wechat-never-gave")
    assert response.status_code == 400
    assert "微信" in response.content.decode()
    assert not WechatLink.objects.exists()


def test_an_openid_linked_to_another_account_is_refused(
    owner_client, owner_a, wechat_account, wechat_standin, community_a
):
    other = make_user("other_owner", Role.OWNER, community_a)
    WechatLink.objects.create(user=other, app_id=wechat_account.app_id, openid=OPENID)
    query = start(owner_client)
    response = come_back(owner_client, query, wechat_standin.code_for(OPENID))
    assert response.status_code == 400
    assert wechat_openid_for(owner_a) is None


def test_signing_in_with_a_linked_wechat(client, owner_a, wechat_account, wechat_standin):
    WechatLink.objects.create(user=owner_a, app_id=wechat_account.app_id, openid=OPENID)
    assert "使用微信登录" in client.get("/m/login/").content.decode()
    query = start(client, "/m/wechat/sign-in/")
    response = come_back(client, query, wechat_standin.code_for(OPENID))
    assert response.status_code == 302 and response["Location"] == "/m/"
    assert client.get("/m/").wsgi_request.user == owner_a
    # the same state again is refused, even for a fresh code
    client.logout()
    assert come_back(client, query, wechat_standin.code_for(OPENID)).status_code == 400


def test_signing_in_with_an_unlinked_wechat_signs_in_nobody(client, wechat_account, wechat_standin):
    query = start(client, "/m/wechat/sign-in/")
    response = come_back(client, query, wechat_standin.code_for("oWx-stranger"))
    assert response.status_code == 302 and response["Location"] == "/m/login/"
    assert not client.get("/m/login/").wsgi_request.user.is_authenticated


def test_the_pages_refuse_staff_and_strangers(client, personas, wechat_account):
    assert client.post("/m/wechat/link/").status_code == 302  # to the portal sign-in
    for role in ("agent", "admin", "supervisor"):
        client.force_login(personas[role])
        response = client.post("/m/wechat/link/")
        assert response.status_code == 302 and response["Location"].startswith("/m/login/")
    assert not WechatLink.objects.exists()


def test_starting_a_link_needs_a_post(owner_client, wechat_account):
    assert owner_client.get("/m/wechat/link/").status_code == 405
    assert owner_client.get("/m/wechat/sign-in/").status_code == 405


def test_a_callback_for_an_unknown_app_or_purpose_is_refused(owner_client, wechat_account):
    for params in (
        {"app": "wx-unknown", "p": "link"},
        {"app": wechat_account.app_id, "p": "x"},
        {},
        {"app": "a" * 5000, "p": "link"},
    ):
        response = owner_client.get("/m/wechat/callback/", {**params, "code": "c", "state": "s"})
        assert response.status_code == 400


def test_without_an_account_the_page_says_so(owner_client):
    page = owner_client.get("/m/wechat/")
    assert page.status_code == 200
    assert "尚未开通微信服务号" in page.content.decode()
    assert owner_client.post("/m/wechat/link/").status_code == 302


def test_unlinking(owner_client, owner_a, wechat_account):
    WechatLink.objects.create(user=owner_a, app_id=wechat_account.app_id, openid=OPENID)
    assert owner_client.post("/m/wechat/unlink/").status_code == 302
    assert wechat_openid_for(owner_a) is None


def test_the_app_secret_never_reaches_logs_or_pages(
    owner_client, wechat_account, wechat_standin, caplog
):
    with caplog.at_level(logging.DEBUG):
        query = start(owner_client)
        pages = [come_back(owner_client, query, "bad-code"), owner_client.get("/m/wechat/")]
        query = start(owner_client)
        pages.append(come_back(owner_client, query, wechat_standin.code_for(OPENID)))
    secret = wechat_standin.app_secret
    assert secret not in caplog.text
    assert all(secret not in (p.content.decode() + str(p.headers)) for p in pages)
    assert secret not in query["redirect_uri"] and "secret" not in str(query)


def test_openid_for_is_none_for_staff_and_strangers(personas, wechat_account):
    WechatLink.objects.create(user=personas["agent"], app_id=wechat_account.app_id, openid="x")
    assert wechat_openid_for(personas["agent"]) is None
    assert wechat_openid_for(None) is None


def test_the_migration_keeps_wechat_following_a_saved_sms_choice(personas, community_a):
    from importlib import import_module

    quiet = make_user("quiet_owner", Role.OWNER, community_a)
    ContactPreference.objects.create(user=quiet, sms_enabled=False, wechat_enabled=True)
    ContactPreference.objects.create(user=personas["owner"], sms_enabled=True)
    import_module("propdesk.notices.migrations.0004_wechat").keep_wechat_following_sms(apps, None)
    assert ContactPreference.objects.get(user=quiet).wechat_enabled is False
    assert ContactPreference.objects.get(user=personas["owner"]).wechat_enabled is True
