"""Request and response schemas of the custody API (`<Entity>In`, `<Entity>Out`).

Mobiles and plates leave masked (core.masking), as everywhere in the API. Text is checked at
the edge (length, no control characters); the services check the business rules.
"""

import datetime
from typing import Annotated, Literal

from ninja import Field, Schema
from pydantic import Strict

from propdesk.api.schemas import (
    MAX_ID,
    Date,
    Id,
    IdNumber,
    Line,
    Mobile,
    Name,
    PageOut,
    Paging,
    Text,
    choices_of,
)
from propdesk.core.audit import describe_events
from propdesk.core.masking import mask_mobile, mask_plate
from propdesk.custody import selectors
from propdesk.custody.models import (
    ApplicantKind,
    DocumentCategory,
    KeyKind,
    KeyStatus,
    LoanPurpose,
    RegisteredDocumentStatus,
)

# Ids in JSON bodies are strict (`"7"` or `true` is not an id); form fields arrive as text.
OptionalId = Annotated[Annotated[int, Strict()] | None, Field(None, ge=1, le=MAX_ID)]
FormId = Annotated[int, Field(ge=1, le=MAX_ID)]
KeyKindValue = choices_of(KeyKind)
KeyStatusValue = choices_of(KeyStatus, "")
PurposeValue = choices_of(LoanPurpose)
ApplicantKindValue = choices_of(ApplicantKind)
PassStateValue = Literal["pending", "approved", "expired", "used", "rejected", "cancelled", ""]
CategoryValue = choices_of(DocumentCategory)


# --- settings -----------------------------------------------------------------------------------


class SettingsOut(Schema):
    community: int = Field(..., alias="community_id")
    release_needs_fees_paid: bool
    key_overdue_hours: int
    pass_validity_hours: int
    repair_lead: int | None = Field(None, alias="repair_lead_id")


class SettingsPatch(Schema):
    release_needs_fees_paid: Annotated[bool, Field(strict=True)] = None
    key_overdue_hours: Annotated[int, Field(strict=True, ge=1, le=720)] = None
    pass_validity_hours: Annotated[int, Field(strict=True, ge=1, le=720)] = None
    repair_lead: Id | None = None


# --- keys ---------------------------------------------------------------------------------------


class ContractorIn(Schema):
    community: Id
    company: Name(100)
    responsible_name: Name(50)
    responsible_mobile: Mobile(required=True)
    responsible_id_number: IdNumber() = ""


class ContractorOut(Schema):
    id: int
    community: int = Field(..., alias="community_id")
    company: str
    responsible_name: str
    responsible_mobile: str
    active: bool

    @staticmethod
    def resolve_responsible_mobile(obj) -> str:
        return mask_mobile(obj.responsible_mobile)


class ContractorActiveIn(Schema):
    active: Annotated[bool, Field(strict=True)]


class KeyIn(Schema):
    community: Id
    kind: KeyKindValue
    label: Line(40, required=True)
    location: Line(60, required=True)
    house: OptionalId = None
    copies: Annotated[int, Field(strict=True, ge=1, le=20)] = 1
    note: Line(200) = ""


class KeyPatch(Schema):
    location: Line(60, required=True) = None
    note: Line(200) = None
    copies: Annotated[int, Field(strict=True, ge=1, le=20)] = None


class KeyFilters(Paging):
    community: int | None = Field(None, ge=1, le=MAX_ID)
    house: int | None = Field(None, ge=1, le=MAX_ID)
    q: str = Field("", max_length=60)
    status: KeyStatusValue = ""
    kind: choices_of(KeyKind, "") = ""
    overdue: bool = False


class LoanOut(Schema):
    id: int
    key: int = Field(..., alias="key_id")
    purpose: str
    borrower_name: str
    borrower_mobile: str
    owner: int | None = Field(None, alias="owner_id")
    agent: int | None = Field(None, alias="agent_id")
    contractor: int | None = Field(None, alias="contractor_id")
    staff: int | None = Field(None, alias="staff_id")
    witness: int | None = Field(None, alias="witness_id")
    id_checked: bool
    authority_letter: int | None = Field(None, alias="authority_letter_id")
    confirming_owner: int | None = Field(None, alias="confirming_owner_id")
    owner_confirmation: str
    reason: str
    lent_by: int = Field(..., alias="lent_by_id")
    lent_at: datetime.datetime
    due_at: datetime.datetime
    overdue: bool
    returned_at: datetime.datetime | None
    return_note: str

    @staticmethod
    def resolve_borrower_mobile(obj) -> str:
        return mask_mobile(obj.borrower_mobile)

    @staticmethod
    def resolve_overdue(obj) -> bool:
        return obj.is_overdue()


class KeyOut(Schema):
    id: int
    community: int = Field(..., alias="community_id")
    kind: str
    house: int | None = Field(None, alias="house_id")
    house_code: str | None
    label: str
    location: str
    copies: int
    status: str
    note: str
    holder: str | None
    due_at: datetime.datetime | None
    overdue: bool

    @staticmethod
    def resolve_house_code(obj) -> str | None:
        return obj.house.code if obj.house_id else None

    @staticmethod
    def _loan(obj):
        loans = getattr(obj, "open_loans", None) or []
        return loans[0] if loans else None

    @staticmethod
    def resolve_holder(obj) -> str | None:
        loan = KeyOut._loan(obj)
        return loan.borrower_name if loan else None

    @staticmethod
    def resolve_due_at(obj):
        loan = KeyOut._loan(obj)
        return loan.due_at if loan else None

    @staticmethod
    def resolve_overdue(obj) -> bool:
        loan = KeyOut._loan(obj)
        return bool(loan and loan.is_overdue())


class CustodyEventOut(Schema):
    action: str
    action_label: str
    at: datetime.datetime
    actor: str | None
    changes: dict
    display: str = Field(description="The entry in plain language: labels and names, not codes")
    note: str

    @staticmethod
    def resolve_actor(obj) -> str | None:
        return obj.actor.display_name if obj.actor_id else None


class KeyDetailOut(KeyOut):
    loans: list[LoanOut]
    timeline: list[CustodyEventOut]

    @staticmethod
    def resolve_loans(obj) -> list:
        return selectors.key_loans(obj)

    @staticmethod
    def resolve_timeline(obj) -> list:
        return describe_events(selectors.timeline(obj))


class KeyPage(PageOut):
    items: list[KeyOut]


class LendIn(Schema):
    purpose: PurposeValue
    id_checked: bool = False
    owner: OptionalId = None
    agent: OptionalId = None
    contractor: OptionalId = None
    borrower_name: Name(100, required=False) = ""
    borrower_id_number: IdNumber() = ""
    staff: OptionalId = None
    witness: OptionalId = None
    authority_letter: OptionalId = None
    confirming_owner: OptionalId = None
    owner_confirmation: Line(200) = ""
    reason: Line(200) = ""
    due_at: datetime.datetime | None = None


class ReturnIn(Schema):
    note: Line(200) = ""


class CustodyReasonIn(Schema):
    reason: Line(200, required=True)


class CustodyNoteIn(Schema):
    note: Line(200) = ""


class OptionalReasonIn(Schema):
    reason: Line(200) = ""


# --- passes -------------------------------------------------------------------------------------


class PassIn(Schema):
    house: Id
    applicant_kind: ApplicantKindValue = "owner"
    applicant: OptionalId = Field(
        None, description="Owner, resident or agent id; owners' accounts leave it out"
    )
    items: Text(1000, required=True)
    release_on: Date
    vehicle_plate: Line(12) = ""
    organisation: Name(100, required=False) = ""


class PassFilters(Paging):
    community: int | None = Field(None, ge=1, le=MAX_ID)
    house: int | None = Field(None, ge=1, le=MAX_ID)
    state: PassStateValue = ""
    q: str = Field("", max_length=60)
    release_on: Date | None = None


class PassOut(Schema):
    id: int
    community: int = Field(..., alias="community_id")
    community_name: str
    house: int = Field(..., alias="house_id")
    house_code: str
    code: str
    display_code: str
    applicant_kind: str
    applicant_name: str
    organisation: str
    items: str
    release_on: datetime.date
    vehicle_plate: str
    status: str
    state: str
    state_label: str
    applied_at: datetime.datetime
    decided_at: datetime.datetime | None
    decision_note: str
    valid_from: datetime.datetime | None
    valid_until: datetime.datetime | None
    used_at: datetime.datetime | None
    gate_note: str

    @staticmethod
    def resolve_house_code(obj) -> str:
        return obj.house.code

    @staticmethod
    def resolve_community_name(obj) -> str:
        return obj.community.name

    @staticmethod
    def resolve_vehicle_plate(obj) -> str:
        return mask_plate(obj.vehicle_plate)

    @staticmethod
    def resolve_state(obj) -> str:
        return obj.state()

    @staticmethod
    def resolve_state_label(obj) -> str:
        return obj.state_label()


class PassDetailOut(PassOut):
    qr_payload: str
    timeline: list[CustodyEventOut]

    @staticmethod
    def resolve_timeline(obj) -> list:
        return describe_events(selectors.timeline(obj))


class PassPage(PageOut):
    items: list[PassOut]


class GateIn(Schema):
    code: Line(500, required=True) = Field(..., description="Typed code or scanned QR payload")
    note: Line(200) = ""


class GateOut(Schema):
    ok: bool
    code: str | None = Field(None, description="Why the gate refuses, when it does")
    message: str
    release_pass: PassOut


# --- document register --------------------------------------------------------------------------


class CustodyDocumentIn(Schema):
    """Form fields of a registration (with an optional scan): ids are read from digits."""

    community: FormId
    category: CategoryValue
    title: Line(120, required=True)
    location: Line(60, required=True)
    counterparty: Line(100) = ""
    reference: Line(60) = ""
    dated: Date | None = None
    house: int | None = Field(None, ge=1, le=MAX_ID)
    keywords: Line(120) = ""


class DocumentFilters(Paging):
    community: int | None = Field(None, ge=1, le=MAX_ID)
    house: int | None = Field(None, ge=1, le=MAX_ID)
    q: str = Field("", max_length=60)
    category: choices_of(DocumentCategory, "") = ""
    status: choices_of(RegisteredDocumentStatus, "") = ""


class CustodyDocumentOut(Schema):
    id: int
    community: int = Field(..., alias="community_id")
    number: str
    category: str
    title: str
    counterparty: str
    reference: str
    dated: datetime.date | None
    house: int | None = Field(None, alias="house_id")
    location: str
    keywords: str
    status: str
    has_scan: bool
    registered_at: datetime.datetime

    @staticmethod
    def resolve_has_scan(obj) -> bool:
        return bool(obj.scan)


class DocumentLoanOut(Schema):
    id: int
    borrower_name: str
    purpose: str
    due_on: datetime.date
    lent_at: datetime.datetime
    returned_at: datetime.datetime | None


class DocumentDetailOut(CustodyDocumentOut):
    loans: list[DocumentLoanOut]
    timeline: list[CustodyEventOut]

    @staticmethod
    def resolve_loans(obj) -> list:
        return selectors.document_loans(obj)

    @staticmethod
    def resolve_timeline(obj) -> list:
        return describe_events(selectors.timeline(obj))


class DocumentPage(PageOut):
    items: list[CustodyDocumentOut]


class DocumentPatch(Schema):
    location: Line(60, required=True)


class DocumentLendIn(Schema):
    borrower_name: Name(100)
    purpose: Line(200, required=True)
    due_on: Date
