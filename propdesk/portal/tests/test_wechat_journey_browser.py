"""Browser journey at 390×844: 张三 pays the July bill with WeChat Pay (Native: the QR code on
the page), WeChat Pay's stand-in sends the notification twice over real HTTP, the page shows
the receipt — one payment, one receipt — and finance sees the day reconciled."""

from pathlib import Path

import pytest
from django.test import Client
from django.utils import timezone
from playwright.sync_api import expect

from propdesk.billing.models import Payment, Receipt
from propdesk.portal.models import PaymentOrder
from propdesk.portal.services.provider_settings import credentials_save
from propdesk.portal.services.reconciliation import payments_reconcile

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _shot(page, name: str) -> None:
    path = Path("test-results")
    path.mkdir(exist_ok=True)
    page.screenshot(path=str(path / f"wechat-{name}.png"), full_page=True)


def _sign_in(context, live_server, user):
    client = Client()
    client.force_login(user)
    context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )


def test_an_owner_pays_by_wechat_qr_code_and_finance_sees_the_day_reconciled(
    browser, live_server, world, wechat_server, settings
):
    wechat = wechat_server.reset()
    settings.PORTAL_PAYMENT_SANDBOX = False
    settings.PORTAL_PAYMENT_PROVIDER = "wechat"
    settings.PORTAL_WECHATPAY_API_BASE = wechat.base_url
    settings.PORTAL_PUBLIC_BASE_URL = live_server.url
    credentials_save(
        actor=world.personas["admin"],
        company_id=world.community.company_id,
        provider="wechat",
        values=wechat.credentials(),
    )
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN")
    page = context.new_page()
    _sign_in(context, live_server, world.zhang)

    page.goto(f"{live_server.url}/m/bills/")
    expect(page.get_by_test_id("unpaid-total").first).to_be_visible()
    _shot(page, "1-bills")
    page.get_by_test_id("pay").first.click()
    expect(page.get_by_test_id("wechat-qr")).to_be_visible()
    # Visible is not loaded: wait for the image's own load (or error) before reading its size.
    loaded = page.get_by_test_id("wechat-qr").evaluate(
        "img => img.complete ? img.naturalWidth : new Promise(done => {"
        " img.addEventListener('load', () => done(img.naturalWidth), {once: true});"
        " img.addEventListener('error', () => done(0), {once: true}); })"
    )
    assert loaded > 0  # the QR code was drawn here and served by the portal
    order = PaymentOrder.objects.get()
    expect(page.get_by_test_id("wechat-amount")).to_contain_text(str(order.amount))
    _shot(page, "2-qr-code")

    # The payer scans and pays; WeChat Pay notifies twice (a retry after a slow answer).
    notification = wechat.pay(order.number)
    notify_url = wechat.orders[order.number]["notify_url"]
    assert notify_url == f"{live_server.url}/api/portal/payments/callback/wechat"
    assert wechat.deliver(notification, notify_url) == 204
    assert wechat.deliver(notification, notify_url) == 204
    assert wechat.deliver(wechat.notification(order.number), notify_url) == 204

    # The page looks again by itself and shows the receipt.
    expect(page.get_by_test_id("order-status")).to_have_attribute(
        "data-status", "paid", timeout=15000
    )
    expect(page.get_by_test_id("download-receipt")).to_be_visible()
    _shot(page, "3-paid")
    assert Payment.objects.count() == 1 and Receipt.objects.count() == 1
    assert Payment.objects.get().method == "wechat"

    # The morning after: the worker reconciles; finance sees the day closed.
    payments_reconcile(day=timezone.localdate(order.paid_at))
    staff = browser.new_context(viewport={"width": 1280, "height": 800}, locale="zh-CN")
    finance = staff.new_page()
    _sign_in(staff, live_server, world.personas["cashier"])
    finance.goto(f"{live_server.url}/m/staff/payments/reconciliation/")
    expect(finance.get_by_test_id("day-status").first).to_have_text("已对平")
    _shot(finance, "4-reconciled")
    finance.locator("[data-testid=reconciliation-days] a").first.click()
    expect(finance.get_by_test_id("matched")).to_have_text("1")
    _shot(finance, "5-day")
    context.close()
    staff.close()
