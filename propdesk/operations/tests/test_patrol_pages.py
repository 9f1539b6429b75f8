"""Patrol pages: who sees them, the phone walk of a round (scan, checklist, skip, finish), the
set-up forms, QR codes, and bad or foreign codes answered with the field named."""

import io

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from PIL import Image

from propdesk.operations.models import PatrolCheck, PatrolPlan, PatrolPoint, PatrolRoute
from propdesk.operations.tests.conftest import at

pytestmark = pytest.mark.django_db

VIEWERS = {"agent", "supervisor", "technician", "guard", "admin"}
WALKERS = {"supervisor", "technician", "guard", "admin"}
ROLES = ["agent", "supervisor", "technician", "cashier", "guard", "admin", "owner"]


def client_for(personas, role):
    client = Client()
    client.force_login(personas[role])
    return client


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("page", ["home", "setup", "round", "qr"])
def test_view_pages_for_role(personas, night, role, page):
    patrol_round, points, *_ = night
    url = {
        "home": "/operations/patrol/",
        "setup": "/operations/patrol/setup/",
        "round": f"/operations/patrol/rounds/{patrol_round.id}/",
        "qr": f"/operations/patrol/points/{points[0].id}/qr.svg",
    }[page]
    with time_machine.travel(at("2026-07-08 22:01"), tick=False):
        response = client_for(personas, role).get(url)
    expected = 200 if role in VIEWERS else (302 if role == "owner" else 403)
    assert response.status_code == expected or (role == "owner" and response.status_code == 403)
    if response.status_code == 200 and page == "home":
        assert "夜间安保巡逻" in response.content.decode()
    if response.status_code == 200 and page == "qr":
        assert response["Content-Type"] == "image/svg+xml" and b"<svg" in response.content


@pytest.mark.parametrize("role", ROLES)
def test_my_rounds_for_role(personas, night, role):
    with time_machine.travel(at("2026-07-08 21:50"), tick=False):
        response = client_for(personas, role).get("/operations/patrol/mine/")
    assert response.status_code in ((200,) if role in WALKERS else (302, 403))
    if response.status_code == 200:
        # The round is the guard's: only the guard finds it among their rounds.
        assert ("夜间安保巡逻" in response.content.decode()) == (role == "guard")


def test_another_communitys_round_and_point_are_not_found(personas, night):
    patrol_round, _points, other, _plan = night
    client = client_for(personas, "other_agent")
    assert client.get(f"/operations/patrol/rounds/{patrol_round.id}/").status_code == 404
    assert (
        client_for(personas, "guard")
        .get(f"/operations/patrol/points/{other.id}/qr.svg")
        .status_code
        == 404
    )


def jpeg() -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), (10, 10, 200)).save(buffer, "JPEG")
    return SimpleUploadedFile("light.jpg", buffer.getvalue(), content_type="image/jpeg")


def test_a_guard_walks_the_round_on_the_phone_pages(personas, night):
    patrol_round, points, other, _plan = night
    client = client_for(personas, "guard")
    base = f"/operations/patrol/rounds/{patrol_round.id}"
    with time_machine.travel(at("2026-07-08 22:05"), tick=False):
        page = client.get(f"{base}/check/", {"code": points[0].qr_text()})
        assert page.status_code == 200 and "门窗关闭" in page.content.decode()
        ok = client.post(f"{base}/check/", {"code": "gate-n", "item_0": "on", "item_1": "on"})
        assert ok.status_code == 302
        # Another community's QR code: the round page again, the code field named.
        foreign = client.get(f"{base}/check/", {"code": other.qr_text()})
        assert foreign.status_code == 400
        assert 'data-field-error="code"' in foreign.content.decode()
        assert "其他小区" in foreign.content.decode() or "另一个小区" in foreign.content.decode()
        # An item not right without a note: refused, nothing written.
        refused = client.post(f"{base}/check/", {"code": "garage-1", "item_0": "on"})
        assert refused.status_code == 400 and PatrolCheck.objects.count() == 1
        finding = client.post(
            f"{base}/check/",
            {
                "code": "garage-1",
                "item_0": "on",
                "note": "入口灯不亮",
                "category": "repair_electric",
                "photos": [jpeg()],
            },
        )
        assert finding.status_code == 302
        skip = client.post(f"{base}/skip/", {"code": "pump-room", "reason": "门锁坏了"})
        assert skip.status_code == 302
        client.post(f"{base}/check/", {"code": "roof-3", "item_0": "on", "item_1": "on"})
        sheet = client.get(f"{base}/").content.decode()
        assert "入口灯不亮" in sheet and "已跳过" in sheet
        finish = client.post(f"{base}/finish/")
    assert finish.status_code == 302
    patrol_round.refresh_from_db()
    assert (patrol_round.status, patrol_round.points_checked, patrol_round.points_missed) == (
        "done",
        3,
        1,
    )
    request = PatrolCheck.objects.get(outcome="finding").request
    assert request.channel == "patrol" and request.photos.count() == 1


@pytest.mark.parametrize(
    "code", ["", "\x00", "<b>x</b>", "' OR 1=1 --", "x" * 500, "PDPATROL:ZZ/gate-n"]
)
def test_hostile_codes_answer_400_and_write_nothing(personas, night, code):
    patrol_round, *_ = night
    response = client_for(personas, "guard").get(
        f"/operations/patrol/rounds/{patrol_round.id}/check/", {"code": code}
    )
    assert response.status_code == 400
    assert "<b>x</b>" not in response.content.decode()
    assert PatrolCheck.objects.count() == 0


def test_an_agent_cannot_record_a_check(personas, night):
    patrol_round, *_ = night
    response = client_for(personas, "agent").post(
        f"/operations/patrol/rounds/{patrol_round.id}/check/", {"code": "gate-n"}
    )
    assert response.status_code == 403 and PatrolCheck.objects.count() == 0


def test_a_supervisor_sets_up_a_point_a_route_and_a_plan(personas, night, building_a):
    client = client_for(personas, "supervisor")
    response = client.post(
        "/operations/patrol/points/new/",
        {"building": building_a.id, "code": "drain-1", "name": "雨水井1", "checklist": "无堵塞"},
    )
    assert response.status_code == 302
    assert PatrolPoint.objects.get(code="drain-1").checklist_items() == ["无堵塞"]
    response = client.post(
        "/operations/patrol/routes/new/",
        {"community": building_a.community_id, "name": "雨季排水检查", "points": "drain-1\nroof-3"},
    )
    assert response.status_code == 302
    route = PatrolRoute.objects.get(name="雨季排水检查")
    response = client.post(
        "/operations/patrol/plans/new/",
        {
            "route": route.id,
            "name": "每季度排水检查",
            "every_days": "90",
            "starts_on": "2026-04-01",
            "start_time": "09:00",
            "window_minutes": "480",
        },
    )
    assert response.status_code == 302
    assert PatrolPlan.objects.get(route=route).every_days == 90
    bad = client.post(
        "/operations/patrol/routes/new/",
        {"community": building_a.community_id, "name": "R", "points": "drain-1\ndrain-1"},
    )
    assert bad.status_code == 400 and PatrolRoute.objects.count() == 2
    assert client_for(personas, "guard").get("/operations/patrol/points/new/").status_code == 403
