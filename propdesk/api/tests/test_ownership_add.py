"""POST /api/houses/{id}/owners: register an owner or co-owner."""

import pytest

from propdesk.api.tests.helpers import (
    ROLES,
    assert_bad_input,
    assert_refused,
    edit_outcomes,
    snapshot,
)
from propdesk.estates.models import Ownership


@pytest.mark.parametrize("role", ROLES)
def test_only_front_desk_roles_of_the_community_can_add_a_co_owner(api, registry, role):
    before = snapshot()
    response = api.post(
        role,
        f"/api/houses/{registry.house.id}/owners",
        {"owner": registry.li_si.id, "start_on": "2023-01-01"},
    )
    expected = edit_outcomes(201)[role]
    if expected != 201:
        assert_refused(response, expected, before)
        return
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["owner"], body["is_primary"], body["start_on"]) == (
        registry.li_si.id,
        False,
        "2023-01-01",
    )
    assert Ownership.objects.filter(house=registry.house, end_on__isnull=True).count() == 2


def test_a_primary_co_owner_takes_over_the_primary_flag(api, registry):
    api.post(
        "agent",
        f"/api/houses/{registry.house.id}/owners",
        {"owner": registry.li_si.id, "is_primary": True},
    )
    primary = Ownership.objects.get(house=registry.house, is_primary=True, end_on__isnull=True)
    assert primary.owner_id == registry.li_si.id


def test_it_refuses_an_owner_who_already_owns_the_house_with_409(api, registry):
    before = snapshot()
    response = api.post(
        "agent", f"/api/houses/{registry.house.id}/owners", {"owner": registry.owner.id}
    )
    assert response.status_code == 409
    assert_bad_input(response, "owner", before)


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "owner"),
        ({"owner": "li"}, "owner"),
        ({"owner": -1}, "owner"),
        ({"owner": 424242}, "owner"),
        ({"owner": "OWNER_B"}, "owner"),
        ({"owner": "LI_SI", "is_primary": "maybe"}, "is_primary"),
        ({"owner": "LI_SI", "is_primary": 0}, "is_primary"),
        ({"owner": True}, "owner"),
        ({"owner": "LI_SI", "start_on": "01-01-2023"}, "start_on"),
    ],
)
def test_it_refuses_bad_input_naming_the_field(api, registry, body, field):
    ids = {"OWNER_B": registry.owner_b.id, "LI_SI": registry.li_si.id}
    body = {k: ids.get(v, v) if isinstance(v, str) else v for k, v in body.items()}
    before = snapshot()
    response = api.post("agent", f"/api/houses/{registry.house.id}/owners", body)
    assert_bad_input(response, field, before)
