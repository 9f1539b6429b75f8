"""The community app's API router, mounted at /api/community/: thin endpoints, each an access
helper → schema → one service or selector, under the permission policy. Records named in the
path or body are fetched through scoped helpers: another community's incident, house or request
is a 404 naming the field; a role without the right is a 403."""

from django.http import HttpResponse
from django.utils.translation import gettext as _
from ninja import Query, Router, Status

from propdesk.api.lists import paged
from propdesk.api.schemas import (
    MAX_ID,
    MAX_LIMIT,
    READ_ERRORS,
    WRITE_ERRORS,
    PathId,
    error_responses,
)
from propdesk.community import error_codes, selectors
from propdesk.community import schemas as s
from propdesk.community.models import CareCall, DutyShift, FollowUpItem, IncidentKind
from propdesk.community.report import incident_pdf
from propdesk.community.services import care, desk, incidents, plans
from propdesk.core.errors import NotFound, ValidationFailed, fetch_named, fetch_named_optional
from propdesk.core.permissions import Perm, get_scoped, require
from propdesk.estates.models import Community, House
from propdesk.estates.selectors import community_for_user
from propdesk.tickets.models import ServiceRequest

router = Router(tags=["emergencies and community"])

PDF = {
    "responses": {
        200: {
            "description": "A PDF document",
            "content": {"application/pdf": {"schema": {"type": "string", "format": "binary"}}},
        }
    }
}


def _named(queryset, user, pk, field: str, perm: Perm):
    """A record named by id in the body, scoped to the user (404 naming `field` otherwise)."""
    return fetch_named_optional(
        lambda who, row_id: get_scoped(queryset, who, row_id, perm), user, pk, field
    )


def _community(user, community_id, perm: Perm) -> Community:
    return fetch_named(community_for_user, user, community_id, perm, field="community")


def _detail(incident) -> dict:
    detail = selectors.incident_detail(incident)
    out = {f: getattr(incident, f) for f in s.IncidentOut.model_fields if f != "community"}
    out.update(
        {
            "community_id": incident.community_id,
            "buildings": [b.id for b in detail["buildings"]],
            "units": [u.id for u in detail["units"]],
            "cause": incident.cause,
            "measures": incident.measures,
            "tasks": detail["tasks"],
            "broadcasts": detail["broadcasts"],
            "links": detail["links"],
            "timeline": detail["entries"],
            "follow_ups": detail["follow_ups"],
        }
    )
    return out


@router.get("/incidents", response={200: s.IncidentPage, **READ_ERRORS}, summary="Incidents")
@paged(Perm.INCIDENT_VIEW)
def incident_list(request, filters: Query[s.IncidentFilters]):
    return selectors.incident_list(
        request.auth,
        status=filters.status,
        kind=filters.kind,
        q=filters.q,
        community_id=filters.community,
    )


@router.post(
    "/incidents",
    response={201: s.IncidentDetailOut, **WRITE_ERRORS},
    summary="Open an incident: start the plan, alert the staff on duty, broadcast",
)
def incident_open(request, payload: s.IncidentIn):
    user = request.auth
    community = _community(user, payload.community, Perm.INCIDENT_OPEN)
    source = _named(
        ServiceRequest.objects.all(),
        user,
        payload.source_request,
        "source_request",
        Perm.REQUEST_VIEW,
    )
    incident = incidents.incident_open(
        actor=user,
        community=community,
        kind=payload.kind,
        severity=payload.severity,
        place=payload.place,
        description=payload.description,
        whole_community=payload.whole_community,
        building_ids=payload.buildings,
        unit_ids=payload.units,
        expected_restore_at=payload.expected_restore_at,
        is_drill=payload.is_drill,
        source_request=source,
        broadcast_text=payload.broadcast_text,
    )
    return Status(201, _detail(incident))


@router.get(
    "/incidents/{incident_id}",
    response={200: s.IncidentDetailOut, **READ_ERRORS},
    summary="An incident with its tasks, broadcasts, linked calls and timeline",
)
def incident_detail(request, incident_id: PathId):
    return _detail(selectors.incident_for_user(request.auth, incident_id))


def _task(user, incident_id, task_id):
    task = selectors.task_for_user(user, task_id)
    if task.incident_id != incident_id:
        raise NotFound(_("No such record in your communities."), field="task")
    return task


@router.post(
    "/incidents/{incident_id}/tasks/{task_id}/done",
    response={200: s.TaskOut, **WRITE_ERRORS},
    summary="Tick a step of the plan",
)
def task_done(request, incident_id: PathId, task_id: PathId, payload: s.TaskDoneIn):
    user = request.auth
    return incidents.task_done(
        actor=user, task=_task(user, incident_id, task_id), note=payload.note
    )


@router.post(
    "/incidents/{incident_id}/tasks/{task_id}/undo",
    response={200: s.TaskOut, **WRITE_ERRORS},
    summary="Take back a tick made by mistake",
)
def task_undo(request, incident_id: PathId, task_id: PathId):
    user = request.auth
    return incidents.task_undo(actor=user, task=_task(user, incident_id, task_id))


@router.post(
    "/incidents/{incident_id}/broadcasts",
    response={201: s.BroadcastOut, **WRITE_ERRORS},
    summary="Broadcast an update or the restoration to every affected resident",
)
def incident_broadcast(request, incident_id: PathId, payload: s.BroadcastIn):
    user = request.auth
    incident = selectors.incident_for_user(user, incident_id)
    broadcast = incidents.incident_broadcast(
        actor=user,
        incident=incident,
        kind=payload.kind,
        text=payload.text,
        expected_restore_at=payload.expected_restore_at,
    )
    return Status(201, broadcast)


@router.post(
    "/incidents/{incident_id}/links",
    response={201: s.LinkOut, **WRITE_ERRORS},
    summary="Link a call (by house) or a request to the incident instead of a duplicate",
)
def incident_link(request, incident_id: PathId, payload: s.LinkIn):
    user = request.auth
    incident = selectors.incident_for_user(user, incident_id)
    house = _named(House.objects.all(), user, payload.house, "house", Perm.INCIDENT_WORK)
    request_row = _named(
        ServiceRequest.objects.all(), user, payload.request, "request", Perm.REQUEST_VIEW
    )
    link = incidents.incident_link(
        actor=user,
        incident=incident,
        house=house,
        request=request_row,
        caller_name=payload.caller_name,
        note=payload.note,
    )
    return Status(201, link)


@router.post(
    "/incidents/{incident_id}/notes",
    response={201: s.EntryOut, **WRITE_ERRORS},
    summary="A note on the incident's timeline",
)
def incident_note(request, incident_id: PathId, payload: s.CommunityNoteIn):
    user = request.auth
    incident = selectors.incident_for_user(user, incident_id)
    return Status(201, incidents.incident_note(actor=user, incident=incident, note=payload.note))


@router.post(
    "/incidents/{incident_id}/close",
    response={200: s.IncidentDetailOut, **WRITE_ERRORS},
    summary="Close with the cause, the measures and the prevention items",
)
def incident_close(request, incident_id: PathId, payload: s.CloseIn):
    user = request.auth
    incident = selectors.incident_for_user(user, incident_id)
    incident = incidents.incident_close(
        actor=user,
        incident=incident,
        cause=payload.cause,
        measures=payload.measures,
        prevention=payload.prevention,
        restored_at=payload.restored_at,
    )
    return _detail(incident)


@router.post(
    "/incidents/{incident_id}/follow-ups/{item_id}/request",
    response={201: s.RequestRefOut, **WRITE_ERRORS},
    summary="Turn a prevention item into a request",
)
def follow_up_request(request, incident_id: PathId, item_id: PathId):
    user = request.auth
    incident = selectors.incident_for_user(user, incident_id)
    item = FollowUpItem.objects.filter(incident=incident, pk=item_id).first()
    if item is None:
        raise NotFound(_("No such record in your communities."), field="item")
    return Status(201, incidents.follow_up_request(actor=user, item=item))


@router.get(
    "/incidents/{incident_id}/report.pdf",
    response={**READ_ERRORS},
    openapi_extra=PDF,
    summary="The after-action report (PDF)",
)
def incident_report(request, incident_id: PathId):
    incident = selectors.incident_for_user(request.auth, incident_id)
    response = HttpResponse(incident_pdf(incident), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{incident.number}.pdf"'
    return response


def _plan_out(community, kind) -> dict:
    steps = plans.plan_steps(community=community, kind=kind)
    return {
        "community": community.id,
        "kind": kind,
        "is_default": not steps or steps[0].pk is None,
        "steps": steps,
    }


def _kind(kind: str) -> str:
    if kind not in IncidentKind.values:
        raise ValidationFailed(_("Choose one of the listed values."), field="kind")
    return kind


@router.get(
    "/plans/{community_id}/{kind}",
    response={200: s.PlanOut, **READ_ERRORS, **error_responses(400)},
    summary="A community's emergency plan for a kind of incident",
)
def plan_detail(request, community_id: PathId, kind: str):
    community = _community(request.auth, community_id, Perm.INCIDENT_VIEW)
    return _plan_out(community, _kind(kind))


@router.put(
    "/plans/{community_id}/{kind}",
    response={200: s.PlanOut, **WRITE_ERRORS},
    summary="Replace a community's plan for a kind of incident",
)
def plan_update(request, community_id: PathId, kind: str, payload: s.PlanIn):
    user = request.auth
    community = _community(user, community_id, Perm.INCIDENT_PLANS)
    plans.plan_save(
        actor=user,
        community=community,
        kind=_kind(kind),
        steps=[step.model_dump() for step in payload.steps],
    )
    return _plan_out(community, kind)


@router.get(
    "/my/incidents",
    response={200: list[s.OwnerIncidentOut], **READ_ERRORS},
    summary="Active incidents affecting my houses (the portal's banner)",
)
def my_incidents(request):
    return [
        {
            "id": b["incident"].id,
            "kind": b["incident"].kind,
            "kind_label": b["incident"].get_kind_display(),
            "place": b["incident"].place,
            "expected_restore_at": b["incident"].expected_restore_at,
            "opened_at": b["incident"].opened_at,
            "houses": [h.code for h in b["houses"]],
            "latest_notice": b["latest"].text if b["latest"] else None,
        }
        for b in selectors.active_incidents_for_owner(request.auth)
    ]


# --- front-desk visit log (来访登记) -----------------------------------------------------------


@router.get(
    "/visits", response={200: s.DeskVisitPage, **READ_ERRORS}, summary="The front-desk visit log"
)
@paged(Perm.VISIT_LOG)
def visit_list(request, filters: Query[s.DeskVisitFilters]):
    return selectors.visit_list(
        request.auth, q=filters.q, day=filters.day, community_id=filters.community
    )


@router.post(
    "/visits",
    response={201: s.DeskVisitOut, **WRITE_ERRORS},
    summary="Record a walk-in; a promised callback becomes an inquiry request due then",
)
def visit_record(request, payload: s.DeskVisitIn):
    user = request.auth
    community = _community(user, payload.community, Perm.VISIT_LOG)
    house = _named(House.objects.all(), user, payload.house, "house", Perm.VISIT_LOG)
    visit = desk.desk_visit_record(
        actor=user,
        community=community,
        **payload.model_dump(exclude={"community", "house"}),
        house=house,
    )
    return Status(201, visit)


# --- special care (特殊关怀) ---------------------------------------------------------------------


def _resident(user, resident_id, perm: Perm = Perm.CARE_VIEW):
    return selectors.care_resident_for_user(user, resident_id, perm)


@router.get(
    "/care",
    response={200: s.CarePage, **READ_ERRORS},
    summary="Special-care residents, the most overdue visit first (personal data masked)",
)
@paged(Perm.CARE_VIEW)
def care_list(request, filters: Query[s.CareFilters]):
    return selectors.care_list(
        request.auth, q=filters.q, overdue=filters.overdue, community_id=filters.community
    )


@router.post(
    "/care",
    response={201: s.CareResidentOut, **WRITE_ERRORS},
    summary="Put a resident on the care list (the first visit is due today)",
)
def care_add(request, payload: s.CareResidentIn):
    user = request.auth
    house = _named(House.objects.all(), user, payload.house, "house", Perm.CARE_MANAGE)
    resident = care.care_resident_add(
        actor=user, house=house, **payload.model_dump(exclude={"house"})
    )
    return Status(201, resident)


@router.get(
    "/care/calls",
    response={200: list[s.CareCallOut], **READ_ERRORS},
    summary="Calls to make to special-care residents before a warning",
)
def care_calls(request, community: int | None = Query(None, ge=1, le=MAX_ID)):  # noqa: B008
    user = request.auth
    require(user, Perm.CARE_VIEW)
    return list(selectors.care_calls_open(user, community_id=community)[:MAX_LIMIT])


@router.post(
    "/care/calls/{call_id}/done",
    response={200: s.CareCallOut, **WRITE_ERRORS},
    summary="Record a call made to a special-care resident",
)
def care_call_done(request, call_id: PathId, payload: s.CareCallDoneIn):
    user = request.auth
    call = get_scoped(
        CareCall.objects.select_related("resident", "resident__house"),
        user,
        call_id,
        Perm.CARE_VIEW,
    )
    return care.care_call_done(actor=user, call=call, outcome=payload.outcome)


@router.get(
    "/care/{resident_id}",
    response={200: s.CareResidentOut, **READ_ERRORS},
    summary="A special-care resident (personal data masked)",
)
def care_detail(request, resident_id: PathId):
    return _resident(request.auth, resident_id)


@router.patch(
    "/care/{resident_id}",
    response={200: s.CareResidentOut, **WRITE_ERRORS},
    summary="Change a special-care resident's record (a new frequency moves the next visit)",
)
def care_update(request, resident_id: PathId, payload: s.CareResidentPatch):
    user = request.auth
    resident = _resident(user, resident_id)
    fields = payload.model_dump(exclude_unset=True)
    for name in [k for k, v in fields.items() if v is None]:
        raise ValidationFailed(_("This field cannot be empty."), field=name)
    return care.care_resident_update(actor=user, resident=resident, **fields)


@router.get(
    "/care/{resident_id}/visits",
    response={200: list[s.CareVisitOut], **READ_ERRORS},
    summary="A special-care resident's visits, the latest first",
)
def care_visits(request, resident_id: PathId):
    resident = _resident(request.auth, resident_id)
    return list(resident.visits.select_related("visited_by", "request")[:MAX_LIMIT])


@router.post(
    "/care/{resident_id}/visits",
    response={201: s.CareVisitOut, **WRITE_ERRORS},
    summary="Record a visit; a need found becomes a help request",
)
def care_visit(request, resident_id: PathId, payload: s.CareVisitIn):
    user = request.auth
    resident = _resident(user, resident_id)
    visit = care.care_visit_record(actor=user, resident=resident, **payload.model_dump())
    return Status(201, visit)


@router.post(
    "/care/{resident_id}/reveal",
    response={200: s.CareRevealOut, **WRITE_ERRORS},
    summary="Reveal the health and disability details (written to the access log)",
)
def care_reveal(request, resident_id: PathId, payload: s.CareRevealIn):
    user = request.auth
    resident = _resident(user, resident_id)
    notes = care.care_health_reveal(actor=user, resident=resident, reason=payload.reason)
    return {"health_notes": notes}


# --- duty roster (值班表) ----------------------------------------------------------------------


@router.get(
    "/duty",
    response={200: s.DutyShiftPage, **READ_ERRORS},
    summary="A community's duty roster from twelve hours ago on",
)
@paged(None)
def duty_list(request, filters: Query[s.DutyFilters]):
    return selectors.duty_shifts(_community(request.auth, filters.community, Perm.INCIDENT_VIEW))


@router.post(
    "/duty",
    response={201: s.DutyShiftOut, **WRITE_ERRORS},
    summary="Put a staff member of the community on the duty roster",
)
def duty_add(request, payload: s.DutyShiftIn):
    user = request.auth
    community = _community(user, payload.community, Perm.INCIDENT_PLANS)
    person = selectors.staff_member_of(community, payload.user)
    if person is None:
        raise NotFound(
            _("No such staff member in this community."), code=error_codes.NOT_FOUND, field="user"
        )
    shift = incidents.duty_shift_add(
        actor=user,
        community=community,
        user=person,
        starts_at=payload.starts_at,
        ends_at=payload.ends_at,
    )
    return Status(201, shift)


@router.delete(
    "/duty/{shift_id}",
    response={204: None, **WRITE_ERRORS},
    summary="Take a shift off the roster",
)
def duty_remove(request, shift_id: PathId):
    user = request.auth
    shift = get_scoped(DutyShift.objects.all(), user, shift_id, Perm.INCIDENT_PLANS)
    incidents.duty_shift_remove(actor=user, shift=shift)
    return Status(204, None)


# Activities, owner visits, greetings and warnings: a router of their own under the same prefix.
from propdesk.community.api_people import router as people_router  # noqa: E402

router.add_router("", people_router)
