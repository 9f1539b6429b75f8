"""PATCH /api/owners/{id}."""

import pytest

from propdesk.api.tests.helpers import (
    ROLES,
    SECOND_ID,
    assert_bad_input,
    assert_refused,
    edit_outcomes,
    snapshot,
)
from propdesk.core.models import AuditEvent


@pytest.mark.parametrize("role", ROLES)
def test_only_front_desk_roles_of_the_community_can_update_an_owner(api, registry, role):
    before = snapshot()
    response = api.patch(role, f"/api/owners/{registry.owner.id}", {"mobile": "13987654321"})
    expected = edit_outcomes()[role]
    if expected != 200:
        assert_refused(response, expected, before)
        return
    assert response.status_code == 200, response.content
    assert response.json()["mobile_masked"] == "139****4321"
    registry.owner.refresh_from_db()
    assert (registry.owner.mobile, registry.owner.mobile_tail) == ("13987654321", "4321")
    event = AuditEvent.objects.get(owner_id=registry.owner.id, action="update")
    assert event.changes == {"mobile": ["***", "***"]}


def test_it_changes_only_the_fields_sent(api, registry):
    response = api.patch("agent", f"/api/owners/{registry.owner.id}", {"name": "张叁"})
    assert response.status_code == 200
    registry.owner.refresh_from_db()
    assert (registry.owner.name, registry.owner.mobile) == ("张叁", "13812345678")


def test_it_refuses_the_id_number_of_another_owner_with_409(api, registry, admin):
    from propdesk.estates import services

    services.owner_update(actor=admin, owner=registry.li_si, id_number=SECOND_ID)
    before = snapshot()
    response = api.patch("agent", f"/api/owners/{registry.owner.id}", {"id_number": SECOND_ID})
    assert response.status_code == 409
    assert_bad_input(response, "id_number", before)


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"name": ""}, "name"),
        ({"name": "x" * 101}, "name"),
        ({"name": "<b>x</b>"}, "name"),
        ({"mobile": "0000"}, "mobile"),
        ({"mobile": "\x00"}, "mobile"),
        ({"id_number": "110105194912310020"}, "id_number"),
        ({"kind": "company"}, "id_type"),
        ({"id_type": "bogus"}, "id_type"),
        ({"note": 5}, "note"),
    ],
)
def test_it_refuses_bad_input_naming_the_field(api, registry, changes, field):
    before = snapshot()
    response = api.patch("agent", f"/api/owners/{registry.owner.id}", changes)
    assert_bad_input(response, field, before)


def test_it_is_not_found_for_another_communitys_owner(api, registry):
    before = snapshot()
    response = api.patch("agent", f"/api/owners/{registry.owner_b.id}", {"name": "X"})
    assert_refused(response, 404, before)
