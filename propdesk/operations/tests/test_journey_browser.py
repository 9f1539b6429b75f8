"""Browser journeys at 390×844 in headless Debian Chromium: a guard's night patrol scans three
points, skips one it cannot reach and reports a broken light that becomes a patrol request; an
engineer completes a pump's maintenance work order on the phone."""

import datetime
from pathlib import Path

import pytest
from django.utils import timezone
from PIL import Image
from playwright.sync_api import expect

from propdesk.operations.models import PatrolCheck, PatrolRound, WorkOrder
from propdesk.operations.services import maintenance

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
