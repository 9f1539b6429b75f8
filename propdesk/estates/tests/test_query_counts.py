"""Busy pages run a fixed number of queries, however many rows they show (no N+1)."""

import pytest
from django.urls import reverse

from propdesk.estates import services


@pytest.fixture
def filled_building(admin, building_a, zhang_san, house_a):
    """Twelve more houses, each with an owner, a resident and a vehicle."""
    for n in range(12):
        house = services.house_create(
            actor=admin,
            building=building_a,
            unit_number="1",
            number=f"{n + 1}01",
            floor=n + 1,
            area_m2="80",
        )
        owner = services.owner_create(
            actor=admin, community=house.community, name=f"王{n}", mobile=f"1390000{n:04d}"
        )
        services.ownership_add(actor=admin, house=house, owner=owner)
        services.resident_add(actor=admin, house=house, relation="family", name=f"王小{n}")
        services.vehicle_add(actor=admin, house=house, plate=f"粤B{n:05d}", owner=owner)
    return building_a


@pytest.mark.parametrize(
    ("url_name", "params", "max_queries"),
    [
        ("house_list", {}, 12),
        ("owner_list", {}, 12),
        ("home", {"q": "w"}, 12),
        ("home", {"q": "3-1"}, 12),
        ("parking_list", {}, 12),
        ("building_list", {}, 12),
    ],
)
def test_list_pages_use_a_fixed_number_of_queries(
    client, agent, filled_building, django_assert_max_num_queries, url_name, params, max_queries
):
    client.force_login(agent)
    with django_assert_max_num_queries(max_queries):
        response = client.get(reverse(url_name), params)
    assert response.status_code == 200


def test_house_detail_uses_a_fixed_number_of_queries(
    client, agent, filled_building, house_a, django_assert_max_num_queries
):
    client.force_login(agent)
    with django_assert_max_num_queries(20):
        response = client.get(reverse("house_detail", args=[house_a.id]))
    assert response.status_code == 200
