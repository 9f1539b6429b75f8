"""WeChat Pay API v3 against its loopback stand-in: orders (Native QR code, H5), the expiry sent
as time_expire, query and close, signed answers, and the notifications — a good one recorded
once with its receipt, however often it comes; forged, stale, replayed, wrong-amount,
other-order and other-merchant ones change nothing."""

import datetime
import json
import time

import pytest
from django.test import Client

from propdesk.billing.models import Payment, Receipt
from propdesk.estates.models import Community, Company
from propdesk.portal.models import CallbackNonce, PaymentOrder
from propdesk.portal.payments import CallbackRejected, ProviderError, provider_named
from propdesk.portal.payments.wechat import expire_text, parse_trade_bill
from propdesk.portal.services.payments import (
    payment_callback_handle,
    payment_order_check,
    payment_order_create,
)
from propdesk.portal.tests.conftest import portal_client, post_notification

pytestmark = pytest.mark.django_db


def _order(world, **options):
    return payment_order_create(
        actor=world.zhang, house_id=world.house.pk, provider="wechat", **options
    )


def _nothing_recorded(order):
    order.refresh_from_db()
    assert order.status == "pending" and order.payment_id is None
    assert not Payment.objects.exists() and not Receipt.objects.exists()


def test_a_native_order_sends_the_expiry_and_shows_a_qr_code(world, wechat):
    order = _order(world)
    assert (order.provider, order.channel, order.status) == ("wechat", "native", "pending")
    assert order.pay_code.startswith("weixin://wxpay/bizpayurl?pr=")
    assert order.pay_url == f"/m/pay/wechat/{order.number}/"
    sent = json.loads(wechat.requests[-1]["body"])
    assert sent["out_trade_no"] == order.number
    assert sent["amount"] == {"total": order.amount_fen, "currency": "CNY"}
    assert sent["time_expire"] == expire_text(order.expires_at)
    assert sent["time_expire"].endswith("+08:00")
    assert sent["notify_url"] == "http://testserver/api/portal/payments/callback/wechat"
    assert wechat.rejected == []  # the stand-in verified our signature
    client = portal_client(world.zhang)
    page = client.get(order.pay_url)
    assert page.status_code == 200
    assert (
        "微信支付" in page.content.decode() and 'data-testid="wechat-qr"' in page.content.decode()
    )
    qr = client.get(f"/m/pay/wechat/{order.number}/qr.svg")
    assert qr.status_code == 200 and qr["Content-Type"] == "image/svg+xml"
    assert qr.content.lstrip().startswith(b"<svg")


def test_an_h5_order_sends_the_client_ip_and_goes_to_wechat(world, wechat):
    order = _order(world, channel="h5", client_ip="203.0.113.9", return_url="http://testserver/m/")
    sent = json.loads(wechat.requests[-1]["body"])
    assert sent["scene_info"] == {"payer_client_ip": "203.0.113.9", "h5_info": {"type": "Wap"}}
    assert order.channel == "h5"
    assert order.pay_url.startswith(f"{wechat.base_url}/h5pay?prepay_id=")
    assert "redirect_url=http%3A%2F%2Ftestserver%2Fm%2F" in order.pay_url


def test_a_phone_browser_pays_by_h5_and_a_computer_by_qr_code(world, wechat):
    client = portal_client(world.zhang)
    phone = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) Mobile/15E148"
    response = client.post(
        "/m/bills/pay/", {"house": world.house.pk, "provider": "wechat"}, HTTP_USER_AGENT=phone
    )
    assert response.status_code == 302 and "/h5pay?prepay_id=" in response["Location"]
    PaymentOrder.objects.all().delete()
    response = client.post("/m/bills/pay/", {"house": world.house.pk, "provider": "wechat"})
    order = PaymentOrder.objects.get()
    assert (response["Location"], order.channel) == (f"/m/pay/wechat/{order.number}/", "native")


def test_the_notification_records_one_payment_with_its_receipt_however_often_it_comes(
    world, wechat
):
    order = _order(world)
    notification = wechat.pay(order.number)
    client = Client()
    first = post_notification(client, "wechat", notification)
    assert first.status_code == 204
    again = post_notification(client, "wechat", notification)  # the same one, delivered twice
    assert again.status_code == 204
    retry = post_notification(client, "wechat", wechat.notification(order.number))  # new nonce
    assert retry.status_code == 204
    order.refresh_from_db()
    payment = Payment.objects.get()
    assert order.status == "paid" and order.payment == payment
    assert order.transaction_id == wechat.orders[order.number]["transaction_id"]
    assert (payment.method, payment.amount_fen, payment.reference) == (
        "wechat",
        order.amount_fen,
        order.transaction_id,
    )
    assert Receipt.objects.get().payment == payment


@pytest.mark.parametrize(
    "bad",
    ["forged", "stale", "future", "wrong_amount", "other_order", "other_merchant", "wrong_key"],
)
def test_a_bad_notification_changes_nothing(world, wechat, bad):
    order = _order(world)
    other = payment_order_create(actor=world.zhang, house_id=world.house.pk, provider="sandbox")
    wechat.pay(order.number)
    options = {
        "forged": {"forged": True},
        "stale": {"timestamp": int(time.time()) - 301},
        "future": {"timestamp": int(time.time()) + 301},
        "wrong_amount": {"amount": order.amount_fen - 1},
        "other_order": {"other_number": other.number},
        "other_merchant": {"mchid": "1900000001"},
        "wrong_key": {"key": "0" * 32},
    }[bad]
    response = post_notification(Client(), "wechat", wechat.notification(order.number, **options))
    assert response.status_code == 400
    _nothing_recorded(order)
    other.refresh_from_db()
    assert other.status == "pending"


def test_a_replayed_notification_with_a_new_transaction_is_refused(world, wechat):
    order = _order(world)
    notification = wechat.pay(order.number)
    headers, body = notification
    # Replayed (same nonce) before the first was recorded: the nonce is spent.
    CallbackNonce.objects.create(provider="wechat", nonce=headers["Wechatpay-Nonce"])
    assert post_notification(Client(), "wechat", notification).status_code == 400
    _nothing_recorded(order)


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"Wechatpay-Serial": "ABC", "Wechatpay-Timestamp": "x", "Wechatpay-Nonce": "n"},
        {
            "Wechatpay-Serial": "\x00",
            "Wechatpay-Timestamp": "1",
            "Wechatpay-Nonce": "n",
            "Wechatpay-Signature": "<script>",
        },
    ],
)
def test_an_unsigned_or_hostile_notification_is_a_clear_400(world, wechat, headers):
    order = _order(world)
    response = Client().post(
        "/api/portal/payments/callback/wechat",
        b'{"id": "\' OR 1=1 --"}',
        content_type="application/json",
        **{"HTTP_" + k.upper().replace("-", "_"): v for k, v in headers.items()},
    )
    assert response.status_code == 400
    assert response.json()["code"] in ("unsigned", "bad_signature", "bad_characters")
    _nothing_recorded(order)


def test_a_body_that_is_not_json_or_not_a_transaction_is_refused(world, wechat):
    order = _order(world)
    headers, _body = wechat.pay(order.number)
    for body in (b"not json", b"[]", b'{"event_type": "TRANSACTION.SUCCESS"}', b"x" * 5000):
        with pytest.raises(CallbackRejected):
            # re-signed by the platform key: only the content is wrong
            stamp, nonce = headers["Wechatpay-Timestamp"], f"n{len(body)}{body[:3].hex()}"
            from propdesk.portal.payments.standins.wechat import _sign

            signed = {
                **headers,
                "Wechatpay-Nonce": nonce,
                "Wechatpay-Signature": _sign(
                    wechat.platform_key, f"{stamp}\n{nonce}\n".encode() + body + b"\n"
                ),
            }
            payment_callback_handle(provider_name="wechat", headers=signed, body=body)
    _nothing_recorded(order)


def test_a_notification_of_another_company_never_pays_its_order(world, wechat):
    """The other company's community has its own merchant account: a notification signed for
    this company's account cannot pay an order of the other company."""
    other_company = Company.objects.create(name="另一家物业")
    Community.objects.filter(pk=world.community_b.pk).update(company=other_company)
    order_b = payment_order_create(actor=world.li, house_id=world.house_b.pk, provider="sandbox")
    PaymentOrder.objects.filter(pk=order_b.pk).update(provider="wechat")
    mine = _order(world)
    wechat.pay(mine.number)
    wechat.orders[order_b.number] = {**wechat.orders[mine.number], "out_trade_no": order_b.number}
    response = post_notification(Client(), "wechat", wechat.notification(order_b.number))
    assert (response.status_code, response.json()["code"]) == (400, "unknown_order")
    order_b.refresh_from_db()
    assert order_b.status == "pending" and not Payment.objects.exists()
    # … and the other company is offered no WeChat Pay at all.
    assert provider_named("wechat", other_company.pk) is None


def test_i_have_paid_asks_wechat_pay_and_records_the_payment_once(world, wechat):
    order = _order(world)
    client = portal_client(world.zhang)
    response = client.post(order.pay_url, follow=True)
    assert "微信支付尚未收到款项" in response.content.decode()
    order.refresh_from_db()
    assert order.status == "pending"
    wechat.pay(order.number)  # paid; the notification is lost
    response = client.post(order.pay_url)
    assert response["Location"] == f"/m/bills/orders/{order.pk}/"
    client.post(order.pay_url)
    order.refresh_from_db()
    assert order.status == "paid"
    assert Payment.objects.count() == Receipt.objects.count() == 1
    query = [r for r in wechat.requests if r["method"] == "GET"][-1]
    assert query["path"].startswith(f"/v3/pay/transactions/out-trade-no/{order.number}?mchid=")


def test_a_query_answer_with_another_amount_records_nothing(world, wechat):
    order = _order(world)
    wechat.pay(order.number)
    wechat.orders[order.number]["total"] = order.amount_fen + 100
    with pytest.raises(CallbackRejected):
        payment_order_check(order=order, actor=world.zhang)
    _nothing_recorded(order)


def test_an_answer_not_signed_by_wechat_pay_is_not_trusted(world, wechat):
    original = wechat.platform_key
    from propdesk.portal.payments.standins import rsa_key

    wechat.platform_key = rsa_key()
    try:
        with pytest.raises(ProviderError) as error:
            _order(world)
    finally:
        wechat.platform_key = original
    assert error.value.code == "provider_bad_signature"
    assert not PaymentOrder.objects.exists()


def test_a_provider_error_is_a_clear_message_and_no_order(world, wechat):
    wechat.fail_next.append((500, {"code": "SYSTEM_ERROR", "message": "系统错误"}))
    client = portal_client(world.zhang)
    response = client.post("/m/bills/pay/", {"house": world.house.pk, "provider": "wechat"})
    assert response.status_code == 302 and response["Location"] == "/m/bills/"
    page = client.get("/m/bills/").content.decode()
    assert "SYSTEM_ERROR" in page and "微信支付" in page
    assert not PaymentOrder.objects.exists()


def test_an_unreachable_wechat_pay_is_a_clear_message(world, wechat, settings):
    settings.PORTAL_WECHATPAY_API_BASE = "http://127.0.0.1:8149"  # nothing listens there
    with pytest.raises(ProviderError) as error:
        _order(world)
    assert error.value.code == "provider_unreachable"
    assert not PaymentOrder.objects.exists()


def test_close_and_query(world, wechat):
    order = _order(world)
    provider = provider_named("wechat", world.community.company_id)
    trade = provider.query_order(order_number=order.number)
    assert (trade.paid, trade.state, trade.amount_fen) == (False, "NOTPAY", order.amount_fen)
    provider.close_order(order_number=order.number)
    assert wechat.orders[order.number]["trade_state"] == "CLOSED"
    assert provider.query_order(order_number="PO000000UNKNOWN") is None


def test_the_trade_bill_is_read_as_wechat_pay_writes_it(world, wechat):
    order = _order(world)
    wechat.pay(order.number)
    day = wechat.orders[order.number]["success_time"].date()
    provider = provider_named("wechat", world.community.company_id)
    [line] = provider.statement(day=day)
    assert (line.order_number, line.amount_fen, line.paid) == (
        order.number,
        order.amount_fen,
        True,
    )
    assert provider.statement(day=day - datetime.timedelta(days=1)) == []


def test_the_bill_parser_reads_wechat_pays_published_layout():
    text = (
        "交易时间,公众账号ID,商户号,特约商户号,设备号,微信订单号,商户订单号,用户标识,交易类型,"
        "交易状态,付款银行,货币种类,应结订单总金额,代金券金额,微信退款单号,商户退款单号,退款金额,"
        "充值券退款金额,退款类型,退款状态,商品名称,商户数据包,手续费,费率,订单金额,申请退款金额,费率备注\n"
        "`2026-12-06 09:00:01,`wx2421b1c4370ec43b,`10000100,`0,`,`4200000001202612060001,"
        "`PO20261206090000AB,`oUpF8uMuAJO_M2pxb1Q9zNjWeS6o,`NATIVE,`SUCCESS,`OTHERS,`CNY,"
        "`1280.50,`0.00,`0,`0,`0.00,`0.00,`,`,`物业费,`,`7.68000,`0.60%,`1280.50,`0.00,`\n"
        "`2026-12-06 09:10:01,`wx2421b1c4370ec43b,`10000100,`0,`,`4200000001202612060002,"
        "`PO20261206091000CD,`oUpF8uMuAJO_M2pxb1Q9zNjWeS6o,`NATIVE,`REFUND,`OTHERS,`CNY,"
        "`0.00,`0.00,`50300,`RF1,`10.00,`0.00,`ORIGINAL,`SUCCESS,`物业费,`,`0.00000,`0.60%,"
        "`10.00,`10.00,`\n"
        "总交易单数,应结订单总金额,退款总金额,充值券退款总金额,手续费总金额,订单总金额,申请退款总金额\n"
        "`2,`1280.50,`10.00,`0.00,`7.68000,`1290.50,`10.00\n"
    )
    [line] = parse_trade_bill(text)
    assert (line.order_number, line.transaction_id, line.amount_fen) == (
        "PO20261206090000AB",
        "4200000001202612060001",
        128050,
    )


@pytest.mark.parametrize("role", ["agent", "cashier", "supervisor", "admin"])
def test_staff_cannot_open_an_owners_wechat_pay_page(world, wechat, role):
    order = _order(world)
    client = Client()
    client.force_login(world.personas[role])
    assert client.get(order.pay_url).status_code == 302  # to the portal's sign-in
    assert client.get(f"/m/pay/wechat/{order.number}/qr.svg").status_code == 302


def test_another_owner_gets_404_on_the_pay_page_and_its_qr_code(world, wechat):
    order = _order(world)
    client = portal_client(world.li)
    assert client.get(order.pay_url).status_code == 404
    assert client.get(f"/m/pay/wechat/{order.number}/qr.svg").status_code == 404
    assert client.post(order.pay_url).status_code == 404
    assert client.get("/m/pay/wechat/%00/").status_code in (400, 404)
    assert client.get("/m/pay/wechat/PO'%20OR%201=1/").status_code == 404


WECHAT_BROWSER = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0) Mobile/15E148 MicroMessenger/8.0.50"


def test_inside_wechat_a_linked_owner_pays_with_jsapi_and_their_openid(world, wechat):
    import base64

    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import padding

    from propdesk.notices.models import WechatLink

    WechatLink.objects.create(user=world.zhang, app_id=wechat.appid, openid="oUpF8uMuAJO_M2pxb1Q9")
    client = portal_client(world.zhang)
    response = client.post(
        "/m/bills/pay/",
        {"house": world.house.pk, "provider": "wechat"},
        HTTP_USER_AGENT=WECHAT_BROWSER,
    )
    order = PaymentOrder.objects.get()
    assert response["Location"] == order.pay_url and order.channel == "jsapi"
    sent = json.loads(wechat.requests[-1]["body"])
    assert sent["payer"] == {"openid": "oUpF8uMuAJO_M2pxb1Q9"}
    assert wechat.requests[-1]["path"] == "/v3/pay/transactions/jsapi"
    page = client.get(order.pay_url).content.decode()
    assert 'data-testid="wechat-jsapi"' in page and "wechat-pay.js" in page
    import html
    import re

    params = json.loads(html.unescape(re.search(r'data-wechat-jsapi="([^"]+)"', page).group(1)))
    assert params["package"] == f"prepay_id={order.pay_code}" and params["signType"] == "RSA"
    message = (
        f"{params['appId']}\n{params['timeStamp']}\n{params['nonceStr']}\n{params['package']}\n"
    )
    wechat.merchant_key.public_key().verify(  # what WeChat checks before showing its sheet
        base64.b64decode(params["paySign"]), message.encode(), padding.PKCS1v15(), hashes.SHA256()
    )
    assert client.get(f"/m/pay/wechat/{order.number}/qr.svg").status_code == 404


def test_inside_wechat_an_owner_without_a_linked_openid_gets_the_qr_code(world, wechat):
    client = portal_client(world.zhang)
    client.post(
        "/m/bills/pay/",
        {"house": world.house.pk, "provider": "wechat"},
        HTTP_USER_AGENT=WECHAT_BROWSER,
    )
    assert PaymentOrder.objects.get().channel == "native"
