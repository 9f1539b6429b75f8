"""POST /api/assistant/triage for every role, with bad and hostile input."""

import json

import pytest

from propdesk.api.tests.helpers import ROLES, ApiCaller

URL = "/api/assistant/triage"
WATER = "楼上水管爆了，水从天花板往下流，客厅已经淹了，请马上派人来"

ALLOWED = {"agent", "supervisor", "technician", "cashier", "guard", "admin", "other_agent"}


@pytest.fixture
def caller(personas):
    return ApiCaller(personas)


@pytest.mark.parametrize("role", ROLES)
def test_triage_per_role(caller, role):
    response = caller.post(role, URL, {"text": WATER})
    if role in ALLOWED:
        assert response.status_code == 200, response.content
        body = response.json()
        assert set(body) == {"category", "kind", "urgency", "department", "confidence", "evidence"}
        assert body["category"] == "repair_water"
        assert body["urgency"] == "emergency"
        assert body["department"] == "engineering"
        assert set(body["confidence"]) == {"category", "kind", "urgency"}
        assert all(0 <= v <= 1 for v in body["confidence"].values())
        assert body["evidence"]
    else:
        assert response.status_code == {"owner": 403, "anonymous": 401}[role]
        assert response.json()["code"]


def test_triage_in_a_named_community(caller, community_a):
    response = caller.post("agent", URL, {"text": WATER, "community": community_a.id})
    assert response.status_code == 200
    assert response.json()["department"] == "engineering"


def test_another_communitys_id_is_not_found(caller, community_a):
    response = caller.post("other_agent", URL, {"text": WATER, "community": community_a.id})
    assert response.status_code == 404
    assert response.json()["field"] == "community"


def test_token_authentication(personas, client):
    from propdesk.accounts import services

    _token, key = services.api_token_create(
        actor=personas["admin"], user=personas["agent"], name="triage"
    )
    response = client.post(
        URL,
        json.dumps({"text": WATER}),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {key}",
    )
    assert response.status_code == 200
    assert response.json()["category"] == "repair_water"


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("", "required"),
        ("   ", "required"),
        ("电梯坏了", "too_short"),  # 4 characters
        ("水" * 5001, "too_long"),
        ("水" * 100_000, "too_long"),
        ("电梯坏了\x00啊啊", "bad_characters"),
    ],
)
def test_bad_text_is_refused_naming_the_field(caller, text, code):
    response = caller.post("agent", URL, {"text": text})
    assert response.status_code == 400, response.content
    body = response.json()
    assert body["field"] == "text"
    assert body["code"] == code
    assert body["message"]


@pytest.mark.parametrize("body", [{}, {"text": None}, {"text": 12345}, {"text": ["电梯坏了啊"]}])
def test_missing_or_wrong_type(caller, body):
    response = caller.post("agent", URL, body)
    assert 400 <= response.status_code < 500
    assert response.json()["field"] == "text"


def test_five_and_five_thousand_characters_are_accepted(caller):
    assert caller.post("agent", URL, {"text": "电梯坏了啊"}).status_code == 200
    assert caller.post("agent", URL, {"text": "楼道灯坏了" * 1000}).status_code == 200


@pytest.mark.parametrize(
    "text", ["The lift is broken again please fix", "😡😡😡😡😡😡", "!!!!!!!!", "12345678"]
)
def test_non_chinese_text_gets_an_unsure_suggestion(caller, text):
    response = caller.post("agent", URL, {"text": text})
    assert response.status_code == 200
    assert response.json()["confidence"]["category"] < 0.5


def test_hostile_markup_is_only_text(caller):
    hostile = '<script>alert("x")</script><img src=x onerror=alert(1)>楼道灯坏了，晚上很黑'
    response = caller.post("agent", URL, {"text": hostile})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    assert response.json()["category"]


def test_body_that_is_not_json(caller):
    response = caller.raw("agent", "post", URL, b"\xff\xfe\x00binary", "application/json")
    assert response.status_code == 400


def test_a_feared_danger_is_normal(caller):
    response = caller.post("agent", URL, {"text": "楼道堆满杂物，一旦发生火灾后果不堪设想"})
    assert response.json()["urgency"] == "normal"
