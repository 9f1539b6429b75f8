"""Refunds through WeChat Pay: never more than the order was paid, exactly once per correction
or key under retries (and, on PostgreSQL, under concurrent senders), settled by the verified
refund notification; only supervisors send them."""

import pytest
from django.db import connection  # noqa: F401 - read by postgresql_only's condition
from django.test import Client

from propdesk.billing.models import LedgerAdjustment
from propdesk.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from propdesk.core.tests.concurrency import postgresql_only, run_together
from propdesk.portal.models import ProviderRefund
from propdesk.portal.services.payments import payment_order_create
from propdesk.portal.services.refunds import refund_for_adjustment, refund_send
from propdesk.portal.tests.conftest import post_notification


def _paid(world, wechat):
    order = payment_order_create(actor=world.zhang, house_id=world.house.pk, provider="wechat")
    assert post_notification(Client(), "wechat", wechat.pay(order.number)).status_code == 204
    order.refresh_from_db()
    assert order.status == "paid"
    return order


def _correction(world, order, *, amount_fen, method="wechat", status="approved"):
    """An approved refund correction (billing's queue is tested in billing)."""
    return LedgerAdjustment.objects.create(
        community=world.community,
        house=world.house,
        kind=LedgerAdjustment.Kind.REFUND,
        amount_fen=amount_fen,
        method=method,
        reason="多缴退回",
        status=status,
        requested_by=world.personas["cashier"],
        decided_by=world.personas["supervisor"],
    )


@pytest.mark.django_db
def test_a_refund_cannot_exceed_what_was_paid(world, wechat):
    order = _paid(world, wechat)
    supervisor = world.personas["supervisor"]
    with pytest.raises(Conflict) as error:
        refund_send(
            actor=supervisor,
            order=order,
            amount_fen=order.amount_fen + 1,
            reason="x",
            key="TOOMUCH0001",
        )
    assert error.value.code == "refund_too_much"
    first = refund_send(
        actor=supervisor, order=order, amount_fen=100, reason="部分退款", key="PART00000001"
    )
    rest = refund_send(
        actor=supervisor,
        order=order,
        amount_fen=order.amount_fen - 100,
        reason="余额退款",
        key="PART00000002",
    )
    assert first.status == rest.status == "pending"
    with pytest.raises(Conflict):
        refund_send(actor=supervisor, order=order, amount_fen=1, reason="x", key="PART00000003")
    assert ProviderRefund.objects.count() == 2
    assert sorted(r["refund"] for r in wechat.refunds.values()) == sorted(
        [100, order.amount_fen - 100]
    )


@pytest.mark.django_db
@pytest.mark.parametrize("amount", [0, -5, "100", 1.5, True, None])
def test_a_refund_amount_must_be_whole_fen_above_zero(world, wechat, amount):
    order = _paid(world, wechat)
    with pytest.raises(ValidationFailed):
        refund_send(
            actor=world.personas["supervisor"],
            order=order,
            amount_fen=amount,
            reason="x",
            key="BADAMOUNT01",
        )
    assert not ProviderRefund.objects.exists() and not wechat.refunds


@pytest.mark.django_db
def test_the_same_correction_sent_again_is_the_same_refund(world, wechat):
    order = _paid(world, wechat)
    correction = _correction(world, order, amount_fen=500)
    supervisor = world.personas["supervisor"]
    first = refund_for_adjustment(actor=supervisor, adjustment_id=correction.pk)
    wechat.fail_next.append((500, {"code": "SYSTEM_ERROR", "message": "系统错误"}))
    with pytest.raises(Exception):  # noqa: B017 - the provider's error on the retry's answer
        refund_for_adjustment(actor=supervisor, adjustment_id=correction.pk)
    again = refund_for_adjustment(actor=supervisor, adjustment_id=correction.pk)
    assert first.pk == again.pk and first.number == f"RF{order.pk}A{correction.pk}"
    assert ProviderRefund.objects.count() == 1 and len(wechat.refunds) == 1
    # The provider's refund notification settles it; a forged one changes nothing.
    forged = wechat.refund_notification(first.number, forged=True)
    assert post_notification(Client(), "wechat", forged).status_code == 400
    first.refresh_from_db()
    assert first.status == "pending"
    good = wechat.refund_notification(first.number)
    assert post_notification(Client(), "wechat", good).status_code == 204
    assert post_notification(Client(), "wechat", good).status_code == 204
    first.refresh_from_db()
    assert first.status == "succeeded" and first.provider_refund_id


@pytest.mark.django_db
def test_only_approved_online_refund_corrections_are_sent(world, wechat):
    order = _paid(world, wechat)
    supervisor = world.personas["supervisor"]
    for correction in (
        _correction(world, order, amount_fen=100, status="pending"),
        _correction(world, order, amount_fen=100, method="cash"),
    ):
        with pytest.raises(Conflict):
            refund_for_adjustment(actor=supervisor, adjustment_id=correction.pk)
    with pytest.raises(NotFound):
        refund_for_adjustment(actor=supervisor, adjustment_id=999999)
    with pytest.raises(ValidationFailed):
        refund_for_adjustment(actor=supervisor, adjustment_id="1; DROP TABLE x")
    assert not ProviderRefund.objects.exists() and not wechat.refunds


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["agent", "cashier", "technician", "guard"])
def test_only_a_supervisor_sends_a_refund(world, wechat, role):
    order = _paid(world, wechat)
    correction = _correction(world, order, amount_fen=100)
    with pytest.raises(PermissionDenied):
        refund_for_adjustment(actor=world.personas[role], adjustment_id=correction.pk)
    with pytest.raises(PermissionDenied):
        refund_send(actor=world.zhang, order=order, amount_fen=100, reason="x", key="OWNER00001")
    assert not ProviderRefund.objects.exists() and not wechat.refunds


@postgresql_only
@pytest.mark.django_db(transaction=True)
def test_concurrent_senders_of_one_correction_make_one_refund(world, wechat):
    order = _paid(world, wechat)
    correction = _correction(world, order, amount_fen=300)
    supervisor = world.personas["supervisor"]
    outcomes = run_together(
        4, lambda i: refund_for_adjustment(actor=supervisor, adjustment_id=correction.pk).pk
    )
    assert all("error" not in o for o in outcomes), outcomes
    assert len({o["value"] for o in outcomes}) == 1
    assert ProviderRefund.objects.count() == 1
    assert len(wechat.refunds) == 1  # counted at the provider: one refund


@postgresql_only
@pytest.mark.django_db(transaction=True)
def test_concurrent_refunds_together_never_exceed_what_was_paid(world, wechat):
    order = _paid(world, wechat)
    supervisor = world.personas["supervisor"]
    share = order.amount_fen * 6 // 10
    outcomes = run_together(
        3,
        lambda i: (
            refund_send(
                actor=supervisor,
                order=order,
                amount_fen=share,
                reason="并发",
                key=f"CONCURRENT{i:04d}",
            ).pk
        ),
    )
    done = [o for o in outcomes if "value" in o]
    refused = [o for o in outcomes if "error" in o]
    assert len(done) == 1 and len(refused) == 2
    assert all(getattr(o["error"], "code", "") == "refund_too_much" for o in refused)
    assert sum(r["refund"] for r in wechat.refunds.values()) == share <= order.amount_fen


@pytest.mark.django_db
def test_a_refund_whose_notification_was_lost_is_settled_by_asking(world, wechat, clock):
    """WeChat Pay's 查询单笔退款: pending for ten minutes, the worker asks and settles it once;
    a refund the provider does not know stays pending; a settled one is not asked again."""
    import datetime

    from propdesk.core.models import AuditEvent
    from propdesk.portal.services.refunds import refunds_check_pending

    order = _paid(world, wechat)
    refund = refund_for_adjustment(
        actor=world.personas["supervisor"],
        adjustment_id=_correction(world, order, amount_fen=200).pk,
    )
    assert refund.status == "pending"
    assert refunds_check_pending() == {"settled": 0, "pending": 0, "unknown": 0}  # too early
    assert wechat.refund_queries == []
    clock.shift(datetime.timedelta(minutes=11))
    assert refunds_check_pending()["pending"] == 1  # still PROCESSING at the provider
    wechat.refunds[refund.number]["status"] = "SUCCESS"  # the notification never came
    assert refunds_check_pending()["settled"] == 1
    refund.refresh_from_db()
    assert refund.status == "succeeded" and refund.finished_at is not None
    assert (
        AuditEvent.objects.filter(
            object_type="providerrefund", object_id=refund.pk, action="online_refund_answered"
        ).count()
        == 1
    )
    asked = len(wechat.refund_queries)
    assert refunds_check_pending()["settled"] == 0 and len(wechat.refund_queries) == asked
    # A late notification changes nothing more.
    good = wechat.refund_notification(refund.number)
    assert post_notification(Client(), "wechat", good).status_code == 204
    assert (
        AuditEvent.objects.filter(
            object_type="providerrefund", object_id=refund.pk, action="online_refund_answered"
        ).count()
        == 1
    )


@pytest.mark.django_db
def test_a_refund_the_provider_does_not_know_stays_pending(world, wechat, clock):
    import datetime

    from propdesk.portal.services.refunds import refunds_check_pending

    order = _paid(world, wechat)
    refund = refund_send(
        actor=world.personas["supervisor"], order=order, amount_fen=100, reason="x", key="LOST0001"
    )
    del wechat.refunds[refund.number]
    clock.shift(datetime.timedelta(minutes=11))
    assert refunds_check_pending()["unknown"] == 1
    refund.refresh_from_db()
    assert refund.status == "pending"
