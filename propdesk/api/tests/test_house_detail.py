"""GET /api/houses/{id}."""

import pytest

from propdesk.api.tests.helpers import ROLES, snapshot, view_outcomes


@pytest.mark.parametrize("role", ROLES)
def test_it_is_refused_outside_the_roles_communities(api, registry, role):
    before = snapshot()
    response = api.get(role, f"/api/houses/{registry.house.id}")
    assert response.status_code == view_outcomes()[role], response.content
    if response.status_code == 200:
        assert response.json()["code"] == "3-2-1502"
    assert snapshot() == before


def test_it_shows_owners_residents_agents_vehicles_and_history_masked(api, registry):
    body = api.get("agent", f"/api/houses/{registry.house.id}").json()
    assert body["area_m2"] == "89.50"
    assert body["status"] == "occupied"
    assert [o["name"] for o in body["owners"]] == ["张三"]
    assert body["owners"][0]["mobile_masked"] == "138****5678"
    assert body["residents"][0]["mobile_masked"] == "139****2222"
    assert body["residents"][0]["id_number_masked"] == "1101**********0016"
    assert body["agents"][0]["name"] == "赵六"
    assert body["agents"][0]["mobile_masked"] == "136****3333"
    assert body["vehicles"][0]["plate_masked"] == "粤B***45"
    assert [h["to_status"] for h in body["status_history"]] == ["occupied"]


def test_it_never_shows_personal_data_unmasked(api, registry):
    text = api.get("admin", f"/api/houses/{registry.house.id}").content.decode()
    for secret in ["13812345678", "13911112222", "13600003333", "110105198001010016", "粤B12345"]:
        assert secret not in text


def test_it_answers_404_for_an_unknown_house(api, registry):
    response = api.get("admin", "/api/houses/424242")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_another_communitys_house_looks_the_same_as_a_missing_one(api, registry):
    other = api.get("other_agent", f"/api/houses/{registry.house.id}")
    missing = api.get("other_agent", "/api/houses/424242")
    assert other.status_code == missing.status_code == 404
    assert other.json() == missing.json()
