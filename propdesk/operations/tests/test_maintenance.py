"""Maintenance plans open work orders ahead of their day, once; an engineer completes one with
the checklist, readings, parts, cost and photos; overdue ones escalate once to supervisors."""

import datetime
import io
from decimal import Decimal

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from propdesk.core.errors import AppError
from propdesk.core.models import OutboxMessage
from propdesk.operations import error_codes
from propdesk.operations.models import WorkOrder, WorkOrderPhoto
from propdesk.operations.models.maintenance import add_interval
from propdesk.operations.services import maintenance, status_record
from propdesk.operations.tests.conftest import at

pytestmark = pytest.mark.django_db


def refusal(call) -> AppError:
    with pytest.raises(AppError) as caught:
        call()
    return caught.value


def jpeg() -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (30, 20), (0, 120, 0)).save(buffer, "JPEG")
    return SimpleUploadedFile("pump.jpg", buffer.getvalue(), content_type="image/jpeg")


@pytest.fixture
def pump_plan(personas, plant):
    return maintenance.plan_create(
        actor=personas["technician"],
        equipment=plant.pump,
        name="水泵月度保养",
        every=1,
        unit="months",
        first_due=datetime.date(2026, 7, 31),
        lead_days=5,
        checklist="检查密封\n测电流",
        assignee=personas["technician"],
    )


def test_intervals_in_days_and_months():
    assert add_interval(datetime.date(2026, 1, 31), 1, "months") == datetime.date(2026, 2, 28)
    assert add_interval(datetime.date(2026, 5, 1), 12, "months") == datetime.date(2027, 5, 1)
    assert add_interval(datetime.date(2026, 7, 1), 90, "days") == datetime.date(2026, 9, 29)


def test_work_orders_open_ahead_of_their_day_once(pump_plan):
    assert maintenance.work_orders_open(today=datetime.date(2026, 7, 25)) == 0
    assert maintenance.work_orders_open(today=datetime.date(2026, 7, 26)) == 1
    assert maintenance.work_orders_open(today=datetime.date(2026, 7, 27)) == 0
    order = WorkOrder.objects.get()
    assert (order.due_on, order.title, order.assignee.username) == (
        datetime.date(2026, 7, 31),
        "水泵月度保养",
        "technician",
    )
    pump_plan.refresh_from_db()
    assert pump_plan.next_due == datetime.date(2026, 8, 31)
    assert maintenance.work_orders_open(today=datetime.date(2026, 8, 26)) == 1


def test_an_engineer_completes_a_work_order(personas, plant, pump_plan):
    maintenance.work_orders_open(today=datetime.date(2026, 7, 26))
    status_record(actor=personas["technician"], equipment=plant.pump, status="maintenance")
    order = maintenance.work_order_complete(
        actor=personas["technician"],
        work_order=WorkOrder.objects.get(),
        failed=[0],
        readings={"current": "12.5", "pressure": 0.32},
        parts="机械密封 1 套",
        cost="180.00",
        notes="密封老化，已更换",
        photos=[jpeg()],
    )
    assert order.status == "done" and order.cost == Decimal("180.00")
    assert order.answers == {"检查密封": False, "测电流": True}
    assert order.readings == {"current": 12.5, "pressure": 0.32}
    assert WorkOrderPhoto.objects.get().work_order == order
    plant.pump.refresh_from_db()
    assert plant.pump.status == "in_service"
    error = refusal(
        lambda: maintenance.work_order_complete(actor=personas["technician"], work_order=order)
    )
    assert error.code == error_codes.ORDER_CLOSED


@pytest.mark.parametrize(
    "kwargs, code, field",
    [
        ({"readings": {"current": "abc"}}, error_codes.BAD_READING, "readings.current"),
        ({"readings": {"current": -5}}, error_codes.BAD_READING, "readings.current"),
        ({"readings": {"current": float("nan")}}, error_codes.BAD_READING, "readings.current"),
        ({"readings": {"volts": 220}}, error_codes.BAD_READING, "readings"),
        ({"readings": ["current"]}, error_codes.BAD_READING, "readings"),
        ({"cost": "12.345"}, error_codes.BAD_COST, "cost"),
        ({"cost": "-1"}, error_codes.BAD_COST, "cost"),
        ({"cost": "<b>"}, error_codes.BAD_COST, "cost"),
        ({"cost": "100000000"}, error_codes.BAD_COST, "cost"),  # more than the column holds
        ({"failed": [9]}, error_codes.BAD_ANSWERS, "failed"),
        ({"failed": [0]}, error_codes.FINDING_NEEDS_NOTE, "notes"),
        ({"notes": "x\x00"}, "invalid", "notes"),
        ({"parts": "x" * 301}, "too_long", "parts"),
    ],
)
def test_bad_completions_are_refused_and_nothing_changes(personas, pump_plan, kwargs, code, field):
    maintenance.work_orders_open(today=datetime.date(2026, 7, 26))
    order = WorkOrder.objects.get()
    error = refusal(
        lambda: maintenance.work_order_complete(
            actor=personas["technician"], work_order=order, **kwargs
        )
    )
    assert (error.code, error.field) == (code, field)
    order.refresh_from_db()
    assert order.status == "open" and not WorkOrderPhoto.objects.exists()


def test_roles_and_communities_that_may_not_complete(personas, pump_plan):
    maintenance.work_orders_open(today=datetime.date(2026, 7, 26))
    order = WorkOrder.objects.get()
    for role in ("agent", "guard", "cashier", "owner", "other_agent"):
        error = refusal(
            lambda role=role: maintenance.work_order_complete(
                actor=personas[role], work_order=order
            )
        )
        assert error.status == 403
    order.refresh_from_db()
    assert order.status == "open"


def test_overdue_work_orders_escalate_once_to_supervisors(personas, pump_plan):
    maintenance.work_orders_open(today=datetime.date(2026, 7, 26))
    with time_machine.travel(at("2026-07-31 18:00"), tick=False):
        assert maintenance.work_orders_escalate() == 0
    with time_machine.travel(at("2026-08-01 09:00"), tick=False):
        assert maintenance.work_orders_escalate() == 1
        assert maintenance.work_orders_escalate() == 0
    order = WorkOrder.objects.get()
    assert order.escalated_at == at("2026-08-01 09:00")
    assert order.is_overdue(datetime.date(2026, 8, 1))
    messages = OutboxMessage.objects.filter(event="operations.work_order_overdue")
    assert sorted(m.recipient for m in messages) == ["supervisor"]


def test_a_plan_refuses_bad_intervals_and_an_engineer_of_another_community(personas, plant):
    for kwargs, code, field in [
        ({"every": 0}, error_codes.BAD_INTERVAL, "every"),
        ({"every": 400, "unit": "days"}, error_codes.BAD_INTERVAL, "every"),
        ({"unit": "weeks"}, "bad_choice", "unit"),
        ({"lead_days": -1}, error_codes.BAD_INTERVAL, "lead_days"),
        ({"assignee": personas["other_agent"]}, error_codes.BAD_ENGINEER, "assignee"),
        ({"assignee": personas["guard"]}, error_codes.BAD_ENGINEER, "assignee"),
    ]:
        values = {
            "name": "P",
            "every": 3,
            "unit": "months",
            "first_due": datetime.date(2026, 7, 1),
            **kwargs,
        }
        error = refusal(
            lambda values=values: maintenance.plan_create(
                actor=personas["supervisor"], equipment=plant.pump, **values
            )
        )
        assert (error.code, error.field) == (code, field)
    error = refusal(
        lambda: maintenance.plan_create(
            actor=personas["guard"],
            equipment=plant.pump,
            name="P",
            every=1,
            unit="months",
            first_due=datetime.date(2026, 7, 1),
        )
    )
    assert error.status == 403
