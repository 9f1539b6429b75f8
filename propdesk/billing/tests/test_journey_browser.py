"""Browser journey in headless Debian Chromium: a cashier finds a house, pays two bills by
WeChat, downloads the receipt PDF (its text carries the amount in capital figures) and sees the
payment in the daily cash-up."""

import datetime
import subprocess

import pytest
import time_machine
from playwright.sync_api import expect

from propdesk.billing.tests.conftest import NOW, run_billing

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def clock():
    """The billing tests' clock, ticking: the browser and the live server need time to pass."""
    with time_machine.travel(NOW, tick=True) as traveller:
        yield traveller


def _log_in(page, live_server, username):
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", "pw-" + username)
    page.click("button[type=submit]")
    expect(page.get_by_test_id("whoami")).to_be_visible()


def test_cashier_takes_a_wechat_payment_for_two_bills_and_cashes_up(
    page, live_server, personas, admin, house_a, zhang_san, schedule_a, tmp_path
):
    run_billing(admin, datetime.date(2026, 6, 1), community=schedule_a)
    run_billing(admin, datetime.date(2026, 7, 1), community=schedule_a)
    _log_in(page, live_server, "cashier")
    assert page.url == f"{live_server.url}/billing/"  # the cashier's home is the desk
    page.get_by_test_id("desk-search").fill("3-2-1502")
    page.get_by_test_id("desk-search").press("Enter")
    expect(page.get_by_test_id("desk-results")).to_contain_text("张三")
    page.get_by_test_id("desk-results").get_by_role("link", name="3-2-1502").click()
    expect(page.get_by_test_id("desk-house-code")).to_have_text("3-2-1502")
    expect(page.get_by_test_id("dues-outstanding")).to_contain_text("340.10")

    checks = page.get_by_test_id("bill-check")
    expect(checks).to_have_count(2)
    # Ticking bills shows what they come to and fills the amount with it.
    checks.nth(0).check()
    expect(page.get_by_test_id("ticked-total")).to_have_text("¥170.05")
    expect(page.locator("#id_amount")).to_have_value("170.05")
    checks.nth(1).check()
    expect(page.get_by_test_id("ticked-total")).to_have_text("¥340.10")
    expect(page.locator("#id_amount")).to_have_value("340.10")
    page.locator("#id_method").select_option("wechat")
    page.locator("#id_payer_name").fill("张三")
    page.get_by_test_id("pay-button").click()

    expect(page.get_by_test_id("payment-done")).to_be_visible()
    number = page.get_by_test_id("receipt-number").inner_text()
    assert number == "2026-000001"
    with page.expect_download() as download_info:
        page.get_by_test_id("receipt-download").click()
    pdf = tmp_path / "receipt.pdf"
    download_info.value.save_as(pdf)
    text = subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], capture_output=True, check=True
    ).stdout.decode()
    assert "人民币叁佰肆拾元壹角" in text  # 340.10 in capital figures
    assert number in text and "3-2-1502" in text

    page.goto(f"{live_server.url}/billing/cash/")
    expect(page.get_by_test_id("cash-total")).to_have_text("¥340.10")
    summary = page.get_by_test_id("cash-summary")
    expect(summary).to_contain_text("cashier")
    expect(page.get_by_test_id("cash-payments")).to_contain_text(number)
    page.screenshot(path=str(_screenshots() / "billing-cash-up.png"))


def _screenshots():
    from pathlib import Path

    path = Path("test-results")
    path.mkdir(exist_ok=True)
    return path
