"""The visit log, special-care and duty-roster endpoints × every role; another community's ids
are 404 naming the field; bad input is a 4xx naming the field and writes nothing."""

import datetime
import json

import pytest

from propdesk.api.tests.helpers import ROLES
from propdesk.community.tests.conftest import at, community_snapshot
from propdesk.core.models import AccessLog

DESK = {"agent", "supervisor", "guard", "admin"}
CARE = {"agent", "supervisor", "admin"}
REVEAL = {"supervisor", "admin"}
VIEWERS = {"agent", "supervisor", "technician", "guard", "admin"}
PLANNERS = {"supervisor", "admin"}


def outcomes(ok: int, allowed: set, *, other_agent: int = 404) -> dict:
    expected = {role: (ok if role in allowed else 403) for role in ROLES}
    expected.update({"owner": 403, "other_agent": other_agent, "anonymous": 401})
    return expected


@pytest.fixture
def desk_world(staff, house_a, house_b, admin, supervisor, community_a, community_b):
    from types import SimpleNamespace

    from propdesk.community.services import care, desk, incidents

    grandma = care.care_resident_add(
        actor=admin,
        house=house_a,
        name="王奶奶",
        mobile="13600000001",
        category="elderly_alone",
        emergency_mobile="13600000002",
        health_notes="高血压",
    )
    grandpa_b = care.care_resident_add(
        actor=admin, house=house_b, name="李爷爷", category="disabled"
    )
    care.care_calls_start(
        community_id=community_a.id,
        reason="台风",
        source="warning:1",
        due_at=at("2026-07-10 16:00"),
    )
    care.care_calls_start(
        community_id=community_b.id,
        reason="台风",
        source="warning:2",
        due_at=at("2026-07-10 16:00"),
    )
    visit = desk.desk_visit_record(
        actor=admin,
        community=community_a,
        visitor_name="张三",
        visitor_mobile="13812345678",
        house=house_a,
        purpose="inquiry",
        details="问装修押金",
        outcome="answered",
    )
    shift = incidents.duty_shift_add(
        actor=admin,
        community=community_a,
        user=staff["technician"],
        starts_at=at("2026-07-10 08:00"),
        ends_at=at("2026-07-10 20:00"),
    )
    return SimpleNamespace(
        community=community_a,
        community_b=community_b,
        house=house_a,
        house_b=house_b,
        grandma=grandma,
        grandpa_b=grandpa_b,
        call=grandma.calls.get(),
        call_b=grandpa_b.calls.get(),
        visit=visit,
        shift=shift,
        technician=staff["technician"],
        guard=staff["guard"],
    )


ENDPOINTS = {
    "visits": (
        "get",
        lambda w: "/api/community/visits",
        None,
        outcomes(200, DESK, other_agent=200),
    ),
    "visit_record": (
        "post",
        lambda w: "/api/community/visits",
        lambda w: {
            "community": w.community.id,
            "visitor_name": "李四",
            "house": w.house.id,
            "purpose": "fees",
            "details": "问物业费",
            "outcome": "answered",
        },
        outcomes(201, DESK),
    ),
    "care_list": (
        "get",
        lambda w: "/api/community/care",
        None,
        outcomes(200, CARE, other_agent=200),
    ),
    "care_add": (
        "post",
        lambda w: "/api/community/care",
        lambda w: {"house": w.house.id, "name": "赵爷爷", "category": "elderly_alone"},
        outcomes(201, CARE),
    ),
    "care_detail": (
        "get",
        lambda w: f"/api/community/care/{w.grandma.id}",
        None,
        outcomes(200, CARE),
    ),
    "care_update": (
        "patch",
        lambda w: f"/api/community/care/{w.grandma.id}",
        lambda w: {"visit_every_days": 14},
        outcomes(200, CARE),
    ),
    "care_visits": (
        "get",
        lambda w: f"/api/community/care/{w.grandma.id}/visits",
        None,
        outcomes(200, CARE),
    ),
    "care_visit": (
        "post",
        lambda w: f"/api/community/care/{w.grandma.id}/visits",
        lambda w: {"visited_on": "2026-07-10", "findings": "精神不错"},
        outcomes(201, CARE),
    ),
    "care_reveal": (
        "post",
        lambda w: f"/api/community/care/{w.grandma.id}/reveal",
        lambda w: {"reason": "台风前电话"},
        outcomes(200, REVEAL),
    ),
    "care_calls": (
        "get",
        lambda w: "/api/community/care/calls",
        None,
        outcomes(200, CARE, other_agent=200),
    ),
    "care_call_done": (
        "post",
        lambda w: f"/api/community/care/calls/{w.call.id}/done",
        lambda w: {"outcome": "已电话提醒关好门窗"},
        outcomes(200, CARE),
    ),
    "duty": (
        "get",
        lambda w: f"/api/community/duty?community={w.community.id}",
        None,
        outcomes(200, VIEWERS),
    ),
    "duty_add": (
        "post",
        lambda w: "/api/community/duty",
        lambda w: {
            "community": w.community.id,
            "user": w.guard.id,
            "starts_at": "2026-07-10T20:00:00+08:00",
            "ends_at": "2026-07-11T08:00:00+08:00",
        },
        outcomes(201, PLANNERS, other_agent=403),
    ),
    "duty_remove": (
        "delete",
        lambda w: f"/api/community/duty/{w.shift.id}",
        None,
        outcomes(204, PLANNERS, other_agent=403),
    ),
}
CASES = [(name, role) for name in ENDPOINTS for role in ROLES]


def _call(api, role, method, path, body):
    if method == "get":
        return api.get(role, path)
    if method == "delete":
        return api.client(role).delete(path)
    return getattr(api, method)(role, path, body)


@pytest.mark.parametrize(("name", "role"), CASES, ids=[f"{n}-{r}" for n, r in CASES])
def test_endpoint_for_role(api, desk_world, name, role):
    method, path, body, expected = ENDPOINTS[name]
    before = community_snapshot()
    access_before = AccessLog.objects.count()
    response = _call(api, role, method, path(desk_world), body(desk_world) if body else None)
    assert response.status_code == expected[role], (name, role, response.content[:300])
    if expected[role] >= 400:
        payload = response.json()
        assert payload["code"] and payload["message"]
        assert community_snapshot() == before
        assert AccessLog.objects.count() == access_before


def test_lists_show_only_the_callers_communities_and_mask_mobiles(api, desk_world):
    rows = api.get("agent", "/api/community/care").json()["items"]
    assert [(r["name"], r["mobile_masked"], r["has_health_notes"]) for r in rows] == [
        ("王奶奶", "136****0001", True)
    ]
    assert "高血压" not in json.dumps(rows, ensure_ascii=False)
    other = api.get("other_agent", "/api/community/care").json()["items"]
    assert [r["name"] for r in other] == ["李爷爷"]
    visits = api.get("agent", "/api/community/visits").json()["items"]
    assert [(v["visitor_name"], v["visitor_mobile_masked"]) for v in visits] == [
        ("张三", "138****5678")
    ]
    assert api.get("other_agent", "/api/community/visits").json()["items"] == []
    calls = api.get("other_agent", "/api/community/care/calls").json()
    assert [c["resident_name"] for c in calls] == ["李爷爷"]


def test_the_reveal_is_logged_and_shows_the_details(api, desk_world):
    response = api.post("supervisor", f"/api/community/care/{desk_world.grandma.id}/reveal", {})
    assert response.json() == {"health_notes": "高血压"}
    assert AccessLog.objects.filter(field="health_notes").count() == 1


def test_a_callback_visit_becomes_an_inquiry_request(api, desk_world):
    response = api.post(
        "agent",
        "/api/community/visits",
        {
            "community": desk_world.community.id,
            "visitor_name": "李四",
            "house": desk_world.house.id,
            "purpose": "inquiry",
            "details": "问停车位租金",
            "outcome": "callback",
            "callback_at": "2026-07-11T10:00:00+08:00",
            "category": "parking",
        },
    )
    assert response.status_code == 201, response.content
    assert response.json()["request"]


def test_a_visit_with_a_need_becomes_a_help_request(api, desk_world):
    response = api.post(
        "agent",
        f"/api/community/care/{desk_world.grandma.id}/visits",
        {"visited_on": "2026-07-10", "findings": "灯坏了", "need": "更换厨房灯泡"},
    )
    assert response.status_code == 201, response.content
    desk_world.grandma.refresh_from_db()
    assert response.json()["request"]
    assert desk_world.grandma.next_visit_on == datetime.date(2026, 8, 9)


FOREIGN = [
    ("post", "/api/community/visits", lambda w: {"community": w.community_b.id}, "community"),
    ("post", "/api/community/visits", lambda w: {"house": w.house_b.id}, "house"),
    ("post", "/api/community/care", lambda w: {"house": w.house_b.id}, "house"),
    ("post", "/api/community/duty", lambda w: {"community": w.community_b.id}, "community"),
    ("post", "/api/community/duty", lambda w: {"user": w.grandma.id + 10_000}, "user"),
]


def _visit_body(w):
    return {
        "community": w.community.id,
        "visitor_name": "李四",
        "house": w.house.id,
        "purpose": "fees",
        "details": "问物业费",
        "outcome": "answered",
    }


def _care_body(w):
    return {"house": w.house.id, "name": "赵爷爷", "category": "elderly_alone"}


def _duty_body(w):
    return {
        "community": w.community.id,
        "user": w.guard.id,
        "starts_at": "2026-07-10T20:00:00+08:00",
        "ends_at": "2026-07-11T08:00:00+08:00",
    }


BASE = {
    "/api/community/visits": _visit_body,
    "/api/community/care": _care_body,
    "/api/community/duty": _duty_body,
}


@pytest.mark.parametrize(("method", "path", "changes", "field"), FOREIGN)
def test_another_communitys_ids_are_not_found(api, desk_world, method, path, changes, field):
    body = {**BASE[path](desk_world), **changes(desk_world)}
    before = community_snapshot()
    response = api.post("supervisor", path, body)
    assert response.status_code == 404, response.content
    assert response.json()["field"] == field
    assert community_snapshot() == before


@pytest.mark.parametrize(
    "path",
    [
        "/api/community/care/{b}",
        "/api/community/care/{b}/visits",
    ],
)
def test_another_communitys_resident_is_not_found(api, desk_world, path):
    response = api.get("agent", path.format(b=desk_world.grandpa_b.id))
    assert response.status_code == 404


def test_another_communitys_call_is_not_found(api, desk_world):
    before = community_snapshot()
    response = api.post(
        "agent", f"/api/community/care/calls/{desk_world.call_b.id}/done", {"outcome": "x"}
    )
    assert response.status_code == 404
    assert community_snapshot() == before


def test_a_staff_member_of_another_community_cannot_go_on_the_roster(api, desk_world, personas):
    body = {**_duty_body(desk_world), "user": personas["other_agent"].id}
    before = community_snapshot()
    response = api.post("supervisor", "/api/community/duty", body)
    assert (response.status_code, response.json()["field"]) == (404, "user")
    assert community_snapshot() == before


BAD = [
    ("/api/community/visits", {"visitor_name": ""}, "visitor_name"),
    ("/api/community/visits", {"visitor_name": "<script>"}, "visitor_name"),
    ("/api/community/visits", {"visitor_name": "张\x00三"}, "visitor_name"),
    ("/api/community/visits", {"details": "x" * 2001}, "details"),
    ("/api/community/visits", {"details": "'; DROP TABLE community_deskvisit; --\x00"}, "details"),
    ("/api/community/visits", {"purpose": "chat"}, "purpose"),
    ("/api/community/visits", {"visitor_mobile": "abc"}, "visitor_mobile"),
    ("/api/community/visits", {"visitor_mobile": "12345"}, "visitor_mobile"),
    ("/api/community/visits", {"outcome": "referred"}, "referred_to"),
    ("/api/community/visits", {"outcome": "callback"}, "callback_at"),
    ("/api/community/visits", {"community": "1"}, "community"),
    ("/api/community/visits", {"house": True}, "house"),
    ("/api/community/visits", {"visited_at": "2020-01-01T00:00:00+08:00"}, "visited_at"),
    ("/api/community/visits", {"callback_at": "tomorrow"}, "callback_at"),
    ("/api/community/care", {"name": ""}, "name"),
    ("/api/community/care", {"category": "vip"}, "category"),
    ("/api/community/care", {"visit_every_days": 0}, "visit_every_days"),
    ("/api/community/care", {"visit_every_days": "30"}, "visit_every_days"),
    ("/api/community/care", {"visit_every_days": 10**9}, "visit_every_days"),
    ("/api/community/care", {"health_notes": "a\x00b"}, "health_notes"),
    ("/api/community/care", {"mobile": "1380000"}, "mobile"),
    ("/api/community/duty", {"ends_at": "2026-07-10T19:00:00+08:00"}, "ends_at"),
    ("/api/community/duty", {"ends_at": "2026-07-12T20:00:00+08:00"}, "ends_at"),
    ("/api/community/duty", {"starts_at": "2030-01-01T00:00:00+08:00"}, "starts_at"),
    ("/api/community/duty", {"starts_at": None}, "starts_at"),
]


@pytest.mark.parametrize(("path", "changes", "field"), BAD)
def test_it_refuses_bad_input(api, desk_world, path, changes, field):
    body = {**BASE[path](desk_world), **changes}
    before = community_snapshot()
    response = api.post("supervisor", path, body)
    assert 400 <= response.status_code < 500, response.content
    payload = response.json()
    fields = {payload.get("field"), *(e["field"] for e in payload.get("errors", []))}
    assert field in fields, payload
    assert community_snapshot() == before


@pytest.mark.parametrize(
    ("path", "body", "field"),
    [
        ("visits", {"visited_on": "2026-13-01", "findings": "x"}, "visited_on"),
        ("visits", {"visited_on": "2026-07-11", "findings": "x"}, "visited_on"),
        ("visits", {"visited_on": "2026-01-01", "findings": "x"}, "visited_on"),
        ("visits", {"visited_on": "2026-07-10", "findings": ""}, "findings"),
        ("visits", {"visited_on": 20260710, "findings": "x"}, "visited_on"),
        ("reveal", {"reason": "x" * 201}, "reason"),
    ],
)
def test_resident_writes_refuse_bad_input(api, desk_world, path, body, field):
    before = community_snapshot()
    access_before = AccessLog.objects.count()
    response = api.post("supervisor", f"/api/community/care/{desk_world.grandma.id}/{path}", body)
    assert 400 <= response.status_code < 500, response.content
    payload = response.json()
    fields = {payload.get("field"), *(e["field"] for e in payload.get("errors", []))}
    assert field in fields, payload
    assert community_snapshot() == before
    assert AccessLog.objects.count() == access_before


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"name": None}, "name"),
        ({"visit_every_days": -1}, "visit_every_days"),
        ({"category": "<b>"}, "category"),
        ({"notes": "x" * 301}, "notes"),
    ],
)
def test_a_resident_update_refuses_bad_input(api, desk_world, body, field):
    before = community_snapshot()
    response = api.patch("supervisor", f"/api/community/care/{desk_world.grandma.id}", body)
    assert 400 <= response.status_code < 500, response.content
    payload = response.json()
    fields = {payload.get("field"), *(e["field"] for e in payload.get("errors", []))}
    assert field in fields, payload
    assert community_snapshot() == before


def test_a_replayed_call_record_is_refused(api, desk_world):
    path = f"/api/community/care/calls/{desk_world.call.id}/done"
    assert api.post("agent", path, {"outcome": "已提醒"}).status_code == 200
    before = community_snapshot()
    response = api.post("agent", path, {"outcome": "已提醒"})
    assert (response.status_code, response.json()["code"]) == (409, "already_recorded")
    assert community_snapshot() == before
