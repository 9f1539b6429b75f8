"""Registry endpoints: thin, each one access helper → schema → one service or selector.

Objects in the path are fetched through the scoped selectors (`house_for_user` …), so another
community's record is a 404 and a role without the right is a 403 before anything is read or
written. Records a request body refers to (`building`, `owner`, `holder` …) are fetched the same
way, and a refusal names the field. Personal data is masked in every response; `POST /reveal` is
the one way to read it, and it writes the access log.
"""

from django.http import FileResponse, HttpResponse
from django.utils.translation import gettext as _
from ninja import File, Form, Query, Router, Status
from ninja.files import UploadedFile

from propdesk.api.lists import paged
from propdesk.api.schemas import READ_ERRORS, WRITE_ERRORS, PathId, error_responses, page
from propdesk.core.errors import NotFound, ValidationFailed, fetch_named_optional
from propdesk.core.permissions import Perm, require
from propdesk.estates import error_codes, selectors, services
from propdesk.estates.schemas import (
    AccessLogFilters,
    AccessLogPage,
    AgentIn,
    AgentOut,
    BuildingFilters,
    BuildingIn,
    BuildingOut,
    BuildingPage,
    CommunityOut,
    DocumentIn,
    DocumentOut,
    HouseDetailOut,
    HouseFilters,
    HouseIn,
    HouseOut,
    HousePage,
    HousePatch,
    HouseStatusIn,
    MoveOutIn,
    OwnerDetailOut,
    OwnerFilters,
    OwnerIn,
    OwnerOut,
    OwnerPage,
    OwnerPatch,
    OwnershipIn,
    OwnershipOut,
    ParkingAssignIn,
    ParkingFilters,
    ParkingSpaceIn,
    ParkingSpaceOut,
    ParkingSpacePage,
    ResidentIn,
    ResidentOut,
    RevealIn,
    RevealOut,
    RevokeIn,
    SearchHitOut,
    TransferIn,
    TransferOut,
    VehicleIn,
    VehicleOut,
)
from propdesk.estates.search import registry_search as run_search
from propdesk.estates.services.documents import CONTENT_TYPES

router = Router(tags=["registry"])

FILE_RESPONSE = {
    "responses": {
        200: {
            "description": "The stored file, as uploaded",
            "content": {
                content_type: {"schema": {"type": "string", "format": "binary"}}
                for content_type in sorted(set(CONTENT_TYPES.values()))
            },
        }
    }
}


# --- communities and buildings --------------------------------------------------------------


@router.get(
    "/communities",
    response={200: list[CommunityOut], **READ_ERRORS},
    tags=["communities"],
    summary="Communities you work in",
)
def community_list(request):
    require(request.auth, Perm.REGISTRY_VIEW)
    return selectors.communities_visible_to(request.auth)


@router.get(
    "/communities/{community_id}",
    response={200: CommunityOut, **READ_ERRORS},
    tags=["communities"],
    summary="One community",
)
def community_detail(request, community_id: PathId):
    return selectors.community_for_user(request.auth, community_id)


@router.get(
    "/buildings",
    response={200: BuildingPage, **READ_ERRORS},
    tags=["communities"],
    summary="Buildings, optionally of one community",
)
@paged(Perm.REGISTRY_VIEW, named_community=True)
def building_list(request, filters: Query[BuildingFilters]):
    return selectors.building_list(request.auth, community_id=filters.community)


@router.post(
    "/buildings",
    response={201: BuildingOut, **WRITE_ERRORS},
    tags=["communities"],
    summary="Add a building to a community",
)
def building_create(request, payload: BuildingIn):
    user = request.auth
    community = fetch_named_optional(
        selectors.community_for_user, user, payload.community, "community", perm=Perm.REGISTRY_EDIT
    )
    building = services.building_create(
        actor=user,
        community=community,
        number=payload.number,
        name=payload.name,
        floors=payload.floors,
    )
    return Status(201, building)


# --- houses ---------------------------------------------------------------------------------


@router.get(
    "/houses",
    response={200: HousePage, **READ_ERRORS},
    tags=["houses"],
    summary="Houses, filtered and paged",
)
@paged(Perm.REGISTRY_VIEW, named_community=True)
def house_list(request, filters: Query[HouseFilters]):
    user = request.auth
    fetch_named_optional(selectors.building_for_user, user, filters.building, "building")
    return selectors.house_list(
        user,
        community_id=filters.community,
        building_id=filters.building,
        status=filters.status or "",
        kind=filters.kind or "",
        q=filters.code,
    ).select_related("unit")


@router.get(
    "/houses/{house_id}",
    response={200: HouseDetailOut, **READ_ERRORS},
    tags=["houses"],
    summary="A house with its owners, residents, agents, vehicles and status history",
)
def house_detail(request, house_id: PathId):
    return selectors.house_detail(request.auth, house_id)


@router.post(
    "/houses",
    response={201: HouseOut, **WRITE_ERRORS},
    tags=["houses"],
    summary="Register a house (its unit is created on first use)",
)
def house_create(request, payload: HouseIn):
    user = request.auth
    building = fetch_named_optional(
        selectors.building_for_user, user, payload.building, "building", perm=Perm.REGISTRY_EDIT
    )
    house = services.house_create(
        actor=user,
        building=building,
        unit_number=payload.unit,
        number=payload.number,
        floor=payload.floor,
        area_m2=payload.area_m2,
        kind=payload.kind,
        status=payload.status,
        delivered_on=payload.delivered_on,
    )
    return Status(201, house)


@router.patch(
    "/houses/{house_id}",
    response={200: HouseOut, **WRITE_ERRORS},
    tags=["houses"],
    summary="Correct a house's floor, area, kind or delivery date",
)
def house_update(request, house_id: PathId, payload: HousePatch):
    house = selectors.house_for_user(request.auth, house_id, Perm.REGISTRY_EDIT)
    return services.house_update(
        actor=request.auth, house=house, **payload.model_dump(exclude_unset=True)
    )


@router.post(
    "/houses/{house_id}/status",
    response={200: HouseOut, **WRITE_ERRORS},
    tags=["houses"],
    summary="Change a house's status (kept in its history)",
)
def house_change_status(request, house_id: PathId, payload: HouseStatusIn):
    house = selectors.house_for_user(request.auth, house_id, Perm.REGISTRY_EDIT)
    return services.house_change_status(
        actor=request.auth,
        house=house,
        status=payload.status,
        effective_on=payload.effective_on,
        note=payload.note,
    )


@router.post(
    "/houses/{house_id}/transfer",
    response={201: TransferOut, **WRITE_ERRORS},
    tags=["houses"],
    summary="Transfer a house to new owners (过户); the old ownerships end and stay on file",
)
def ownership_transfer(request, house_id: PathId, payload: TransferIn):
    user = request.auth
    house = selectors.house_for_user(user, house_id, Perm.OWNERSHIP_TRANSFER)
    new_owners = [
        fetch_named_optional(selectors.owner_for_user, user, owner_id, "new_owners")
        for owner_id in payload.new_owners
    ]
    transfer = services.ownership_transfer(
        actor=user,
        house=house,
        new_owners=new_owners,
        effective_on=payload.effective_on,
        reason=payload.reason,
    )
    return Status(201, transfer)


@router.post(
    "/houses/{house_id}/owners",
    response={201: OwnershipOut, **WRITE_ERRORS},
    tags=["houses"],
    summary="Register an owner or co-owner of a house that is not changing hands",
)
def ownership_add(request, house_id: PathId, payload: OwnershipIn):
    user = request.auth
    house = selectors.house_for_user(user, house_id, Perm.REGISTRY_EDIT)
    owner = fetch_named_optional(selectors.owner_for_user, user, payload.owner, "owner")
    ownership = services.ownership_add(
        actor=user,
        house=house,
        owner=owner,
        start_on=payload.start_on,
        is_primary=payload.is_primary,
    )
    return Status(201, ownership)


# --- owners ---------------------------------------------------------------------------------


@router.get(
    "/owners",
    response={200: OwnerPage, **READ_ERRORS},
    tags=["owners"],
    summary="Owners, searched by name, pinyin, initials or mobile, and paged",
)
@paged(Perm.REGISTRY_VIEW, named_community=True)
def owner_list(request, filters: Query[OwnerFilters]):
    return selectors.owner_list(request.auth, community_id=filters.community, q=filters.q)


@router.get(
    "/owners/{owner_id}",
    response={200: OwnerDetailOut, **READ_ERRORS},
    tags=["owners"],
    summary="An owner with their houses, vehicles, parking spaces and agents",
)
def owner_detail(request, owner_id: PathId):
    return selectors.owner_detail(request.auth, owner_id)


@router.post(
    "/owners",
    response={201: OwnerOut, **WRITE_ERRORS},
    tags=["owners"],
    summary="Register an owner (person or company) in a community's archive",
)
def owner_create(request, payload: OwnerIn):
    user = request.auth
    community = fetch_named_optional(
        selectors.community_for_user, user, payload.community, "community", perm=Perm.REGISTRY_EDIT
    )
    owner = services.owner_create(
        actor=user,
        community=community,
        name=payload.name,
        kind=payload.kind,
        mobile=payload.mobile,
        id_type=payload.id_type,
        id_number=payload.id_number,
        note=payload.note,
    )
    return Status(201, owner)


@router.patch(
    "/owners/{owner_id}",
    response={200: OwnerOut, **WRITE_ERRORS},
    tags=["owners"],
    summary="Keep an owner's data current (every change is in the history)",
)
def owner_update(request, owner_id: PathId, payload: OwnerPatch):
    owner = selectors.owner_for_user(request.auth, owner_id, Perm.REGISTRY_EDIT)
    return services.owner_update(
        actor=request.auth, owner=owner, **payload.model_dump(exclude_unset=True)
    )


# --- residents, entrusted agents, vehicles --------------------------------------------------


@router.post(
    "/houses/{house_id}/residents",
    response={201: ResidentOut, **WRITE_ERRORS},
    tags=["people"],
    summary="Register a family member or a tenant of a house",
)
def resident_add(request, house_id: PathId, payload: ResidentIn):
    house = selectors.house_for_user(request.auth, house_id, Perm.REGISTRY_EDIT)
    resident = services.resident_add(actor=request.auth, house=house, **payload.model_dump())
    return Status(201, resident)


@router.post(
    "/residents/{resident_id}/move-out",
    response={200: ResidentOut, **WRITE_ERRORS},
    tags=["people"],
    summary="Record that a resident moved out",
)
def resident_move_out(request, resident_id: PathId, payload: MoveOutIn):
    resident = selectors.resident_for_user(request.auth, resident_id, Perm.REGISTRY_EDIT)
    return services.resident_move_out(
        actor=request.auth, resident=resident, moved_out_on=payload.moved_out_on
    )


@router.post(
    "/houses/{house_id}/agents",
    response={201: AgentOut, **WRITE_ERRORS},
    tags=["people"],
    summary="Record an entrusted agent (受托人) with the power of attorney on file",
)
def agent_add(request, house_id: PathId, payload: AgentIn):
    user = request.auth
    house = selectors.house_for_user(user, house_id, Perm.REGISTRY_EDIT)
    owner = fetch_named_optional(selectors.owner_for_user, user, payload.owner, "owner")
    power_of_attorney = fetch_named_optional(
        selectors.document_for_user, user, payload.power_of_attorney, "power_of_attorney"
    )
    agent = services.agent_add(
        actor=user,
        house=house,
        owner=owner,
        name=payload.name,
        mobile=payload.mobile,
        id_number=payload.id_number,
        scope=payload.scope,
        power_of_attorney=power_of_attorney,
        valid_from=payload.valid_from,
        valid_until=payload.valid_until,
    )
    return Status(201, agent)


@router.post(
    "/agents/{agent_id}/revoke",
    response={200: AgentOut, **WRITE_ERRORS},
    tags=["people"],
    summary="Revoke an entrustment",
)
def agent_revoke(request, agent_id: PathId, payload: RevokeIn):
    agent = selectors.agent_for_user(request.auth, agent_id, Perm.REGISTRY_EDIT)
    return services.agent_revoke(actor=request.auth, agent=agent, reason=payload.reason)


@router.post(
    "/houses/{house_id}/vehicles",
    response={201: VehicleOut, **WRITE_ERRORS},
    tags=["people"],
    summary="Register a vehicle of a house (plate checked, new-energy plates too)",
)
def vehicle_add(request, house_id: PathId, payload: VehicleIn):
    user = request.auth
    house = selectors.house_for_user(user, house_id, Perm.REGISTRY_EDIT)
    owner = fetch_named_optional(selectors.owner_for_user, user, payload.owner, "owner")
    vehicle = services.vehicle_add(
        actor=user, house=house, plate=payload.plate, owner=owner, description=payload.description
    )
    return Status(201, vehicle)


@router.post(
    "/vehicles/{vehicle_id}/remove",
    response={200: VehicleOut, **WRITE_ERRORS},
    tags=["people"],
    summary="Take a vehicle off the register (kept in the history)",
)
def vehicle_remove(request, vehicle_id: PathId):
    vehicle = selectors.vehicle_for_user(request.auth, vehicle_id, Perm.REGISTRY_EDIT)
    return services.vehicle_remove(actor=request.auth, vehicle=vehicle)


# --- parking --------------------------------------------------------------------------------


@router.get(
    "/parking-spaces",
    response={200: ParkingSpacePage, **READ_ERRORS},
    tags=["parking"],
    summary="Parking spaces, filtered and paged",
)
@paged(Perm.REGISTRY_VIEW, named_community=True)
def parking_space_list(request, filters: Query[ParkingFilters]):
    return selectors.parking_list(
        request.auth,
        community_id=filters.community,
        status=filters.status or "",
        kind=filters.kind or "",
    )


@router.post(
    "/parking-spaces",
    response={201: ParkingSpaceOut, **WRITE_ERRORS},
    tags=["parking"],
    summary="Add a parking space to a community",
)
def parking_space_create(request, payload: ParkingSpaceIn):
    user = request.auth
    community = fetch_named_optional(
        selectors.community_for_user, user, payload.community, "community", perm=Perm.REGISTRY_EDIT
    )
    space = services.parking_space_create(
        actor=user, community=community, number=payload.number, kind=payload.kind
    )
    return Status(201, space)


@router.post(
    "/parking-spaces/{space_id}/assign",
    response={200: ParkingSpaceOut, **WRITE_ERRORS},
    tags=["parking"],
    summary="Let or sell a space to a holder, or free it",
)
def parking_space_assign(request, space_id: PathId, payload: ParkingAssignIn):
    user = request.auth
    space = selectors.parking_space_for_user(user, space_id, Perm.REGISTRY_EDIT)
    return services.parking_space_assign(
        actor=user,
        space=space,
        status=payload.status,
        holder=fetch_named_optional(selectors.owner_for_user, user, payload.holder, "holder"),
        house=fetch_named_optional(selectors.house_for_user, user, payload.house, "house"),
        vehicle=fetch_named_optional(selectors.vehicle_for_user, user, payload.vehicle, "vehicle"),
    )


# --- archive documents ----------------------------------------------------------------------


@router.get(
    "/houses/{house_id}/documents",
    response={200: list[DocumentOut], **READ_ERRORS},
    tags=["archive"],
    summary="Archive documents filed under a house",
)
def house_documents(request, house_id: PathId):
    house = selectors.house_for_user(request.auth, house_id, Perm.ARCHIVE_VIEW)
    return list(selectors.documents_for(request.auth, house=house))


@router.get(
    "/owners/{owner_id}/documents",
    response={200: list[DocumentOut], **READ_ERRORS},
    tags=["archive"],
    summary="Archive documents filed under an owner",
)
def owner_documents(request, owner_id: PathId):
    owner = selectors.owner_for_user(request.auth, owner_id, Perm.ARCHIVE_VIEW)
    return list(selectors.documents_for(request.auth, owner=owner))


@router.post(
    "/documents",
    response={201: DocumentOut, **WRITE_ERRORS},
    tags=["archive"],
    summary="Upload an archive document (PDF, JPG, PNG, DOCX, XLSX) for a house or an owner",
)
def document_upload(request, payload: Form[DocumentIn], file: File[UploadedFile]):
    user = request.auth
    require(user, Perm.ARCHIVE_UPLOAD)
    house = fetch_named_optional(selectors.house_for_user, user, payload.house, "house")
    owner = fetch_named_optional(selectors.owner_for_user, user, payload.owner, "owner")
    filed_under = house or owner
    if filed_under is None:
        raise ValidationFailed(_("File the document under a house or an owner."), field="house")
    document = services.document_upload(
        actor=user,
        community=filed_under.community,
        doc_type=payload.doc_type,
        uploaded=file,
        house=house,
        owner=owner,
        title=payload.title,
    )
    return Status(201, document)


@router.get(
    "/documents/{document_id}/file",
    response=error_responses(401, 403, 404, 422),
    tags=["archive"],
    summary="Download an archive document",
    openapi_extra=FILE_RESPONSE,
)
def document_download(request, document_id: PathId):
    document = selectors.document_for_user(request.auth, document_id)
    try:
        handle = document.file.open("rb")
    except FileNotFoundError as exc:
        raise NotFound(_("The stored file is missing."), code=error_codes.FILE_MISSING) from exc
    return FileResponse(
        handle,
        as_attachment=True,
        filename=document.original_name or document.archive_number,
        content_type=document.content_type,
    )


# --- privacy --------------------------------------------------------------------------------

REVEAL_SUBJECTS = {
    "owner": selectors.owner_for_user,
    "resident": selectors.resident_for_user,
    "agent": selectors.agent_for_user,
    "vehicle": selectors.vehicle_for_user,
}


@router.post(
    "/reveal",
    response={200: RevealOut, **WRITE_ERRORS},
    tags=["privacy"],
    summary="Reveal one masked value (mobile, ID number or plate); written to the access log",
)
def reveal(request, payload: RevealIn, response: HttpResponse):
    user = request.auth
    subject = fetch_named_optional(REVEAL_SUBJECTS[payload.subject], user, payload.id, "id")
    value = services.personal_data_reveal(
        actor=user, subject=subject, field=payload.field, reason=payload.reason
    )
    response["Cache-Control"] = "no-store"
    return {"subject": payload.subject, "id": subject.pk, "field": payload.field, "value": value}


@router.get(
    "/access-log",
    response={200: AccessLogPage, **READ_ERRORS},
    tags=["privacy"],
    summary="Who revealed whose personal data, and when (supervisors and administrators)",
)
def access_log(request, filters: Query[AccessLogFilters]):
    user = request.auth
    community = fetch_named_optional(
        selectors.community_for_user, user, filters.community, "community"
    )
    entries = selectors.access_log(user, community_id=community.id if community else None)
    return page(entries, filters)


# --- search ---------------------------------------------------------------------------------


@router.get(
    "/search",
    response={200: list[SearchHitOut], **READ_ERRORS},
    tags=["search"],
    summary="Front-desk registry search: 3-2-1502, 张三, zs, 5678, 粤B12345",
)
def registry_search(request, q: str = Query("", max_length=100, pattern=r"^[^\x00-\x1f\x7f]*$")):
    return run_search(request.auth, q[:40])


# --- reads the selectors do not offer yet (candidates for estates/selectors.py) ---------------
