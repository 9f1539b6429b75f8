"""Fee transparency API × every role, another community's publication, bad bodies, the
four-eyes rule. Refused calls answer an error body naming the field and write nothing."""

import pytest
import time_machine

from propdesk.api.tests.helpers import ROLES, ApiCaller
from propdesk.core.models import AuditEvent
from propdesk.operations.models import FeePublication, PublicationLine
from propdesk.operations.services import publication as service
from propdesk.operations.tests.conftest import at

pytestmark = pytest.mark.django_db
MANAGERS = {"supervisor", "admin"}
NOW = "2026-08-10 12:00"


def outcomes(ok: int) -> dict:
    expected = {role: (ok if role in MANAGERS else 403) for role in ROLES}
    expected.update({"other_agent": 403, "anonymous": 401})
    return expected


def snapshot() -> tuple:
    return (
        list(FeePublication.objects.values_list("id", "status", "spending_fen", "version")),
        PublicationLine.objects.count(),
        AuditEvent.objects.count(),
    )


@pytest.fixture
def api(personas):
    return ApiCaller(personas)


@pytest.fixture
def draft(personas, community_a):
    with time_machine.travel(at(NOW), tick=False):
        return service.publication_prepare(
            actor=personas["admin"],
            community=community_a,
            period_from="2026-07",
            period_to="2026-07",
        )


ENDPOINTS = {
    "list": ("get", lambda d: "/api/operations/publications", None, outcomes(200)),
    "detail": ("get", lambda d: f"/api/operations/publications/{d.id}", None, outcomes(200)),
    "prepare": (
        "post",
        lambda d: "/api/operations/publications",
        lambda d: {"community": d.community_id, "period_from": "2026-06", "period_to": "2026-06"},
        outcomes(201),
    ),
    "spending": (
        "post",
        lambda d: f"/api/operations/publications/{d.id}/spending",
        lambda d: {"category": "保洁", "amount": "120.00"},
        outcomes(201),
    ),
    "submit": (
        "post",
        lambda d: f"/api/operations/publications/{d.id}/submit",
        lambda d: {},
        outcomes(200),
    ),
}
CASES = [(name, role) for name in ENDPOINTS for role in ROLES]


@pytest.mark.parametrize("name, role", CASES, ids=[f"{n}-{r}" for n, r in CASES])
def test_endpoint_for_role(api, draft, name, role):
    method, path, body, expected = ENDPOINTS[name]
    before = snapshot()
    with time_machine.travel(at(NOW), tick=False):
        if method == "get":
            response = api.get(role, path(draft))
        else:
            response = api.post(role, path(draft), body(draft))
    assert response.status_code == expected[role], (name, role, response.content[:300])
    if expected[role] >= 400:
        assert response.json()["code"] and response.json()["message"]
        assert snapshot() == before


def test_four_eyes_publish_and_correct(api, draft):
    base = f"/api/operations/publications/{draft.id}"
    api.post("admin", f"{base}/spending", {"category": "保洁", "amount": "120.00"})
    api.post("admin", f"{base}/submit", {})
    before = snapshot()
    refused = api.post("admin", f"{base}/review", {"approve": True})
    assert (refused.status_code, refused.json()["code"]) == (403, "four_eyes")
    assert snapshot() == before
    done = api.post("supervisor", f"{base}/review", {"approve": True}).json()
    assert (done["status"], done["spending"], done["reviewed_by"]) == (
        "published",
        "120.00",
        done["reviewed_by"],
    )
    late = api.post("admin", f"{base}/spending", {"category": "x", "amount": "1.00"})
    assert (late.status_code, late.json()["code"]) == (409, "publication_not_draft")
    empty = api.post("admin", f"{base}/corrections", {"reason": ""})
    assert (empty.status_code, empty.json()["field"]) == (422, "reason")
    fixed = api.post("admin", f"{base}/corrections", {"reason": "保洁费录错"})
    assert fixed.status_code == 201
    assert (fixed.json()["version"], fixed.json()["supersedes"]) == (2, draft.id)


def test_another_communitys_publication_is_a_404(api, draft, personas, community_b):
    from propdesk.accounts.models import Role
    from propdesk.conftest import make_user

    personas["sup_b"] = make_user("sup_b", Role.SUPERVISOR, community_b)
    before = snapshot()
    base = f"/api/operations/publications/{draft.id}"
    assert api.get("sup_b", base).status_code == 404
    assert (
        api.post("sup_b", f"{base}/spending", {"category": "x", "amount": "1.00"}).status_code
        == 404
    )
    response = api.post(
        "sup_b",
        "/api/operations/publications",
        {"community": draft.community_id, "period_from": "2026-06", "period_to": "2026-06"},
    )
    assert (response.status_code, response.json()["field"]) == (404, "community")
    assert snapshot() == before


@pytest.mark.parametrize(
    "body, field",
    [
        ({"category": "", "amount": "1.00"}, "category"),
        ({"category": "<b>x</b>", "amount": "1.00"}, "category"),
        ({"category": "x", "amount": "1.005"}, "amount"),
        ({"category": "x", "amount": "-1"}, "amount"),
        ({"category": "x", "amount": "abc"}, "amount"),
        ({"category": "x" * 61, "amount": "1"}, "category"),
    ],
)
def test_bad_spending_names_the_field_and_writes_nothing(api, draft, body, field):
    before = snapshot()
    response = api.post("supervisor", f"/api/operations/publications/{draft.id}/spending", body)
    assert response.status_code in (400, 422), response.content
    assert response.json()["field"] == field
    assert snapshot() == before


@pytest.mark.parametrize(
    "body, field",
    [
        ({"period_from": "2026-13", "period_to": "2026-07"}, "period_from"),
        ({"period_from": "2026-07", "period_to": "2026-06"}, "period_to"),
        ({"period_from": "2026-07", "period_to": "2027-01"}, "period_to"),
        ({"period_from": "2026-07", "period_to": "2026-07"}, "period_from"),  # being prepared
    ],
)
def test_bad_periods_name_the_field(api, draft, body, field):
    before = snapshot()
    with time_machine.travel(at(NOW), tick=False):
        response = api.post(
            "supervisor", "/api/operations/publications", {"community": draft.community_id, **body}
        )
    assert response.status_code in (400, 409, 422), response.content
    assert response.json()["field"] == field
    assert snapshot() == before
