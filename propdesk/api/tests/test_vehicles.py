"""POST /api/houses/{id}/vehicles and /api/vehicles/{id}/remove."""

import pytest

from propdesk.api.tests.helpers import (
    ROLES,
    assert_bad_input,
    assert_refused,
    edit_outcomes,
    snapshot,
)
from propdesk.estates.models import Vehicle


@pytest.mark.parametrize("role", ROLES)
def test_only_front_desk_roles_of_the_community_can_add_a_vehicle(api, registry, role):
    before = snapshot()
    response = api.post(
        role,
        f"/api/houses/{registry.house.id}/vehicles",
        {"plate": "粤B·D12345", "owner": registry.owner.id, "description": "白色特斯拉"},
    )
    expected = edit_outcomes(201)[role]
    if expected != 201:
        assert_refused(response, expected, before)
        return
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["plate_masked"], body["is_new_energy"]) == ("粤B****45", True)
    assert Vehicle.objects.get(pk=body["id"]).plate == "粤BD12345"
    assert "粤BD12345" not in response.content.decode()


def test_a_vehicle_needs_no_owner(api, registry):
    response = api.post("agent", f"/api/houses/{registry.house.id}/vehicles", {"plate": "沪A88888"})
    assert response.status_code == 201
    assert response.json()["owner"] is None


def test_it_refuses_a_plate_already_registered_with_409(api, registry):
    before = snapshot()
    response = api.post("agent", f"/api/houses/{registry.house.id}/vehicles", {"plate": "粤B12345"})
    assert response.status_code == 409
    assert_bad_input(response, "plate", before)


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "plate"),
        ({"plate": ""}, "plate"),
        ({"plate": "ABC123"}, "plate"),
        ({"plate": "粤I12345"}, "plate"),
        ({"plate": "粤B1234"}, "plate"),
        ({"plate": "粤BD1２345"}, "plate"),
        ({"plate": "粤B" + "1" * 30}, "plate"),
        ({"plate": "<粤B12345>"}, "plate"),
        ({"plate": "粤B12345'--"}, "plate"),
        ({"plate": "粤B\x0012345"}, "plate"),
        ({"plate": 12345}, "plate"),
        ({"plate": "沪A88888", "owner": "OWNER_B"}, "owner"),
        ({"plate": "沪A88888", "owner": "me"}, "owner"),
        ({"plate": "沪A88888", "description": "d" * 61}, "description"),
    ],
)
def test_it_refuses_bad_input_naming_the_field(api, registry, body, field):
    if body.get("owner") == "OWNER_B":
        body = {**body, "owner": registry.owner_b.id}
    before = snapshot()
    response = api.post("agent", f"/api/houses/{registry.house.id}/vehicles", body)
    assert_bad_input(response, field, before)


@pytest.mark.parametrize("role", ROLES)
def test_only_front_desk_roles_of_the_community_can_remove_a_vehicle(api, registry, role):
    before = snapshot()
    response = api.post(role, f"/api/vehicles/{registry.vehicle.id}/remove")
    expected = edit_outcomes()[role]
    if expected != 200:
        assert_refused(response, expected, before)
        return
    assert response.status_code == 200, response.content
    assert response.json()["removed_on"]
    assert Vehicle.objects.filter(pk=registry.vehicle.pk).exists()  # kept, not deleted


def test_removing_twice_is_refused_with_409(api, registry):
    api.post("agent", f"/api/vehicles/{registry.vehicle.id}/remove")
    before = snapshot()
    assert_refused(api.post("agent", f"/api/vehicles/{registry.vehicle.id}/remove"), 409, before)
