"""POST /api/houses/{id}/transfer (过户)."""

import datetime

import pytest

from propdesk.api.tests.helpers import (
    ROLES,
    assert_bad_input,
    assert_refused,
    edit_outcomes,
    snapshot,
)
from propdesk.estates.models import Ownership, OwnershipTransfer


def _body(registry, **changes):
    return {
        "new_owners": [registry.li_si.id],
        "effective_on": "2025-05-20",
        "reason": "二手房买卖",
        **changes,
    }


@pytest.mark.parametrize("role", ROLES)
def test_only_front_desk_roles_of_the_community_can_transfer(api, registry, role):
    before = snapshot()
    response = api.post(role, f"/api/houses/{registry.house.id}/transfer", _body(registry))
    expected = edit_outcomes(201)[role]
    if expected != 201:
        assert_refused(response, expected, before)
        return
    assert response.status_code == 201, response.content
    body = response.json()
    assert [o["name"] for o in body["owners"]] == ["李四"]
    assert body["owners"][0]["mobile_masked"] == "137****1111"
    old = Ownership.objects.get(house=registry.house, owner=registry.owner)
    assert old.end_on == datetime.date(2025, 5, 20)
    new = Ownership.objects.get(house=registry.house, owner=registry.li_si)
    assert (new.is_primary, new.start_on, new.end_on) == (True, datetime.date(2025, 5, 20), None)


def test_the_history_keeps_the_previous_owner(api, registry):
    api.post("agent", f"/api/houses/{registry.house.id}/transfer", _body(registry))
    body = api.get("agent", f"/api/houses/{registry.house.id}").json()
    assert [o["name"] for o in body["owners"]] == ["李四"]
    assert [o["name"] for o in body["past_owners"]] == ["张三"]


def test_the_first_of_several_new_owners_is_primary(api, registry, admin):
    from propdesk.estates import services

    wife = services.owner_create(actor=admin, community=registry.community_a, name="王芳")
    response = api.post(
        "agent",
        f"/api/houses/{registry.house.id}/transfer",
        _body(registry, new_owners=[wife.id, registry.li_si.id]),
    )
    assert [(o["name"], o["is_primary"]) for o in response.json()["owners"]] == [
        ("王芳", True),
        ("李四", False),
    ]


def test_it_refuses_an_owner_of_another_community_without_writing(api, registry):
    before = snapshot()
    response = api.post(
        "agent",
        f"/api/houses/{registry.house.id}/transfer",
        _body(registry, new_owners=[registry.li_si.id, registry.owner_b.id]),
    )
    assert response.status_code == 404
    assert_bad_input(response, "new_owners", before)


def test_admin_cannot_mix_communities_either(api, registry):
    before = snapshot()
    response = api.post(
        "admin",
        f"/api/houses/{registry.house.id}/transfer",
        _body(registry, new_owners=[registry.owner_b.id]),
    )
    assert response.status_code == 400
    assert_bad_input(response, "owner", before)


def test_it_refuses_a_transfer_to_the_current_owners_with_409(api, registry):
    before = snapshot()
    response = api.post(
        "agent",
        f"/api/houses/{registry.house.id}/transfer",
        _body(registry, new_owners=[registry.owner.id]),
    )
    assert response.status_code == 409
    assert_bad_input(response, "new_owners", before)


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"new_owners": []}, "new_owners"),
        ({"new_owners": "李四"}, "new_owners"),
        ({"new_owners": ["x"]}, "new_owners.0"),
        ({"new_owners": [10**30]}, "new_owners.0"),
        ({"new_owners": list(range(1, 12))}, "new_owners"),
        ({"new_owners": [424242]}, "new_owners"),
        ({"effective_on": "2020-01-01"}, "effective_on"),
        ({"effective_on": "2025-02-30"}, "effective_on"),
        ({"reason": "r" * 201}, "reason"),
        ({"reason": "\x00"}, "reason"),
    ],
)
def test_it_refuses_bad_input_naming_the_field(api, registry, changes, field):
    before = snapshot()
    response = api.post(
        "agent", f"/api/houses/{registry.house.id}/transfer", _body(registry, **changes)
    )
    assert_bad_input(response, field, before)


def test_naming_the_same_owner_twice_is_refused(api, registry):
    before = snapshot()
    response = api.post(
        "agent",
        f"/api/houses/{registry.house.id}/transfer",
        _body(registry, new_owners=[registry.li_si.id, registry.li_si.id]),
    )
    assert_bad_input(response, "new_owners", before)
    assert not OwnershipTransfer.objects.exists()
