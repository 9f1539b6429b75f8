"""Ledger corrections (services.adjustments): asked by a cashier, approved by a supervisor,
written as reversing entries; receipts are voided only this way."""

import datetime

import pytest

from propdesk.billing.models import LedgerAdjustment, LedgerEntry, Receipt
from propdesk.billing.selectors.accounts import house_balance_fen, open_bills, prepaid_fen
from propdesk.billing.services.adjustments import (
    adjustment_approve,
    adjustment_reject,
    adjustment_request,
)
from propdesk.billing.tests.conftest import bill_for, pay, run_billing
from propdesk.core.errors import Conflict, PermissionDenied, ValidationFailed

JUNE, JULY = datetime.date(2026, 6, 1), datetime.date(2026, 7, 1)


@pytest.fixture
def billed(supervisor, house_a, schedule_a):
    run_billing(supervisor, JUNE, community=schedule_a)
    run_billing(supervisor, JULY, community=schedule_a)
    return bill_for(house_a, JUNE), bill_for(house_a, JULY)


def open_fen(house) -> dict[int, int]:
    return {b.id: b.outstanding_fen for b in open_bills(house)}


def request(cashier, house, kind, **kwargs):
    return adjustment_request(actor=cashier, house=house, kind=kind, reason="收错了", **kwargs)


def test_reversing_a_payment_reopens_its_bills_and_voids_its_receipt(
    cashier, supervisor, house_a, billed
):
    june, july = billed
    paid = pay(cashier, house_a, "400.00")
    assert open_fen(house_a) == {}
    adjustment = request(cashier, house_a, "reverse_payment", payment=paid.payment)
    assert adjustment.status == "pending"
    assert open_fen(house_a) == {}  # nothing moves before approval
    adjustment_approve(actor=supervisor, adjustment=adjustment, note="核实")
    assert open_fen(house_a) == {june.id: 17005, july.id: 17005}
    assert prepaid_fen(house_a) == 0
    assert house_balance_fen(house_a) == 34010
    receipt = Receipt.objects.get(payment=paid.payment)
    assert receipt.voided_at is not None and receipt.void_adjustment == adjustment
    reversals = LedgerEntry.objects.filter(adjustment=adjustment)
    assert {e.kind for e in reversals} == {"reversal"}
    assert all(e.reverses_id for e in reversals)
    assert sum(e.amount_fen for e in reversals) == 40000


def test_a_payment_is_reversed_once(cashier, supervisor, house_a, billed):
    paid = pay(cashier, house_a, "170.05")
    adjustment_approve(
        actor=supervisor,
        adjustment=request(cashier, house_a, "reverse_payment", payment=paid.payment),
    )
    with pytest.raises(Conflict) as exc:
        request(cashier, house_a, "reverse_payment", payment=paid.payment)
    assert exc.value.code == "already_reversed"


def test_the_requester_cannot_approve_their_own_correction(supervisor, house_a, billed):
    paid = pay(supervisor, house_a, "170.05")
    adjustment = request(supervisor, house_a, "reverse_payment", payment=paid.payment)
    with pytest.raises(PermissionDenied) as exc:
        adjustment_approve(actor=supervisor, adjustment=adjustment)
    assert exc.value.code == "own_request"
    adjustment.refresh_from_db()
    assert adjustment.status == "pending"


def test_a_cashier_cannot_approve(cashier, personas, house_a, billed):
    from propdesk.accounts.models import Role
    from propdesk.conftest import make_user

    paid = pay(cashier, house_a, "170.05")
    adjustment = request(cashier, house_a, "reverse_payment", payment=paid.payment)
    other_cashier = make_user("cashier2", Role.CASHIER, house_a.community)
    with pytest.raises(PermissionDenied):
        adjustment_approve(actor=other_cashier, adjustment=adjustment)
    assert not LedgerEntry.objects.filter(kind="reversal").exists()


def test_a_decided_correction_cannot_be_decided_again(cashier, supervisor, admin, house_a, billed):
    paid = pay(cashier, house_a, "170.05")
    adjustment = request(cashier, house_a, "reverse_payment", payment=paid.payment)
    adjustment_reject(actor=supervisor, adjustment=adjustment, note="不符")
    with pytest.raises(Conflict):
        adjustment_approve(actor=admin, adjustment=adjustment)
    assert not LedgerEntry.objects.filter(kind="reversal").exists()
    assert Receipt.objects.get().voided_at is None


def test_a_second_request_for_the_same_record_waits(cashier, house_a, billed):
    paid = pay(cashier, house_a, "170.05")
    request(cashier, house_a, "reverse_payment", payment=paid.payment)
    with pytest.raises(Conflict) as exc:
        request(cashier, house_a, "reverse_payment", payment=paid.payment)
    assert exc.value.code == "pending_exists"


def test_a_payment_whose_credit_paid_later_bills_is_not_reversed_first(
    cashier, supervisor, house_a, schedule_a
):
    run_billing(supervisor, JUNE, community=schedule_a)
    paid = pay(cashier, house_a, "340.10")  # June, and 170.05 prepaid
    run_billing(supervisor, JULY, community=schedule_a)  # July paid from the prepaid balance
    with pytest.raises(Conflict) as exc:
        request(cashier, house_a, "reverse_payment", payment=paid.payment)
    assert exc.value.code == "credit_used"


def test_cancelling_a_bill_returns_what_was_paid_on_it_to_the_prepaid_balance(
    cashier, supervisor, house_a, billed
):
    june, july = billed
    pay(cashier, house_a, "100.00", bills=[june.id])
    adjustment_approve(
        actor=supervisor, adjustment=request(cashier, house_a, "cancel_bill", bill=june)
    )
    assert open_fen(house_a) == {july.id: 17005}
    assert prepaid_fen(house_a) == 10000
    assert house_balance_fen(house_a) == 17005 - 10000
    with pytest.raises(Conflict):
        request(cashier, house_a, "discount", bill=june, amount="1")


def test_a_discount_and_a_write_off_reduce_what_a_bill_owes(cashier, supervisor, house_a, billed):
    june, _july = billed
    adjustment_approve(
        actor=supervisor,
        adjustment=request(cashier, house_a, "discount", bill=june, amount="20.05"),
    )
    adjustment_approve(
        actor=supervisor,
        adjustment=request(cashier, house_a, "write_off", bill=june, amount="50.00"),
    )
    assert open_fen(house_a)[june.id] == 10000
    kinds = list(LedgerEntry.objects.order_by("id").values_list("kind", "amount_fen"))
    assert kinds == [("discount", -2005), ("write_off", -5000)]


def test_a_discount_cannot_exceed_what_the_bill_owes(cashier, house_a, billed):
    with pytest.raises(Conflict) as exc:
        request(cashier, house_a, "discount", bill=billed[0], amount="170.06")
    assert (exc.value.code, exc.value.field) == ("over_outstanding", "amount")
    assert not LedgerAdjustment.objects.exists()


def test_a_refund_pays_back_prepaid_balance_only(cashier, supervisor, house_a, billed):
    pay(cashier, house_a, "400.00")  # 59.90 prepaid
    with pytest.raises(Conflict) as exc:
        request(cashier, house_a, "refund", amount="59.91", method="cash")
    assert exc.value.code == "over_prepaid"
    adjustment = request(cashier, house_a, "refund", amount="59.90", method="cash")
    adjustment_approve(actor=supervisor, adjustment=adjustment)
    assert prepaid_fen(house_a) == 0
    assert house_balance_fen(house_a) == 0


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"kind": "refund", "amount": "-1", "method": "cash"}, "amount"),
        ({"kind": "refund", "amount": "1", "method": "gold"}, "method"),
        ({"kind": "discount", "amount": "1.001"}, "amount"),
        ({"kind": "nonsense"}, "kind"),
        ({"kind": "reverse_payment"}, "payment"),
        ({"kind": "cancel_bill"}, "bill"),
    ],
)
def test_bad_requests_name_the_field(cashier, house_a, billed, kwargs, field):
    kind = kwargs.pop("kind")
    if kind == "discount":
        kwargs["bill"] = billed[0]
    with pytest.raises(ValidationFailed) as exc:
        request(cashier, house_a, kind, **kwargs)
    assert exc.value.field == field
    assert not LedgerAdjustment.objects.exists()


def test_a_reason_is_required(cashier, house_a, billed):
    with pytest.raises(ValidationFailed) as exc:
        adjustment_request(
            actor=cashier, house=house_a, kind="cancel_bill", bill=billed[0], reason=" "
        )
    assert exc.value.field == "reason"


def test_a_record_of_another_house_is_refused(cashier, house_a, house_factory, billed):
    other = house_factory()
    with pytest.raises(ValidationFailed) as exc:
        request(cashier, other, "cancel_bill", bill=billed[0])
    assert exc.value.field == "bill"


# --- a paid deposit refunded (the decoration deposit) -------------------------------------------


@pytest.fixture
def deposit(personas, house_a, schedule_a):
    from propdesk.billing.services.bills import decoration_deposit_bill

    return decoration_deposit_bill(
        actor=personas["agent"], house=house_a, permit_ref="ZX2026000001", amount_fen=200000
    )


def test_a_deposit_is_a_one_off_bill_paid_at_the_desk(cashier, house_a, deposit):
    assert (deposit.fee_item.code, deposit.amount_fen, deposit.ref) == (
        "decoration_deposit",
        200000,
        "deposit:permit:ZX2026000001",
    )
    assert house_balance_fen(house_a) == 200000
    paid = pay(cashier, house_a, "2000.00", bills=[deposit.id])
    assert Receipt.objects.filter(payment=paid.payment).exists()
    assert house_balance_fen(house_a) == 0


def test_a_paid_deposit_is_refunded_once_a_supervisor_approves(
    personas, cashier, supervisor, house_a, deposit
):
    from propdesk.billing.services.adjustments import deposit_refund_request

    pay(cashier, house_a, "2000.00", bills=[deposit.id])
    adjustment = deposit_refund_request(
        actor=personas["agent"], bill=deposit, method="bank_transfer", reason="验收合格退押金"
    )
    assert (adjustment.kind, adjustment.amount_fen, adjustment.status) == (
        "deposit_refund",
        200000,
        "pending",
    )
    assert LedgerEntry.objects.filter(adjustment=adjustment).count() == 0  # nothing moves yet
    adjustment_approve(actor=supervisor, adjustment=adjustment)
    refund = LedgerEntry.objects.get(adjustment=adjustment, kind="refund")
    assert refund.amount_fen == 200000
    # The deposit is cancelled, the money it freed paid back: nothing owed, no credit left.
    assert (house_balance_fen(house_a), prepaid_fen(house_a), open_fen(house_a)) == (0, 0, {})
    with pytest.raises(Conflict) as again:
        deposit_refund_request(actor=cashier, bill=deposit, method="cash", reason="再退")
    assert again.value.code == "already_reversed"


def test_an_unpaid_deposit_or_another_bill_is_not_refunded(personas, house_a, billed, deposit):
    from propdesk.billing.services.adjustments import deposit_refund_request

    agent = personas["agent"]
    with pytest.raises(Conflict) as unpaid:
        deposit_refund_request(actor=agent, bill=deposit, method="cash", reason="退")
    assert (unpaid.value.code, unpaid.value.field) == ("deposit_unpaid", "bill")
    with pytest.raises(ValidationFailed) as fee:
        deposit_refund_request(actor=agent, bill=billed[0], method="cash", reason="退")
    assert (fee.value.code, fee.value.field) == ("not_a_deposit", "bill")
    assert not LedgerAdjustment.objects.exists()


@pytest.mark.parametrize(
    ("method", "reason", "field"),
    [
        ("", "退押金", "method"),
        ("gold", "退押金", "method"),
        ("<script>", "退押金", "method"),
        ("cash", " ", "reason"),
        ("cash", "退" * 301, "reason"),
        ("cash", "退\x00押金", "reason"),
    ],
)
def test_bad_refund_requests_name_the_field(
    personas, cashier, house_a, deposit, method, reason, field
):
    from propdesk.billing.services.adjustments import deposit_refund_request

    pay(cashier, house_a, "2000.00", bills=[deposit.id])
    with pytest.raises(ValidationFailed) as exc:
        deposit_refund_request(actor=personas["agent"], bill=deposit, method=method, reason=reason)
    assert exc.value.field == field
    assert not LedgerAdjustment.objects.exists()


@pytest.mark.parametrize("who", ["technician", "guard", "owner", "other_agent"])
def test_only_the_desk_and_cashiers_of_the_community_ask_for_a_deposit_refund(
    personas, cashier, house_a, deposit, who
):
    from propdesk.billing.services.adjustments import deposit_refund_request

    pay(cashier, house_a, "2000.00", bills=[deposit.id])
    with pytest.raises(PermissionDenied):
        deposit_refund_request(actor=personas[who], bill=deposit, method="cash", reason="退")
    assert not LedgerAdjustment.objects.exists()


def test_the_deposit_amount_must_be_positive(personas, house_a, schedule_a):
    from propdesk.billing.services.bills import decoration_deposit_bill

    for amount in (0, -5, "100", None):
        with pytest.raises(ValidationFailed) as exc:
            decoration_deposit_bill(
                actor=personas["agent"], house=house_a, permit_ref="ZX1", amount_fen=amount
            )
        assert exc.value.field == "deposit"


@pytest.mark.parametrize(
    ("who", "allowed"),
    [
        ("agent", True),
        ("technician", False),
        ("guard", False),
        ("owner", False),
        ("other_agent", False),
    ],
)
def test_the_desk_asks_for_a_procedure_bill_to_be_cancelled(personas, deposit, who, allowed):
    from propdesk.billing.services.adjustments import bill_cancel_request

    if not allowed:
        with pytest.raises(PermissionDenied):
            bill_cancel_request(actor=personas[who], bill=deposit, reason="申请已取消")
        assert not LedgerAdjustment.objects.exists()
        return
    adjustment = bill_cancel_request(actor=personas[who], bill=deposit, reason="申请已取消")
    assert (adjustment.kind, adjustment.bill_id, adjustment.status) == (
        "cancel_bill",
        deposit.id,
        "pending",
    )
