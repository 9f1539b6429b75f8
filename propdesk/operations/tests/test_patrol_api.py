"""The patrol API × every role: points, routes, plans, the patroller's rounds, a check-in by a
point's QR code with its checklist answered, a finding becoming a patrol request, a skipped
point, a finished round; another community's ids, and bad bodies.

Refused calls answer an error body naming the field and write nothing."""

import datetime

import pytest
import time_machine

from propdesk.api.tests.helpers import ROLES, ApiCaller
from propdesk.core.models import AuditEvent
from propdesk.operations.models import (
    PatrolCheck,
    PatrolPlan,
    PatrolPoint,
    PatrolRound,
    PatrolRoute,
    PatrolStop,
)
from propdesk.operations.services import patrol
from propdesk.operations.tests.conftest import at
from propdesk.tickets.models import ServiceRequest

pytestmark = pytest.mark.django_db

NOW = "2026-07-08 22:30"  # the night round (22:00, two hours allowed) is being walked
VIEWERS = {"agent", "supervisor", "technician", "guard", "admin"}
WALKERS = {"supervisor", "technician", "guard", "admin"}
MANAGERS = {"supervisor", "admin"}
# The night round is the guard's: a supervisor may walk any round, a technician not this one.
ROUND_WALKERS = {"supervisor", "guard", "admin"}
BASE = "/api/operations/patrol"


def outcomes(ok: int, allowed: set, *, other_agent: int = 404) -> dict:
    expected = {role: (ok if role in allowed else 403) for role in ROLES}
    expected.update({"owner": 403, "other_agent": other_agent, "anonymous": 401})
    return expected


def snapshot() -> tuple:
    return (
        list(PatrolPoint.objects.order_by("id").values_list("id", "code", "name")),
        list(PatrolRoute.objects.order_by("id").values_list("id", "name")),
        PatrolStop.objects.count(),
        list(PatrolPlan.objects.order_by("id").values_list("id", "name", "every_days")),
        list(PatrolRound.objects.order_by("id").values_list("id", "status", "points_missed")),
        PatrolCheck.objects.count(),
        ServiceRequest.objects.count(),
        AuditEvent.objects.count(),
    )


@pytest.fixture
def api(personas):
    return ApiCaller(personas)


@pytest.fixture
def world(night, personas, house_b):
    """The night round of A, and a route of B (with B's own north gate)."""
    patrol_round, points, other, plan = night
    route_b = patrol.route_create(
        actor=personas["admin"],
        community=house_b.community,
        name="乙区巡逻",
        point_codes=["gate-n"],
    )
    return patrol_round, points, other, plan, route_b


POINT = {"code": "bike-shed", "name": "车棚", "place": "5栋北侧", "checklist": "照明正常"}

ENDPOINTS = {
    "points": ("get", lambda w: f"{BASE}/points", None, outcomes(200, VIEWERS, other_agent=200)),
    "point": ("get", lambda w: f"{BASE}/points/{w[1][0].id}", None, outcomes(200, VIEWERS)),
    "point-create": (
        "post",
        lambda w: f"{BASE}/points",
        lambda w: {**POINT, "building": w[1][0].building_id},
        outcomes(201, MANAGERS, other_agent=403),
    ),
    "routes": ("get", lambda w: f"{BASE}/routes", None, outcomes(200, VIEWERS, other_agent=200)),
    "route": ("get", lambda w: f"{BASE}/routes/{w[0].route_id}", None, outcomes(200, VIEWERS)),
    "route-create": (
        "post",
        lambda w: f"{BASE}/routes",
        lambda w: {
            "community": w[0].community_id,
            "name": "泵房检查",
            "points": ["pump-room", "roof-3"],
        },
        outcomes(201, MANAGERS, other_agent=403),
    ),
    "plans": ("get", lambda w: f"{BASE}/plans", None, outcomes(200, VIEWERS, other_agent=200)),
    "plan-create": (
        "post",
        lambda w: f"{BASE}/plans",
        lambda w: {
            "route": w[0].route_id,
            "name": "每周日间巡逻",
            "every_days": 7,
            "starts_on": "2026-07-10",
            "start_time": "09:00",
        },
        outcomes(201, MANAGERS, other_agent=403),
    ),
    "mine": (
        "get",
        lambda w: f"{BASE}/rounds/mine",
        None,
        outcomes(200, WALKERS, other_agent=403),
    ),
    "round": ("get", lambda w: f"{BASE}/rounds/{w[0].id}", None, outcomes(200, VIEWERS)),
    "check": (
        "post",
        lambda w: f"{BASE}/rounds/{w[0].id}/checks",
        lambda w: {"code": w[1][0].qr_text()},
        outcomes(201, ROUND_WALKERS),
    ),
    "skip": (
        "post",
        lambda w: f"{BASE}/rounds/{w[0].id}/skip",
        lambda w: {"code": "pump-room", "reason": "门锁坏了"},
        outcomes(201, ROUND_WALKERS),
    ),
    "finish": (
        "post",
        lambda w: f"{BASE}/rounds/{w[0].id}/finish",
        lambda w: {},
        outcomes(200, ROUND_WALKERS),
    ),
}
CASES = [(name, role) for name in ENDPOINTS for role in ROLES]


@pytest.mark.parametrize("name, role", CASES, ids=[f"{n}-{r}" for n, r in CASES])
def test_endpoint_for_role(api, world, name, role):
    method, path, body, expected = ENDPOINTS[name]
    before = snapshot()
    with time_machine.travel(at(NOW), tick=False):
        if method == "get":
            response = api.get(role, path(world))
        else:
            response = api.post(role, path(world), body(world))
    assert response.status_code == expected[role], (name, role, response.content[:300])
    if expected[role] >= 400:
        assert response.json()["code"] and response.json()["message"]
        assert snapshot() == before


def test_the_lists_hold_only_the_callers_communities(api, world):
    patrol_round, points, other, plan, route_b = world
    codes = [i["code"] for i in api.get("agent", f"{BASE}/points?limit=100").json()["items"]]
    assert codes == ["garage-1", "gate-n", "pump-room", "roof-3"]
    assert [i["id"] for i in api.get("other_agent", f"{BASE}/points").json()["items"]] == [other.id]
    routes = api.get("agent", f"{BASE}/routes").json()["items"]
    assert [(r["name"], [s["code"] for s in r["stops"]]) for r in routes] == [
        ("夜间安保巡逻", ["gate-n", "garage-1", "pump-room", "roof-3"])
    ]
    assert [r["id"] for r in api.get("other_agent", f"{BASE}/routes").json()["items"]] == [
        route_b.id
    ]
    plans = api.get("agent", f"{BASE}/plans").json()["items"]
    assert [(p["id"], p["every_days"], p["start_time"]) for p in plans] == [
        (plan.id, 1, "22:00:00")
    ]
    assert api.get("other_agent", f"{BASE}/plans").json()["count"] == 0


def test_a_point_shows_its_qr_text_and_checklist(api, world):
    point = world[1][0]
    body = api.get("guard", f"{BASE}/points/{point.id}").json()
    assert body["qr_text"] == f"PDPATROL:{point.community.code}/gate-n"
    assert body["checklist"] == ["门窗关闭", "照明正常"]


def test_the_patrollers_tasks_are_their_open_rounds(api, world):
    patrol_round = world[0]
    with time_machine.travel(at(NOW), tick=False):
        mine = api.get("guard", f"{BASE}/rounds/mine").json()
        supervisors = api.get("supervisor", f"{BASE}/rounds/mine").json()
    assert [(r["id"], r["route_name"], r["status"]) for r in mine["items"]] == [
        (patrol_round.id, "夜间安保巡逻", "scheduled")
    ]
    assert supervisors["count"] == 0  # the round is the guard's


def test_a_round_walked_through_the_api(api, world):
    patrol_round, points, *_ = world
    path = f"{BASE}/rounds/{patrol_round.id}"
    with time_machine.travel(at(NOW), tick=False):
        ok = api.post("guard", f"{path}/checks", {"code": points[0].qr_text()})
        finding = api.post(
            "guard",
            f"{path}/checks",
            {
                "code": points[1].qr_text(),
                "failed": [1],
                "note": "地库入口灯不亮",
                "category": "repair_electric",
            },
        )
        skipped = api.post("guard", f"{path}/skip", {"code": "pump-room", "reason": "门锁坏了"})
        finished = api.post("guard", f"{path}/finish", {})
    assert (ok.status_code, ok.json()["outcome"], ok.json()["request"]) == (201, "ok", None)
    assert ok.json()["answers"] == {"门窗关闭": True, "照明正常": True}
    body = finding.json()
    assert (finding.status_code, body["outcome"], body["sequence"]) == (201, "finding", 2)
    assert body["answers"] == {"门窗关闭": True, "照明正常": False}
    request = ServiceRequest.objects.get(pk=body["request"])
    assert (request.channel, request.category.code) == ("patrol", "repair_electric")
    assert "地库入口灯不亮" in request.description and "照明正常" in request.description
    assert skipped.json()["outcome"] == "skipped"
    detail = finished.json()
    assert (detail["status"], detail["points_checked"], detail["points_missed"]) == ("done", 2, 2)
    assert [(row["code"], row["check"] and row["check"]["outcome"]) for row in detail["sheet"]] == [
        ("gate-n", "ok"),
        ("garage-1", "finding"),
        ("pump-room", "skipped"),
        ("roof-3", None),
    ]
    assert detail["sheet"][1]["check"]["request"] == request.id


def test_a_closed_round_records_nothing_more(api, world):
    patrol_round, points, *_ = world
    with time_machine.travel(at(NOW), tick=False):
        api.post("guard", f"{BASE}/rounds/{patrol_round.id}/finish", {})
        before = snapshot()
        response = api.post(
            "guard", f"{BASE}/rounds/{patrol_round.id}/checks", {"code": points[0].qr_text()}
        )
    assert (response.status_code, response.json()["code"]) == (409, "round_closed")
    assert snapshot() == before


def test_another_communitys_ids_are_404s_naming_the_field(api, world):
    patrol_round, points, other, plan, route_b = world
    before = snapshot()
    assert api.get("supervisor", f"{BASE}/points/{other.id}").status_code == 404
    assert api.get("supervisor", f"{BASE}/routes/{route_b.id}").status_code == 404
    for path, body, field in [
        (f"{BASE}/points", {**POINT, "building": other.building_id}, "building"),
        (
            f"{BASE}/routes",
            {"community": route_b.community_id, "name": "x", "points": ["gate-n"]},
            "community",
        ),  # noqa: E501
        (
            f"{BASE}/plans",
            {
                "route": route_b.id,
                "name": "乙区",
                "every_days": 1,
                "starts_on": "2026-07-10",
                "start_time": "22:00",
            },
            "route",
        ),
    ]:
        response = api.post("supervisor", path, body)
        assert (response.status_code, response.json()["field"]) == (404, field), path
    assert snapshot() == before


@pytest.mark.parametrize(
    "change, field",
    [
        ({"code": ""}, "code"),
        ({"code": "车棚 1"}, "code"),
        ({"code": "x" * 41}, "code"),
        ({"code": "gate-n"}, "code"),  # taken in the community
        ({"name": ""}, "name"),
        ({"name": "<b>车棚</b>"}, "name"),
        ({"name": "车棚\x00"}, "name"),
        ({"place": "x" * 201}, "place"),
        ({"checklist": "x" * 2001}, "checklist"),
        ({"building": "abc"}, "building"),
        ({"building": 0}, "building"),
        ({"building": True}, "building"),
        ({"building": None}, "building"),
    ],
)
def test_bad_points_name_the_field_and_write_nothing(api, world, change, field):
    body = {**POINT, "building": world[1][0].building_id, **change}
    before = snapshot()
    response = api.post("supervisor", f"{BASE}/points", body)
    assert response.status_code in (400, 409, 422), response.content
    assert response.json()["field"] == field
    assert snapshot() == before


@pytest.mark.parametrize(
    "change, field",
    [
        ({"points": []}, "points"),
        ({"points": ["nowhere"]}, "points"),
        ({"points": ["gate-n", "gate-n"]}, "points"),
        ({"points": [f"p{n}" for n in range(61)]}, "points"),
        ({"points": ["<script>"]}, "points"),
        ({"points": "gate-n"}, "points"),
        ({"name": ""}, "name"),
        ({"name": "x" * 101}, "name"),
        ({"community": "A"}, "community"),
    ],
)
def test_bad_routes_name_the_field_and_write_nothing(api, world, change, field):
    body = {"community": world[0].community_id, "name": "泵房检查", "points": ["pump-room"]}
    before = snapshot()
    response = api.post("supervisor", f"{BASE}/routes", {**body, **change})
    assert response.status_code in (400, 409, 422), response.content
    assert response.json()["field"].split(".")[0] == field
    assert snapshot() == before


@pytest.mark.parametrize(
    "change, field, status",
    [
        ({"every_days": 0}, "every_days", 422),
        ({"every_days": 367}, "every_days", 422),
        ({"every_days": "7"}, "every_days", 422),
        ({"every_days": 1.5}, "every_days", 422),
        ({"starts_on": "0000-01-01"}, "starts_on", 422),
        ({"starts_on": "2026-02-30"}, "starts_on", 422),
        ({"starts_on": 1783000000}, "starts_on", 422),
        ({"start_time": "25:00"}, "start_time", 422),
        ({"window_minutes": 5}, "window_minutes", 422),
        ({"window_minutes": 100000}, "window_minutes", 422),
        ({"name": "<img src=x>"}, "name", 422),
        ({"route": "abc"}, "route", 422),
        ({"route": 99999999}, "route", 404),
        ({"assignee": 99999999}, "assignee", 400),
        ({"department": 99999999}, "department", 404),
    ],
)
def test_bad_plans_name_the_field_and_write_nothing(api, world, change, field, status):
    body = {
        "route": world[0].route_id,
        "name": "每周日间巡逻",
        "every_days": 7,
        "starts_on": "2026-07-10",
        "start_time": "09:00",
    }
    before = snapshot()
    response = api.post("supervisor", f"{BASE}/plans", {**body, **change})
    assert response.status_code == status, response.content
    assert response.json()["field"] == field
    assert snapshot() == before


def test_a_plan_for_a_patroller_of_another_community_is_refused(api, world, personas):
    before = snapshot()
    body = {
        "route": world[0].route_id,
        "name": "每周日间巡逻",
        "every_days": 7,
        "starts_on": "2026-07-10",
        "start_time": "09:00",
    }
    for someone in ("other_agent", "cashier"):
        response = api.post(
            "supervisor", f"{BASE}/plans", {**body, "assignee": personas[someone].id}
        )
        assert (response.status_code, response.json()["code"]) == (400, "bad_patroller")
        assert response.json()["field"] == "assignee"
    assert snapshot() == before
    made = api.post("supervisor", f"{BASE}/plans", {**body, "assignee": personas["guard"].id})
    assert made.status_code == 201 and made.json()["assignee"] == personas["guard"].id
    assert PatrolPlan.objects.get(pk=made.json()["id"]).starts_on == datetime.date(2026, 7, 10)


@pytest.mark.parametrize(
    "body, field, code",
    [
        ({"code": ""}, "code", None),
        ({}, "code", None),
        ({"code": "PDPATROL:B/gate-n"}, "code", "point_other_community"),
        ({"code": "nowhere"}, "code", "point_not_on_route"),
        ({"code": "gate-n\x00"}, "code", None),
        ({"code": "x" * 121}, "code", None),
        ({"code": "gate-n", "failed": [5]}, "failed", "bad_answers"),
        ({"code": "gate-n", "failed": [True], "note": "x"}, "failed", None),
        ({"code": "gate-n", "failed": ["0"], "note": "x"}, "failed", None),
        ({"code": "gate-n", "failed": [-1], "note": "x"}, "failed", None),
        ({"code": "gate-n", "failed": "0"}, "failed", None),
        ({"code": "gate-n", "failed": [1]}, "note", "finding_needs_note"),
        ({"code": "gate-n", "finding": True}, "note", "finding_needs_note"),
        ({"code": "gate-n", "note": "x" * 501}, "note", None),
        (
            {"code": "gate-n", "finding": True, "note": "坏了", "category": "rocket"},
            "category",
            None,
        ),
        ({"code": "gate-n", "finding": "maybe", "note": "坏了"}, "finding", None),
    ],
)
def test_bad_check_ins_name_the_field_and_write_nothing(api, world, body, field, code):
    before = snapshot()
    with time_machine.travel(at(NOW), tick=False):
        response = api.post("guard", f"{BASE}/rounds/{world[0].id}/checks", body)
    assert response.status_code in (400, 409, 422), response.content
    assert response.json()["field"].split(".")[0] == field
    if code:
        assert response.json()["code"] == code
    assert snapshot() == before


def test_a_point_is_checked_once_on_a_round(api, world):
    patrol_round, points, *_ = world
    path = f"{BASE}/rounds/{patrol_round.id}/checks"
    with time_machine.travel(at(NOW), tick=False):
        assert api.post("guard", path, {"code": "gate-n"}).status_code == 201
        before = snapshot()
        again = api.post("guard", path, {"code": points[0].qr_text()})
        skipped = api.post(
            "guard", f"{BASE}/rounds/{patrol_round.id}/skip", {"code": "gate-n", "reason": "x"}
        )
    assert (again.status_code, again.json()["code"]) == (409, "point_already_checked")
    assert (skipped.status_code, skipped.json()["field"]) == (409, "code")
    assert snapshot() == before


@pytest.mark.parametrize(
    "body, field",
    [({"code": "pump-room"}, "reason"), ({"code": "pump-room", "reason": ""}, "reason")],
)
def test_a_skip_needs_its_reason(api, world, body, field):
    before = snapshot()
    response = api.post("guard", f"{BASE}/rounds/{world[0].id}/skip", body)
    assert (response.status_code, response.json()["field"]) == (422, field)
    assert snapshot() == before
