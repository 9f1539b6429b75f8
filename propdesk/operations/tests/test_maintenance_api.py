"""The maintenance work-order API × every role: the list and its filters, a work order's detail,
completing it with the checklist, readings, parts and cost; another community's work orders, and
bad bodies. The equipment's detail shows its faults and maintenance history.

Refused calls answer an error body naming the field and write nothing."""

import datetime

import pytest
import time_machine

from propdesk.api.tests.helpers import ROLES, ApiCaller
from propdesk.core.models import AuditEvent
from propdesk.operations import readings
from propdesk.operations.models import Equipment, WorkOrder
from propdesk.operations.services import maintenance
from propdesk.operations.tests.conftest import at, message

pytestmark = pytest.mark.django_db

NOW = "2026-07-08 10:00"
VIEWERS = {"agent", "supervisor", "technician", "guard", "admin"}
MANAGERS = {"supervisor", "technician", "admin"}
BASE = "/api/operations/maintenance/work-orders"


def outcomes(ok: int, allowed: set, *, other_agent: int = 404) -> dict:
    expected = {role: (ok if role in allowed else 403) for role in ROLES}
    expected.update({"owner": 403, "other_agent": other_agent, "anonymous": 401})
    return expected


def snapshot() -> tuple:
    return (
        list(
            WorkOrder.objects.order_by("id").values_list(
                "id", "status", "parts", "cost", "notes", "readings", "answers", "completed_by"
            )
        ),
        list(Equipment.objects.order_by("id").values_list("id", "status")),
        AuditEvent.objects.count(),
    )


@pytest.fixture
def api(personas):
    return ApiCaller(personas)


@pytest.fixture
def orders(plant, personas):
    """The pump's monthly work order in A (due 07-10), and B's pump's (due 07-05, overdue)."""
    with time_machine.travel(at(NOW), tick=False):
        maintenance.plan_create(
            actor=personas["supervisor"],
            equipment=plant.pump,
            name="水泵月度保养",
            every=1,
            unit="months",
            first_due=datetime.date(2026, 7, 10),
            lead_days=7,
            checklist="检查机械密封\n测量电流",
        )
        maintenance.plan_create(
            actor=plant.admin,
            equipment=plant.pump_b,
            name="乙区水泵保养",
            every=1,
            unit="months",
            first_due=datetime.date(2026, 7, 5),
        )
        maintenance.work_orders_open(today=datetime.date(2026, 7, 8))
    return WorkOrder.objects.get(equipment=plant.pump), WorkOrder.objects.get(
        equipment=plant.pump_b
    )


COMPLETE = {
    "failed": [],
    "readings": {"current": 12.5},
    "parts": "机械密封 1 套",
    "cost": "180.00",
    "notes": "",
}

ENDPOINTS = {
    "list": ("get", lambda o: BASE, None, outcomes(200, VIEWERS, other_agent=200)),
    "detail": ("get", lambda o: f"{BASE}/{o[0].id}", None, outcomes(200, VIEWERS)),
    "complete": (
        "post",
        lambda o: f"{BASE}/{o[0].id}/complete",
        lambda o: COMPLETE,
        outcomes(200, MANAGERS),
    ),
}
CASES = [(name, role) for name in ENDPOINTS for role in ROLES]


@pytest.mark.parametrize("name, role", CASES, ids=[f"{n}-{r}" for n, r in CASES])
def test_endpoint_for_role(api, orders, name, role):
    method, path, body, expected = ENDPOINTS[name]
    before = snapshot()
    with time_machine.travel(at(NOW), tick=False):
        if method == "get":
            response = api.get(role, path(orders))
        else:
            response = api.post(role, path(orders), body(orders))
    assert response.status_code == expected[role], (name, role, response.content[:300])
    if expected[role] >= 400:
        assert response.json()["code"] and response.json()["message"]
        assert snapshot() == before


def test_the_list_keeps_to_the_callers_communities_and_filters(api, orders, plant):
    mine, foreign = orders
    with time_machine.travel(at(NOW), tick=False):
        listed = api.get("technician", BASE).json()
        theirs = api.get("other_agent", BASE).json()
        overdue_b = api.get("admin", f"{BASE}?overdue=true").json()
        by_pump = api.get("admin", f"{BASE}?equipment={plant.pump.id}").json()
        done = api.get("technician", f"{BASE}?status=done").json()
        every = api.get("admin", f"{BASE}?status=").json()
    assert [(i["id"], i["equipment_name"], i["due_on"]) for i in listed["items"]] == [
        (mine.id, "生活水泵1号", "2026-07-10")
    ]
    assert [i["id"] for i in theirs["items"]] == [foreign.id]
    assert [i["id"] for i in overdue_b["items"]] == [foreign.id]
    assert [i["id"] for i in by_pump["items"]] == [mine.id]
    assert done["count"] == 0 and every["count"] == 2


@pytest.mark.parametrize(
    "query, field",
    [
        ("status=closed", "status"),
        ("overdue=perhaps", "overdue"),
        ("equipment=abc", "equipment"),
        ("equipment=0", "equipment"),
        ("community=-1", "community"),
        ("limit=0", "limit"),
    ],
)
def test_bad_filters_name_the_field(api, orders, query, field):
    response = api.get("technician", f"{BASE}?{query}")
    assert response.status_code in (400, 422), response.content
    assert response.json()["field"] == field


def test_the_detail_shows_the_checklist(api, orders):
    body = api.get("guard", f"{BASE}/{orders[0].id}").json()
    assert body["checklist"] == ["检查机械密封", "测量电流"]
    assert (body["status"], body["completed_by"], body["cost"], body["photos"]) == (
        "open",
        None,
        None,
        0,
    )


def test_an_engineer_completes_a_work_order_once(api, orders, plant):
    path = f"{BASE}/{orders[0].id}/complete"
    body = {**COMPLETE, "failed": [0], "notes": "密封渗水，已更换"}
    with time_machine.travel(at(NOW), tick=False):
        done = api.post("technician", path, body)
        before = snapshot()
        again = api.post("technician", path, body)
    record = done.json()
    assert done.status_code == 200, done.content
    assert (record["status"], record["cost"], record["parts"]) == (
        "done",
        "180.00",
        "机械密封 1 套",
    )
    assert record["answers"] == {"检查机械密封": False, "测量电流": True}
    assert record["readings"] == {"current": 12.5}
    assert record["completed_by"] == "technician"
    assert (again.status_code, again.json()["code"]) == (409, "order_closed")
    assert snapshot() == before
    history = api.get("agent", f"/api/operations/equipment/{plant.pump.id}").json()["maintenance"]
    assert [(h["id"], h["status"], h["cost"]) for h in history] == [
        (orders[0].id, "done", "180.00")
    ]


def test_another_communitys_work_order_is_a_404(api, orders):
    foreign = orders[1]
    before = snapshot()
    assert api.get("technician", f"{BASE}/{foreign.id}").status_code == 404
    response = api.post("technician", f"{BASE}/{foreign.id}/complete", COMPLETE)
    assert response.status_code == 404
    assert api.get("technician", f"{BASE}/99999999").status_code == 404
    assert snapshot() == before


@pytest.mark.parametrize(
    "change, field",
    [
        ({"failed": [2]}, "failed"),
        ({"failed": [True]}, "failed"),
        ({"failed": ["0"]}, "failed"),
        ({"failed": [-1]}, "failed"),
        ({"failed": [0]}, "notes"),  # an item not right needs the note saying what
        ({"readings": {"pressure": 999}}, "readings.pressure"),
        ({"readings": {"current": -1}}, "readings.current"),
        ({"readings": {"current": "abc"}}, "readings.current"),
        ({"readings": {"voltage": 220}}, "readings"),
        ({"readings": [12.5]}, "readings"),
        ({"cost": "180.005"}, "cost"),
        ({"cost": "-1"}, "cost"),
        ({"cost": "1e30"}, "cost"),
        ({"cost": "100000000.00"}, "cost"),
        ({"cost": "NaN"}, "cost"),
        ({"cost": "abc"}, "cost"),
        ({"parts": "x" * 301}, "parts"),
        ({"parts": "配件\x00"}, "parts"),
        ({"notes": "x" * 1001}, "notes"),
    ],
)
def test_bad_completions_name_the_field_and_write_nothing(api, orders, change, field):
    before = snapshot()
    with time_machine.travel(at(NOW), tick=False):
        response = api.post("technician", f"{BASE}/{orders[0].id}/complete", {**COMPLETE, **change})
    assert response.status_code in (400, 422), response.content
    named = response.json()["field"]
    if field in ("readings", "failed"):  # or the item at fault in it: failed.0, readings.voltage
        assert named.split(".")[0] == field
    else:
        assert named == field
    assert snapshot() == before


def test_the_equipment_detail_lists_its_faults(api, plant):
    with time_machine.travel(at(NOW), tick=False):
        readings.ingest([message("A", "pump-1", "pressure", 0.05)], received_at=at(NOW))
        body = api.get("technician", f"/api/operations/equipment/{plant.pump.id}").json()
    (fault,) = body["faults"]
    assert fault["category"] == "repair_water"
    assert fault["number"] and fault["request"]
    assert body["figures"]["faults"] == 1 and body["status"] == "fault"
    assert body["maintenance"] == []
