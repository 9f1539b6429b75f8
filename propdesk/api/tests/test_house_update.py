"""PATCH /api/houses/{id}."""

import datetime
from decimal import Decimal

import pytest

from propdesk.api.tests.helpers import (
    ROLES,
    assert_bad_input,
    assert_refused,
    edit_outcomes,
    snapshot,
)
from propdesk.core.models import AuditEvent


@pytest.mark.parametrize("role", ROLES)
def test_only_front_desk_roles_of_the_community_can_correct_a_house(api, registry, role):
    before = snapshot()
    response = api.patch(role, f"/api/houses/{registry.house.id}", {"area_m2": "91.00"})
    expected = edit_outcomes()[role]
    if expected != 200:
        assert_refused(response, expected, before)
        return
    assert response.status_code == 200, response.content
    registry.house.refresh_from_db()
    assert registry.house.area_m2 == Decimal("91.00")
    event = AuditEvent.objects.get(house_id=registry.house.id, action="update")
    assert event.changes == {"area_m2": ["89.50", "91.00"]}


def test_it_changes_only_the_fields_sent(api, registry):
    response = api.patch(
        "agent",
        f"/api/houses/{registry.house.id}",
        {"floor": 14, "kind": "commercial", "delivered_on": "2021-07-01"},
    )
    assert response.status_code == 200
    registry.house.refresh_from_db()
    assert (registry.house.floor, registry.house.kind, registry.house.area_m2) == (
        14,
        "commercial",
        Decimal("89.50"),
    )
    assert registry.house.delivered_on == datetime.date(2021, 7, 1)


def test_an_empty_patch_changes_nothing(api, registry):
    before = snapshot()
    response = api.patch("agent", f"/api/houses/{registry.house.id}", {})
    assert response.status_code == 200
    assert snapshot() == before


def test_the_status_cannot_be_patched(api, registry):
    api.patch("agent", f"/api/houses/{registry.house.id}", {"status": "vacant"})
    registry.house.refresh_from_db()
    assert registry.house.status == "occupied"


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"floor": "high"}, "floor"),
        ({"floor": 999}, "floor"),
        ({"floor": 10**40}, "floor"),
        ({"area_m2": "0.00"}, "area_m2"),
        ({"area_m2": "12.345"}, "area_m2"),
        ({"area_m2": "1' OR 1=1"}, "area_m2"),
        ({"area_m2": "9" * 50}, "area_m2"),
        ({"kind": "<b>"}, "kind"),
        ({"delivered_on": "31/12/2021"}, "delivered_on"),
    ],
)
def test_it_refuses_bad_input_naming_the_field(api, registry, changes, field):
    before = snapshot()
    response = api.patch("agent", f"/api/houses/{registry.house.id}", changes)
    assert_bad_input(response, field, before)


def test_a_bad_field_leaves_the_good_ones_unwritten(api, registry):
    before = snapshot()
    response = api.patch("agent", f"/api/houses/{registry.house.id}", {"floor": 3, "area_m2": "-1"})
    assert_bad_input(response, "area_m2", before)


@pytest.mark.parametrize("body", ["[null, null]", "[]", "5", '"floor"', "null"])
def test_a_body_that_is_not_a_json_object_is_refused(api, registry, body):
    before = snapshot()
    response = api.raw(
        "agent", "patch", f"/api/houses/{registry.house.id}", body, "application/json"
    )
    assert response.status_code == 400
    assert response.json()["code"] == "bad_body"
    assert snapshot() == before
