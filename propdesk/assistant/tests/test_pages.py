"""The suggestion panel (console and portal) and the supervisors' accuracy page, per role."""

import datetime

import pytest
from django.test import Client
from django.utils import timezone

from propdesk.assistant.models import TriageSuggestion

WATER = "天花板在往下漏水，越来越大，灯里面都在流水，请马上派人来"


def _client(user=None):
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("agent", 200),
        ("supervisor", 200),
        ("technician", 200),
        ("cashier", 200),
        ("guard", 200),
        ("admin", 200),
        ("other_agent", 200),
        ("owner", 200),
    ],
)
def test_suggest_panel_per_role(personas, role, status):
    response = _client(personas[role]).post("/assistant/suggest/", {"description": WATER})
    assert response.status_code == status
    html = response.content.decode()
    assert 'data-category="repair_water"' in html
    assert 'data-urgency="emergency"' in html
    if role == "owner":
        assert "triage-accept" not in html  # the portal pre-selects instead
    else:
        assert "triage-accept" in html


def test_suggest_panel_anonymous_and_get(db):
    assert Client().post("/assistant/suggest/", {"description": WATER}).status_code == 401
    assert Client().get("/assistant/suggest/").status_code == 405


@pytest.mark.parametrize(
    ("text", "testid"),
    [("", "triage-waiting"), ("电梯坏", "triage-waiting"), ("水" * 5001, "triage-waiting")],
)
def test_suggest_panel_with_too_little_or_too_much(agent, text, testid):
    response = _client(agent).post("/assistant/suggest/", {"description": text})
    assert response.status_code == 200
    assert testid in response.content.decode()


def test_suggest_panel_escapes_markup(agent):
    hostile = "<script>alert(1)</script>楼道灯坏了，晚上很黑，请来修"
    html = _client(agent).post("/assistant/suggest/", {"description": hostile}).content.decode()
    assert "<script>alert" not in html


def test_suggest_panel_with_a_foreign_house_uses_no_foreign_routing(personas, house_b):
    response = _client(personas["agent"]).post(
        "/assistant/suggest/", {"description": WATER, "house": house_b.id}
    )
    assert response.status_code == 200


def test_intake_and_portal_forms_carry_the_panel(personas, zhang_san):
    html = _client(personas["agent"]).get("/requests/new/").content.decode()
    assert 'data-testid="triage-panel"' in html
    assert "assistant/triage.js" in html


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("supervisor", 200),
        ("admin", 200),
        ("agent", 403),
        ("technician", 403),
        ("cashier", 403),
        ("guard", 403),
        ("owner", 403),
    ],
)
def test_accuracy_page_per_role(personas, role, status):
    assert _client(personas[role]).get("/assistant/accuracy/").status_code == status


def test_accuracy_page_anonymous_goes_to_login(db):
    response = Client().get("/assistant/accuracy/")
    assert response.status_code == 302


def test_accuracy_page_counts_only_own_communities(personas, request_factory_pair):
    mine, foreign = request_factory_pair
    for req, final in ((mine, "noise"), (foreign, "fees")):
        TriageSuggestion.objects.create(
            community_id=req.community_id,
            request=req,
            created_at=timezone.now() - datetime.timedelta(days=1),
            source="console",
            suggested_category="repair_water",
            suggested_kind="repair",
            suggested_urgency="normal",
            category_confidence=0.9,
            final_category=final,
            final_kind="repair",
            final_urgency="normal",
        )
    html = _client(personas["supervisor"]).get("/assistant/accuracy/").content.decode()
    assert 'data-testid="accuracy-table"' in html
    assert "甲小区" in html and "乙小区" not in html
    assert 'data-testid="corrections"' in html
