"""Property tests of the ledger: random sequences of bills, payments (chosen bills or oldest
first, partial, over), reversals, cancellations, discounts and refunds keep every house balance
equal to the sum of its ledger entries and to what a plain model of the rules expects; a payment
is never allocated twice, no bill is paid beyond what it owes, and the prepaid balance never
goes below zero."""

import itertools
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    Bundle,
    RuleBasedStateMachine,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)

from propdesk.billing.models import Bill, FeeCode, LedgerEntry
from propdesk.billing.selectors.accounts import house_balance_fen, open_bills, prepaid_fen
from propdesk.billing.services.adjustments import adjustment_approve, adjustment_request
from propdesk.billing.services.bills import one_off_bill
from propdesk.billing.services.payments import payment_take, prepaid_apply
from propdesk.core.errors import Conflict

_serial = itertools.count(1)
fen_amounts = st.integers(min_value=1, max_value=60_000)


class BillModel:
    def __init__(self, bill_id: int, amount: int):
        self.id = bill_id
        self.amount = amount
        self.allocated = 0
        self.reduced = 0
        self.cancelled = False

    @property
    def outstanding(self) -> int:
        return 0 if self.cancelled else self.amount - self.allocated - self.reduced


class LedgerMachine(RuleBasedStateMachine):
    """One fresh house per example; `self.bills` and friends are the model of the rules."""

    payments = Bundle("payments")

    def __init__(self, house, cashier, supervisor):
        super().__init__()
        self.house, self.cashier, self.supervisor = house, cashier, supervisor
        self.bills: list[BillModel] = []
        self.prepaid = 0
        # payment id → [amount, [(bill model, fen, active)]]
        self.allocations: dict[int | None, list] = {None: [0, []]}
        self.reversed: set[int] = set()

    def _allocate(self, payment_id, amount: int, targets: list[BillModel]) -> int:
        left = amount
        for bill in sorted(targets, key=lambda b: b.id):
            share = min(left, bill.outstanding)
            if share > 0:
                bill.allocated += share
                self.allocations[payment_id][1].append([bill, share, True])
                left -= share
        return amount - left

    def _correct(self, **kwargs):
        adjustment = adjustment_request(
            actor=self.cashier, house=self.house, reason="property test", **kwargs
        )
        adjustment_approve(actor=self.supervisor, adjustment=adjustment)

    @rule(amount=fen_amounts)
    def add_bill(self, amount):
        bill = one_off_bill(
            actor=self.cashier,
            house=self.house,
            code=FeeCode.UTILITY_SHARE,
            amount_fen=amount,
            ref=f"prop:{next(_serial)}",
        )
        prepaid_apply(house=self.house, actor=self.cashier)
        model = BillModel(bill.id, amount)
        self.bills.append(model)
        used = self._allocate(None, self.prepaid, [model, *self.open()])
        self.prepaid -= used

    def open(self) -> list[BillModel]:
        return [b for b in self.bills if b.outstanding > 0]

    @rule(target=payments, amount=fen_amounts, choose=st.booleans(), data=st.data())
    def pay(self, amount, choose, data):
        chosen = None
        if choose and self.open():
            chosen = data.draw(
                st.lists(st.sampled_from(self.open()), min_size=1, max_size=3, unique=True)
            )
        result = payment_take(
            actor=self.cashier,
            house=self.house,
            amount=Decimal(amount) / 100,
            method="cash",
            idempotency_key=f"prop-{next(_serial):08d}",
            bill_ids=[b.id for b in chosen] if chosen else None,
        )
        self.allocations[result.payment.id] = [amount, []]
        allocated = self._allocate(result.payment.id, amount, chosen or self.open())
        self.prepaid += amount - allocated
        assert result.allocated_fen == allocated
        return result.payment

    @rule(payment=payments)
    def reverse_payment(self, payment):
        amount, allocations = self.allocations[payment.id]
        active = sum(fen for _bill, fen, is_active in allocations if is_active)
        expect_refusal = payment.id in self.reversed or amount - active > self.prepaid
        try:
            self._correct(kind="reverse_payment", payment=payment)
        except Conflict:
            assert expect_refusal
            return
        assert not expect_refusal
        for allocation in allocations:
            bill, fen, is_active = allocation
            if is_active:
                bill.allocated -= fen
                allocation[2] = False
        self.prepaid += active - amount
        self.reversed.add(payment.id)

    @precondition(lambda self: any(not b.cancelled for b in self.bills))
    @rule(data=st.data())
    def cancel_bill(self, data):
        bill = data.draw(st.sampled_from([b for b in self.bills if not b.cancelled]))
        self._correct(kind="cancel_bill", bill=Bill.objects.get(pk=bill.id))
        for _amount, allocations in self.allocations.values():
            for allocation in allocations:
                if allocation[0] is bill and allocation[2]:
                    self.prepaid += allocation[1]
                    bill.allocated -= allocation[1]
                    allocation[2] = False
        bill.reduced = 0
        bill.cancelled = True

    @precondition(lambda self: bool(self.open()))
    @rule(data=st.data(), write_off=st.booleans())
    def reduce_bill(self, data, write_off):
        bill = data.draw(st.sampled_from(self.open()))
        fen = data.draw(st.integers(min_value=1, max_value=bill.outstanding))
        self._correct(
            kind="write_off" if write_off else "discount",
            bill=Bill.objects.get(pk=bill.id),
            amount=Decimal(fen) / 100,
        )
        bill.reduced += fen

    @precondition(lambda self: self.prepaid > 0)
    @rule(data=st.data())
    def refund(self, data):
        fen = data.draw(st.integers(min_value=1, max_value=self.prepaid))
        self._correct(kind="refund", amount=Decimal(fen) / 100, method="cash")
        self.prepaid -= fen

    @invariant()
    def balances_add_up(self):
        outstanding = {b.id: b.outstanding_fen for b in open_bills(self.house)}
        assert outstanding == {b.id: b.outstanding for b in self.bills if b.outstanding > 0}
        assert prepaid_fen(self.house) == self.prepaid >= 0
        balance = house_balance_fen(self.house)
        assert balance == sum(outstanding.values()) - self.prepaid
        entries = LedgerEntry.objects.filter(house=self.house)
        bills = Bill.objects.filter(house=self.house)
        assert balance == sum(b.amount_fen for b in bills) + sum(e.amount_fen for e in entries)

    @invariant()
    def no_payment_is_allocated_twice(self):
        entries = LedgerEntry.objects.filter(house=self.house)
        for payment_id, (amount, _allocations) in self.allocations.items():
            if payment_id is None:
                continue
            on_bills = -sum(
                e.amount_fen
                for e in entries
                if e.payment_id == payment_id
                and e.bill_id
                and e.kind in ("allocation", "reversal")
                and (e.kind == "allocation" or e.reverses.kind == "allocation")
            )
            assert 0 <= on_bills <= amount
        # Every allocation is a pair that moves money without changing the balance.
        assert sum(e.amount_fen for e in entries if e.kind == "allocation") == 0
        for bill in Bill.objects.filter(house=self.house):
            credited = sum(e.amount_fen for e in entries if e.bill_id == bill.id)
            assert -bill.amount_fen <= credited <= 0


@pytest.mark.django_db
def test_the_ledger_keeps_its_invariants(admin, building_a, schedule_a, cashier, supervisor):
    from propdesk.billing.tests.conftest import make_house

    def fresh_machine():
        house = make_house(admin, building_a, area="80.00")
        return LedgerMachine(house, cashier, supervisor)

    run_state_machine_as_test(
        fresh_machine,
        settings=settings(
            max_examples=25,
            stateful_step_count=15,
            deadline=None,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
        ),
    )
