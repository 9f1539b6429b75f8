"""Console pages of operations: who sees them, another community's equipment, and the forms."""

import pytest
from django.test import Client

from propdesk.operations.models import Equipment, ThresholdRule

pytestmark = pytest.mark.django_db

VIEWERS = {"agent", "supervisor", "technician", "guard", "admin"}


def client_for(personas, role):
    client = Client()
    client.force_login(personas[role])
    return client


@pytest.mark.parametrize(
    "role", ["agent", "supervisor", "technician", "cashier", "guard", "admin", "owner"]
)
@pytest.mark.parametrize("page", ["list", "detail", "alerts"])
def test_pages_for_role(personas, plant, role, page):
    url = {
        "list": "/operations/",
        "detail": f"/operations/equipment/{plant.pump.id}/",
        "alerts": "/operations/alerts/",
    }[page]
    response = client_for(personas, role).get(url)
    assert response.status_code == (200 if role in VIEWERS else 403)
    if response.status_code == 200:
        text = response.content.decode()
        assert "生活水泵1号" in text or page == "alerts"
        if page == "list":  # an administrator sees every community
            assert ("乙区水泵" in text) == (role == "admin")


def test_another_communitys_equipment_is_not_found(personas, plant):
    assert (
        client_for(personas, "agent").get(f"/operations/equipment/{plant.pump_b.id}/").status_code
        == 404
    )
    assert (
        client_for(personas, "other_agent")
        .get(f"/operations/equipment/{plant.pump.id}/")
        .status_code
        == 404
    )


def test_the_list_searches_and_filters(personas, plant):
    client = client_for(personas, "agent")
    text = client.get("/operations/", {"q": "lift"}).content.decode()
    assert "3栋A梯" in text and "生活水泵1号" not in text
    text = client.get("/operations/", {"kind": "pump"}).content.decode()
    assert "生活水泵1号" in text and "3栋A梯" not in text
    assert client.get("/operations/", {"q": "\x00"}).status_code == 400


def test_the_equipment_page_shows_readings_alerts_and_the_request(personas, plant):
    from propdesk.operations import readings
    from propdesk.operations.tests.conftest import at, message

    readings.ingest(
        [message("A", "pump-1", "pressure", 0.1, "2026-07-08 09:00")],
        received_at=at("2026-07-08 10:00"),
    )
    text = (
        client_for(personas, "technician")
        .get(f"/operations/equipment/{plant.pump.id}/")
        .content.decode()
    )
    assert "0.1" in text and "故障" in text
    assert 'data-testid="alerts"' in text and "/requests/" in text


def test_a_technician_registers_equipment_with_the_form(personas, plant):
    response = client_for(personas, "technician").post(
        "/operations/equipment/new/",
        {"building": plant.pump.building_id, "code": "ac-1", "name": "中央空调", "kind": "ac"},
    )
    assert response.status_code == 302
    assert Equipment.objects.filter(code="ac-1", community=plant.pump.community).exists()


def test_the_form_refuses_another_communitys_building_and_a_taken_code(personas, plant):
    client = client_for(personas, "technician")
    response = client.post(
        "/operations/equipment/new/",
        {"building": plant.pump_b.building_id, "code": "x-1", "name": "X", "kind": "pump"},
    )
    assert response.status_code == 400
    response = client.post(
        "/operations/equipment/new/",
        {"building": plant.pump.building_id, "code": "pump-1", "name": "X", "kind": "pump"},
    )
    assert response.status_code == 400 and "已有" in response.content.decode()
    assert Equipment.objects.count() == 3


def test_an_agent_cannot_register_or_change_status(personas, plant):
    client = client_for(personas, "agent")
    assert client.get("/operations/equipment/new/").status_code == 403
    client.post(f"/operations/equipment/{plant.pump.id}/status/", {"status": "retired"})
    plant.pump.refresh_from_db()
    assert plant.pump.status == "in_service"


def test_a_technician_records_a_status_and_links_a_request(personas, plant, house_a):
    from propdesk.tickets.services.intake import request_create

    request = request_create(
        actor=personas["agent"],
        kind="repair",
        category="repair_water",
        urgency="normal",
        description="水压很低",
        house=house_a,
    )
    client = client_for(personas, "technician")
    client.post(
        f"/operations/equipment/{plant.pump.id}/status/",
        {"status": "maintenance", "note": "换密封圈"},
    )
    client.post(f"/operations/equipment/{plant.pump.id}/link/", {"number": request.number})
    plant.pump.refresh_from_db()
    assert plant.pump.status == "maintenance"
    assert plant.pump.request_links.get().request == request
    text = client.get(f"/operations/equipment/{plant.pump.id}/").content.decode()
    assert request.number in text and "换密封圈" in text


def test_rules_page_for_supervisor_only_and_saving_a_rule(personas, plant):
    assert client_for(personas, "technician").get("/operations/rules/").status_code == 403
    client = client_for(personas, "supervisor")
    assert client.get("/operations/rules/").status_code == 200
    response = client.post(
        "/operations/rules/",
        {
            "kind": "pump",
            "metric": "pressure",
            "low": "0.2",
            "high": "",
            "category": "repair_water",
            "active": "on",
        },
    )
    assert response.status_code == 302
    assert ThresholdRule.objects.get(community=plant.pump.community).low == 0.2
    response = client.post(
        "/operations/rules/",
        {
            "kind": "pump",
            "metric": "pressure",
            "low": "0.5",
            "high": "0.4",
            "category": "repair_water",
        },
    )
    assert response.status_code == 400
    assert ThresholdRule.objects.get(community=plant.pump.community).low == 0.2
