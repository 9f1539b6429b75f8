"""house_brief_for_user: intake's one-statement house read, scoped as house_for_user is."""

import pytest

from propdesk.core.errors import NotFound, PermissionDenied
from propdesk.core.permissions import Perm
from propdesk.estates.selectors import house_brief_for_user, house_for_user

pytestmark = pytest.mark.django_db


def test_it_reads_the_house_and_its_community_in_one_statement(
    personas, house_a, django_assert_num_queries
):
    agent = personas["agent"]
    agent.communities.count()  # the user's communities are known before
    from propdesk.core.permissions import community_ids

    community_ids(agent)
    with django_assert_num_queries(1):
        house = house_brief_for_user(agent, house_a.pk, Perm.REQUEST_CREATE)
        values = (house.pk, house.code, house.building_id, house.community_id)
        community = (house.community.pk, house.community.code, house.community.name)
    assert values == (house_a.pk, house_a.code, house_a.building_id, house_a.community_id)
    assert community == (
        house_a.community.pk,
        house_a.community.code,
        house_a.community.name,
    )


def test_it_finds_what_house_for_user_finds_for_every_persona(personas, house_a, house_b):
    for user in personas.values():
        for house in (house_a, house_b):
            try:
                expected = house_for_user(user, house.pk, Perm.REQUEST_CREATE).pk
            except (NotFound, PermissionDenied) as exc:
                expected = type(exc)
            try:
                found = house_brief_for_user(user, house.pk, Perm.REQUEST_CREATE).pk
            except (NotFound, PermissionDenied) as exc:
                found = type(exc)
            assert found == expected, (user.username, house.pk)


def test_it_refuses_another_community_as_not_found(personas, house_b):
    with pytest.raises(NotFound):
        house_brief_for_user(personas["agent"], house_b.pk, Perm.REQUEST_CREATE)


def test_a_role_without_the_right_is_refused_before_anything_is_read(
    personas, house_a, django_assert_num_queries
):
    with django_assert_num_queries(0), pytest.raises(PermissionDenied):
        house_brief_for_user(personas["owner"], house_a.pk, Perm.REQUEST_CREATE)


HOSTILE_IDS = [None, "", "abc", "1; DROP TABLE x", 0, -1, 2**63, 2**80, 1.5j]


@pytest.mark.parametrize("house_id", HOSTILE_IDS)
def test_a_malformed_or_impossible_id_is_not_found(personas, house_id):
    with pytest.raises(NotFound):
        house_brief_for_user(personas["admin"], house_id, Perm.REQUEST_CREATE)
