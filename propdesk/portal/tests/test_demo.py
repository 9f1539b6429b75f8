"""The portal's demo: a few owners per community can sign in, with fees shared and a link asked."""

import pytest

from propdesk.portal import access
from propdesk.portal.demo import DEMO_PASSWORD, load_demo_portal
from propdesk.portal.models import FeeGrant, LinkRequest

pytestmark = pytest.mark.django_db


def test_the_demo_makes_owners_able_to_sign_in(world):
    from propdesk.estates.models import Owner

    Owner.objects.update(user=None)  # as in a fresh demo: no owner has signed in yet
    accounts = load_demo_portal(communities=[world.community, world.community_b], per_community=2)
    mobiles = {user.mobile for user in accounts}
    assert mobiles == {"13812345678", "13900000002"}
    for user in accounts:
        access.forget_rights(user)
        assert access.house_rights(user) and user.check_password(DEMO_PASSWORD)
    assert LinkRequest.objects.filter(status="pending").count() == 1
    assert FeeGrant.objects.filter(mobile="13700000003").exists()
    again = load_demo_portal(communities=[world.community, world.community_b], per_community=2)
    assert LinkRequest.objects.count() == 1 and again == []
