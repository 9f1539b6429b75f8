"""The fee gate (house_dues), arrears aging, collection rate and the owner statement."""

import datetime
import io
import subprocess

import openpyxl
import pytest

from propdesk.billing.selectors.accounts import house_dues, house_ledger
from propdesk.billing.selectors.reports import arrears_aging, collection_rate
from propdesk.billing.services.adjustments import adjustment_approve, adjustment_request
from propdesk.billing.services.figures import dashboard_figures as dashboard
from propdesk.billing.services.statements import statement_pdf_for, statement_xlsx
from propdesk.billing.tests.conftest import SHANGHAI, bill_for, pay, run_billing

JAN = datetime.date(2026, 1, 1)
JUNE, JULY, AUGUST = (datetime.date(2026, m, 1) for m in (6, 7, 8))


def test_the_gate_says_a_house_without_bills_owes_nothing(house_a, schedule_a):
    dues = house_dues(house_a)
    assert (dues.owes, dues.outstanding_fen, dues.overdue_fen, dues.bills) == (False, 0, 0, [])


def test_the_gate_lists_what_a_house_owes_and_what_is_overdue(
    cashier, supervisor, house_a, schedule_a
):
    run_billing(supervisor, JUNE, community=schedule_a)
    run_billing(supervisor, AUGUST, community=schedule_a)  # due 5 August: not overdue yet
    pay(cashier, house_a, "70.05")
    dues = house_dues(house_a)
    assert dues.owes is True
    assert (dues.outstanding_fen, dues.overdue_fen, dues.prepaid_fen) == (10000 + 17005, 10000, 0)
    assert [(b.period, b.outstanding_fen, b.overdue) for b in dues.bills] == [
        (JUNE, 10000, True),
        (AUGUST, 17005, False),
    ]
    assert dues.bills[0].fee_code == "mgmt_residential"
    pay(cashier, house_a, "270.05")
    assert house_dues(house_a).owes is False


def test_arrears_are_aged_in_buckets_by_house_building_and_community(
    clock, cashier, supervisor, house_a, house_factory, schedule_a
):
    shop = house_factory(area="120.00", kind="commercial")
    for period in (datetime.date(2025, 6, 1), JAN, datetime.date(2026, 4, 1), JUNE, JULY):
        run_billing(supervisor, period, community=schedule_a)
    aging = arrears_aging([schedule_a.id], as_of=datetime.date(2026, 7, 10))
    # due 2025-06-05 → 400 days; 2026-01-05 → 186; 2026-04-05 → 96; 2026-06-05 → 35;
    # 2026-07-05 → 5
    house = next(row for row in aging.houses if row.label == house_a.code)
    assert house.buckets == {
        "d0_30": 17005,
        "d31_90": 17005,
        "d91_180": 17005,
        "d181_365": 17005,
        "d365_plus": 17005,
    }
    assert house.owner == ""
    shop_row = next(row for row in aging.houses if row.key == shop.id)
    assert shop_row.total_fen == 5 * 30000
    assert [(b.label, b.total_fen) for b in aging.buildings] == [("3", 5 * 47005)]
    assert [(c.label, c.total_fen) for c in aging.communities] == [("甲小区", 5 * 47005)]
    assert aging.total_fen == 5 * 47005
    pay(cashier, house_a, "170.05")  # pays the oldest
    again = arrears_aging([schedule_a.id], as_of=datetime.date(2026, 7, 10))
    house = next(row for row in again.houses if row.label == house_a.code)
    assert house.buckets["d365_plus"] == 0


def test_another_communitys_arrears_are_not_included(
    supervisor, admin, house_a, house_b, schedule_a, schedule_b
):
    from propdesk.estates import services as estates

    estates.house_change_status(actor=admin, house=house_b, status="occupied")
    run_billing(admin, JUNE, community=schedule_b)
    run_billing(supervisor, JUNE, community=schedule_a)
    aging = arrears_aging([schedule_a.id], as_of=datetime.date(2026, 7, 10))
    assert [row.label for row in aging.houses] == [house_a.code]


def test_the_collection_rate_is_collected_over_billed_for_the_month(
    clock, cashier, supervisor, house_a, house_factory, schedule_a
):
    other = house_factory(area="100.00")
    run_billing(supervisor, JUNE, community=schedule_a)
    pay(cashier, house_a, "170.05")
    rate = collection_rate([schedule_a.id], JUNE)
    assert (rate.billed_fen, rate.collected_fen) == (17005 + 19000, 17005)
    assert rate.rate_percent == "47.2%"
    adjustment_approve(
        actor=supervisor,
        adjustment=adjustment_request(
            actor=cashier,
            house=other,
            kind="write_off",
            bill=bill_for(other, JUNE),
            amount="90.00",
            reason="协商减免",
        ),
    )
    assert collection_rate([schedule_a.id], JUNE).billed_fen == 17005 + 10000
    clock.move_to(datetime.datetime(2026, 8, 3, 10, 0, tzinfo=SHANGHAI))
    run_billing(supervisor, AUGUST, community=schedule_a)
    pay(cashier, other, "100.00")  # June's arrears, paid in August
    august = collection_rate([schedule_a.id], AUGUST)
    assert august.recovered_fen == 10000
    assert august.collected_fen == 0
    assert collection_rate([schedule_a.id], datetime.date(2025, 1, 1)).rate is None


def test_the_dashboard_figures(cashier, supervisor, house_a, schedule_a):
    run_billing(supervisor, JUNE, community=schedule_a)
    run_billing(supervisor, JULY, community=schedule_a)
    pay(cashier, house_a, "170.05", method="wechat")
    figures = dashboard([schedule_a.id])
    assert figures["months"][-2:] == ["2026-06", "2026-07"]
    assert figures["billed"][-2:] == ["170.05", "170.05"]
    assert figures["collected"][-2:] == ["170.05", "0.00"]
    methods = {row["method"]: row["amount"] for row in figures["methods"]}
    assert sorted(methods.values())[-1] == "170.05"


def test_the_dashboard_reads_stored_figures_until_they_are_computed_again(
    clock, admin, cashier, supervisor, house_a, schedule_a, schedule_b, house_b
):
    from propdesk.billing.models import CommunityFigures
    from propdesk.billing.services.figures import figures_refresh
    from propdesk.billing.tasks import billing_figures_refresh_periodic

    run_billing(supervisor, JULY, community=schedule_a)
    first = dashboard([schedule_a.id])  # computed on the spot: there were no figures
    assert first["billed"][-1] == "170.05" and first["collected"][-1] == "0.00"
    assert CommunityFigures.objects.filter(community_id=schedule_a.id).exists()
    pay(cashier, house_a, "170.05", method="wechat")
    clock.shift(60)
    stale = dashboard([schedule_a.id])
    assert stale["collected"][-1] == "0.00"  # as of the last computation...
    assert {m["amount"] for m in stale["methods"]} >= {"170.05"}  # ...but takings are live
    assert figures_refresh([schedule_a.id]) == 1
    assert dashboard([schedule_a.id])["collected"][-1] == "170.05"
    clock.shift(60)
    assert billing_figures_refresh_periodic.call_local() == 1  # B never computed; A unchanged
    clock.shift(60)
    assert billing_figures_refresh_periodic.call_local() == 0  # nothing moved since
    pay(admin, house_b, "1.00", method="cash")
    clock.shift(60)
    assert billing_figures_refresh_periodic.call_local() == 1  # B's money moved
    clock.move_to(datetime.datetime(2026, 7, 11, 9, 0, tzinfo=SHANGHAI))
    assert billing_figures_refresh_periodic.call_local() == 2  # a new day: arrears have aged
    both = dashboard([schedule_a.id, schedule_b.id])
    assert both["aging"] == [
        {"bucket": b, "amount": "0.00"}
        for b in ("d0_30", "d31_90", "d91_180", "d181_365", "d365_plus")
    ]
    assert both["computed_at"] is not None


def test_figures_of_a_past_month_are_computed_again_when_the_month_turns(
    clock, supervisor, schedule_a
):
    first = dashboard([schedule_a.id])
    clock.move_to(datetime.datetime(2026, 8, 2, 9, 0, tzinfo=SHANGHAI))
    later = dashboard([schedule_a.id])
    assert later["months"][-1] == "2026-08" and later["months"][-1] not in first["months"]
    assert later["computed_at"] > first["computed_at"]


def test_the_dashboard_reads_a_fixed_number_of_rows(
    supervisor, schedule_a, schedule_b, django_assert_max_num_queries
):
    from propdesk.billing.services.figures import figures_refresh

    figures_refresh()
    with django_assert_max_num_queries(2):  # the stored figures, the month's takings
        dashboard([schedule_a.id, schedule_b.id])


def test_the_owner_statement_runs_a_balance_over_a_date_range(
    clock, cashier, supervisor, house_a, schedule_a
):
    clock.move_to(datetime.datetime(2026, 6, 2, 9, 0, tzinfo=SHANGHAI))
    run_billing(supervisor, JUNE, community=schedule_a)
    clock.move_to(datetime.datetime(2026, 6, 20, 9, 0, tzinfo=SHANGHAI))
    pay(cashier, house_a, "200.00", method="cash")
    clock.move_to(datetime.datetime(2026, 7, 2, 9, 0, tzinfo=SHANGHAI))
    run_billing(supervisor, JULY, community=schedule_a)
    opening, lines, closing = house_ledger(
        house_a, date_from=datetime.date(2026, 6, 15), date_to=datetime.date(2026, 7, 31)
    )
    assert opening == 17005
    # the July bill is paid from the prepaid balance: an allocation, not shown
    assert [(line.kind, line.amount_fen, line.balance_fen) for line in lines] == [
        ("payment", -20000, -2995),
        ("bill", 17005, 14010),
    ]
    assert closing == 14010
    text = subprocess.run(
        ["pdftotext", "-layout", "-", "-"],
        input=statement_pdf_for(house_a, datetime.date(2026, 6, 1), datetime.date(2026, 7, 31)),
        capture_output=True,
        check=True,
    ).stdout.decode()
    assert "3-2-1502" in text and "140.10" in text
    book = openpyxl.load_workbook(
        io.BytesIO(statement_xlsx(house_a, datetime.date(2026, 6, 1), datetime.date(2026, 7, 31)))
    )
    rows = [[c.value for c in row] for row in book.active.iter_rows(min_row=2)]
    assert rows[-1][-1] == pytest.approx(140.10)
