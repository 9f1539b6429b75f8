"""The console's API token pages: list, create (the key shown once), revoke with confirmation."""

import hashlib

import pytest
from django.test import Client
from django.urls import reverse

from propdesk.accounts.models import ApiToken
from propdesk.api.tests.helpers import ROLES, snapshot

PAGE_OUTCOMES = {role: 403 for role in ROLES} | {"admin": 200, "anonymous": 302}


def _client(personas, role, **kwargs):
    client = Client(**kwargs)
    if role != "anonymous":
        client.force_login(personas[role])
    return client


@pytest.mark.parametrize("role", ROLES)
def test_only_administrators_see_the_token_list(personas, token, role):
    response = _client(personas, role).get(reverse("api_tokens"))
    assert response.status_code == PAGE_OUTCOMES[role]
    if role == "anonymous":
        assert response["Location"].startswith(reverse("login"))
    if response.status_code == 200:
        text = response.content.decode()
        assert "门禁系统" in text
        assert token.key_prefix in text
        assert token.raw_key not in text


@pytest.mark.parametrize("role", ROLES)
def test_only_administrators_get_the_nav_link(personas, role):
    if role == "anonymous":
        return
    response = _client(personas, role).get(reverse("registry_search"))
    assert (reverse("api_tokens") in response.content.decode()) == (role == "admin")


@pytest.mark.parametrize("role", ROLES)
def test_only_administrators_create_tokens(personas, role):
    before = snapshot()
    client = _client(personas, role)
    response = client.post(
        reverse("api_token_create"), {"name": "停车场", "user": personas["guard"].id}
    )
    if role != "admin":
        assert response.status_code == PAGE_OUTCOMES[role]
        assert snapshot() == before
        return
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    token = ApiToken.objects.get()
    text = response.content.decode()
    key = text.split('id="api-key" value="')[1].split('"')[0]
    assert key.startswith(token.key_prefix)
    assert token.key_hash == hashlib.sha256(key.encode()).hexdigest()
    assert 'data-testid="copy-key"' in text
    # Shown once: the list, and the form page again, never carry it.
    assert key not in client.get(reverse("api_tokens")).content.decode()
    assert key not in client.get(reverse("api_token_create")).content.decode()


def test_the_create_form_shows_field_errors(personas):
    client = _client(personas, "admin")
    before = snapshot()
    response = client.post(reverse("api_token_create"), {"name": "", "user": "999999"})
    assert response.status_code == 400
    text = response.content.decode()
    assert 'data-field-error="name"' in text
    assert 'data-field-error="user"' in text
    assert snapshot() == before


def test_a_name_with_control_characters_is_refused_on_the_form(personas):
    client = _client(personas, "admin")
    before = snapshot()
    response = client.post(
        reverse("api_token_create"), {"name": "a\x01b", "user": personas["guard"].id}
    )
    assert response.status_code == 400
    assert snapshot() == before


def test_the_create_form_needs_the_csrf_token(personas):
    client = _client(personas, "admin", enforce_csrf_checks=True)
    before = snapshot()
    response = client.post(
        reverse("api_token_create"), {"name": "停车场", "user": personas["guard"].id}
    )
    assert response.status_code == 403
    assert snapshot() == before


@pytest.mark.parametrize("role", ROLES)
def test_only_administrators_get_the_revoke_confirmation(personas, token, role):
    response = _client(personas, role).get(reverse("api_token_revoke", args=[token.id]))
    assert response.status_code == PAGE_OUTCOMES[role]
    if response.status_code == 200:
        assert 'data-testid="confirm-revoke"' in response.content.decode()
    token.refresh_from_db()
    assert token.revoked_at is None  # asking is not revoking


@pytest.mark.parametrize("role", ROLES)
def test_only_administrators_revoke_tokens(personas, token, role):
    before = snapshot()
    response = _client(personas, role).post(reverse("api_token_revoke", args=[token.id]))
    if role != "admin":
        assert response.status_code == PAGE_OUTCOMES[role]
        assert snapshot() == before
        return
    assert response.status_code == 302
    assert response["Location"] == reverse("api_tokens")
    token.refresh_from_db()
    assert token.revoked_at is not None


def test_revoking_a_revoked_token_says_so(personas, token):
    client = _client(personas, "admin")
    client.post(reverse("api_token_revoke", args=[token.id]))
    response = client.post(reverse("api_token_revoke", args=[token.id]), follow=True)
    assert response.status_code == 200
    assert "alert-danger" in response.content.decode()


@pytest.mark.parametrize("token_id", [424242, 10**25])
def test_an_unknown_token_is_a_404(personas, token_id):
    response = _client(personas, "admin").get(f"/accounts/tokens/{token_id}/revoke/")
    assert response.status_code == 404
