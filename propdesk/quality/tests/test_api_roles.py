"""Every quality endpoint × every role: who may call it, and what the others get.

Refused calls (403 role, 404 another community, 401 anonymous) return an error body and write
nothing: every quality, request, history and outbox row is unchanged."""

from types import SimpleNamespace

import pytest

from propdesk.api.tests.helpers import ROLES
from propdesk.quality.tests.conftest import GOOD_CSV, csv_file, quality_snapshot

pytestmark = pytest.mark.django_db

DESK = {"agent", "supervisor", "admin"}
SUPERVISION = {"supervisor", "admin"}


def outcomes(ok: int, allowed: set, *, other_agent: int = 404) -> dict:
    expected = {role: (ok if role in allowed else 403) for role in ROLES}
    expected.update({"other_agent": other_agent, "anonymous": 401})
    return expected


@pytest.fixture
def world(live_call, missed_call, repair_request, community_a):
    return SimpleNamespace(
        call=live_call, missed=missed_call, request=repair_request, community=community_a
    )


ENDPOINTS = {
    "calls": ("get", lambda w: "/api/quality/calls", None, outcomes(200, DESK, other_agent=200)),
    "call_create": (
        "post",
        lambda w: "/api/quality/calls",
        lambda w: {"community": w.community.id, "number": "13900001111"},
        outcomes(201, DESK),
    ),
    "call_detail": ("get", lambda w: f"/api/quality/calls/{w.call.id}", None, outcomes(200, DESK)),
    "call_update": (
        "patch",
        lambda w: f"/api/quality/calls/{w.call.id}",
        lambda w: {"note": "补充说明"},
        outcomes(200, DESK),
    ),
    "call_finish": (
        "post",
        lambda w: f"/api/quality/calls/{w.call.id}/finish",
        lambda w: {"outcome": "request_linked", "request": w.request.id, "note": "催办"},
        outcomes(200, DESK),
    ),
    "callbacks": (
        "get",
        lambda w: "/api/quality/calls/callbacks",
        None,
        outcomes(200, DESK, other_agent=200),
    ),
    "callback": (
        "post",
        lambda w: f"/api/quality/calls/{w.missed.id}/callback",
        lambda w: {},
        outcomes(201, DESK),
    ),
    "figures": (
        "get",
        lambda w: "/api/quality/calls/figures?date_from=2026-07-01&date_to=2026-07-10",
        None,
        outcomes(200, SUPERVISION, other_agent=403),
    ),
}
CASES = [(name, role) for name in ENDPOINTS for role in ROLES]


@pytest.mark.parametrize(("name", "role"), CASES, ids=[f"{n}-{r}" for n, r in CASES])
def test_endpoint_for_role(api, world, name, role):
    method, path, body, expected = ENDPOINTS[name]
    before = quality_snapshot()
    if method == "get":
        response = api.get(role, path(world))
    else:
        response = getattr(api, method)(role, path(world), body(world))
    assert response.status_code == expected[role], (name, role, response.content[:300])
    if expected[role] >= 400:
        assert response.json()["code"] and response.json()["message"]
        assert quality_snapshot() == before


@pytest.mark.parametrize("role", ROLES)
def test_import_for_role(api, world, line_a, role):
    expected = outcomes(200, SUPERVISION, other_agent=403)[role]
    before = quality_snapshot()
    response = api.upload(
        role, "/api/quality/calls/import", {"file": csv_file(GOOD_CSV), "dry_run": "false"}
    )
    assert response.status_code == expected, response.content[:300]
    if expected == 200:
        assert response.json()["written"] is True
    else:
        assert quality_snapshot() == before


def test_lists_show_only_my_communities(api, world, house_b, admin):
    from propdesk.quality.services.calls import call_start

    call_start(actor=admin, community=house_b.community, number="13700000000")
    mine = api.get("agent", "/api/quality/calls").json()
    assert {item["community"] for item in mine["items"]} == {world.community.id}
    theirs = api.get("other_agent", "/api/quality/calls").json()
    assert {item["community"] for item in theirs["items"]} == {house_b.community.id}
    assert (
        api.get("other_agent", f"/api/quality/calls?community={world.community.id}").status_code
        == 404
    )


def test_numbers_leave_masked(api, world):
    body = api.get("agent", f"/api/quality/calls/{world.call.id}").json()
    assert body["number"] == "138****5678"
    assert "13812345678" not in str(body)


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"community": "x", "number": "13900001111"}, "community"),
        ({"number": "13900001111"}, "community"),
        ({"community": 1, "number": "<script>"}, "number"),
        ({"community": 1, "number": "1" * 40}, "number"),
        ({"community": 1, "number": "13900001111", "direction": "up"}, "direction"),
    ],
)
def test_bad_call_input_is_named(api, world, body, field):
    before = quality_snapshot()
    body = {**body, "community": world.community.id} if body.get("community") == 1 else body
    response = api.post("agent", "/api/quality/calls", body)
    assert response.status_code in (400, 422), response.content
    answer = response.json()
    assert field in {answer["field"], *(e["field"] for e in answer.get("errors", []))}
    assert quality_snapshot() == before


def test_another_communitys_request_is_a_404_naming_it(api, world, admin, house_b):
    from propdesk.tickets.services import request_create

    foreign = request_create(
        actor=admin,
        house=house_b,
        kind="repair",
        category="repair_water",
        urgency="normal",
        description="漏水",
    )
    before = quality_snapshot()
    response = api.post(
        "agent",
        f"/api/quality/calls/{world.call.id}/finish",
        {"outcome": "request_linked", "request": foreign.id},
    )
    assert response.status_code == 404
    assert response.json()["field"] == "request"
    assert quality_snapshot() == before


def test_bad_figures_periods_are_named(api, world):
    response = api.get(
        "supervisor", "/api/quality/calls/figures?date_from=2026-07-10&date_to=2026-07-01"
    )
    assert response.status_code == 400
    assert response.json()["field"] == "date_to"
    response = api.get(
        "supervisor", "/api/quality/calls/figures?date_from=2024-01-01&date_to=2026-07-01"
    )
    assert response.json()["field"] == "date_to"
    response = api.get("supervisor", "/api/quality/calls/figures?date_from=x&date_to=2026-07-01")
    assert response.status_code == 422
