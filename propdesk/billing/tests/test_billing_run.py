"""Billing runs (services.runs, billing.sql): the golden cases through the run's SQL, the same
figures from the Python rule (monthly_bill_quote), re-runs, scope, preview and resumption."""

import datetime
import random
from decimal import Decimal

import pytest

from propdesk.billing.models import Bill, BillingRun, FeeCode, FeeItem
from propdesk.billing.rules import add_months
from propdesk.billing.services.bills import monthly_bill_quote
from propdesk.billing.services.runs import (
    billing_run_execute,
    billing_run_preview,
    billing_run_resume,
    billing_run_start,
)
from propdesk.billing.services.schedule import billing_policy_update, fee_rate_add
from propdesk.billing.services.vacancy import vacancy_apply, vacancy_approve
from propdesk.billing.tests.conftest import SHANGHAI, bill_for, run_billing
from propdesk.core.errors import Conflict, PermissionDenied, ValidationFailed
from propdesk.estates import services as estates

JULY = datetime.date(2026, 7, 1)
AUGUST = datetime.date(2026, 8, 1)


def assert_python_agrees(house, period):
    """The run's bill and the Python rule's quote are the same to the fen."""
    bill = bill_for(
        house,
        period,
        FeeCode.MANAGEMENT_RESIDENTIAL
        if house.kind == "residential"
        else FeeCode.MANAGEMENT_COMMERCIAL,
    )
    quote = monthly_bill_quote(house, period)
    assert quote is not None
    assert (bill.amount_fen, bill.rate_fen, bill.percent, bill.days, bill.period_days) == (
        quote.amount_fen,
        quote.rate_fen,
        quote.percent,
        quote.days,
        quote.period_days,
    )
    assert bill.due_on == quote.due_on
    return bill


def test_residential_89_50_m2_is_billed_170_05_due_on_the_5th(supervisor, house_a, schedule_a):
    run = run_billing(supervisor, JULY, community=schedule_a)
    bill = assert_python_agrees(house_a, JULY)
    assert bill.amount == Decimal("170.05")
    assert bill.quantity == Decimal("89.50")
    assert bill.rate == Decimal("1.90")
    assert bill.due_on == datetime.date(2026, 7, 5)
    assert (run.status, run.bills_created, run.amount_fen) == ("done", 1, 17005)
    assert run.progress_percent == 100


def test_commercial_120_m2_is_billed_300(supervisor, house_factory):
    shop = house_factory(area="120.00", kind="commercial")
    run_billing(supervisor, JULY, community=shop.community)
    assert assert_python_agrees(shop, JULY).amount == Decimal("300.00")


def test_a_house_delivered_mid_month_is_pro_rated_by_days(supervisor, house_factory):
    house = house_factory(status="vacant", delivered_on=datetime.date(2026, 7, 17))
    run_billing(supervisor, JULY, community=house.community)
    bill = assert_python_agrees(house, JULY)
    assert (bill.days, bill.period_days, bill.amount) == (15, 31, Decimal("82.28"))


def test_pro_rating_can_be_switched_off(supervisor, house_factory, schedule_a):
    billing_policy_update(actor=supervisor, community=schedule_a, pro_rate_by_days=False)
    house = house_factory(status="vacant", delivered_on=datetime.date(2026, 7, 17))
    run_billing(supervisor, JULY, community=schedule_a)
    assert assert_python_agrees(house, JULY).amount == Decimal("170.05")


def test_a_house_delivered_after_the_month_and_unsold_houses_are_not_billed(
    supervisor, house_factory
):
    later = house_factory(status="vacant", delivered_on=datetime.date(2026, 8, 3))
    unsold = house_factory(status="unsold", delivered_on=None)
    run_billing(supervisor, JULY, community=later.community)
    assert not Bill.objects.filter(house__in=[later, unsold]).exists()
    assert monthly_bill_quote(later, JULY) is None
    assert monthly_bill_quote(unsold, JULY) is None


def test_a_rate_change_mid_year_bills_later_months_only(supervisor, house_a, schedule_a):
    run_billing(supervisor, JULY, community=schedule_a)
    item = FeeItem.objects.get(community=schedule_a, code=FeeCode.MANAGEMENT_RESIDENTIAL)
    fee_rate_add(actor=supervisor, fee_item=item, rate="2.10", effective_from=AUGUST)
    run_billing(supervisor, JULY, community=schedule_a)
    run_billing(supervisor, AUGUST, community=schedule_a)
    assert bill_for(house_a, JULY).amount == Decimal("170.05")  # issued bills never change
    august = assert_python_agrees(house_a, AUGUST)
    assert (august.rate, august.amount) == (Decimal("2.10"), Decimal("187.95"))
    assert monthly_bill_quote(house_a, JULY).amount_fen == 17005


@pytest.mark.parametrize(
    ("month", "expected"),
    [(5, Decimal("170.05")), (6, Decimal("170.05")), (7, Decimal("119.04"))],
)
def test_the_vacancy_rule_at_months_5_6_and_7(clock, supervisor, house_factory, month, expected):
    clock.move_to(datetime.datetime(2026, 2, 10, 10, 0, tzinfo=SHANGHAI))
    house = house_factory(status="vacant", delivered_on=datetime.date(2026, 1, 1))
    application = vacancy_apply(actor=supervisor, house=house, note="无人居住")
    application = vacancy_approve(actor=supervisor, application=application)
    assert application.discount_from == datetime.date(2026, 3, 1)
    clock.move_to(datetime.datetime(2026, 7, 10, 10, 0, tzinfo=SHANGHAI))
    period = add_months(datetime.date(2026, 1, 1), month - 1)
    run_billing(supervisor, period, community=house.community)
    bill = assert_python_agrees(house, period)
    assert bill.amount == expected


def test_the_vacancy_discount_starts_the_month_after_approval(supervisor, house_factory):
    house = house_factory(status="vacant", delivered_on=datetime.date(2025, 1, 1))
    vacancy_approve(actor=supervisor, application=vacancy_apply(actor=supervisor, house=house))
    run_billing(supervisor, JULY, community=house.community)
    run_billing(supervisor, AUGUST, community=house.community)
    assert assert_python_agrees(house, JULY).amount == Decimal("170.05")
    assert assert_python_agrees(house, AUGUST).amount == Decimal("119.04")


def test_the_discount_stops_the_month_the_house_is_occupied(supervisor, admin, house_factory):
    house = house_factory(status="vacant", delivered_on=datetime.date(2025, 1, 1))
    vacancy_approve(actor=supervisor, application=vacancy_apply(actor=supervisor, house=house))
    estates.house_change_status(
        actor=admin, house=house, status="occupied", effective_on=datetime.date(2026, 8, 20)
    )
    run_billing(supervisor, AUGUST, community=house.community)
    assert assert_python_agrees(house, AUGUST).amount == Decimal("170.05")


def test_without_an_approved_application_a_long_vacancy_pays_in_full(supervisor, house_factory):
    house = house_factory(status="vacant", delivered_on=datetime.date(2024, 1, 1))
    vacancy_apply(actor=supervisor, house=house)  # pending only
    run_billing(supervisor, AUGUST, community=house.community)
    assert assert_python_agrees(house, AUGUST).amount == Decimal("170.05")


def test_the_policy_can_waive_the_application(supervisor, house_factory, schedule_a):
    billing_policy_update(
        actor=supervisor, community=schedule_a, vacancy_requires_application=False
    )
    house = house_factory(status="vacant", delivered_on=datetime.date(2024, 1, 1))
    run_billing(supervisor, JULY, community=schedule_a)
    assert assert_python_agrees(house, JULY).amount == Decimal("119.04")


def test_the_sql_and_the_python_rule_agree_on_a_varied_estate(supervisor, admin, house_factory):
    rng = random.Random(7)
    houses = []
    for _ in range(40):
        delivered = rng.choice(
            [
                None,
                datetime.date(2020, 5, 1),
                datetime.date(2026, 7, rng.randint(1, 31)),
                datetime.date(2026, 1, rng.randint(1, 28)),
            ]
        )
        houses.append(
            house_factory(
                area=f"{rng.randint(2000, 30000) / 100:.2f}",
                kind=rng.choice(["residential", "residential", "commercial"]),
                status=rng.choice(["occupied", "vacant", "decorating"]),
                delivered_on=delivered,
            )
        )
    for house in houses[:8]:
        if house.status == "vacant":
            vacancy_approve(
                actor=supervisor, application=vacancy_apply(actor=supervisor, house=house)
            )
    run_billing(supervisor, JULY, community=houses[0].community)
    run_billing(supervisor, AUGUST, community=houses[0].community)
    for period in (JULY, AUGUST):
        for house in houses:
            quote = monthly_bill_quote(house, period)
            bill = Bill.objects.filter(house=house, period=period).first()
            assert (bill.amount_fen if bill else None) == (quote.amount_fen if quote else None)


def test_running_a_period_again_adds_only_what_is_missing(supervisor, house_a, house_factory):
    first = run_billing(supervisor, JULY, community=house_a.community)
    again = run_billing(supervisor, JULY, community=house_a.community)
    assert (first.bills_created, again.bills_created) == (1, 0)
    newcomer = house_factory()
    third = run_billing(supervisor, JULY, community=house_a.community)
    assert third.bills_created == 1
    assert Bill.objects.filter(period=JULY).count() == 2
    assert Bill.objects.get(house=newcomer).run_id == third.id


def test_parking_spaces_let_to_a_house_are_billed_by_kind(supervisor, admin, house_a, zhang_san):
    for number, kind, status in (
        ("P1", "dedicated", "let"),
        ("P2", "shared", "sold"),
        ("P3", "open_air", "let"),
        ("P4", "shared", "available"),
    ):
        space = estates.parking_space_create(
            actor=admin, community=house_a.community, number=number, kind=kind
        )
        if status != "available":
            estates.parking_space_assign(
                actor=admin, space=space, status=status, holder=zhang_san, house=house_a
            )
    run_billing(supervisor, JULY, community=house_a.community)
    parking = dict(
        Bill.objects.filter(house=house_a, fee_item__code__startswith="parking").values_list(
            "description", "amount_fen"
        )
    )
    assert parking == {"P1": 8000, "P2": 26000, "P3": 15000}
    again = run_billing(supervisor, JULY, community=house_a.community)
    assert again.bills_created == 0


def test_a_building_run_bills_that_building_only(supervisor, admin, house_a, community_a):
    other = estates.building_create(actor=admin, community=community_a, number="9")
    elsewhere = estates.house_create(
        actor=admin,
        building=other,
        unit_number="1",
        number="101",
        floor=1,
        area_m2="50",
        status="occupied",
    )
    run = run_billing(supervisor, JULY, building=house_a.building)
    assert run.scope == "building"
    assert Bill.objects.filter(house=house_a).exists()
    assert not Bill.objects.filter(house=elsewhere).exists()


def test_a_company_run_bills_every_community(admin, house_a, house_b, company):
    estates.house_change_status(actor=admin, house=house_b, status="occupied")
    run = run_billing(admin, JULY, company=company)
    assert run.scope == "company"
    assert run.bills_created == 2
    assert bill_for(house_b, JULY).amount == Decimal("133.00")  # 70 m² × 1.90


def test_only_a_company_wide_user_can_run_the_company(supervisor, company, house_a):
    with pytest.raises(PermissionDenied):
        billing_run_start(actor=supervisor, period=JULY, company=company)


@pytest.mark.parametrize("role", ["agent", "cashier", "technician", "guard", "owner"])
def test_only_supervisors_and_admins_run_billing(personas, role, house_a, schedule_a):
    with pytest.raises(PermissionDenied):
        billing_run_start(actor=personas[role], period=JULY, community=schedule_a)
    assert not BillingRun.objects.exists()


def test_another_communitys_supervisor_cannot_bill_it(personas, house_b, schedule_b):
    with pytest.raises(PermissionDenied):
        billing_run_preview(actor=personas["supervisor"], period=JULY, community=schedule_b)


def test_the_preview_counts_totals_and_exceptions_without_writing(
    supervisor, house_a, house_factory
):
    house_factory(area="120.00", kind="commercial")
    house_factory(status="unsold", delivered_on=None)
    house_factory(status="vacant", delivered_on=datetime.date(2026, 9, 1))
    preview = billing_run_preview(actor=supervisor, period=JULY, community=house_a.community)
    assert preview["bills"] == 2
    assert preview["amount_fen"] == 17005 + 30000
    assert {row["code"]: (row["bills"], row["amount_fen"]) for row in preview["by_item"]} == {
        "mgmt_commercial": (1, 30000),
        "mgmt_residential": (1, 17005),
    }
    exceptions = preview["exceptions"]
    assert (exceptions["houses"], exceptions["unsold"], exceptions["not_delivered"]) == (4, 1, 1)
    assert exceptions["no_rate"] == []
    assert not Bill.objects.exists()
    run_billing(supervisor, JULY, community=house_a.community)
    again = billing_run_preview(actor=supervisor, period=JULY, community=house_a.community)
    assert (again["bills"], again["exceptions"]["already_billed"]) == (0, 2)


def test_the_preview_names_fee_items_without_a_rate(supervisor, house_a, schedule_a):
    FeeItem.objects.filter(community=schedule_a, code=FeeCode.MANAGEMENT_COMMERCIAL).update(
        active=False
    )
    preview = billing_run_preview(actor=supervisor, period=JULY, community=schedule_a)
    assert preview["exceptions"]["no_rate"] == ["mgmt_commercial"]


def test_a_closed_period_cannot_be_billed(supervisor, house_a, schedule_a):
    from propdesk.billing.services.schedule import billing_period_close

    billing_period_close(actor=supervisor, community=schedule_a, period=datetime.date(2026, 6, 1))
    with pytest.raises(Conflict) as exc:
        billing_run_start(actor=supervisor, period=datetime.date(2026, 6, 1), community=schedule_a)
    assert (exc.value.code, exc.value.field) == ("period_closed", "period")
    assert not BillingRun.objects.exists()


@pytest.mark.parametrize("period", ["2026-13", "July", "2026-07-15", "2026-09"])
def test_bad_periods_are_refused(supervisor, house_a, schedule_a, period):
    with pytest.raises(ValidationFailed) as exc:
        billing_run_start(actor=supervisor, period=period, community=schedule_a)
    assert exc.value.field == "period"


def test_a_second_run_of_the_same_scope_waits_for_the_first(supervisor, house_a, schedule_a):
    billing_run_start(actor=supervisor, period=JULY, community=schedule_a)
    with pytest.raises(Conflict) as exc:
        billing_run_start(actor=supervisor, period=JULY, community=schedule_a)
    assert exc.value.code == "run_busy"


def test_an_interrupted_run_resumes_from_the_community_it_stopped_at(
    admin, house_a, house_b, company, monkeypatch
):
    from propdesk.billing import sql
    from propdesk.billing.services import runs

    estates.house_change_status(actor=admin, house=house_b, status="occupied")
    monkeypatch.setattr(runs, "CHUNK_COMMUNITIES", 1)
    run = billing_run_start(actor=admin, period=JULY, company=company)
    real = sql.insert_parking_bills
    calls = []

    def fail_on_second(batch, **kwargs):
        calls.append(batch)
        if len(calls) == 2:
            raise RuntimeError("worker killed")
        return real(batch, **kwargs)

    monkeypatch.setattr(sql, "insert_parking_bills", fail_on_second)
    run = billing_run_execute(run.id)
    assert (run.status, run.communities_done, run.bills_created) == ("failed", 1, 1)
    assert "worker killed" in run.error
    assert Bill.objects.count() == 1  # the second community's transaction rolled back
    monkeypatch.setattr(sql, "insert_parking_bills", real)
    billing_run_resume(actor=admin, run=run)
    run = billing_run_execute(run.id)
    assert (run.status, run.communities_done, run.bills_created) == ("done", 2, 2)
    assert Bill.objects.count() == 2


def test_a_finished_run_is_not_resumed(supervisor, house_a, schedule_a):
    run = run_billing(supervisor, JULY, community=schedule_a)
    with pytest.raises(Conflict):
        billing_run_resume(actor=supervisor, run=run)
    assert billing_run_execute(run.id).bills_created == 1  # executing again claims nothing


def test_a_started_run_is_handed_to_the_worker_after_commit(
    supervisor, house_a, schedule_a, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        run = billing_run_start(actor=supervisor, period=JULY, community=schedule_a)
    run.refresh_from_db()
    assert (run.status, run.bills_created) == ("done", 1)
