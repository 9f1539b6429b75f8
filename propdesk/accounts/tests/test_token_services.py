"""accounts.services: creating and revoking API tokens."""

import hashlib

import pytest

from propdesk.accounts import services
from propdesk.accounts.models import ApiToken
from propdesk.api.tests.helpers import snapshot
from propdesk.core.errors import Conflict, PermissionDenied, ValidationFailed
from propdesk.core.models import AuditEvent

STAFF = ["agent", "supervisor", "technician", "cashier", "guard", "owner", "other_agent"]


def test_it_returns_the_raw_key_once_and_stores_its_hash(personas, admin):
    token, key = services.api_token_create(actor=admin, user=personas["agent"], name="门禁")
    assert key.startswith("pdk_") and len(key) > 40
    token.refresh_from_db()
    assert token.key_hash == hashlib.sha256(key.encode()).hexdigest()
    assert token.key_prefix == key[:12]
    assert not hasattr(ApiToken.objects.get(pk=token.pk), "key")


def test_every_token_gets_its_own_key(personas, admin):
    keys = {
        services.api_token_create(actor=admin, user=personas["agent"], name=f"t{i}")[1]
        for i in range(5)
    }
    assert len(keys) == 5


def test_creation_is_in_the_history(personas, admin):
    token, _key = services.api_token_create(actor=admin, user=personas["agent"], name="门禁")
    event = AuditEvent.objects.get(object_type="apitoken", object_id=token.pk)
    assert (event.action, event.actor, event.changes) == (
        "create",
        admin,
        {"user": [None, "agent"]},
    )


@pytest.mark.parametrize("role", STAFF)
def test_only_administrators_create_tokens(personas, role):
    before = snapshot()
    with pytest.raises(PermissionDenied):
        services.api_token_create(actor=personas[role], user=personas["agent"], name="x")
    assert snapshot() == before


@pytest.mark.parametrize("name", ["", "   ", "n" * 81, "a\x00b", "line\nbreak", None])
def test_it_refuses_a_bad_name(personas, admin, name):
    before = snapshot()
    with pytest.raises(ValidationFailed) as exc:
        services.api_token_create(actor=admin, user=personas["agent"], name=name)
    assert exc.value.field == "name"
    assert snapshot() == before


def test_it_refuses_an_inactive_user(personas, admin):
    personas["agent"].is_active = False
    personas["agent"].save(update_fields=["is_active"])
    with pytest.raises(ValidationFailed) as exc:
        services.api_token_create(actor=admin, user=personas["agent"], name="x")
    assert exc.value.field == "user"


def test_revoking_stamps_the_time_and_is_in_the_history(token, admin):
    services.api_token_revoke(actor=admin, token=token)
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert not token.is_active
    assert AuditEvent.objects.filter(object_type="apitoken", action="revoke").count() == 1


def test_revoking_twice_is_a_conflict(token, admin):
    services.api_token_revoke(actor=admin, token=token)
    before = snapshot()
    with pytest.raises(Conflict):
        services.api_token_revoke(actor=admin, token=token)
    assert snapshot() == before


@pytest.mark.parametrize("role", STAFF)
def test_only_administrators_revoke_tokens(personas, token, role):
    before = snapshot()
    with pytest.raises(PermissionDenied):
        services.api_token_revoke(actor=personas[role], token=token)
    assert snapshot() == before


@pytest.mark.parametrize("role", STAFF)
def test_only_administrators_list_tokens(personas, token, role):
    with pytest.raises(PermissionDenied):
        services.api_token_list(actor=personas[role])


def test_the_list_puts_active_tokens_first(personas, admin, token):
    services.api_token_revoke(actor=admin, token=token)
    fresh, _key = services.api_token_create(actor=admin, user=personas["cashier"], name="收费")
    assert list(services.api_token_list(actor=admin)) == [fresh, token]
