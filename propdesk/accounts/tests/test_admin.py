"""The Django admin for users, departments and (read-only) API tokens."""

import pytest
from django.test import Client

from propdesk.accounts.models import User


@pytest.fixture
def superuser_client(db):
    user = User.objects.create_superuser("root", "root@example.com", "pw-root", role="admin")
    client = Client()
    client.force_login(user)
    return client


@pytest.mark.parametrize(
    "url",
    [
        "/admin/accounts/user/",
        "/admin/accounts/user/add/",
        "/admin/accounts/department/",
        "/admin/accounts/apitoken/",
    ],
)
def test_the_pages_render(superuser_client, token, url):
    assert superuser_client.get(url).status_code == 200


def test_the_user_form_shows_access_read_only(superuser_client, personas):
    """Role, department, communities and the flags change on the console's staff access page
    (audited), never in the admin."""
    agent = personas["agent"]
    text = superuser_client.get(f"/admin/accounts/user/{agent.id}/change/").content
    for field in [
        b'name="role"',
        b'name="department"',
        b'name="communities"',
        b'name="is_superuser"',
    ]:
        assert field not in text
    response = superuser_client.post(
        f"/admin/accounts/user/{agent.id}/change/",
        {"username": "agent", "last_name": "李", "role": "admin", "is_superuser": "on"},
    )
    assert response.status_code == 302
    agent.refresh_from_db()
    assert (agent.role, agent.is_superuser, agent.last_name) == ("agent", False, "李")


def test_a_user_added_in_the_admin_gets_no_access(superuser_client, community_a):
    response = superuser_client.post(
        "/admin/accounts/user/add/",
        {
            "username": "new_tech",
            "password1": "a-Long-passphrase-9",
            "password2": "a-Long-passphrase-9",
            "usable_password": "true",
            "role": "admin",
            "communities": [community_a.id],
        },
    )
    assert response.status_code == 302, response.content
    user = User.objects.get(username="new_tech")
    assert (user.role, user.is_superuser, list(user.communities.all())) == ("agent", False, [])
    assert user.check_password("a-Long-passphrase-9")


def test_tokens_are_read_only_and_never_show_the_key(superuser_client, token):
    page = superuser_client.get(f"/admin/accounts/apitoken/{token.id}/change/")
    assert page.status_code == 200
    text = page.content.decode()
    assert token.key_hash not in text
    assert token.raw_key not in text
    assert token.key_prefix in text
    assert superuser_client.get("/admin/accounts/apitoken/add/").status_code == 403
    assert (
        superuser_client.post(
            f"/admin/accounts/apitoken/{token.id}/delete/", {"post": "yes"}
        ).status_code
        == 403
    )


def test_staff_without_the_admin_flag_cannot_open_the_admin(personas):
    client = Client()
    client.force_login(personas["admin"])
    assert client.get("/admin/accounts/user/").status_code == 302
