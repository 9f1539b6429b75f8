"""Taking payments (services.payments.payment_take): allocation, prepaid balance, idempotency,
refusals. Every refusal also shows that nothing was written."""

import datetime
from decimal import Decimal

import pytest

from propdesk.billing.models import Bill, LedgerEntry, Payment, Receipt
from propdesk.billing.selectors.accounts import (
    house_balance_fen,
    house_dues,
    open_bills,
    prepaid_fen,
)
from propdesk.billing.services.payments import payment_take
from propdesk.billing.tests.conftest import bill_for, pay, run_billing
from propdesk.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed

MAY, JUNE, JULY = (datetime.date(2026, m, 1) for m in (5, 6, 7))


@pytest.fixture
def three_months(supervisor, house_a, schedule_a):
    """house_a billed 170.05 for May, June and July."""
    for period in (MAY, JUNE, JULY):
        run_billing(supervisor, period, community=schedule_a)
    return [bill_for(house_a, p) for p in (MAY, JUNE, JULY)]


def money_rows() -> tuple:
    return (Payment.objects.count(), LedgerEntry.objects.count(), Receipt.objects.count())


def outstanding(bill) -> int:
    return next((b.outstanding_fen for b in open_bills(bill.house) if b.id == bill.id), 0)


def test_a_payment_pays_the_oldest_bills_first(cashier, house_a, three_months):
    result = pay(cashier, house_a, "340.10", method="wechat")
    may, june, july = three_months
    assert (outstanding(may), outstanding(june), outstanding(july)) == (0, 0, 17005)
    assert (result.created, result.allocated_fen, result.prepaid_fen) == (True, 34010, 0)
    assert house_balance_fen(house_a) == 17005
    assert result.payment.received_by == cashier
    assert result.receipt.number == 1


def test_a_partial_payment_leaves_the_rest_of_the_bill_open(cashier, house_a, three_months):
    pay(cashier, house_a, "100.00")
    may = three_months[0]
    assert outstanding(may) == 7005
    assert house_dues(house_a).outstanding_fen == 3 * 17005 - 10000


def test_chosen_bills_are_paid_whatever_their_age(cashier, house_a, three_months):
    may, june, july = three_months
    pay(cashier, house_a, "170.05", bills=[july.id])
    assert (outstanding(may), outstanding(june), outstanding(july)) == (17005, 17005, 0)


def test_an_overpayment_becomes_prepaid_balance_used_by_later_bills(
    cashier, supervisor, house_a, schedule_a
):
    run_billing(supervisor, JUNE, community=schedule_a)
    result = pay(cashier, house_a, "500.00", method="alipay")
    assert (result.allocated_fen, result.prepaid_fen) == (17005, 32995)
    assert prepaid_fen(house_a) == 32995
    assert house_balance_fen(house_a) == -32995
    run_billing(supervisor, JULY, community=schedule_a)  # the run pays July from the balance
    assert outstanding(bill_for(house_a, JULY)) == 0
    assert prepaid_fen(house_a) == 32995 - 17005
    assert house_balance_fen(house_a) == -(32995 - 17005)


def test_paying_chosen_bills_more_than_they_owe_keeps_the_rest_as_prepaid(
    cashier, house_a, three_months
):
    result = pay(cashier, house_a, "200.00", bills=[three_months[0].id])
    assert (result.allocated_fen, result.prepaid_fen) == (17005, 2995)
    assert outstanding(three_months[1]) == 17005


def test_the_same_idempotency_key_records_one_payment(cashier, house_a, three_months):
    first = pay(cashier, house_a, "170.05", key="desk-0001-abcdef", method="cash")
    again = pay(cashier, house_a, "170.05", key="desk-0001-abcdef", method="cash")
    assert (first.created, again.created) == (True, False)
    assert again.payment.id == first.payment.id
    assert again.receipt.id == first.receipt.id
    assert (again.allocated_fen, again.prepaid_fen) == (17005, 0)
    assert Payment.objects.count() == 1


def test_the_same_key_for_a_different_payment_is_refused(cashier, house_a, three_months):
    pay(cashier, house_a, "170.05", key="desk-0002-abcdef")
    before = money_rows()
    with pytest.raises(Conflict) as exc:
        pay(cashier, house_a, "170.06", key="desk-0002-abcdef")
    assert (exc.value.code, exc.value.field) == ("idempotency_key_reused", "idempotency_key")
    assert money_rows() == before


@pytest.mark.parametrize(
    ("amount", "code"),
    [
        ("-5", "bad_amount"),
        ("0", "bad_amount"),
        ("0.00", "bad_amount"),
        ("10.005", "bad_amount"),
        ("ten", "bad_amount"),
        ("", "bad_amount"),
        ("NaN", "bad_amount"),
    ],
)
def test_bad_amounts_are_refused_naming_the_field(cashier, house_a, three_months, amount, code):
    before = money_rows()
    with pytest.raises(ValidationFailed) as exc:
        pay(cashier, house_a, amount)
    assert (exc.value.code, exc.value.field) == (code, "amount")
    assert money_rows() == before


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"method": "cheque"}, "method"),
        ({"key": "short"}, "idempotency_key"),
        ({"key": "has spaces in it"}, "idempotency_key"),
        ({"payer_name": "x" * 61}, "payer_name"),
        ({"note": "bad\x00note"}, "note"),
    ],
)
def test_other_bad_input_is_refused_naming_the_field(cashier, house_a, three_months, kwargs, field):
    before = money_rows()
    with pytest.raises(ValidationFailed) as exc:
        pay(cashier, house_a, "10", **kwargs)
    assert exc.value.field == field
    assert money_rows() == before


def test_a_bill_of_another_house_is_refused(cashier, admin, house_a, house_factory, three_months):
    neighbour = house_factory()
    from propdesk.billing.services.bills import decoration_fee_bill

    other = decoration_fee_bill(actor=admin, house=neighbour, permit_ref="ZX-1")
    before = money_rows()
    with pytest.raises(NotFound) as exc:
        pay(cashier, house_a, "10", bills=[other.id])
    assert (exc.value.code, exc.value.field) == ("bill_other_house", "bills")
    assert money_rows() == before


def test_a_paid_bill_cannot_be_chosen_again(cashier, house_a, three_months):
    pay(cashier, house_a, "170.05", bills=[three_months[0].id])
    before = money_rows()
    with pytest.raises(Conflict) as exc:
        pay(cashier, house_a, "170.05", bills=[three_months[0].id])
    assert (exc.value.code, exc.value.field) == ("bill_not_open", "bills")
    assert money_rows() == before


@pytest.mark.parametrize("role", ["agent", "technician", "guard", "owner", "other_agent"])
def test_only_cashiers_supervisors_and_admins_take_payments(personas, role, house_a, three_months):
    before = money_rows()
    with pytest.raises(PermissionDenied):
        payment_take(
            actor=personas[role],
            house=house_a,
            amount="10",
            method="cash",
            idempotency_key="role-test-0001",
        )
    assert money_rows() == before


def test_a_cashier_of_another_community_is_refused(personas, house_b, schedule_b):
    from propdesk.accounts.models import Role
    from propdesk.conftest import make_user

    cashier_a = make_user("cashier_a2", Role.CASHIER, personas["cashier"].communities.first())
    with pytest.raises(PermissionDenied):
        pay(cashier_a, house_b, "10")
    assert not Payment.objects.exists()


def test_receipt_numbers_run_per_community_and_year(
    clock, cashier, admin, house_a, house_b, three_months, schedule_b
):
    from propdesk.billing.tests.conftest import SHANGHAI

    numbers = [pay(cashier, house_a, "1").receipt.number for _ in range(3)]
    assert numbers == [1, 2, 3]
    assert pay(admin, house_b, "1").receipt.number == 1  # community B counts on its own
    clock.move_to(datetime.datetime(2027, 1, 2, 9, 0, tzinfo=SHANGHAI))
    receipt = pay(cashier, house_a, "1").receipt
    assert (receipt.year, receipt.number, receipt.display_number) == (2027, 1, "2027-000001")


def test_the_payment_appears_in_the_house_history(cashier, house_a, three_months):
    from propdesk.core.models import AuditEvent

    result = pay(cashier, house_a, "170.05", method="pos_card")
    event = AuditEvent.objects.filter(house_id=house_a.id, action="payment").get()
    assert event.object_repr == result.receipt.display_number
    assert event.changes["amount"] == [None, "170.05"]


def test_amounts_are_decimals_with_two_places(cashier, house_a, three_months):
    result = pay(cashier, house_a, Decimal("170.05"))
    assert result.payment.amount == Decimal("170.05")
    assert str(result.payment.amount) == "170.05"
    assert Bill.objects.get(id=three_months[0].id).amount == Decimal("170.05")


def test_a_run_spends_each_house_s_own_prepaid_balance_oldest_bill_first(
    cashier, supervisor, admin, house_a, building_a, schedule_a
):
    from propdesk.billing.tests.conftest import make_house

    rich, poor = house_a, make_house(admin, building_a, area="89.50")
    run_billing(supervisor, MAY, community=schedule_a)
    run_billing(supervisor, JUNE, community=schedule_a)
    pay(cashier, rich, "400.00", bills=[bill_for(rich, JUNE).id])  # May stays open
    pay(cashier, poor, "10.00", bills=[bill_for(poor, JUNE).id])
    run_billing(supervisor, JULY, community=schedule_a)
    # rich: 400.00 − 170.05 (June) = 229.95 prepaid pays May, then 59.90 of July
    assert (outstanding(bill_for(rich, MAY)), outstanding(bill_for(rich, JULY))) == (0, 11015)
    assert prepaid_fen(rich) == 0
    assert house_balance_fen(rich) == 11015
    # poor had nothing prepaid: its bills are untouched
    assert outstanding(bill_for(poor, JUNE)) == 17005 - 1000
    assert outstanding(bill_for(poor, JULY)) == 17005
