"""A house's page offers the work other apps do on a house, to the roles allowed to do it."""

import re

import pytest
from django.urls import reverse

EVERY = {"request_new", "fees", "move_in_new", "inspection_new", "permit_new", "pass_new"}


def _links(client, user, house) -> dict[str, str]:
    client.force_login(user)
    response = client.get(reverse("house_detail", args=[house.id]))
    assert response.status_code == 200
    body = response.content.decode()
    return {
        name: url.replace("&amp;", "&")
        for url, name in re.findall(r'href="([^"]+)" data-testid="house-link-([a-z_]+)"', body)
    }


@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        ("agent", EVERY),
        ("supervisor", EVERY),
        ("admin", EVERY),
        ("technician", {"request_new", "inspection_new"}),
        ("cashier", {"request_new", "fees"}),
        ("guard", {"request_new"}),
    ],
)
def test_each_role_is_offered_what_it_may_start(client, personas, house_a, persona, expected):
    assert set(_links(client, personas[persona], house_a)) == expected


def test_every_link_opens_its_page_on_this_house(client, personas, house_a, zhang_san):
    links = _links(client, personas["agent"], house_a)
    assert links["request_new"] == f"{reverse('request_intake')}?house={house_a.id}"
    assert links["fees"] == reverse("billing_desk_house", args=[house_a.id])
    assert links["pass_new"] == f"{reverse('custody_pass_new')}?house={house_a.id}"
    for name, url in links.items():
        response = client.get(url)
        assert response.status_code == 200, name
        assert house_a.code in response.content.decode(), name
