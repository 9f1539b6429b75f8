"""POST /api/houses/{id}/agents and /api/agents/{id}/revoke (entrusted agents, 受托人)."""

import pytest

from propdesk.api.tests.helpers import (
    ROLES,
    SECOND_ID,
    assert_bad_input,
    assert_refused,
    edit_outcomes,
    pdf_file,
    snapshot,
)
from propdesk.estates import services
from propdesk.estates.models import EntrustedAgent


def _body(registry, **changes):
    return {
        "owner": registry.owner.id,
        "name": "钱七",
        "mobile": "13500007777",
        "id_number": SECOND_ID,
        "scope": "代收快递、代缴物业费",
        "power_of_attorney": registry.poa.id,
        "valid_from": "2025-01-01",
        "valid_until": "2025-12-31",
        **changes,
    }


@pytest.mark.parametrize("role", ROLES)
def test_only_front_desk_roles_of_the_community_can_add_an_agent(api, registry, role):
    before = snapshot()
    response = api.post(role, f"/api/houses/{registry.house.id}/agents", _body(registry))
    expected = edit_outcomes(201)[role]
    if expected != 201:
        assert_refused(response, expected, before)
        return
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["name"], body["mobile_masked"], body["power_of_attorney"]) == (
        "钱七",
        "135****7777",
        registry.poa.id,
    )
    assert EntrustedAgent.objects.get(pk=body["id"]).mobile == "13500007777"


@pytest.fixture
def contract(registry, admin):
    return services.document_upload(
        actor=admin,
        community=registry.community_a,
        doc_type="contract",
        uploaded=pdf_file("contract.pdf"),
        house=registry.house,
    )


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"owner": "LI_SI"}, "owner"),
        ({"owner": "OWNER_B"}, "owner"),
        ({"owner": None}, "owner"),
        ({"power_of_attorney": "CONTRACT"}, "power_of_attorney"),
        ({"power_of_attorney": 999999}, "power_of_attorney"),
        ({"power_of_attorney": "poa"}, "power_of_attorney"),
        ({"name": ""}, "name"),
        ({"name": "<i>钱七</i>"}, "name"),
        ({"mobile": ""}, "mobile"),
        ({"mobile": "99999999999"}, "mobile"),
        ({"id_number": ""}, "id_number"),
        ({"id_number": "110105198001010010"}, "id_number"),
        ({"scope": ""}, "scope"),
        ({"scope": "s" * 201}, "scope"),
        ({"scope": "\x00"}, "scope"),
        ({"valid_until": "2024-12-31"}, "valid_until"),
        ({"valid_from": "tomorrow"}, "valid_from"),
    ],
)
def test_it_refuses_bad_input_naming_the_field(api, registry, contract, changes, field):
    ids = {"LI_SI": registry.li_si.id, "OWNER_B": registry.owner_b.id, "CONTRACT": contract.id}
    changes = {k: ids.get(v, v) if isinstance(v, str) else v for k, v in changes.items()}
    before = snapshot()
    response = api.post(
        "agent", f"/api/houses/{registry.house.id}/agents", _body(registry, **changes)
    )
    assert_bad_input(response, field, before)


@pytest.mark.parametrize("role", ROLES)
def test_only_front_desk_roles_of_the_community_can_revoke_an_agent(api, registry, role):
    before = snapshot()
    response = api.post(role, f"/api/agents/{registry.agent.id}/revoke", {"reason": "业主撤销"})
    expected = edit_outcomes()[role]
    if expected != 200:
        assert_refused(response, expected, before)
        return
    assert response.status_code == 200, response.content
    assert response.json()["revoked_at"]
    registry.agent.refresh_from_db()
    assert registry.agent.revoked_at is not None


def test_revoking_twice_is_refused_with_409(api, registry):
    api.post("agent", f"/api/agents/{registry.agent.id}/revoke", {})
    before = snapshot()
    response = api.post("agent", f"/api/agents/{registry.agent.id}/revoke", {})
    assert_refused(response, 409, before)


@pytest.mark.parametrize("reason", ["r" * 201, "a\x00b", 42])
def test_it_refuses_a_bad_reason(api, registry, reason):
    before = snapshot()
    response = api.post("agent", f"/api/agents/{registry.agent.id}/revoke", {"reason": reason})
    assert_bad_input(response, "reason", before)
