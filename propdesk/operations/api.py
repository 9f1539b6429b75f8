"""Operations (/api/operations/…): the equipment register, its readings, alerts, faults and
maintenance work orders; patrol points, routes, plans and the rounds a patroller walks (a
check-in by a point's QR code, a finding becoming a request); temporary parking at the gate;
fee publications.

Thin endpoints: access helper → schema → one service or selector, under the permission policy;
another community's equipment or building is a 404 naming the field.
"""

from django.contrib.auth import get_user_model
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Query, Router, Status

from propdesk.accounts.models import Department
from propdesk.api.lists import paged
from propdesk.api.schemas import READ_ERRORS, WRITE_ERRORS, PathId, page
from propdesk.core.errors import NotFound, ValidationFailed, fetch_named
from propdesk.core.permissions import Perm, get_scoped, has_perm, require
from propdesk.estates.models import Building
from propdesk.estates.selectors import building_for_user, community_for_user
from propdesk.operations import schemas as s
from propdesk.operations import selectors, services
from propdesk.operations.services import maintenance, parking, patrol
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
        "faults": list(selectors.equipment_requests(equipment)[:50]),
        "maintenance": list(selectors.maintenance_history(equipment)[:20]),
    }


@router.get("/equipment", response={200: s.EquipmentPage, **READ_ERRORS}, summary="The register")
@paged(Perm.OPERATIONS_VIEW)
def equipment_list(request, filters: Query[s.EquipmentFilters]):
    return selectors.equipment_list(
        request.auth,
        q=filters.q,
        kind=filters.kind,
        status=filters.status,
        community_id=filters.community,
    )


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
    summary="Equipment with its latest readings, fault figures, faults and maintenance history",
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
@paged(Perm.OPERATIONS_VIEW)
def alert_list(request, filters: Query[s.AlertFilters]):
    return selectors.alert_list(
        request.auth, open_only=filters.open, community_id=filters.community
    )


# --- patrols -----------------------------------------------------------------------------------


@router.get(
    "/patrol/points", response={200: s.PatrolPointPage, **READ_ERRORS}, summary="Patrol points"
)
@paged(Perm.PATROL_VIEW)
def patrol_point_list(request, filters: Query[s.PatrolFilters]):
    return selectors.patrol_points(request.auth, community_id=filters.community)


@router.post(
    "/patrol/points",
    response={201: s.PatrolPointOut, **WRITE_ERRORS},
    summary="A patrol point: a place with its QR code and checklist",
)
def patrol_point_create(request, payload: s.PatrolPointIn):
    user = request.auth
    require(user, Perm.PATROL_MANAGE)
    building = fetch_named(
        building_for_user, user, payload.building, Perm.PATROL_MANAGE, field="building"
    )
    point = patrol.point_create(actor=user, **{**payload.dict(), "building": building})
    return Status(201, selectors.patrol_point_get(user, point.id))


@router.get(
    "/patrol/points/{point_id}",
    response={200: s.PatrolPointOut, **READ_ERRORS},
    summary="A patrol point with its QR code's text",
)
def patrol_point_detail(request, point_id: PathId):
    return selectors.patrol_point_get(request.auth, point_id)


@router.get(
    "/patrol/routes",
    response={200: s.PatrolRoutePage, **READ_ERRORS},
    summary="Patrol routes with their points in order",
)
@paged(Perm.PATROL_VIEW)
def patrol_route_list(request, filters: Query[s.PatrolFilters]):
    return selectors.patrol_routes(request.auth, community_id=filters.community)


@router.post(
    "/patrol/routes",
    response={201: s.PatrolRouteOut, **WRITE_ERRORS},
    summary="A patrol route: the community's points in the order they are walked",
)
def patrol_route_create(request, payload: s.PatrolRouteIn):
    user = request.auth
    require(user, Perm.PATROL_MANAGE)
    community = fetch_named(
        community_for_user, user, payload.community, Perm.PATROL_MANAGE, field="community"
    )
    route = patrol.route_create(
        actor=user, community=community, name=payload.name, point_codes=payload.points
    )
    return Status(201, selectors.patrol_route_get(user, route.id))


@router.get(
    "/patrol/routes/{route_id}",
    response={200: s.PatrolRouteOut, **READ_ERRORS},
    summary="A patrol route",
)
def patrol_route_detail(request, route_id: PathId):
    return selectors.patrol_route_get(request.auth, route_id)


@router.get(
    "/patrol/plans", response={200: s.PatrolPlanPage, **READ_ERRORS}, summary="Patrol plans"
)
@paged(Perm.PATROL_VIEW)
def patrol_plan_list(request, filters: Query[s.PatrolFilters]):
    return selectors.patrol_plans(request.auth, community_id=filters.community)


def _named_patroller(pk):
    """The user an API plan names as its patroller; the service checks they may patrol there."""
    if pk is None:
        return None
    found = get_user_model().objects.filter(pk=pk, is_active=True).first()
    if found is None:
        raise ValidationFailed(
            _("This person does not patrol in this community."), field="assignee"
        )
    return found


@router.post(
    "/patrol/plans",
    response={201: s.PatrolPlanOut, **WRITE_ERRORS},
    summary="A patrol plan: a route walked every N days at a time, by a person or a department",
)
def patrol_plan_create(request, payload: s.PatrolPlanIn):
    user = request.auth
    require(user, Perm.PATROL_MANAGE)
    route = fetch_named(selectors.patrol_route_get, user, payload.route, field="route")
    department = None
    if payload.department is not None:
        department = Department.objects.filter(pk=payload.department).first()
        if department is None:
            raise NotFound(_("No such department."), field="department")
    plan = patrol.plan_create(
        actor=user,
        route=route,
        name=payload.name,
        every_days=payload.every_days,
        starts_on=payload.starts_on,
        start_time=payload.start_time,
        window_minutes=payload.window_minutes,
        department=department,
        assignee=_named_patroller(payload.assignee),
    )
    return Status(201, plan)


@router.get(
    "/patrol/rounds/mine",
    response={200: s.PatrolRoundPage, **READ_ERRORS},
    summary="The patroller's tasks: open rounds due to them (or their department) now and soon",
)
@paged(Perm.PATROL_CHECK)
def patrol_my_rounds(request, filters: Query[s.PatrolFilters]):
    return selectors.my_rounds(request.auth, community_id=filters.community)


def _round_detail(user, round_id):
    patrol_round = selectors.patrol_round_get(user, round_id)
    patrol_round.sheet = [
        {
            "position": row["stop"].position,
            "point": row["point"].id,
            "code": row["point"].code,
            "name": row["point"].name,
            "place": row["point"].place,
            "checklist": row["point"].checklist_items(),
            "check": row["check"],
        }
        for row in selectors.round_sheet(patrol_round)
    ]
    return patrol_round


@router.get(
    "/patrol/rounds/{round_id}",
    response={200: s.PatrolRoundDetailOut, **READ_ERRORS},
    summary="A patrol round with its sheet: the route's points in order and each one's check",
)
def patrol_round_detail(request, round_id: PathId):
    return _round_detail(request.auth, round_id)


@router.post(
    "/patrol/rounds/{round_id}/checks",
    response={201: s.PatrolCheckOut, **WRITE_ERRORS},
    summary="Check in at a point by its QR code: the checklist answered, a finding as a request",
    description="`code` is the QR code's text as scanned (another community's code is refused) "
    "or the point's code as typed. A checklist item not right, or `finding`, makes the check a "
    "finding: the note becomes a request on the patrol channel naming the point's place.",
)
def patrol_check(request, round_id: PathId, payload: s.PatrolCheckIn):
    user = request.auth
    patrol_round = selectors.patrol_round_get(user, round_id)
    check = patrol.check_record(actor=user, patrol_round=patrol_round, **payload.dict())
    return Status(201, check)


@router.post(
    "/patrol/rounds/{round_id}/skip",
    response={201: s.PatrolCheckOut, **WRITE_ERRORS},
    summary="Pass a point by with the reason (it counts as missed)",
)
def patrol_skip(request, round_id: PathId, payload: s.PatrolSkipIn):
    user = request.auth
    patrol_round = selectors.patrol_round_get(user, round_id)
    check = patrol.point_skip(actor=user, patrol_round=patrol_round, **payload.dict())
    return Status(201, check)


@router.post(
    "/patrol/rounds/{round_id}/finish",
    response={200: s.PatrolRoundDetailOut, **WRITE_ERRORS},
    summary="End the round: the points not checked are missed, and counted",
)
def patrol_finish(request, round_id: PathId):
    user = request.auth
    patrol_round = selectors.patrol_round_get(user, round_id)
    patrol.round_finish(actor=user, patrol_round=patrol_round)
    return _round_detail(user, round_id)


# --- maintenance --------------------------------------------------------------------------------


@router.get(
    "/maintenance/work-orders",
    response={200: s.WorkOrderPage, **READ_ERRORS},
    summary="Maintenance work orders: open ones by due day first",
)
@paged(Perm.OPERATIONS_VIEW)
def work_order_list(request, filters: Query[s.WorkOrderFilters]):
    return selectors.work_orders(
        request.auth,
        community_id=filters.community,
        status=filters.status,
        equipment_id=filters.equipment,
        overdue=filters.overdue,
        today=timezone.localdate(),
    )


@router.get(
    "/maintenance/work-orders/{order_id}",
    response={200: s.WorkOrderDetailOut, **READ_ERRORS},
    summary="A work order with its checklist and, once done, its record",
)
def work_order_detail(request, order_id: PathId):
    return selectors.work_order_get(request.auth, order_id)


@router.post(
    "/maintenance/work-orders/{order_id}/complete",
    response={200: s.WorkOrderDetailOut, **WRITE_ERRORS},
    summary="Complete a work order: the checklist, readings, parts used and their cost, notes",
)
def work_order_complete(request, order_id: PathId, payload: s.WorkOrderCompleteIn):
    user = request.auth
    order = selectors.work_order_get(user, order_id)
    maintenance.work_order_complete(actor=user, work_order=order, **payload.dict())
    return selectors.work_order_get(user, order_id)


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
@paged(Perm.PUBLICATION_PREPARE)
def publication_list(request, filters: Query[s.PublicationFilters]):
    return selectors.publications(request.auth, community_id=filters.community)


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
