"""GET and POST /api/parking-spaces and POST /api/parking-spaces/{id}/assign."""

import pytest

from propdesk.api.tests.helpers import (
    ROLES,
    assert_bad_input,
    assert_refused,
    edit_outcomes,
    snapshot,
    view_outcomes,
)
from propdesk.estates.models import ParkingSpace


@pytest.mark.parametrize("role", ROLES)
def test_each_role_sees_only_spaces_of_its_communities(api, registry, role):
    response = api.get(role, "/api/parking-spaces")
    expected = {**view_outcomes(), "other_agent": 200}[role]
    assert response.status_code == expected, response.content
    if expected == 200:
        numbers = sorted(s["number"] for s in response.json()["items"])
        assert numbers == {"admin": ["B-001", "P-001"], "other_agent": ["B-001"]}.get(
            role, ["P-001"]
        )


@pytest.mark.parametrize("role", ROLES)
def test_filtering_by_another_community_is_refused(api, registry, role):
    response = api.get(role, "/api/parking-spaces", {"community": registry.community_a.id})
    assert response.status_code == view_outcomes()[role]


@pytest.mark.parametrize(
    ("params", "numbers"),
    [({"kind": "dedicated"}, ["P-001"]), ({"kind": "shared"}, ["B-001"]), ({"status": "let"}, [])],
)
def test_it_filters_by_kind_and_status(api, registry, params, numbers):
    response = api.get("admin", "/api/parking-spaces", params)
    assert [s["number"] for s in response.json()["items"]] == numbers


@pytest.mark.parametrize(
    ("params", "field"), [({"status": "free"}, "status"), ({"kind": 1.5}, "kind")]
)
def test_it_refuses_bad_filters(api, registry, params, field):
    response = api.get("agent", "/api/parking-spaces", params)
    assert response.status_code == 422
    assert response.json()["field"] == field


@pytest.mark.parametrize("role", ROLES)
def test_only_front_desk_roles_of_the_community_can_add_a_space(api, registry, role):
    before = snapshot()
    body = {"community": registry.community_a.id, "number": "地下B1-023", "kind": "shared"}
    response = api.post(role, "/api/parking-spaces", body)
    expected = edit_outcomes(201)[role]
    if expected != 201:
        assert_refused(response, expected, before)
        return
    assert response.status_code == 201, response.content
    assert ParkingSpace.objects.get(pk=response.json()["id"]).number == "地下B1-023"


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"number": "P-001"}, "number"),
        ({"number": ""}, "number"),
        ({"number": "P" * 21}, "number"),
        ({"number": "P 001"}, "number"),
        ({"number": "<P>"}, "number"),
        ({"number": "P'; --"}, "number"),
        ({"number": "P\x00"}, "number"),
        ({"kind": "roof"}, "kind"),
        ({"community": "OTHER"}, "community"),
        ({"community": 10**20}, "community"),
    ],
)
def test_creating_refuses_bad_input_naming_the_field(api, registry, changes, field):
    if changes.get("community") == "OTHER":
        changes["community"] = registry.community_b.id
    body = {"community": registry.community_a.id, "number": "P-002", "kind": "shared", **changes}
    before = snapshot()
    assert_bad_input(api.post("agent", "/api/parking-spaces", body), field, before)


@pytest.mark.parametrize("role", ROLES)
def test_only_front_desk_roles_of_the_community_can_assign_a_space(api, registry, role):
    before = snapshot()
    body = {
        "status": "let",
        "holder": registry.owner.id,
        "house": registry.house.id,
        "vehicle": registry.vehicle.id,
    }
    response = api.post(role, f"/api/parking-spaces/{registry.space.id}/assign", body)
    expected = edit_outcomes()[role]
    if expected != 200:
        assert_refused(response, expected, before)
        return
    assert response.status_code == 200, response.content
    assert response.json()["holder_name"] == "张三"
    registry.space.refresh_from_db()
    assert (registry.space.status, registry.space.holder_id, registry.space.vehicle_id) == (
        "let",
        registry.owner.id,
        registry.vehicle.id,
    )


def test_freeing_a_space_clears_its_holder(api, registry):
    url = f"/api/parking-spaces/{registry.space.id}/assign"
    api.post("agent", url, {"status": "sold", "holder": registry.owner.id})
    response = api.post("agent", url, {"status": "available"})
    assert response.json()["holder"] is None


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "status"),
        ({"status": "rented"}, "status"),
        ({"status": "let"}, "holder"),
        ({"status": "let", "holder": "OWNER_B"}, "holder"),
        ({"status": "let", "holder": "OWNER", "house": "HOUSE_B"}, "house"),
        ({"status": "let", "holder": "OWNER", "vehicle": "VEHICLE_B"}, "vehicle"),
        ({"status": "let", "holder": "x"}, "holder"),
        ({"status": "let", "holder": 10**25}, "holder"),
    ],
)
def test_assigning_refuses_bad_input_naming_the_field(api, registry, body, field):
    ids = {
        "OWNER": registry.owner.id,
        "OWNER_B": registry.owner_b.id,
        "HOUSE_B": registry.house_b.id,
        "VEHICLE_B": registry.vehicle_b.id,
    }
    body = {k: ids.get(v, v) if isinstance(v, str) else v for k, v in body.items()}
    before = snapshot()
    response = api.post("agent", f"/api/parking-spaces/{registry.space.id}/assign", body)
    assert_bad_input(response, field, before)


def test_admin_cannot_assign_a_holder_of_another_community(api, registry):
    before = snapshot()
    response = api.post(
        "admin",
        f"/api/parking-spaces/{registry.space.id}/assign",
        {"status": "let", "holder": registry.owner_b.id},
    )
    assert response.status_code == 400
    assert_bad_input(response, "holder", before)
