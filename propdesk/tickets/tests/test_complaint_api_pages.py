"""The complaint procedure over the API and on the workbench, by role, with bad and replayed
input, and another community's ids."""

import pytest
from django.test import Client
from django.urls import reverse

from propdesk.core.models import OutboxMessage
from propdesk.tickets import services
from propdesk.tickets.models import FollowUpLink, RequestSolution
from propdesk.tickets.tests.api_helpers import (
    DESK,
    ROLES,
    WORKERS,
    Api,
    assert_bad_input,
    assert_status,
    outcomes,
)
from propdesk.tickets.tests.conftest import new_request, snapshot


@pytest.fixture
def api(desk):
    return Api(desk)


@pytest.fixture
def complaint(desk, make_request):
    return make_request(kind="complaint", category="noise", description="广场舞音乐太吵")


@pytest.fixture
def dispatched(desk, complaint):
    return services.request_dispatch(
        actor=desk.agent,
        request=complaint,
        department=desk.departments["engineering"],
        assignee=desk.technician,
    )


@pytest.fixture
def resolved(desk, dispatched):
    services.request_start(actor=desk.technician, request=dispatched)
    return services.request_resolve(actor=desk.technician, request=dispatched, note="已协调")


@pytest.mark.parametrize("role", ROLES)
def test_who_may_verify_over_the_api(api, desk, complaint, role):
    before = snapshot()
    response = api.post(
        role, f"/api/requests/{complaint.id}/verify", {"note": "已到现场核实", "simple": True}
    )
    expected = outcomes(200, DESK)[role]
    assert_status(response, expected)
    if expected == 200:
        body = response.json()
        assert body["simple_complaint"] is True and body["verified_at"]
        assert body["timeline"][-1]["action"] == "verified"
    else:
        assert snapshot() == before


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({}, "note"),
        ({"note": ""}, "note"),
        ({"note": "x" * 1001}, "note"),
        ({"note": "a\x00b"}, "note"),
        ({"note": "好", "simple": "yes"}, "simple"),
    ],
)
def test_bad_verification_over_the_api(api, desk, complaint, payload, field):
    before = snapshot()
    response = api.post("agent", f"/api/requests/{complaint.id}/verify", payload)
    assert_bad_input(response, field, before, snapshot)


def test_a_replayed_verification_is_refused(api, desk, complaint):
    path = f"/api/requests/{complaint.id}/verify"
    assert_status(api.post("agent", path, {"note": "核实"}), 200)
    before = snapshot()
    response = api.post("agent", path, {"note": "核实"})
    assert_status(response, 409)
    assert response.json()["code"] == "already_verified"
    assert snapshot() == before


def test_another_communitys_request_is_not_found(api, desk):
    theirs = new_request(
        desk.other_agent, desk.house_b, kind="complaint", category="noise", caller_mobile=""
    )
    before = snapshot()
    for path, body in (
        (f"/api/requests/{theirs.id}/verify", {"note": "x"}),
        (f"/api/requests/{theirs.id}/solutions", {"text": "x"}),
        (f"/api/requests/{theirs.id}/follow-up/sms", {}),
    ):
        assert_status(api.post("agent", path, body), 404)
    assert snapshot() == before


@pytest.mark.parametrize("role", ROLES)
def test_who_may_propose_a_solution(api, desk, dispatched, role):
    before = snapshot()
    response = api.post(role, f"/api/requests/{dispatched.id}/solutions", {"text": "限时停工"})
    expected = outcomes(201, WORKERS)[role]
    assert_status(response, expected)
    if expected == 201:
        assert (response.json()["state"], response.json()["state_label"]) == (
            "proposed",
            "待业主确认",
        )
    else:
        assert snapshot() == before


@pytest.mark.parametrize("role", ROLES)
def test_who_may_record_the_answer_to_a_solution(api, desk, dispatched, role):
    solution = services.solution_propose(actor=desk.agent, request=dispatched, text="限时停工")
    before = snapshot()
    response = api.post(
        role,
        f"/api/requests/{dispatched.id}/solutions/{solution.id}/decision",
        {"agreed": True, "via": "phone"},
    )
    expected = outcomes(200, DESK)[role]
    assert_status(response, expected)
    if expected == 200:
        assert response.json()["decided_via_label"] == "电话"
    else:
        assert snapshot() == before


def test_a_solution_of_another_request_is_not_found_and_replays_are_refused(
    api, desk, dispatched, make_request
):
    solution = services.solution_propose(actor=desk.agent, request=dispatched, text="限时停工")
    other = make_request(kind="complaint", category="noise", description="另一起")
    before = snapshot()
    response = api.post(
        "agent", f"/api/requests/{other.id}/solutions/{solution.id}/decision", {"agreed": True}
    )
    assert_status(response, 404)
    assert snapshot() == before
    path = f"/api/requests/{dispatched.id}/solutions/{solution.id}/decision"
    assert_status(api.post("agent", path, {"agreed": False}), 200)
    before = snapshot()
    assert_status(api.post("agent", path, {"agreed": True}), 409)
    assert snapshot() == before
    assert RequestSolution.objects.get().state == "declined"


@pytest.mark.parametrize(
    ("payload", "field"),
    [({}, "text"), ({"text": ""}, "text"), ({"text": "x" * 1001}, "text")],
)
def test_bad_solutions_over_the_api(api, desk, dispatched, payload, field):
    before = snapshot()
    response = api.post("agent", f"/api/requests/{dispatched.id}/solutions", payload)
    assert_bad_input(response, field, before, snapshot)


@pytest.mark.parametrize("role", ROLES)
def test_who_may_send_the_sms_follow_up(api, desk, resolved, role):
    before = snapshot()
    response = api.post(role, f"/api/requests/{resolved.id}/follow-up/sms")
    expected = outcomes(201, DESK)[role]
    assert_status(response, expected)
    if expected == 201:
        assert response.json()["sent_to"] == "138****5678"
        assert "token" not in response.json()
        assert FollowUpLink.objects.count() == 1
    else:
        assert snapshot() == before


def test_the_workbench_walks_the_complaint_procedure(desk, complaint):
    client = Client()
    client.force_login(desk.agent)
    page = client.get(reverse("request_detail", args=[complaint.id])).content.decode()
    assert 'data-testid="verify-card"' in page and "转交前初步核实投诉" in page
    response = client.post(
        reverse("request_verify", args=[complaint.id]), {"note": "已核实", "simple": "on"}
    )
    assert response.status_code == 302
    complaint.refresh_from_db()
    assert complaint.simple_complaint and complaint.verified_at
    services.request_dispatch(actor=desk.agent, request=complaint, assignee=desk.agent)
    client.post(reverse("request_solution", args=[complaint.id]), {"text": "晚八点后停止音乐"})
    solution = RequestSolution.objects.get()
    page = client.get(reverse("request_detail", args=[complaint.id])).content.decode()
    assert "晚八点后停止音乐" in page and "待业主确认" in page and "投诉已初步核实" in page
    client.post(
        reverse("request_solution_decide", args=[complaint.id, solution.id]),
        {"agreed": "yes", "via": "phone", "note": "业主同意"},
    )
    solution.refresh_from_db()
    assert solution.state == "agreed"
    client.post(reverse("request_step", args=[complaint.id, "start"]))
    client.post(reverse("request_step", args=[complaint.id, "resolve"]), {"note": "已处理"})
    OutboxMessage.objects.all().delete()
    response = client.post(reverse("request_follow_up_sms", args=[complaint.id]), follow=True)
    text = response.content.decode()
    assert "回访短信已发送" in text and "已发送短信回访" in text
    assert OutboxMessage.objects.filter(channel="sms", event="request.follow_up_link").count() == 1


def test_a_technician_sees_no_verification_form(desk, complaint):
    client = Client()
    client.force_login(desk.technician)
    response = client.post(reverse("request_verify", args=[complaint.id]), {"note": "x"})
    complaint.refresh_from_db()
    assert complaint.verified_at is None
    assert response.status_code in (302, 403)


def test_a_repair_shows_no_complaint_forms(desk, make_request):
    client = Client()
    client.force_login(desk.agent)
    page = client.get(reverse("request_detail", args=[make_request().id])).content.decode()
    assert 'data-testid="verify-card"' not in page and 'data-testid="solutions"' not in page
