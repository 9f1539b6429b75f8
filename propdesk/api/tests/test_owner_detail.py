"""GET /api/owners/{id}."""

import pytest

from propdesk.api.tests.helpers import ROLES, snapshot, view_outcomes


@pytest.mark.parametrize("role", ROLES)
def test_it_is_refused_outside_the_roles_communities(api, registry, role):
    before = snapshot()
    response = api.get(role, f"/api/owners/{registry.owner.id}")
    assert response.status_code == view_outcomes()[role], response.content
    if response.status_code == 200:
        assert response.json()["name"] == "张三"
    assert snapshot() == before


def test_it_lists_houses_vehicles_and_agents_masked(api, registry):
    response = api.get("agent", f"/api/owners/{registry.owner.id}")
    body = response.json()
    assert [h["house_code"] for h in body["houses"]] == ["3-2-1502"]
    assert [v["plate_masked"] for v in body["vehicles"]] == ["粤B***45"]
    assert [a["name"] for a in body["agents"]] == ["赵六"]
    text = response.content.decode()
    for secret in ["13812345678", "11010519491231002X", "粤B12345", "13600003333"]:
        assert secret not in text


def test_an_owner_of_another_community_is_not_found(api, registry):
    assert api.get("agent", f"/api/owners/{registry.owner_b.id}").status_code == 404
