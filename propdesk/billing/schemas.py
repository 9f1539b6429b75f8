"""Request and response schemas of the fees API (`<Entity>In`, `<Entity>Out`).

Amounts travel as decimal strings or numbers with at most two places ("170.05") and leave as
strings with exactly two ("170.05"), never as floats. A malformed amount — negative, zero, with a
third decimal, not a number — is refused at the edge with a 422 naming the field.
"""

import datetime
from decimal import Decimal
from typing import Annotated, Literal

from ninja import Field, Schema
from pydantic import WithJsonSchema

from propdesk.api.schemas import MAX_ID, Date, Id, Line, PageOut, Paging, Text, choices_of
from propdesk.billing.models import (
    LedgerAdjustment,
    PaymentMethod,
    PaymentSource,
    ReminderTemplate,
    Utility,
    VacancyApplication,
)
from propdesk.core.money import MAX_AMOUNT, from_fen

Amount = Annotated[
    Decimal,
    Field(gt=0, le=MAX_AMOUNT, max_digits=14, decimal_places=2, description="CNY, e.g. 170.05"),
]
Rate = Annotated[Decimal, Field(ge=0, le=Decimal("1000000"), max_digits=10, decimal_places=2)]
Period = Annotated[
    str,
    Field(pattern=r"^\d{4}-(0[1-9]|1[0-2])$", description="A month, e.g. 2026-07"),
]
# A time of day as sent ("21:00:00"). JSON Schema's `format: time` means RFC 3339 with an offset
# ("21:00:00+08:00"), which the policy's local quiet hours never carry: documented by pattern.
ClockTime = Annotated[
    datetime.time,
    WithJsonSchema({"type": "string", "pattern": r"^[0-2][0-9]:[0-5][0-9](:[0-5][0-9])?$"}),
]
OptionalId = Annotated[int | None, Field(None, ge=1, le=MAX_ID)]
IdempotencyKey = Annotated[
    str,
    Field(
        min_length=8,
        max_length=80,
        pattern=r"^[A-Za-z0-9_.:-]+$",
        description="Chosen by the client, unique per payment; a retry sends the same key",
    ),
]
MethodValue = choices_of(PaymentMethod)
AdjustmentKindValue = choices_of(LedgerAdjustment.Kind)
UtilityValue = choices_of(Utility)
ChannelValue = choices_of(ReminderTemplate.Channel)


def money(fen: int | None) -> str | None:
    return None if fen is None else str(from_fen(int(fen)))


# --- fee schedule ---------------------------------------------------------------------------


class FeeRateOut(Schema):
    id: int
    effective_from: datetime.date
    rate: str
    note: str

    @staticmethod
    def resolve_rate(obj) -> str:
        return money(obj.rate_fen)


class FeeItemOut(Schema):
    id: int
    community: int
    code: str
    name: str
    basis: str
    active: bool
    current_rate: str | None
    rates: list[FeeRateOut]

    @staticmethod
    def resolve_community(obj) -> int:
        return obj.community_id

    @staticmethod
    def resolve_name(obj) -> str:
        return obj.name or str(obj.get_code_display())

    @staticmethod
    def resolve_current_rate(obj) -> str | None:
        rate = getattr(obj, "current", None)
        return money(rate.rate_fen) if rate else None

    @staticmethod
    def resolve_rates(obj) -> list:
        return getattr(obj, "rate_list", [])


class FeeRateIn(Schema):
    rate: Rate
    effective_from: Date
    note: Line(200) = ""


class FeeItemPatch(Schema):
    name: Line(60) | None = None
    active: bool | None = None


class PolicyOut(Schema):
    community: int
    due_day: int
    pro_rate_by_days: bool
    vacancy_threshold_months: int
    vacancy_percent: int
    vacancy_requires_application: bool
    reminder_interval_days: int
    quiet_hours_start: ClockTime
    quiet_hours_end: ClockTime
    temp_parking_free_minutes: int
    temp_parking_short_fee: str
    temp_parking_block_hours: int
    temp_parking_cap: str

    @staticmethod
    def resolve_community(obj) -> int:
        return obj.community_id

    @staticmethod
    def resolve_temp_parking_short_fee(obj) -> str:
        return money(obj.temp_parking_short_fen)

    @staticmethod
    def resolve_temp_parking_cap(obj) -> str:
        return money(obj.temp_parking_cap_fen)


class PolicyPatch(Schema):
    due_day: int | None = Field(None, ge=1, le=28)
    pro_rate_by_days: bool | None = None
    vacancy_threshold_months: int | None = Field(None, ge=1, le=36)
    vacancy_percent: int | None = Field(None, ge=0, le=100)
    vacancy_requires_application: bool | None = None
    reminder_interval_days: int | None = Field(None, ge=1, le=365)
    quiet_hours_start: datetime.time | None = None
    quiet_hours_end: datetime.time | None = None
    temp_parking_free_minutes: int | None = Field(None, ge=0, le=1440)
    temp_parking_short_fee: Rate | None = None
    temp_parking_block_hours: int | None = Field(None, ge=1, le=72)
    temp_parking_cap: Rate | None = None


class ClosedPeriodIn(Schema):
    period: Period


class ClosedPeriodOut(Schema):
    community: int
    period: str
    closed_at: datetime.datetime

    @staticmethod
    def resolve_community(obj) -> int:
        return obj.community_id

    @staticmethod
    def resolve_period(obj) -> str:
        return f"{obj.period:%Y-%m}"


# --- runs -------------------------------------------------------------------------------------


class RunIn(Schema):
    period: Period
    community: OptionalId = None
    building: OptionalId = None
    company: bool = Field(False, description="Bill every community of your company")


class PreviewItemOut(Schema):
    code: str
    name: str
    bills: int
    amount: str


class PreviewOut(Schema):
    period: str
    scope: str
    communities: int
    bills: int
    amount: str
    by_item: list[PreviewItemOut]
    exceptions: dict


class RunOut(Schema):
    id: int
    scope: str
    community: int | None
    building: int | None
    period: str
    status: str
    progress_percent: int
    communities: int
    communities_done: int
    bills_created: int
    amount: str
    error: str
    created_at: datetime.datetime
    finished_at: datetime.datetime | None

    @staticmethod
    def resolve_community(obj) -> int | None:
        return obj.community_id

    @staticmethod
    def resolve_building(obj) -> int | None:
        return obj.building_id

    @staticmethod
    def resolve_period(obj) -> str:
        return f"{obj.period:%Y-%m}"

    @staticmethod
    def resolve_communities(obj) -> int:
        return len(obj.community_ids)

    @staticmethod
    def resolve_amount(obj) -> str:
        return money(obj.amount_fen)


# --- bills and dues ---------------------------------------------------------------------------


class BillFilters(Paging):
    community: int | None = Field(None, ge=1, le=MAX_ID)
    building: int | None = Field(None, ge=1, le=MAX_ID)
    house: int | None = Field(None, ge=1, le=MAX_ID)
    period: Period | None = None
    status: Literal["open", "paid", ""] = ""
    code: str = Field(
        "", max_length=40, pattern=r"^[0-9A-Za-z-]*$", description="House code prefix"
    )


class BillOut(Schema):
    id: int
    community: int
    house: int
    house_code: str
    fee_code: str
    fee_name: str
    period: str
    ref: str
    description: str
    quantity: Decimal
    rate: str
    percent: int
    days: int
    period_days: int
    amount: str
    outstanding: str | None
    due_on: datetime.date
    created_at: datetime.datetime

    @staticmethod
    def resolve_community(obj) -> int:
        return obj.community_id

    @staticmethod
    def resolve_house(obj) -> int:
        return obj.house_id

    @staticmethod
    def resolve_house_code(obj) -> str:
        return obj.house.code

    @staticmethod
    def resolve_fee_code(obj) -> str:
        return obj.fee_item.code

    @staticmethod
    def resolve_fee_name(obj) -> str:
        return obj.fee_item.name or str(obj.fee_item.get_code_display())

    @staticmethod
    def resolve_period(obj) -> str:
        return f"{obj.period:%Y-%m}"

    @staticmethod
    def resolve_rate(obj) -> str:
        return money(obj.rate_fen)

    @staticmethod
    def resolve_amount(obj) -> str:
        return money(obj.amount_fen)

    @staticmethod
    def resolve_outstanding(obj) -> str | None:
        return money(getattr(obj, "outstanding_fen", None))


class BillPage(PageOut):
    items: list[BillOut]


class DueBillOut(Schema):
    bill: int
    fee_code: str
    fee_name: str
    period: str
    due_on: datetime.date
    amount: str
    outstanding: str
    overdue: bool

    @staticmethod
    def resolve_bill(obj) -> int:
        return obj.bill_id

    @staticmethod
    def resolve_period(obj) -> str:
        return f"{obj.period:%Y-%m}"

    @staticmethod
    def resolve_amount(obj) -> str:
        return money(obj.amount_fen)

    @staticmethod
    def resolve_outstanding(obj) -> str:
        return money(obj.outstanding_fen)


class DuesOut(Schema):
    house: int
    owes: bool
    outstanding: str
    overdue: str
    prepaid: str
    bills: list[DueBillOut]

    @staticmethod
    def resolve_house(obj) -> int:
        return obj.house_id

    @staticmethod
    def resolve_outstanding(obj) -> str:
        return money(obj.outstanding_fen)

    @staticmethod
    def resolve_overdue(obj) -> str:
        return money(obj.overdue_fen)

    @staticmethod
    def resolve_prepaid(obj) -> str:
        return money(obj.prepaid_fen)


class DecorationFeeIn(Schema):
    house: Id
    permit_ref: Annotated[
        str, Field(min_length=1, max_length=40, pattern=r"^[0-9A-Za-z\u4e00-\u9fff_-]+$")
    ]


class DepositIn(Schema):
    house: Id


class StatementFilters(Schema):
    date_from: Date | None = None
    date_to: Date | None = None


class StatementLineOut(Schema):
    at: datetime.datetime
    kind: str
    kind_label: str
    description: str
    amount: str
    balance: str
    bill: int | None
    payment: int | None

    @staticmethod
    def resolve_amount(obj) -> str:
        return money(obj.amount_fen)

    @staticmethod
    def resolve_balance(obj) -> str:
        return money(obj.balance_fen)

    @staticmethod
    def resolve_bill(obj) -> int | None:
        return obj.bill_id

    @staticmethod
    def resolve_payment(obj) -> int | None:
        return obj.payment_id


class StatementOut(Schema):
    house: int
    date_from: datetime.date | None
    date_to: datetime.date | None
    opening_balance: str
    closing_balance: str
    lines: list[StatementLineOut]


# --- payments ---------------------------------------------------------------------------------


class PaymentIn(Schema):
    house: Id
    amount: Amount
    method: MethodValue
    idempotency_key: IdempotencyKey
    bills: list[Id] = Field(
        default_factory=list, max_length=200, description="Oldest first if empty"
    )
    payer_name: Line(60) = ""
    reference: Line(60) = ""
    note: Line(200) = ""


class AllocationOut(Schema):
    bill: int
    amount: str


class PaymentOut(Schema):
    id: int
    source: Literal[tuple(PaymentSource.values)]
    house: int | None
    amount: str
    method: str
    received_at: datetime.datetime
    received_by: str
    receipt: int
    receipt_number: str
    receipt_void: bool
    allocations: list[AllocationOut]
    prepaid: str

    @staticmethod
    def resolve_house(obj) -> int:
        return obj.house_id

    @staticmethod
    def resolve_amount(obj) -> str:
        return money(obj.amount_fen)

    @staticmethod
    def resolve_received_by(obj) -> str:
        return obj.received_by.display_name

    @staticmethod
    def resolve_receipt(obj) -> int:
        return obj.receipt.id

    @staticmethod
    def resolve_receipt_number(obj) -> str:
        return obj.receipt.display_number

    @staticmethod
    def resolve_receipt_void(obj) -> bool:
        return obj.receipt.voided_at is not None

    @staticmethod
    def resolve_allocations(obj) -> list[dict]:
        return [
            {"bill": e.bill_id, "amount": money(-e.amount_fen)}
            for e in obj.entries.all()
            if e.kind == "allocation" and e.bill_id
        ]

    @staticmethod
    def resolve_prepaid(obj) -> str:
        allocated = -sum(
            e.amount_fen for e in obj.entries.all() if e.kind == "allocation" and e.bill_id
        )
        return money(obj.amount_fen - allocated)


class TopUpIn(Schema):
    house: Id
    utility: UtilityValue
    meter_number: Annotated[str, Field(min_length=1, max_length=40, pattern=r"^[0-9A-Za-z_-]+$")]
    amount: Amount
    method: MethodValue
    idempotency_key: IdempotencyKey
    payer_name: Line(60) = ""
    reference: Line(60) = ""


class TopUpOut(Schema):
    id: int
    house: int
    utility: str
    meter_number: str
    payment: PaymentOut

    @staticmethod
    def resolve_house(obj) -> int:
        return obj.house_id


# --- corrections ------------------------------------------------------------------------------


class AdjustmentIn(Schema):
    house: Id
    kind: AdjustmentKindValue
    reason: Text(300, required=True)
    payment: OptionalId = None
    bill: OptionalId = None
    amount: Amount | None = None
    method: MethodValue | None = None


class DecisionIn(Schema):
    note: Text(300) = ""


class AdjustmentFilters(Paging):
    status: choices_of(LedgerAdjustment.Status, "") = "pending"
    community: int | None = Field(None, ge=1, le=MAX_ID)


class AdjustmentOut(Schema):
    id: int
    house: int
    house_code: str
    kind: str
    status: str
    payment: int | None
    bill: int | None
    amount: str | None
    method: str
    reason: str
    requested_by: str
    requested_at: datetime.datetime
    decided_by: str | None
    decided_at: datetime.datetime | None
    decision_note: str

    @staticmethod
    def resolve_house(obj) -> int:
        return obj.house_id

    @staticmethod
    def resolve_house_code(obj) -> str:
        return obj.house.code

    @staticmethod
    def resolve_payment(obj) -> int | None:
        return obj.payment_id

    @staticmethod
    def resolve_bill(obj) -> int | None:
        return obj.bill_id

    @staticmethod
    def resolve_amount(obj) -> str | None:
        return money(obj.amount_fen)

    @staticmethod
    def resolve_requested_by(obj) -> str:
        return obj.requested_by.display_name

    @staticmethod
    def resolve_decided_by(obj) -> str | None:
        return obj.decided_by.display_name if obj.decided_by_id else None


class AdjustmentPage(PageOut):
    items: list[AdjustmentOut]


# --- vacancy ----------------------------------------------------------------------------------


class VacancyIn(Schema):
    house: Id
    note: Text(300) = ""


class VacancyFilters(Paging):
    status: choices_of(VacancyApplication.Status, "") = ""
    community: int | None = Field(None, ge=1, le=MAX_ID)


class VacancyOut(Schema):
    id: int
    house: int
    house_code: str
    vacant_since: datetime.date
    status: str
    note: str
    applied_at: datetime.datetime
    decided_at: datetime.datetime | None
    decision_note: str
    discount_from: str | None

    @staticmethod
    def resolve_house(obj) -> int:
        return obj.house_id

    @staticmethod
    def resolve_house_code(obj) -> str:
        return obj.house.code

    @staticmethod
    def resolve_discount_from(obj) -> str | None:
        return f"{obj.discount_from:%Y-%m}" if obj.discount_from else None


class VacancyPage(PageOut):
    items: list[VacancyOut]


# --- utilities --------------------------------------------------------------------------------


class SettlementIn(Schema):
    community: Id
    building: OptionalId = None
    utility: UtilityValue
    period: Period
    cost: Amount


class SettlementLineOut(Schema):
    house: int
    area_m2: Decimal
    share: str
    drawn: str
    billed: str

    @staticmethod
    def resolve_house(obj) -> int:
        return obj.house_id

    @staticmethod
    def resolve_share(obj) -> str:
        return money(obj.share_fen)

    @staticmethod
    def resolve_drawn(obj) -> str:
        return money(obj.drawn_fen)

    @staticmethod
    def resolve_billed(obj) -> str:
        return money(obj.share_fen - obj.drawn_fen)


class SettlementOut(Schema):
    id: int
    community: int
    building: int | None
    utility: str
    period: str
    cost: str
    drawn: str
    billed: str
    lines: list[SettlementLineOut]

    @staticmethod
    def resolve_community(obj) -> int:
        return obj.community_id

    @staticmethod
    def resolve_building(obj) -> int | None:
        return obj.building_id

    @staticmethod
    def resolve_period(obj) -> str:
        return f"{obj.period:%Y-%m}"

    @staticmethod
    def resolve_cost(obj) -> str:
        return money(obj.cost_fen)

    @staticmethod
    def resolve_drawn(obj) -> str:
        return money(obj.drawn_fen)

    @staticmethod
    def resolve_billed(obj) -> str:
        return money(obj.billed_fen)

    @staticmethod
    def resolve_lines(obj) -> list:
        return list(obj.lines.order_by("house_id"))


# --- reports ----------------------------------------------------------------------------------


class CommunityFilter(Schema):
    community: int | None = Field(None, ge=1, le=MAX_ID)


class ArrearsFilters(CommunityFilter):
    building: int | None = Field(None, ge=1, le=MAX_ID)


class AgingRowOut(Schema):
    id: int
    label: str
    owner: str
    d0_30: str
    d31_90: str
    d91_180: str
    d181_365: str
    d365_plus: str
    total: str


class ArrearsOut(Schema):
    as_of: datetime.date
    total: str
    houses: list[AgingRowOut]
    buildings: list[AgingRowOut]
    communities: list[AgingRowOut]


class ReminderIn(Schema):
    community: Id
    template: Id
    building: OptionalId = None


class ReminderOut(Schema):
    houses: int
    queued: int
    scheduled: int
    skipped_recent: int
    skipped_no_contact: int


class TemplateIn(Schema):
    community: Id
    name: Line(60, required=True)
    channel: ChannelValue
    body: Text(500, required=True)
    active: bool = True


class TemplatePatch(Schema):
    name: Line(60, required=True) | None = None
    channel: ChannelValue | None = None
    body: Text(500, required=True) | None = None
    active: bool | None = None


class TemplateOut(Schema):
    id: int
    community: int
    name: str
    channel: str
    body: str
    active: bool

    @staticmethod
    def resolve_community(obj) -> int:
        return obj.community_id


class CashFilters(CommunityFilter):
    date: Date | None = None
    cashier: int | None = Field(None, ge=1, le=MAX_ID)


class CashRowOut(Schema):
    cashier: str
    method: str
    method_label: str
    count: int
    amount: str

    @staticmethod
    def resolve_amount(obj) -> str:
        return money(obj.fen)


class CashOut(Schema):
    date: datetime.date
    total: str
    reversed: str
    rows: list[CashRowOut]


class CashUpIn(Schema):
    community: Id
    cashier: OptionalId = None


class CashUpOut(Schema):
    id: int
    cashier: str
    business_date: datetime.date
    payment_count: int
    total: str
    totals: dict

    @staticmethod
    def resolve_cashier(obj) -> str:
        return obj.cashier.display_name

    @staticmethod
    def resolve_total(obj) -> str:
        return money(obj.total_fen)


class CollectionFilters(Schema):
    community: int | None = Field(None, ge=1, le=MAX_ID)
    period: Period


class CollectionOut(Schema):
    period: str
    billed: str
    collected: str
    recovered: str
    rate: float | None


class ParkingQuoteFilters(Schema):
    community: int = Field(..., ge=1, le=MAX_ID)
    minutes: int = Field(..., ge=0, le=60 * 24 * 366)


class ParkingQuoteOut(Schema):
    minutes: int
    fee: str | None
