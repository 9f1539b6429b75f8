"""GET /api/houses: filters, paging, scoping, masking."""

import pytest

from propdesk.api.tests.helpers import ROLES, snapshot, view_outcomes
from propdesk.estates import services


@pytest.mark.parametrize("role", ROLES)
def test_each_role_sees_only_houses_of_its_communities(api, registry, role):
    before = snapshot()
    response = api.get(role, "/api/houses")
    expected = {**view_outcomes(), "other_agent": 200}[role]
    assert response.status_code == expected, response.content
    if expected == 200:
        codes = sorted(h["code"] for h in response.json()["items"])
        assert codes == {"admin": ["1-1-101", "3-2-1502"], "other_agent": ["1-1-101"]}.get(
            role, ["3-2-1502"]
        )
    assert snapshot() == before


@pytest.mark.parametrize("role", ROLES)
def test_filtering_by_another_community_is_refused(api, registry, role):
    response = api.get(role, "/api/houses", {"community": registry.community_a.id})
    assert response.status_code == view_outcomes()[role]


def test_it_refuses_a_building_of_another_community(api, registry):
    response = api.get("other_agent", "/api/houses", {"building": registry.building.id})
    assert response.status_code == 404
    assert response.json()["field"] == "building"


def test_owner_mobiles_are_masked(api, registry):
    item = api.get("agent", "/api/houses").json()["items"][0]
    assert item["owners"] == [
        {
            "owner": registry.owner.id,
            "name": "张三",
            "mobile_masked": "138****5678",
            "is_primary": True,
            "start_on": "2021-07-01",
            "end_on": None,
        }
    ]
    assert "13812345678" not in api.get("admin", "/api/houses").content.decode()


@pytest.fixture
def more_houses(registry, admin):
    houses = []
    for room, status, kind in [
        ("1501", "vacant", "residential"),
        ("1601", "occupied", "commercial"),
        ("1602", "decorating", "residential"),
    ]:
        houses.append(
            services.house_create(
                actor=admin,
                building=registry.building,
                unit_number="2",
                number=room,
                floor=int(room[:2]),
                area_m2="100",
                status=status,
                kind=kind,
            )
        )
    return houses


@pytest.mark.parametrize(
    ("params", "codes"),
    [
        ({"code": "3-2-15"}, ["3-2-1501", "3-2-1502"]),
        ({"code": "3-2-16"}, ["3-2-1601", "3-2-1602"]),
        ({"status": "vacant"}, ["3-2-1501"]),
        ({"kind": "commercial"}, ["3-2-1601"]),
        ({"status": "occupied", "kind": "residential"}, ["3-2-1502"]),
        ({"code": "9-"}, []),
    ],
)
def test_it_filters_by_code_prefix_status_and_kind(api, more_houses, params, codes):
    response = api.get("agent", "/api/houses", params)
    assert [h["code"] for h in response.json()["items"]] == codes


def test_it_filters_by_building(api, registry, more_houses):
    response = api.get("admin", "/api/houses", {"building": registry.building.id})
    assert response.json()["count"] == 4


def test_it_pages_with_limit_and_offset(api, more_houses):
    body = api.get("agent", "/api/houses", {"limit": 2, "offset": 1}).json()
    assert body["count"] == 4
    assert body["limit"] == 2
    assert [h["code"] for h in body["items"]] == ["3-2-1502", "3-2-1601"]


def test_the_limit_is_capped_at_100(api, more_houses):
    body = api.get("agent", "/api/houses", {"limit": 5000}).json()
    assert body["limit"] == 100
    assert len(body["items"]) == 4


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"limit": 0}, "limit"),
        ({"limit": "ten"}, "limit"),
        ({"offset": -1}, "offset"),
        ({"offset": 10**30}, "offset"),
        ({"status": "sold"}, "status"),
        ({"kind": "castle"}, "kind"),
        ({"community": "A"}, "community"),
        ({"community": 10**30}, "community"),
        ({"building": -3}, "building"),
        ({"code": "3-2-1502' OR 1=1 --"}, "code"),
        ({"code": "x" * 41}, "code"),
        ({"code": "3\x00"}, "code"),
    ],
)
def test_it_refuses_bad_filters_naming_the_parameter(api, registry, params, field):
    response = api.get("agent", "/api/houses", params)
    # A NUL is refused before the endpoint, by the one guard for every address (400).
    nul = any("\x00" in str(value) for value in params.values())
    assert response.status_code == (400 if nul else 422)
    assert response.json()["field"] == field
