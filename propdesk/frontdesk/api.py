"""Front-desk procedure endpoints (/api/frontdesk/…): move-in, house inspection, decoration
permits and their per-community configuration. Thin: access helper → schema → one service or
selector. A record of another community is a 404 naming the field; a role without the right is a
403 from the service, before anything is written."""

from django.db.models import Q
from django.http import HttpResponse
from ninja import File, Form, Query, Router, Status
from ninja.files import UploadedFile

from propdesk.api.lists import paged
from propdesk.api.schemas import READ_ERRORS, WRITE_ERRORS, PathId
from propdesk.core.errors import NotFound, fetch_named
from propdesk.core.permissions import Perm, get_scoped, require
from propdesk.estates import selectors as registry
from propdesk.estates.models import EntrustedAgent
from propdesk.frontdesk import documents, selectors
from propdesk.frontdesk import schemas as s
from propdesk.frontdesk.models import InspectionItem
from propdesk.frontdesk.services import configure, decoration, inspection, move_in

router = Router(tags=["front desk"])

PDF = {
    "responses": {
        200: {
            "description": "A PDF document",
            "content": {"application/pdf": {"schema": {"type": "string", "format": "binary"}}},
        }
    }
}


def _house(user, house_id, field: str = "house"):
    return fetch_named(registry.house_for_user, user, house_id, field=field)


def _owner(user, owner_id):
    return fetch_named(registry.owner_for_user, user, owner_id, field="owner")


def _agent(user, agent_id) -> EntrustedAgent | None:
    if not agent_id:
        return None
    return fetch_named(
        get_scoped, EntrustedAgent.objects.all(), user, agent_id, Perm.REGISTRY_VIEW, field="agent"
    )


def _community(user, community_id, perm: Perm = Perm.FRONTDESK_VIEW):
    return fetch_named(registry.community_for_user, user, community_id, perm, field="community")


def _pdf(data: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "no-store"
    return response


# --- move-in ----------------------------------------------------------------------------------


@router.get("/move-ins", response={200: s.MoveInPageOut, **READ_ERRORS}, summary="Move-ins")
@paged(Perm.FRONTDESK_VIEW)
def move_in_list(request, filters: Query[s.ListFilters]):
    return selectors.move_in_list(
        request.auth, community_id=filters.community, status=filters.status, q=filters.q
    )


@router.post(
    "/move-ins",
    response={201: s.MoveInDetailOut, **WRITE_ERRORS},
    summary="Start a move-in for a house and the person who came",
)
def move_in_start(request, payload: s.MoveInIn):
    user = request.auth
    started = move_in.move_in_start(
        actor=user,
        house=_house(user, payload.house),
        owner=_owner(user, payload.owner),
        applicant_kind=payload.applicant_kind,
        agent=_agent(user, payload.agent),
        person_name=payload.person_name,
        person_mobile=payload.person_mobile,
        note=payload.note,
    )
    return Status(201, selectors.move_in_detail(user, started.id))


@router.get(
    "/move-ins/{move_in_id}",
    response={200: s.MoveInDetailOut, **READ_ERRORS},
    summary="A move-in with its checklist and steps",
)
def move_in_detail(request, move_in_id: PathId):
    return selectors.move_in_detail(request.auth, move_in_id)


@router.post(
    "/move-ins/{move_in_id}/items",
    response={200: s.MoveInDetailOut, **WRITE_ERRORS},
    summary="Tick or untick a document checked or a form collected",
)
def move_in_item_set(request, move_in_id: PathId, payload: s.MoveInItemIn):
    user = request.auth
    move_in.move_in_item_set(
        actor=user,
        move_in=selectors.move_in_for_user(user, move_in_id),
        group=payload.group,
        code=payload.code,
        checked=payload.checked,
    )
    return selectors.move_in_detail(user, move_in_id)


@router.post(
    "/move-ins/{move_in_id}/documents/{code}/scan",
    response={200: s.MoveInDetailOut, **WRITE_ERRORS},
    summary="Scan a document into the house's archive (unified archive number) and tick it",
)
def move_in_document_scan(request, move_in_id: PathId, code: str, file: File[UploadedFile]):
    user = request.auth
    move_in.move_in_document_scan(
        actor=user,
        move_in=selectors.move_in_for_user(user, move_in_id),
        code=code[:40],
        uploaded=file,
    )
    return selectors.move_in_detail(user, move_in_id)


@router.post(
    "/move-ins/{move_in_id}/steps",
    response={200: s.MoveInDetailOut, **WRITE_ERRORS},
    summary="Tick the next step (the payment step asks the fee gate)",
)
def move_in_step(request, move_in_id: PathId, payload: s.MoveInStepIn):
    user = request.auth
    move_in.move_in_step_complete(
        actor=user,
        move_in=selectors.move_in_for_user(user, move_in_id),
        code=payload.step,
        note=payload.note,
    )
    return selectors.move_in_detail(user, move_in_id)


@router.post(
    "/move-ins/{move_in_id}/cancel",
    response={200: s.MoveInDetailOut, **WRITE_ERRORS},
    summary="Cancel a move-in with the reason",
)
def move_in_cancel(request, move_in_id: PathId, payload: s.ReasonIn):
    user = request.auth
    move_in.move_in_cancel(
        actor=user, move_in=selectors.move_in_for_user(user, move_in_id), reason=payload.reason
    )
    return selectors.move_in_detail(user, move_in_id)


@router.get(
    "/move-ins/{move_in_id}/record.pdf",
    response=READ_ERRORS,
    summary="The printable move-in record",
    openapi_extra=PDF,
)
def move_in_record(request, move_in_id: PathId):
    record = selectors.move_in_detail(request.auth, move_in_id)
    return _pdf(documents.move_in_record_pdf(record), f"move-in-{record.number}.pdf")


# --- house inspection -------------------------------------------------------------------------


@router.get(
    "/inspections", response={200: s.InspectionPageOut, **READ_ERRORS}, summary="Inspections"
)
@paged(Perm.FRONTDESK_VIEW)
def inspection_list(request, filters: Query[s.ListFilters]):
    return selectors.inspection_list(
        request.auth, community_id=filters.community, status=filters.status, q=filters.q
    )


@router.post(
    "/inspections",
    response={201: s.InspectionDetailOut, **WRITE_ERRORS},
    summary="Start the inspection of a house (一房一验), optionally for its move-in",
)
def inspection_start(request, payload: s.InspectionIn):
    user = request.auth
    linked = None
    if payload.move_in:
        linked = fetch_named(selectors.move_in_for_user, user, payload.move_in, field="move_in")
    started = inspection.inspection_start(
        actor=user, house=_house(user, payload.house), move_in=linked
    )
    return Status(201, selectors.inspection_detail(user, started.id))


@router.get(
    "/inspections/{inspection_id}",
    response={200: s.InspectionDetailOut, **READ_ERRORS},
    summary="An inspection with its lines",
)
def inspection_detail(request, inspection_id: PathId):
    return selectors.inspection_detail(request.auth, inspection_id)


@router.post(
    "/inspections/{inspection_id}/results/{result_id}",
    response={200: s.InspectionResultOut, **WRITE_ERRORS},
    summary="Record one line: pass, or fail with a note and a photo (multipart form)",
)
def inspection_result_record(
    request,
    inspection_id: PathId,
    result_id: PathId,
    outcome: Form[str],
    note: Form[str] = "",
    photo: File[UploadedFile | None] = None,
):
    user = request.auth
    result = selectors.inspection_result_for_user(user, result_id)
    if result.inspection_id != inspection_id:
        raise NotFound()
    return inspection.inspection_result_record(
        actor=user, result=result, outcome=outcome[:20], note=note, photo=photo
    )


@router.post(
    "/inspections/{inspection_id}/submit",
    response={200: s.InspectionDetailOut, **WRITE_ERRORS},
    summary="Submit: every failed line becomes a repair request",
)
def inspection_submit(request, inspection_id: PathId):
    user = request.auth
    inspection.inspection_submit(
        actor=user, inspection=selectors.inspection_for_user(user, inspection_id)
    )
    return selectors.inspection_detail(user, inspection_id)


@router.post(
    "/inspections/{inspection_id}/reinspection",
    response={201: s.InspectionDetailOut, **WRITE_ERRORS},
    summary="Re-inspect the failed lines after their repairs",
)
def reinspection_start(request, inspection_id: PathId):
    user = request.auth
    started = inspection.reinspection_start(
        actor=user, inspection=selectors.inspection_for_user(user, inspection_id)
    )
    return Status(201, selectors.inspection_detail(user, started.id))


# --- decoration permits -----------------------------------------------------------------------


@router.get(
    "/permits", response={200: s.PermitPageOut, **READ_ERRORS}, summary="Decoration permits"
)
@paged(Perm.FRONTDESK_VIEW)
def permit_list(request, filters: Query[s.ListFilters]):
    return selectors.permit_list(
        request.auth, community_id=filters.community, status=filters.status, q=filters.q
    )


@router.post(
    "/permits",
    response={201: s.PermitDetailOut, **WRITE_ERRORS},
    summary="Apply for decoration (bills the decoration management fee)",
)
def permit_apply(request, payload: s.PermitIn):
    user = request.auth
    permit = decoration.permit_apply(
        actor=user,
        house=_house(user, payload.house),
        owner=_owner(user, payload.owner),
        agent=_agent(user, payload.agent),
        **payload.model_dump(exclude={"house", "owner", "agent"}),
    )
    return Status(201, selectors.permit_detail(user, permit.id))


@router.get(
    "/permits/{permit_id}",
    response={200: s.PermitDetailOut, **READ_ERRORS},
    summary="A permit with its plan documents and patrols",
)
def permit_detail(request, permit_id: PathId):
    return selectors.permit_detail(request.auth, permit_id)


@router.post(
    "/permits/{permit_id}/plans",
    response={200: s.PermitDetailOut, **WRITE_ERRORS},
    summary="File a decoration plan document (a revised plan goes back to review)",
)
def permit_plan_add(request, permit_id: PathId, file: File[UploadedFile]):
    user = request.auth
    decoration.permit_plan_add(
        actor=user, permit=selectors.permit_for_user(user, permit_id), uploaded=file
    )
    return selectors.permit_detail(user, permit_id)


def _permit_action(name: str, summary: str):
    service = getattr(decoration, name)

    def endpoint(request, permit_id: PathId):
        user = request.auth
        service(actor=user, permit=selectors.permit_for_user(user, permit_id))
        return selectors.permit_detail(user, permit_id)

    endpoint.__name__ = name
    return endpoint


for _path, _name, _summary in [
    ("identity", "permit_identity_verify", "Verify the owner's identity or the entrustment"),
    ("agreement", "permit_agreement_sign", "The decoration agreement is signed"),
    ("issue", "permit_issue", "Issue the permit (every gate must be met)"),
]:
    router.post(
        f"/permits/{{permit_id}}/{_path}",
        response={200: s.PermitDetailOut, **WRITE_ERRORS},
        summary=_summary,
    )(_permit_action(_name, _summary))


@router.post(
    "/permits/{permit_id}/deposit-refund",
    response={200: s.PermitDetailOut, **WRITE_ERRORS},
    summary="Ask for the deposit's refund after acceptance (a supervisor approves it)",
)
def permit_deposit_refund(request, permit_id: PathId, payload: s.DepositRefundIn):
    user = request.auth
    decoration.permit_deposit_refund(
        actor=user,
        permit=selectors.permit_for_user(user, permit_id),
        method=payload.method,
        reason=payload.reason,
    )
    return selectors.permit_detail(user, permit_id)


@router.post(
    "/permits/{permit_id}/plan-review",
    response={200: s.PermitDetailOut, **WRITE_ERRORS},
    summary="A supervisor approves or rejects the plan",
)
def permit_plan_review(request, permit_id: PathId, payload: s.PlanReviewIn):
    user = request.auth
    decoration.permit_plan_review(
        actor=user,
        permit=selectors.permit_for_user(user, permit_id),
        approve=payload.approve,
        note=payload.note,
    )
    return selectors.permit_detail(user, permit_id)


@router.post(
    "/permits/{permit_id}/patrols",
    response={201: s.PatrolOut, **WRITE_ERRORS},
    summary="Record a patrol of the works; an issue found becomes a request",
)
def permit_patrol(request, permit_id: PathId, payload: s.PatrolIn):
    user = request.auth
    patrol = decoration.permit_patrol_record(
        actor=user,
        permit=selectors.permit_for_user(user, permit_id),
        found_issue=payload.found_issue,
        findings=payload.findings,
    )
    return Status(201, patrol)


@router.post(
    "/permits/{permit_id}/accept",
    response={200: s.PermitDetailOut, **WRITE_ERRORS},
    summary="Completion acceptance of the works",
)
def permit_accept(request, permit_id: PathId, payload: s.FrontdeskNoteIn):
    user = request.auth
    decoration.permit_accept(
        actor=user, permit=selectors.permit_for_user(user, permit_id), note=payload.note
    )
    return selectors.permit_detail(user, permit_id)


@router.post(
    "/permits/{permit_id}/cancel",
    response={200: s.PermitDetailOut, **WRITE_ERRORS},
    summary="Cancel an application with the reason",
)
def permit_cancel(request, permit_id: PathId, payload: s.ReasonIn):
    user = request.auth
    decoration.permit_cancel(
        actor=user, permit=selectors.permit_for_user(user, permit_id), reason=payload.reason
    )
    return selectors.permit_detail(user, permit_id)


@router.get(
    "/permits/{permit_id}/permit.pdf",
    response=READ_ERRORS,
    summary="The printable permit with its QR code",
    openapi_extra=PDF,
)
def permit_pdf(request, permit_id: PathId):
    from django.urls import reverse

    permit = selectors.permit_detail(request.auth, permit_id)
    url = request.build_absolute_uri(reverse("frontdesk_permit_detail", args=[permit.id]))
    return _pdf(documents.permit_pdf(permit, check_url=url), f"permit-{permit.number}.pdf")


@router.get(
    "/houses/{house_id}/active-permit",
    response={200: s.ActivePermitOut, **READ_ERRORS},
    summary="The decoration permit in force at a house today, with its hours (noise complaints)",
)
def active_permit(request, house_id: PathId):
    user = request.auth
    require(user, Perm.REQUEST_VIEW)  # whoever handles a noise complaint may look it up
    permit = selectors.active_permit_for_house(_house(user, house_id))
    if permit is None:
        return {"permit": None, "hours": None, "prohibitions": []}
    return {
        "permit": permit,
        "hours": permit.rules.hours_text(),
        "prohibitions": permit.rules.prohibition_list(),
    }


# --- configuration ----------------------------------------------------------------------------


@router.get(
    "/communities/{community_id}/inspection-items",
    response={200: list[s.InspectionItemOut], **READ_ERRORS},
    summary="The community's inspection checklist (its own, or the company defaults)",
)
def inspection_items(request, community_id: PathId):
    community = _community(request.auth, community_id)
    return selectors.inspection_items_for(community.id, include_inactive=True)


@router.post(
    "/communities/{community_id}/inspection-items",
    response={201: s.InspectionItemOut, **WRITE_ERRORS},
    summary="Add an item to the community's checklist",
)
def inspection_item_add(request, community_id: PathId, payload: s.InspectionItemIn):
    community = _community(request.auth, community_id)
    item = configure.inspection_item_add(
        actor=request.auth,
        community=community,
        name=payload.name,
        category_code=payload.category_code,
    )
    return Status(201, item)


@router.patch(
    "/communities/{community_id}/inspection-items/{item_id}",
    response={200: s.InspectionItemOut, **WRITE_ERRORS},
    summary="Rename, re-file or retire a checklist item",
)
def inspection_item_update(
    request, community_id: PathId, item_id: PathId, payload: s.InspectionItemPatch
):
    community = _community(request.auth, community_id)
    item = InspectionItem.objects.filter(
        Q(community_id=community.id) | Q(community__isnull=True), pk=item_id
    ).first()
    if item is None:
        raise NotFound(field="item")
    return configure.inspection_item_update(
        actor=request.auth,
        community=community,
        item=item,
        **payload.model_dump(exclude_unset=True),
    )


@router.get(
    "/communities/{community_id}/decoration-rules",
    response={200: s.RulesOut, **READ_ERRORS},
    summary="The community's permitted hours, prohibitions and deposit",
)
def decoration_rules(request, community_id: PathId):
    community = _community(request.auth, community_id)
    return selectors.decoration_rules_for(community.id)


@router.patch(
    "/communities/{community_id}/decoration-rules",
    response={200: s.RulesOut, **WRITE_ERRORS},
    summary="Change the community's hours, prohibitions or deposit",
)
def decoration_rules_update(request, community_id: PathId, payload: s.RulesPatch):
    community = _community(request.auth, community_id)
    return configure.decoration_rules_update(
        actor=request.auth, community=community, **payload.model_dump(exclude_unset=True)
    )
