"""API schemas of operations; the coded values come from the models' choices."""

import datetime
from decimal import Decimal
from typing import Annotated, Literal

from ninja import Field, Schema
from pydantic import Strict

from propdesk.api.schemas import MAX_ID, Date, Id, Line, Name, PageOut, Paging, Text, choices_of
from propdesk.billing.models import PaymentMethod
from propdesk.core.masking import mask_plate
from propdesk.core.money import MAX_AMOUNT, from_fen
from propdesk.operations.models import (
    CheckOutcome,
    EquipmentKind,
    EquipmentStatus,
    LineKind,
    Metric,
    OrderStatus,
    PublicationStatus,
    RoundStatus,
    StayStatus,
)
from propdesk.operations.models.maintenance import MAX_ORDER_COST

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


class EquipmentFaultOut(Schema):
    """A request that names the equipment (a fault), as the equipment's history shows it."""

    request: int = Field(..., alias="request_id")
    number: str
    category: str
    status: str
    created_at: datetime.datetime

    @staticmethod
    def resolve_number(obj) -> str:
        return obj.request.number

    @staticmethod
    def resolve_category(obj) -> str:
        return obj.request.category.code

    @staticmethod
    def resolve_status(obj) -> str:
        return obj.request.status

    @staticmethod
    def resolve_created_at(obj) -> datetime.datetime:
        return obj.request.created_at


class EquipmentMaintenanceOut(Schema):
    id: int
    title: str
    due_on: datetime.date
    status: Literal[tuple(OrderStatus.values)]
    completed_at: datetime.datetime | None
    parts: str
    cost: str | None = Field(None, description="CNY")

    @staticmethod
    def resolve_cost(obj) -> str | None:
        return None if obj.cost is None else f"{obj.cost:.2f}"


class EquipmentDetailOut(EquipmentOut):
    latest: list[ReadingOut]
    figures: OperationsFiguresOut
    faults: list[EquipmentFaultOut] = Field(..., description="The newest 50 requests naming it")
    maintenance: list[EquipmentMaintenanceOut] = Field(..., description="Its newest 20 work orders")


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


# --- patrols -----------------------------------------------------------------------------------

PatrolCode = Annotated[
    str,
    Field(
        min_length=1,
        max_length=40,
        pattern=r"^[A-Za-z0-9_-]+$",
        description="Letters, digits, - and _ (printed under the point's QR code)",
    ),
]
RoundStatusValue = choices_of(RoundStatus)


class PatrolFilters(Paging):
    community: int | None = Field(None, ge=1, le=MAX_ID)


class PatrolPointIn(Schema):
    building: Id
    code: PatrolCode
    name: Name(100)
    place: Line(200) = ""
    checklist: Text(2000) = Field("", description="One item a line")


class PatrolPointOut(Schema):
    id: int
    community: int = Field(..., alias="community_id")
    building: int = Field(..., alias="building_id")
    code: str
    name: str
    place: str
    checklist: list[str]
    qr_text: str = Field(..., description="What the point's printed QR code reads")
    active: bool

    @staticmethod
    def resolve_checklist(obj) -> list[str]:
        return obj.checklist_items()

    @staticmethod
    def resolve_qr_text(obj) -> str:
        return obj.qr_text()


class PatrolPointPage(PageOut):
    items: list[PatrolPointOut]


class PatrolRouteIn(Schema):
    community: Id
    name: Name(100)
    points: list[PatrolCode] = Field(
        ..., min_length=1, max_length=60, description="Point codes in the order they are walked"
    )


class PatrolStopOut(Schema):
    position: int
    point: int = Field(..., alias="point_id")
    code: str
    name: str

    @staticmethod
    def resolve_code(obj) -> str:
        return obj.point.code

    @staticmethod
    def resolve_name(obj) -> str:
        return obj.point.name


class PatrolRouteOut(Schema):
    id: int
    community: int = Field(..., alias="community_id")
    name: str
    active: bool
    stops: list[PatrolStopOut]

    @staticmethod
    def resolve_stops(obj) -> list:
        return sorted(obj.stops.all(), key=lambda stop: stop.position)


class PatrolRoutePage(PageOut):
    items: list[PatrolRouteOut]


class PatrolPlanIn(Schema):
    route: Id
    name: Name(100)
    every_days: Annotated[int, Strict()] = Field(
        ..., ge=1, le=366, description="1: nightly; 7: weekly; 90: seasonal"
    )
    starts_on: Date
    start_time: datetime.time
    window_minutes: Annotated[int, Strict()] = Field(120, ge=10, le=24 * 60)
    assignee: Id | None = Field(None, description="The patroller; or name a department")
    department: Id | None = None


class PatrolPlanOut(Schema):
    id: int
    community: int = Field(..., alias="community_id")
    route: int = Field(..., alias="route_id")
    name: str
    every_days: int
    starts_on: datetime.date
    start_time: datetime.time
    window_minutes: int
    assignee: int | None = Field(None, alias="assignee_id")
    department: int | None = Field(None, alias="department_id")
    active: bool


class PatrolPlanPage(PageOut):
    items: list[PatrolPlanOut]


class PatrolRoundOut(Schema):
    id: int
    community: int = Field(..., alias="community_id")
    route: int = Field(..., alias="route_id")
    route_name: str
    plan: int | None = Field(None, alias="plan_id")
    due_at: datetime.datetime
    due_by: datetime.datetime
    status: RoundStatusValue
    assignee: int | None = Field(None, alias="assignee_id")
    department: int | None = Field(None, alias="department_id")
    started_at: datetime.datetime | None
    finished_at: datetime.datetime | None
    points_due: int
    points_checked: int
    points_missed: int
    points_late: int

    @staticmethod
    def resolve_route_name(obj) -> str:
        return obj.route.name


class PatrolRoundPage(PageOut):
    items: list[PatrolRoundOut]


class PatrolCheckOut(Schema):
    id: int
    point: int = Field(..., alias="point_id")
    position: int
    sequence: int
    outcome: Literal[tuple(CheckOutcome.values)]
    answers: dict[str, bool]
    note: str
    checked_at: datetime.datetime
    late: bool
    out_of_order: bool
    request: int | None = Field(None, alias="request_id", description="The finding's request")


class PatrolSheetOut(Schema):
    position: int
    point: int
    code: str
    name: str
    place: str
    checklist: list[str]
    check: PatrolCheckOut | None


class PatrolRoundDetailOut(PatrolRoundOut):
    sheet: list[PatrolSheetOut]


class PatrolCheckIn(Schema):
    code: Line(120, required=True) = Field(
        ..., description="The QR code's text as scanned, or the point's code as typed"
    )
    failed: list[Annotated[int, Strict(), Field(ge=0, le=200)]] = Field(
        default_factory=list,
        max_length=60,
        description="The checklist items (numbered from 0) that are not right",
    )
    note: Text(500) = ""
    finding: bool = Field(False, description="Report a finding even with every item right")
    category: Line(40) = Field("repair_building", description="The finding's request category")


class PatrolSkipIn(Schema):
    code: Line(120, required=True)
    reason: Text(500, required=True)


# --- maintenance --------------------------------------------------------------------------------

OrderStatusValue = choices_of(OrderStatus)


class WorkOrderFilters(Paging):
    community: int | None = Field(None, ge=1, le=MAX_ID)
    equipment: int | None = Field(None, ge=1, le=MAX_ID)
    status: Literal[(*OrderStatus.values, "")] = Field("open", description="Empty for every status")
    overdue: bool = Field(False, description="Only open work orders past their due day")


class WorkOrderOut(Schema):
    id: int
    community: int = Field(..., alias="community_id")
    equipment: int = Field(..., alias="equipment_id")
    equipment_name: str
    plan: int | None = Field(None, alias="plan_id")
    title: str
    due_on: datetime.date
    status: OrderStatusValue
    assignee: int | None = Field(None, alias="assignee_id")
    escalated_at: datetime.datetime | None
    completed_at: datetime.datetime | None

    @staticmethod
    def resolve_equipment_name(obj) -> str:
        return obj.equipment.name


class WorkOrderPage(PageOut):
    items: list[WorkOrderOut]


class WorkOrderDetailOut(WorkOrderOut):
    checklist: list[str]
    answers: dict[str, bool]
    readings: dict[str, float]
    parts: str
    cost: str | None = Field(None, description="CNY")
    notes: str
    completed_by: str | None
    photos: int

    @staticmethod
    def resolve_checklist(obj) -> list[str]:
        return obj.checklist_items()

    @staticmethod
    def resolve_cost(obj) -> str | None:
        return None if obj.cost is None else f"{obj.cost:.2f}"

    @staticmethod
    def resolve_completed_by(obj) -> str | None:
        return obj.completed_by.display_name if obj.completed_by_id else None

    @staticmethod
    def resolve_photos(obj) -> int:
        return obj.photos.count()


OrderCost = Annotated[Decimal, Field(ge=0, le=MAX_ORDER_COST, max_digits=10, decimal_places=2)]


class WorkOrderCompleteIn(Schema):
    failed: list[Annotated[int, Strict(), Field(ge=0, le=200)]] = Field(
        default_factory=list,
        max_length=60,
        description="The checklist items (numbered from 0) that are not right",
    )
    readings: dict[MetricValue, Annotated[float, Field(allow_inf_nan=False)]] = Field(
        default_factory=dict, description="Readings taken, by metric"
    )
    parts: Line(300) = ""
    cost: OrderCost | None = Field(None, description="CNY")
    notes: Text(1000) = ""


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
