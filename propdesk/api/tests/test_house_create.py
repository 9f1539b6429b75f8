"""POST /api/houses."""

import pytest

from propdesk.api.tests.helpers import (
    ROLES,
    assert_bad_input,
    assert_refused,
    edit_outcomes,
    snapshot,
)
from propdesk.core.models import AuditEvent
from propdesk.estates.models import House, HouseStatusChange, Unit


def _body(registry, **changes):
    return {
        "building": registry.building.id,
        "unit": "2",
        "number": "1601",
        "floor": 16,
        "area_m2": "90.25",
        "kind": "residential",
        "status": "vacant",
        "delivered_on": "2022-01-15",
        **changes,
    }


@pytest.mark.parametrize("role", ROLES)
def test_only_front_desk_roles_of_the_community_can_register_a_house(api, registry, role):
    before = snapshot()
    response = api.post(role, "/api/houses", _body(registry))
    expected = edit_outcomes(201)[role]
    if expected != 201:
        assert_refused(response, expected, before)
        return
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["code"] == "3-2-1601"
    assert body["area_m2"] == "90.25"
    house = House.objects.get(pk=body["id"])
    assert house.status == "vacant"
    assert HouseStatusChange.objects.filter(house=house, to_status="vacant").exists()
    assert AuditEvent.objects.filter(house_id=house.id, action="create").exists()


def test_a_new_unit_is_created_on_first_use(api, registry):
    response = api.post("agent", "/api/houses", _body(registry, unit="5", number="101", floor=1))
    assert response.status_code == 201
    assert Unit.objects.filter(building=registry.building, number="5").exists()


def test_it_refuses_a_house_that_exists_with_409(api, registry):
    before = snapshot()
    response = api.post("agent", "/api/houses", _body(registry, number="1502"))
    assert response.status_code == 409
    assert_bad_input(response, "number", before)


def test_other_agents_get_404_naming_the_building(api, registry):
    before = snapshot()
    response = api.post("other_agent", "/api/houses", _body(registry))
    assert_refused(response, 404, before)
    assert response.json()["field"] == "building"


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"building": "three"}, "building"),
        ({"building": 0}, "building"),
        ({"building": 10**30}, "building"),
        ({"building": 987654}, "building"),
        ({"building": True}, "building"),
        ({"area_m2": True}, "area_m2"),
        ({"unit": ""}, "unit"),
        ({"unit": "2-1"}, "unit"),
        ({"unit": "u" * 21}, "unit"),
        ({"number": "<img src=x onerror=alert(1)>"}, "number"),
        ({"number": "1601; DROP TABLE estates_house;--"}, "number"),
        ({"number": "16\x0001"}, "number"),
        ({"number": None}, "number"),
        ({"floor": "sixteen"}, "floor"),
        ({"floor": 201}, "floor"),
        ({"floor": -11}, "floor"),
        ({"floor": 10**40}, "floor"),
        ({"floor": 16.5}, "floor"),
        ({"floor": True}, "floor"),
        ({"floor": "16"}, "floor"),
        ({"area_m2": "0"}, "area_m2"),
        ({"area_m2": "-5"}, "area_m2"),
        ({"area_m2": "90.255"}, "area_m2"),
        ({"area_m2": "100000.01"}, "area_m2"),
        ({"area_m2": "1e400"}, "area_m2"),
        ({"area_m2": "NaN"}, "area_m2"),
        ({"area_m2": "Infinity"}, "area_m2"),
        ({"area_m2": "ninety"}, "area_m2"),
        ({"area_m2": [90]}, "area_m2"),
        ({"kind": "castle"}, "kind"),
        ({"status": "sold"}, "status"),
        ({"delivered_on": "2022-13-45"}, "delivered_on"),
        ({"delivered_on": "yesterday"}, "delivered_on"),
    ],
)
def test_it_refuses_bad_input_naming_the_field(api, registry, changes, field):
    before = snapshot()
    response = api.post("agent", "/api/houses", _body(registry, **changes))
    assert_bad_input(response, field, before)


@pytest.mark.parametrize("missing", ["building", "unit", "number", "floor", "area_m2"])
def test_it_requires_each_mandatory_field(api, registry, missing):
    before = snapshot()
    body = _body(registry)
    del body[missing]
    response = api.post("agent", "/api/houses", body)
    assert response.status_code == 422
    assert_bad_input(response, missing, before)


@pytest.mark.parametrize("body", ["[]", '"house"', "null", "{", "\x00", "{" * 100000, "[" * 100000])
def test_it_refuses_a_body_that_is_not_a_json_object(api, registry, body):
    before = snapshot()
    response = api.raw("agent", "post", "/api/houses", body, "application/json")
    assert 400 <= response.status_code < 500
    assert response.json()["message"]
    assert snapshot() == before


def test_it_accepts_a_number_for_the_area(api, registry):
    response = api.post("agent", "/api/houses", _body(registry, area_m2=88.5))
    assert response.status_code == 201
    assert response.json()["area_m2"] == "88.50"
