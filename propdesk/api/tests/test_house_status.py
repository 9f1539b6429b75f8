"""POST /api/houses/{id}/status."""

import datetime

import pytest

from propdesk.api.tests.helpers import (
    ROLES,
    assert_bad_input,
    assert_refused,
    edit_outcomes,
    snapshot,
)
from propdesk.estates.models import HouseStatusChange


@pytest.mark.parametrize("role", ROLES)
def test_only_front_desk_roles_of_the_community_can_change_the_status(api, registry, role):
    before = snapshot()
    response = api.post(
        role,
        f"/api/houses/{registry.house.id}/status",
        {"status": "decorating", "effective_on": "2024-03-01", "note": "装修开工"},
    )
    expected = edit_outcomes()[role]
    if expected != 200:
        assert_refused(response, expected, before)
        return
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "decorating"
    change = HouseStatusChange.objects.filter(house=registry.house).latest("id")
    assert (change.from_status, change.to_status, change.effective_on, change.note) == (
        "occupied",
        "decorating",
        datetime.date(2024, 3, 1),
        "装修开工",
    )


def test_it_refuses_the_status_the_house_already_has_with_409(api, registry):
    before = snapshot()
    response = api.post("agent", f"/api/houses/{registry.house.id}/status", {"status": "occupied"})
    assert response.status_code == 409
    assert_bad_input(response, "status", before)


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "status"),
        ({"status": "demolished"}, "status"),
        ({"status": 3}, "status"),
        ({"status": "vacant", "effective_on": "2999-01-01"}, "effective_on"),
        ({"status": "vacant", "effective_on": "not a date"}, "effective_on"),
        ({"status": "vacant", "note": "n" * 201}, "note"),
        ({"status": "vacant", "note": "bad\x00note"}, "note"),
    ],
)
def test_it_refuses_bad_input_naming_the_field(api, registry, body, field):
    before = snapshot()
    response = api.post("agent", f"/api/houses/{registry.house.id}/status", body)
    assert_bad_input(response, field, before)


def test_hostile_looking_notes_are_stored_as_plain_text(api, registry):
    note = "<script>alert(1)</script> '; DROP TABLE estates_house; --"
    response = api.post(
        "agent", f"/api/houses/{registry.house.id}/status", {"status": "vacant", "note": note}
    )
    assert response.status_code == 200
    assert HouseStatusChange.objects.filter(house=registry.house).latest("id").note == note
