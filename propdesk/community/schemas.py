"""ninja schemas of the community API: validated at the edge, the services decide the rest."""

import datetime

from django.utils import timezone
from ninja import Field, Schema

from propdesk.api.schemas import (
    MAX_ID,
    Date,
    Id,
    Line,
    Mobile,
    Name,
    PageOut,
    Paging,
    Text,
    choices_of,
)
from propdesk.community.models import (
    BroadcastKind,
    CareCategory,
    IncidentKind,
    IncidentStatus,
    Severity,
    VisitOutcome,
    VisitPurpose,
)
from propdesk.core.masking import mask_mobile


class IncidentFilters(Paging):
    status: choices_of(IncidentStatus, "") = ""
    kind: choices_of(IncidentKind, "") = ""
    q: Line(40) = ""
    community: int | None = Field(None, ge=1, le=2**63 - 1)


class IncidentIn(Schema):
    community: Id
    kind: choices_of(IncidentKind)
    severity: choices_of(Severity)
    place: Line(200, required=True)
    description: Text(2000) = ""
    whole_community: bool = False
    buildings: list[Id] = Field(default_factory=list, max_length=500)
    units: list[Id] = Field(default_factory=list, max_length=500)
    expected_restore_at: datetime.datetime | None = None
    is_drill: bool = False
    source_request: Id | None = None
    broadcast_text: Text(500) = ""


class TaskOut(Schema):
    id: int
    position: int
    title: str
    department: str | None = Field(None, alias="department.name")
    due_at: datetime.datetime
    done_at: datetime.datetime | None
    done_by: str | None = Field(None, alias="done_by.username")
    note: str


class BroadcastOut(Schema):
    id: int
    kind: str
    text: str
    expected_restore_at: datetime.datetime | None
    created_at: datetime.datetime
    delivered_at: datetime.datetime | None
    recipients: int


class LinkOut(Schema):
    id: int
    house: str | None = Field(None, alias="house.code")
    request: str | None = Field(None, alias="request.number")
    caller_name: str
    note: str
    created_at: datetime.datetime


class EntryOut(Schema):
    id: int
    at: datetime.datetime
    action: str
    actor: str | None = Field(None, alias="actor.username")
    note: str
    has_photo: bool

    @staticmethod
    def resolve_has_photo(obj) -> bool:
        return bool(obj.photo)


class CommunityFollowUpOut(Schema):
    id: int
    position: int
    text: str
    request: str | None = Field(None, alias="request.number")


class IncidentOut(Schema):
    id: int
    community: int = Field(..., alias="community_id")
    number: str
    kind: str
    severity: str
    place: str
    description: str
    is_drill: bool
    whole_community: bool
    status: str
    expected_restore_at: datetime.datetime | None
    restored_at: datetime.datetime | None
    opened_at: datetime.datetime
    closed_at: datetime.datetime | None
    linked_count: int
    staff_notified: int


class IncidentDetailOut(IncidentOut):
    buildings: list[int]
    units: list[int]
    cause: str
    measures: str
    tasks: list[TaskOut]
    broadcasts: list[BroadcastOut]
    links: list[LinkOut]
    timeline: list[EntryOut]
    follow_ups: list[CommunityFollowUpOut]


class IncidentPage(PageOut):
    items: list[IncidentOut]


class TaskDoneIn(Schema):
    note: Line(300) = ""


class BroadcastIn(Schema):
    kind: choices_of(BroadcastKind) = BroadcastKind.UPDATE.value
    text: Text(500, required=True)
    expected_restore_at: datetime.datetime | None = None


class LinkIn(Schema):
    house: Id | None = None
    request: Id | None = None
    caller_name: Line(100) = ""
    note: Line(500) = ""


class CommunityNoteIn(Schema):
    note: Text(2000, required=True)


class CloseIn(Schema):
    cause: Text(2000, required=True)
    measures: Text(2000, required=True)
    prevention: list[Line(300)] = Field(default_factory=list, max_length=20)
    restored_at: datetime.datetime | None = None


class PlanStepIn(Schema):
    title: Line(200, required=True)
    department: Id | None = None
    due_minutes: int = Field(15, ge=0, le=7 * 24 * 60, strict=True)


class PlanIn(Schema):
    steps: list[PlanStepIn] = Field(..., min_length=1, max_length=30)


class PlanStepOut(Schema):
    position: int
    title: str
    department: int | None = Field(None, alias="department_id")
    due_minutes: int


class PlanOut(Schema):
    community: int
    kind: str
    is_default: bool
    steps: list[PlanStepOut]


class RequestRefOut(Schema):
    id: int
    number: str


class OwnerIncidentOut(Schema):
    id: int
    kind: str
    kind_label: str
    place: str
    expected_restore_at: datetime.datetime | None
    opened_at: datetime.datetime
    houses: list[str]
    latest_notice: str | None


# --- front-desk visit log ---------------------------------------------------------------------


class DeskVisitFilters(Paging):
    q: Line(40) = ""
    day: Date | None = None
    community: int | None = Field(None, ge=1, le=MAX_ID)


class DeskVisitIn(Schema):
    community: Id
    visitor_name: Name(100)
    visitor_mobile: Mobile() = ""
    house: Id | None = None
    purpose: choices_of(VisitPurpose)
    details: Text(2000, required=True)
    outcome: choices_of(VisitOutcome)
    referred_to: Line(100) = ""
    outcome_note: Line(500) = ""
    callback_at: datetime.datetime | None = None
    category: Line(40) = ""
    visited_at: datetime.datetime | None = None


class DeskVisitOut(Schema):
    id: int
    community: int = Field(..., alias="community_id")
    visited_at: datetime.datetime
    visitor_name: str
    visitor_mobile_masked: str = Field(..., description="138****5678")
    house: str | None = Field(None, alias="house.code")
    purpose: str
    details: str
    referred_to: str
    outcome: str
    outcome_note: str
    callback_at: datetime.datetime | None
    request: str | None = Field(None, alias="request.number")

    @staticmethod
    def resolve_visitor_mobile_masked(obj) -> str:
        return mask_mobile(obj.visitor_mobile)


class DeskVisitPage(PageOut):
    items: list[DeskVisitOut]


# --- special care -----------------------------------------------------------------------------


class CareFilters(Paging):
    q: Line(40) = ""
    overdue: bool = False
    community: int | None = Field(None, ge=1, le=MAX_ID)


class CareResidentIn(Schema):
    house: Id
    name: Name(100)
    category: choices_of(CareCategory)
    mobile: Mobile() = ""
    visit_every_days: int = Field(30, ge=1, le=366, strict=True)
    emergency_contact: Name(100, required=False) = ""
    emergency_mobile: Mobile() = ""
    health_notes: Text(2000) = ""
    notes: Line(300) = ""


class CareResidentPatch(Schema):
    name: Name(100) | None = None
    category: choices_of(CareCategory) | None = None
    mobile: Mobile() | None = None
    visit_every_days: int | None = Field(None, ge=1, le=366, strict=True)
    emergency_contact: Name(100, required=False) | None = None
    emergency_mobile: Mobile() | None = None
    health_notes: Text(2000) | None = None
    notes: Line(300) | None = None
    active: bool | None = None


class CareResidentOut(Schema):
    id: int
    community: int = Field(..., alias="community_id")
    house: str = Field(..., alias="house.code")
    name: str
    category: str
    mobile_masked: str
    visit_every_days: int
    emergency_contact: str
    emergency_mobile_masked: str
    has_health_notes: bool = Field(..., description="Details are revealed by their own endpoint")
    notes: str
    next_visit_on: datetime.date
    last_visit_on: datetime.date | None
    overdue: bool
    active: bool

    @staticmethod
    def resolve_mobile_masked(obj) -> str:
        return mask_mobile(obj.mobile)

    @staticmethod
    def resolve_emergency_mobile_masked(obj) -> str:
        return mask_mobile(obj.emergency_mobile)

    @staticmethod
    def resolve_has_health_notes(obj) -> bool:
        return bool(obj.health_notes)

    @staticmethod
    def resolve_overdue(obj) -> bool:
        return obj.is_overdue(timezone.localdate())


class CarePage(PageOut):
    items: list[CareResidentOut]


class CareVisitIn(Schema):
    visited_on: Date
    findings: Text(2000, required=True)
    help_given: Line(500) = ""
    need: Text(2000) = ""
    need_category: Line(40) = "service"


class CareVisitOut(Schema):
    id: int
    visited_on: datetime.date
    visited_by: str = Field(..., alias="visited_by.username")
    findings: str
    help_given: str
    request: str | None = Field(None, alias="request.number")


class CareRevealIn(Schema):
    reason: Line(200) = ""


class CareRevealOut(Schema):
    health_notes: str


class CareCallOut(Schema):
    id: int
    resident: int = Field(..., alias="resident_id")
    resident_name: str = Field(..., alias="resident.name")
    house: str = Field(..., alias="resident.house.code")
    reason: str
    due_at: datetime.datetime
    done_at: datetime.datetime | None
    outcome: str


class CareCallDoneIn(Schema):
    outcome: Line(300, required=True)


# --- duty roster --------------------------------------------------------------------------------


class DutyFilters(Paging):
    community: int = Field(..., ge=1, le=MAX_ID)


class DutyShiftIn(Schema):
    community: Id
    user: Id
    starts_at: datetime.datetime
    ends_at: datetime.datetime


class DutyShiftOut(Schema):
    id: int
    community: int = Field(..., alias="community_id")
    user: int = Field(..., alias="user_id")
    name: str = Field(..., alias="user.display_name")
    department: str | None = Field(None, alias="user.department.name")
    starts_at: datetime.datetime
    ends_at: datetime.datetime


class DutyShiftPage(PageOut):
    items: list[DutyShiftOut]
