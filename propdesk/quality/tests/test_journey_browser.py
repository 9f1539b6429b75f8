"""Browser journey in headless Debian Chromium: 张三's call rings off unanswered (the telephone
system reports it); the agent calls him back from the queue, then takes a new call from him on
the call desk and records a repair request with it; the supervisor reads the answer rate
against its target on the figures page."""

import datetime
import json
import re

import pytest
from django.test import Client
from playwright.sync_api import expect

from propdesk.quality.models import Call, CallOutcome
from propdesk.quality.tests.conftest import NOW, event, signed

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def either(chinese: str, english: str):
    return re.compile(f"{chinese}|{english}")


def _log_in(page, live_server, username):
    page.context.clear_cookies()
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", "pw-" + username)
    page.click("button[type=submit]")
    expect(page.get_by_test_id("whoami")).to_be_attached()


def _telephone_system(payload):
    headers, body = signed(payload)
    response = Client().post(
        "/api/calls/events", data=body, content_type="application/json", **headers
    )
    assert response.status_code == 200, response.content


def test_a_missed_call_is_called_back_and_the_supervisor_reads_the_figures(
    page, live_server, personas, line_a, extension, zhang_san
):
    rang = NOW - datetime.timedelta(minutes=20)
    _telephone_system(event("PBX-1", "ring", rang))
    _telephone_system(
        event("PBX-1", "hangup", rang + datetime.timedelta(seconds=25), cause="caller")
    )
    missed = Call.objects.get()

    _log_in(page, live_server, "agent")
    page.goto(f"{live_server.url}/quality/callbacks/")
    row = page.get_by_test_id("callback-row")
    expect(row).to_have_count(1)
    expect(row).to_contain_text("138****5678")
    expect(row).to_contain_text("张三")
    row.get_by_test_id("call-back").click()
    page.get_by_test_id("reveal-number").click()
    expect(page.get_by_test_id("revealed-number")).to_have_text("13812345678")
    page.locator("#id_finish-outcome").select_option("on_the_spot")
    page.locator("#id_finish-note").fill("已回电，业主询问缴费时间")
    page.get_by_test_id("finish-call").click()
    expect(page.get_by_test_id("call-outcome")).to_contain_text(either("当场解答", "on the spot"))
    page.goto(f"{live_server.url}/quality/callbacks/")
    expect(page.get_by_test_id("callbacks-empty")).to_be_visible()
    missed.refresh_from_db()
    assert missed.called_back_by == personas["agent"]

    # 张三 rings again: the agent opens the call and records a repair request with it.
    page.goto(f"{live_server.url}/quality/calls/new/")
    page.locator("#id_number").fill("13812345678")
    page.get_by_test_id("start-call").click()
    expect(page.get_by_test_id("caller-card")).to_contain_text("3-2-1502")
    page.get_by_test_id("pick-house").first.click()
    page.get_by_test_id("tab-request").click()
    page.locator("#id_intake-kind").select_option("repair")
    page.locator("#id_intake-category").select_option("repair_water")
    page.locator("#id_intake-description").fill("厨房水管漏水，需要上门维修")
    page.get_by_test_id("save-request").click()
    expect(page.get_by_test_id("call-request")).to_be_visible()
    call = Call.objects.filter(direction="inbound", source="console").get()
    assert call.outcome == CallOutcome.REQUEST_CREATED
    assert call.request.house.code == "3-2-1502"
    page.screenshot(path="test-results/quality-call-desk.png", full_page=True)

    # The supervisor reads today's figures: 2 inbound calls, 1 answered, below the 98 % target.
    _log_in(page, live_server, "supervisor")
    page.goto(f"{live_server.url}/quality/calls/figures/")
    expect(page.get_by_test_id("answer-rate-chart").locator("canvas")).to_be_visible()
    today_row = page.get_by_test_id("figures-row").filter(has_text="2026-07-10")
    expect(today_row).to_contain_text("50.0")
    expect(today_row).to_contain_text("98")
    page.screenshot(path="test-results/quality-figures.png", full_page=True)
    assert json.loads(page.locator("#chart-data").inner_text())["target"] == 98.0
