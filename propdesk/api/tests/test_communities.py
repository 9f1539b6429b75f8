"""GET /api/communities and /api/communities/{id}."""

import pytest

from propdesk.api.tests.helpers import ROLES, snapshot, view_outcomes


@pytest.mark.parametrize("role", ROLES)
def test_the_list_shows_each_role_only_its_communities(api, registry, role):
    before = snapshot()
    response = api.get(role, "/api/communities")
    expected = {**view_outcomes(), "other_agent": 200}[role]
    assert response.status_code == expected, response.content
    if expected == 200:
        codes = [c["code"] for c in response.json()]
        assert codes == {"admin": ["A", "B"], "other_agent": ["B"]}.get(role, ["A"])
    else:
        assert response.json()["code"]
    assert snapshot() == before


@pytest.mark.parametrize("role", ROLES)
def test_the_detail_is_refused_outside_the_roles_communities(api, registry, role):
    response = api.get(role, f"/api/communities/{registry.community_a.id}")
    assert response.status_code == view_outcomes()[role], response.content
    if response.status_code == 200:
        assert response.json() == {
            "id": registry.community_a.id,
            "code": "A",
            "name": "甲小区",
            "address": "",
            "archive_prefix": "A",
        }


def test_it_answers_404_for_a_community_that_does_not_exist(api, registry):
    assert api.get("admin", "/api/communities/999999").status_code == 404


@pytest.mark.parametrize("bad_id", ["0", "-1", "99999999999999999999999"])
def test_it_refuses_ids_out_of_range_with_a_clear_message(api, registry, bad_id):
    response = api.get("admin", f"/api/communities/{bad_id}")
    assert response.status_code in {404, 422}
    if response.status_code == 422:
        assert response.json()["field"] == "community_id"
