"""Every operations endpoint × every role, another community's ids, and bad bodies.

Refused calls answer an error body naming the field and write nothing."""

import pytest

from propdesk.api.tests.helpers import ROLES, ApiCaller
from propdesk.core.models import AuditEvent
from propdesk.operations.models import Alert, Equipment, ThresholdRule

pytestmark = pytest.mark.django_db

VIEWERS = {"agent", "supervisor", "technician", "guard", "admin"}
MANAGERS = {"supervisor", "technician", "admin"}


def outcomes(ok: int, allowed: set, *, other_agent: int = 404) -> dict:
    expected = {role: (ok if role in allowed else 403) for role in ROLES}
    expected.update({"owner": 403, "other_agent": other_agent, "anonymous": 401})
    return expected


def snapshot() -> tuple:
    return (
        list(Equipment.objects.values_list("id", "code", "status", "name")),
        Alert.objects.count(),
        ThresholdRule.objects.count(),
        AuditEvent.objects.count(),
    )


ENDPOINTS = {
    "list": (
        "get",
        lambda p: "/api/operations/equipment",
        None,
        outcomes(200, VIEWERS, other_agent=200),
    ),
    "detail": (
        "get",
        lambda p: f"/api/operations/equipment/{p.pump.id}",
        None,
        outcomes(200, VIEWERS),
    ),
    "register": (
        "post",
        lambda p: "/api/operations/equipment",
        lambda p: {
            "building": p.pump.building_id,
            "code": "tank-1",
            "name": "水箱",
            "kind": "tank",
        },
        outcomes(201, MANAGERS, other_agent=403),  # an agent's role is refused first
    ),
    "status": (
        "post",
        lambda p: f"/api/operations/equipment/{p.pump.id}/status",
        lambda p: {"status": "maintenance", "note": "年度保养"},
        outcomes(200, MANAGERS),
    ),
    "alerts": (
        "get",
        lambda p: "/api/operations/alerts",
        None,
        outcomes(200, VIEWERS, other_agent=200),
    ),
}
CASES = [(name, role) for name in ENDPOINTS for role in ROLES]


@pytest.fixture
def api(personas):
    return ApiCaller(personas)


@pytest.mark.parametrize("name, role", CASES, ids=[f"{n}-{r}" for n, r in CASES])
def test_endpoint_for_role(api, plant, name, role):
    method, path, body, expected = ENDPOINTS[name]
    before = snapshot()
    if method == "get":
        response = api.get(role, path(plant))
    else:
        response = api.post(role, path(plant), body(plant))
    assert response.status_code == expected[role], (name, role, response.content[:300])
    if expected[role] >= 400:
        assert response.json()["code"] and response.json()["message"]
        assert snapshot() == before


def test_the_list_holds_only_the_callers_communities(api, plant):
    codes = {
        (i["community"], i["code"])
        for i in api.get("agent", "/api/operations/equipment").json()["items"]
    }
    assert codes == {(plant.pump.community_id, "pump-1"), (plant.pump.community_id, "lift-3a")}
    other = api.get("other_agent", "/api/operations/equipment").json()["items"]
    assert [i["id"] for i in other] == [plant.pump_b.id]


def test_registering_on_another_communitys_building_is_a_404_naming_it(api, plant):
    before = snapshot()
    response = api.post(
        "supervisor",
        "/api/operations/equipment",
        {"building": plant.pump_b.building_id, "code": "x-1", "name": "X", "kind": "pump"},
    )
    assert (response.status_code, response.json()["field"]) == (404, "building")
    assert snapshot() == before


@pytest.mark.parametrize(
    "change, field",
    [
        ({"code": ""}, "code"),
        ({"code": "泵 1"}, "code"),
        ({"code": "pump-1"}, "code"),  # taken in the community
        ({"code": "x" * 41}, "code"),
        ({"name": ""}, "name"),
        ({"name": "<b>泵</b>"}, "name"),
        ({"name": "泵\x00"}, "name"),
        ({"kind": "rocket"}, "kind"),
        ({"warranty_end": "0000-01-01"}, "warranty_end"),
        ({"building": "abc"}, "building"),
        ({"building": 0}, "building"),
        ({"location": "x" * 201}, "location"),
    ],
)
def test_bad_registrations_name_the_field_and_write_nothing(api, plant, change, field):
    body = {"building": plant.pump.building_id, "code": "tank-1", "name": "水箱", "kind": "tank"}
    before = snapshot()
    response = api.post("supervisor", "/api/operations/equipment", {**body, **change})
    assert response.status_code in (400, 409, 422), response.content
    assert response.json()["field"] == field
    assert snapshot() == before


def test_a_bad_status_is_refused(api, plant):
    response = api.post(
        "technician", f"/api/operations/equipment/{plant.pump.id}/status", {"status": "broken"}
    )
    assert (response.status_code, response.json()["field"]) == (422, "status")


def test_the_detail_shows_latest_readings_and_fault_figures(api, plant):
    from propdesk.operations import readings
    from propdesk.operations.tests.conftest import at, message

    readings.ingest([message("A", "pump-1", "pressure", 0.3)], received_at=at("2026-07-08 10:00"))
    body = api.get("agent", f"/api/operations/equipment/{plant.pump.id}").json()
    assert body["latest"] == [{"metric": "pressure", "at": "2026-07-08T02:00:00Z", "value": 0.3}]
    assert body["figures"] == {"faults": 0, "mtbf_days": None, "repeats": 0}
