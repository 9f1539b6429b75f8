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
from propdesk.api.schemas import READ_ERRORS, WRITE_ERRORS, PathId
from propdesk.core.errors import NotFound, ValidationFailed
from propdesk.core.permissions import Perm, require
from propdesk.estates import selectors as estate_selectors
from propdesk.tickets import clock, configuration, reports, selectors, services
from propdesk.tickets.models import (
    Category,
    Channel,
    OwnerCost,
    RequestPhoto,
    SlaPolicy,
    StandardPhrase,
)
from propdesk.tickets.models import Status as RequestStatus
from propdesk.tickets.schemas import (
    CallIn,
    CostDecisionIn,
    CostIn,
    CostOut,
    DashboardFilters,
    DashboardOut,
    DuplicateFilters,
    EventOut,
    FollowUpIn,
    LookupFilters,
    LookupHouseOut,
    NoteIn,
    PhraseFilters,
    PhraseIn,
    PhraseOut,
    PhrasePatch,
    PolicyOut,
    PolicyPatch,
    RequestCreatedOut,
    RequestDetailOut,
    RequestFilters,
    RequestIn,
    RequestOut,
    RequestPage,
    TaxonomyOut,
    TransitionIn,
    UnreachableIn,
    request_data,
    request_detail_data,
)

router = Router(tags=["requests"])


def _related(fetch, user, pk, field: str, **kwargs):
    if pk is None:
        return None
    try:
        return fetch(user, pk, **kwargs)
    except NotFound as exc:
        raise NotFound(_("No such record in your communities."), field=field) from exc


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
    house = _related(estate_selectors.house_for_user, user, filters.house, "house")
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
        _related(
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
        _related(
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
    community = _related(
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


@router.get("/policies", response={200: list[PolicyOut], **READ_ERRORS}, tags=["configuration"])
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
    "/policies/{policy_id}", response={200: PolicyOut, **WRITE_ERRORS}, tags=["configuration"]
)
def policy_update(request, policy_id: PathId, payload: PolicyPatch):
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


# --- requests ---------------------------------------------------------------------------------


@router.get("/", response={200: RequestPage, **READ_ERRORS}, summary="A queue, filtered, paged")
def request_list(request, filters: Query[RequestFilters]):
    user = request.auth
    require(user, Perm.REQUEST_VIEW)
    if filters.community is not None:
        _related(
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
    )
    return {
        "items": [request_data(item, page.now) for item in page.items],
        "next_cursor": page.next_cursor,
        "count": page.count,
        "count_capped": page.count_capped,
        "count_cap": selectors.COUNT_CAP,
    }


@router.post("/", response={201: RequestCreatedOut, **WRITE_ERRORS}, summary="Record a request")
def request_create(request, payload: RequestIn):
    user = request.auth
    require(user, Perm.REQUEST_CREATE)
    house = _related(
        estate_selectors.house_for_user, user, payload.house, "house", perm=Perm.REQUEST_CREATE
    )
    building = _related(
        estate_selectors.building_for_user,
        user,
        payload.building,
        "building",
        perm=Perm.REQUEST_CREATE,
    )
    caller_owner = _related(
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
    # requests of the same house and category: no re-read.
    return Status(201, {**request_data(created), "possible_duplicates": created.open_duplicates})


@router.get("/{request_id}", response={200: RequestDetailOut, **READ_ERRORS})
def request_detail(request, request_id: PathId):
    return _detail(request.auth, request_id)


def _department(code: str | None) -> Department | None:
    if not code:
        return None
    department = Department.objects.filter(code=code).first()
    if department is None:
        raise ValidationFailed(
            _("Unknown department."), code="unknown_department", field="department"
        )
    return department


def _assignee(pk: int | None) -> User | None:
    if pk is None:
        return None
    person = User.objects.filter(pk=pk).first()
    if person is None:
        raise ValidationFailed(_("No such person."), code="bad_assignee", field="assignee")
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
