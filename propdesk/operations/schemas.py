"""API schemas of operations; the coded values come from the models' choices."""

import datetime
from decimal import Decimal
from typing import Annotated, Literal

from ninja import Field, Schema

from propdesk.api.schemas import MAX_ID, Id, Line, Name, PageOut, Paging, choices_of
from propdesk.billing.models import PaymentMethod
from propdesk.core.masking import mask_plate
from propdesk.core.money import MAX_AMOUNT, from_fen
from propdesk.operations.models import (
    EquipmentKind,
    EquipmentStatus,
    LineKind,
    Metric,
    PublicationStatus,
    StayStatus,
)

KindValue = Literal[tuple(EquipmentKind.values)]
StatusValue = Literal[tuple(EquipmentStatus.values)]
MetricValue = Literal[tuple(Metric.values)]


class EquipmentFilters(Paging):
    community: int | None = Field(None, ge=1, le=MAX_ID)
    q: Line(60) = ""
    kind: KindValue | Literal[""] = ""
    status: StatusValue | Literal[""] = ""


class EquipmentIn(Schema):
    building: int = Field(..., ge=1, le=MAX_ID)
    code: Line(40, required=True)
    name: Name(100)
    kind: KindValue
    location: Line(200) = ""
    model_name: Line(100) = ""
    installer: Line(100) = ""
    contractor: Line(100) = ""
    warranty_end: datetime.date | None = None


class StatusIn(Schema):
    status: StatusValue
    note: Line(300) = ""


class EquipmentOut(Schema):
    id: int
    community: int = Field(..., alias="community_id")
    building: int = Field(..., alias="building_id")
    code: str
    name: str
    kind: KindValue
    location: str
    model_name: str
    installer: str
    contractor: str
    warranty_end: datetime.date | None
    status: StatusValue


class EquipmentPage(PageOut):
    items: list[EquipmentOut]


class ReadingOut(Schema):
    metric: MetricValue
    at: datetime.datetime
    value: float


class OperationsFiguresOut(Schema):
    faults: int
    mtbf_days: float | None
    repeats: int


class EquipmentDetailOut(EquipmentOut):
    latest: list[ReadingOut]
    figures: OperationsFiguresOut


class AlertOut(Schema):
    id: int
    community: int = Field(..., alias="community_id")
    equipment: int = Field(..., alias="equipment_id")
    metric: MetricValue
    first_value: float
    last_value: float
    opened_at: datetime.datetime
    closed_at: datetime.datetime | None
    is_open: bool
    request: int | None = Field(None, alias="request_id")


class AlertFilters(Paging):
    community: int | None = Field(None, ge=1, le=MAX_ID)
    open: bool = True


class AlertPage(PageOut):
    items: list[AlertOut]


# --- temporary parking ----------------------------------------------------------------------

StayStatusValue = choices_of(StayStatus)
PayMethodValue = choices_of(PaymentMethod)
IdempotencyKey = Annotated[
    str,
    Field(
        min_length=8,
        max_length=80,
        pattern=r"^[A-Za-z0-9_.:-]+$",
        description="Chosen by the client, unique per payment; a retry sends the same key",
    ),
]


class StayFilters(Paging):
    community: int | None = Field(None, ge=1, le=MAX_ID)
    status: StayStatusValue | Literal[""] = ""
    plate: Line(20) = ""


class StayIn(Schema):
    community: Id
    plate: Line(20, required=True)
    entered_at: datetime.datetime | None = Field(None, description="Now when not given")
    note: Line(200) = ""


class LeaveIn(Schema):
    left_at: datetime.datetime | None = Field(None, description="Now when not given")


class StayPaymentIn(Schema):
    method: PayMethodValue
    idempotency_key: IdempotencyKey
    payer_name: Line(60) = ""


class StayOut(Schema):
    id: int
    community: int = Field(..., alias="community_id")
    plate_shown: str = Field(
        ..., description="The plate as this caller may see it: in full for the gate, else masked"
    )
    entered_at: datetime.datetime
    left_at: datetime.datetime | None
    minutes: int | None
    fee: str | None = Field(None, description="CNY, once the car has left")
    status: StayStatusValue
    receipt: int | None = None
    receipt_number: str | None = None

    @staticmethod
    def resolve_plate_shown(obj) -> str:
        return getattr(obj, "plate_shown", None) or mask_plate(obj.plate)

    @staticmethod
    def resolve_fee(obj) -> str | None:
        return None if obj.fee_fen is None else f"{from_fen(obj.fee_fen):.2f}"

    @staticmethod
    def resolve_receipt(obj) -> int | None:
        return obj.payment.receipt.id if obj.payment_id else None

    @staticmethod
    def resolve_receipt_number(obj) -> str | None:
        return obj.payment.receipt.display_number if obj.payment_id else None


class StayPage(PageOut):
    items: list[StayOut]


# --- fee transparency -----------------------------------------------------------------------

Month = Annotated[
    str, Field(pattern=r"^\d{4}-(0[1-9]|1[0-2])$", description="A month, e.g. 2026-07")
]
PublicationStatusValue = choices_of(PublicationStatus)


class PublicationFilters(Paging):
    community: int | None = Field(None, ge=1, le=MAX_ID)


class PublicationIn(Schema):
    community: Id
    period_from: Month
    period_to: Month
    title: Line(100) = ""


class SpendingIn(Schema):
    category: Name(60)
    amount: Annotated[Decimal, Field(gt=0, le=MAX_AMOUNT, max_digits=14, decimal_places=2)]
    note: Line(200) = ""


class PublicationReviewIn(Schema):
    approve: bool
    note: Line(300) = ""


class CorrectionIn(Schema):
    reason: Line(300, required=True)


class PublicationLineOut(Schema):
    id: int
    kind: Literal[tuple(LineKind.values)]
    category: str
    amount: str
    note: str

    @staticmethod
    def resolve_amount(obj) -> str:
        return f"{obj.amount:.2f}"


class PublicationOut(Schema):
    id: int
    community: int = Field(..., alias="community_id")
    period_from: datetime.date
    period_to: datetime.date
    version: int
    status: PublicationStatusValue
    title: str
    income: str
    spending: str
    supersedes: int | None = Field(None, alias="supersedes_id")
    correction_reason: str
    prepared_by: str
    reviewed_by: str | None
    published_at: datetime.datetime | None

    @staticmethod
    def resolve_income(obj) -> str:
        return f"{obj.income:.2f}"

    @staticmethod
    def resolve_spending(obj) -> str:
        return f"{obj.spending:.2f}"

    @staticmethod
    def resolve_prepared_by(obj) -> str:
        return obj.prepared_by.display_name

    @staticmethod
    def resolve_reviewed_by(obj) -> str | None:
        return obj.reviewed_by.display_name if obj.reviewed_by_id else None


class PublicationDetailOut(PublicationOut):
    lines: list[PublicationLineOut]

    @staticmethod
    def resolve_lines(obj) -> list:
        return list(obj.lines.order_by("kind", "id"))


class PublicationPage(PageOut):
    items: list[PublicationOut]
