"""GET /api/access-log (supervisors and administrators)."""

import pytest

from propdesk.api.tests.helpers import ROLES, snapshot
from propdesk.estates import services

EXPECTED = {
    "agent": 403,
    "supervisor": 200,
    "technician": 403,
    "cashier": 403,
    "guard": 403,
    "admin": 200,
    "owner": 403,
    "other_agent": 403,
    "anonymous": 401,
}


@pytest.fixture
def reveals(registry, personas):
    services.personal_data_reveal(actor=personas["agent"], subject=registry.owner, field="mobile")
    services.personal_data_reveal(
        actor=personas["guard"], subject=registry.vehicle, field="plate", reason="门岗核对"
    )
    services.personal_data_reveal(
        actor=personas["other_agent"], subject=registry.owner_b, field="mobile"
    )


@pytest.mark.parametrize("role", ROLES)
def test_only_supervisors_and_administrators_read_the_log(api, reveals, role):
    before = snapshot()
    response = api.get(role, "/api/access-log")
    assert response.status_code == EXPECTED[role], response.content
    if response.status_code == 200:
        count = response.json()["count"]
        assert count == (3 if role == "admin" else 2)
    assert snapshot() == before


def test_it_shows_who_saw_whose_field_newest_first(api, reveals):
    items = api.get("supervisor", "/api/access-log").json()["items"]
    assert [(i["actor"], i["subject_type"], i["field"], i["reason"]) for i in items] == [
        ("guard", "vehicle", "plate", "门岗核对"),
        ("agent", "owner", "mobile", ""),
    ]


def test_the_log_itself_masks_plates(api, reveals):
    response = api.get("supervisor", "/api/access-log")
    assert "粤B12345" not in response.content.decode()
    assert response.json()["items"][0]["subject_repr"] == "粤B***45"


def test_it_filters_by_community_within_the_users_scope(api, registry, reveals):
    assert (
        api.get("admin", "/api/access-log", {"community": registry.community_b.id}).json()["count"]
        == 1
    )
    response = api.get("supervisor", "/api/access-log", {"community": registry.community_b.id})
    assert response.status_code == 404
    assert response.json()["field"] == "community"
