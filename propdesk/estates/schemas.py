"""Request and response schemas of the registry API (`<Entity>In`, `<Entity>Patch`, `<Entity>Out`).

Relations are named as in the services (`building`, `owner`, `holder`…) and carried as ids, so an
error a service raises about `owner` names the very field the client sent. Personal data —
mobile numbers, ID numbers, plates — leaves the API only masked (`mobile_masked`…); the reveal
endpoint is the one way to read a value, and it writes the access log.
"""

import datetime
from decimal import Decimal
from typing import Annotated, Literal

from ninja import Field, Schema
from pydantic import Strict, StrictBool

from propdesk.api.schemas import (
    MAX_ID,
    Code,
    Date,
    HistoryEntryOut,
    Id,
    IdNumber,
    Line,
    Mobile,
    Name,
    PageOut,
    Paging,
    Text,
    choices_of,
    history_of,
)
from propdesk.core.masking import mask_id_number, mask_mobile, mask_plate
from propdesk.core.validators import AREA_MAX_M2
from propdesk.estates.models import (
    DocumentType,
    HouseKind,
    HouseStatus,
    IdType,
    OwnerKind,
    ParkingKind,
    ParkingStatus,
    ResidentRelation,
)

HouseKindValue = choices_of(HouseKind)
HouseStatusValue = choices_of(HouseStatus)
OwnerKindValue = choices_of(OwnerKind)
IdTypeValue = choices_of(IdType)
RelationValue = choices_of(ResidentRelation)
ParkingKindValue = choices_of(ParkingKind)
ParkingStatusValue = choices_of(ParkingStatus)
DocumentTypeValue = choices_of(DocumentType)
RevealSubject = Literal["owner", "resident", "agent", "vehicle"]
RevealField = Literal["mobile", "id_number", "plate"]

Area = Annotated[
    Decimal,
    Field(gt=0, le=AREA_MAX_M2, max_digits=8, decimal_places=2, description="Building area in m²"),
]
Floor = Annotated[int, Strict(), Field(ge=-10, le=200)]
OptionalId = Annotated[Annotated[int, Strict()] | None, Field(None, ge=1, le=MAX_ID)]
ParkingNumber = Annotated[
    str,
    Field(
        min_length=1,
        max_length=20,
        pattern=r"^[0-9A-Za-z\u4e00-\u9fff_-]+$",
        description="Letters, digits, Chinese characters, '-' and '_'",
    ),
]


# --- communities and buildings --------------------------------------------------------------


class CommunityOut(Schema):
    id: int
    code: str
    name: str
    address: str
    archive_prefix: str


class BuildingFilters(Paging):
    community: int | None = Field(None, ge=1, le=MAX_ID)


class BuildingIn(Schema):
    community: Id
    number: Code(20)
    name: Name(60, required=False) = ""
    floors: Annotated[int, Strict()] | None = Field(None, ge=1, le=200)


class BuildingOut(Schema):
    id: int
    community: int
    number: str
    name: str
    floors: int | None

    @staticmethod
    def resolve_community(obj) -> int:
        return obj.community_id


class BuildingPage(PageOut):
    items: list[BuildingOut]


# --- houses ---------------------------------------------------------------------------------


class HouseFilters(Paging):
    community: int | None = Field(None, ge=1, le=MAX_ID)
    building: int | None = Field(None, ge=1, le=MAX_ID)
    status: HouseStatusValue | None = None
    kind: HouseKindValue | None = None
    code: str = Field(
        "",
        max_length=40,
        pattern=r"^[0-9A-Za-z-]*$",
        description="House code prefix, e.g. 3-2 or 3-2-15",
    )


class HouseOwnerOut(Schema):
    owner: int
    name: str
    mobile_masked: str
    is_primary: bool
    start_on: datetime.date
    end_on: datetime.date | None

    @staticmethod
    def resolve_owner(obj) -> int:
        return obj.owner_id

    @staticmethod
    def resolve_name(obj) -> str:
        return obj.owner.name

    @staticmethod
    def resolve_mobile_masked(obj) -> str:
        return mask_mobile(obj.owner.mobile)


class HouseOut(Schema):
    id: int
    community: int
    building: int
    unit: str
    number: str
    code: str
    floor: int
    area_m2: Decimal
    kind: str
    status: str
    delivered_on: datetime.date | None
    owners: list[HouseOwnerOut] = Field(..., description="Current owners, the primary first")

    @staticmethod
    def resolve_community(obj) -> int:
        return obj.community_id

    @staticmethod
    def resolve_building(obj) -> int:
        return obj.building_id

    @staticmethod
    def resolve_unit(obj) -> str:
        return obj.unit.number

    @staticmethod
    def resolve_owners(obj) -> list:
        current = getattr(obj, "current_ownerships", None)
        if current is None:
            current = obj.ownerships.filter(end_on__isnull=True).select_related("owner")
        return sorted(current, key=lambda o: (not o.is_primary, o.id))


class HousePage(PageOut):
    items: list[HouseOut]


class HouseIn(Schema):
    building: Id
    unit: Code(20)
    number: Code(20)
    floor: Floor
    area_m2: Area
    kind: HouseKindValue = "residential"
    status: HouseStatusValue = "unsold"
    delivered_on: Date | None = None


class HousePatch(Schema):
    floor: Floor | None = None
    area_m2: Area | None = None
    kind: HouseKindValue | None = None
    delivered_on: Date | None = None


class HouseStatusIn(Schema):
    status: HouseStatusValue
    effective_on: Date | None = None
    note: Text(200) = ""


class StatusChangeOut(Schema):
    from_status: str
    to_status: str
    effective_on: datetime.date
    note: str
    changed_at: datetime.datetime


class ResidentOut(Schema):
    id: int
    house: int
    relation: str
    name: str
    mobile_masked: str
    id_number_masked: str
    lease_start: datetime.date | None
    lease_end: datetime.date | None
    moved_in_on: datetime.date | None
    moved_out_on: datetime.date | None
    note: str

    @staticmethod
    def resolve_house(obj) -> int:
        return obj.house_id

    @staticmethod
    def resolve_mobile_masked(obj) -> str:
        return mask_mobile(obj.mobile)

    @staticmethod
    def resolve_id_number_masked(obj) -> str:
        return mask_id_number(obj.id_number)


class AgentOut(Schema):
    id: int
    house: int
    owner: int
    name: str
    mobile_masked: str
    id_number_masked: str
    scope: str
    valid_from: datetime.date
    valid_until: datetime.date | None
    power_of_attorney: int
    revoked_at: datetime.datetime | None

    @staticmethod
    def resolve_house(obj) -> int:
        return obj.house_id

    @staticmethod
    def resolve_owner(obj) -> int:
        return obj.owner_id

    @staticmethod
    def resolve_power_of_attorney(obj) -> int:
        return obj.power_of_attorney_id

    @staticmethod
    def resolve_mobile_masked(obj) -> str:
        return mask_mobile(obj.mobile)

    @staticmethod
    def resolve_id_number_masked(obj) -> str:
        return mask_id_number(obj.id_number)


class VehicleOut(Schema):
    id: int
    house: int
    owner: int | None
    plate_masked: str
    is_new_energy: bool
    description: str
    registered_on: datetime.date
    removed_on: datetime.date | None

    @staticmethod
    def resolve_house(obj) -> int:
        return obj.house_id

    @staticmethod
    def resolve_owner(obj) -> int | None:
        return obj.owner_id

    @staticmethod
    def resolve_plate_masked(obj) -> str:
        return mask_plate(obj.plate)


class ParkingSpaceOut(Schema):
    id: int
    community: int
    number: str
    kind: str
    status: str
    holder: int | None
    holder_name: str
    house: int | None
    vehicle: int | None

    @staticmethod
    def resolve_community(obj) -> int:
        return obj.community_id

    @staticmethod
    def resolve_holder(obj) -> int | None:
        return obj.holder_id

    @staticmethod
    def resolve_holder_name(obj) -> str:
        return obj.holder.name if obj.holder_id else ""

    @staticmethod
    def resolve_house(obj) -> int | None:
        return obj.house_id

    @staticmethod
    def resolve_vehicle(obj) -> int | None:
        return obj.vehicle_id


class HouseDetailOut(HouseOut):
    past_owners: list[HouseOwnerOut]
    residents: list[ResidentOut]
    agents: list[AgentOut]
    vehicles: list[VehicleOut]
    parking_spaces: list[ParkingSpaceOut]
    status_history: list[StatusChangeOut]

    history: list[HistoryEntryOut] = Field(
        ..., description="The record's history, newest first (at most 100 entries)"
    )

    @staticmethod
    def resolve_history(obj) -> list:
        return history_of(obj)

    @staticmethod
    def resolve_past_owners(obj) -> list:
        return obj.past_ownerships

    @staticmethod
    def resolve_residents(obj) -> list:
        return obj.resident_list

    @staticmethod
    def resolve_agents(obj) -> list:
        return obj.agent_list

    @staticmethod
    def resolve_vehicles(obj) -> list:
        return obj.vehicle_list

    @staticmethod
    def resolve_parking_spaces(obj) -> list:
        return obj.parking_list

    @staticmethod
    def resolve_status_history(obj) -> list:
        return obj.status_history


# --- owners and ownership -------------------------------------------------------------------


class OwnerFilters(Paging):
    community: int | None = Field(None, ge=1, le=MAX_ID)
    q: str = Field(
        "",
        max_length=40,
        pattern=r"^[^\x00-\x1f\x7f]*$",
        description="Name prefix, pinyin or initials (zs), last 4 digits or the whole mobile",
    )


class OwnerOut(Schema):
    id: int
    community: int
    kind: str
    name: str
    mobile_masked: str
    id_type: str
    id_number_masked: str
    note: str

    @staticmethod
    def resolve_community(obj) -> int:
        return obj.community_id

    @staticmethod
    def resolve_mobile_masked(obj) -> str:
        return mask_mobile(obj.mobile)

    @staticmethod
    def resolve_id_number_masked(obj) -> str:
        return mask_id_number(obj.id_number)


class OwnerListItemOut(OwnerOut):
    house_count: int


class OwnerPage(PageOut):
    items: list[OwnerListItemOut]


class OwnerHouseOut(Schema):
    house: int
    house_code: str
    is_primary: bool
    start_on: datetime.date
    end_on: datetime.date | None

    @staticmethod
    def resolve_house(obj) -> int:
        return obj.house_id

    @staticmethod
    def resolve_house_code(obj) -> str:
        return obj.house.code


class OwnerDetailOut(OwnerOut):
    houses: list[OwnerHouseOut]
    vehicles: list[VehicleOut]
    parking_spaces: list[ParkingSpaceOut]
    agents: list[AgentOut]

    history: list[HistoryEntryOut] = Field(
        ..., description="The record's history, newest first (at most 100 entries)"
    )

    @staticmethod
    def resolve_history(obj) -> list:
        return history_of(obj)

    @staticmethod
    def resolve_houses(obj) -> list:
        return obj.ownership_list

    @staticmethod
    def resolve_vehicles(obj) -> list:
        return obj.vehicle_list

    @staticmethod
    def resolve_parking_spaces(obj) -> list:
        return obj.parking_list

    @staticmethod
    def resolve_agents(obj) -> list:
        return obj.agent_list


class OwnerIn(Schema):
    community: Id
    kind: OwnerKindValue = "person"
    name: Name(100)
    mobile: Mobile() = ""
    id_type: IdTypeValue = "resident_id"
    id_number: IdNumber() = ""
    note: Text(300) = ""


class OwnerPatch(Schema):
    kind: OwnerKindValue | None = None
    name: Name(100) | None = None
    mobile: Mobile() | None = None
    id_type: IdTypeValue | None = None
    id_number: IdNumber() | None = None
    note: Text(300) | None = None


class OwnershipIn(Schema):
    owner: Id
    is_primary: StrictBool | None = Field(
        None, description="Default: primary when the house has no current owner"
    )
    start_on: Date | None = None


class OwnershipOut(Schema):
    id: int
    house: int
    owner: int
    is_primary: bool
    start_on: datetime.date
    end_on: datetime.date | None

    @staticmethod
    def resolve_house(obj) -> int:
        return obj.house_id

    @staticmethod
    def resolve_owner(obj) -> int:
        return obj.owner_id


class TransferIn(Schema):
    new_owners: list[Id] = Field(
        ..., min_length=1, max_length=10, description="Owner ids; the first becomes primary"
    )
    effective_on: Date | None = None
    reason: Text(200) = ""


class TransferOut(Schema):
    id: int
    house: int
    effective_on: datetime.date
    reason: str
    owners: list[HouseOwnerOut]

    @staticmethod
    def resolve_house(obj) -> int:
        return obj.house_id

    @staticmethod
    def resolve_owners(obj) -> list:
        return list(
            obj.house.ownerships.filter(started_by_transfer=obj)
            .select_related("owner")
            .order_by("-is_primary", "id")
        )


# --- people and things attached to a house --------------------------------------------------


class ResidentIn(Schema):
    relation: RelationValue
    name: Name(100)
    mobile: Mobile() = ""
    id_number: IdNumber() = ""
    lease_start: Date | None = None
    lease_end: Date | None = None
    moved_in_on: Date | None = None
    note: Text(200) = ""


class MoveOutIn(Schema):
    moved_out_on: Date | None = None


class AgentIn(Schema):
    owner: Id = Field(..., description="The principal: a current owner of the house")
    name: Name(100)
    mobile: Mobile(required=True)
    id_number: IdNumber(required=True)
    scope: Text(200, required=True)
    power_of_attorney: Id = Field(..., description="Archive document of type power_of_attorney")
    valid_from: Date | None = None
    valid_until: Date | None = None


class RevokeIn(Schema):
    reason: Text(200) = ""


Plate = Annotated[
    str,
    Field(
        min_length=1,
        max_length=20,
        pattern=r"^[\u4e00-\u9fffA-Za-z0-9·. -]+$",
        description="Chinese plate, e.g. 粤B12345 or 粤BD12345 (new energy)",
    ),
]


class VehicleIn(Schema):
    plate: Plate
    owner: OptionalId = None
    description: Line(60) = ""


class ParkingFilters(Paging):
    community: int | None = Field(None, ge=1, le=MAX_ID)
    status: ParkingStatusValue | None = None
    kind: ParkingKindValue | None = None


class ParkingSpacePage(PageOut):
    items: list[ParkingSpaceOut]


class ParkingSpaceIn(Schema):
    community: Id
    number: ParkingNumber
    kind: ParkingKindValue


class ParkingAssignIn(Schema):
    status: ParkingStatusValue
    holder: OptionalId = None
    house: OptionalId = None
    vehicle: OptionalId = None


# --- archive documents ----------------------------------------------------------------------


class DocumentIn(Schema):
    """Form fields of an upload: they arrive as text, so the ids are read from digits."""

    doc_type: DocumentTypeValue
    house: int | None = Field(None, ge=1, le=MAX_ID)
    owner: int | None = Field(None, ge=1, le=MAX_ID)
    title: Line(120) = ""


class DocumentOut(Schema):
    id: int
    community: int
    archive_number: str
    house: int | None
    owner: int | None
    doc_type: str
    title: str
    original_name: str
    content_type: str
    size_bytes: int
    uploaded_at: datetime.datetime

    @staticmethod
    def resolve_community(obj) -> int:
        return obj.community_id

    @staticmethod
    def resolve_house(obj) -> int | None:
        return obj.house_id

    @staticmethod
    def resolve_owner(obj) -> int | None:
        return obj.owner_id


# --- privacy --------------------------------------------------------------------------------


class RevealIn(Schema):
    subject: RevealSubject
    id: Id
    field: RevealField
    reason: Line(200) = ""


class RevealOut(Schema):
    subject: str
    id: int
    field: str
    value: str


class AccessLogFilters(Paging):
    community: int | None = Field(None, ge=1, le=MAX_ID)


class AccessLogOut(Schema):
    id: int
    community: int | None
    actor: str
    subject_type: str
    subject_id: int
    subject_repr: str
    field: str
    reason: str
    at: datetime.datetime

    @staticmethod
    def resolve_community(obj) -> int | None:
        return obj.community_id

    @staticmethod
    def resolve_actor(obj) -> str:
        return obj.actor.username

    @staticmethod
    def resolve_subject_repr(obj) -> str:
        # A vehicle is named by its plate, which is personal data: the log shows it masked.
        return mask_plate(obj.subject_repr) if obj.subject_type == "vehicle" else obj.subject_repr


class AccessLogPage(PageOut):
    items: list[AccessLogOut]


class SearchHitOut(Schema):
    match: str
    label: str
    community_name: str
    house_id: int | None
    house_code: str
    owner_id: int | None
    person_name: str
    mobile_masked: str

    @staticmethod
    def resolve_label(obj) -> str:
        # A vehicle hit is labelled with its plate: personal data, so the API masks it.
        return mask_plate(obj.label) if obj.match == "vehicle" else obj.label
