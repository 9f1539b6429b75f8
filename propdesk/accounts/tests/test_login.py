"""Logging in: lockout after repeated failures (django-axes) and argon2 password hashing."""

import importlib

import pytest
from django.conf import settings as django_settings
from django.contrib.auth.hashers import make_password
from django.test import Client, override_settings
from django.urls import reverse


def _attempt(client, username, password):
    return client.post(reverse("login"), {"username": username, "password": password})


def test_the_right_password_logs_in(personas):
    client = Client()
    response = _attempt(client, "agent", "pw-agent")
    assert response.status_code == 302
    assert client.get(reverse("home"), follow=True).status_code == 200


def test_a_wrong_password_shows_the_form_again(personas):
    response = _attempt(Client(), "agent", "wrong")
    assert response.status_code == 200
    assert b"alert-danger" in response.content


def test_repeated_failures_lock_the_account_out(personas):
    client = Client()
    limit = django_settings.AXES_FAILURE_LIMIT
    for _ in range(limit - 1):
        assert _attempt(client, "agent", "wrong").status_code == 200
    locked = _attempt(client, "agent", "wrong")
    assert locked.status_code == 429
    assert "accounts/locked_out.html" in [t.name for t in locked.templates]
    # Even the right password is refused while the lockout lasts.
    again = _attempt(client, "agent", "pw-agent")
    assert again.status_code == 429
    assert "_auth_user_id" not in client.session


def test_failures_for_one_user_do_not_lock_out_another(personas):
    client = Client()
    for _ in range(django_settings.AXES_FAILURE_LIMIT):
        _attempt(client, "agent", "wrong")
    assert _attempt(client, "supervisor", "pw-supervisor").status_code == 302


def test_production_settings_hash_passwords_with_argon2():
    production = importlib.import_module("propdesk.settings")
    assert production.PASSWORD_HASHERS[0] == "django.contrib.auth.hashers.Argon2PasswordHasher"
    with override_settings(PASSWORD_HASHERS=production.PASSWORD_HASHERS):
        assert make_password("pw-agent").startswith("argon2$argon2id$")


@pytest.mark.django_db
def test_a_user_created_under_production_hashing_stores_argon2():
    from propdesk.accounts.models import User

    production = importlib.import_module("propdesk.settings")
    with override_settings(PASSWORD_HASHERS=production.PASSWORD_HASHERS):
        user = User.objects.create_user("hashed", password="pw-hashed")
        assert user.password.startswith("argon2$")
        assert user.check_password("pw-hashed")
