"""Browser journey in headless Debian Chromium: an entrusted agent comes for the move-in of
3-2-1601. The agent at the desk checks the documents, goes through the ten steps (the fee gate
holds the payment step until the deposit is paid), inspects the house with the owner's agent —
the water supply fails and becomes a repair request — and archives the file: the house is
occupied."""

from pathlib import Path

import pytest
from playwright.sync_api import expect

from propdesk.frontdesk.tests.conftest import bill_fee, pay_all

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _log_in(page, live_server, username):
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", "pw-" + username)
    page.click("button[type=submit]")
    expect(page.get_by_test_id("whoami")).to_be_visible()


def _do_step(page, code):
    step = page.get_by_test_id(f"step-{code}")
    step.get_by_test_id("do-step").click()
    expect(page.get_by_test_id(f"step-{code}")).to_have_attribute("data-done", "1")


def test_an_entrusted_agent_moves_in_and_a_failed_item_becomes_a_repair_request(
    page, live_server, personas, agent, new_house, li_si, wang_wu
):
    page.on("dialog", lambda dialog: dialog.accept())
    _log_in(page, live_server, "agent")
    page.get_by_role("link", name="前台业务").or_(
        page.get_by_role("link", name="Front desk")
    ).click()
    page.get_by_test_id("move-in-new").click()
    page.locator("#id_code").fill("3-2-1601")
    page.get_by_test_id("find-house-submit").click()
    expect(page.get_by_test_id("house-code")).to_have_text("3-2-1601")
    page.locator("input[name=applicant_kind][value=agent]").check()
    page.locator("#id_agent").select_option(str(wang_wu.id))
    page.get_by_test_id("move-in-start").click()

    expect(page.get_by_test_id("move-in-status")).to_have_attribute("data-status", "in_progress")
    expect(page.get_by_test_id("document-power_of_attorney")).to_be_visible()
    for code in [
        "id_card",
        "delivery_notice",
        "purchase_invoice",
        "price_settlement",
        "principal_id",
        "power_of_attorney",
    ]:
        page.get_by_test_id(f"tick-document-{code}").click()
        expect(page.get_by_test_id(f"document-{code}")).to_have_attribute("data-checked", "1")
    for code in ["verify", "settle_price", "hand_out_materials", "fill_forms"]:
        _do_step(page, code)
    for code in [
        "household_card",
        "contract_copy",
        "move_in_notice",
        "service_agreement",
        "fee_notice",
        "id_copies_photos",
    ]:
        page.get_by_test_id(f"tick-form-{code}").click()
        expect(page.get_by_test_id(f"form-{code}")).to_have_attribute("data-checked", "1")
    _do_step(page, "collect_forms")

    # The fee gate: the shared-utility deposit is billed and unpaid, so payment cannot be ticked.
    bill_fee(agent, new_house)
    page.get_by_test_id("step-pay_fees").get_by_test_id("do-step").click()
    expect(page.get_by_role("alert")).to_contain_text("500.00")
    expect(page.get_by_test_id("step-pay_fees")).to_have_attribute("data-done", "0")
    pay_all(new_house)
    _do_step(page, "pay_fees")
    _do_step(page, "keys_handover")

    page.get_by_test_id("start-inspection").click()
    page.get_by_test_id("inspection-start").click()
    expect(page.get_by_test_id("inspection-status")).to_have_attribute("data-status", "open")
    rows = page.get_by_test_id("results").locator("tbody tr")
    count = rows.count()
    assert count == 7
    for position in range(1, count + 1):
        if position == 3:  # 给水、排水
            page.get_by_test_id(f"fail-{position}").check()
            page.get_by_test_id(f"note-{position}").fill("厨房水龙头漏水")
        page.get_by_test_id(f"save-{position}").click()
        expected = "fail" if position == 3 else "pass"
        expect(page.get_by_test_id(f"result-{position}")).to_have_attribute(
            "data-outcome", expected
        )
    page.get_by_test_id("inspection-submit").click()
    expect(page.get_by_test_id("inspection-status")).to_have_attribute("data-status", "defects")
    repair = page.get_by_test_id("result-3").get_by_test_id("repair-request")
    expect(repair).to_be_visible()
    request_number = repair.inner_text()

    page.get_by_test_id("back-to-move-in").click()
    for code in ["inspection", "sign_inspection", "archive"]:
        _do_step(page, code)
    expect(page.get_by_test_id("move-in-status")).to_have_attribute("data-status", "completed")
    new_house.refresh_from_db()
    assert new_house.status == "occupied"
    page.screenshot(path=str(_screenshots() / "frontdesk-move-in.png"), full_page=True)

    page.get_by_test_id("move-in-inspection").click()
    page.get_by_test_id("result-3").get_by_test_id("repair-request").click()
    expect(page.get_by_test_id("request-number")).to_have_text(request_number)
    expect(page.get_by_test_id("request-description")).to_contain_text("厨房水龙头漏水")


def _screenshots() -> Path:
    path = Path("test-results")
    path.mkdir(exist_ok=True)
    return path
