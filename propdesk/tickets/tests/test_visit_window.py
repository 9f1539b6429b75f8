"""The promised visit window (seed 003 ch.3 §2: "明天上午9点到11点之间上门"): set by the agent or
the engineer on the job, checked, shown to the owner, on the engineer's list and in the API."""

import pytest
from django.test import Client
from django.urls import reverse

from propdesk.core.errors import ValidationFailed
from propdesk.tickets import services
from propdesk.tickets.tests.api_helpers import ROLES, WORKERS, Api, assert_status, outcomes
from propdesk.tickets.tests.conftest import at, snapshot


@pytest.fixture
def dispatched(desk, make_request):
    return services.request_dispatch(
        actor=desk.agent, request=make_request(), assignee=desk.technician
    )


def test_the_engineer_promises_tomorrow_9_to_11(desk, dispatched):
    done = services.visit_window_set(
        actor=desk.technician,
        request=dispatched,
        visit_from=at("2026-03-17T09:00"),
        visit_until=at("2026-03-17T11:00"),
    )
    assert (done.visit_from, done.visit_until) == (at("2026-03-17T09:00"), at("2026-03-17T11:00"))
    event = done.events.get(action="visit_promised")
    assert event.note == "2026-03-17 09:00–11:00"
    client = Client()
    client.force_login(desk.technician)
    listing = client.get(reverse("request_queue") + "?queue=mine").content.decode()
    assert "上门 03-17 09:00–11:00" in listing
    page = client.get(reverse("request_detail", args=[dispatched.id])).content.decode()
    assert "2026-03-17 09:00–11:00" in page and "已约定上门时间" in page


@pytest.mark.parametrize(
    ("start", "end", "field"),
    [
        ("2026-03-17T11:00", "2026-03-17T09:00", "visit_until"),
        ("2026-03-17T09:00", "2026-03-17T09:00", "visit_until"),
        ("2026-03-17T09:00", "2026-03-17T09:05", "visit_until"),
        ("2026-03-17T08:00", "2026-03-17T21:00", "visit_until"),
        ("2026-03-15T09:00", "2026-03-15T11:00", "visit_from"),
        ("2026-06-01T09:00", "2026-06-01T11:00", "visit_from"),
    ],
)
def test_a_bad_window_is_refused_naming_the_field(desk, dispatched, start, end, field):
    before = snapshot()
    with pytest.raises(ValidationFailed) as caught:
        services.visit_window_set(
            actor=desk.agent, request=dispatched, visit_from=at(start), visit_until=at(end)
        )
    assert caught.value.field == field
    assert snapshot() == before


@pytest.mark.parametrize("role", ROLES)
def test_who_may_promise_a_visit_over_the_api(desk, dispatched, role):
    before = snapshot()
    response = Api(desk).post(
        role,
        f"/api/requests/{dispatched.id}/visit",
        {"visit_from": "2026-03-17T09:00:00+08:00", "visit_until": "2026-03-17T11:00:00+08:00"},
    )
    expected = outcomes(200, WORKERS)[role]
    assert_status(response, expected)
    if expected == 200:
        assert response.json()["visit_window"] == "2026-03-17 09:00–11:00"
    else:
        assert snapshot() == before


@pytest.mark.parametrize(
    "body",
    [
        {"visit_from": "2026-03-17T09:00:00", "visit_until": "2026-03-17T11:00:00"},
        {"visit_from": "tomorrow", "visit_until": "2026-03-17T11:00:00+08:00"},
        {"visit_until": "2026-03-17T11:00:00+08:00"},
        {"visit_from": "2026-03-17T11:00:00+08:00", "visit_until": "2026-03-17T09:00:00+08:00"},
    ],
)
def test_bad_windows_over_the_api_are_4xx(desk, dispatched, body):
    before = snapshot()
    response = Api(desk).post("agent", f"/api/requests/{dispatched.id}/visit", body)
    assert 400 <= response.status_code < 500
    assert snapshot() == before


def test_the_owner_sees_the_window_on_the_portal(desk, dispatched):
    services.visit_window_set(
        actor=desk.agent,
        request=dispatched,
        visit_from=at("2026-03-17T09:00"),
        visit_until=at("2026-03-17T11:00"),
    )
    client = Client()
    client.force_login(desk.owner_user)
    page = client.get(f"/m/requests/{dispatched.id}/").content.decode()
    assert "上门时间" in page and "2026-03-17 09:00–11:00" in page
