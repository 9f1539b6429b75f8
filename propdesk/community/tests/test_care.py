"""Special-care residents: the care list, visits and the next due date, a need found becomes a
help request, health details masked and every reveal logged, calls before a warning."""

import datetime

import pytest
from django.test import Client

from propdesk.community.models import CareCall, CareResident
from propdesk.community.services import care as service
from propdesk.community.tests.conftest import at, community_snapshot
from propdesk.core.errors import Conflict, PermissionDenied, ValidationFailed
from propdesk.core.models import AccessLog


@pytest.fixture
def grandma(agent, house_a):
    return service.care_resident_add(
        actor=agent,
        house=house_a,
        name="王奶奶",
        mobile="13600000001",
        category="elderly_alone",
        emergency_contact="王小明",
        emergency_mobile="13600000002",
        health_notes="高血压，行动不便",
    )


def test_the_first_visit_is_due_today_and_each_visit_moves_it(grandma, agent, clock):
    assert grandma.next_visit_on == datetime.date(2026, 7, 10)
    clock.move_to(at("2026-08-20 10:00"))
    assert grandma.is_overdue(datetime.date(2026, 8, 20))
    service.care_visit_record(
        actor=agent, resident=grandma, visited_on=datetime.date(2026, 8, 20), findings="精神不错"
    )
    grandma.refresh_from_db()
    assert (grandma.last_visit_on, grandma.next_visit_on) == (
        datetime.date(2026, 8, 20),
        datetime.date(2026, 9, 19),
    )


def test_a_need_found_becomes_a_help_request(grandma, agent):
    visit = service.care_visit_record(
        actor=agent,
        resident=grandma,
        visited_on=datetime.date(2026, 7, 10),
        findings="家中灯泡坏了",
        need="更换厨房灯泡",
    )
    assert (visit.request.kind.code, visit.request.house_id) == ("help", grandma.house_id)


def test_health_details_are_revealed_only_to_supervisors_and_logged(grandma, supervisor, agent):
    assert service.care_health_reveal(actor=supervisor, resident=grandma) == "高血压，行动不便"
    assert AccessLog.objects.filter(field="health_notes", actor=supervisor).count() == 1
    with pytest.raises(PermissionDenied):
        service.care_health_reveal(actor=agent, resident=grandma)
    assert AccessLog.objects.count() == 1


def test_the_history_never_holds_health_details(grandma, agent):
    from propdesk.core.models import AuditEvent

    service.care_resident_update(actor=agent, resident=grandma, health_notes="新增糖尿病")
    assert "糖尿病" not in str(list(AuditEvent.objects.values_list("changes", flat=True)))


def test_pages_mask_health_details(grandma, personas):
    for role in ("agent", "supervisor"):
        client = Client()
        client.force_login(personas[role])
        html = client.get(f"/community/care/{grandma.id}/").content.decode()
        assert "高血压" not in html and "136****0001" in html
    client = Client()
    client.force_login(personas["supervisor"])
    revealed = client.post(f"/community/care/{grandma.id}/reveal/").content.decode()
    assert "高血压" in revealed
    client.force_login(personas["agent"])
    refused = client.post(f"/community/care/{grandma.id}/reveal/")
    assert refused.status_code == 403 and "高血压" not in refused.content.decode()


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("agent", 200),
        ("supervisor", 200),
        ("technician", 403),
        ("guard", 403),
        ("cashier", 403),
        ("owner", 403),
    ],
)
def test_the_list_per_role(personas, grandma, role, status):
    client = Client()
    client.force_login(personas[role])
    assert client.get("/community/care/").status_code == status


def test_another_community_sees_nothing(personas, grandma):
    client = Client()
    client.force_login(personas["other_agent"])
    assert client.get(f"/community/care/{grandma.id}/").status_code == 404
    assert "王奶奶" not in client.get("/community/care/").content.decode()


def test_the_overdue_list(grandma, agent, clock):
    clock.move_to(at("2026-07-12 10:00"))
    client = Client()
    client.force_login(agent)
    html = client.get("/community/care/?overdue=1").content.decode()
    assert "王奶奶" in html and "overdue-count" in html


def _care_form(house, **changes) -> dict:
    return {
        "community": house.community_id,
        "house_code": house.code,
        "name": "李爷爷",
        "category": "disabled",
        "visit_every_days": 30,
        **changes,
    }


def test_a_resident_is_added_from_the_page(agent, house_a):
    client = Client()
    client.force_login(agent)
    assert client.get("/community/care/new/").status_code == 200
    response = client.post("/community/care/new/", _care_form(house_a))
    resident = CareResident.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/community/care/{resident.id}/"
    assert (resident.house_id, resident.name, resident.visit_every_days) == (
        house_a.id,
        "李爷爷",
        30,
    )
    assert "已加入关怀名单" in client.get(response["Location"]).content.decode()


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"house_code": "9-9-999"}, "house_code"),
        ({"name": ""}, "name"),
        ({"mobile": "123"}, "mobile"),
        ({"visit_every_days": 0}, "visit_every_days"),
    ],
)
def test_the_page_names_the_field_at_fault_and_writes_nothing(agent, house_a, changes, field):
    client = Client()
    client.force_login(agent)
    before = community_snapshot()
    response = client.post("/community/care/new/", _care_form(house_a, **changes))
    assert response.status_code == 400
    assert f'data-field-error="{field}"' in response.content.decode()
    assert community_snapshot() == before


def test_another_communitys_house_is_not_found_from_the_page(agent, house_a, house_b):
    client = Client()
    client.force_login(agent)
    before = community_snapshot()
    response = client.post("/community/care/new/", _care_form(house_a, house_code=house_b.code))
    assert response.status_code == 400
    assert 'data-field-error="house_code"' in response.content.decode()
    assert community_snapshot() == before


@pytest.mark.parametrize("role", ["technician", "guard", "cashier"])
def test_the_page_refuses_roles_that_may_not_add(personas, house_a, role):
    client = Client()
    client.force_login(personas[role])
    assert client.get("/community/care/new/").status_code == 403
    response = client.post("/community/care/new/", _care_form(house_a))
    assert response.status_code == 403
    assert not CareResident.objects.exists()


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"name": ""}, "name"),
        ({"category": "vip"}, "category"),
        ({"visit_every_days": 0}, "visit_every_days"),
        ({"visit_every_days": "x"}, "visit_every_days"),
        ({"visit_every_days": 400}, "visit_every_days"),
        ({"mobile": "123"}, "mobile"),
        ({"emergency_mobile": "abc"}, "emergency_mobile"),
        ({"health_notes": "x" * 2001}, "health_notes"),
    ],
)
def test_adding_refuses_bad_input(agent, house_a, changes, field):
    values = {"name": "李爷爷", "category": "disabled", **changes}
    before = community_snapshot()
    with pytest.raises(ValidationFailed) as refused:
        service.care_resident_add(actor=agent, house=house_a, **values)
    assert refused.value.field == field
    assert community_snapshot() == before


@pytest.mark.parametrize("role", ["technician", "guard", "cashier", "owner", "other_agent"])
def test_adding_refuses_roles(personas, house_a, role):
    with pytest.raises(PermissionDenied):
        service.care_resident_add(actor=personas[role], house=house_a, name="x", category="other")
    assert not CareResident.objects.exists()


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"findings": ""}, "findings"),
        ({"visited_on": datetime.date(2026, 7, 11)}, "visited_on"),
        ({"visited_on": datetime.date(2026, 1, 1)}, "visited_on"),
        ({"visited_on": "2026-07-10"}, "visited_on"),
    ],
)
def test_a_visit_refuses_bad_input(grandma, agent, changes, field):
    values = {"visited_on": datetime.date(2026, 7, 10), "findings": "好", **changes}
    before = community_snapshot()
    with pytest.raises(ValidationFailed) as refused:
        service.care_visit_record(actor=agent, resident=grandma, **values)
    assert refused.value.field == field
    assert community_snapshot() == before


def test_calls_before_a_warning_are_made_once(grandma, agent):
    assert (
        service.care_calls_start(
            community_id=grandma.community_id,
            reason="暴雨预警",
            source="warning:1",
            due_at=at("2026-07-10 16:00"),
        )
        == 1
    )
    service.care_calls_start(
        community_id=grandma.community_id,
        reason="暴雨预警",
        source="warning:1",
        due_at=at("2026-07-10 16:00"),
    )
    call = CareCall.objects.get()
    service.care_call_done(actor=agent, call=call, outcome="已提醒关窗")
    with pytest.raises(Conflict):
        service.care_call_done(actor=agent, call=call, outcome="再次")
