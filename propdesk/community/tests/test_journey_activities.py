"""Browser journey in headless Debian Chromium on a phone-sized screen (390×844): 张三 finds the
Mid-Autumn party from the portal's home page, signs his house up when it is already nearly full
and is put on the waiting list; when 王五 cancels, 张三's place is confirmed."""

import re

import pytest
from playwright.sync_api import expect

from propdesk.community.models import ActivitySignup
from propdesk.community.services import activities as service
from propdesk.community.tests.conftest import at

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}


def _screenshots():
    from pathlib import Path

    path = Path("test-results")
    path.mkdir(exist_ok=True)
    return path


def test_an_owner_signs_up_on_the_phone_and_is_waitlisted_when_full(
    browser, live_server, agent, building_3, owner_a, neighbours
):
    festival = service.activity_create(
        actor=agent,
        community=building_3.community,
        kind="festival",
        title="中秋游园会",
        place="中心广场",
        starts_at=at("2026-07-15 18:00"),
        ends_at=at("2026-07-15 21:00"),
        capacity=3,
        max_party=3,
        building_ids=[building_3.id],
    )
    wang = service.signup_create(
        actor=neighbours["wang_wu"], activity=festival, house=neighbours["h102"], people=2
    )
    context = browser.new_context(viewport=PHONE)
    context.set_default_timeout(120_000)
    phone = context.new_page()
    phone.goto(f"{live_server.url}/accounts/login/")
    phone.fill("#id_username", "owner")
    phone.fill("#id_password", "pw-owner")
    phone.click("button[type=submit]")
    phone.wait_for_load_state()
    phone.goto(f"{live_server.url}/m/")
    phone.get_by_test_id("home-activities").click()
    activity = phone.get_by_test_id("activity").first
    expect(activity).to_contain_text("中秋游园会")
    expect(activity).to_contain_text("剩余1个名额")
    phone.screenshot(path=str(_screenshots() / "activities-phone.png"), full_page=True)
    activity.click()
    expect(phone.get_by_test_id("places-left")).to_contain_text("剩余1个")
    phone.locator("#id_people").fill("2")
    phone.get_by_test_id("signup").click()
    expect(phone.get_by_test_id("message")).to_contain_text("候补")
    expect(phone.get_by_test_id("my-signup")).to_contain_text("候补第1位")
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    phone.screenshot(path=str(_screenshots() / "activity-waitlisted-phone.png"), full_page=True)
    mine = ActivitySignup.objects.get(house=owner_a_house(owner_a))
    assert (mine.people, mine.status) == (2, "waitlisted")

    service.signup_cancel(actor=neighbours["wang_wu"], signup=wang)
    phone.reload()
    expect(phone.get_by_test_id("my-signup")).to_contain_text(re.compile("已确认名额"))
    mine.refresh_from_db()
    assert mine.status == "confirmed"
    phone.get_by_test_id("cancel-signup").wait_for()
    phone.screenshot(path=str(_screenshots() / "activity-confirmed-phone.png"), full_page=True)
    context.close()


def owner_a_house(owner_a):
    from propdesk.estates import owner_access

    return owner_access.house_ids(owner_a)[0]
