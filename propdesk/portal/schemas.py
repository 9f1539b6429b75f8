"""Schemas of the owner-portal API: input checked at the edge, output with mobiles masked."""

import datetime
from typing import Annotated, Literal

from ninja import Field, Schema
from pydantic import StrictInt

from propdesk.api.schemas import (
    MAX_ID,
    Date,
    HistoryEntryOut,
    Id,
    Line,
    Mobile,
    Name,
    Text,
    choices_of,
)
from propdesk.portal.models import LinkRelation


class MobileIn(Schema):
    mobile: Mobile(required=True)


class CodeIn(Schema):
    mobile: Mobile(required=True)
    code: Annotated[str, Field(min_length=1, max_length=6, pattern=r"^[0-9]+$")]


class PasswordIn(Schema):
    mobile: Mobile(required=True)
    password: Annotated[str, Field(min_length=1, max_length=128)]


class SentOut(Schema):
    sent: bool
    expires_in_seconds: int


class PortalHouseOut(Schema):
    id: int
    community: str
    code: str
    relation: str
    relation_label: str
    sees_fees: bool


class MeOut(Schema):
    id: int
    mobile_masked: str
    houses: list[PortalHouseOut]


class PortalRequestIn(Schema):
    """Sent as a multipart form (with the photos), so numbers and booleans arrive as text."""

    house_id: Annotated[int, Field(ge=1, le=MAX_ID)]
    kind: Line(40, required=True)
    category: Line(40, required=True)
    description: Text(2000, required=True)
    emergency: bool = False
    preferred_visit_at: datetime.datetime | None = None


class PortalRequestOut(Schema):
    id: int
    number: str
    house_id: int
    house_code: str
    kind: str
    category: str
    status: str
    status_label: str
    is_open: bool
    owner_status: str
    expected: str
    created_at: datetime.datetime


class StepOut(Schema):
    at: datetime.datetime
    action: str
    text: str
    note: str
    photo_ids: list[int]


class PortalRequestDetailOut(PortalRequestOut):
    description: str
    timeline: list[StepOut]
    may_cancel: bool
    may_rate: bool
    may_add: bool


class CancelIn(Schema):
    reason: Text(500, required=True)


class RatingIn(Schema):
    satisfaction: Annotated[StrictInt, Field(ge=1, le=5)]
    comment: Text(1000) = ""


class PortalEventOut(Schema):
    id: int
    action: str
    note: str


class PortalBillOut(Schema):
    bill_id: int
    fee_name: str
    period: datetime.date
    due_on: datetime.date
    amount_fen: int
    outstanding_fen: int
    overdue: bool


class PortalPaymentOut(Schema):
    id: int
    amount_fen: int
    method: str
    received_at: datetime.datetime
    receipt_id: int | None


class HouseBillsOut(Schema):
    house_id: int
    house_code: str
    unpaid_fen: int
    prepaid_fen: int
    bills: list[PortalBillOut]
    payments: list[PortalPaymentOut]


class PaidBillOut(Schema):
    bill_id: int
    fee_name: str
    period: datetime.date
    amount_fen: int


class EarlierHouseOut(Schema):
    """A house the account owned until a transfer: what it paid there (read only)."""

    house_id: int
    house_code: str
    start_on: datetime.date
    end_on: datetime.date
    payments: list[PortalPaymentOut]
    bills: list[PaidBillOut]


class StatementQuery(Schema):
    date_from: Date | None = None
    date_to: Date | None = None


class OrderIn(Schema):
    house_id: Id
    bill_ids: Annotated[list[Id], Field(max_length=60)] = []


class OrderOut(Schema):
    id: int
    number: str
    house_id: int
    amount_fen: int
    status: str
    pay_url: str
    expires_at: datetime.datetime | None
    receipt_id: int | None


class PersonOut(Schema):
    name: str
    relation: str
    mobile_masked: str
    grant_id: int | None


class GrantIn(Schema):
    mobile: Mobile(required=True)


class GrantOut(Schema):
    id: int
    house_id: int
    mobile_masked: str
    revoked: bool


class LinkRequestIn(Schema):
    community_id: Id
    house_code: Annotated[str, Field(min_length=1, max_length=40, pattern=r"^[0-9A-Za-z-]+$")]
    relation: choices_of(LinkRelation)
    name: Name(100)
    note: Text(300) = ""


class LinkRequestOut(Schema):
    id: int
    community_id: int
    house_id: int
    house_code: str
    relation: str
    name: str
    status: str
    decision_note: str
    created_at: datetime.datetime


class LinkQueueFilters(Schema):
    status: Literal["pending", "approved", "rejected", "all"] = "pending"


class LinkDecisionIn(Schema):
    decision: Literal["approve", "reject"]
    owner_id: Id | None = None
    lease_start: Date | None = None
    lease_end: Date | None = None
    note: Text(300) = ""


class RefundIn(Schema):
    """Send an approved refund correction back through the payment the owner made online."""

    correction_id: Id = Field(..., description="The approved deposit refund or prepaid refund")
    order_id: Id | None = Field(
        None, description="The paid online order to refund (the house's first one if none)"
    )
    reason: Text(80) | None = Field(
        None, description="What the owner is shown (the correction's reason if none)"
    )


class RefundOut(Schema):
    id: int
    number: str = Field(..., description="The refund number sent to the provider")
    order_id: int
    order_number: str
    house_code: str
    provider: str
    correction_id: int | None
    amount_fen: int
    status: str = Field(..., description="pending, succeeded or failed")
    status_label: str
    reason: str
    created_at: datetime.datetime
    finished_at: datetime.datetime | None
    history: list[HistoryEntryOut] = Field(
        ..., description="Sent by whom, answered by the provider, oldest first"
    )

    @staticmethod
    def resolve_order_number(obj) -> str:
        return obj.order.number

    @staticmethod
    def resolve_house_code(obj) -> str:
        return obj.order.house.code

    @staticmethod
    def resolve_provider(obj) -> str:
        return obj.order.provider

    @staticmethod
    def resolve_correction_id(obj) -> int | None:
        return obj.adjustment_id

    @staticmethod
    def resolve_status_label(obj) -> str:
        return str(obj.get_status_display())

    @staticmethod
    def resolve_history(obj) -> list:
        return getattr(obj, "history", [])
