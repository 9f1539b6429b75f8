"""POST /api/houses/{id}/residents and /api/residents/{id}/move-out."""

import datetime

import pytest

from propdesk.api.tests.helpers import (
    ROLES,
    SECOND_ID,
    assert_bad_input,
    assert_refused,
    edit_outcomes,
    snapshot,
)
from propdesk.estates.models import Resident


def _tenant(**changes):
    return {
        "relation": "tenant",
        "name": "孙租客",
        "mobile": "13600001234",
        "id_number": SECOND_ID,
        "lease_start": "2025-01-01",
        "lease_end": "2025-12-31",
        **changes,
    }


@pytest.mark.parametrize("role", ROLES)
def test_only_front_desk_roles_of_the_community_can_add_a_resident(api, registry, role):
    before = snapshot()
    response = api.post(role, f"/api/houses/{registry.house.id}/residents", _tenant())
    expected = edit_outcomes(201)[role]
    if expected != 201:
        assert_refused(response, expected, before)
        return
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["relation"], body["mobile_masked"], body["lease_end"]) == (
        "tenant",
        "136****1234",
        "2025-12-31",
    )
    resident = Resident.objects.get(pk=body["id"])
    assert resident.mobile == "13600001234"


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"relation": "landlord"}, "relation"),
        ({"name": ""}, "name"),
        ({"name": "n" * 101}, "name"),
        ({"name": "<svg onload=alert(1)>"}, "name"),
        ({"mobile": "138"}, "mobile"),
        ({"mobile": "１３８１２３４５６７８"}, "mobile"),
        ({"mobile": "13８12345678"}, "mobile"),
        ({"id_number": "110105198001010017"}, "id_number"),
        ({"id_number": "\x00"}, "id_number"),
        ({"lease_end": None}, "lease_end"),
        ({"lease_end": "2024-12-31"}, "lease_end"),
        ({"lease_start": "2025-02-30"}, "lease_start"),
        ({"moved_in_on": 0}, "moved_in_on"),
        ({"moved_in_on": "1700000000"}, "moved_in_on"),
        ({"moved_in_on": "２０２５-01-01"}, "moved_in_on"),
        ({"note": "x" * 201}, "note"),
    ],
)
def test_it_refuses_bad_input_naming_the_field(api, registry, changes, field):
    before = snapshot()
    response = api.post("agent", f"/api/houses/{registry.house.id}/residents", _tenant(**changes))
    assert_bad_input(response, field, before)


def test_a_family_member_needs_no_lease(api, registry):
    response = api.post(
        "agent",
        f"/api/houses/{registry.house.id}/residents",
        {"relation": "family", "name": "张小四"},
    )
    assert response.status_code == 201, response.content


@pytest.mark.parametrize("role", ROLES)
def test_only_front_desk_roles_of_the_community_can_record_a_move_out(api, registry, role):
    before = snapshot()
    response = api.post(role, f"/api/residents/{registry.resident.id}/move-out", {})
    expected = edit_outcomes()[role]
    if expected != 200:
        assert_refused(response, expected, before)
        return
    assert response.status_code == 200, response.content
    registry.resident.refresh_from_db()
    assert registry.resident.moved_out_on is not None


def test_it_records_the_move_out_date_given(api, registry):
    Resident.objects.filter(pk=registry.resident.pk).update(moved_in_on=datetime.date(2020, 1, 1))
    response = api.post(
        "agent",
        f"/api/residents/{registry.resident.id}/move-out",
        {"moved_out_on": "2024-06-30"},
    )
    assert response.json()["moved_out_on"] == "2024-06-30"


def test_a_second_move_out_is_refused_with_409(api, registry):
    api.post("agent", f"/api/residents/{registry.resident.id}/move-out", {})
    before = snapshot()
    response = api.post("agent", f"/api/residents/{registry.resident.id}/move-out", {})
    assert response.status_code == 409
    assert_bad_input(response, "moved_out_on", before)


@pytest.mark.parametrize("value", ["soon", 20240630, "2024-06-31", 0, 1.5, True])
def test_it_refuses_a_bad_move_out_date(api, registry, value):
    before = snapshot()
    response = api.post(
        "agent", f"/api/residents/{registry.resident.id}/move-out", {"moved_out_on": value}
    )
    assert_bad_input(response, "moved_out_on", before)


@pytest.mark.parametrize("body", ["[null, null]", "[]", "0"])
def test_a_move_out_body_that_is_not_an_object_is_refused(api, registry, body):
    before = snapshot()
    response = api.raw(
        "agent",
        "post",
        f"/api/residents/{registry.resident.id}/move-out",
        body,
        "application/json",
    )
    assert response.status_code == 400
    assert snapshot() == before
