"""Browser journey in headless Debian Chromium: a supervisor writes an announcement for one
building and publishes it; the owner in that building reads it on a phone-sized screen, finds
the copy in the inbox, and turns SMS off in the contact preferences."""

import re

import pytest
from playwright.sync_api import expect

from propdesk.core.models import OutboxMessage
from propdesk.notices.models import ContactPreference

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}


def _log_in(page, live_server, username):
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", "pw-" + username)
    page.click("button[type=submit]")
    page.wait_for_load_state()


def test_an_announcement_reaches_the_owner_of_the_building(
    browser, live_server, personas, building_a, owner_a, owner_a4
):
    staff = browser.new_page()
    _log_in(staff, live_server, "supervisor")
    expect(staff.get_by_test_id("whoami")).to_be_visible()
    staff.get_by_role("link", name="公告").or_(
        staff.get_by_role("link", name="Announcements")
    ).first.click()
    staff.get_by_test_id("new-announcement").click()
    staff.locator("#id_community").select_option(str(building_a.community_id))
    staff.locator("#id_buildings").select_option(str(building_a.id))
    staff.locator("#id_title").fill("3栋停水通知")
    staff.locator("#id_body").fill("7月10日9:00-17:00，3栋停水检修，请提前储水。")
    staff.get_by_role("button", name="保存").or_(staff.get_by_role("button", name="Save")).click()
    expect(staff.get_by_test_id("status")).to_have_text(re.compile("草稿|Draft"))
    staff.on("dialog", lambda dialog: dialog.accept())
    staff.get_by_test_id("publish-form").get_by_role("button").click()
    expect(staff.get_by_test_id("status")).to_have_text(re.compile("已发布|Published"))
    expect(staff.get_by_test_id("delivery")).to_be_visible()
    staff.screenshot(path=str(_screenshots() / "notices-published.png"))
    assert set(OutboxMessage.objects.values_list("recipient", flat=True)) == {
        "owner",
        "13812345678",
    }

    context = browser.new_context(viewport=PHONE)
    phone = context.new_page()
    _log_in(phone, live_server, "owner")
    phone.goto(f"{live_server.url}/m/notices/")
    notices = phone.get_by_test_id("notice-list")
    expect(notices).to_contain_text("3栋停水通知")
    expect(notices.locator('[data-read="0"]')).to_have_count(1)
    phone.screenshot(path=str(_screenshots() / "notices-list-phone.png"))
    notices.get_by_text("3栋停水通知").click()
    expect(phone.get_by_test_id("notice")).to_contain_text("请提前储水")
    phone.goto(f"{live_server.url}/m/notices/")
    expect(phone.get_by_test_id("notice-list").locator('[data-read="1"]')).to_have_count(1)

    phone.goto(f"{live_server.url}/m/inbox/")
    expect(phone.get_by_test_id("inbox")).to_contain_text("【公告】3栋停水通知")

    phone.goto(f"{live_server.url}/m/profile/")
    phone.locator("#id_sms_enabled").uncheck()
    phone.locator("#id_quiet_start").fill("21:30")
    phone.get_by_test_id("preferences").get_by_role("button").click()
    expect(phone.get_by_role("alert")).to_be_visible()
    phone.screenshot(path=str(_screenshots() / "notices-profile-phone.png"))
    pref = ContactPreference.objects.get(user=owner_a)
    assert (pref.sms_enabled, pref.quiet_start.strftime("%H:%M")) == (False, "21:30")
    context.close()


def _screenshots():
    from pathlib import Path

    path = Path("test-results")
    path.mkdir(exist_ok=True)
    return path
