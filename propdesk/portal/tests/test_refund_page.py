"""The console's online refunds: a supervisor sends an approved correction's refund through the
WeChat Pay stand-in from the confirmation form, sees its status and history (sent by whom,
answered by the provider), and the same form sent again is the same refund. Cashiers, agents,
engineers, guards and owners are refused; another community's corrections and payments are
404; bad input names the field and sends nothing. The API does the same."""

import pytest
from django.test import Client

from propdesk.billing.models import LedgerAdjustment
from propdesk.conftest import make_user
from propdesk.portal.models import ProviderRefund
from propdesk.portal.services.payments import payment_order_create
from propdesk.portal.services.refunds import refund_send
from propdesk.portal.tests.conftest import portal_client, post_notification

pytestmark = pytest.mark.django_db
LIST = "/m/staff/payments/refunds/"


def _paid(world, wechat, *, user=None, house=None):
    order = payment_order_create(
        actor=user or world.zhang, house_id=(house or world.house).pk, provider="wechat"
    )
    assert post_notification(Client(), "wechat", wechat.pay(order.number)).status_code == 204
    order.refresh_from_db()
    assert order.status == "paid"
    return order


def _correction(world, *, amount_fen, community=None, house=None, method="wechat"):
    """An approved refund of prepaid balance (billing's queue is tested in billing)."""
    return LedgerAdjustment.objects.create(
        community=community or world.community,
        house=house or world.house,
        kind=LedgerAdjustment.Kind.REFUND,
        amount_fen=amount_fen,
        method=method,
        reason="多缴物业费退回",
        status="approved",
        requested_by=world.personas["cashier"],
        decided_by=_approver(world),
    )


def _approver(world):
    from propdesk.accounts.models import User

    found = User.objects.filter(username="supervisor_two").first()
    return found or make_user("supervisor_two", "supervisor", world.community)


def _confirm(correction) -> str:
    return f"/m/staff/payments/corrections/{correction.pk}/refund/"


def _page(client, url) -> str:
    response = client.get(url)
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def test_a_supervisor_sends_a_refund_and_follows_it(world, wechat):
    order = _paid(world, wechat)
    correction = _correction(world, amount_fen=1000)
    client = portal_client(world.personas["supervisor"])
    listing = _page(client, LIST)
    assert f'data-testid="correction-{correction.pk}"' in listing and "¥10.00" in listing
    form = _page(client, _confirm(correction))
    assert "发送退款" in form and "多缴物业费退回" in form and order.number in form
    response = client.post(_confirm(correction), {"order": order.pk, "reason": "多缴退回"})
    assert response.status_code == 302
    assert response["Location"] == f"/m/staff/payments/orders/{order.pk}/"
    refund = ProviderRefund.objects.get()
    assert (refund.order_id, refund.amount_fen, refund.adjustment_id) == (
        order.pk,
        1000,
        correction.pk,
    )
    assert refund.reason == "多缴退回" and refund.status == "pending"
    assert [r["refund"] for r in wechat.refunds.values()] == [1000]
    detail = _page(client, response["Location"])
    assert "已提交，等待支付渠道处理" in detail
    assert "退款已发送至支付渠道" in detail and world.personas["supervisor"].display_name in detail
    assert 'data-testid="left"' in detail and "¥10.00" in detail
    # The provider's notification settles it; the history says who answered.
    assert (
        post_notification(Client(), "wechat", wechat.refund_notification(refund.number)).status_code
        == 204
    )
    refund.refresh_from_db()
    assert refund.status == "succeeded"
    detail = _page(client, response["Location"])
    assert "已退款" in detail and "支付渠道已答复退款" in detail
    # Sent: no longer waiting, and the listing shows it with its status.
    listing = _page(client, LIST)
    assert f'data-testid="correction-{correction.pk}"' not in listing
    assert f'data-testid="refund-{refund.pk}"' in listing
    # The receipt page of the ledger payment links to the refunds of its online order.
    jump = client.get(f"/m/staff/payments/by-payment/{order.payment_id}/")
    assert jump.status_code == 302 and jump["Location"] == response["Location"]


def test_the_form_sent_twice_is_one_refund(world, wechat):
    order = _paid(world, wechat)
    correction = _correction(world, amount_fen=500)
    client = portal_client(world.personas["supervisor"])
    for _attempt in range(2):
        response = client.post(_confirm(correction), {"order": order.pk, "reason": "退回"})
        assert response.status_code == 302
    assert ProviderRefund.objects.count() == 1 and len(wechat.refunds) == 1
    # Opening the form of a sent correction shows its refund instead.
    again = client.get(_confirm(correction))
    assert again.status_code == 302 and again["Location"].endswith(f"/orders/{order.pk}/")


@pytest.mark.parametrize("role", ["cashier", "agent", "technician", "guard"])
def test_other_staff_roles_are_refused(world, wechat, role):
    order = _paid(world, wechat)
    correction = _correction(world, amount_fen=500)
    client = portal_client(world.personas[role])
    for url in (LIST, f"/m/staff/payments/orders/{order.pk}/", _confirm(correction)):
        assert client.get(url).status_code == 403, url
    assert client.get(f"/m/staff/payments/by-payment/{order.payment_id}/").status_code == 403
    assert (
        client.post(_confirm(correction), {"order": order.pk, "reason": "越权"}).status_code == 403
    )
    api = client.post(
        "/api/portal/refunds", {"correction_id": correction.pk}, content_type="application/json"
    )
    assert api.status_code == 403
    assert client.get("/api/portal/refunds").status_code == 403
    assert not ProviderRefund.objects.exists() and not wechat.refunds


def test_owners_are_refused(world, wechat):
    order = _paid(world, wechat)
    correction = _correction(world, amount_fen=500)
    owner = portal_client(world.zhang)
    for url in (LIST, f"/m/staff/payments/orders/{order.pk}/", _confirm(correction)):
        assert owner.get(url).status_code in (302, 403), url
    assert owner.post(_confirm(correction), {"order": order.pk, "reason": "x"}).status_code in (
        302,
        403,
    )
    api = owner.post(
        "/api/portal/refunds", {"correction_id": correction.pk}, content_type="application/json"
    )
    assert api.status_code == 403
    assert not ProviderRefund.objects.exists() and not wechat.refunds


def test_another_communitys_records_are_not_found(world, wechat):
    order_b = _paid(world, wechat, user=world.li, house=world.house_b)
    correction_b = _correction(
        world, amount_fen=300, community=world.community_b, house=world.house_b
    )
    client = portal_client(world.personas["supervisor"])
    assert client.get(f"/m/staff/payments/orders/{order_b.pk}/").status_code == 404
    assert client.get(f"/m/staff/payments/by-payment/{order_b.payment_id}/").status_code == 404
    assert client.get(_confirm(correction_b)).status_code == 404
    assert (
        client.post(_confirm(correction_b), {"order": order_b.pk, "reason": "x"}).status_code == 404
    )
    api = client.post(
        "/api/portal/refunds",
        {"correction_id": correction_b.pk},
        content_type="application/json",
    )
    assert api.status_code == 404 and api.json()["field"] == "correction_id"
    # Community A's correction cannot be paid back through community B's order either.
    correction = _correction(world, amount_fen=300)
    _paid(world, wechat)
    response = client.post(_confirm(correction), {"order": order_b.pk, "reason": "退回"})
    assert response.status_code == 400
    assert 'id="refund-order-error"' in response.content.decode()
    assert not ProviderRefund.objects.exists() and not wechat.refunds
    listing = _page(client, LIST)
    assert f'data-testid="correction-{correction_b.pk}"' not in listing


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"reason": ""}, "reason"),
        ({"reason": "退" * 81}, "reason"),
        ({"reason": "退回\x00"}, "reason"),
        ({"reason": "退回", "order": "abc"}, "order"),
        ({"reason": "退回", "order": "99999999"}, "order"),
        ({"reason": "退回", "order": "-1"}, "order"),
    ],
)
def test_bad_input_names_the_field_and_sends_nothing(world, wechat, values, field):
    order = _paid(world, wechat)
    correction = _correction(world, amount_fen=500)
    client = portal_client(world.personas["supervisor"])
    response = client.post(_confirm(correction), {"order": order.pk, **values})
    assert response.status_code == 400
    assert f'id="refund-{field}-error"' in response.content.decode()
    assert not ProviderRefund.objects.exists() and not wechat.refunds


def test_a_refund_beyond_what_the_payment_has_left_is_refused(world, wechat):
    order = _paid(world, wechat)
    supervisor = world.personas["supervisor"]
    refund_send(
        actor=supervisor,
        order=order,
        amount_fen=order.amount_fen - 100,
        reason="先退一部分",
        key="EARLIER0001",
    )
    correction = _correction(world, amount_fen=500)
    client = portal_client(supervisor)
    response = client.post(_confirm(correction), {"order": order.pk, "reason": "再退"})
    assert response.status_code == 400
    page = response.content.decode()
    assert 'id="refund-amount-error"' in page and "¥1.00" in page
    assert ProviderRefund.objects.count() == 1 and len(wechat.refunds) == 1


def test_the_api_sends_lists_and_reads_refunds(world, wechat):
    order = _paid(world, wechat)
    correction = _correction(world, amount_fen=700)
    client = portal_client(world.personas["supervisor"])
    bad = client.post(
        "/api/portal/refunds",
        {"correction_id": correction.pk, "reason": "x" * 81},
        content_type="application/json",
    )
    assert bad.status_code in (400, 422) and not wechat.refunds
    sent = client.post(
        "/api/portal/refunds",
        {"correction_id": correction.pk, "order_id": order.pk, "reason": "多缴退回"},
        content_type="application/json",
    )
    assert sent.status_code == 201, sent.content
    body = sent.json()
    assert body["amount_fen"] == 700 and body["status"] == "pending"
    assert body["order_number"] == order.number and body["correction_id"] == correction.pk
    assert body["history"][0]["action"] == "online_refund_sent"
    again = client.post(
        "/api/portal/refunds",
        {"correction_id": correction.pk, "order_id": order.pk},
        content_type="application/json",
    )
    assert again.status_code == 201 and again.json()["id"] == body["id"]
    assert len(wechat.refunds) == 1
    listed = client.get("/api/portal/refunds").json()
    assert [row["id"] for row in listed] == [body["id"]]
    one = client.get(f"/api/portal/refunds/{body['id']}")
    assert one.status_code == 200 and one.json()["status_label"]
    other = portal_client(make_user("supervisor_b", "supervisor", world.community_b))
    assert other.get(f"/api/portal/refunds/{body['id']}").status_code == 404
    assert other.get("/api/portal/refunds").json() == []
