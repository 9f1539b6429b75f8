"""Concurrent payments on PostgreSQL (SQLite runs one writer at a time, so it proves nothing):
one idempotency key sent 20 times at once records one payment; two cashiers paying the same bill
at once never allocate more than it owes."""

import datetime
import threading

import pytest
from django.db import connection, connections

from propdesk.billing.models import LedgerEntry, Payment, Receipt
from propdesk.billing.selectors.accounts import open_bills, prepaid_fen
from propdesk.billing.services.payments import payment_take
from propdesk.billing.tests.conftest import bill_for, run_billing
from propdesk.core.errors import Conflict

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)
JULY = datetime.date(2026, 7, 1)


@pytest.fixture(autouse=True)
def _postgresql_only():
    if connection.vendor != "postgresql":
        pytest.skip("only PostgreSQL runs writing transactions at once")


def run_together(count: int, work) -> list[dict]:
    """Run `work(i)` in `count` threads released at the same moment, each on its connection."""
    start = threading.Barrier(count)
    outcomes = [{} for _ in range(count)]

    def run(i):
        try:
            start.wait(10)
            outcomes[i]["value"] = work(i)
        except Exception as exc:  # reported to the test
            outcomes[i]["error"] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    return outcomes


@pytest.fixture
def july_bill(supervisor, house_a, schedule_a):
    run_billing(supervisor, JULY, community=schedule_a)
    return bill_for(house_a, JULY)


def test_twenty_submissions_of_one_key_record_one_payment(cashier, house_a, july_bill):
    def submit(_i):
        return payment_take(
            actor=cashier,
            house=house_a,
            amount="170.05",
            method="wechat",
            idempotency_key="wx-order-20260710-0001",
        )

    outcomes = run_together(20, submit)
    assert [o.get("error") for o in outcomes] == [None] * 20
    results = [o["value"] for o in outcomes]
    assert len({r.payment.id for r in results}) == 1
    assert sum(r.created for r in results) == 1
    assert Payment.objects.count() == 1
    assert Receipt.objects.count() == 1
    assert LedgerEntry.objects.filter(kind="payment").count() == 1
    assert open_bills(house_a) == []
    assert prepaid_fen(house_a) == 0


def test_two_cashiers_paying_the_same_bill_never_over_allocate(
    cashier, supervisor, house_a, july_bill
):
    cashiers = [cashier, supervisor]

    def submit(i):
        return payment_take(
            actor=cashiers[i],
            house=house_a,
            amount="170.05",
            method="cash",
            idempotency_key=f"desk-{i}-20260710-0001",
            bill_ids=[july_bill.id],
        )

    outcomes = run_together(2, submit)
    errors = [o["error"] for o in outcomes if "error" in o]
    assert len(errors) == 1 and isinstance(errors[0], Conflict)
    assert errors[0].code == "bill_not_open"
    allocated = -sum(
        LedgerEntry.objects.filter(bill=july_bill, kind="allocation").values_list(
            "amount_fen", flat=True
        )
    )
    assert allocated == 17005
    assert Payment.objects.count() == 1


def test_two_cashiers_paying_oldest_first_split_the_bill_and_the_rest_is_prepaid(
    cashier, supervisor, house_a, july_bill
):
    cashiers = [cashier, supervisor]

    def submit(i):
        return payment_take(
            actor=cashiers[i],
            house=house_a,
            amount="100.00",
            method="cash",
            idempotency_key=f"desk-{i}-20260710-0002",
        )

    outcomes = run_together(2, submit)
    assert [o.get("error") for o in outcomes] == [None, None]
    allocated = -sum(
        LedgerEntry.objects.filter(bill=july_bill, kind="allocation").values_list(
            "amount_fen", flat=True
        )
    )
    assert allocated == 17005
    assert prepaid_fen(house_a) == 20000 - 17005
    assert sorted(o["value"].allocated_fen for o in outcomes) == [7005, 10000]
