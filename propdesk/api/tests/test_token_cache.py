"""The per-process memory of who a token acts as (accounts.token_cache): it saves the token's
statements on every call, and any change to the token, its user or the user's communities is
seen at the next call."""

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from propdesk.accounts import services as token_services
from propdesk.accounts.models import ApiToken


def _agent_token(personas, admin) -> Client:
    _token, key = token_services.api_token_create(
        actor=admin, user=personas["agent"], name="agent integration"
    )
    return Client(headers={"Authorization": f"Bearer {key}"})


def _houses(client) -> list[str] | int:
    response = client.get("/api/houses")
    if response.status_code != 200:
        return response.status_code
    return [h["code"] for h in response.json()["items"]]


def test_a_known_token_costs_no_statement(registry, personas, admin):
    client = _agent_token(personas, admin)
    assert client.get("/api/communities").status_code == 200
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/api/communities").status_code == 200
    assert not any("accounts_apitoken" in q["sql"] for q in queries.captured_queries)
    assert not any("accounts_user_communities" in q["sql"] for q in queries.captured_queries)


def test_a_token_revoked_after_use_is_refused_at_once(registry, personas, admin):
    client = _agent_token(personas, admin)
    assert _houses(client) == ["3-2-1502"]
    token_services.api_token_revoke(actor=admin, token=ApiToken.objects.get())
    assert _houses(client) == 401


def test_a_user_deactivated_after_use_is_refused_at_once(registry, personas, admin):
    client = _agent_token(personas, admin)
    assert _houses(client) == ["3-2-1502"]
    personas["agent"].is_active = False
    personas["agent"].save(update_fields=["is_active"])
    assert _houses(client) == 401


def test_a_community_taken_away_after_use_is_out_of_scope_at_once(registry, personas, admin):
    client = _agent_token(personas, admin)
    assert _houses(client) == ["3-2-1502"]
    personas["agent"].communities.clear()
    assert _houses(client) == []
