"""The dashboard, standard phrases and SLA policies over the API, by role and with bad input."""

import pytest

from propdesk.tickets.models import SlaPolicy, StandardPhrase
from propdesk.tickets.tests.api_helpers import (
    ROLES,
    STAFF,
    SUPERVISION,
    Api,
    assert_bad_input,
    assert_status,
    outcomes,
)
from propdesk.tickets.tests.conftest import snapshot


@pytest.fixture
def api(desk):
    return Api(desk)


@pytest.mark.parametrize("role", ROLES)
def test_who_may_read_the_dashboard(api, desk, make_request, role):
    make_request()
    response = api.get(role, "/api/requests/dashboard")
    assert_status(response, outcomes(200, SUPERVISION, other=403)[role])
    if response.status_code == 200:
        assert response.json()["created_this_month"] == 1
        assert response.json()["open_by_status"]["new"] == 1


def test_the_dashboard_of_another_community_is_not_found(api, desk):
    response = api.get("supervisor", "/api/requests/dashboard", {"community": desk.community_b.id})
    assert_status(response, 404)
    assert response.json()["field"] == "community"


def test_a_bad_month_names_the_field(api, desk):
    before = snapshot()
    assert_bad_input(
        api.get("supervisor", "/api/requests/dashboard", {"month": "March"}),
        "month",
        before,
        snapshot,
    )


@pytest.mark.parametrize("role", ROLES)
def test_who_may_read_the_phrases(api, desk, role):
    response = api.get(role, "/api/requests/phrases", {"community": desk.community_a.id})
    expected = outcomes(200, STAFF)[role]
    assert_status(response, expected)
    if expected == 200:
        assert {p["purpose"] for p in response.json()} >= {"greeting", "apology", "callback"}


@pytest.mark.parametrize("role", ROLES)
def test_who_may_add_a_community_phrase(api, desk, role):
    before = snapshot()
    response = api.post(
        role,
        "/api/requests/phrases",
        {
            "community": desk.community_a.id,
            "purpose": "apology",
            "title": "停电致歉",
            "text": "因线路检修停电，给您带来不便深表歉意。",
        },
    )
    # Staff of community B are refused for their role before the community is looked at.
    expected = outcomes(201, SUPERVISION, other=403)[role]
    assert_status(response, expected)
    if expected == 201:
        assert StandardPhrase.objects.get(title="停电致歉").community == desk.community_a
    else:
        assert snapshot() == before


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"purpose": "insult", "title": "t", "text": "x"}, "purpose"),
        ({"purpose": "greeting", "title": "", "text": "x"}, "title"),
        ({"purpose": "greeting", "title": "t"}, "text"),
        ({"purpose": "greeting", "title": "t\nx", "text": "x"}, "title"),
    ],
)
def test_bad_phrases_are_refused(api, desk, payload, field):
    before = snapshot()
    response = api.post(
        "supervisor", "/api/requests/phrases", {"community": desk.community_a.id, **payload}
    )
    assert_bad_input(response, field, before, snapshot)


def test_a_supervisor_cannot_change_company_wide_phrases(api, desk):
    phrase = StandardPhrase.objects.filter(community=None).first()
    before = snapshot()
    assert_status(
        api.patch("supervisor", f"/api/requests/phrases/{phrase.id}", {"text": "改了"}), 404
    )
    assert snapshot() == before
    response = api.patch("admin", f"/api/requests/phrases/{phrase.id}", {"text": "改了"})
    assert_status(response, 200)
    assert response.json()["text"] == "改了"


@pytest.mark.parametrize("role", ROLES)
def test_who_may_read_the_policies(api, desk, role):
    response = api.get(role, "/api/requests/policies")
    assert_status(response, outcomes(200, SUPERVISION, other=403)[role])
    if response.status_code == 200:
        assert len(response.json()) == 14  # the 13 seeded policies and the simple-complaint one


def test_an_administrator_changes_a_policy(api, desk):
    policy = SlaPolicy.objects.get(
        community=None, kind__code="inquiry", urgency__code="normal", category=None
    )
    response = api.patch(
        "admin",
        f"/api/requests/policies/{policy.id}",
        {"resolution_amount": 12, "resolution_unit": "working_hours"},
    )
    assert_status(response, 200)
    assert (response.json()["resolution_amount"], response.json()["resolution_unit"]) == (
        12,
        "working_hours",
    )


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"resolution_amount": 0}, "resolution_amount"),
        ({"resolution_amount": "3"}, "resolution_amount"),
        ({"resolution_unit": "weeks"}, "resolution_unit"),
        ({"escalation_percents": [0, 100]}, "escalation_percents.0"),
        ({"due_soon_percent_left": 101}, "due_soon_percent_left"),
    ],
)
def test_bad_policy_changes_are_refused(api, desk, payload, field):
    policy = SlaPolicy.objects.filter(community=None).first()
    before = snapshot()
    response = api.patch("admin", f"/api/requests/policies/{policy.id}", payload)
    assert_bad_input(response, field, before, snapshot)


def test_a_supervisor_cannot_change_a_company_wide_policy(api, desk):
    policy = SlaPolicy.objects.filter(community=None).first()
    before = snapshot()
    assert_status(
        api.patch("supervisor", f"/api/requests/policies/{policy.id}", {"resolution_amount": 1}),
        404,
    )
    assert snapshot() == before
