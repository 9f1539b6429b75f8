"""Browser journey in headless Debian Chromium: an agent applies for a release pass for 张三's
house and approves it; the gate guard, on a phone-sized screen (390×844), types the code, sees
the pass, records the goods leaving, and a second check of the same code is refused."""

import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from propdesk.custody.models import ReleasePass

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}


def either(chinese: str, english: str):
    """The text in Chinese once the lead compiles the translations, in English until then."""
    return re.compile(f"{chinese}|{english}")


def _log_in(page, live_server, username):
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", "pw-" + username)
    page.click("button[type=submit]")
    # On a phone the navigation (and the name in it) is folded behind the menu button.
    expect(page.get_by_test_id("whoami")).to_be_attached()


def _screenshots() -> Path:
    path = Path("test-results")
    path.mkdir(exist_ok=True)
    return path


def test_agent_issues_a_pass_and_the_guard_lets_the_goods_out_once(
    browser, page, live_server, personas, house_a, zhang_san
):
    # The agent, at the desk: find the house, apply for 张三, approve.
    _log_in(page, live_server, "agent")
    page.goto(f"{live_server.url}/custody/passes/")
    page.get_by_test_id("new-pass").click()
    page.locator("#house-code").fill("3-2-1502")
    page.get_by_test_id("find-house").click()
    page.locator("#id_applicant").select_option(f"owner:{zhang_san.id}")
    page.locator("#id_items").fill("双人床一张\n纸箱五个")
    page.locator("#id_vehicle_plate").fill("粤B12345")
    page.get_by_role("button", name="保存").or_(page.get_by_role("button", name="Save")).click()
    expect(page.get_by_test_id("pass-state")).to_contain_text(
        either("待审批", "Waiting for approval")
    )
    page.get_by_test_id("approve-pass").click()
    expect(page.get_by_test_id("pass-state")).to_contain_text(either("已批准", "Approved"))
    expect(page.get_by_test_id("pass-qr").locator("svg")).to_be_visible()
    code = page.get_by_test_id("pass-code").inner_text()
    assert code == ReleasePass.objects.get().display_code

    # The guard, on a phone at the gate: type the code, check, record the goods leaving.
    phone = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
    gate = phone.new_page()
    _log_in(gate, live_server, "guard")
    gate.goto(f"{live_server.url}/custody/gate/")
    gate.get_by_test_id("gate-code").fill(code.lower())
    gate.get_by_test_id("gate-check").click()
    expect(gate.get_by_test_id("gate-verdict")).to_contain_text(
        either("可以放行", "the goods may leave")
    )
    expect(gate.get_by_test_id("gate-pass")).to_contain_text("双人床一张")
    expect(gate.get_by_test_id("gate-pass")).to_contain_text("粤B12345")  # in full at the gate
    width = gate.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], "the gate page scrolls sideways on a phone"
    gate.screenshot(path=str(_screenshots() / "custody-gate-valid.png"))
    gate.get_by_test_id("gate-use").click()
    expect(gate.get_by_role("alert")).to_contain_text(either("已记录", "Recorded"))
    assert ReleasePass.objects.get().status == "used"

    # Single use: the same code checked again is refused, with no button to use it.
    gate.goto(f"{live_server.url}/custody/gate/")
    gate.get_by_test_id("gate-code").fill(code)
    gate.get_by_test_id("gate-check").click()
    expect(gate.get_by_test_id("gate-verdict")).to_contain_text(
        either("不得放行", "Do not let the goods leave")
    )
    expect(gate.get_by_test_id("gate-refusal")).to_contain_text(either("已使用", "already used"))
    expect(gate.get_by_test_id("gate-use")).to_have_count(0)
    gate.screenshot(path=str(_screenshots() / "custody-gate-used.png"))
    phone.close()
