"""Browser journey of the message providers' settings: an administrator enters the company's
Aliyun SMS account (first with a broken template line, refused naming the field), sees the
secrets never shown again, then the WeChat service account, and the list says what is missing.
Screenshots in test-results/providers-*.png are read as a user would."""

import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

KEY_ID, KEY_SECRET, WECHAT_SECRET = "LTAI5tJourneyKey", "journey-secret-0001", "wx-secret-0002"
ENGLISH = re.compile(r"\b(the|and|is|not|provider|secret|template|saved|error)\b", re.I)


def _shot(page, name: str) -> None:
    path = Path("test-results")
    path.mkdir(exist_ok=True)
    page.screenshot(path=str(path / f"providers-{name}.png"), full_page=True)


def _sign_in(context, live_server, user):
    from django.test import Client

    client = Client()
    client.force_login(user)
    client.get("/notices/providers/")  # the first page of a process is slow on a busy machine
    context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )


def _visible_text(page) -> str:
    return page.locator("main, body").first.inner_text()


def test_an_administrator_configures_sms_and_wechat(browser, live_server, personas, company):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    page = context.new_page()
    page.set_default_timeout(90_000)
    _sign_in(context, live_server, personas["admin"])
    page.goto(f"{live_server.url}/notices/providers/")
    expect(page.get_by_test_id("provider-company").first).to_be_visible()
    _shot(page, "1-list")
    page.locator(f"a[href='/notices/providers/{company.id}/sms/']").first.click()
    page.locator("#id_provider").select_option("aliyun")
    page.locator("#id_access_key_id").fill(KEY_ID)
    page.locator("#id_access_key_secret").fill(KEY_SECRET)
    page.locator("#id_sign_name").fill("测试物业")
    page.locator("#id_templates").fill("这一行没有模板编号")
    page.locator("form button[type=submit]").first.click()
    page.wait_for_load_state()
    invalid = page.locator(".is-invalid, .invalid-feedback, [role=alert]")
    expect(invalid.first).to_be_visible()
    _shot(page, "2-invalid-template")
    expect(page.get_by_test_id("secret-retype")).to_be_visible()
    body = page.content()
    assert KEY_SECRET not in body and KEY_ID not in body  # never put back on the page
    # The secrets must be typed again after a refusal; the corrected line is saved.
    page.locator("#id_access_key_id").fill(KEY_ID)
    page.locator("#id_access_key_secret").fill(KEY_SECRET)
    page.locator("#id_templates").fill("* = SMS_100001: code=text")
    page.locator("form button[type=submit]").first.click()
    page.wait_for_load_state()
    expect(page.get_by_test_id("sms-gateway").first).to_be_visible()
    expect(page.get_by_text("可以发送").first).to_be_visible()
    _shot(page, "3-saved")
    assert KEY_SECRET not in page.content()
    page.locator(f"a[href='/notices/providers/{company.id}/sms/']").first.click()
    expect(page.get_by_test_id("secret-stored")).to_be_visible()
    assert page.locator("#id_access_key_secret").input_value() == ""
    assert KEY_SECRET not in page.content() and KEY_ID not in page.content()
    _shot(page, "4-secret-not-shown")
    text = _visible_text(page)
    for term in ("AccessKey ID", "AccessKey Secret", "SecretKey", "SecretId", "SDK AppID"):
        text = text.replace(term, "")  # the providers' own names of their keys
    assert not ENGLISH.search(text), ENGLISH.search(text)
    assert "支付机构" not in text  # an SMS account is not a payment institution

    page.goto(f"{live_server.url}/notices/providers/{company.id}/wechat/")
    page.locator("#id_app_id").fill("wx1234567890abcdef")
    page.locator("#id_app_secret").fill(WECHAT_SECRET)
    page.locator("form button[type=submit]").first.click()
    page.wait_for_load_state()
    _shot(page, "5-wechat-saved")
    assert WECHAT_SECRET not in page.content()
    # An account with no template registered is a clear error on the list.
    expect(page.get_by_test_id("wechat-problems").first).to_be_visible()
    page.goto(f"{live_server.url}/notices/providers/{company.id}/wechat/")
    expect(page.get_by_test_id("secret-stored")).to_be_visible()
    assert WECHAT_SECRET not in page.content()
