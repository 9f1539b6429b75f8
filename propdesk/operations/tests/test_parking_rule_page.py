"""The temporary-parking rule on the console: the short stay, the hours a fee covers and the cap
(the most one stay pays), set by those who configure billing; another community's rule is a 404
and bad figures are answered on their field with nothing written."""

import pytest
import time_machine
from django.test import Client

from propdesk.billing.models import BillingPolicy
from propdesk.billing.selectors.schedule import temporary_parking_quote
from propdesk.billing.services.schedule import billing_defaults_ensure
from propdesk.core.models import AuditEvent
from propdesk.operations.tests.conftest import at

pytestmark = pytest.mark.django_db

ROLES = ["agent", "supervisor", "technician", "cashier", "guard", "admin", "owner", "other_agent"]
SETTERS = {"supervisor", "admin"}
GOOD = {
    "temp_parking_free_minutes": "60",
    "temp_parking_short_fee": "0",
    "temp_parking_block_hours": "12",
    "temp_parking_cap": "8.00",
}


def client_for(user):
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def rates(community_a, community_b):
    billing_defaults_ensure(community=community_a)
    billing_defaults_ensure(community=community_b)


def snapshot() -> tuple:
    return (
        list(BillingPolicy.objects.order_by("id").values()),
        AuditEvent.objects.count(),
    )


@pytest.mark.parametrize("role", ROLES)
def test_the_rule_page_for_role(personas, community_a, rates, role):
    response = client_for(personas[role]).get(f"/operations/parking/rule/{community_a.id}/")
    expected = 200 if role in SETTERS else 403  # B's agent may set no billing rule anywhere
    assert response.status_code == expected
    if expected == 200:
        body = response.content.decode()
        assert 'name="temp_parking_cap"' in body and 'value="0.00"' in body
        assert "甲小区" in body


def test_the_gate_page_links_the_rule_for_those_who_may_set_it(personas, community_a, rates):
    with time_machine.travel(at("2026-07-08 12:00"), tick=False):
        supervisor = client_for(personas["supervisor"]).get("/operations/parking/").content
        guard = client_for(personas["guard"]).get("/operations/parking/").content
    assert f"/operations/parking/rule/{community_a.id}/".encode() in supervisor
    assert b"parking-rule-link" not in guard


def test_a_supervisor_caps_a_stay_and_the_next_stays_are_priced_by_it(personas, community_a, rates):
    before_cap = temporary_parking_quote(community_a.id, 25 * 60, at("2026-07-08 12:00").date())
    response = client_for(personas["supervisor"]).post(
        f"/operations/parking/rule/{community_a.id}/", GOOD
    )
    assert response.status_code == 302
    assert response["Location"] == f"/operations/parking/?community={community_a.id}"
    policy = BillingPolicy.objects.get(community=community_a)
    assert policy.temp_parking_cap_fen == 800
    # 25 hours: three started 12-hour periods at 5 yuan, 15 yuan before the cap, 8 after it.
    assert before_cap == 1500
    assert temporary_parking_quote(community_a.id, 25 * 60, at("2026-07-08 12:00").date()) == 800
    with time_machine.travel(at("2026-07-08 12:00"), tick=False):
        gate = client_for(personas["guard"]).get("/operations/parking/").content.decode()
    assert "¥8.00" in gate  # "at most ¥8.00 a stay" in the rules line


def test_another_communitys_rule_is_a_404_and_unchanged(personas, community_b, rates):
    before = snapshot()
    client = client_for(personas["supervisor"])
    assert client.get(f"/operations/parking/rule/{community_b.id}/").status_code == 404
    assert client.post(f"/operations/parking/rule/{community_b.id}/", GOOD).status_code == 404
    assert client.post("/operations/parking/rule/99999999/", GOOD).status_code == 404
    assert snapshot() == before


@pytest.mark.parametrize(
    "change, field",
    [
        ({"temp_parking_cap": "-1"}, "temp_parking_cap"),
        ({"temp_parking_cap": "abc"}, "temp_parking_cap"),
        ({"temp_parking_cap": "1.005"}, "temp_parking_cap"),
        ({"temp_parking_cap": "<script>"}, "temp_parking_cap"),
        ({"temp_parking_cap": "9" * 21}, "temp_parking_cap"),
        ({"temp_parking_cap": "99999999999999"}, "temp_parking_cap"),
        ({"temp_parking_cap": ""}, "temp_parking_cap"),
        ({"temp_parking_cap": "8\x00"}, "temp_parking_cap"),
        ({"temp_parking_short_fee": "-2"}, "temp_parking_short_fee"),
        ({"temp_parking_free_minutes": "99999"}, "temp_parking_free_minutes"),
        ({"temp_parking_free_minutes": "ten"}, "temp_parking_free_minutes"),
        ({"temp_parking_block_hours": "0"}, "temp_parking_block_hours"),
        ({"temp_parking_block_hours": ""}, "temp_parking_block_hours"),
    ],
)
def test_bad_figures_are_answered_on_their_field_and_nothing_is_written(
    personas, community_a, rates, change, field
):
    before = snapshot()
    response = client_for(personas["supervisor"]).post(
        f"/operations/parking/rule/{community_a.id}/", {**GOOD, **change}
    )
    assert response.status_code == 400, response.content[:300]
    assert f'data-field-error="{field}"'.encode() in response.content
    assert snapshot() == before
