"""Fixtures of the fees tests: a frozen clock, community A's fee schedule, houses to bill.

The clock stands at 2026-07-10 10:00 in Shanghai unless a test moves it; house_a (3-2-1502,
89.50 m², residential, occupied since 2021) belongs to 张三 (conftest.py).
"""

import datetime
import itertools
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine

SHANGHAI = ZoneInfo("Asia/Shanghai")
NOW = datetime.datetime(2026, 7, 10, 10, 0, tzinfo=SHANGHAI)
_numbers = itertools.count(1)


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def cashier(personas):
    return personas["cashier"]


@pytest.fixture
def supervisor(personas):
    return personas["supervisor"]


@pytest.fixture
def schedule_a(community_a):
    """Community A with the default fee schedule (1.90 residential, 2.50 commercial …)."""
    from propdesk.billing.services.schedule import billing_defaults_ensure

    billing_defaults_ensure(community=community_a)
    return community_a


@pytest.fixture
def schedule_b(community_b):
    from propdesk.billing.services.schedule import billing_defaults_ensure

    billing_defaults_ensure(community=community_b)
    return community_b


def make_house(
    admin,
    building,
    *,
    area="89.50",
    kind="residential",
    status="occupied",
    delivered_on=datetime.date(2021, 6, 30),
    number=None,
):
    from propdesk.estates import services

    return services.house_create(
        actor=admin,
        building=building,
        unit_number="1",
        number=number or str(100 + next(_numbers)),
        floor=1,
        area_m2=Decimal(area),
        kind=kind,
        status=status,
        delivered_on=delivered_on,
    )


@pytest.fixture
def house_factory(admin, building_a, schedule_a):
    def factory(**kwargs):
        return make_house(admin, building_a, **kwargs)

    return factory


def bill_for(house, period, code=None):
    from propdesk.billing.models import Bill

    bills = Bill.objects.filter(house=house, period=period)
    if code:
        bills = bills.filter(fee_item__code=code)
    return bills.get()


def run_billing(actor, period, **scope):
    """Start and finish a run in the test's transaction (the worker's job, done inline)."""
    from propdesk.billing.services.runs import billing_run_execute, billing_run_start

    run = billing_run_start(actor=actor, period=period, **scope)
    return billing_run_execute(run.id)


def pay(actor, house, amount, *, key=None, method="cash", bills=None, **kwargs):
    from propdesk.billing.services.payments import payment_take

    return payment_take(
        actor=actor,
        house=house,
        amount=amount,
        method=method,
        idempotency_key=key or f"test-key-{next(_numbers):06d}",
        bill_ids=bills,
        **kwargs,
    )


@pytest.fixture
def api(personas):
    from propdesk.api.tests.helpers import ApiCaller

    return ApiCaller(personas)


@pytest.fixture
def fees(personas, admin, schedule_a, schedule_b, house_a, zhang_san, house_b, house_factory):
    """Community A: 张三 (the `owner` persona) owes July's 170.05 on 3-2-1502 and has paid June;
    a vacant house with a pending vacancy application; a pending correction. Community B: 1-1-101
    owes July's 133.00."""
    from types import SimpleNamespace

    from propdesk.billing.models import ReminderTemplate
    from propdesk.billing.services.adjustments import adjustment_request
    from propdesk.billing.services.vacancy import vacancy_apply
    from propdesk.estates import services as estates
    from propdesk.estates.models import Owner

    Owner.objects.filter(pk=zhang_san.pk).update(user=personas["owner"])
    estates.house_change_status(actor=admin, house=house_b, status="occupied")
    vacant = house_factory(status="vacant", delivered_on=datetime.date(2025, 1, 1))
    vacant_too = house_factory(status="vacant", delivered_on=datetime.date(2025, 3, 1))
    june, july = datetime.date(2026, 6, 1), datetime.date(2026, 7, 1)
    run_billing(admin, june, community=schedule_a)
    run_billing(admin, july, community=schedule_a)
    run_billing(admin, july, community=schedule_b)
    paid = pay(personas["cashier"], house_a, "170.05", key="fixture-payment-0001")
    adjustment = adjustment_request(
        actor=personas["cashier"],
        house=house_a,
        kind="discount",
        bill=bill_for(house_a, july),
        amount="10.00",
        reason="老人优惠",
    )
    application = vacancy_apply(actor=personas["agent"], house=vacant, note="长期空置")
    from propdesk.billing.services.utilities import utility_settlement_create

    settlement = utility_settlement_create(
        actor=admin, community=schedule_a, utility="water", period=june, cost="300.00"
    )
    return SimpleNamespace(
        community=schedule_a,
        community_b=schedule_b,
        house=house_a,
        house_b=house_b,
        vacant=vacant,
        vacant_too=vacant_too,
        settlement=settlement,
        june=bill_for(house_a, june, "mgmt_residential"),
        july=bill_for(house_a, july, "mgmt_residential"),
        bill_b=bill_for(house_b, july, "mgmt_residential"),
        payment=paid.payment,
        receipt=paid.receipt,
        adjustment=adjustment,
        application=application,
        template=ReminderTemplate.objects.get(community=schedule_a),
        template_b=ReminderTemplate.objects.get(community=schedule_b),
        fee_item=schedule_a_item(schedule_a),
    )


def schedule_a_item(community):
    from propdesk.billing.models import FeeCode, FeeItem

    return FeeItem.objects.get(community=community, code=FeeCode.MANAGEMENT_RESIDENTIAL)


def billing_snapshot() -> dict:
    """Every row an API call of the fees app could write, comparable before and after."""
    from django.apps import apps

    from propdesk.core.models import AuditEvent, NumberSequence, OutboxMessage

    models = [
        *apps.get_app_config("billing").get_models(),
        AuditEvent,
        NumberSequence,
        OutboxMessage,
    ]
    return {m._meta.label: list(m.objects.order_by("pk").values()) for m in models}
