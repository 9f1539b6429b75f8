"""Browser journey in headless Debian Chromium: an agent takes 张三's call about a power cut in
building 3, records it as an emergency request and opens the incident from it; a step of the
plan is ticked; 张三 sees the banner on a phone-sized screen; 李四's call about the same cut is
added to the incident at intake instead of becoming a duplicate; a supervisor closes it and the
report is a PDF."""

import re

import pytest
from playwright.sync_api import expect

from propdesk.community.models import Incident, IncidentLink
from propdesk.core.models import OutboxMessage

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}


def _log_in(page, live_server, username):
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", "pw-" + username)
    page.click("button[type=submit]")
    page.wait_for_load_state()


def _take_call(page, live_server, query):
    page.goto(f"{live_server.url}/requests/new/")
    page.get_by_test_id("caller-search").fill(query)
    page.get_by_test_id("pick-house").first.click()


def test_a_power_cut_from_a_call_to_the_report(
    browser, live_server, staff, neighbours, owner_a, building_3, supervisor
):
    desk = browser.new_page()
    _log_in(desk, live_server, "agent")
    _take_call(desk, live_server, "13812345678")
    desk.locator("#id_kind").select_option("repair")
    desk.locator("#id_category").select_option("repair_electric")
    desk.locator("#id_urgency").select_option("emergency")
    desk.locator("#id_description").fill("整栋3号楼停电了，电梯也停了")
    desk.get_by_test_id("save-request").click()
    desk.get_by_test_id("extra-link-incident_new").click()
    expect(desk.get_by_test_id("incident-form")).to_be_visible()
    desk.locator("#id_kind").select_option("power_cut")
    desk.locator("#id_place").fill("3号楼")
    desk.locator("#id_buildings").select_option(str(building_3.id))
    desk.locator("#id_expected_restore_at").fill("2026-07-10T19:00")
    desk.get_by_test_id("incident-submit").click()
    expect(desk.get_by_test_id("incident-status")).to_have_text(re.compile("处置中|Under way"))
    incident = Incident.objects.get()
    assert incident.linked_count == 1  # the request it was opened from
    expect(desk.get_by_test_id("incident-broadcasts")).to_contain_text("已通知4人")
    desk.get_by_test_id("task-done").first.click()
    expect(desk.get_by_test_id("incident-tasks")).to_contain_text("已完成 1 / 6")
    desk.screenshot(path=str(_screenshots() / "incident-detail.png"), full_page=True)
    broadcast = OutboxMessage.objects.filter(event="incident.broadcast")
    assert broadcast.count() == 6 and all(m.urgent for m in broadcast)

    context = browser.new_context(viewport=PHONE)
    phone = context.new_page()
    _log_in(phone, live_server, "owner")
    phone.goto(f"{live_server.url}/m/")
    banner = phone.get_by_test_id("incident-banner")
    expect(banner).to_be_visible()
    expect(banner).to_contain_text("停电")
    expect(banner).to_contain_text("3-2-1502")
    expect(phone.get_by_test_id("incident-banner-restore")).to_contain_text("19:00")
    width = phone.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"]
    phone.screenshot(path=str(_screenshots() / "incident-banner-phone.png"))
    context.close()

    _take_call(desk, live_server, "13700000001")  # 李四, 3-1-101
    alert = desk.get_by_test_id("house-alert-incident")
    expect(alert).to_contain_text(incident.number)
    desk.locator("#id_description").fill("家里没电，问什么时候来电")
    desk.get_by_test_id("house-alert-link").click()
    expect(desk.get_by_role("alert").first).to_contain_text(incident.number)
    assert IncidentLink.objects.filter(incident=incident, house=neighbours["h101"]).exists()
    incident.refresh_from_db()
    assert incident.linked_count == 2

    boss = browser.new_page()
    _log_in(boss, live_server, "supervisor")
    boss.goto(f"{live_server.url}/community/incidents/{incident.id}/")
    boss.get_by_test_id("incident-close").click()
    boss.locator("#id_cause").fill("市政线路故障")
    boss.locator("#id_measures").fill("已协调电力公司抢修，启用备用电源")
    boss.locator("#id_prevention").fill("安装备用发电机")
    boss.get_by_role("button", name=re.compile("保存|Save")).click()
    expect(boss.get_by_test_id("incident-status")).to_have_text(re.compile("已关闭|Closed"))
    expect(boss.get_by_test_id("incident-closing")).to_contain_text("安装备用发电机")
    response = boss.request.get(f"{live_server.url}/community/incidents/{incident.id}/report.pdf")
    assert response.status == 200 and response.body().startswith(b"%PDF")
    boss.screenshot(path=str(_screenshots() / "incident-closed.png"), full_page=True)


def _screenshots():
    from pathlib import Path

    path = Path("test-results")
    path.mkdir(exist_ok=True)
    return path
