"""Operations (/api/operations/…): the equipment register, its readings and alerts, and
temporary parking at the gate.

Thin endpoints: access helper → schema → one service or selector, under the permission policy;
another community's equipment or building is a 404 naming the field.
"""

from django.utils.translation import gettext as _
from ninja import Query, Router, Status

from propdesk.api.schemas import READ_ERRORS, WRITE_ERRORS, PathId, page
from propdesk.core.errors import NotFound, fetch_named
from propdesk.core.permissions import Perm, get_scoped, has_perm, require
from propdesk.estates.models import Building
from propdesk.estates.selectors import community_for_user
from propdesk.operations import schemas as s
from propdesk.operations import selectors, services
from propdesk.operations.services import parking
from propdesk.operations.services import publication as publication_service

router = Router(tags=["operations"])


def _detail(equipment) -> dict:
    return {
        **{
            f: getattr(equipment, f)
            for f in s.EquipmentOut.model_fields
            if f not in ("community", "building")
        },
        "community_id": equipment.community_id,
        "building_id": equipment.building_id,
        "latest": selectors.latest_readings(equipment),
        "figures": selectors.fault_figures(equipment),
    }


@router.get("/equipment", response={200: s.EquipmentPage, **READ_ERRORS}, summary="The register")
def equipment_list(request, filters: Query[s.EquipmentFilters]):
    user = request.auth
    require(user, Perm.OPERATIONS_VIEW)
    rows = selectors.equipment_list(
        user, q=filters.q, kind=filters.kind, status=filters.status, community_id=filters.community
    )
    return page(rows, filters)


@router.post(
    "/equipment", response={201: s.EquipmentOut, **WRITE_ERRORS}, summary="Register equipment"
)
def equipment_register(request, payload: s.EquipmentIn):
    user = request.auth
    require(user, Perm.EQUIPMENT_MANAGE)
    try:
        building = get_scoped(Building.objects.all(), user, payload.building, Perm.EQUIPMENT_MANAGE)
    except NotFound as exc:
        raise NotFound(_("No such record in your communities."), field="building") from exc
    values = payload.dict(exclude={"building"})
    equipment = services.equipment_register(
        actor=user, community=building.community, building=building, **values
    )
    return Status(201, equipment)


@router.get(
    "/equipment/{equipment_id}",
    response={200: s.EquipmentDetailOut, **READ_ERRORS},
    summary="Equipment with its latest readings and fault figures",
)
def equipment_detail(request, equipment_id: PathId):
    return _detail(selectors.equipment_get(request.auth, equipment_id))


@router.post(
    "/equipment/{equipment_id}/status",
    response={200: s.EquipmentOut, **WRITE_ERRORS},
    summary="Record the equipment's status",
)
def equipment_status(request, equipment_id: PathId, payload: s.StatusIn):
    equipment = selectors.equipment_get(request.auth, equipment_id)
    return services.status_record(actor=request.auth, equipment=equipment, **payload.dict())


@router.get("/alerts", response={200: s.AlertPage, **READ_ERRORS}, summary="Device alerts")
def alert_list(request, filters: Query[s.AlertFilters]):
    user = request.auth
    require(user, Perm.OPERATIONS_VIEW)
    rows = selectors.alert_list(user, open_only=filters.open, community_id=filters.community)
    return page(rows, filters)


# --- temporary parking ----------------------------------------------------------------------


def _plate_shown(user, stay):
    """The full plate for those who compare it with the car at the gate; masked otherwise."""
    stay.plate_shown = stay.plate if has_perm(user, Perm.REVEAL_PLATE) else None
    return stay


def _stay(user, stay_id):
    """The one lookup of a stay at the edge: the caller's (404 outside their communities), with
    its plate as they may see it."""
    return _plate_shown(user, selectors.parking_stay_get(user, stay_id))


@router.get("/parking/stays", response={200: s.StayPage, **READ_ERRORS}, summary="Parking stays")
def stay_list(request, filters: Query[s.StayFilters]):
    user = request.auth
    require(user, Perm.PARKING_CHARGE)
    plate = parking.clean_plate(filters.plate) if filters.plate else ""
    rows = selectors.parking_stays(
        user, community_id=filters.community, status=filters.status, plate=plate
    )
    result = page(rows, filters)
    for stay in result["items"]:
        _plate_shown(user, stay)
    return result


@router.post(
    "/parking/stays",
    response={201: s.StayOut, **WRITE_ERRORS},
    summary="A car comes in (temporary parking)",
)
def stay_enter(request, payload: s.StayIn):
    user = request.auth
    community = fetch_named(
        community_for_user, user, payload.community, Perm.PARKING_CHARGE, field="community"
    )
    stay = parking.stay_enter(
        actor=user,
        community=community,
        plate=payload.plate,
        entered_at=payload.entered_at,
        note=payload.note,
    )
    return Status(201, _plate_shown(user, stay))


@router.get(
    "/parking/stays/{stay_id}", response={200: s.StayOut, **READ_ERRORS}, summary="A parking stay"
)
def stay_detail(request, stay_id: PathId):
    return _stay(request.auth, stay_id)


@router.post(
    "/parking/stays/{stay_id}/leave",
    response={200: s.StayOut, **WRITE_ERRORS},
    summary="The car leaves: the stay's minutes and fee by the community's rule",
)
def stay_leave(request, stay_id: PathId, payload: s.LeaveIn):
    user = request.auth
    stay = parking.stay_leave(actor=user, stay=_stay(user, stay_id), left_at=payload.left_at)
    return _plate_shown(user, stay)


@router.post(
    "/parking/stays/{stay_id}/payment",
    response={200: s.StayOut, **WRITE_ERRORS},
    summary="Take the stay's fee: a receipt and a line in the taker's cash-up",
    description="The same idempotency key sent again answers with the stay as paid the first "
    "time; the same key with other details, or for another payment, is a 409.",
)
def stay_pay(request, stay_id: PathId, payload: s.StayPaymentIn):
    user = request.auth
    stay = parking.stay_charge(actor=user, stay=_stay(user, stay_id), **payload.dict())
    return _plate_shown(user, stay)


# --- fee transparency -----------------------------------------------------------------------


@router.get(
    "/publications",
    response={200: s.PublicationPage, **READ_ERRORS},
    summary="Fee publications (收支公示) of the caller's communities",
)
def publication_list(request, filters: Query[s.PublicationFilters]):
    user = request.auth
    require(user, Perm.PUBLICATION_PREPARE)
    return page(selectors.publications(user, community_id=filters.community), filters)


@router.post(
    "/publications",
    response={201: s.PublicationDetailOut, **WRITE_ERRORS},
    summary="Prepare a period's publication: its income read from the ledger",
)
def publication_prepare(request, payload: s.PublicationIn):
    user = request.auth
    community = fetch_named(
        community_for_user, user, payload.community, Perm.PUBLICATION_PREPARE, field="community"
    )
    publication = publication_service.publication_prepare(
        actor=user,
        community=community,
        period_from=payload.period_from,
        period_to=payload.period_to,
        title=payload.title,
    )
    return Status(201, _detail_publication(user, publication.id))


def _detail_publication(user, publication_id):
    return selectors.publication_get(user, publication_id)


@router.get(
    "/publications/{publication_id}",
    response={200: s.PublicationDetailOut, **READ_ERRORS},
    summary="A publication with its income and spending lines",
)
def publication_detail(request, publication_id: PathId):
    return _detail_publication(request.auth, publication_id)


@router.post(
    "/publications/{publication_id}/spending",
    response={201: s.PublicationDetailOut, **WRITE_ERRORS},
    summary="Add a spending line to a publication being prepared",
)
def publication_spending(request, publication_id: PathId, payload: s.SpendingIn):
    user = request.auth
    publication = selectors.publication_get(user, publication_id)
    publication_service.spending_add(
        actor=user,
        publication=publication,
        category=payload.category,
        amount=payload.amount,
        note=payload.note,
    )
    return Status(201, _detail_publication(user, publication.id))


@router.post(
    "/publications/{publication_id}/submit",
    response={200: s.PublicationDetailOut, **WRITE_ERRORS},
    summary="Send the publication for review by a second person",
)
def publication_submit(request, publication_id: PathId):
    user = request.auth
    publication = selectors.publication_get(user, publication_id)
    publication_service.publication_submit(actor=user, publication=publication)
    return _detail_publication(user, publication.id)


@router.post(
    "/publications/{publication_id}/review",
    response={200: s.PublicationDetailOut, **WRITE_ERRORS},
    summary="Publish to the owners, or send back with a note (never by the one who prepared it)",
)
def publication_review(request, publication_id: PathId, payload: s.PublicationReviewIn):
    user = request.auth
    publication = selectors.publication_get(user, publication_id)
    publication_service.publication_review(
        actor=user, publication=publication, approve=payload.approve, note=payload.note
    )
    return _detail_publication(user, publication.id)


@router.post(
    "/publications/{publication_id}/corrections",
    response={201: s.PublicationDetailOut, **WRITE_ERRORS},
    summary="Correct a published publication with a new version and its reason",
)
def publication_correct(request, publication_id: PathId, payload: s.CorrectionIn):
    user = request.auth
    publication = selectors.publication_get(user, publication_id)
    new = publication_service.publication_correct(
        actor=user, publication=publication, reason=payload.reason
    )
    return Status(201, _detail_publication(user, new.id))
