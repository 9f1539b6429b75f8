"""Browser journeys at 390×844 in headless Debian Chromium: a guard's night patrol scans three
points, skips one it cannot reach and reports a broken light that becomes a patrol request; an
engineer completes a pump's maintenance work order on the phone; a pump's current over its
threshold opens one alert and one request, which the engineer, sent to it from the alert list,
works and resolves while the alert closes when the readings are normal again."""

import datetime
from pathlib import Path

import pytest
from django.utils import timezone
from PIL import Image
from playwright.sync_api import expect

from propdesk.accounts.models import Department
from propdesk.operations import readings
from propdesk.operations.models import Alert, PatrolCheck, PatrolRound, WorkOrder
from propdesk.operations.services import maintenance
from propdesk.operations.tests.conftest import message
from propdesk.tickets.models import ServiceRequest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}
expect.set_options(timeout=60_000)


def _screenshots() -> Path:
    path = Path("test-results")
    path.mkdir(exist_ok=True)
    return path


def _phone_log_in(browser, live_server, username):
    page = browser.new_context(viewport=PHONE).new_page()
    page.set_default_timeout(120_000)  # a loaded machine serves the first pages slowly
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", "pw-" + username)
    page.click("button[type=submit]")
    page.wait_for_load_state()
    return page


def _open_point(page, code):
    page.get_by_test_id("scan-form").locator("input[name=code]").fill(code)
    page.get_by_test_id("scan-form").locator("button[type=submit]").click()
    page.wait_for_load_state()


def test_a_night_patrol_on_the_phone(browser, live_server, night, tmp_path):
    patrol_round, points, _other, _plan = night
    now = timezone.now()
    # The round is due now: the browser's clock is the real one.
    PatrolRound.objects.filter(pk=patrol_round.pk).update(
        due_at=now - datetime.timedelta(minutes=5), due_by=now + datetime.timedelta(hours=2)
    )
    page = _phone_log_in(browser, live_server, "guard")
    page.goto(f"{live_server.url}/operations/patrol/mine/")
    page.get_by_test_id("my-rounds").get_by_text("夜间安保巡逻").click()
    page.wait_for_load_state()
    page.screenshot(path=str(_screenshots() / "patrol-round-start.png"), full_page=True)

    # 1. The north gate, scanned (the camera gives the QR code's text): all right.
    _open_point(page, points[0].qr_text())
    expect(page.get_by_text("门窗关闭")).to_be_visible()
    page.get_by_test_id("record-check").click()
    page.wait_for_load_state()
    expect(page.get_by_role("alert")).to_contain_text("北门")

    # 2. The garage entrance: its light is broken, with a photo.
    _open_point(page, points[1].qr_text())
    page.get_by_label("照明正常").uncheck()
    page.get_by_label("发现的问题").fill("地库入口灯不亮")
    page.get_by_label("问题类别").select_option("repair_electric")
    picture = tmp_path / "light.png"
    Image.new("RGB", (64, 48), (250, 200, 0)).save(picture, "PNG")
    page.get_by_label("照片").set_input_files(str(picture))
    page.screenshot(path=str(_screenshots() / "patrol-finding.png"), full_page=True)
    page.get_by_test_id("record-check").click()
    page.wait_for_load_state()

    # 3. The pump room is locked: skipped with a reason.
    _open_point(page, "pump-room")
    page.get_by_text("无法检查这个点？").click()
    page.get_by_label("跳过原因").fill("泵房门锁坏了，进不去")
    page.get_by_test_id("skip-form").get_by_role("button").click()
    page.wait_for_load_state()

    # 4. The roof, typed from the code printed under the QR code.
    _open_point(page, "roof-3")
    page.get_by_test_id("record-check").click()
    page.wait_for_load_state()
    sheet = page.get_by_test_id("round-sheet")
    expect(sheet).to_contain_text("地库入口灯不亮")
    expect(sheet).to_contain_text("已跳过")
    page.screenshot(path=str(_screenshots() / "patrol-round-sheet.png"), full_page=True)

    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_test_id("finish-round").click()
    page.wait_for_load_state()
    expect(page.get_by_role("alert")).to_contain_text("已检 3 个，漏检 1 个")
    page.screenshot(path=str(_screenshots() / "patrol-finished.png"), full_page=True)

    patrol_round.refresh_from_db()
    assert (patrol_round.status, patrol_round.points_checked, patrol_round.points_missed) == (
        "done",
        3,
        1,
    )
    request = PatrolCheck.objects.get(outcome="finding").request
    assert request.channel == "patrol" and request.category.code == "repair_electric"
    assert "地库入口灯不亮" in request.description and request.photos.count() == 1


def test_an_engineer_completes_a_work_order_on_the_phone(browser, live_server, personas, plant):
    today = timezone.localdate()
    maintenance.plan_create(
        actor=personas["supervisor"],
        equipment=plant.pump,
        name="水泵月度保养",
        every=1,
        unit="months",
        first_due=today,
        lead_days=3,
        checklist="检查机械密封\n测量电流",
    )
    maintenance.work_orders_open(today=today)
    order = WorkOrder.objects.get()
    page = _phone_log_in(browser, live_server, "technician")
    page.goto(f"{live_server.url}/operations/maintenance/")
    page.get_by_test_id("work-orders").get_by_text("水泵月度保养").click()
    page.wait_for_load_state()
    page.get_by_label("水泵电流（A）").fill("12.5")
    page.get_by_label("所用配件").fill("机械密封 1 套")
    page.get_by_label("费用（元）").fill("180.005")
    page.get_by_test_id("complete-order").click()
    page.wait_for_load_state()
    expect(page.locator("[data-field-error=cost]")).to_be_visible()
    page.screenshot(path=str(_screenshots() / "work-order-refused.png"), full_page=True)
    page.get_by_label("费用（元）").fill("180.00")
    page.get_by_test_id("complete-order").click()
    page.wait_for_load_state()
    expect(page.get_by_test_id("order-record")).to_contain_text("机械密封 1 套")
    page.screenshot(path=str(_screenshots() / "work-order-done.png"), full_page=True)
    order.refresh_from_db()
    assert order.status == "done" and order.readings == {"current": 12.5}
    assert str(order.cost) == "180.00"


def test_a_pump_alert_is_worked_and_resolved_by_the_engineer(browser, live_server, personas, plant):
    engineering, _ = Department.objects.get_or_create(
        code="engineering", defaults={"name": "工程部"}
    )
    technician = personas["technician"]
    technician.department = engineering
    technician.save(update_fields=["department"])

    # The pump draws 45 A (its rule: at most 30 A), twice: one alert, one request.
    readings.ingest([message("A", "pump-1", "current", 45.0)])
    readings.ingest([message("A", "pump-1", "current", 46.5)])
    alert = Alert.objects.get()
    request = ServiceRequest.objects.get()
    assert (alert.is_open, alert.request_id, request.channel) == (True, request.id, "device")

    # The supervisor sees it on the alert list and sends the request to the engineer.
    desk = _phone_log_in(browser, live_server, "supervisor")
    desk.goto(f"{live_server.url}/operations/alerts/")
    row = desk.get_by_test_id("alert-list").locator("tbody tr").first
    expect(row).to_contain_text("生活水泵1号")
    expect(row).to_contain_text("46.5")
    row.get_by_role("link", name=request.number).click()
    desk.wait_for_load_state()
    desk.get_by_test_id("dispatch-form").locator("[name=assignee]").select_option(
        str(technician.id)
    )
    desk.get_by_test_id("dispatch-form").get_by_test_id("step-dispatch").click()
    expect(desk.get_by_test_id("request-status")).to_have_attribute("data-status", "dispatched")

    # The engineer finds it from the alert list on the phone, and the pump is marked at fault.
    page = _phone_log_in(browser, live_server, "technician")
    page.goto(f"{live_server.url}/operations/alerts/")
    expect(page.get_by_test_id("alert-list")).to_contain_text("生活水泵1号")
    page.screenshot(path=str(_screenshots() / "pump-alert-list.png"), full_page=True)
    page.get_by_test_id("alert-list").get_by_role("link", name="生活水泵1号").click()
    page.wait_for_load_state()
    expect(page.get_by_text(request.number).first).to_be_visible()
    page.get_by_role("link", name=request.number).first.click()
    page.wait_for_load_state()
    page.get_by_test_id("step-start").click()
    expect(page.get_by_test_id("request-status")).to_have_attribute("data-status", "in_progress")

    # The bearing replaced, the pump reads normal again: the alert closes by itself…
    result = readings.ingest([message("A", "pump-1", "current", 12.0)])
    assert result.alerts_closed == 1

    # …and the engineer resolves the request.
    page.reload()
    page.get_by_test_id("resolve-form").get_by_test_id("note-resolve").fill(
        "更换电机轴承，电流恢复正常"
    )
    page.get_by_test_id("resolve-form").get_by_test_id("step-resolve").click()
    expect(page.get_by_test_id("request-status")).to_have_attribute("data-status", "resolved")
    expect(page.get_by_test_id("timeline")).to_contain_text("12")
    page.screenshot(path=str(_screenshots() / "pump-alert-resolved.png"), full_page=True)

    page.goto(f"{live_server.url}/operations/alerts/")
    expect(page.get_by_test_id("alert-list")).to_contain_text("没有告警。")
    page.goto(f"{live_server.url}/operations/alerts/?all=1")
    expect(page.get_by_test_id("alert-list").locator("tbody tr").first).not_to_have_class(
        "table-danger"
    )
    alert.refresh_from_db()
    request.refresh_from_db()
    assert (alert.is_open, alert.last_value, request.status) == (False, 12.0, "resolved")
    assert ServiceRequest.objects.count() == 1 and Alert.objects.count() == 1
