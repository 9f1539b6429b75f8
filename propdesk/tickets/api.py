"""Service-request endpoints (mounted at /api/requests/): thin, access helper → schema → one
service or selector.

A request in the path is fetched through `request_for_user`, so another community's request is
a 404 and a role without the right is a 403 before anything is read or written. Records a body
refers to (`house`, `building`, `caller_owner`, `assignee`, `department`) are looked up the same
way, and a refusal names the field. Contact numbers leave masked.
"""

from django.http import FileResponse
from django.utils.translation import gettext as _
from ninja import File, Form, Query, Router, Status
from ninja.files import UploadedFile

from propdesk.accounts.models import Department, User
from propdesk.api.rendering import json_response
from propdesk.api.schemas import READ_ERRORS, WRITE_ERRORS, PathId
from propdesk.core.errors import NotFound, ValidationFailed, fetch_named_optional
from propdesk.core.permissions import Perm, require
from propdesk.estates import selectors as estate_selectors
from propdesk.tickets import clock, configuration, error_codes, reports, selectors, services
from propdesk.tickets.models import (
    Category,
    Channel,
    OwnerCost,
    RequestPhoto,
    RequestSolution,
    SlaPolicy,
    StandardPhrase,
)
from propdesk.tickets.models import Status as RequestStatus
from propdesk.tickets.schemas import (
    CalendarExceptionIn,
    CalendarExceptionOut,
    CallIn,
    ComplaintVerifyIn,
    CostDecisionIn,
    CostIn,
    CostOut,
    DashboardFilters,
    DashboardOut,
    DuplicateFilters,
    EventOut,
    FollowUpIn,
    FollowUpLinkOut,
    LookupFilters,
    LookupHouseOut,
    NoteIn,
    PhraseFilters,
    PhraseIn,
    PhraseOut,
    PhrasePatch,
    RequestCreatedOut,
    RequestDetailOut,
    RequestFilters,
    RequestIn,
    RequestOut,
    RequestPage,
    RequestSolutionDecisionIn,
    RequestSolutionIn,
    RequestSolutionOut,
    RoutingRuleIn,
    RoutingRuleOut,
    RoutingRulePatch,
    SlaPolicyOut,
    SlaPolicyPatch,
    TaxonomyKind,
    TaxonomyOut,
    TaxonomyRowIn,
    TaxonomyRowOut,
    TaxonomyRowPatch,
    TransitionIn,
    UnreachableIn,
    VisitWindowIn,
    WorkingHoursIn,
    WorkingHoursOut,
    request_data,
    request_detail_data,
    request_rows_data,
)
from propdesk.tickets.services import taxonomy as taxonomy_services

router = Router(tags=["requests"])


def _detail(user, request_id) -> dict:
    return request_detail_data(selectors.request_detail(user, request_id))


# --- taxonomy, lookup -------------------------------------------------------------------------


@router.get("/taxonomy", response={200: TaxonomyOut, **READ_ERRORS}, summary="Kinds, categories…")
def taxonomy(request):
    require(request.auth, Perm.REQUEST_VIEW)
    return {
        "kinds": list(configuration.active_kinds()),
        "categories": list(configuration.active_categories()),
        "urgencies": list(configuration.active_urgencies()),
        "channels": [{"value": v, "label": str(label)} for v, label in Channel.choices],
        "statuses": [{"value": v, "label": str(label)} for v, label in RequestStatus.choices],
        "queues": [{"value": v, "label": str(label)} for v, label in selectors.QUEUES.items()],
    }


@router.get(
    "/lookup",
    response={200: list[LookupHouseOut], **READ_ERRORS},
    summary="A caller's houses, open requests and 90 days of history, by mobile or house code",
)
def caller_lookup(request, filters: Query[LookupFilters]):
    require(request.auth, Perm.REGISTRY_VIEW)
    now = clock.now()
    return [
        {
            **house.__dict__,
            "open_requests": [request_data(r, now) for r in house.open_requests],
            "history": [request_data(r, now) for r in house.history],
        }
        for house in selectors.caller_lookup(request.auth, filters.q)
    ]


@router.get(
    "/duplicates",
    response={200: list[RequestOut], **READ_ERRORS},
    summary="Open requests of a house (and category): a likely duplicate of a new call",
)
def duplicates(request, filters: Query[DuplicateFilters]):
    user = request.auth
    require(user, Perm.REQUEST_VIEW)
    house = fetch_named_optional(estate_selectors.house_for_user, user, filters.house, "house")
    category_id = None
    if filters.category:
        category = Category.objects.filter(code=filters.category).first()
        if category is None:
            raise ValidationFailed(_("Unknown category."), field="category")
        category_id = category.id
    now = clock.now()
    return [
        request_data(r, now)
        for r in selectors.duplicates_for(user, house_id=house.id, category_id=category_id)
    ]


@router.get(
    "/dashboard",
    response={200: DashboardOut, **READ_ERRORS},
    summary="Supervisor figures of a month",
)
def dashboard(request, filters: Query[DashboardFilters]):
    user = request.auth
    require(user, Perm.REQUEST_REPORTS)
    if filters.community is not None:
        fetch_named_optional(
            estate_selectors.community_for_user,
            user,
            filters.community,
            "community",
            perm=Perm.REQUEST_REPORTS,
        )
    board = reports.dashboard(user, month=filters.month, community_id=filters.community)
    return {**board.__dict__, "repeat_rate": board.repeat_rate}


# --- configuration ----------------------------------------------------------------------------


@router.get("/phrases", response={200: list[PhraseOut], **READ_ERRORS}, tags=["configuration"])
def phrase_list(request, filters: Query[PhraseFilters]):
    user = request.auth
    require(user, Perm.REQUEST_VIEW)
    if filters.community is not None:
        fetch_named_optional(
            estate_selectors.community_for_user,
            user,
            filters.community,
            "community",
            perm=Perm.REQUEST_VIEW,
        )
    return list(configuration.phrases_for(filters.community))


@router.post("/phrases", response={201: PhraseOut, **WRITE_ERRORS}, tags=["configuration"])
def phrase_create(request, payload: PhraseIn):
    user = request.auth
    require(user, Perm.REQUEST_CONFIGURE)
    community = fetch_named_optional(
        estate_selectors.community_for_user,
        user,
        payload.community,
        "community",
        perm=Perm.REQUEST_CONFIGURE,
    )
    phrase = services.phrase_create(
        actor=user,
        community=community,
        purpose=payload.purpose,
        title=payload.title,
        text=payload.text,
        sort_order=payload.sort_order,
    )
    return Status(201, phrase)


def _phrase_for(user, phrase_id: int) -> StandardPhrase:
    from propdesk.core.permissions import community_ids, is_company_wide

    require(user, Perm.REQUEST_CONFIGURE)
    phrase = StandardPhrase.objects.filter(pk=phrase_id).first()
    if phrase is None or (
        phrase.community_id is not None and phrase.community_id not in community_ids(user)
    ):
        raise NotFound()
    if phrase.community_id is None and not is_company_wide(user):
        raise NotFound()
    return phrase


@router.patch(
    "/phrases/{phrase_id}", response={200: PhraseOut, **WRITE_ERRORS}, tags=["configuration"]
)
def phrase_update(request, phrase_id: PathId, payload: PhrasePatch):
    user = request.auth
    phrase = _phrase_for(user, phrase_id)
    values = payload.dict(exclude_unset=True, exclude_none=True)
    return services.phrase_update(actor=user, phrase=phrase, **values)


@router.get("/policies", response={200: list[SlaPolicyOut], **READ_ERRORS}, tags=["configuration"])
def policy_list(request):
    from propdesk.core.permissions import community_ids

    user = request.auth
    require(user, Perm.REQUEST_CONFIGURE)
    from django.db.models import Q

    return list(
        SlaPolicy.objects.filter(
            Q(community__isnull=True) | Q(community_id__in=community_ids(user))
        )
        .select_related("kind", "urgency", "category")
        .order_by("community_id", "kind_id", "urgency_id", "category_id")
    )


@router.patch(
    "/policies/{policy_id}", response={200: SlaPolicyOut, **WRITE_ERRORS}, tags=["configuration"]
)
def policy_update(request, policy_id: PathId, payload: SlaPolicyPatch):
    from propdesk.core.permissions import community_ids, is_company_wide

    user = request.auth
    require(user, Perm.REQUEST_CONFIGURE)
    policy = (
        SlaPolicy.objects.select_related("kind", "urgency", "category").filter(pk=policy_id).first()
    )
    visible = policy is not None and (
        policy.community_id in community_ids(user)
        if policy.community_id is not None
        else is_company_wide(user)
    )
    if not visible:
        raise NotFound()
    values = payload.dict(exclude_unset=True)
    return services.policy_update(actor=user, policy=policy, **values)


@router.post(
    "/taxonomy/{kind}",
    response={201: TaxonomyRowOut, **WRITE_ERRORS},
    tags=["configuration"],
    summary="Add a request kind, urgency or category (administrators)",
)
def taxonomy_row_create(request, kind: TaxonomyKind, payload: TaxonomyRowIn):
    values = payload.dict()
    code = values.pop("code")
    row = taxonomy_services.taxonomy_create(actor=request.auth, kind=kind, code=code, **values)
    return Status(201, row)


@router.patch(
    "/taxonomy/{kind}/{row_id}",
    response={200: TaxonomyRowOut, **WRITE_ERRORS},
    tags=["configuration"],
    summary="Change a kind, urgency or category; is_active false stops offering it",
)
def taxonomy_row_update(request, kind: TaxonomyKind, row_id: PathId, payload: TaxonomyRowPatch):
    row = selectors.taxonomy_row(request.auth, taxonomy_services.TAXONOMY[kind], row_id)
    values = payload.dict(exclude_unset=True, exclude_none=True)
    return taxonomy_services.taxonomy_update(actor=request.auth, row=row, **values)


def _named(model, code: str, field: str):
    row = model.objects.filter(code=code).first()
    if row is None:
        raise NotFound(_("Choose one of the listed values."), field=field)
    return row


def _configured_community(user, community_id):
    return fetch_named_optional(
        estate_selectors.community_for_user,
        user,
        community_id,
        "community",
        perm=Perm.REQUEST_CONFIGURE,
    )


@router.get(
    "/routing",
    response={200: list[RoutingRuleOut], **READ_ERRORS},
    tags=["configuration"],
    summary="Routing rules of your communities and the company's",
)
def routing_rule_list(request):
    return list(selectors.routing_rules_for(request.auth)[:1000])


@router.post(
    "/routing",
    response={201: RoutingRuleOut, **WRITE_ERRORS},
    tags=["configuration"],
    summary="Send a category's requests to a department",
)
def routing_rule_create(request, payload: RoutingRuleIn):
    user = request.auth
    require(user, Perm.REQUEST_CONFIGURE)
    rule = taxonomy_services.routing_rule_create(
        actor=user,
        community=_configured_community(user, payload.community),
        category=_named(Category, payload.category, "category"),
        department=_named(Department, payload.department, "department"),
        is_lead=payload.is_lead,
    )
    return Status(201, rule)


@router.patch(
    "/routing/{rule_id}",
    response={200: RoutingRuleOut, **WRITE_ERRORS},
    tags=["configuration"],
    summary="Change a routing rule's department or lead",
)
def routing_rule_update(request, rule_id: PathId, payload: RoutingRulePatch):
    rule = selectors.routing_rule_for(request.auth, rule_id)
    department = (
        _named(Department, payload.department, "department") if payload.department else None
    )
    return taxonomy_services.routing_rule_update(
        actor=request.auth, rule=rule, department=department, is_lead=payload.is_lead
    )


@router.delete(
    "/routing/{rule_id}",
    response={204: None, **WRITE_ERRORS},
    tags=["configuration"],
    summary="Remove a routing rule (kept in the history)",
)
def routing_rule_delete(request, rule_id: PathId):
    rule = selectors.routing_rule_for(request.auth, rule_id)
    taxonomy_services.routing_rule_delete(actor=request.auth, rule=rule)
    return Status(204, None)


@router.get(
    "/calendar/hours",
    response={200: list[WorkingHoursOut], **READ_ERRORS},
    tags=["configuration"],
    summary="Working hours: the company default and your communities' own",
)
def working_hours_list(request):
    return list(selectors.working_hours_for(request.auth))


@router.put(
    "/calendar/hours",
    response={200: WorkingHoursOut, **WRITE_ERRORS},
    tags=["configuration"],
    summary="Set a community's working hours (no community: the company default)",
)
def working_hours_put(request, payload: WorkingHoursIn):
    user = request.auth
    require(user, Perm.REQUEST_CONFIGURE)
    return taxonomy_services.working_hours_set(
        actor=user,
        community=_configured_community(user, payload.community),
        opens_at=payload.opens_at,
        closes_at=payload.closes_at,
    )


@router.get(
    "/calendar/exceptions",
    response={200: list[CalendarExceptionOut], **READ_ERRORS},
    tags=["configuration"],
    summary="Dates that differ from the statutory calendar or the usual hours",
)
def calendar_exception_list(request):
    return list(selectors.calendar_overrides_for(request.auth)[:1000])


@router.post(
    "/calendar/exceptions",
    response={201: CalendarExceptionOut, **WRITE_ERRORS},
    tags=["configuration"],
    summary="Add a day off or a working day with its own hours",
)
def calendar_exception_create(request, payload: CalendarExceptionIn):
    user = request.auth
    require(user, Perm.REQUEST_CONFIGURE)
    row = taxonomy_services.calendar_override_create(
        actor=user,
        community=_configured_community(user, payload.community),
        date=payload.date,
        is_working=payload.is_working,
        opens_at=payload.opens_at,
        closes_at=payload.closes_at,
        note=payload.note,
    )
    return Status(201, row)


@router.delete(
    "/calendar/exceptions/{exception_id}",
    response={204: None, **WRITE_ERRORS},
    tags=["configuration"],
    summary="Remove a calendar exception (kept in the history)",
)
def calendar_exception_delete(request, exception_id: PathId):
    row = selectors.calendar_override_for(request.auth, exception_id)
    taxonomy_services.calendar_override_delete(actor=request.auth, override=row)
    return Status(204, None)


# --- requests ---------------------------------------------------------------------------------


@router.get("/", response={200: RequestPage, **READ_ERRORS}, summary="A queue, filtered, paged")
def request_list(request, filters: Query[RequestFilters]):
    user = request.auth
    require(user, Perm.REQUEST_VIEW)
    if filters.community is not None:
        fetch_named_optional(
            estate_selectors.community_for_user,
            user,
            filters.community,
            "community",
            perm=Perm.REQUEST_VIEW,
        )
    page = selectors.request_queue(
        user,
        filters.queue,
        selectors.QueueFilters(
            community_id=filters.community,
            building_id=filters.building,
            kind=filters.kind or "",
            category=filters.category or "",
            status=filters.status or "",
            date_from=filters.date_from,
            date_to=filters.date_to,
            q=filters.q,
        ),
        cursor=filters.cursor or None,
        limit=filters.limit,
        as_values=True,
    )
    # RequestPage's fields built from the rows' plain values and written as JSON without
    # validating or modelling them again: for 25 rows either cost more than the page's queries.
    return json_response(
        {
            "items": request_rows_data(page.items, page.now),
            "next_cursor": page.next_cursor,
            "count": page.count,
            "count_capped": page.count_capped,
            "count_cap": selectors.COUNT_CAP,
        }
    )


@router.post("/", response={201: RequestCreatedOut, **WRITE_ERRORS}, summary="Record a request")
def request_create(request, payload: RequestIn):
    user = request.auth
    require(user, Perm.REQUEST_CREATE)
    house = fetch_named_optional(
        estate_selectors.house_brief_for_user,
        user,
        payload.house,
        "house",
        perm=Perm.REQUEST_CREATE,
    )
    building = fetch_named_optional(
        estate_selectors.building_for_user,
        user,
        payload.building,
        "building",
        perm=Perm.REQUEST_CREATE,
    )
    caller_owner = fetch_named_optional(
        estate_selectors.owner_for_user, user, payload.caller_owner, "caller_owner"
    )
    created = services.request_create(
        actor=user,
        house=house,
        building=building,
        location=payload.location,
        kind=payload.kind,
        category=payload.category,
        urgency=payload.urgency,
        channel=payload.channel,
        description=payload.description,
        caller_owner=caller_owner,
        caller_name=payload.caller_name,
        caller_mobile=payload.caller_mobile,
        preferred_visit_at=payload.preferred_visit_at,
    )
    # The service's object already carries its house, taxonomy rows, department and the open
    # requests of the same house and category: no re-read. Built from the request's own values
    # without validating them again, as the queue's rows are: ninja only serialises it.
    return Status(
        201,
        RequestCreatedOut.model_construct(
            **request_data(created), possible_duplicates=list(created.open_duplicates)
        ),
    )


@router.get("/{request_id}", response={200: RequestDetailOut, **READ_ERRORS})
def request_detail(request, request_id: PathId):
    return _detail(request.auth, request_id)


def _department(code: str | None) -> Department | None:
    if not code:
        return None
    department = Department.objects.filter(code=code).first()
    if department is None:
        raise ValidationFailed(
            _("Unknown department."), code=error_codes.UNKNOWN_DEPARTMENT, field="department"
        )
    return department


def _assignee(pk: int | None) -> User | None:
    if pk is None:
        return None
    person = User.objects.filter(pk=pk).first()
    if person is None:
        raise ValidationFailed(
            _("No such person."), code=error_codes.BAD_ASSIGNEE, field="assignee"
        )
    return person


@router.post(
    "/{request_id}/transitions",
    response={200: RequestDetailOut, **WRITE_ERRORS},
    summary="Take a step of the lifecycle (accept, dispatch, start, wait, resume, resolve, …)",
)
def request_transition(request, request_id: PathId, payload: TransitionIn):
    user = request.auth
    target = selectors.request_for_user(user, request_id)
    details = {}
    if payload.action in ("dispatch", "reassign"):
        details = {
            "department": _department(payload.department),
            "assignee": _assignee(payload.assignee),
            "round_robin": payload.round_robin,
        }
    services.request_transition(
        actor=user, request=target, action=payload.action, note=payload.note, **details
    )
    return _detail(user, request_id)


@router.post("/{request_id}/follow-up", response={200: RequestDetailOut, **WRITE_ERRORS})
def follow_up_record(request, request_id: PathId, payload: FollowUpIn):
    user = request.auth
    target = selectors.request_for_user(user, request_id)
    services.follow_up_record(
        actor=user,
        request=target,
        satisfaction=payload.satisfaction,
        comment=payload.comment,
        via=payload.via,
    )
    return _detail(user, request_id)


@router.post(
    "/{request_id}/follow-up/unreachable", response={200: RequestDetailOut, **WRITE_ERRORS}
)
def follow_up_unreachable(request, request_id: PathId, payload: UnreachableIn):
    user = request.auth
    target = selectors.request_for_user(user, request_id)
    services.follow_up_unreachable(actor=user, request=target, note=payload.note)
    return _detail(user, request_id)


@router.post("/{request_id}/notes", response={201: EventOut, **WRITE_ERRORS})
def note_add(request, request_id: PathId, payload: NoteIn):
    user = request.auth
    target = selectors.request_for_user(user, request_id)
    services.note_add(actor=user, request=target, text=payload.text)
    return Status(201, target.events.order_by("-id").first())


@router.post("/{request_id}/calls", response={201: EventOut, **WRITE_ERRORS})
def call_link(request, request_id: PathId, payload: CallIn):
    user = request.auth
    target = selectors.request_for_user(user, request_id)
    event = services.request_link_call(
        actor=user, request=target, note=payload.note, caller_name=payload.caller_name
    )
    return Status(201, event)


@router.post("/{request_id}/photos", response={201: EventOut, **WRITE_ERRORS})
def photo_add(request, request_id: PathId, photos: File[list[UploadedFile]], note: Form[str] = ""):
    user = request.auth
    target = selectors.request_for_user(user, request_id)
    event = services.photo_add(actor=user, request=target, photos=photos, note=note)
    event.photo_list = list(event.photos.order_by("id"))
    return Status(201, event)


@router.get(
    "/{request_id}/photos/{photo_id}",
    response={200: None, **READ_ERRORS},
    openapi_extra={
        "responses": {
            200: {
                "description": "The photo",
                "content": {"image/*": {"schema": {"type": "string", "format": "binary"}}},
            }
        }
    },
)
def photo_download(request, request_id: PathId, photo_id: PathId):
    target = selectors.request_for_user(request.auth, request_id)
    photo = RequestPhoto.objects.filter(request=target, pk=photo_id).first()
    if photo is None:
        raise NotFound()
    return FileResponse(photo.file.open("rb"), content_type=photo.content_type)


@router.post("/{request_id}/costs", response={201: CostOut, **WRITE_ERRORS})
def cost_propose(request, request_id: PathId, payload: CostIn):
    user = request.auth
    target = selectors.request_for_user(user, request_id)
    cost = services.cost_propose(
        actor=user, request=target, item=payload.item, amount=payload.amount, payer=payload.payer
    )
    return Status(201, cost)


@router.post("/{request_id}/costs/{cost_id}/decision", response={200: CostOut, **WRITE_ERRORS})
def cost_decide(request, request_id: PathId, cost_id: PathId, payload: CostDecisionIn):
    user = request.auth
    target = selectors.request_for_user(user, request_id)
    cost = OwnerCost.objects.filter(request=target, pk=cost_id).select_related("request").first()
    if cost is None:
        raise NotFound(field="cost")
    return services.cost_decide(
        actor=user, cost=cost, confirmed=payload.confirmed, via=payload.via, note=payload.note
    )


# --- the complaint procedure --------------------------------------------------------------------


@router.post(
    "/{request_id}/verify",
    response={200: RequestDetailOut, **WRITE_ERRORS},
    summary="Verify a complaint before passing it on (初步核实), optionally as a simple one",
)
def complaint_verify(request, request_id: PathId, payload: ComplaintVerifyIn):
    user = request.auth
    target = selectors.request_for_user(user, request_id)
    services.complaint_verify(actor=user, request=target, note=payload.note, simple=payload.simple)
    return _detail(user, request_id)


@router.post(
    "/{request_id}/solutions",
    response={201: RequestSolutionOut, **WRITE_ERRORS},
    summary="Propose a solution to the owner; the work starts once they agree",
)
def solution_propose(request, request_id: PathId, payload: RequestSolutionIn):
    user = request.auth
    target = selectors.request_for_user(user, request_id)
    return Status(201, services.solution_propose(actor=user, request=target, text=payload.text))


@router.post(
    "/{request_id}/solutions/{solution_id}/decision",
    response={200: RequestSolutionOut, **WRITE_ERRORS},
    summary="Record the owner's answer to a proposed solution",
)
def solution_decide(
    request, request_id: PathId, solution_id: PathId, payload: RequestSolutionDecisionIn
):
    user = request.auth
    target = selectors.request_for_user(user, request_id)
    solution = RequestSolution.objects.filter(request=target, pk=solution_id).first()
    if solution is None:
        raise NotFound(field="solution")
    return services.solution_decide(
        actor=user, solution=solution, agreed=payload.agreed, via=payload.via, note=payload.note
    )


@router.post(
    "/{request_id}/follow-up/sms",
    response={201: FollowUpLinkOut, **WRITE_ERRORS},
    summary="Send the follow-up by SMS: a single-use link the owner answers on the portal",
)
def follow_up_sms(request, request_id: PathId):
    user = request.auth
    target = selectors.request_for_user(user, request_id)
    link = services.follow_up_link_send(
        actor=user, request=target, base_url=request.build_absolute_uri("/")
    )
    return Status(201, link)


@router.post(
    "/{request_id}/visit",
    response={200: RequestDetailOut, **WRITE_ERRORS},
    summary="Promise the owner a visit window (e.g. tomorrow 09:00–11:00)",
)
def visit_window_set(request, request_id: PathId, payload: VisitWindowIn):
    user = request.auth
    target = selectors.request_for_user(user, request_id)
    services.visit_window_set(
        actor=user,
        request=target,
        visit_from=payload.visit_from,
        visit_until=payload.visit_until,
        note=payload.note,
    )
    return _detail(user, request_id)
