"""Browser journey in headless Debian Chromium: the front desk finds an owner and calls them."""

import pytest
from playwright.sync_api import expect

from propdesk.core.models import AccessLog

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def _log_in(page, live_server, username):
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", "pw-" + username)
    page.click("button[type=submit]")
    expect(page.get_by_test_id("whoami")).to_be_visible()


def test_agent_finds_zs_reveals_the_mobile_and_admin_sees_the_log(
    page, live_server, personas, zhang_san, house_a
):
    _log_in(page, live_server, "agent")
    page.goto(f"{live_server.url}/search/")
    page.get_by_test_id("search-box").fill("zs")
    results = page.get_by_test_id("search-results")
    expect(results).to_contain_text("张三")
    expect(results).to_contain_text("138****5678")

    results.get_by_role("link", name="3-2-1502").click()
    expect(page.get_by_test_id("house-code")).to_have_text("3-2-1502")
    owner_row = page.get_by_test_id("owner-row")
    expect(owner_row).to_contain_text("138****5678")
    expect(owner_row).not_to_contain_text("13812345678")

    owner_row.get_by_test_id("reveal-mobile").click()
    expect(owner_row).to_contain_text("13812345678")
    entry = AccessLog.objects.get()
    assert (entry.actor.username, entry.subject_repr, entry.field) == ("agent", "张三", "mobile")

    page.context.clear_cookies()
    _log_in(page, live_server, "admin")
    page.goto(f"{live_server.url}/access-log/")
    log = page.get_by_test_id("access-log")
    expect(log).to_contain_text("agent")
    expect(log).to_contain_text("张三")
    page.screenshot(path=str(live_server_screenshot_dir() / "access-log.png"))


def live_server_screenshot_dir():
    from pathlib import Path

    path = Path("test-results")
    path.mkdir(exist_ok=True)
    return path


def test_agent_changes_a_house_status_in_place(page, live_server, personas, zhang_san, house_a):
    _log_in(page, live_server, "agent")
    page.goto(f"{live_server.url}/houses/{house_a.id}/")
    page.get_by_test_id("change-status").click()
    form = page.locator("#inline-edit form")
    expect(form).to_be_visible()
    form.locator("select[name=status]").select_option("decorating")
    form.get_by_role("button", name="保存").click()
    expect(page.locator(".badge.text-bg-info")).to_have_text("装修中")
    house_a.refresh_from_db()
    assert house_a.status == "decorating"
