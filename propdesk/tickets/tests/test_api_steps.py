"""Lifecycle steps and follow-up over the API: by role, another community, anonymous, illegal
steps and bad input — each refusal a clear 4xx naming the field, with nothing written."""

import pytest

from propdesk.tickets import services
from propdesk.tickets.tests.api_helpers import (
    DESK,
    ROLES,
    WORKERS,
    Api,
    assert_bad_input,
    assert_status,
    outcomes,
)
from propdesk.tickets.tests.conftest import snapshot


@pytest.fixture
def api(desk):
    return Api(desk)


@pytest.fixture
def dispatched(desk, make_request):
    return services.request_dispatch(
        actor=desk.agent, request=make_request(), assignee=desk.technician
    )


@pytest.fixture
def resolved(desk, dispatched):
    request = services.request_start(actor=desk.technician, request=dispatched)
    return services.request_resolve(actor=desk.technician, request=request, note="已修好")


def _steps(request_id):
    return f"/api/requests/{request_id}/transitions"


@pytest.mark.parametrize("role", ROLES)
def test_who_may_accept(api, desk, make_request, role):
    request = make_request()
    before = snapshot()
    response = api.post(role, _steps(request.id), {"action": "accept"})
    expected = outcomes(200, DESK)[role]
    assert_status(response, expected)
    if expected == 200:
        assert response.json()["status"] == "accepted"
    else:
        assert snapshot() == before


@pytest.mark.parametrize("role", ROLES)
def test_who_may_start_work(api, desk, dispatched, role):
    before = snapshot()
    response = api.post(role, _steps(dispatched.id), {"action": "start"})
    expected = outcomes(200, WORKERS)[role]
    assert_status(response, expected)
    if expected != 200:
        assert snapshot() == before


def test_dispatch_by_department_code_and_assignee(api, desk, make_request):
    request = make_request()
    response = api.post(
        "agent",
        _steps(request.id),
        {"action": "dispatch", "department": "engineering", "assignee": desk.tech2.id},
    )
    assert_status(response, 200)
    data = response.json()
    assert (data["status"], data["department"], data["assignee"]) == (
        "dispatched",
        "engineering",
        desk.tech2.id,
    )
    assert [e["action"] for e in data["timeline"]] == ["created", "dispatched"]


def test_round_robin_over_the_api(api, desk, make_request):
    assignees = [
        api.post(
            "agent", _steps(make_request().id), {"action": "dispatch", "round_robin": True}
        ).json()["assignee"]
        for _n in range(2)
    ]
    assert assignees == [desk.technician.id, desk.tech2.id]


def test_the_whole_lifecycle_over_the_api(api, desk, make_request):
    request = make_request()
    for role, step in [
        ("agent", {"action": "accept"}),
        ("agent", {"action": "dispatch", "assignee": desk.technician.id}),
        ("technician", {"action": "start"}),
        ("technician", {"action": "wait", "note": "业主不在家"}),
        ("technician", {"action": "resume"}),
        ("technician", {"action": "resolve", "note": "已更换地漏"}),
    ]:
        assert_status(api.post(role, _steps(request.id), step), 200)
    response = api.post(
        "agent", f"/api/requests/{request.id}/follow-up", {"satisfaction": 5, "comment": "满意"}
    )
    assert_status(response, 200)
    assert (response.json()["status"], response.json()["satisfaction"]) == ("closed", 5)


@pytest.mark.parametrize(
    ("step", "field", "status"),
    [
        ({"action": "close"}, "status", 409),
        ({"action": "resolve", "note": "x"}, "status", 409),
        ({"action": "teleport"}, "action", 422),
        ({"action": "cancel"}, "reason", 400),
        ({"action": "cancel", "note": "   "}, "reason", 400),
        ({"action": "reassign", "department": "nowhere"}, "department", 400),
        ({"action": "reassign", "assignee": 999999}, "assignee", 400),
        ({"action": "reassign", "assignee": "x"}, "assignee", 422),
        ({"action": "reassign", "round_robin": "yes"}, "round_robin", 422),
        ({"note": "no action"}, "action", 422),
        ({"action": "start", "note": "x" * 2001}, "note", 422),
    ],
)
def test_bad_steps_are_refused_naming_the_field(api, desk, dispatched, step, field, status):
    before = snapshot()
    response = api.post("agent", _steps(dispatched.id), step)
    assert response.status_code == status, response.content
    assert_bad_input(response, field, before, snapshot)


def test_an_assignee_of_another_community_is_refused(api, desk, dispatched):
    before = snapshot()
    response = api.post(
        "agent", _steps(dispatched.id), {"action": "reassign", "assignee": desk.other_agent.id}
    )
    assert_status(response, 400)
    assert_bad_input(response, "assignee", before, snapshot)


def test_steps_on_another_communitys_request_are_not_found(api, desk, make_request):
    from propdesk.tickets.tests.conftest import new_request

    theirs = new_request(desk.other_agent, desk.house_b)
    before = snapshot()
    assert_status(api.post("agent", _steps(theirs.id), {"action": "accept"}), 404)
    assert_status(api.post("agent", _steps(999999), {"action": "accept"}), 404)
    assert snapshot() == before


@pytest.mark.parametrize("role", ROLES)
def test_who_may_record_a_follow_up(api, desk, resolved, role):
    before = snapshot()
    response = api.post(role, f"/api/requests/{resolved.id}/follow-up", {"satisfaction": 2})
    expected = outcomes(200, DESK)[role]
    assert_status(response, expected)
    if expected == 200:
        assert (response.json()["status"], response.json()["reopen_count"]) == ("dispatched", 1)
    else:
        assert snapshot() == before


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"satisfaction": 0}, "satisfaction"),
        ({"satisfaction": 6}, "satisfaction"),
        ({"satisfaction": "5"}, "satisfaction"),
        ({}, "satisfaction"),
        ({"satisfaction": 4, "via": "pigeon"}, "via"),
        ({"satisfaction": 4, "comment": "x" * 1001}, "comment"),
    ],
)
def test_bad_follow_ups_are_refused(api, desk, resolved, payload, field):
    before = snapshot()
    response = api.post("agent", f"/api/requests/{resolved.id}/follow-up", payload)
    assert_bad_input(response, field, before, snapshot)


def test_following_up_an_open_request_is_a_conflict(api, desk, dispatched):
    before = snapshot()
    response = api.post("agent", f"/api/requests/{dispatched.id}/follow-up", {"satisfaction": 4})
    assert_status(response, 409)
    assert_bad_input(response, "status", before, snapshot)


def test_an_unreachable_owner_over_the_api(api, desk, resolved):
    response = api.post("agent", f"/api/requests/{resolved.id}/follow-up/unreachable", {})
    assert_status(response, 200)
    assert response.json()["follow_ups"][0]["attempts"] == 1
    assert_status(
        api.post("technician", f"/api/requests/{resolved.id}/follow-up/unreachable", {}), 403
    )
