"""Alipay against its loopback stand-in: page and wap pay (signed redirect with the expiry),
query, refund, the bill, and the asynchronous notification — recorded once with its receipt;
forged, stale, replayed, wrong-amount, other-order and other-app ones change nothing."""

import datetime
import json
import urllib.parse

import pytest
from django.test import Client

from propdesk.billing.models import Payment, Receipt
from propdesk.portal.models import PaymentOrder
from propdesk.portal.payments import ProviderError, provider_named
from propdesk.portal.payments.alipay import parse_trade_bill, response_object_text, sign_text
from propdesk.portal.services.payments import payment_order_check, payment_order_create
from propdesk.portal.tests.conftest import portal_client, post_notification

pytestmark = pytest.mark.django_db
SH = datetime.timezone(datetime.timedelta(hours=8))


def _order(world, channel="page"):
    return payment_order_create(
        actor=world.zhang, house_id=world.house.pk, provider="alipay", channel=channel
    )


def _open_cashier(alipay, order):
    """The owner's browser follows the signed redirect to Alipay's cashier."""
    response = portal_client(order.user).get(order.pay_url)
    assert response.status_code == 302
    location = response["Location"]
    assert location.startswith(alipay.gateway + "?")
    import requests

    page = requests.get(location, timeout=5)
    assert page.status_code == 200 and "支付宝收银台" in page.text, alipay.rejected
    return dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(location).query))


def _nothing_recorded(order):
    order.refresh_from_db()
    assert order.status == "pending" and order.payment_id is None
    assert not Payment.objects.exists() and not Receipt.objects.exists()


@pytest.mark.parametrize(
    ("channel", "product"), [("page", "FAST_INSTANT_TRADE_PAY"), ("wap", "QUICK_WAP_WAY")]
)
def test_the_pay_redirect_is_signed_and_carries_the_expiry(world, alipay, channel, product):
    order = _order(world, channel)
    params = _open_cashier(alipay, order)
    biz = json.loads(params["biz_content"])
    assert params["method"] == f"alipay.trade.{channel}.pay"
    assert biz["out_trade_no"] == order.number
    assert biz["total_amount"] == f"{order.amount_fen // 100}.{order.amount_fen % 100:02d}"
    assert biz["product_code"] == product
    assert biz["time_expire"] == order.expires_at.astimezone(SH).strftime("%Y-%m-%d %H:%M:%S")
    assert params["notify_url"] == "http://testserver/api/portal/payments/callback/alipay"
    assert alipay.rejected == []


def test_a_phone_browser_gets_the_wap_cashier(world, alipay):
    client = portal_client(world.zhang)
    client.post(
        "/m/bills/pay/",
        {"house": world.house.pk, "provider": "alipay"},
        HTTP_USER_AGENT="Mozilla/5.0 (Linux; Android 14) Mobile Safari",
    )
    assert PaymentOrder.objects.get().channel == "wap"


def test_the_notification_records_one_payment_however_often_it_comes(world, alipay):
    order = _order(world)
    _open_cashier(alipay, order)
    notification = alipay.pay(order.number)
    client = Client()
    for _attempt in range(2):
        response = post_notification(client, "alipay", notification)
        assert (response.status_code, response.content) == (200, b"success")
    assert post_notification(client, "alipay", alipay.notification(order.number)).content == (
        b"success"
    )
    order.refresh_from_db()
    payment = Payment.objects.get()
    assert (order.status, order.payment, payment.method) == ("paid", payment, "alipay")
    assert order.transaction_id == alipay.orders[order.number]["trade_no"]
    assert Receipt.objects.get().payment == payment


@pytest.mark.parametrize(
    "bad", ["forged", "stale", "wrong_amount", "other_order", "other_app", "unsigned", "replay"]
)
def test_a_bad_notification_changes_nothing(world, alipay, bad):
    order = _order(world)
    other = payment_order_create(actor=world.zhang, house_id=world.house.pk, provider="sandbox")
    _open_cashier(alipay, order)
    alipay.pay(order.number)
    now = datetime.datetime.now(SH)
    options = {
        "forged": {"forged": True},
        "stale": {"notify_time": now - datetime.timedelta(minutes=6)},
        "wrong_amount": {"amount": order.amount_fen + 1},
        "other_order": {"other_number": other.number},
        "other_app": {"app_id": "2021000000000999"},
        "unsigned": {},
        "replay": {"notify_id": "N-REPLAYED-0001"},
    }[bad]
    headers, body = alipay.notification(order.number, **options)
    if bad == "unsigned":
        body = b"&".join(p for p in body.split(b"&") if not p.startswith(b"sign="))
    if bad == "replay":
        from propdesk.portal.models import CallbackNonce

        CallbackNonce.objects.create(provider="alipay", nonce="N-REPLAYED-0001")
    response = post_notification(Client(), "alipay", (headers, body))
    assert response.status_code == 400
    _nothing_recorded(order)
    other.refresh_from_db()
    assert other.status == "pending"


@pytest.mark.parametrize(
    "body",
    [
        b"",
        b"sign=a&sign=b&sign_type=RSA2",
        b"\xff\xfe",
        b"a=%00&sign_type=RSA2&sign=x",
        b"<script>alert(1)</script>",
    ],
)
def test_hostile_bodies_are_a_clear_400(world, alipay, body):
    response = Client().post(
        "/api/portal/payments/callback/alipay",
        body,
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 400
    assert not Payment.objects.exists()


def test_query_finds_a_lost_notification_once(world, alipay):
    order = _order(world)
    _open_cashier(alipay, order)
    alipay.pay(order.number)  # the notification never arrives
    client = portal_client(world.zhang)
    client.post(f"/m/pay/alipay/{order.number}/")
    client.post(f"/m/pay/alipay/{order.number}/")
    order.refresh_from_db()
    assert order.status == "paid"
    assert Payment.objects.count() == Receipt.objects.count() == 1


def test_an_answer_not_signed_by_alipay_is_not_trusted(world, alipay):
    order = _order(world)
    _open_cashier(alipay, order)
    original = alipay.alipay_key
    from propdesk.portal.payments.standins import rsa_key

    alipay.alipay_key = rsa_key()
    try:
        with pytest.raises(ProviderError) as error:
            payment_order_check(order=order, actor=world.zhang)
    finally:
        alipay.alipay_key = original
    assert error.value.code == "provider_bad_signature"


def test_close_query_and_bill(world, alipay):
    provider = provider_named("alipay", world.community.company_id)
    assert provider.query_order(order_number="PO-UNKNOWN-1") is None
    order = _order(world)
    _open_cashier(alipay, order)
    provider.close_order(order_number=order.number)
    assert alipay.orders[order.number]["status"] == "TRADE_CLOSED"
    paid = _order(world)
    _open_cashier(alipay, paid)
    alipay.pay(paid.number)
    day = alipay.orders[paid.number]["paid_at"].date()
    [line] = provider.statement(day=day)
    assert (line.order_number, line.amount_fen) == (paid.number, paid.amount_fen)
    assert provider.statement(day=day - datetime.timedelta(days=1)) == []


def test_alipays_published_signing_rule():
    """Alipay's documentation: parameters sorted, `sign` left out, empty values left out,
    raw values joined with & — the example of the "自行实现签名" page."""
    params = {
        "app_id": "2014072300007148",
        "method": "alipay.mobile.public.menu.add",
        "charset": "GBK",
        "sign_type": "RSA2",
        "timestamp": "2014-07-24 03:07:50",
        "biz_content": '{"button":[{"actionParam":"ZFB_HFCZ","actionType":"out",'
        '"name":"话费充值"}]}',
        "sign": "ignored",
        "version": "1.0",
        "empty": "",
    }
    assert sign_text(params) == (
        'app_id=2014072300007148&biz_content={"button":[{"actionParam":"ZFB_HFCZ",'
        '"actionType":"out","name":"话费充值"}]}&charset=GBK&method=alipay.mobile.public.menu.add'
        "&sign_type=RSA2&timestamp=2014-07-24 03:07:50&version=1.0"
    )


def test_the_signed_text_of_an_answer_is_its_response_object_exactly():
    raw = (
        '{"alipay_trade_query_response":{"code":"10000","msg":"Success","buyer_logon_id":'
        '"159****5620","out_trade_no":"6823789339978248","total_amount":"88.88",'
        '"note":"a \\"quoted\\" } brace"},"sign":"ERITJKEIJKJHKKKKKKKHJEREEEEEEEEEEE"}'
    )
    text = response_object_text(raw, "alipay_trade_query_response")
    assert text.startswith('{"code":"10000"') and text.endswith('brace"}')


def test_the_bill_parser_reads_alipays_layout():
    text = (
        "#支付宝业务明细查询\n#账号：[20880000000000000156]\n"
        "支付宝交易号,商户订单号,业务类型,商品名称,创建时间,完成时间,门店编号,门店名称,操作员,终端号,"
        "对方账户,订单金额（元）,商家实收（元）,支付宝红包（元）,集分宝（元）,支付宝优惠（元）,"
        "商家优惠（元）,券核销金额（元）,券名称,商家红包消费金额（元）,卡消费金额（元）,"
        "退款批次号/请求号,服务费（元）,分润（元）,备注\n"
        "2026120622001400000000000001\t,PO20261206090000AB\t,交易,物业费,2026-12-06 09:00:00,"
        "2026-12-06 09:00:05,,,,,abc***@163.com,1280.50,1280.50,0.00,0.00,0.00,0.00,0.00,,0.00,"
        "0.00,,0.00,0.00,\n"
        "2026120622001400000000000001\t,PO20261206090000AB\t,退款,物业费,2026-12-06 10:00:00,"
        "2026-12-06 10:00:05,,,,,abc***@163.com,-10.00,-10.00,0.00,0.00,0.00,0.00,0.00,,0.00,"
        "0.00,RF1,0.00,0.00,\n"
        "#-----------------------------------------业务明细列表结束------------------------------------\n"
        "#交易合计：1笔，商家实收共1280.50元\n"
    )
    [line] = parse_trade_bill(text)
    assert (line.order_number, line.transaction_id, line.amount_fen) == (
        "PO20261206090000AB",
        "2026120622001400000000000001",
        128050,
    )


def test_another_owner_cannot_use_the_alipay_page(world, alipay):
    order = _order(world)
    client = portal_client(world.li)
    assert client.get(order.pay_url).status_code == 404
    assert client.post(order.pay_url).status_code == 404
