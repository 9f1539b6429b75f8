"""Browser journey in headless Debian Chromium: a supervisor schedules a severe-weather warning
for the community from the console, the special-care resident's phone call appears under it and
is recorded; an owner visit with an opinion becomes a suggestion request, found in the request
list."""

import re

import pytest
from playwright.sync_api import expect

from propdesk.community.models import OwnerVisit, WeatherWarning
from propdesk.community.services import care
from propdesk.community.tests.test_journey_browser import _log_in, _screenshots

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_warning_calls_care_residents_and_a_visit_opinion_becomes_a_request(
    browser, live_server, staff, neighbours, building_3, admin
):
    care.care_resident_add(
        actor=admin,
        house=neighbours["h101"],
        name="王奶奶",
        mobile="13600000001",
        category="elderly_alone",
    )
    page = browser.new_page()
    _log_in(page, live_server, "supervisor")
    page.goto(f"{live_server.url}/community/")
    page.get_by_test_id("subnav-warnings").click()
    page.get_by_test_id("warning-new").click()
    page.get_by_label(building_3.community.name).check()
    page.locator("#id_title").fill("台风橙色预警")
    page.locator("#id_text").fill("请关好门窗，车辆移出地下车库")
    page.locator("#id_send_at").fill("2026-07-10T20:00")
    page.get_by_role("button", name=re.compile("保存|Save")).click()
    expect(page.get_by_role("alert").first).to_contain_text("电话")
    row = page.get_by_test_id("warning-row").first
    expect(row).to_contain_text("台风橙色预警")
    expect(page.get_by_test_id("warning-status").first).to_have_text(re.compile("待发送"))
    calls = page.get_by_test_id("warning-calls")
    expect(calls).to_contain_text("王奶奶")
    expect(calls).to_contain_text(neighbours["h101"].code)
    warning = WeatherWarning.objects.get()
    assert warning.care_calls == 1 and warning.status == "scheduled"
    calls.get_by_role("textbox").fill("已提醒，家人今晚陪同")
    calls.get_by_test_id("call-done").click()
    expect(page.get_by_test_id("warning-calls")).to_contain_text("已提醒，家人今晚陪同")
    page.screenshot(path=str(_screenshots() / "weather-warning.png"), full_page=True)

    page.get_by_test_id("subnav-owner-visits").click()
    page.get_by_test_id("tab-records").click()
    page.locator("#id_house_code").fill(neighbours["h102"].code)
    page.locator("#id_opinions").fill("希望小区增加快递柜")
    page.get_by_test_id("owner-visit-save").click()
    visit = OwnerVisit.objects.get()
    number = visit.request.number
    expect(page.get_by_role("alert").first).to_contain_text(number)
    expect(page.get_by_test_id("record-list")).to_contain_text("希望小区增加快递柜")
    page.screenshot(path=str(_screenshots() / "owner-visit.png"), full_page=True)
    page.get_by_test_id("visit-request").first.click()
    expect(page.locator("body")).to_contain_text("希望小区增加快递柜")
    page.goto(f"{live_server.url}/requests/?queue=all&kind=suggestion")
    expect(page.locator("body")).to_contain_text(number)
