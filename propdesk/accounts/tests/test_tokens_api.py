"""GET /api/tokens, POST /api/tokens and POST /api/tokens/{id}/revoke (administrators only)."""

import pytest

from propdesk.accounts.models import ApiToken
from propdesk.api.tests.helpers import ROLES, assert_bad_input, assert_refused, snapshot

ADMIN_ONLY = {role: 403 for role in ROLES} | {"admin": 200, "anonymous": 401}


@pytest.mark.parametrize("role", ROLES)
def test_only_administrators_list_tokens(api, token, role):
    before = snapshot()
    response = api.get(role, "/api/tokens")
    assert response.status_code == ADMIN_ONLY[role], response.content
    if response.status_code == 200:
        [item] = response.json()
        assert (item["name"], item["username"], item["key_prefix"], item["is_active"]) == (
            "门禁系统",
            "agent",
            token.raw_key[:12],
            True,
        )
        assert "key" not in item
        assert token.raw_key not in response.content.decode()
    assert snapshot() == before


@pytest.mark.parametrize("role", ROLES)
def test_only_administrators_create_tokens(api, personas, role):
    before = snapshot()
    response = api.post(role, "/api/tokens", {"name": "收费系统", "user": personas["cashier"].id})
    expected = {**ADMIN_ONLY, "admin": 201}[role]
    if expected != 201:
        assert_refused(response, expected, before)
        return
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["key"].startswith(body["key_prefix"])
    assert response["Cache-Control"] == "no-store"
    token = ApiToken.objects.get(pk=body["id"])
    assert token.user == personas["cashier"]
    # The key works, and later reads never show it again.
    works = api.client("anonymous").get(
        "/api/communities", HTTP_AUTHORIZATION=f"Bearer {body['key']}"
    )
    assert works.status_code == 200
    assert body["key"] not in api.get("admin", "/api/tokens").content.decode()


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"user": "CASHIER"}, "name"),
        ({"name": "", "user": "CASHIER"}, "name"),
        ({"name": "n" * 81, "user": "CASHIER"}, "name"),
        ({"name": "a\x00b", "user": "CASHIER"}, "name"),
        ({"name": 42, "user": "CASHIER"}, "name"),
        ({"name": "x"}, "user"),
        ({"name": "x", "user": "cashier"}, "user"),
        ({"name": "x", "user": 424242}, "user"),
        ({"name": "x", "user": 10**30}, "user"),
        ({"name": "x", "user": "INACTIVE"}, "user"),
    ],
)
def test_creating_refuses_bad_input_naming_the_field(api, personas, body, field):
    personas["guard"].is_active = False
    personas["guard"].save(update_fields=["is_active"])
    ids = {"CASHIER": personas["cashier"].id, "INACTIVE": personas["guard"].id}
    body = {k: ids.get(v, v) if isinstance(v, str) else v for k, v in body.items()}
    before = snapshot()
    assert_bad_input(api.post("admin", "/api/tokens", body), field, before)


@pytest.mark.parametrize("role", ROLES)
def test_only_administrators_revoke_tokens(api, token, role):
    before = snapshot()
    response = api.post(role, f"/api/tokens/{token.id}/revoke")
    if ADMIN_ONLY[role] != 200:
        assert_refused(response, ADMIN_ONLY[role], before)
        return
    assert response.status_code == 200, response.content
    assert response.json()["is_active"] is False
    refused = api.client("anonymous").get(
        "/api/communities", HTTP_AUTHORIZATION=f"Bearer {token.raw_key}"
    )
    assert refused.status_code == 401


def test_revoking_twice_is_a_409(api, token):
    api.post("admin", f"/api/tokens/{token.id}/revoke")
    before = snapshot()
    assert_refused(api.post("admin", f"/api/tokens/{token.id}/revoke"), 409, before)


def test_revoking_an_unknown_token_is_a_404(api, token):
    before = snapshot()
    assert_refused(api.post("admin", "/api/tokens/424242/revoke"), 404, before)


def test_a_token_cannot_revoke_itself_unless_it_acts_as_an_administrator(api, token):
    response = api.client("anonymous").post(
        f"/api/tokens/{token.id}/revoke", HTTP_AUTHORIZATION=f"Bearer {token.raw_key}"
    )
    assert response.status_code == 403
