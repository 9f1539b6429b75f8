"""Shared utility settlements, deposits, meter top-ups, decoration fee and temporary parking."""

import datetime
from decimal import Decimal

import pytest

from propdesk.billing.models import Bill, MeterTopUp, Payment, UtilitySettlementLine
from propdesk.billing.selectors.accounts import house_dues, open_bills
from propdesk.billing.selectors.schedule import temporary_parking_quote
from propdesk.billing.services.bills import decoration_fee_bill, utility_deposit_bill
from propdesk.billing.services.utilities import (
    deposit_balances,
    meter_top_up,
    utility_settlement_create,
)
from propdesk.billing.tests.conftest import pay
from propdesk.core.errors import Conflict, PermissionDenied, ValidationFailed

JUNE = datetime.date(2026, 6, 1)


def test_decoration_for_89_50_m2_is_billed_313_25_once_per_permit(agent, house_a, schedule_a):
    bill = decoration_fee_bill(actor=agent, house=house_a, permit_ref="ZX2026-001")
    assert (bill.amount, bill.quantity, bill.rate) == (
        Decimal("313.25"),
        Decimal("89.50"),
        Decimal("3.50"),
    )
    assert bill.ref == "permit:ZX2026-001"
    assert house_dues(house_a).outstanding_fen == 31325
    with pytest.raises(Conflict):
        decoration_fee_bill(actor=agent, house=house_a, permit_ref="ZX2026-001")
    decoration_fee_bill(actor=agent, house=house_a, permit_ref="ZX2026-002")
    assert Bill.objects.filter(house=house_a).count() == 2


def test_a_guard_cannot_bill_a_decoration_fee(personas, house_a, schedule_a):
    with pytest.raises(PermissionDenied):
        decoration_fee_bill(actor=personas["guard"], house=house_a, permit_ref="ZX-9")
    assert not Bill.objects.exists()


def test_a_one_off_bill_is_paid_from_the_prepaid_balance(cashier, agent, house_a, schedule_a):
    pay(cashier, house_a, "1000.00")
    bill = decoration_fee_bill(actor=agent, house=house_a, permit_ref="ZX-3")
    assert open_bills(house_a) == []
    assert bill.amount_fen == 31325


@pytest.fixture
def estate(admin, building_a, house_a, house_factory, schedule_a):
    """Three delivered houses of 89.50, 120.00 and 70.00 m² and one unsold house."""
    shop = house_factory(area="120.00", kind="commercial")
    flat = house_factory(area="70.00")
    house_factory(area="100.00", status="unsold", delivered_on=None)
    return house_a, shop, flat


def test_a_settlement_shares_the_cost_by_area_to_the_fen(supervisor, estate, schedule_a):
    settlement = utility_settlement_create(
        actor=supervisor, community=schedule_a, utility="water", period=JUNE, cost="1000.00"
    )
    shares = dict(
        UtilitySettlementLine.objects.filter(settlement=settlement).values_list(
            "house_id", "share_fen"
        )
    )
    house_a, shop, flat = estate
    # 279.50 m² in all: 89.50 → 320.21, 120.00 → 429.34, 70.00 → 250.45 (largest remainder)
    assert shares == {house_a.id: 32021, shop.id: 42934, flat.id: 25045}
    assert sum(shares.values()) == 100000
    assert (settlement.drawn_fen, settlement.billed_fen) == (0, 100000)
    topups = Bill.objects.filter(fee_item__code="utility_share").order_by("house_id")
    assert [b.amount_fen for b in topups] == [32021, 42934, 25045]


def test_a_settlement_draws_from_paid_deposits_and_bills_only_the_shortfall(
    cashier, supervisor, agent, estate, schedule_a
):
    house_a, shop, flat = estate
    deposit = utility_deposit_bill(actor=agent, house=house_a)
    assert deposit.amount == Decimal("500.00")
    pay(cashier, house_a, "500.00", bills=[deposit.id])
    utility_deposit_bill(actor=agent, house=shop)
    pay(cashier, shop, "300.00")  # part of the deposit only
    assert deposit_balances(schedule_a.id, [house_a.id, shop.id, flat.id]) == {
        house_a.id: 50000,
        shop.id: 30000,
        flat.id: 0,
    }
    settlement = utility_settlement_create(
        actor=supervisor,
        community=schedule_a,
        utility="electricity",
        period=JUNE,
        cost="1000.00",
    )
    lines = {
        line.house_id: (line.share_fen, line.drawn_fen, line.bill.amount_fen if line.bill else 0)
        for line in UtilitySettlementLine.objects.filter(settlement=settlement).select_related(
            "bill"
        )
    }
    assert lines == {
        house_a.id: (32021, 32021, 0),
        shop.id: (42934, 30000, 12934),
        flat.id: (25045, 0, 25045),
    }
    assert deposit_balances(schedule_a.id, [house_a.id, shop.id]) == {
        house_a.id: 50000 - 32021,
        shop.id: 0,
    }


def test_a_settlement_is_paid_from_prepaid_balances_and_opens_the_accounts(
    cashier, supervisor, estate, schedule_a
):
    from propdesk.billing.models import HouseAccount

    house_a, shop, flat = estate
    pay(cashier, shop, "100.00")  # prepaid: pays part of its share
    settlement = utility_settlement_create(
        actor=supervisor, community=schedule_a, utility="water", period=JUNE, cost="1000.00"
    )
    assert settlement.billed_fen == 100000
    assert [b.outstanding_fen for b in open_bills(shop)] == [42934 - 10000]
    assert [b.outstanding_fen for b in open_bills(flat)] == [25045]
    # Every billed house has its account, as paying or billing it opens one.
    assert set(HouseAccount.objects.values_list("house_id", flat=True)) == {
        house_a.id,
        shop.id,
        flat.id,
    }


def test_a_settlement_runs_a_fixed_number_of_queries(supervisor, estate, house_factory, schedule_a):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as three:
        utility_settlement_create(
            actor=supervisor, community=schedule_a, utility="water", period=JUNE, cost="1000.00"
        )
    for _n in range(20):
        house_factory(area="80.00")
    with CaptureQueriesContext(connection) as twenty_three:
        utility_settlement_create(
            actor=supervisor,
            community=schedule_a,
            utility="electricity",
            period=JUNE,
            cost="1000.00",
        )
    assert len(twenty_three.captured_queries) <= len(three.captured_queries)


def test_a_building_settlement_shares_among_that_building(supervisor, admin, estate, schedule_a):
    from propdesk.estates import services as estates

    other = estates.building_create(actor=admin, community=schedule_a, number="8")
    lone = estates.house_create(
        actor=admin,
        building=other,
        unit_number="1",
        number="1",
        floor=1,
        area_m2="50",
        status="occupied",
    )
    settlement = utility_settlement_create(
        actor=supervisor,
        community=schedule_a,
        building=other,
        utility="water",
        period=JUNE,
        cost="33.33",
    )
    assert list(settlement.lines.values_list("house_id", "share_fen")) == [(lone.id, 3333)]
    with pytest.raises(Conflict):
        utility_settlement_create(
            actor=supervisor, community=schedule_a, utility="water", period=JUNE, cost="1"
        )


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"cost": "-1"}, "cost"),
        ({"cost": "0"}, "cost"),
        ({"cost": "1.001"}, "cost"),
        ({"utility": "gas"}, "utility"),
        ({"period": "2026-6-x"}, "period"),
    ],
)
def test_bad_settlements_are_refused(supervisor, estate, schedule_a, kwargs, field):
    values = {"utility": "water", "period": JUNE, "cost": "100"} | kwargs
    with pytest.raises(ValidationFailed) as exc:
        utility_settlement_create(actor=supervisor, community=schedule_a, **values)
    assert exc.value.field == field
    assert not UtilitySettlementLine.objects.exists()


def test_a_meter_top_up_is_a_paid_bill_with_a_receipt(cashier, house_a, schedule_a):
    done = meter_top_up(
        actor=cashier,
        house=house_a,
        utility="electricity",
        meter_number="E-12345",
        amount="200.00",
        method="wechat",
        idempotency_key="topup-0001-aaaa",
    )
    assert done.created
    top_up = done.top_up
    assert (top_up.bill.amount_fen, top_up.payment.amount_fen) == (20000, 20000)
    assert top_up.bill.fee_item.code == "electricity_top_up"
    assert top_up.payment.receipt.number == 1
    assert open_bills(house_a) == []
    again = meter_top_up(
        actor=cashier,
        house=house_a,
        utility="electricity",
        meter_number="E-12345",
        amount="200.00",
        method="wechat",
        idempotency_key="topup-0001-aaaa",
    )
    assert (again.created, again.top_up.id) == (False, top_up.id)
    with pytest.raises(Conflict):
        meter_top_up(
            actor=cashier,
            house=house_a,
            utility="electricity",
            meter_number="E-99999",
            amount="200.00",
            method="wechat",
            idempotency_key="topup-0001-aaaa",
        )
    assert (MeterTopUp.objects.count(), Payment.objects.count()) == (1, 1)


def test_a_top_up_does_not_take_the_prepaid_balance(cashier, house_a, schedule_a):
    pay(cashier, house_a, "50.00")  # prepaid, no bills
    meter_top_up(
        actor=cashier,
        house=house_a,
        utility="water",
        meter_number="W1",
        amount="30.00",
        method="cash",
        idempotency_key="topup-0002-aaaa",
    )
    assert house_dues(house_a).prepaid_fen == 5000


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"amount": "0"}, "amount"),
        ({"meter_number": "W 1"}, "meter_number"),
        ({"meter_number": ""}, "meter_number"),
        ({"utility": "gas"}, "utility"),
        ({"idempotency_key": "x"}, "idempotency_key"),
    ],
)
def test_bad_top_ups_are_refused(cashier, house_a, schedule_a, kwargs, field):
    values = {
        "utility": "water",
        "meter_number": "W1",
        "amount": "10",
        "method": "cash",
        "idempotency_key": "topup-0003-aaaa",
    } | kwargs
    with pytest.raises(ValidationFailed) as exc:
        meter_top_up(actor=cashier, house=house_a, **values)
    assert exc.value.field == field
    assert not Bill.objects.exists()


def test_temporary_parking_follows_the_policy(supervisor, schedule_a):
    from propdesk.billing.services.schedule import billing_policy_update

    today = datetime.date(2026, 7, 10)
    assert [temporary_parking_quote(schedule_a.id, m, today) for m in (30, 61, 720, 800)] == [
        0,
        500,
        500,
        1000,
    ]
    billing_policy_update(
        actor=supervisor,
        community=schedule_a,
        temp_parking_short_fee="2.00",
        temp_parking_free_minutes=30,
    )
    assert temporary_parking_quote(schedule_a.id, 20, today) == 200
    assert temporary_parking_quote(schedule_a.id, 45, today) == 500
