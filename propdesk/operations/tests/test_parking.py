"""Temporary parking: the stay, its price by the community's rule, and its payment (a receipt in
the community's series and a line in the taker's cash-up; no house, no ledger entry)."""

import datetime

import pytest
import time_machine

from propdesk.billing import error_codes as billing_codes
from propdesk.billing.models import LedgerEntry, Payment, PaymentSource, Receipt
from propdesk.billing.services.cashup import cash_up_close
from propdesk.billing.services.receipts import receipt_lines, receipt_print
from propdesk.billing.services.schedule import billing_defaults_ensure, billing_policy_update
from propdesk.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from propdesk.operations import error_codes, selectors
from propdesk.operations.models import ParkingStay, StayStatus
from propdesk.operations.services import parking
from propdesk.operations.tests.conftest import at

pytestmark = pytest.mark.django_db
NOON = "2026-07-08 12:00"


@pytest.fixture
def gate(personas, community_a, community_b):
    billing_defaults_ensure(community=community_a)
    billing_defaults_ensure(community=community_b)
    return personas


def parked(actor, community, plate="粤B12345", came="2026-07-08 09:00"):
    with time_machine.travel(at(came), tick=False):
        return parking.stay_enter(actor=actor, community=community, plate=plate)


def leave(actor, stay, when):
    with time_machine.travel(at(when), tick=False):
        return parking.stay_leave(actor=actor, stay=stay)


def state() -> tuple:
    return (
        list(ParkingStay.objects.values_list("id", "status", "fee_fen", "payment_id")),
        Payment.objects.count(),
        Receipt.objects.count(),
    )


@pytest.mark.parametrize(
    ("left", "fee", "status"),
    [
        ("2026-07-08 09:59", 0, StayStatus.FREE),
        ("2026-07-08 10:00", 0, StayStatus.FREE),
        ("2026-07-08 10:01", 500, StayStatus.DUE),
        ("2026-07-08 21:00", 500, StayStatus.DUE),
        ("2026-07-08 21:01", 1000, StayStatus.DUE),
    ],
)
def test_it_prices_over_1h_within_12h_at_5_yuan_a_time(gate, community_a, left, fee, status):
    stay = leave(gate["guard"], parked(gate["guard"], community_a), left)
    assert (stay.fee_fen, stay.status) == (fee, status)


def test_the_community_rule_has_free_minutes_a_period_price_and_a_cap(gate, community_a):
    billing_policy_update(
        actor=gate["admin"],
        community=community_a,
        temp_parking_free_minutes=15,
        temp_parking_block_hours=1,
        temp_parking_cap="20.00",
    )
    guard = gate["guard"]
    assert leave(guard, parked(guard, community_a, "粤B00001"), "2026-07-08 09:15").fee_fen == 0
    assert leave(guard, parked(guard, community_a, "粤B00002"), "2026-07-08 11:30").fee_fen == 1500
    assert leave(guard, parked(guard, community_a, "粤B00003"), "2026-07-08 20:00").fee_fen == 2000
    rule = selectors.parking_rule(community_a.id, datetime.date(2026, 7, 8))
    assert rule == {
        "free_minutes": 15,
        "short_stay_fen": 0,
        "period_hours": 1,
        "rate_fen": 500,
        "cap_fen": 2000,
    }


def test_a_guard_takes_the_fee_with_a_receipt_and_a_cash_up_line(gate, community_a):
    guard = gate["guard"]
    stay = leave(guard, parked(guard, community_a), NOON)
    with time_machine.travel(at("2026-07-08 12:01"), tick=False):
        stay = parking.stay_charge(
            actor=guard, stay=stay, method="cash", idempotency_key="gate-0001-a"
        )
        payment = stay.payment
        assert (payment.source, payment.house_id, payment.amount_fen) == (
            PaymentSource.TEMPORARY_PARKING,
            None,
            500,
        )
        assert payment.receipt.display_number == "2026-000001"
        assert not LedgerEntry.objects.exists()
        assert receipt_lines(payment.receipt) == [
            ("临时停车费 粤B12345 07-08 09:00–07-08 12:00", 500)
        ]
        assert receipt_print(actor=guard, receipt=payment.receipt).startswith(b"%PDF")
        # A supervisor closes the guard's takings with the cashiers'.
        cash_up = cash_up_close(actor=gate["supervisor"], community=community_a, cashier=guard)
    assert (cash_up.payment_count, cash_up.total_fen) == (1, 500)
    assert cash_up.totals == {"cash": {"count": 1, "fen": 500}}


def test_the_same_key_again_is_the_same_payment(gate, community_a):
    cashier = gate["cashier"]
    stay = leave(gate["guard"], parked(gate["guard"], community_a), NOON)
    first = parking.stay_charge(
        actor=cashier, stay=stay, method="wechat", idempotency_key="desk-0001-a"
    )
    again = parking.stay_charge(
        actor=cashier, stay=stay, method="wechat", idempotency_key="desk-0001-a"
    )
    assert first.payment_id == again.payment_id
    assert (Payment.objects.count(), Receipt.objects.count()) == (1, 1)
    before = state()
    with pytest.raises(Conflict) as exc:
        parking.stay_charge(actor=cashier, stay=stay, method="cash", idempotency_key="desk-0002-a")
    assert (exc.value.code, exc.value.field) == (error_codes.STAY_NOT_DUE, "stay")
    assert state() == before


def test_a_key_of_another_payment_is_refused(gate, community_a):
    guard = gate["guard"]
    one = leave(guard, parked(guard, community_a, "粤B00001"), NOON)
    two = leave(guard, parked(guard, community_a, "粤B00002", "2026-07-08 08:00"), NOON)
    parking.stay_charge(actor=guard, stay=one, method="cash", idempotency_key="gate-0001-a")
    before = state()
    with pytest.raises(Conflict) as exc:
        parking.stay_charge(actor=guard, stay=two, method="cash", idempotency_key="gate-0001-a")
    assert (exc.value.code, exc.value.field) == (
        billing_codes.IDEMPOTENCY_REUSED,
        "idempotency_key",
    )
    assert state() == before


def test_receipt_numbers_stay_gap_free_between_houses_and_parking(gate, community_a, house_a):
    from propdesk.billing.services.payments import payment_take

    guard, cashier = gate["guard"], gate["cashier"]
    payment_take(
        actor=cashier, house=house_a, amount="100.00", method="cash", idempotency_key="house-001a"
    )
    stay = leave(guard, parked(guard, community_a), NOON)
    with pytest.raises(ValidationFailed) as exc:
        parking.stay_charge(actor=guard, stay=stay, method="cheque", idempotency_key="gate-2-a")
    assert exc.value.field == "method"
    parking.stay_charge(actor=guard, stay=stay, method="cash", idempotency_key="gate-0001-a")
    payment_take(
        actor=cashier, house=house_a, amount="50.00", method="cash", idempotency_key="house-002a"
    )
    assert sorted(Receipt.objects.values_list("number", flat=True)) == [1, 2, 3]


@pytest.mark.parametrize(
    ("plate", "field"),
    [("", "plate"), ("ABC", "plate"), ("粤B1234\x00", "plate"), ("粤" * 500, "plate")],
)
def test_it_refuses_a_bad_plate(gate, community_a, plate, field):
    with pytest.raises(ValidationFailed) as exc:
        parking.stay_enter(actor=gate["guard"], community=community_a, plate=plate)
    assert exc.value.field == field
    assert not ParkingStay.objects.exists()


def test_it_normalises_the_plate_and_refuses_a_car_already_parked(gate, community_a):
    stay = parked(gate["guard"], community_a, plate="粤b 12345")
    assert stay.plate == "粤B12345"
    with pytest.raises(Conflict) as exc:
        parked(gate["guard"], community_a, plate="粤B12345", came="2026-07-08 10:00")
    assert (exc.value.code, exc.value.field) == (error_codes.PLATE_PARKED, "plate")
    assert ParkingStay.objects.count() == 1


@pytest.mark.parametrize(
    ("entered", "code"),
    [
        ("2026-07-08 13:00", error_codes.BAD_TIME),
        ("2026-06-30 12:00", error_codes.BAD_TIME),
        ("yesterday", "bad_date"),
    ],
)
def test_it_refuses_a_time_in_the_future_or_long_ago(gate, community_a, entered, code):
    with time_machine.travel(at(NOON), tick=False), pytest.raises(ValidationFailed) as exc:
        parking.stay_enter(
            actor=gate["guard"], community=community_a, plate="粤B12345", entered_at=entered
        )
    assert (exc.value.code, exc.value.field) == (code, "entered_at")
    assert not ParkingStay.objects.exists()


def test_leaving_before_coming_in_or_twice_is_refused(gate, community_a):
    stay = parked(gate["guard"], community_a)
    with time_machine.travel(at(NOON), tick=False):
        with pytest.raises(ValidationFailed) as exc:
            parking.stay_leave(actor=gate["guard"], stay=stay, left_at="2026-07-08T08:00")
        assert exc.value.field == "left_at"
        parking.stay_leave(actor=gate["guard"], stay=stay)
        with pytest.raises(Conflict) as exc:
            parking.stay_leave(actor=gate["guard"], stay=stay)
    assert exc.value.code == error_codes.STAY_CLOSED


def test_without_a_rate_the_stay_is_not_priced(personas, community_a):
    stay = parked(personas["guard"], community_a)
    with pytest.raises(Conflict) as exc:
        leave(personas["guard"], stay, NOON)
    assert exc.value.code == error_codes.NO_PARKING_RATE
    assert ParkingStay.objects.get().status == StayStatus.PARKED


@pytest.mark.parametrize("role", ["agent", "technician", "owner"])
def test_roles_without_the_gate_are_refused(gate, community_a, role):
    with pytest.raises(PermissionDenied):
        parking.stay_enter(actor=gate[role], community=community_a, plate="粤B12345")
    assert not ParkingStay.objects.exists()


def test_another_communitys_guard_cannot_see_or_charge(gate, community_a, community_b):
    from propdesk.accounts.models import Role
    from propdesk.conftest import make_user

    stay = leave(gate["guard"], parked(gate["guard"], community_a), NOON)
    other = make_user("other_guard", Role.GUARD, community_b)
    with pytest.raises(NotFound):
        selectors.parking_stay_get(other, stay.id)
    with pytest.raises(PermissionDenied):
        parking.stay_charge(actor=other, stay=stay, method="cash", idempotency_key="gate-0001-b")
    assert not Payment.objects.exists()
