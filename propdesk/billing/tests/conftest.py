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
