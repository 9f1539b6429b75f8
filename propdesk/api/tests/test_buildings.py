"""GET and POST /api/buildings."""

import pytest

from propdesk.api.tests.helpers import (
    ROLES,
    assert_bad_input,
    assert_refused,
    edit_outcomes,
    snapshot,
    view_outcomes,
)
from propdesk.estates.models import Building


@pytest.mark.parametrize("role", ROLES)
def test_the_list_shows_only_the_roles_communities(api, registry, role):
    response = api.get(role, "/api/buildings")
    expected = {**view_outcomes(), "other_agent": 200}[role]
    assert response.status_code == expected, response.content
    if expected == 200:
        numbers = sorted(b["number"] for b in response.json()["items"])
        assert numbers == {"admin": ["1", "3"], "other_agent": ["1"]}.get(role, ["3"])


@pytest.mark.parametrize("role", ROLES)
def test_the_community_filter_refuses_another_community(api, registry, role):
    response = api.get(role, "/api/buildings", {"community": registry.community_a.id})
    assert response.status_code == view_outcomes()[role], response.content
    if response.status_code == 200:
        assert [b["number"] for b in response.json()["items"]] == ["3"]
    elif role == "other_agent":
        assert response.json()["field"] == "community"


def test_the_list_is_paged(api, registry, admin):
    from propdesk.estates import services

    for n in range(5, 9):
        services.building_create(actor=admin, community=registry.community_a, number=str(n))
    response = api.get("agent", "/api/buildings", {"limit": 2, "offset": 1})
    body = response.json()
    assert body["count"] == 5
    assert [b["number"] for b in body["items"]] == ["5", "6"]


def _body(registry, **changes):
    return {"community": registry.community_a.id, "number": "7", "name": "七栋", **changes}


@pytest.mark.parametrize("role", ROLES)
def test_creating_is_refused_to_roles_without_the_right(api, registry, role):
    before = snapshot()
    response = api.post(role, "/api/buildings", _body(registry))
    expected = edit_outcomes(201)[role]
    if expected == 201:
        assert response.status_code == 201, response.content
        building = Building.objects.get(pk=response.json()["id"])
        assert (building.community_id, building.number, building.name) == (
            registry.community_a.id,
            "7",
            "七栋",
        )
    else:
        assert_refused(response, expected, before)


def test_it_refuses_a_duplicate_number_with_409(api, registry):
    before = snapshot()
    response = api.post("agent", "/api/buildings", _body(registry, number="3"))
    assert response.status_code == 409
    assert_bad_input(response, "number", before)


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"community": "A"}, "community"),
        ({"community": None}, "community"),
        ({"community": 10**30}, "community"),
        ({"number": ""}, "number"),
        ({"number": "3-1"}, "number"),
        ({"number": "<b>1</b>"}, "number"),
        ({"number": "1' OR '1'='1"}, "number"),
        ({"number": "x" * 21}, "number"),
        ({"number": "1\x00"}, "number"),
        ({"number": 7}, "number"),
        ({"name": "n" * 61}, "name"),
        ({"name": "<script>alert(1)</script>"}, "name"),
        ({"name": "a\x00b"}, "name"),
        ({"floors": 0}, "floors"),
        ({"floors": 201}, "floors"),
        ({"floors": 10**40}, "floors"),
        ({"floors": "many"}, "floors"),
        ({"floors": 1.5}, "floors"),
    ],
)
def test_it_refuses_bad_input_naming_the_field(api, registry, changes, field):
    before = snapshot()
    response = api.post("agent", "/api/buildings", _body(registry, **changes))
    assert_bad_input(response, field, before)


@pytest.mark.parametrize("missing", ["community", "number"])
def test_it_requires_the_community_and_the_number(api, registry, missing):
    before = snapshot()
    body = _body(registry)
    del body[missing]
    assert_bad_input(api.post("agent", "/api/buildings", body), missing, before)


def test_other_agents_cannot_add_a_building_to_community_a(api, registry):
    before = snapshot()
    response = api.post("other_agent", "/api/buildings", _body(registry))
    assert_refused(response, 404, before)
    assert response.json()["field"] == "community"
