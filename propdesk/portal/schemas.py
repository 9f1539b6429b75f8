"""Schemas of the owner-portal API: input checked at the edge, output with mobiles masked."""

import datetime
from typing import Annotated, Literal

from ninja import Field, Schema
from pydantic import StrictInt

from propdesk.api.schemas import MAX_ID, Date, Id, Line, Mobile, Name, Text


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


class HouseOut(Schema):
    id: int
    community: str
    code: str
    relation: str
    relation_label: str
    sees_fees: bool


class MeOut(Schema):
    id: int
    mobile_masked: str
    houses: list[HouseOut]


class RequestIn(Schema):
    """Sent as a multipart form (with the photos), so numbers and booleans arrive as text."""

    house_id: Annotated[int, Field(ge=1, le=MAX_ID)]
    kind: Line(40, required=True)
    category: Line(40, required=True)
    description: Text(2000, required=True)
    emergency: bool = False
    preferred_visit_at: datetime.datetime | None = None


class RequestOut(Schema):
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


class RequestDetailOut(RequestOut):
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


class EventOut(Schema):
    id: int
    action: str
    note: str


class BillOut(Schema):
    bill_id: int
    fee_name: str
    period: datetime.date
    due_on: datetime.date
    amount_fen: int
    outstanding_fen: int
    overdue: bool


class PaymentOut(Schema):
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
    bills: list[BillOut]
    payments: list[PaymentOut]


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
    relation: Literal["owner", "co_owner", "family", "tenant"]
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
