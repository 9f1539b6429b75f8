"""Request and response schemas of the front-desk API (`<Entity>In`, `<Entity>Out`).

Personal data leaves masked (mobiles); choices are enumerated so a bad value is a 422 naming the
field before any service runs.
"""

import datetime
from typing import Annotated, Literal

from ninja import Field, Schema

from propdesk.api.schemas import (
    MAX_ID,
    Date,
    HistoryEntryOut,
    Id,
    Line,
    Name,
    PageOut,
    Paging,
    Text,
    choices_of,
    history_of,
)
from propdesk.billing.schemas import MethodValue
from propdesk.core.masking import mask_mobile
from propdesk.frontdesk.models import ApplicantKind, ChecklistGroup

OptionalId = Annotated[int | None, Field(None, ge=1, le=MAX_ID)]
ApplicantValue = choices_of(ApplicantKind)
StepValue = Literal[
    "verify",
    "settle_price",
    "hand_out_materials",
    "fill_forms",
    "collect_forms",
    "pay_fees",
    "keys_handover",
    "inspection",
    "sign_inspection",
    "archive",
]
Time = Annotated[str, Field(pattern=r"^([01][0-9]|2[0-3]):[0-5][0-9]$", description="HH:MM")]


class ListFilters(Paging):
    community: OptionalId = None
    status: Annotated[str, Field("", max_length=20, pattern=r"^[a-z_]*$")] = ""
    q: Annotated[str, Field("", max_length=40)] = ""


class UserOut(Schema):
    id: int
    name: str

    @staticmethod
    def resolve_name(obj) -> str:
        return obj.display_name


# --- move-in --------------------------------------------------------------------------------


class MoveInIn(Schema):
    house: Id
    owner: Id
    applicant_kind: ApplicantValue
    agent: OptionalId = None
    person_name: Name(100, required=False) = ""
    person_mobile: Annotated[str, Field("", max_length=20, pattern=r"^[0-9+ -]*$")] = ""
    note: Line(300) = ""


class MoveInItemIn(Schema):
    group: choices_of(ChecklistGroup)
    code: Annotated[str, Field(min_length=1, max_length=40, pattern=r"^[a-z_]+$")]
    checked: bool = True


class MoveInStepIn(Schema):
    step: StepValue
    note: Line(300) = ""


class ReasonIn(Schema):
    reason: Line(300, required=True)


class MoveInItemOut(Schema):
    group: str
    code: str
    label: str
    checked: bool
    checked_by: UserOut | None = None
    checked_at: datetime.datetime | None = None
    archive_number: str | None = None

    @staticmethod
    def resolve_checked(obj) -> bool:
        return obj.checked_at is not None

    @staticmethod
    def resolve_archive_number(obj) -> str | None:
        return obj.document.archive_number if obj.document_id else None


class MoveInStepOut(Schema):
    code: str
    position: int
    label: str
    done: bool
    done_by: UserOut | None = None
    done_at: datetime.datetime | None = None
    note: str

    @staticmethod
    def resolve_done(obj) -> bool:
        return obj.is_done


class MoveInOut(Schema):
    id: int
    number: str
    community: int = Field(..., alias="community_id")
    house: int = Field(..., alias="house_id")
    house_code: str
    owner: int = Field(..., alias="owner_id")
    owner_name: str
    applicant_kind: str
    agent: int | None = Field(None, alias="agent_id")
    person_name: str
    person_mobile: str
    status: str
    started_at: datetime.datetime
    completed_at: datetime.datetime | None = None

    @staticmethod
    def resolve_house_code(obj) -> str:
        return obj.house.code

    @staticmethod
    def resolve_owner_name(obj) -> str:
        return obj.owner.name

    @staticmethod
    def resolve_person_mobile(obj) -> str:
        return mask_mobile(obj.person_mobile)


class MoveInDetailOut(MoveInOut):
    documents: list[MoveInItemOut]
    forms: list[MoveInItemOut]
    steps: list[MoveInStepOut]
    inspections: list[int]

    history: list[HistoryEntryOut] = Field(
        ..., description="The record's history, newest first (at most 100 entries)"
    )

    @staticmethod
    def resolve_history(obj) -> list:
        return history_of(obj)

    @staticmethod
    def resolve_documents(obj):
        return obj.document_items

    @staticmethod
    def resolve_forms(obj):
        return obj.form_items

    @staticmethod
    def resolve_steps(obj):
        return obj.step_list

    @staticmethod
    def resolve_inspections(obj):
        return [i.id for i in obj.inspection_list]


class MoveInPageOut(PageOut):
    items: list[MoveInOut]


# --- inspection -----------------------------------------------------------------------------


class InspectionIn(Schema):
    house: Id
    move_in: OptionalId = None


class InspectionResultOut(Schema):
    id: int
    position: int
    name: str
    category_code: str
    outcome: str
    note: str
    has_photo: bool
    checked_by: UserOut | None = None
    checked_at: datetime.datetime | None = None
    repair_request: int | None = Field(None, alias="repair_request_id")
    repair_request_number: str | None = None

    @staticmethod
    def resolve_has_photo(obj) -> bool:
        return bool(obj.photo)

    @staticmethod
    def resolve_repair_request_number(obj) -> str | None:
        return obj.repair_request.number if obj.repair_request_id else None


class InspectionOut(Schema):
    id: int
    number: str
    community: int = Field(..., alias="community_id")
    house: int = Field(..., alias="house_id")
    house_code: str
    move_in: int | None = Field(None, alias="move_in_id")
    reinspection_of: int | None = Field(None, alias="reinspection_of_id")
    status: str
    started_at: datetime.datetime
    submitted_at: datetime.datetime | None = None
    closed_at: datetime.datetime | None = None

    @staticmethod
    def resolve_house_code(obj) -> str:
        return obj.house.code


class InspectionDetailOut(InspectionOut):
    results: list[InspectionResultOut]

    history: list[HistoryEntryOut] = Field(
        ..., description="The record's history, newest first (at most 100 entries)"
    )

    @staticmethod
    def resolve_history(obj) -> list:
        return history_of(obj)

    @staticmethod
    def resolve_results(obj):
        return obj.result_list


class InspectionPageOut(PageOut):
    items: list[InspectionOut]


# --- decoration -----------------------------------------------------------------------------


class PermitIn(Schema):
    house: Id
    owner: Id
    applicant_kind: Literal["owner", "agent"] = "owner"
    agent: OptionalId = None
    contractor_name: Name(120)
    contractor_leader: Name(60)
    contractor_mobile: Annotated[str, Field(min_length=1, max_length=20, pattern=r"^[0-9+ -]*$")]
    workers: Annotated[int, Field(1, ge=1, le=200)] = 1
    scope: Text(2000, required=True)
    starts_on: Date
    ends_on: Date


class DepositRefundIn(Schema):
    method: MethodValue
    reason: Text(200) = ""


class PlanReviewIn(Schema):
    approve: bool
    note: Line(300) = ""


class PatrolIn(Schema):
    found_issue: bool
    findings: Line(500) = ""


class FrontdeskNoteIn(Schema):
    note: Line(300) = ""


class PatrolOut(Schema):
    id: int
    found_issue: bool
    findings: str
    request: int | None = Field(None, alias="request_id")
    request_number: str | None = None
    patrolled_by: UserOut
    patrolled_at: datetime.datetime

    @staticmethod
    def resolve_request_number(obj) -> str | None:
        return obj.request.number if obj.request_id else None


class PermitOut(Schema):
    id: int
    number: str
    community: int = Field(..., alias="community_id")
    house: int = Field(..., alias="house_id")
    house_code: str
    owner: int = Field(..., alias="owner_id")
    applicant_kind: str
    agent: int | None = Field(None, alias="agent_id")
    contractor_name: str
    contractor_leader: str
    contractor_mobile: str
    workers: int
    scope: str
    starts_on: datetime.date
    ends_on: datetime.date
    status: str
    plan_decision: str
    plan_note: str
    identity_verified_at: datetime.datetime | None = None
    agreement_signed_at: datetime.datetime | None = None
    fee_bill: int | None = Field(None, alias="fee_bill_id")
    deposit: str
    deposit_bill: int | None = Field(None, alias="deposit_bill_id")
    issued_at: datetime.datetime | None = None
    accepted_at: datetime.datetime | None = None

    @staticmethod
    def resolve_house_code(obj) -> str:
        return obj.house.code

    @staticmethod
    def resolve_contractor_mobile(obj) -> str:
        return mask_mobile(obj.contractor_mobile)

    @staticmethod
    def resolve_deposit(obj) -> str:
        return str(obj.deposit)


class PermitDetailOut(PermitOut):
    plan_documents: list[str]
    patrols: list[PatrolOut]

    history: list[HistoryEntryOut] = Field(
        ..., description="The record's history, newest first (at most 100 entries)"
    )

    @staticmethod
    def resolve_history(obj) -> list:
        return history_of(obj)

    deposit_status: Literal["none", "unpaid", "paid", "refund_pending", "refunded"]
    deposit_refunded_at: datetime.datetime | None = None

    @staticmethod
    def resolve_deposit_status(obj) -> str:
        return obj.deposit_state.status

    @staticmethod
    def resolve_deposit_refunded_at(obj):
        return obj.deposit_state.refunded_at

    @staticmethod
    def resolve_plan_documents(obj):
        return [d.archive_number for d in obj.plan_list]

    @staticmethod
    def resolve_patrols(obj):
        return obj.patrol_list


class PermitPageOut(PageOut):
    items: list[PermitOut]


class RulesOut(Schema):
    community: int | None = Field(None, alias="community_id")
    work_start: str
    break_start: str
    break_end: str
    work_end: str
    quiet_on_rest_days: bool
    prohibitions: list[str]
    deposit_required: bool
    deposit: str
    max_days: int
    hours: str

    @staticmethod
    def resolve_work_start(obj) -> str:
        return obj.work_start.strftime("%H:%M")

    @staticmethod
    def resolve_break_start(obj) -> str:
        return obj.break_start.strftime("%H:%M")

    @staticmethod
    def resolve_break_end(obj) -> str:
        return obj.break_end.strftime("%H:%M")

    @staticmethod
    def resolve_work_end(obj) -> str:
        return obj.work_end.strftime("%H:%M")

    @staticmethod
    def resolve_prohibitions(obj) -> list[str]:
        return obj.prohibition_list()

    @staticmethod
    def resolve_deposit(obj) -> str:
        return str(obj.deposit)

    @staticmethod
    def resolve_hours(obj) -> str:
        return obj.hours_text()


class RulesPatch(Schema):
    work_start: Time | None = None
    break_start: Time | None = None
    break_end: Time | None = None
    work_end: Time | None = None
    quiet_on_rest_days: bool | None = None
    prohibitions: Text(3000) | None = None
    deposit_required: bool | None = None
    deposit: Annotated[str | None, Field(None, max_length=14, pattern=r"^[0-9]+(\.[0-9]{1,2})?$")]
    max_days: Annotated[int | None, Field(None, ge=1, le=730)] = None


class ActivePermitOut(Schema):
    permit: PermitOut | None = None
    hours: str | None = None
    prohibitions: list[str] = Field(default_factory=list)


class InspectionItemOut(Schema):
    id: int
    community: int | None = Field(None, alias="community_id")
    name: str
    category_code: str
    sort_order: int
    active: bool


class InspectionItemIn(Schema):
    name: Line(80, required=True)
    category_code: Annotated[str, Field("repair_building", max_length=40, pattern=r"^[a-z_]+$")]


class InspectionItemPatch(Schema):
    name: Line(80, required=True) | None = None
    category_code: Annotated[str | None, Field(None, max_length=40, pattern=r"^[a-z_]+$")]
    active: bool | None = None
