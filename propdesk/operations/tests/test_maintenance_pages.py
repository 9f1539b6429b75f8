"""Maintenance pages: roles, another community's work order, the plan form, and completing a
work order on the phone page with bad values answered naming the field."""

import datetime

import pytest
from django.test import Client

from propdesk.operations.models import MaintenancePlan, WorkOrder
from propdesk.operations.services import maintenance

pytestmark = pytest.mark.django_db

VIEWERS = {"agent", "supervisor", "technician", "guard", "admin"}
ROLES = ["agent", "supervisor", "technician", "cashier", "guard", "admin", "owner"]


def client_for(personas, role):
    client = Client()
    client.force_login(personas[role])
    return client


@pytest.fixture
def order(personas, plant):
    plan = maintenance.plan_create(
        actor=personas["supervisor"],
        equipment=plant.pump,
        name="空调夏季前检查",
        every=12,
        unit="months",
        first_due=datetime.date(2026, 5, 1),
        lead_days=14,
        checklist="清洗滤网\n检查冷媒压力",
    )
    maintenance.work_orders_open(today=datetime.date(2026, 4, 20))
    return WorkOrder.objects.get(plan=plan)


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("page", ["home", "order", "equipment"])
def test_pages_for_role(personas, plant, order, role, page):
    url = {
        "home": "/operations/maintenance/",
        "order": f"/operations/maintenance/orders/{order.id}/",
        "equipment": f"/operations/equipment/{plant.pump.id}/",
    }[page]
    response = client_for(personas, role).get(url)
    assert response.status_code == 200 if role in VIEWERS else response.status_code in (302, 403)
    if response.status_code == 200:
        assert "空调夏季前检查" in response.content.decode()


def test_another_communitys_work_order_is_not_found(personas, order):
    response = client_for(personas, "other_agent").get(
        f"/operations/maintenance/orders/{order.id}/"
    )
    assert response.status_code == 404


def test_a_technician_completes_the_work_order_on_the_phone_page(personas, order):
    client = client_for(personas, "technician")
    url = f"/operations/maintenance/orders/{order.id}/"
    bad = client.post(url, {"item_0": "on", "item_1": "on", "reading_pressure": "99"})
    assert bad.status_code == 400 and 'data-field-error="reading_pressure"' in bad.content.decode()
    bad = client.post(url, {"item_0": "on", "item_1": "on", "cost": "1.234"})
    assert bad.status_code == 400 and 'data-field-error="cost"' in bad.content.decode()
    order.refresh_from_db()
    assert order.status == "open"
    done = client.post(
        url,
        {
            "item_0": "on",
            "item_1": "on",
            "reading_temperature": "7.5",
            "parts": "滤网 2 片",
            "cost": "60.00",
            "notes": "已清洗",
        },
    )
    assert done.status_code == 302
    order.refresh_from_db()
    assert order.status == "done" and order.readings == {"temperature": 7.5}
    text = client.get(f"/operations/equipment/{order.equipment_id}/").content.decode()
    assert "已清洗" in text and "已保养" in text


def test_an_agent_cannot_complete_and_a_supervisor_adds_a_plan(personas, plant, order):
    response = client_for(personas, "agent").post(f"/operations/maintenance/orders/{order.id}/", {})
    assert response.status_code == 403
    order.refresh_from_db()
    assert order.status == "open"
    client = client_for(personas, "supervisor")
    response = client.post(
        "/operations/maintenance/plans/new/",
        {
            "equipment": plant.lift.id,
            "name": "电梯半月保养",
            "every": "15",
            "unit": "days",
            "first_due": "2026-07-15",
            "lead_days": "2",
        },
    )
    assert response.status_code == 302
    assert MaintenancePlan.objects.get(equipment=plant.lift).every == 15
    response = client.post(
        "/operations/maintenance/plans/new/",
        {
            "equipment": plant.pump_b.id,
            "name": "X",
            "every": "1",
            "unit": "months",
            "first_due": "2026-07-15",
            "lead_days": "2",
        },
    )
    assert response.status_code == 400
    assert MaintenancePlan.objects.count() == 2
