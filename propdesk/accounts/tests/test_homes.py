"""Each role lands on its daily work; an owner at the console's address is sent to the portal
with a sentence saying why."""

import pytest
from django.test import Client
from django.urls import reverse

EXPECTED = {
    "agent": "request_queue",
    "technician": "request_queue",
    "supervisor": "request_dashboard",
    "cashier": "billing_desk",
    "guard": "custody_gate",
}


@pytest.mark.parametrize("role", sorted(EXPECTED))
def test_each_role_lands_on_its_work(personas, role):
    client = Client()
    client.force_login(personas[role])
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"] == reverse(EXPECTED[role])
    assert client.get(response["Location"]).status_code == 200


def test_the_administrator_and_a_typed_search_get_the_search(personas):
    client = Client()
    client.force_login(personas["admin"])
    assert b'data-testid="search-box"' in client.get("/").content
    client.force_login(personas["agent"])
    searched = client.get("/", {"q": "zs"})
    assert searched.status_code == 200 and b'data-testid="search-box"' in searched.content


def test_an_owner_is_sent_to_the_portal_with_the_reason(personas):
    client = Client()
    client.force_login(personas["owner"])
    response = client.get("/", follow=True)
    assert response.redirect_chain[0] == (reverse("portal:home"), 302)
    assert "业主端" in response.content.decode() or "owner portal" in response.content.decode()
    assert "员工工作台" in response.content.decode()


def test_the_favicon_is_served(client, db):
    response = client.get("/favicon.ico", follow=True)
    assert response.status_code == 200
    assert b"<svg" in b"".join(
        response.streaming_content if response.streaming else [response.content]
    )


def test_the_login_page_points_owners_to_the_portal(client, db):
    body = client.get(reverse("login")).content.decode()
    assert 'data-testid="owner-portal-hint"' in body and reverse("portal:home") in body
