"""Paying online: orders, the signed callback (bad signature, replay, wrong amount, duplicate →
exactly one payment), and the payment as the cashier's desk would have recorded it."""

import json
import time

import pytest

from propdesk.billing.models import LedgerEntry, Payment, Receipt
from propdesk.billing.selectors.accounts import house_dues
from propdesk.core.errors import Conflict, NotFound, PermissionDenied
from propdesk.portal.models import CallbackNonce, PaymentOrder
from propdesk.portal.payments import CallbackRejected, current_provider
from propdesk.portal.payments.sandbox import SIGNATURE_HEADER, SandboxProvider
from propdesk.portal.services.payments import payment_callback_handle, payment_order_create

pytestmark = pytest.mark.django_db
sandbox = SandboxProvider()


def callback(order, **changes):
    headers, body = sandbox.signed_callback(
        order_number=order.number, amount_fen=order.amount_fen, **changes
    )
    return payment_callback_handle(provider_name="sandbox", headers=headers, body=body)


def test_an_order_covers_the_open_bills_and_points_at_the_sandbox(world):
    order = payment_order_create(actor=world.zhang, house_id=world.house.pk)
    assert order.amount_fen == world.bill.amount_fen == house_dues(world.house).outstanding_fen
    assert order.bill_ids == [world.bill.pk]
    assert (order.provider, order.status) == ("sandbox", "pending")
    assert order.pay_url == f"/m/pay/sandbox/{order.number}/"
    assert current_provider().name == "sandbox"


def test_a_signed_callback_makes_one_payment_with_receipt_and_allocation(world):
    order = payment_order_create(actor=world.zhang, house_id=world.house.pk)
    paid = callback(order, transaction_id="SBX0001")
    assert (paid.status, paid.transaction_id) == ("paid", "SBX0001")
    payment = Payment.objects.get()
    assert (payment.house, payment.amount_fen, payment.method, payment.reference) == (
        world.house,
        order.amount_fen,
        "other",
        "SBX0001",
    )
    assert payment.received_by == world.zhang and paid.payment == payment
    assert Receipt.objects.get().payment == payment
    allocation = LedgerEntry.objects.get(payment=payment, kind="allocation", bill=world.bill)
    assert allocation.amount_fen == -order.amount_fen
    assert house_dues(world.house).outstanding_fen == 0


def test_a_duplicate_callback_records_exactly_one_payment(world):
    order = payment_order_create(actor=world.zhang, house_id=world.house.pk)
    headers, body = sandbox.signed_callback(
        order_number=order.number, amount_fen=order.amount_fen, transaction_id="SBX0002"
    )
    payment_callback_handle(provider_name="sandbox", headers=headers, body=body)
    payment_callback_handle(provider_name="sandbox", headers=headers, body=body)
    callback(order, transaction_id="SBX0002")  # the provider retries with a fresh nonce
    assert Payment.objects.count() == 1 and Receipt.objects.count() == 1


def test_a_second_transaction_for_a_paid_order_is_refused(world):
    order = payment_order_create(actor=world.zhang, house_id=world.house.pk)
    callback(order, transaction_id="SBX0003")
    with pytest.raises(CallbackRejected) as error:
        callback(order, transaction_id="SBX0004")
    assert error.value.code == "already_paid"
    assert Payment.objects.count() == 1


def test_a_bad_signature_changes_nothing(world):
    order = payment_order_create(actor=world.zhang, house_id=world.house.pk)
    headers, body = sandbox.signed_callback(order_number=order.number, amount_fen=order.amount_fen)
    headers[SIGNATURE_HEADER] = "0" * 64
    with pytest.raises(CallbackRejected) as error:
        payment_callback_handle(provider_name="sandbox", headers=headers, body=body)
    assert error.value.code == "bad_signature"
    forged = body + b" "  # any change to the signed body breaks the signature
    headers2, _body = sandbox.signed_callback(
        order_number=order.number, amount_fen=order.amount_fen
    )
    with pytest.raises(CallbackRejected):
        payment_callback_handle(provider_name="sandbox", headers=headers2, body=forged)
    with pytest.raises(CallbackRejected) as error:
        payment_callback_handle(provider_name="sandbox", headers={}, body=body)
    assert error.value.code == "unsigned"
    order.refresh_from_db()
    assert order.status == "pending" and not Payment.objects.exists()


def test_a_replayed_or_stale_callback_is_refused(world):
    order = payment_order_create(actor=world.zhang, house_id=world.house.pk)
    with pytest.raises(CallbackRejected) as error:
        callback(order, timestamp=int(time.time()) - 3600)
    assert error.value.code == "stale"
    failed_headers, failed_body = sandbox.signed_callback(
        order_number=order.number, amount_fen=order.amount_fen, paid=False, nonce="nonce-0001"
    )
    payment_callback_handle(provider_name="sandbox", headers=failed_headers, body=failed_body)
    order.refresh_from_db()
    assert order.status == "failed"
    with pytest.raises(CallbackRejected) as error:
        callback(order, nonce="nonce-0001", transaction_id="SBX0005")
    assert error.value.code == "replay"
    assert not Payment.objects.exists() and CallbackNonce.objects.count() == 1


def test_a_wrong_amount_is_refused(world):
    order = payment_order_create(actor=world.zhang, house_id=world.house.pk)
    headers, body = sandbox.signed_callback(order_number=order.number, amount_fen=1)
    with pytest.raises(CallbackRejected) as error:
        payment_callback_handle(provider_name="sandbox", headers=headers, body=body)
    assert error.value.code == "amount_mismatch"
    order.refresh_from_db()
    assert order.status == "pending" and not Payment.objects.exists()


@pytest.mark.parametrize(
    "body",
    [b"", b"[]", b"{}", b'{"order":"x","transaction_id":"t","amount_fen":"100"}', b"\x00" * 50],
)
def test_an_unreadable_body_is_refused(world, body):
    headers, _ = sandbox.signed_callback(order_number="x", amount_fen=1)
    from propdesk.portal.payments.sandbox import NONCE_HEADER, TIMESTAMP_HEADER, sign

    headers[SIGNATURE_HEADER] = sign(headers[TIMESTAMP_HEADER], headers[NONCE_HEADER], body)
    with pytest.raises(CallbackRejected):
        payment_callback_handle(provider_name="sandbox", headers=headers, body=body)
    assert not Payment.objects.exists()


def test_unknown_provider_or_order_is_refused(world):
    headers, body = sandbox.signed_callback(order_number="PO-NOPE", amount_fen=100)
    with pytest.raises(CallbackRejected):
        payment_callback_handle(provider_name="sandbox", headers=headers, body=body)
    with pytest.raises(CallbackRejected):
        payment_callback_handle(provider_name="wechat", headers=headers, body=body)


def test_money_paid_at_the_desk_meanwhile_goes_to_prepaid(world, personas):
    from propdesk.billing.services.payments import payment_take

    order = payment_order_create(actor=world.zhang, house_id=world.house.pk)
    payment_take(
        actor=personas["cashier"],
        house=world.house,
        amount=world.bill.amount,
        method="cash",
        idempotency_key="desk-meanwhile-01",
    )
    callback(order, transaction_id="SBX0006")
    assert Payment.objects.count() == 2
    assert house_dues(world.house).prepaid_fen == order.amount_fen


def test_only_those_who_see_the_fees_can_pay(world):
    with pytest.raises(PermissionDenied):
        payment_order_create(actor=world.wang, house_id=world.house.pk)
    with pytest.raises(NotFound):
        payment_order_create(actor=world.li, house_id=world.house.pk)
    with pytest.raises(NotFound):
        payment_order_create(actor=world.zhang, house_id=world.house.pk, bill_ids=[world.bill_b.pk])
    assert not PaymentOrder.objects.exists()


def test_nothing_to_pay_is_refused(world):
    order = payment_order_create(actor=world.zhang, house_id=world.house.pk)
    callback(order)
    with pytest.raises(Conflict):
        payment_order_create(actor=world.zhang, house_id=world.house.pk)


def test_the_callback_body_is_compact_json(world):
    order = payment_order_create(actor=world.zhang, house_id=world.house.pk)
    _headers, body = sandbox.signed_callback(order_number=order.number, amount_fen=5)
    assert json.loads(body)["amount_fen"] == 5


# --- expiry -----------------------------------------------------------------------------------


def test_an_order_is_to_be_paid_within_the_configured_minutes(world, settings):
    import datetime

    from django.utils import timezone

    settings.PORTAL_PAYMENT_ORDER_MINUTES = 15
    before = timezone.now()
    order = payment_order_create(actor=world.zhang, house_id=world.house.pk)
    assert before + datetime.timedelta(minutes=15) <= order.expires_at
    assert order.expires_at <= timezone.now() + datetime.timedelta(minutes=15)
    assert order.is_payable() and order.current_status == "pending"
    assert not order.is_payable(order.expires_at)


def test_the_worker_expires_only_unpaid_orders_past_their_time(world):
    import datetime

    from propdesk.portal.services.payments import payment_orders_expire

    late = payment_order_create(actor=world.zhang, house_id=world.house.pk)
    fresh = payment_order_create(actor=world.zhang, house_id=world.house.pk)
    paid = payment_order_create(actor=world.zhang, house_id=world.house.pk)
    callback(paid, transaction_id="SBX-PAID")
    at = late.expires_at + datetime.timedelta(seconds=1)
    PaymentOrder.objects.filter(pk=fresh.pk).update(expires_at=at + datetime.timedelta(minutes=10))
    PaymentOrder.objects.filter(pk=paid.pk).update(expires_at=late.expires_at)

    assert payment_orders_expire(now=at) == 1
    statuses = dict(PaymentOrder.objects.values_list("pk", "status"))
    assert statuses == {late.pk: "expired", fresh.pk: "pending", paid.pk: "paid"}
    assert payment_orders_expire(now=at) == 0  # a second pass changes nothing


def test_money_confirmed_for_an_expired_order_is_still_recorded(world):
    from propdesk.portal.services.payments import payment_orders_expire

    order = payment_order_create(actor=world.zhang, house_id=world.house.pk)
    payment_orders_expire(now=order.expires_at)
    paid = callback(order, transaction_id="SBX-LATE")
    assert (paid.status, paid.payment.amount_fen) == ("paid", order.amount_fen)
    assert Payment.objects.count() == 1
