"""Move-in, inspection and decoration started from a house code that two communities use: the
page offers both houses with their community and starts nothing until one is chosen."""

import datetime

import pytest
from django.test import Client
from django.urls import reverse

from propdesk.estates import services
from propdesk.frontdesk.models import MoveIn


@pytest.fixture
def twin(community_b, admin):
    building = services.building_create(actor=admin, community=community_b, number="3")
    house = services.house_create(
        actor=admin,
        building=building,
        unit_number="2",
        number="1502",
        floor=15,
        area_m2="90",
        status="vacant",
        delivered_on=datetime.date(2021, 6, 30),
    )
    owner = services.owner_create(
        actor=admin, community=community_b, name="李四", mobile="13900001111"
    )
    services.ownership_add(
        actor=admin, house=house, owner=owner, start_on=datetime.date(2022, 1, 1)
    )
    return house


@pytest.mark.parametrize(
    "url_name", ["frontdesk_move_in_new", "frontdesk_inspection_new", "frontdesk_permit_new"]
)
def test_a_shared_code_offers_each_house_with_its_community(url_name, house_a, twin, admin):
    client = Client()
    client.force_login(admin)
    response = client.get(reverse(url_name) + "?code=3-2-1502")
    body = response.content.decode()
    assert response.status_code == 200
    assert body.count('data-testid="house-choice"') == 2
    assert 'data-community="甲小区"' in body and 'data-community="乙小区"' in body
    chosen = client.get(reverse(url_name) + f"?house={twin.id}").content.decode()
    assert "乙小区" in chosen and 'data-testid="house-choices"' not in chosen


def test_a_move_in_starts_on_the_chosen_communitys_house(house_a, zhang_san, twin, admin):
    client = Client()
    client.force_login(admin)
    url = reverse("frontdesk_move_in_new") + f"?house={twin.id}"
    page = client.get(url).content.decode()
    assert "李四" in page and "张三" not in page
    owner = twin.ownerships.get().owner
    response = client.post(url, {"owner": owner.id, "applicant_kind": "owner"})
    assert response.status_code == 302, response.content.decode()[:2000]
    move_in = MoveIn.objects.get()
    assert (move_in.house_id, move_in.community_id) == (twin.id, twin.community_id)
    detail = client.get(reverse("frontdesk_move_in_detail", args=[move_in.id])).content.decode()
    assert 'data-testid="procedure-community">乙小区' in detail
