"""Every notices endpoint × every role: who may call it; refused calls write nothing."""

import datetime
import json

import pytest

from propdesk.api.tests.helpers import ROLES
from propdesk.notices.models import NotificationTemplate
from propdesk.notices.tests.conftest import notices_snapshot

WRITERS = {"agent", "supervisor", "admin"}
PUBLISHERS = {"supervisor", "admin"}


def outcomes(ok: int, allowed: set, *, owner: int = 403, other_agent: int = 404) -> dict:
    expected = {role: (ok if role in allowed else 403) for role in ROLES}
    expected.update({"owner": owner, "other_agent": other_agent, "anonymous": 401})
    if "owner" in allowed:
        expected["owner"] = ok
    return expected


def owners_only(ok: int = 200) -> dict:
    expected = {role: 403 for role in ROLES}
    expected.update({"owner": ok, "anonymous": 401})
    return expected


def _template(w):
    return NotificationTemplate.objects.get(event="bill.issued", channel="any").id


ENDPOINTS = {
    "list": (
        "get",
        lambda w: "/api/notices/announcements",
        None,
        outcomes(200, WRITERS, other_agent=200),
    ),
    "create": (
        "post",
        lambda w: "/api/notices/announcements",
        lambda w: {"community": w.community_a.id, "title": "新公告", "body": "正文"},
        outcomes(201, WRITERS),
    ),
    "detail": (
        "get",
        lambda w: f"/api/notices/announcements/{w.draft.id}",
        None,
        outcomes(200, WRITERS),
    ),
    "update": (
        "put",
        lambda w: f"/api/notices/announcements/{w.draft.id}",
        lambda w: {"title": "改", "body": "正文"},
        outcomes(200, WRITERS),
    ),
    "publish": (
        "post",
        lambda w: f"/api/notices/announcements/{w.draft.id}/publish",
        lambda w: {},
        outcomes(200, PUBLISHERS),
    ),
    "withdraw": (
        "post",
        lambda w: f"/api/notices/announcements/{w.all_a.id}/withdraw",
        None,
        outcomes(200, PUBLISHERS),
    ),
    "templates": (
        "get",
        lambda w: "/api/notices/templates",
        None,
        outcomes(200, {"admin"}, other_agent=403),
    ),
    "template_update": (
        "put",
        lambda w: f"/api/notices/templates/{_template(w)}",
        lambda w: {"subject": "账单", "body": "{house}{amount}"},
        outcomes(200, {"admin"}, other_agent=403),
    ),
    "template_create": (
        "post",
        lambda w: "/api/notices/templates",
        lambda w: {"community": w.community_a.id, "event": "announcement", "body": "{title}"},
        outcomes(201, {"admin"}, other_agent=403),
    ),
    "preview": (
        "post",
        lambda w: "/api/notices/templates/preview",
        lambda w: {"event": "announcement", "body": "{title}"},
        outcomes(200, {"admin"}, other_agent=403),
    ),
    "my_announcements": ("get", lambda w: "/api/notices/my/announcements", None, owners_only()),
    "my_announcement": (
        "get",
        lambda w: f"/api/notices/my/announcements/{w.all_a.id}",
        None,
        owners_only(),
    ),
    "my_inbox": ("get", lambda w: "/api/notices/my/inbox", None, owners_only()),
    "my_read": ("post", lambda w: f"/api/notices/my/inbox/{w.mine.id}/read", None, owners_only()),
    "my_unread": ("get", lambda w: "/api/notices/my/unread", None, owners_only()),
    "my_preferences": ("get", lambda w: "/api/notices/my/preferences", None, owners_only()),
    "my_preferences_save": (
        "put",
        lambda w: "/api/notices/my/preferences",
        lambda w: {
            "sms_enabled": True,
            "email_enabled": False,
            "email": "",
            "quiet_hours_enabled": True,
            "quiet_start": "22:00",
            "quiet_end": "08:00",
        },
        owners_only(),
    ),
}
READS = {
    "list",
    "detail",
    "templates",
    "my_announcements",
    "my_inbox",
    "my_unread",
    "my_preferences",
}


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("endpoint", list(ENDPOINTS))
def test_each_endpoint_answers_each_role_by_the_policy(api, world, endpoint, role):
    method, path, body, expected = ENDPOINTS[endpoint]
    before = notices_snapshot()
    client = api.client(role)
    if method == "get":
        response = client.get(path(world))
    else:
        payload = json.dumps(body(world) if body else {})
        response = getattr(client, method)(path(world), payload, content_type="application/json")
    assert response.status_code == expected[role], response.content
    if response.status_code >= 400:
        assert response.json()["code"]
        assert notices_snapshot() == before
    elif endpoint in READS:
        assert notices_snapshot() == before


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"title": "", "body": "b"}, "title"),
        ({"title": "x" * 101, "body": "b"}, "title"),
        ({"title": "t", "body": "x" * 10_000}, "body"),
        ({"title": "t", "body": "b", "buildings": ["1"]}, "buildings.0"),
        ({"title": "t", "body": "b", "urgent": "perhaps"}, "urgent"),
        ({"title": 5, "body": "b"}, "title"),
        ({"title": "t", "body": "b", "community": "1; DROP TABLE"}, "community"),
    ],
)
def test_bad_announcement_input_names_the_field(api, world, body, field):
    before = notices_snapshot()
    payload = {"community": world.community_a.id, **body}
    response = api.post("agent", "/api/notices/announcements", payload)
    assert 400 <= response.status_code < 500, response.content
    data = response.json()
    assert field in {data["field"], *(e["field"] for e in data.get("errors", []))}, data
    assert notices_snapshot() == before


def test_another_communitys_building_and_community_are_refused(api, world, house_b):
    before = notices_snapshot()
    response = api.post(
        "agent",
        "/api/notices/announcements",
        {
            "community": world.community_a.id,
            "title": "t",
            "body": "b",
            "buildings": [house_b.building_id],
        },
    )
    assert (response.status_code, response.json()["field"]) == (400, "buildings")
    response = api.post(
        "agent",
        "/api/notices/announcements",
        {"community": world.community_b.id, "title": "t", "body": "b"},
    )
    assert (response.status_code, response.json()["field"]) == (404, "community")
    assert notices_snapshot() == before


def test_scheduling_over_the_api(api, world):
    response = api.post(
        "supervisor",
        f"/api/notices/announcements/{world.draft.id}/publish",
        {"publish_at": "2099-01-01T09:00:00+08:00"},
    )
    assert (response.status_code, response.json()["field"]) == (400, "publish_at")
    response = api.post(
        "supervisor", f"/api/notices/announcements/{world.draft.id}/publish", {"publish_at": "soon"}
    )
    assert response.status_code == 422


def test_the_api_shows_when_the_messages_were_queued(api, world, clock):
    from propdesk.notices.services.announcements import announcement_deliver_pending
    from propdesk.notices.tests.conftest import at

    url = f"/api/notices/announcements/{world.draft.id}"
    published = api.post("supervisor", url + "/publish").json()
    assert (published["status"], published["recipients"], published["delivered_at"]) == (
        "published",
        0,
        None,
    )
    assert api.get("agent", url).json()["delivered_at"] is None
    announcement_deliver_pending(world.draft.id)
    shown = api.get("agent", url).json()
    assert shown["recipients"] == 2  # 张三 and 李四
    assert datetime.datetime.fromisoformat(shown["delivered_at"]) == at("2026-07-08 10:00")
    listed = api.get("agent", "/api/notices/announcements", {"status": "published"}).json()
    assert all(item["delivered_at"] for item in listed["items"])


def test_hostile_templates_are_refused_over_the_api(api, world):
    before = notices_snapshot()
    template = NotificationTemplate.objects.get(event="bill.issued", channel="any")
    response = api.client("admin").put(
        f"/api/notices/templates/{template.id}",
        json.dumps({"subject": "", "body": "{house.__class__.__init__.__globals__}"}),
        content_type="application/json",
    )
    assert (response.status_code, response.json()["field"]) == (400, "body")
    assert notices_snapshot() == before


def test_the_owner_feed_marks_read_and_counts(api, world):
    client = api.client("owner")
    feed = client.get("/api/notices/my/announcements").json()
    assert [(a["title"], a["is_read"]) for a in feed["items"]] == [("甲小区全体公告", False)]
    assert client.get(f"/api/notices/my/announcements/{world.all_a.id}").json()["is_read"] is True
    assert client.get("/api/notices/my/unread").json() == {"announcements": 0, "inbox": 1}


@pytest.mark.parametrize(
    "change",
    [{"quiet_start": "25:00"}, {"quiet_end": "7am"}, {"sms_enabled": "maybe"}, {"email": "a\nb"}],
)
def test_bad_preferences_are_refused(api, world, change):
    body = {
        "sms_enabled": True,
        "email_enabled": False,
        "email": "",
        "quiet_hours_enabled": True,
        "quiet_start": "22:00",
        "quiet_end": "08:00",
        **change,
    }
    before = notices_snapshot()
    response = api.client("owner").put(
        "/api/notices/my/preferences", json.dumps(body), content_type="application/json"
    )
    assert response.status_code == 422
    assert notices_snapshot() == before
