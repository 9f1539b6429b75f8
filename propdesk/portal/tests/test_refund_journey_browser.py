"""Browser journey of an online refund: a supervisor finds the approved correction on the
online refunds page, confirms the refund (the payment it goes back through, the amount, the
reason), and follows it to the provider's answer. Screenshots in test-results/refund-*.png."""

import re
from pathlib import Path

import pytest
from django.test import Client
from playwright.sync_api import expect

from propdesk.billing.models import LedgerAdjustment
from propdesk.conftest import make_user
from propdesk.portal.models import ProviderRefund
from propdesk.portal.services.payments import payment_order_create
from propdesk.portal.services.provider_settings import credentials_save
from propdesk.portal.tests.conftest import post_notification

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
ENGLISH = re.compile(r"\b(the|and|refund|provider|pending|succeeded|failed|order)\b", re.I)


def _shot(page, name: str) -> None:
    path = Path("test-results")
    path.mkdir(exist_ok=True)
    page.screenshot(path=str(path / f"refund-{name}.png"), full_page=True)


def _sign_in(context, live_server, user):
    client = Client()
    client.force_login(user)
    context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )


def test_a_supervisor_refunds_a_correction_online(
    browser, live_server, world, wechat_server, settings
):
    wechat = wechat_server.reset()
    settings.PORTAL_WECHATPAY_API_BASE = wechat.base_url
    settings.PORTAL_PAYMENT_PROVIDER = "wechat"
    credentials_save(
        actor=world.personas["admin"],
        company_id=world.community.company_id,
        provider="wechat",
        values=wechat.credentials(),
    )
    order = payment_order_create(actor=world.zhang, house_id=world.house.pk, provider="wechat")
    assert post_notification(Client(), "wechat", wechat.pay(order.number)).status_code == 204
    correction = LedgerAdjustment.objects.create(
        community=world.community,
        house=world.house,
        kind=LedgerAdjustment.Kind.REFUND,
        amount_fen=2000,
        method="wechat",
        reason="多缴物业费退回",
        status="approved",
        requested_by=world.personas["cashier"],
        decided_by=make_user("supervisor_two", "supervisor", world.community),
    )
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    page = context.new_page()
    _sign_in(context, live_server, world.personas["supervisor"])
    page.goto(f"{live_server.url}/billing/")
    page.get_by_test_id("nav-refunds").click()
    expect(page.get_by_test_id(f"correction-{correction.pk}")).to_be_visible()
    _shot(page, "1-waiting")
    page.get_by_test_id(f"correction-{correction.pk}").get_by_test_id("refund-start").click()
    expect(page.get_by_test_id("refund-form")).to_be_visible()
    expect(page.locator("#refund-amount")).to_have_value("¥20.00")
    _shot(page, "2-confirm")
    text = page.locator("main").first.inner_text() if page.locator("main").count() else ""
    assert not ENGLISH.search(text), text
    page.locator("#refund-reason").fill("")
    page.on("dialog", lambda dialog: dialog.accept())
    page.get_by_test_id("refund-send").click()
    expect(page.locator("#refund-reason-error")).to_be_visible()
    _shot(page, "3-reason-missing")
    assert not ProviderRefund.objects.exists()
    page.locator("#refund-reason").fill("多缴物业费退回")
    page.get_by_test_id("refund-send").click()
    expect(page.get_by_test_id("order-summary")).to_be_visible()
    refund = ProviderRefund.objects.get()
    expect(page.get_by_test_id(f"refund-{refund.pk}").get_by_test_id("refund-status")).to_have_text(
        "已提交，等待支付渠道处理"
    )
    _shot(page, "4-sent")
    wechat.deliver(
        wechat.refund_notification(refund.number),
        f"{live_server.url}/api/portal/payments/callback/wechat",
    )
    page.reload()
    expect(page.get_by_test_id(f"refund-{refund.pk}").get_by_test_id("refund-status")).to_have_text(
        "已退款"
    )
    expect(page.get_by_test_id("refund-history")).to_contain_text("支付渠道已答复退款")
    _shot(page, "5-refunded")
    assert len(wechat.refunds) == 1
