"""Two owners taking the last place of an activity at the same moment through the API
(PostgreSQL: SQLite runs one writer at a time): the activity row is locked for every change of
places, so one is confirmed and the other waitlisted — never both confirmed."""

import pytest
from django.test import Client

from propdesk.community.models import Activity, ActivitySignup
from propdesk.community.services import activities as service
from propdesk.community.tests.conftest import add_house, add_owner, at
from propdesk.core.tests.concurrency import require_postgresql, run_together

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.fixture(autouse=True)
def _postgresql():
    require_postgresql()


def test_two_owners_taking_the_last_place_at_once_one_waits(agent, admin, building_3):
    h201 = add_house(admin, building_3, "1", "201")
    h202 = add_house(admin, building_3, "1", "202")
    first = add_owner(admin, h201, "周一", "13700000021", username="zhouyi")
    second = add_owner(admin, h202, "吴二", "13700000022", username="wuer")
    fair = service.activity_create(
        actor=agent,
        community=building_3.community,
        kind="festival",
        title="中秋游园会",
        place="中心广场",
        starts_at=at("2026-07-15 18:00"),
        ends_at=at("2026-07-15 21:00"),
        capacity=1,
        max_party=1,
    )
    owners = [(first, h201), (second, h202)]

    def sign_up(i):
        user, house = owners[i]
        client = Client()
        client.force_login(user)
        response = client.post(
            f"/api/community/my/activities/{fair.id}/signups",
            {"house": house.id, "people": 1},
            content_type="application/json",
        )
        return response.status_code, response.json()["status"]

    outcomes = run_together(2, sign_up)

    assert [o.get("error") for o in outcomes] == [None, None]
    assert sorted(o["value"] for o in outcomes) == [(201, "confirmed"), (201, "waitlisted")]
    statuses = sorted(ActivitySignup.objects.filter(activity=fair).values_list("status", flat=True))
    assert statuses == ["confirmed", "waitlisted"]
    assert Activity.objects.get(pk=fair.pk).confirmed_people == 1
