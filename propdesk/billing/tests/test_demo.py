"""The demo's fees (billing.demo): a year of bills and payments that obey the ledger's rules."""

import datetime
import random
from collections import defaultdict

from propdesk.billing.demo import load_demo_billing
from propdesk.billing.models import Bill, LedgerAdjustment, Payment, Receipt
from propdesk.billing.selectors.accounts import (
    house_balance_fen,
    house_dues,
    open_bills,
    prepaid_fen,
)
from propdesk.billing.tests.conftest import make_house
from propdesk.estates import services as estates


def test_the_demo_bills_a_year_and_pays_it_like_real_owners(
    personas, admin, building_a, community_a
):
    houses = [make_house(admin, building_a, area=f"{80 + i}.00") for i in range(24)]
    for house in houses[:3]:
        estates.house_change_status(
            actor=admin, house=house, status="vacant", effective_on=datetime.date(2026, 1, 1)
        )
    summary = load_demo_billing(communities=[community_a], rng=random.Random(3))
    periods = set(
        Bill.objects.filter(fee_item__code="mgmt_residential").values_list("period", flat=True)
    )
    assert len(periods) == 12
    assert summary["bills"] >= 24 * 12
    assert summary["payments"] > 50
    assert Payment.objects.filter(
        received_at__lt=datetime.datetime(2026, 7, 1, tzinfo=datetime.UTC)
    ).exists()
    assert LedgerAdjustment.objects.filter(status="pending").count() == 2
    # receipts: numbered 1..n per year, in the order the payments were taken
    numbers = defaultdict(list)
    for receipt in Receipt.objects.select_related("payment").order_by("payment__received_at", "id"):
        numbers[receipt.year].append(receipt.number)
    for year_numbers in numbers.values():
        assert year_numbers == list(range(1, len(year_numbers) + 1))
    # the ledger still adds up, and some houses are in arrears (the reminders have work)
    in_arrears = 0
    for house in houses:
        outstanding = sum(b.outstanding_fen for b in open_bills(house))
        assert house_balance_fen(house) == outstanding - prepaid_fen(house)
        in_arrears += house_dues(house).overdue_fen > 0
    assert 0 < in_arrears < len(houses)
