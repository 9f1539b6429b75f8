"""Fees and collection (收费), DOMAIN.md §3: fee schedule, billing runs, bills, the ledger,
payments, receipts, cash-up, utility deposits and settlements, arrears reminders.

Money is stored as integer fen (`*_fen` columns): sums over millions of rows are exact in SQL on
both databases, and `core.money` converts at the edges (`Decimal` yuan with two places).

The ledger is append-only and has two tables:
- `Bill` rows are its debit entries (kind "bill"): one per house × fee item × period, written by
  the billing run's set-based SQL or by a service for one-off fees. A bill is never edited.
- `LedgerEntry` rows are every other money movement: payments, allocations of a payment to a
  bill, discounts, write-offs, refunds and reversals. Each row points at its bill and/or payment.
A house's balance is the sum of its bills and its entries, nothing else (`selectors.house_balance`).
Keeping the debit entry in the bill row is what lets a run for a million houses be one
`INSERT … SELECT` (bench/README-billing.md); a second million-row insert would double its cost.

Every row carries `community_id`, and the indexes lists and reports use start with it.
"""

import datetime

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from propdesk.core.money import from_fen
from propdesk.estates.models import Building, Community, Company, House, Owner, ParkingSpace

USER = settings.AUTH_USER_MODEL


# --- fee schedule ---------------------------------------------------------------------------


class FeeCode(models.TextChoices):
    """The fee items every community has; names and rates are the community's to change."""

    MANAGEMENT_RESIDENTIAL = "mgmt_residential", _("Property management fee (residential)")
    MANAGEMENT_COMMERCIAL = "mgmt_commercial", _("Management fee (commercial)")
    PARKING_SHARED = "parking_shared", _("Shared parking space")
    PARKING_DEDICATED = "parking_dedicated", _("Dedicated parking space")
    PARKING_OPEN_AIR = "parking_open_air", _("Open-air parking space")
    PARKING_TEMPORARY = "parking_temporary", _("Temporary parking")
    DECORATION = "decoration", _("Decoration management fee")
    DECORATION_DEPOSIT = "decoration_deposit", _("Decoration deposit")
    UTILITY_DEPOSIT = "utility_deposit", _("Shared water & electricity deposit")
    UTILITY_SHARE = "utility_share", _("Shared water & electricity top-up")
    WATER_TOP_UP = "water_top_up", _("Water meter top-up")
    ELECTRICITY_TOP_UP = "electricity_top_up", _("Electricity meter top-up")


class FeeBasis(models.TextChoices):
    PER_M2_MONTH = "per_m2_month", _("per m² per month")
    PER_SPACE_MONTH = "per_space_month", _("per space per month")
    PER_M2_ONCE = "per_m2_once", _("per m², once")
    PER_TIME = "per_time", _("per time")
    PER_HOUSEHOLD = "per_household", _("per household")
    AMOUNT = "amount", _("amount entered")


# code → (basis, default rate in yuan), DOMAIN.md §3. Items billed monthly by the run come first.
DEFAULT_FEES: dict[str, tuple[str, str]] = {
    FeeCode.MANAGEMENT_RESIDENTIAL: (FeeBasis.PER_M2_MONTH, "1.90"),
    FeeCode.MANAGEMENT_COMMERCIAL: (FeeBasis.PER_M2_MONTH, "2.50"),
    FeeCode.PARKING_SHARED: (FeeBasis.PER_SPACE_MONTH, "260.00"),
    FeeCode.PARKING_DEDICATED: (FeeBasis.PER_SPACE_MONTH, "80.00"),
    FeeCode.PARKING_OPEN_AIR: (FeeBasis.PER_SPACE_MONTH, "150.00"),
    FeeCode.PARKING_TEMPORARY: (FeeBasis.PER_TIME, "5.00"),
    FeeCode.DECORATION: (FeeBasis.PER_M2_ONCE, "3.50"),
    FeeCode.UTILITY_DEPOSIT: (FeeBasis.PER_HOUSEHOLD, "500.00"),
    FeeCode.UTILITY_SHARE: (FeeBasis.AMOUNT, "0.00"),
    FeeCode.WATER_TOP_UP: (FeeBasis.AMOUNT, "0.00"),
    FeeCode.ELECTRICITY_TOP_UP: (FeeBasis.AMOUNT, "0.00"),
    # The amount is the community's decoration rule (front desk), billed with each permit.
    FeeCode.DECORATION_DEPOSIT: (FeeBasis.AMOUNT, "0.00"),
}
MONTHLY_HOUSE_FEES = {
    "residential": FeeCode.MANAGEMENT_RESIDENTIAL,
    "commercial": FeeCode.MANAGEMENT_COMMERCIAL,
}
MONTHLY_PARKING_FEES = {
    "shared": FeeCode.PARKING_SHARED,
    "dedicated": FeeCode.PARKING_DEDICATED,
    "open_air": FeeCode.PARKING_OPEN_AIR,
}
# Rates seeded with the defaults apply "since always".
DEFAULT_RATES_FROM = datetime.date(2000, 1, 1)


class FeeItem(models.Model):
    community = models.ForeignKey(
        Community, on_delete=models.PROTECT, related_name="+", verbose_name=_("community")
    )
    code = models.CharField(_("code"), max_length=30, choices=FeeCode.choices)
    name = models.CharField(_("name"), max_length=60)
    basis = models.CharField(_("basis"), max_length=20, choices=FeeBasis.choices)
    active = models.BooleanField(_("billed"), default=True)
    sort_order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["community_id", "sort_order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["community", "code"], name="fee_item_code_unique")
        ]
        verbose_name = _("fee item")
        verbose_name_plural = _("fee items")

    def __str__(self) -> str:
        return self.name


class FeeRate(models.Model):
    """A rate of a fee item from `effective_from` on; a later row supersedes it, nothing edits it.

    Bills copy the rate they were made with, so a rate change never alters a bill already issued.
    A monthly fee uses the rate in effect on the first day of the month.
    """

    community = models.ForeignKey(Community, on_delete=models.PROTECT, related_name="+")
    fee_item = models.ForeignKey(FeeItem, on_delete=models.PROTECT, related_name="rates")
    effective_from = models.DateField(_("effective from"))
    rate_fen = models.BigIntegerField(_("rate (fen)"))
    note = models.CharField(_("note"), max_length=200, blank=True)
    set_by = models.ForeignKey(USER, null=True, on_delete=models.PROTECT, related_name="+")
    set_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["fee_item_id", "-effective_from"]
        constraints = [
            models.UniqueConstraint(
                fields=["community", "fee_item", "effective_from"], name="fee_rate_unique"
            ),
            models.CheckConstraint(condition=Q(rate_fen__gte=0), name="fee_rate_not_negative"),
        ]
        verbose_name = _("fee rate")
        verbose_name_plural = _("fee rates")

    def __str__(self) -> str:
        return f"{self.fee_item_id} {self.rate} @ {self.effective_from}"

    @property
    def rate(self):
        return from_fen(self.rate_fen)


class BillingPolicy(models.Model):
    """The community's billing rules; every figure is a DOMAIN.md §3 default an admin can change."""

    community = models.OneToOneField(
        Community, on_delete=models.PROTECT, related_name="billing_policy"
    )
    due_day = models.PositiveSmallIntegerField(
        _("due day of the month"), default=5, help_text=_("Monthly bills fall due on this day.")
    )
    pro_rate_by_days = models.BooleanField(
        _("pro-rate by days"),
        default=True,
        help_text=_("Bill a house delivered mid-month for its days in that month only."),
    )
    vacancy_threshold_months = models.PositiveSmallIntegerField(
        _("vacancy threshold (full months)"), default=6
    )
    vacancy_percent = models.PositiveSmallIntegerField(_("vacancy rate (% of the fee)"), default=70)
    vacancy_requires_application = models.BooleanField(
        _("vacancy discount needs an approved application"), default=True
    )
    reminder_interval_days = models.PositiveSmallIntegerField(
        _("days between reminders to one house"), default=30
    )
    quiet_hours_start = models.TimeField(_("do not disturb from"), default=datetime.time(21, 0))
    quiet_hours_end = models.TimeField(_("do not disturb until"), default=datetime.time(8, 0))
    temp_parking_free_minutes = models.PositiveIntegerField(
        _("temporary parking: short stay up to (minutes)"), default=60
    )
    temp_parking_short_fen = models.BigIntegerField(
        _("temporary parking: short-stay fee (fen)"), default=0
    )
    temp_parking_block_hours = models.PositiveSmallIntegerField(
        _("temporary parking: one time covers (hours)"), default=12
    )
    temp_parking_cap_fen = models.BigIntegerField(
        _("temporary parking: most one stay pays (fen, 0 for no cap)"), default=0
    )
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("billing policy")
        verbose_name_plural = _("billing policies")

    def __str__(self) -> str:
        return f"policy {self.community_id}"


class ClosedPeriod(models.Model):
    """A month finance has closed: no billing run adds bills to it any more."""

    community = models.ForeignKey(Community, on_delete=models.PROTECT, related_name="+")
    period = models.DateField(_("period"))
    closed_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    closed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["community", "period"], name="closed_period_unique")
        ]

    def __str__(self) -> str:
        return f"{self.community_id} {self.period:%Y-%m}"


# --- vacancy discount -----------------------------------------------------------------------


class VacancyApplication(models.Model):
    """An owner's application for the vacancy discount (空置优惠), decided by a supervisor."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")

    community = models.ForeignKey(Community, on_delete=models.PROTECT, related_name="+")
    house = models.ForeignKey(House, on_delete=models.PROTECT, related_name="+")
    owner = models.ForeignKey(Owner, null=True, blank=True, on_delete=models.PROTECT)
    vacant_since = models.DateField(_("vacant since"))
    note = models.CharField(_("note"), max_length=300, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    applied_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    applied_at = models.DateTimeField(default=timezone.now)
    decided_by = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.CharField(_("decision note"), max_length=300, blank=True)
    discount_from = models.DateField(
        _("discount from (month)"),
        null=True,
        blank=True,
        help_text=_("The month after approval: the discount is never retroactive."),
    )

    class Meta:
        ordering = ["-applied_at", "-id"]
        indexes = [
            models.Index(fields=["community", "status", "applied_at"], name="vacancy_queue"),
            models.Index(fields=["community", "house", "status"], name="vacancy_house"),
        ]
        verbose_name = _("vacancy application")
        verbose_name_plural = _("vacancy applications")

    def __str__(self) -> str:
        return f"vacancy {self.house_id} {self.status}"


# --- billing runs and bills -----------------------------------------------------------------


class BillingRun(models.Model):
    """Billing one month for a company, a community or a building; resumable by community."""

    class Scope(models.TextChoices):
        COMPANY = "company", _("Company")
        COMMUNITY = "community", _("Community")
        BUILDING = "building", _("Building")

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", _("Interrupted")

    community = models.ForeignKey(
        Community,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("The community of a community or building run; empty for a company run."),
    )
    scope = models.CharField(_("scope"), max_length=10, choices=Scope.choices)
    company = models.ForeignKey(Company, null=True, blank=True, on_delete=models.PROTECT)
    building = models.ForeignKey(Building, null=True, blank=True, on_delete=models.PROTECT)
    period = models.DateField(_("period"))
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.QUEUED
    )
    community_ids = models.JSONField(default=list, help_text="communities to bill, in order")
    communities_done = models.PositiveIntegerField(default=0)
    bills_created = models.PositiveIntegerField(_("bills created"), default=0)
    amount_fen = models.BigIntegerField(_("amount billed (fen)"), default=0)
    preview = models.JSONField(default=dict, blank=True)
    error = models.CharField(max_length=500, blank=True)
    created_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    heartbeat_at = models.DateTimeField(
        null=True, blank=True, help_text="when the worker last reported progress on this run"
    )
    auto_resumes = models.PositiveSmallIntegerField(
        _("automatic resumptions"),
        default=0,
        help_text=_("How many times the sweep resumed this run after its worker stopped."),
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["community", "period"], name="run_period")]
        verbose_name = _("billing run")
        verbose_name_plural = _("billing runs")

    def __str__(self) -> str:
        return f"run {self.id} {self.period:%Y-%m}"

    @property
    def progress_percent(self) -> int:
        total = len(self.community_ids)
        return 100 if not total else round(100 * self.communities_done / total)

    @property
    def amount(self):
        return from_fen(self.amount_fen)


class Bill(models.Model):
    """What a house owes for one fee item and period: the ledger's debit entry, never edited.

    UNIQUE(house, fee item, period, ref) with `ref` empty for the monthly fees: re-running a
    period adds only what is missing. `ref` tells apart the items a house may owe more than once
    in a month (each parking space, decoration permit, meter top-up or utility settlement).
    The key leads with `community_id` (a house has exactly one community), so it also serves the
    lookups of a house's bills within its community.

    The foreign keys are checked by the ORM and by the statements that write bills (they select
    house, fee item and community from their own tables), not by database constraints: registry
    rows are never deleted, and a constraint trigger per row would cost more than the insert
    itself on PostgreSQL (PERF-NOTES: about 3.7 s per million bills).
    """

    community = models.ForeignKey(
        Community,
        on_delete=models.PROTECT,
        related_name="+",
        db_constraint=False,
        db_index=False,
    )
    house = models.ForeignKey(
        House,
        on_delete=models.PROTECT,
        related_name="bills",
        db_constraint=False,
        db_index=False,
    )
    fee_item = models.ForeignKey(
        FeeItem,
        on_delete=models.PROTECT,
        related_name="+",
        db_constraint=False,
        db_index=False,
    )
    period = models.DateField(_("period"))
    ref = models.CharField(max_length=60, blank=True, default="")
    parking_space = models.ForeignKey(
        ParkingSpace,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_constraint=False,
        db_index=False,
    )
    quantity = models.DecimalField(_("quantity"), max_digits=12, decimal_places=2)
    rate_fen = models.BigIntegerField(_("rate (fen)"))
    percent = models.PositiveSmallIntegerField(_("percent billed"), default=100)
    days = models.PositiveSmallIntegerField(_("days billed"))
    period_days = models.PositiveSmallIntegerField(_("days in period"))
    amount_fen = models.BigIntegerField(_("amount (fen)"))
    due_on = models.DateField(_("due on"))
    description = models.CharField(_("description"), max_length=120, blank=True, default="")
    run = models.ForeignKey(
        BillingRun,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_constraint=False,
        db_index=False,
    )
    created_by = models.ForeignKey(
        USER,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_constraint=False,
        db_index=False,
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["community_id", "house_id", "period", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["community", "house", "fee_item", "period", "ref"], name="bill_key"
            ),
            models.CheckConstraint(condition=Q(amount_fen__gte=0), name="bill_not_negative"),
        ]
        indexes = [models.Index(fields=["community", "period"], name="bill_period")]
        verbose_name = _("bill")
        verbose_name_plural = _("bills")

    def __str__(self) -> str:
        return f"{self.house_id} {self.fee_item_id} {self.period:%Y-%m}"

    @property
    def amount(self):
        return from_fen(self.amount_fen)

    @property
    def rate(self):
        return from_fen(self.rate_fen)


# --- payments, ledger, receipts -------------------------------------------------------------


class PaymentMethod(models.TextChoices):
    CASH = "cash", _("Cash")
    BANK_TRANSFER = "bank_transfer", _("Bank transfer")
    POS_CARD = "pos_card", _("POS card")
    WECHAT = "wechat", _("WeChat Pay")
    ALIPAY = "alipay", _("Alipay")
    OTHER = "other", _("Other")


class PaymentSource(models.TextChoices):
    """What a payment pays: a house's fees (ledger, allocations) or a charge at the counter that
    belongs to no house (temporary parking at the gate: a receipt and a cash-up line only)."""

    HOUSE = "house", _("House fees")
    TEMPORARY_PARKING = "temporary_parking", _("Temporary parking")


class CashUp(models.Model):
    """A cashier's daily cash-up (日结): the payments taken since the last one, per method."""

    community = models.ForeignKey(Community, on_delete=models.PROTECT, related_name="+")
    cashier = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    business_date = models.DateField(_("business date"))
    payment_count = models.PositiveIntegerField(_("payments"), default=0)
    total_fen = models.BigIntegerField(_("total (fen)"), default=0)
    totals = models.JSONField(default=dict, help_text="method → {count, fen}")
    closed_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    closed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-closed_at", "-id"]
        indexes = [models.Index(fields=["community", "business_date"], name="cash_up_date")]
        verbose_name = _("cash-up")
        verbose_name_plural = _("cash-ups")

    def __str__(self) -> str:
        return f"cash-up {self.cashier_id} {self.business_date}"

    @property
    def total(self):
        return from_fen(self.total_fen)


class Payment(models.Model):
    """Money received for a house, or at the counter for a charge of no house (`source`). The
    same idempotency key always means this one payment."""

    community = models.ForeignKey(Community, on_delete=models.PROTECT, related_name="+")
    source = models.CharField(
        _("paid for"), max_length=20, choices=PaymentSource.choices, default=PaymentSource.HOUSE
    )
    house = models.ForeignKey(
        House, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    method = models.CharField(_("method"), max_length=20, choices=PaymentMethod.choices)
    amount_fen = models.BigIntegerField(_("amount (fen)"))
    idempotency_key = models.CharField(max_length=80, unique=True)
    fingerprint = models.CharField(max_length=64)
    payer_name = models.CharField(_("payer"), max_length=60, blank=True)
    reference = models.CharField(_("transaction reference"), max_length=60, blank=True)
    note = models.CharField(_("note"), max_length=200, blank=True)
    received_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    received_at = models.DateTimeField(_("received at"), default=timezone.now)
    cash_up = models.ForeignKey(
        CashUp, null=True, blank=True, on_delete=models.PROTECT, related_name="payments"
    )

    class Meta:
        ordering = ["-received_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(amount_fen__gt=0), name="payment_positive"),
            # A house's payment names its house; a counter charge names none.
            models.CheckConstraint(
                condition=(Q(source=PaymentSource.HOUSE) & Q(house__isnull=False))
                | (~Q(source=PaymentSource.HOUSE) & Q(house__isnull=True)),
                name="payment_house_matches_source",
            ),
        ]
        indexes = [
            models.Index(fields=["community", "house", "received_at"], name="payment_house"),
            models.Index(
                fields=["community", "received_by", "received_at"], name="payment_cashier"
            ),
            models.Index(fields=["community", "received_at"], name="payment_date"),
        ]
        verbose_name = _("payment")
        verbose_name_plural = _("payments")

    def __str__(self) -> str:
        return f"payment {self.id} {self.amount}"

    @property
    def amount(self):
        return from_fen(self.amount_fen)

    @property
    def paid_for(self) -> str:
        """What a list or a receipt names the payment by: the house's code, or what it paid."""
        if self.house_id:
            return self.house.code
        return str(self.get_source_display())


class LedgerAdjustment(models.Model):
    """A correction a cashier asks for and a supervisor approves; approval writes the entries."""

    class Kind(models.TextChoices):
        REVERSE_PAYMENT = "reverse_payment", _("Reverse a payment")
        CANCEL_BILL = "cancel_bill", _("Cancel a bill")
        DISCOUNT = "discount", _("Discount on a bill")
        WRITE_OFF = "write_off", _("Write off a bill")
        REFUND = "refund", _("Refund prepaid balance")
        DEPOSIT_REFUND = "deposit_refund", _("Refund a paid deposit")

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")

    community = models.ForeignKey(Community, on_delete=models.PROTECT, related_name="+")
    house = models.ForeignKey(House, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    payment = models.ForeignKey(Payment, null=True, blank=True, on_delete=models.PROTECT)
    bill = models.ForeignKey(Bill, null=True, blank=True, on_delete=models.PROTECT)
    amount_fen = models.BigIntegerField(_("amount (fen)"), null=True, blank=True)
    method = models.CharField(
        _("refund method"), max_length=20, choices=PaymentMethod.choices, blank=True
    )
    reason = models.CharField(_("reason"), max_length=300)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    requested_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField(default=timezone.now)
    decided_by = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.CharField(_("decision note"), max_length=300, blank=True)

    class Meta:
        ordering = ["-requested_at", "-id"]
        indexes = [
            models.Index(fields=["community", "status", "requested_at"], name="adjustment_queue")
        ]
        verbose_name = _("ledger correction")
        verbose_name_plural = _("ledger corrections")

    def __str__(self) -> str:
        return f"{self.kind} {self.status}"

    @property
    def amount(self):
        return None if self.amount_fen is None else from_fen(self.amount_fen)


class LedgerEntry(models.Model):
    """One money movement other than a bill; `amount_fen` > 0 adds to what the house owes.

    Two accounts per house: a bill's (entries with `bill` set: allocations, discounts, write-offs
    and their reversals) and the prepaid balance (entries without `bill`: payments, the other half
    of each allocation, refunds). An allocation is a pair — minus on the bill, plus on the prepaid
    balance — so it moves money without changing the house's balance. A reversal negates exactly
    one entry (`reverses` is unique) and is written only by an approved correction.
    """

    class Kind(models.TextChoices):
        BILL = "bill", _("Bill")  # the Bill rows, in the ledger as read by selectors
        PAYMENT = "payment", _("Payment")
        ALLOCATION = "allocation", _("Allocation")
        DISCOUNT = "discount", _("Discount")
        WRITE_OFF = "write_off", _("Write-off")
        REFUND = "refund", _("Refund")
        REVERSAL = "reversal", _("Reversal")

    community = models.ForeignKey(
        Community, on_delete=models.PROTECT, related_name="+", db_index=False
    )
    house = models.ForeignKey(House, on_delete=models.PROTECT, related_name="+", db_index=False)
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    amount_fen = models.BigIntegerField(_("amount (fen)"))
    bill = models.ForeignKey(
        Bill, null=True, blank=True, on_delete=models.PROTECT, related_name="entries"
    )
    payment = models.ForeignKey(
        Payment, null=True, blank=True, on_delete=models.PROTECT, related_name="entries"
    )
    adjustment = models.ForeignKey(
        LedgerAdjustment, null=True, blank=True, on_delete=models.PROTECT, related_name="entries"
    )
    reverses = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="reversed_by"
    )
    note = models.CharField(_("note"), max_length=200, blank=True)
    created_by = models.ForeignKey(USER, null=True, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.CheckConstraint(condition=~Q(amount_fen=0), name="ledger_entry_not_zero"),
        ]
        indexes = [
            models.Index(fields=["community", "house", "created_at"], name="ledger_house"),
            models.Index(fields=["community", "created_at"], name="ledger_date"),
        ]
        verbose_name = _("ledger entry")
        verbose_name_plural = _("ledger entries")

    def __str__(self) -> str:
        return f"{self.kind} {self.amount_fen}"

    @property
    def amount(self):
        return from_fen(self.amount_fen)


class HouseAccount(models.Model):
    """The row a house's money movements lock, so two cashiers never allocate the same fen."""

    community = models.ForeignKey(Community, on_delete=models.PROTECT, related_name="+")
    house = models.OneToOneField(House, on_delete=models.PROTECT, related_name="+")
    opened_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"account {self.house_id}"


class Receipt(models.Model):
    """A receipt (收据) for a payment, numbered without gaps per community and year."""

    community = models.ForeignKey(Community, on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField()
    number = models.PositiveIntegerField()
    payment = models.OneToOneField(Payment, on_delete=models.PROTECT, related_name="receipt")
    issued_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    issued_at = models.DateTimeField(default=timezone.now)
    print_count = models.PositiveIntegerField(default=0)
    voided_at = models.DateTimeField(null=True, blank=True)
    void_adjustment = models.ForeignKey(
        LedgerAdjustment, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-issued_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["community", "year", "number"], name="receipt_number_unique"
            )
        ]
        verbose_name = _("receipt")
        verbose_name_plural = _("receipts")

    def __str__(self) -> str:
        return self.display_number

    @property
    def display_number(self) -> str:
        return f"{self.year}-{self.number:06d}"


# --- utilities --------------------------------------------------------------------------------


class Utility(models.TextChoices):
    WATER = "water", _("Water")
    ELECTRICITY = "electricity", _("Electricity")


class UtilitySettlement(models.Model):
    """A period's actual shared water or electricity cost, shared out by building area."""

    community = models.ForeignKey(Community, on_delete=models.PROTECT, related_name="+")
    building = models.ForeignKey(Building, null=True, blank=True, on_delete=models.PROTECT)
    utility = models.CharField(_("utility"), max_length=12, choices=Utility.choices)
    period = models.DateField(_("period"))
    cost_fen = models.BigIntegerField(_("cost (fen)"))
    total_area_m2 = models.DecimalField(max_digits=14, decimal_places=2)
    drawn_fen = models.BigIntegerField(_("drawn from deposits (fen)"), default=0)
    billed_fen = models.BigIntegerField(_("billed as top-ups (fen)"), default=0)
    created_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-period", "-id"]
        indexes = [models.Index(fields=["community", "period"], name="utility_period")]
        verbose_name = _("shared utility settlement")
        verbose_name_plural = _("shared utility settlements")

    def __str__(self) -> str:
        return f"{self.utility} {self.period:%Y-%m}"


class UtilitySettlementLine(models.Model):
    community = models.ForeignKey(Community, on_delete=models.PROTECT, related_name="+")
    settlement = models.ForeignKey(
        UtilitySettlement, on_delete=models.PROTECT, related_name="lines"
    )
    house = models.ForeignKey(House, on_delete=models.PROTECT, related_name="+")
    area_m2 = models.DecimalField(max_digits=9, decimal_places=2)
    share_fen = models.BigIntegerField()
    drawn_fen = models.BigIntegerField(default=0)
    bill = models.ForeignKey(Bill, null=True, blank=True, on_delete=models.PROTECT)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["settlement", "house"], name="utility_line_unique")
        ]
        indexes = [models.Index(fields=["community", "house"], name="utility_line_house")]

    def __str__(self) -> str:
        return f"{self.settlement_id}/{self.house_id}"


class MeterTopUp(models.Model):
    """Money put on a water or electricity meter (水电费充值): its bill, payment and receipt."""

    community = models.ForeignKey(Community, on_delete=models.PROTECT, related_name="+")
    house = models.ForeignKey(House, on_delete=models.PROTECT, related_name="+")
    utility = models.CharField(_("meter"), max_length=12, choices=Utility.choices)
    meter_number = models.CharField(_("meter number"), max_length=40)
    bill = models.OneToOneField(Bill, on_delete=models.PROTECT, related_name="+")
    payment = models.OneToOneField(Payment, on_delete=models.PROTECT, related_name="top_up")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["community", "meter_number"], name="top_up_meter")]
        verbose_name = _("meter top-up")
        verbose_name_plural = _("meter top-ups")

    def __str__(self) -> str:
        return f"{self.utility} {self.meter_number}"


# --- reminders --------------------------------------------------------------------------------


class ReminderTemplate(models.Model):
    """The text of an arrears reminder (催缴); {house}, {owner}, {amount}, {amount_words},
    {oldest_period} and {community} are filled in."""

    class Channel(models.TextChoices):
        SMS = "sms", _("SMS")
        WECHAT = "wechat", _("WeChat")
        IN_APP = "in_app", _("In-app")

    community = models.ForeignKey(Community, on_delete=models.PROTECT, related_name="+")
    name = models.CharField(_("name"), max_length=60)
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    body = models.TextField(_("text"), max_length=500)
    active = models.BooleanField(_("in use"), default=True)
    updated_by = models.ForeignKey(USER, null=True, on_delete=models.PROTECT, related_name="+")
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["community_id", "name"]
        verbose_name = _("reminder template")
        verbose_name_plural = _("reminder templates")

    def __str__(self) -> str:
        return self.name


class ReminderLog(models.Model):
    """One reminder queued for a house; the interval rule reads the latest per house."""

    community = models.ForeignKey(Community, on_delete=models.PROTECT, related_name="+")
    house = models.ForeignKey(House, on_delete=models.PROTECT, related_name="+")
    template = models.ForeignKey(ReminderTemplate, null=True, on_delete=models.PROTECT)
    channel = models.CharField(max_length=10)
    amount_fen = models.BigIntegerField()
    outbox_message_id = models.BigIntegerField(null=True)
    send_at = models.DateTimeField()
    sent_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["community", "house", "created_at"], name="reminder_house")]
        verbose_name = _("reminder sent")
        verbose_name_plural = _("reminders sent")

    def __str__(self) -> str:
        return f"reminder {self.house_id} {self.created_at:%Y-%m-%d}"


class CommunityFigures(models.Model):
    """A community's finance-dashboard figures, computed by the worker every quarter of an hour
    (services.figures): twelve months billed, collected and recovered, and the arrears by age,
    read from a year of bills and ledger entries — too much to read on every page view at a
    million houses (10 s at 200,000 houses on SQLite, measured)."""

    community = models.OneToOneField(Community, on_delete=models.CASCADE, related_name="+")
    months = models.JSONField(default=dict, help_text='"YYYY-MM" → [billed, collected, recovered]')
    aging = models.JSONField(default=dict, help_text="bucket → fen owed")
    computed_at = models.DateTimeField(_("computed at"))

    class Meta:
        verbose_name = _("dashboard figures")
        verbose_name_plural = _("dashboard figures")

    def __str__(self) -> str:
        return f"figures {self.community_id} {self.computed_at:%Y-%m-%d %H:%M}"
