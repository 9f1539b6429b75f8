"""Daily reconciliation (对账) against the stand-ins' statements: matched lines; a lost
notification found, checked with the provider and recorded once with its receipt; missing
there and amount differences resolved by finance; a day closed only when nothing is left."""

import datetime

import pytest
from django.core.management import call_command
from django.test import Client

from propdesk.billing.models import Payment, Receipt
from propdesk.portal.models import PaymentOrder, ReconciliationDay, ReconciliationItem
from propdesk.portal.services.payments import payment_order_create
from propdesk.portal.services.reconciliation import (
    payments_reconcile,
    reconciliation_resolve,
)
from propdesk.portal.tests.conftest import NOW, portal_client, post_notification

pytestmark = pytest.mark.django_db
DAY = NOW.date()
LIST = "/m/staff/payments/reconciliation/"


def _paid_order(world, wechat, *, notify=True):
    order = payment_order_create(actor=world.zhang, house_id=world.house.pk, provider="wechat")
    notification = wechat.pay(order.number)
    if notify:
        assert post_notification(Client(), "wechat", notification).status_code == 204
    return order


def _staff(world, role):
    client = Client()
    client.force_login(world.personas[role])
    return client


def test_a_day_that_matches_is_closed(world, wechat):
    order = _paid_order(world, wechat)
    [row] = payments_reconcile(day=DAY)
    assert (row.provider, row.status, row.matched) == ("wechat", "closed", 1)
    assert row.provider_total_fen == row.our_total_fen == order.amount_fen
    assert not row.items.exists()
    page = _staff(world, "cashier").get(LIST).content.decode()
    assert "已对平" in page


def test_a_lost_notification_is_recorded_once_with_its_receipt(world, wechat):
    order = _paid_order(world, wechat, notify=False)
    assert not Payment.objects.exists()
    [row] = payments_reconcile(day=DAY)
    order.refresh_from_db()
    assert order.status == "paid" and order.transaction_id
    payment = Payment.objects.get()
    assert Receipt.objects.get().payment == payment and order.payment == payment
    item = row.items.get()
    assert (item.kind, item.resolution) == ("missing_here", "recorded")
    assert row.status == "closed"
    # The notification arrives late, and the worker runs again: still one payment.
    post_notification(Client(), "wechat", wechat.notification(order.number))
    payments_reconcile(day=DAY)
    call_command("reconcile_payments", day=DAY.isoformat())
    assert Payment.objects.count() == Receipt.objects.count() == 1
    assert ReconciliationDay.objects.count() == 1


def test_differences_stay_open_until_finance_resolves_each(world, wechat):
    lost = _paid_order(world, wechat, notify=False)
    recorded = _paid_order(world, wechat)
    wechat.fail_next.append((500, {"code": "SYSTEM_ERROR", "message": "系统错误"}))
    # Recorded here but (say) paid by another merchant account: not in this statement.
    del wechat.orders[recorded.number]
    wechat.orders[lost.number]["total"] += 1  # the statement says 0.01 more than the order
    [row] = payments_reconcile(day=DAY)
    assert row.status == "failed"  # the first try met the provider's error
    [row] = payments_reconcile(day=DAY)
    kinds = dict(row.items.values_list("order_number", "kind"))
    assert kinds == {lost.number: "missing_here", recorded.number: "missing_there"}
    assert row.status == "open"
    lost_item = row.items.get(kind="missing_here")
    assert lost_item.resolution == ""  # the provider's amount differs: not recorded
    assert not Payment.objects.filter(reference=wechat.orders[lost.number]["transaction_id"])
    client = _staff(world, "cashier")
    page = client.get(f"{LIST}{row.pk}/").content.decode()
    assert "渠道已收款，本系统无记录" in page and "本系统有记录，对账单中没有" in page
    # A note too short, a NUL, an unknown action: clear errors, nothing resolved.
    for data in (
        {"action": "explain", "note": "ok"},
        {"action": "explain", "note": "a\x00bcdef"},
        {"action": "delete", "note": "whatever"},
    ):
        response = client.post(f"{LIST}{row.pk}/", {"item": lost_item.pk, **data})
        assert response.status_code == 400
    assert not ReconciliationItem.objects.exclude(resolution="").exists()
    # The provider's answer differs from the order: nothing is recorded, the page says why.
    response = client.post(f"{LIST}{row.pk}/", {"item": lost_item.pk, "action": "record"})
    assert response.status_code == 400 and 'role="alert"' in response.content.decode()
    assert not Payment.objects.filter(reference=wechat.orders[lost.number]["transaction_id"])
    for item in row.items.all():
        client.post(
            f"{LIST}{row.pk}/",
            {"item": item.pk, "action": "explain", "note": "已致电微信支付核实，差额退回"},
        )
    row.refresh_from_db()
    assert row.status == "closed" and row.closed_at
    assert set(row.items.values_list("resolution", flat=True)) == {"noted"}
    assert row.items.first().resolved_by == world.personas["cashier"]
    # A closed day stays closed.
    payments_reconcile(day=DAY)
    row.refresh_from_db()
    assert row.status == "closed"


def test_finance_records_a_lost_payment_from_the_page(world, wechat):
    order = _paid_order(world, wechat, notify=False)
    wechat.fail_next.append((200, {"code_url": "x"}))  # statement call answered nonsense …
    payments_reconcile(day=DAY)
    [row] = payments_reconcile(day=DAY)
    if row.status == "closed":  # the worker already recorded it
        assert Payment.objects.count() == 1
        return
    item = row.items.get()
    client = _staff(world, "supervisor")
    client.post(f"{LIST}{row.pk}/", {"item": item.pk, "action": "record"})
    client.post(f"{LIST}{row.pk}/", {"item": item.pk, "action": "record"})
    order.refresh_from_db()
    assert order.status == "paid"
    assert Payment.objects.count() == Receipt.objects.count() == 1


def test_resolving_is_a_finance_right_scoped_to_the_company(world, wechat):
    _paid_order(world, wechat, notify=False)
    del wechat.orders[next(iter(wechat.orders))]  # nothing in the statement
    PaymentOrder.objects.update(status="paid", transaction_id="4200TEST", paid_at=NOW)
    [row] = payments_reconcile(day=DAY)
    item = row.items.get()
    for role in ("agent", "technician", "guard"):
        client = _staff(world, role)
        assert client.get(LIST).status_code == 403
        assert client.get(f"{LIST}{row.pk}/").status_code == 403
        response = client.post(
            f"{LIST}{row.pk}/", {"item": item.pk, "action": "explain", "note": "越权操作测试"}
        )
        assert response.status_code == 403
    owner = portal_client(world.zhang)
    assert owner.get(LIST).status_code in (302, 403)
    assert owner.post(f"{LIST}{row.pk}/", {"item": item.pk}).status_code in (302, 403)
    client = _staff(world, "cashier")
    for bad in ("99999", "abc", "%00"):
        assert client.get(f"{LIST}{bad}/").status_code in (400, 404)
    assert client.post(f"{LIST}{row.pk}/", {"item": "99999", "action": "record"}).status_code == 404
    # Another company's day is 404 to this company's finance.
    from propdesk.estates.models import Company

    other = Company.objects.create(name="另一家物业")
    foreign = ReconciliationDay.objects.create(
        company=other, provider="wechat", day=DAY, status="open"
    )
    assert client.get(f"{LIST}{foreign.pk}/").status_code == 404
    with pytest.raises(Exception):  # noqa: B017 - NotFound or PermissionDenied
        reconciliation_resolve(
            actor=world.personas["guard"], item_id=item.pk, action="explain", note="越权操作测试"
        )
    item.refresh_from_db()
    assert item.resolution == ""


def test_the_alipay_statement_is_reconciled_too(world, alipay):
    order = payment_order_create(actor=world.zhang, house_id=world.house.pk, provider="alipay")
    import requests

    response = portal_client(world.zhang).get(order.pay_url)
    requests.get(response["Location"], timeout=5)
    alipay.pay(
        order.number, at=datetime.datetime.combine(DAY, datetime.time(10, 5), tzinfo=NOW.tzinfo)
    )
    [row] = payments_reconcile(day=DAY)
    assert (row.provider, row.status) == ("alipay", "closed")
    assert Payment.objects.count() == Receipt.objects.count() == 1
    assert row.items.get().resolution == "recorded"
