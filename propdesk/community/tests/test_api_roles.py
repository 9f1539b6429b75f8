"""Every community endpoint × every role: who may call it, and what the others get. Refused
calls (403 role, 404 another community's record, 401 anonymous) return an error body and write
nothing."""

import pytest

from propdesk.api.tests.helpers import ROLES
from propdesk.community.tests.conftest import community_snapshot

VIEWERS = {"agent", "supervisor", "technician", "guard", "admin"}
WORKERS = VIEWERS
OPENERS = {"agent", "supervisor", "guard", "admin"}
BROADCASTERS = {"agent", "supervisor", "admin"}
CLOSERS = {"supervisor", "admin"}
REQUESTERS = {"agent", "supervisor", "technician", "guard", "admin"}


def outcomes(ok: int, allowed: set, *, owner: int = 403, other_agent: int = 404) -> dict:
    expected = {role: (ok if role in allowed else 403) for role in ROLES}
    expected.update({"owner": owner, "other_agent": other_agent, "anonymous": 401})
    return expected


def i(w) -> int:
    return w.incident.id


ENDPOINTS = {
    "list": (
        "get",
        lambda w: "/api/community/incidents",
        None,
        outcomes(200, VIEWERS, other_agent=200),
    ),
    "open": (
        "post",
        lambda w: "/api/community/incidents",
        lambda w: {
            "community": w.community.id,
            "kind": "water_cut",
            "severity": "minor",
            "place": "3号楼",
            "buildings": [w.building.id],
        },
        outcomes(201, OPENERS),
    ),
    "detail": ("get", lambda w: f"/api/community/incidents/{i(w)}", None, outcomes(200, VIEWERS)),
    "task_done": (
        "post",
        lambda w: f"/api/community/incidents/{i(w)}/tasks/{w.task.id}/done",
        lambda w: {"note": "已联系"},
        outcomes(200, WORKERS),
    ),
    "broadcast": (
        "post",
        lambda w: f"/api/community/incidents/{i(w)}/broadcasts",
        lambda w: {"text": "抢修中，预计晚上7点恢复供电。"},
        outcomes(201, BROADCASTERS),
    ),
    "link_house": (
        "post",
        lambda w: f"/api/community/incidents/{i(w)}/links",
        lambda w: {"house": w.house.id, "caller_name": "李四", "note": "家里停电"},
        outcomes(201, WORKERS),
    ),
    "link_request": (
        "post",
        lambda w: f"/api/community/incidents/{i(w)}/links",
        lambda w: {"request": w.request.id},
        outcomes(201, {"agent", "supervisor", "technician", "guard", "admin"}),
    ),
    "note": (
        "post",
        lambda w: f"/api/community/incidents/{i(w)}/notes",
        lambda w: {"note": "电力公司已到场"},
        outcomes(201, WORKERS),
    ),
    "close": (
        "post",
        lambda w: f"/api/community/incidents/{i(w)}/close",
        lambda w: {"cause": "线路故障", "measures": "抢修", "prevention": ["备用发电机"]},
        outcomes(200, CLOSERS),
    ),
    "follow_up": (
        "post",
        lambda w: f"/api/community/incidents/{w.closed.id}/follow-ups/{w.item.id}/request",
        lambda w: {},
        outcomes(201, REQUESTERS),
    ),
    "report": (
        "get",
        lambda w: f"/api/community/incidents/{i(w)}/report.pdf",
        None,
        outcomes(200, VIEWERS),
    ),
    "plan": (
        "get",
        lambda w: f"/api/community/plans/{w.community.id}/fire",
        None,
        outcomes(200, VIEWERS),
    ),
    "plan_update": (
        "put",
        lambda w: f"/api/community/plans/{w.community.id}/fire",
        lambda w: {"steps": [{"title": "拨打119", "due_minutes": 1}]},
        outcomes(200, CLOSERS, other_agent=403),
    ),
    "my_incidents": (
        "get",
        lambda w: "/api/community/my/incidents",
        None,
        {**{r: 200 for r in ROLES}, "anonymous": 401},
    ),
}
CASES = [(name, role) for name in ENDPOINTS for role in ROLES]


@pytest.mark.parametrize(("name", "role"), CASES, ids=[f"{n}-{r}" for n, r in CASES])
def test_endpoint_for_role(api, world, name, role):
    method, path, body, expected = ENDPOINTS[name]
    before = community_snapshot()
    if method == "get":
        response = api.get(role, path(world))
    elif method == "put":
        import json

        response = api.client(role).put(
            path(world), json.dumps(body(world)), content_type="application/json"
        )
    else:
        response = getattr(api, method)(role, path(world), body(world))
    assert response.status_code == expected[role], (name, role, response.content[:300])
    if expected[role] >= 400:
        body_json = response.json()
        assert body_json["code"] and body_json["message"]
        assert community_snapshot() == before


def test_the_list_shows_only_the_callers_communities(api, world):
    numbers = {
        row["number"] for row in api.get("agent", "/api/community/incidents").json()["items"]
    }
    assert world.incident.number in numbers and world.incident_b.number not in numbers
    other = api.get("other_agent", "/api/community/incidents").json()["items"]
    assert [row["number"] for row in other] == [world.incident_b.number]


def test_the_owner_sees_the_active_incident_of_their_house(api, world, owner_a):
    rows = api.get("owner", "/api/community/my/incidents").json()
    assert [(r["kind_label"], r["houses"]) for r in rows] == [("停电", ["3-2-1502"])]
    assert "预计" in rows[0]["latest_notice"]


@pytest.mark.parametrize(
    ("path", "body", "field", "status"),
    [
        ("links", lambda w: {"request": w.request_b.id}, "request", 404),
        ("links", lambda w: {"house": w.house_b.id, "note": "x"}, "house", 404),
        ("links", lambda w: {"house": "abc"}, "house", 422),
        ("links", lambda w: {"house": True}, "house", 422),
        ("links", lambda w: {"note": "x" * 501, "house": w.house.id}, "note", 422),
        ("broadcasts", lambda w: {"text": ""}, "text", 422),
        ("broadcasts", lambda w: {"text": "a\x00b"}, "text", 400),
        ("broadcasts", lambda w: {"text": "x", "kind": "opened"}, "kind", 400),
        (
            "broadcasts",
            lambda w: {"text": "x", "expected_restore_at": "soon"},
            "expected_restore_at",
            422,
        ),
        ("close", lambda w: {"cause": "", "measures": "x"}, "cause", 422),
        (
            "close",
            lambda w: {"cause": "x", "measures": "x", "prevention": ["y" * 301]},
            "prevention.0",
            422,
        ),
    ],
)
def test_it_refuses_bad_input(api, world, path, body, field, status):
    before = community_snapshot()
    response = api.post(
        "agent" if path != "close" else "supervisor",
        f"/api/community/incidents/{world.incident.id}/{path}",
        body(world),
    )
    assert response.status_code == status, response.content
    payload = response.json()
    fields = {payload.get("field"), *(e["field"] for e in payload.get("errors", []))}
    assert field in fields, payload
    assert community_snapshot() == before


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"community": 999999}, "community"),
        ({"kind": "meteor"}, "kind"),
        ({"buildings": []}, "buildings"),
        ({"buildings": ["1"]}, "buildings.0"),
        ({"place": ""}, "place"),
        ({"place": "<b>" + "x" * 300}, "place"),
        ({"source_request": 999999}, "source_request"),
    ],
)
def test_opening_refuses_bad_input(api, world, changes, field):
    body = {
        "community": world.community.id,
        "kind": "water_cut",
        "severity": "minor",
        "place": "3号楼",
        "buildings": [world.building.id],
        **changes,
    }
    before = community_snapshot()
    response = api.post("agent", "/api/community/incidents", body)
    assert 400 <= response.status_code < 500, response.content
    payload = response.json()
    fields = {payload.get("field"), *(e["field"] for e in payload.get("errors", []))}
    assert field in fields, payload
    assert community_snapshot() == before


def test_another_communitys_task_is_not_found(api, world):
    task_b = world.incident_b.tasks.first()
    before = community_snapshot()
    response = api.post(
        "agent", f"/api/community/incidents/{world.incident.id}/tasks/{task_b.id}/done", {}
    )
    assert response.status_code == 404
    assert community_snapshot() == before


def test_a_replayed_broadcast_request_makes_a_second_broadcast_but_no_duplicate_messages(
    api, world, django_capture_on_commit_callbacks
):
    from propdesk.core.models import OutboxMessage

    path = f"/api/community/incidents/{world.incident.id}/broadcasts"
    with django_capture_on_commit_callbacks(execute=True):
        first = api.post("agent", path, {"text": "进展"}).json()
        second = api.post("agent", path, {"text": "进展"}).json()
    assert first["id"] != second["id"]
    for b in (first, second):
        keys = list(
            OutboxMessage.objects.filter(
                dedupe_key__startswith=f"incident:{world.incident.id}:b{b['id']}:"
            ).values_list("channel", "recipient")
        )
        assert len(keys) == len(set(keys)) == 6
