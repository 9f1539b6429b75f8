"""Demo fees: the default schedule, a year of monthly bills and a year of realistic payments.

Everything is made through the services — billing runs, payments with receipts, top-ups,
deposits, a shared-utility settlement, vacancy applications, corrections — so the demo obeys
the same rules as real data. The services stamp what they write with the present moment; to make
the year read like a year, the demo then moves the timestamps of the rows it has just made back
to the day each bill was issued or each payment was taken, and numbers the receipts again in the
order they would have been issued. That rewrite is demo-only and happens nowhere else.

Payers follow common habits: some pay every month, many quarterly or half-yearly, some once a
year, some late, and about one house in twelve stops paying (the arrears and reminders pages
then have something to show).
"""

import datetime
import random
from collections import defaultdict
from decimal import Decimal

from django.db import connection
from django.db.models import F
from django.utils import timezone

from propdesk.accounts.models import Role, User
from propdesk.billing.models import (
    Bill,
    HouseAccount,
    LedgerEntry,
    Payment,
    PaymentMethod,
    Receipt,
)
from propdesk.billing.rules import add_months, month_start
from propdesk.billing.selectors.accounts import open_bills, with_outstanding
from propdesk.billing.services._common import entry_row
from propdesk.billing.services.adjustments import adjustment_request
from propdesk.billing.services.bills import utility_deposit_bill
from propdesk.billing.services.payments import allocation_rows, payment_fingerprint, payment_take
from propdesk.billing.services.runs import billing_run_execute, billing_run_start
from propdesk.billing.services.schedule import billing_defaults_ensure
from propdesk.billing.services.utilities import meter_top_up, utility_settlement_create
from propdesk.billing.services.vacancy import vacancy_apply, vacancy_approve
from propdesk.core import audit
from propdesk.core.errors import Conflict
from propdesk.core.models import AuditEvent, NumberSequence
from propdesk.core.numbering import next_number
from propdesk.estates.models import Community, House, HouseStatus, Ownership

MONTHS = 12
HABITS = (  # (habit, weight, months paid at once)
    ("monthly", 8, 1),
    ("quarterly", 30, 3),
    ("half_yearly", 25, 6),
    ("yearly", 22, 12),
    ("late", 7, 2),
    ("stopped", 8, 3),
)
METHODS = (
    (PaymentMethod.WECHAT, 45),
    (PaymentMethod.ALIPAY, 20),
    (PaymentMethod.CASH, 10),
    (PaymentMethod.BANK_TRANSFER, 12),
    (PaymentMethod.POS_CARD, 10),
    (PaymentMethod.OTHER, 3),
)


def _staff(role: str) -> User | None:
    return User.objects.filter(role=role, is_active=True).order_by("id").first()


def _at(day: datetime.date, rng: random.Random, *, latest: datetime.datetime) -> datetime.datetime:
    """A moment in office hours on `day`, in the site's time zone, and never after `latest`
    (the demo's present: on its own day the office hours may not have come yet)."""
    moment = datetime.time(rng.randint(8, 17), rng.randint(0, 59), rng.randint(0, 59))
    return min(datetime.datetime.combine(day, moment, timezone.get_current_timezone()), latest)


def load_demo_billing(*, communities, rng: random.Random) -> dict:
    """Fee schedules, twelve months of bills and their payments in `communities`."""
    admin = _staff(Role.ADMIN) or User.objects.filter(is_superuser=True).first()
    supervisor = _staff(Role.SUPERVISOR) or admin
    cashier = _staff(Role.CASHIER) or admin
    now = timezone.now()
    today = timezone.localdate(now)
    this_month = month_start(today)
    periods = [add_months(this_month, -i) for i in range(MONTHS - 1, -1, -1)]
    summary = defaultdict(int)
    for community in communities:
        billing_defaults_ensure(community=community)
        houses = list(
            House.objects.filter(community=community)
            .exclude(status=HouseStatus.UNSOLD)
            .order_by("id")
        )
        _vacancy_applications(houses, supervisor, admin, rng, summary)
        events = _payment_events(houses, periods, now, rng)
        by_id = {house.id: house for house in houses}
        # Month by month, as it happened: the run bills the month (and spends prepaid
        # balances on it), then the month's payments come in.
        for index, period in enumerate(periods):
            started = timezone.now()
            run = billing_run_execute(
                billing_run_start(actor=supervisor, period=period, community=community).id
            )
            issued = _at(period + datetime.timedelta(days=1), rng, latest=now)
            Bill.objects.filter(run_id=run.id).update(created_at=issued)
            # The run's ledger entries too: its bills and what prepaid balances paid of them.
            LedgerEntry.objects.filter(community=community, created_at__gte=started).update(
                created_at=issued
            )
            summary["bills"] += run.bills_created
            month_end = periods[index + 1] if index + 1 < len(periods) else today
            month = []
            while events and (events[0][0].date() < month_end or index + 1 == len(periods)):
                month.append(events.pop(0))
            _pay_month(month, community, by_id, cashier, rng, summary)
        _extras(community, houses, cashier, supervisor, admin, now, rng, summary)
        _renumber_receipts(community)
    return dict(summary)


def _vacancy_applications(houses, supervisor, admin, rng, summary) -> None:
    vacant = [h for h in houses if h.status == HouseStatus.VACANT]
    for house in vacant[: max(1, len(vacant) // 4)]:
        application = vacancy_apply(actor=supervisor, house=house, note="业主长期在外")
        summary["vacancy_applications"] += 1
        if rng.random() < 0.7:
            vacancy_approve(actor=admin, application=application, note="已核实空置")


def _payment_events(houses, periods, now, rng) -> list[tuple]:
    """(when, house id, months paid at once, number), in date order, by each house's habit;
    none after `now` (a payment later today has not been made yet)."""
    today = timezone.localdate(now)
    events = []
    habits = [h for h, _w, _m in HABITS]
    weights = [w for _h, w, _m in HABITS]
    months_at_once = {h: m for h, _w, m in HABITS}
    for house in houses:
        habit = rng.choices(habits, weights)[0]
        step = months_at_once[habit]
        stop = rng.randint(3, len(periods) - 2) if habit == "stopped" else len(periods)
        for index in range(0, stop, step):
            delay = rng.randint(40, 120) if habit == "late" else rng.randint(1, 20)
            day = periods[index] + datetime.timedelta(days=delay)
            if day > today:
                continue
            when = _at(day, rng, latest=now)
            if when < now:
                events.append((when, house.id, step))
    events.sort()
    return [(*event, number) for number, event in enumerate(events)]


def _pay(event, houses: dict, cashier, rng, summary) -> None:
    """Pay what the house owes, and `months` − 1 months ahead (it becomes prepaid balance)."""
    when, house_id, months, number = event
    house = houses[house_id]
    bills = [b for b in open_bills(house) if b.created_at <= when]
    if not bills:
        return
    amount = sum(b.outstanding_fen for b in bills) + (months - 1) * bills[-1].amount_fen
    if rng.random() < 0.05:  # a round sum: the rest stays as prepaid balance
        amount = -(-amount // 10000) * 10000
    result = payment_take(
        actor=cashier,
        house=house,
        amount=Decimal(amount) / 100,
        method=rng.choices([m for m, _w in METHODS], [w for _m, w in METHODS])[0],
        idempotency_key=f"demo-{house.community_id}-{number:06d}",
    )
    _backdate_payment(result.payment, when)
    summary["payments"] += 1


def _pay_month(events, community, houses: dict, cashier, rng, summary) -> None:
    """The month's payments, each as `_pay` would take it, written together.

    The rows are those `payment_take` writes — the payment, its ledger entries (allocated oldest
    bill first by the service's own `allocation_rows`), the receipt with the next number, the
    history row, the house's account — already dated as `_backdate_payment` dates them. A house
    whose owner has a portal account pays through `payment_take` itself, which also tells them.
    """
    if not events:
        return
    told = set(
        Ownership.objects.filter(
            community=community, end_on__isnull=True, owner__user__isnull=False
        ).values_list("house_id", flat=True)
    )
    open_by_house = defaultdict(list)
    # Only the bills still owing: the year's paid bills would be read (and made into objects)
    # again every month for nothing.
    for bill in (
        with_outstanding(Bill.objects.filter(community=community))
        .filter(outstanding_fen__gt=0)
        .order_by("period", "due_on", "id")
    ):
        open_by_house[bill.house_id].append(bill)
    batch = _PaymentBatch(community, cashier)
    for event in events:
        when, house_id, months, number = event
        if house_id in told:
            batch.write()
            _pay(event, houses, cashier, rng, summary)
            open_by_house[house_id] = open_bills(houses[house_id])
            continue
        owing = [b for b in open_by_house[house_id] if b.outstanding_fen > 0]
        bills = [b for b in owing if b.created_at <= when]
        if not bills:
            continue
        amount = sum(b.outstanding_fen for b in bills) + (months - 1) * bills[-1].amount_fen
        if rng.random() < 0.05:  # a round sum: the rest stays as prepaid balance
            amount = -(-amount // 10000) * 10000
        method = rng.choices([m for m, _w in METHODS], [w for _m, w in METHODS])[0]
        batch.add(
            house=houses[house_id],
            amount_fen=amount,
            method=method,
            key=f"demo-{community.id}-{number:06d}",
            bills=owing,
            when=when,
        )
        summary["payments"] += 1
    batch.write()


class _PaymentBatch:
    """Payments made as `payment_take` makes them, written with one statement per table."""

    def __init__(self, community, cashier):
        self.community = community
        self.cashier = cashier
        self.accounts = set(
            HouseAccount.objects.filter(community=community).values_list("house_id", flat=True)
        )
        self._clear()

    def _clear(self):
        self.new_accounts, self.payments, self.entries, self.receipts = [], [], [], []

    def add(self, *, house, amount_fen: int, method: str, key: str, bills, when) -> None:
        if house.id not in self.accounts:  # lock_house_account opens it on first use
            self.accounts.add(house.id)
            self.new_accounts.append(
                HouseAccount(house_id=house.id, community_id=house.community_id)
            )
        payment = Payment(
            community_id=house.community_id,
            house=house,
            method=method,
            amount_fen=amount_fen,
            idempotency_key=key,
            fingerprint=payment_fingerprint(
                house=house.id,
                amount_fen=amount_fen,
                method=method,
                bills=None,
                payer_name="",
                reference="",
                note="",
            ),
            received_by=self.cashier,
            received_at=when,
        )
        rows, _allocated = allocation_rows(
            house=house, amount_fen=amount_fen, bills=bills, payment=payment, actor=self.cashier
        )
        paid = entry_row(
            house=house,
            kind=LedgerEntry.Kind.PAYMENT,
            amount_fen=-amount_fen,
            payment=payment,
            actor=self.cashier,
        )
        for row in [paid, *rows]:
            row.created_at = when
            self.entries.append(row)
        # The number comes from this year's counter; the receipt is dated when the money came.
        numbered = timezone.localtime().year
        number = next_number(f"receipt:{house.community_id}:{numbered}")
        receipt = Receipt(
            community_id=house.community_id,
            year=timezone.localtime(when).year,
            number=number,
            payment=payment,
            issued_by=self.cashier,
            issued_at=when,
        )
        self.payments.append(payment)
        self.receipts.append((receipt, f"{numbered}-{number:06d}"))

    def write(self) -> None:
        if not self.payments:
            return
        HouseAccount.objects.bulk_create(self.new_accounts)
        Payment.objects.bulk_create(self.payments)
        LedgerEntry.objects.bulk_create(self.entries)
        Receipt.objects.bulk_create([receipt for receipt, _number in self.receipts])
        AuditEvent.objects.bulk_create(
            audit.change_row(
                actor=self.cashier,
                instance=receipt.payment,
                action="payment",
                house_id=receipt.payment.house_id,
                changes={
                    "amount": [None, str(receipt.payment.amount)],
                    "method": [None, receipt.payment.method],
                },
                object_repr=number,
            )
            for receipt, number in self.receipts
        )
        self._clear()


def _backdate_payment(payment: Payment, when: datetime.datetime) -> None:
    Payment.objects.filter(pk=payment.pk).update(received_at=when)
    LedgerEntry.objects.filter(payment=payment).update(created_at=when)
    Receipt.objects.filter(payment=payment).update(
        issued_at=when, year=timezone.localtime(when).year
    )


def _extras(community, houses, cashier, supervisor, admin, now, rng, summary) -> None:
    """Deposits, a shared-water settlement, meter top-ups and corrections waiting for approval."""
    today = timezone.localdate(now)
    occupied = [h for h in houses if h.status == HouseStatus.OCCUPIED]
    for house in rng.sample(occupied, k=min(len(occupied), max(1, len(occupied) // 3))):
        deposit = utility_deposit_bill(actor=cashier, house=house)
        if rng.random() < 0.8:
            result = payment_take(
                actor=cashier,
                house=house,
                amount=deposit.amount,
                method=PaymentMethod.WECHAT,
                idempotency_key=f"demo-deposit-{house.id}",
                bill_ids=[deposit.id],
            )
            when = _at(today - datetime.timedelta(days=60), rng, latest=now)
            _backdate_payment(result.payment, when)
        summary["deposits"] += 1
    last_month = add_months(month_start(today), -1)
    utility_settlement_create(
        actor=admin,
        community=community,
        utility="water",
        period=last_month,
        cost=Decimal(len(houses) * rng.randint(1500, 2500)) / 100,
    )
    summary["settlements"] += 1
    for index, house in enumerate(rng.sample(occupied, k=min(len(occupied), 20))):
        result = meter_top_up(
            actor=cashier,
            house=house,
            utility=rng.choice(["water", "electricity"]),
            meter_number=f"M{community.code}{house.id:06d}",
            amount=rng.choice(["50.00", "100.00", "200.00", "300.00"]),
            method=PaymentMethod.WECHAT,
            idempotency_key=f"demo-topup-{community.id}-{index}",
        )
        when = _at(today - datetime.timedelta(days=rng.randint(0, 90)), rng, latest=now)
        _backdate_payment(result.top_up.payment, when)
        summary["top_ups"] += 1
    for recent in Payment.objects.filter(community=community, top_up__isnull=True).order_by(
        "-received_at"
    )[:20]:
        try:
            adjustment_request(
                actor=cashier,
                kind="reverse_payment",
                house=recent.house,
                payment=recent,
                reason="业主称重复扣款，申请冲正",
            )
        except Conflict:  # its credit has paid later bills: ask about another one
            continue
        break
    owing = next((h for h in houses if open_bills(h)), None)
    if owing is not None:
        adjustment_request(
            actor=cashier,
            kind="discount",
            house=owing,
            bill=open_bills(owing)[0],
            amount="10.00",
            reason="电梯停运补偿",
        )
        summary["corrections"] += 2


def _renumber_receipts(community: Community) -> None:
    """Receipt numbers in the order the backdated payments were taken, per year, gap-free."""
    receipts = list(
        Receipt.objects.filter(community=community)
        .select_related("payment")
        .order_by("payment__received_at", "id")
    )
    # Move every number out of the way first: (community, year, number) is unique.
    Receipt.objects.filter(community=community).update(number=F("id") + 1_000_000_000)
    counters: dict[int, int] = defaultdict(int)
    numbered = []
    for receipt in receipts:
        year = timezone.localtime(receipt.payment.received_at).year
        counters[year] += 1
        numbered.append((year, counters[year], receipt.id))
    # One prepared statement for all of them (bulk_update's CASE per row costs seconds here).
    table, year_column, number_column, id_column = map(
        connection.ops.quote_name, (Receipt._meta.db_table, "year", "number", "id")
    )
    with connection.cursor() as cursor:
        cursor.executemany(
            f"UPDATE {table} SET {year_column} = %s, {number_column} = %s "  # noqa: S608
            f"WHERE {id_column} = %s",
            numbered,
        )
    for year, last in counters.items():
        NumberSequence.objects.update_or_create(
            scope=f"receipt:{community.id}:{year}", defaults={"last_value": last}
        )
