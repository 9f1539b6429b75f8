"""Request and response schemas of the service-request API.

Taxonomy values travel as their stable codes (`repair`, `repair_water`, `emergency`); the
service refuses an unknown or retired code naming the field. Relations are ids named as in the
services (`house`, `building`, `caller_owner`, `assignee`). Contact numbers leave masked.
"""

import datetime
from decimal import Decimal
from typing import Annotated, Literal, NamedTuple

from ninja import Field, Schema
from pydantic import AwareDatetime, StrictBool, StrictInt

from propdesk.accounts.models import display_name_of
from propdesk.api.schemas import MAX_ID, Date, Line, Mobile, Name, Text, choices_of
from propdesk.core.masking import mask_mobile
from propdesk.tickets import clock, configuration
from propdesk.tickets.models import (
    NO_DEADLINE,
    Answer,
    Category,
    Channel,
    FollowUp,
    OwnerCost,
    RequestKind,
    StandardPhrase,
    Status,
    TimeUnit,
    Urgency,
    sla_state_of,
)
from propdesk.tickets.owner_text import owner_status_text, visit_window_text

ChannelValue = choices_of(Channel)
ActionValue = Literal[
    "accept",
    "dispatch",
    "reassign",
    "start",
    "wait",
    "resume",
    "resolve",
    "follow_up",
    "close",
    "reopen",
    "cancel",
]
QueueValue = Literal["mine", "department", "unassigned", "due_soon", "overdue", "follow_up", "all"]
StatusValue = choices_of(Status)
CodeValue = Annotated[str, Field(min_length=1, max_length=40, pattern=r"^[a-z0-9_-]+$")]
OptionalId = Annotated[StrictInt | None, Field(None, ge=1, le=MAX_ID)]
# Query strings carry numbers as text: ids there are parsed, not strict.
QueryId = Annotated[int, Field(ge=1, le=MAX_ID)]


def _deadline(value: datetime.datetime | None) -> datetime.datetime | None:
    return None if value is None or value >= NO_DEADLINE else value


# --- taxonomy and configuration --------------------------------------------------------------


class LabelledOut(Schema):
    code: str
    name: str
    name_en: str


class CategoryOut(LabelledOut):
    description: str
    department_code: str
    refers_outside: bool


class UrgencyOut(LabelledOut):
    description: str
    is_emergency: bool


class ChoiceOut(Schema):
    value: str
    label: str


class TaxonomyOut(Schema):
    kinds: list[LabelledOut]
    categories: list[CategoryOut]
    urgencies: list[UrgencyOut]
    channels: list[ChoiceOut]
    statuses: list[ChoiceOut]
    queues: list[ChoiceOut]


class PhraseOut(Schema):
    id: int
    community: int | None = Field(None, alias="community_id")
    purpose: str
    title: str
    text: str
    sort_order: int
    is_active: bool


class PhraseIn(Schema):
    community: OptionalId = None
    purpose: choices_of(StandardPhrase.Purpose)
    title: Line(60, required=True)
    text: Text(500, required=True)
    sort_order: Annotated[StrictInt, Field(ge=0, le=999)] = 0


class PhrasePatch(Schema):
    purpose: choices_of(StandardPhrase.Purpose) | None = None
    title: Line(60, required=True) | None = None
    text: Text(500, required=True) | None = None
    sort_order: Annotated[StrictInt, Field(ge=0, le=999)] | None = None
    is_active: StrictBool | None = None


UnitValue = choices_of(TimeUnit)
Amount = Annotated[StrictInt, Field(ge=1, le=10_000)]


class SlaPolicyOut(Schema):
    id: int
    community: int | None = Field(None, alias="community_id")
    kind: str
    urgency: str
    category: str | None
    simple: bool = Field(False, description="For complaints the desk marked simple")
    first_response_amount: int | None
    first_response_unit: str
    on_site_amount: int | None
    on_site_unit: str
    resolution_amount: int | None
    resolution_unit: str
    escalation_percents: list[int]
    due_soon_percent_left: int
    note: str

    @staticmethod
    def resolve_kind(obj) -> str:
        return obj.kind.code

    @staticmethod
    def resolve_urgency(obj) -> str:
        return obj.urgency.code

    @staticmethod
    def resolve_category(obj) -> str | None:
        return obj.category.code if obj.category_id else None


class SlaPolicyPatch(Schema):
    first_response_amount: Amount | None = None
    first_response_unit: UnitValue | None = None
    on_site_amount: Amount | None = None
    on_site_unit: UnitValue | None = None
    resolution_amount: Amount | None = None
    resolution_unit: UnitValue | None = None
    escalation_percents: (
        Annotated[list[Annotated[StrictInt, Field(ge=1, le=500)]], Field(max_length=5)] | None
    ) = None
    due_soon_percent_left: Annotated[StrictInt, Field(ge=0, le=100)] | None = None


# --- requests ----------------------------------------------------------------------------------


class RequestIn(Schema):
    house: OptionalId = Field(None, description="The house; leave out for a common area")
    building: OptionalId = Field(None, description="For a common area: the building")
    location: Line(200) = ""
    kind: CodeValue = Field(..., description="repair, complaint, inquiry, …")
    category: CodeValue = Field(..., description="repair_water, noise, …")
    urgency: CodeValue = "normal"
    channel: ChannelValue = "api"
    description: Text(2000, required=True)
    caller_owner: OptionalId = None
    caller_name: Name(100, required=False) = ""
    caller_mobile: Mobile() = ""
    preferred_visit_at: AwareDatetime | None = None


class RequestOut(Schema):
    id: int
    number: str
    community: int
    community_name: str
    house: int | None
    house_code: str
    building: int | None
    location: str
    kind: str
    kind_label: str
    category: str
    category_label: str
    urgency: str
    urgency_label: str
    channel: str
    status: str
    status_label: str
    department: str | None
    department_name: str
    assignee: int | None
    assignee_name: str
    caller_name: str
    caller_mobile_masked: str
    description: str
    created_at: datetime.datetime
    due_at: datetime.datetime | None
    promised_at: datetime.datetime | None
    sla_state: str
    escalation_level: int
    reopen_count: int
    recurrence_of: int | None
    satisfaction: int | None
    visit_from: datetime.datetime | None = None
    visit_until: datetime.datetime | None = None
    visit_window: str = Field("", description="The promised visit window, as the owner reads it")


def request_data(obj, now: datetime.datetime | None = None) -> dict:
    """One request object, its relations loaded, as RequestOut's plain values."""
    return _request_out(
        _Attributes(obj),
        now,
        community_name=obj.community.name,
        house_code=obj.house.code if obj.house_id else "",
        kind=obj.kind,
        category=obj.category,
        urgency=obj.urgency,
        department=obj.department if obj.department_id else None,
        assignee_name=obj.assignee.display_name if obj.assignee_id else "",
    )


class _Looked(NamedTuple):
    """A kind, category, urgency or department as a page row shows it, looked up once a page."""

    code: str
    label: str
    name: str


def request_rows_data(rows: list[dict], now: datetime.datetime) -> list[dict]:
    """Requests read as values (selectors.PAGE_VALUES) as RequestOut's plain values. Each kind,
    category, urgency, department, status and assignee is looked up (configuration cache) and
    labelled in the user's language once a page: once a row, the lookups and translations cost
    more than the rest of the row (issue 20)."""
    looked: dict = {}

    def taxonomy(model, pk):
        if (model, pk) not in looked:
            row = configuration.taxonomy_by_id(model, pk)
            looked[model, pk] = row and _Looked(row.code, row.label, row.name)
        return looked[model, pk]

    def department(pk):
        if ("department", pk) not in looked:
            row = configuration.department_by_id(pk)
            looked["department", pk] = row and _Looked(row.code, row.name, row.name)
        return looked["department", pk]

    def status_label(status):
        if ("status", status) not in looked:
            looked["status", status] = str(Status(status).label)
        return looked["status", status]

    return [
        _request_out(
            row,
            now,
            community_name=row["community__name"],
            house_code=row["house__code"] or "",
            kind=taxonomy(RequestKind, row["kind_id"]),
            category=taxonomy(Category, row["category_id"]),
            urgency=taxonomy(Urgency, row["urgency_id"]),
            department=department(row["department_id"]),
            assignee_name=(
                display_name_of(
                    row["assignee__first_name"],
                    row["assignee__last_name"],
                    row["assignee__username"],
                )
                if row["assignee_id"]
                else ""
            ),
            status_label=status_label(row["status"]),
        )
        for row in rows
    ]


class _Attributes:
    """A model object read by attribute name, as _request_out reads a row of values."""

    __slots__ = ("obj",)

    def __init__(self, obj):
        self.obj = obj

    def __getitem__(self, name: str):
        return getattr(self.obj, name)


def _request_out(
    values,
    now,
    *,
    community_name,
    house_code,
    kind,
    category,
    urgency,
    department,
    assignee_name,
    status_label=None,
) -> dict:
    """RequestOut's values from a request's own column values (by attribute name) and its
    relations. Lists serialise many rows: building the values here, once, costs a fraction of
    per-field resolvers (PERF-NOTES.md: the page's time is the budget of a queue)."""
    status = values["status"]
    return {
        "id": values["id"],
        "number": values["number"],
        "community": values["community_id"],
        "community_name": community_name,
        "house": values["house_id"],
        "house_code": house_code,
        "building": values["building_id"],
        "location": values["location"],
        "kind": kind.code,
        "kind_label": kind.label,
        "category": category.code,
        "category_label": category.label,
        "urgency": urgency.code,
        "urgency_label": urgency.label,
        "channel": values["channel"],
        "status": status,
        # The enum's label, translated once: get_status_display() translated every status.
        "status_label": status_label or str(Status(status).label),
        "department": department.code if department is not None else None,
        "department_name": department.name if department is not None else "",
        "assignee": values["assignee_id"],
        "assignee_name": assignee_name,
        "caller_name": values["caller_name"],
        "caller_mobile_masked": mask_mobile(values["caller_mobile"]),
        "description": values["description"],
        "created_at": values["created_at"],
        "due_at": _deadline(values["due_at"]),
        "promised_at": values["promised_at"],
        "sla_state": sla_state_of(
            status, values["due_at"], values["due_soon_at"], now or clock.now()
        ),
        "escalation_level": values["escalation_level"],
        "reopen_count": values["reopen_count"],
        "recurrence_of": values["recurrence_of_id"],
        "satisfaction": values["satisfaction"],
        "visit_from": values["visit_from"],
        "visit_until": values["visit_until"],
        "visit_window": visit_window_text(values["visit_from"], values["visit_until"]),
    }


class RequestCreatedOut(RequestOut):
    possible_duplicates: list[str] = Field(
        default_factory=list, description="Numbers of open requests of the same house and category"
    )


class RequestFilters(Schema):
    queue: QueueValue = "all"
    community: QueryId | None = None
    building: QueryId | None = None
    kind: CodeValue | None = None
    category: CodeValue | None = None
    status: StatusValue | None = None
    date_from: Date | None = None
    date_to: Date | None = None
    q: Line(100) = ""
    cursor: Annotated[str, Field(max_length=200, pattern=r"^[A-Za-z0-9_-]*$")] = ""
    limit: Annotated[int, Field(ge=1, le=100)] = 25


class RequestPage(Schema):
    items: list[RequestOut]
    next_cursor: str | None
    count: int = Field(..., description="Matching requests, capped at count_cap")
    count_capped: bool
    count_cap: int


class EventOut(Schema):
    id: int
    action: str
    label: str
    actor: str
    from_status: str
    to_status: str
    note: str
    data: dict
    at: datetime.datetime
    photos: list[int]

    @staticmethod
    def resolve_label(obj) -> str:
        return str(obj.get_action_display())

    @staticmethod
    def resolve_actor(obj) -> str:
        return obj.actor.display_name if obj.actor_id else ""

    @staticmethod
    def resolve_photos(obj) -> list[int]:
        return [photo.id for photo in getattr(obj, "photo_list", [])]


class ClockOut(Schema):
    target: str
    round: int
    state: str
    working: bool
    started_at: datetime.datetime
    due_at: datetime.datetime
    stopped_at: datetime.datetime | None


class CostOut(Schema):
    id: int
    item: str
    amount: Decimal
    payer: str
    state: str
    proposed_at: datetime.datetime
    decided_at: datetime.datetime | None
    decided_via: str


class FollowUpOut(Schema):
    round: int
    state: str
    due_at: datetime.datetime
    attempts: int
    satisfaction: int | None
    comment: str
    via: str
    completed_at: datetime.datetime | None


class RequestSolutionOut(Schema):
    id: int
    text: str
    state: str
    state_label: str
    proposed_at: datetime.datetime
    decided_at: datetime.datetime | None
    decided_via: str
    decided_via_label: str
    answer_note: str

    @staticmethod
    def resolve_state_label(obj) -> str:
        return str(obj.get_state_display())

    @staticmethod
    def resolve_decided_via_label(obj) -> str:
        return str(obj.get_decided_via_display()) if obj.decided_via else ""


class FollowUpLinkOut(Schema):
    sent_to: str = Field(..., description="The mobile the SMS went to, masked")
    sent_at: datetime.datetime
    expires_at: datetime.datetime

    @staticmethod
    def resolve_sent_to(obj) -> str:
        return mask_mobile(obj.mobile)


class PhotoOut(Schema):
    id: int
    original_name: str
    content_type: str
    size_bytes: int
    uploaded_at: datetime.datetime
    url: str

    @staticmethod
    def resolve_url(obj) -> str:
        return f"/api/requests/{obj.request_id}/photos/{obj.id}"


class ActionOut(Schema):
    action: str
    label: str
    note_required: bool

    @staticmethod
    def resolve_label(obj) -> str:
        return str(obj.label)


class RequestDetailOut(RequestOut):
    preferred_visit_at: datetime.datetime | None
    accepted_at: datetime.datetime | None
    dispatched_at: datetime.datetime | None
    on_site_at: datetime.datetime | None
    resolved_at: datetime.datetime | None
    closed_at: datetime.datetime | None
    cancel_reason: str
    owner_status: str
    departments: list[str]
    timeline: list[EventOut]
    clocks: list[ClockOut]
    costs: list[CostOut]
    verified_at: datetime.datetime | None
    simple_complaint: bool
    solutions: list[RequestSolutionOut]
    follow_ups: list[FollowUpOut]
    photos: list[PhotoOut]
    actions: list[ActionOut]


def request_detail_data(obj) -> dict:
    return {
        **request_data(obj),
        "preferred_visit_at": obj.preferred_visit_at,
        "accepted_at": obj.accepted_at,
        "dispatched_at": obj.dispatched_at,
        "on_site_at": obj.on_site_at,
        "resolved_at": obj.resolved_at,
        "closed_at": obj.closed_at,
        "cancel_reason": obj.cancel_reason,
        "owner_status": owner_status_text(obj),
        "departments": [row.department.code for row in obj.department_list],
        "timeline": obj.timeline,
        "clocks": obj.clock_list,
        "costs": obj.cost_list,
        "verified_at": obj.verified_at,
        "simple_complaint": obj.simple_complaint,
        "solutions": obj.solution_list,
        "follow_ups": obj.follow_up_list,
        "photos": obj.photo_list,
        "actions": obj.actions,
    }


class TransitionIn(Schema):
    action: ActionValue
    note: Text(2000) = Field("", description="Why; required to wait, resolve, reopen or cancel")
    department: CodeValue | None = Field(None, description="dispatch/reassign: department code")
    assignee: OptionalId = Field(None, description="dispatch/reassign: the person's user id")
    round_robin: StrictBool = Field(False, description="dispatch/reassign: next person in turn")


class FollowUpIn(Schema):
    satisfaction: Annotated[StrictInt, Field(ge=1, le=5)]
    comment: Text(1000) = ""
    via: choices_of(FollowUp.Via) = "phone"


class UnreachableIn(Schema):
    note: Text(500) = ""


class NoteIn(Schema):
    text: Text(2000, required=True)


class CallIn(Schema):
    note: Text(2000, required=True)
    caller_name: Name(100, required=False) = ""


class CostIn(Schema):
    item: Line(200, required=True)
    amount: Annotated[Decimal, Field(gt=0, le=Decimal("99999999.99"), decimal_places=2)]
    payer: choices_of(OwnerCost.Payer) = "owner"


class CostDecisionIn(Schema):
    confirmed: StrictBool
    via: choices_of(Answer) = "phone"
    note: Text(300) = ""


class VisitWindowIn(Schema):
    visit_from: AwareDatetime = Field(..., description="When the visit window opens")
    visit_until: AwareDatetime = Field(
        ..., description="When it closes (15 minutes to 12 hours later)"
    )
    note: Text(300) = ""


class ComplaintVerifyIn(Schema):
    note: Text(1000, required=True) = Field(..., description="What the check found")
    simple: StrictBool = Field(False, description="Time it by the simple-complaint policy")


class RequestSolutionIn(Schema):
    text: Text(1000, required=True)


class RequestSolutionDecisionIn(Schema):
    agreed: StrictBool
    via: choices_of(Answer) = "phone"
    note: Text(300) = ""


class LookupHouseOut(Schema):
    house: int = Field(..., alias="house_id")
    house_code: str
    community_name: str
    person_name: str
    mobile_masked: str
    match: str
    open_requests: list[RequestOut]
    history: list[RequestOut]


# A [name, count] pair. Written as a list, not a tuple: a tuple's `prefixItems` is read as an
# invalid schema by OpenAPI tools (schemathesis among them).
NamedCount = Annotated[
    list[str | int], Field(min_length=2, max_length=2, description="[name, count]")
]


class DashboardOut(Schema):
    month: datetime.date
    open_by_status: dict[str, int]
    overdue_by_department: list[NamedCount]
    sla_met: dict[str, dict[str, float | int | None]]
    satisfaction_average: float | None
    satisfaction_count: int
    created_this_month: int
    recurrences_this_month: int
    repeat_rate: float | None
    by_category: list[NamedCount]


class DashboardFilters(Schema):
    month: Date | None = None
    community: QueryId | None = None


class DuplicateFilters(Schema):
    house: QueryId
    category: CodeValue | None = None


class LookupFilters(Schema):
    q: Line(40, required=True)


class PhraseFilters(Schema):
    community: QueryId | None = None


# --- configuration: taxonomy, routing rules, the working calendar -----------------------------

TaxonomyKind = Literal["kind", "urgency", "category"]
Order = Annotated[StrictInt, Field(ge=0, le=999)]
ClockTime = Annotated[str, Field(pattern=r"^([01]\d|2[0-3]):[0-5]\d$", description="HH:MM")]


class TaxonomyRowOut(Schema):
    id: int
    code: str
    name: str
    name_en: str
    sort_order: int
    is_active: bool
    description: str = ""
    department_code: str = ""
    refers_outside: bool = False
    common_area: bool = False
    is_emergency: bool = False


class TaxonomyRowIn(Schema):
    code: Line(40, required=True) = Field(..., description="a-z, 0-9 and _, from a letter")
    name: Line(60, required=True)
    name_en: Line(60) = ""
    sort_order: Order = 0
    description: Text(1000) = ""
    department_code: Line(40) = Field("", description="Categories: the default department")
    refers_outside: StrictBool = False
    common_area: StrictBool = False
    is_emergency: StrictBool = Field(False, description="Urgencies only")


class TaxonomyRowPatch(Schema):
    name: Line(60, required=True) | None = None
    name_en: Line(60) | None = None
    sort_order: Order | None = None
    is_active: StrictBool | None = None
    description: Text(1000) | None = None
    department_code: Line(40) | None = None
    refers_outside: StrictBool | None = None
    common_area: StrictBool | None = None
    is_emergency: StrictBool | None = None


class RoutingRuleOut(Schema):
    id: int
    community: int | None = Field(None, alias="community_id")
    category: str
    department: str
    is_lead: bool

    @staticmethod
    def resolve_category(obj) -> str:
        return obj.category.code

    @staticmethod
    def resolve_department(obj) -> str:
        return obj.department.code


class RoutingRuleIn(Schema):
    community: OptionalId = Field(None, description="Empty: every community (administrators)")
    category: Line(40, required=True) = Field(..., description="The category's code")
    department: Line(40, required=True) = Field(..., description="The department's code")
    is_lead: StrictBool = True


class RoutingRulePatch(Schema):
    department: Line(40, required=True) | None = None
    is_lead: StrictBool | None = None


def _clock(value) -> str | None:
    return value.strftime("%H:%M") if value is not None else None


class WorkingHoursOut(Schema):
    community: int | None = Field(None, alias="community_id")
    opens_at: str
    closes_at: str

    @staticmethod
    def resolve_opens_at(obj) -> str:
        return _clock(obj.opens_at)

    @staticmethod
    def resolve_closes_at(obj) -> str:
        return _clock(obj.closes_at)


class WorkingHoursIn(Schema):
    community: OptionalId = Field(None, description="Empty: the company default")
    opens_at: ClockTime
    closes_at: ClockTime


class CalendarExceptionOut(Schema):
    id: int
    community: int | None = Field(None, alias="community_id")
    date: datetime.date
    is_working: bool
    opens_at: str | None
    closes_at: str | None
    note: str

    @staticmethod
    def resolve_opens_at(obj) -> str | None:
        return _clock(obj.opens_at)

    @staticmethod
    def resolve_closes_at(obj) -> str | None:
        return _clock(obj.closes_at)


class CalendarExceptionIn(Schema):
    community: OptionalId = Field(None, description="Empty: every community (administrators)")
    date: Date
    is_working: StrictBool
    opens_at: ClockTime | None = None
    closes_at: ClockTime | None = None
    note: Line(100) = ""
