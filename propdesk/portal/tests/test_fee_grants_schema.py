"""The fee-visibility list of a co-owned house fits its documented schema (found by fuzzing: it
sent `mobile` where the schema promises `mobile_masked`)."""

import datetime

import pytest

from propdesk.portal.tests.conftest import portal_client


@pytest.fixture
def co_owner(world, admin):
    """李四 co-owns 张三's 3-2-1502 since 2024, with a portal account."""
    from propdesk.estates import services as estates
    from propdesk.portal.services.signin import account_for_mobile

    partner = estates.owner_create(
        actor=admin, community=world.community, name="钱七", mobile="13600000007"
    )
    estates.ownership_add(
        actor=admin, house=world.house, owner=partner, start_on=datetime.date(2024, 1, 1)
    )
    return account_for_mobile("13600000007")


def test_a_co_owner_lists_who_sees_the_fees_in_the_documented_shape(world, co_owner):
    from propdesk.api.urls import api

    response = portal_client(co_owner).get(f"/api/portal/houses/{world.house.id}/fee-grants")
    assert response.status_code == 200, response.content
    rows = response.json()
    assert {row["relation"] for row in rows} == {"tenant", "agent"}
    documented = api.get_openapi_schema()["components"]["schemas"]["PersonOut"]
    for row in rows:
        assert set(row) == set(documented["properties"])
        assert row["mobile_masked"].startswith("1") and "*" in row["mobile_masked"]
        assert "mobile" not in row
