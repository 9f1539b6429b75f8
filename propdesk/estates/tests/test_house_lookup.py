"""The shared lookup by house code: companies reuse codes in every community, so a code offers
every matching house in the user's communities with its community, the user's own first, and
never picks one itself."""

import datetime

import pytest
from django.test import RequestFactory

from propdesk.conftest import make_user
from propdesk.estates import services
from propdesk.estates.house_lookup import house_lookup
from propdesk.estates.selectors import houses_by_code


@pytest.fixture
def twin(community_b, admin):
    """3-2-1502 in community B too, owned by 李四."""
    building = services.building_create(actor=admin, community=community_b, number="3")
    house = services.house_create(
        actor=admin, building=building, unit_number="2", number="1502", floor=15, area_m2="90"
    )
    owner = services.owner_create(
        actor=admin, community=community_b, name="李四", mobile="13900001111"
    )
    services.ownership_add(
        actor=admin, house=house, owner=owner, start_on=datetime.date(2022, 1, 1)
    )
    return house


def _request(user, query: str):
    request = RequestFactory().get(f"/frontdesk/move-ins/new/?{query}")
    request.user = user
    return request


def test_it_offers_every_community_with_the_code_to_a_company_wide_user(house_a, twin, admin):
    assert [h.id for h in houses_by_code(admin, "3-2-1502")] == [house_a.id, twin.id]


def test_the_users_own_community_comes_first(house_a, twin, community_a, community_b):
    from propdesk.accounts.models import Role

    both = make_user("both", "agent", community_a, community_b)
    boss = make_user("boss", Role.ADMIN, community_b)
    assert [h.community_id for h in houses_by_code(both, "3-2-1502")] == [
        community_a.id,
        community_b.id,
    ]
    assert [h.id for h in houses_by_code(boss, "3-2-1502")] == [twin.id, house_a.id]


def test_it_keeps_to_the_users_communities(house_a, twin, personas):
    assert houses_by_code(personas["agent"], "3-2-1502") == [house_a]
    assert houses_by_code(personas["other_agent"], "3-2-1502") == [twin]
    assert houses_by_code(personas["owner"], "3-2-1502") == []


def test_one_match_is_the_house_two_are_offered_none_is_an_error(house_a, twin, admin, personas):
    one = house_lookup(_request(personas["agent"], "code=3-2-1502"))
    assert one.house == house_a and one.matches == []
    two = house_lookup(_request(admin, "code=3-2-1502&move_in=7"))
    assert two.house is None and two.error == ""
    assert [(m.house.id, m.house.community.name) for m in two.matches] == [
        (house_a.id, "甲小区"),
        (twin.id, "乙小区"),
    ]
    assert two.matches[1].url == f"/frontdesk/move-ins/new/?move_in=7&house={twin.id}"
    none = house_lookup(_request(admin, "code=9-9-999"))
    assert none.house is None and none.matches == [] and none.error


def test_a_house_id_outside_the_users_communities_is_not_found(twin, personas):
    from propdesk.core.errors import NotFound

    with pytest.raises(NotFound):
        house_lookup(_request(personas["agent"], f"house={twin.id}"))
