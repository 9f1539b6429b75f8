"""Reads of the registry for pages, the API and exports, always scoped to who asks."""

import re
from dataclasses import dataclass, field

from django.db.models import Count, Prefetch, Q, QuerySet

from propdesk.core.masking import mask_mobile
from propdesk.core.models import AccessLog, AuditEvent
from propdesk.core.permissions import Perm, community_ids, get_scoped, require, scope
from propdesk.estates.models import (
    ArchiveDocument,
    Building,
    Community,
    EntrustedAgent,
    House,
    Owner,
    Ownership,
    ParkingSpace,
    Resident,
    Vehicle,
)

SEARCH_LIMIT = 20
HOUSE_CODE_RE = re.compile(r"^[0-9A-Za-z]{1,20}(-[0-9A-Za-z]{0,20}){1,2}$")
PLATE_START_RE = re.compile(r"^[京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼]")
CJK_RE = re.compile(r"^[\u3400-\u9fff·]+$")


def communities_visible_to(user) -> QuerySet[Community]:
    return scope(Community.objects.all(), user, field="id").order_by("code")


def community_for_user(user, community_id, perm: Perm = Perm.REGISTRY_VIEW) -> Community:
    return get_scoped(Community.objects.all(), user, community_id, perm, field="id")


def buildings_visible_to(user) -> QuerySet[Building]:
    return scope(Building.objects.select_related("community"), user)


def building_for_user(user, building_id, perm: Perm = Perm.REGISTRY_VIEW) -> Building:
    return get_scoped(Building.objects.select_related("community"), user, building_id, perm)


def house_for_user(user, house_id, perm: Perm = Perm.REGISTRY_VIEW) -> House:
    return get_scoped(
        House.objects.select_related("community", "building", "unit"), user, house_id, perm
    )


def owner_for_user(user, owner_id, perm: Perm = Perm.REGISTRY_VIEW) -> Owner:
    return get_scoped(Owner.objects.select_related("community"), user, owner_id, perm)


def resident_for_user(user, resident_id, perm: Perm = Perm.REGISTRY_VIEW) -> Resident:
    return get_scoped(Resident.objects.all(), user, resident_id, perm)


def agent_for_user(user, agent_id, perm: Perm = Perm.REGISTRY_VIEW) -> EntrustedAgent:
    return get_scoped(EntrustedAgent.objects.all(), user, agent_id, perm)


def vehicle_for_user(user, vehicle_id, perm: Perm = Perm.REGISTRY_VIEW) -> Vehicle:
    return get_scoped(Vehicle.objects.all(), user, vehicle_id, perm)


def document_for_user(user, document_id) -> ArchiveDocument:
    return get_scoped(ArchiveDocument.objects.all(), user, document_id, Perm.ARCHIVE_VIEW)


def parking_space_for_user(user, space_id, perm: Perm = Perm.REGISTRY_VIEW) -> ParkingSpace:
    return get_scoped(ParkingSpace.objects.all(), user, space_id, perm)


def _current_owner_prefetch() -> Prefetch:
    return Prefetch(
        "ownerships",
        queryset=Ownership.objects.filter(end_on__isnull=True).select_related("owner"),
        to_attr="current_ownerships",
    )


def house_list(
    user,
    *,
    community_id: int | None = None,
    building_id: int | None = None,
    status: str = "",
    kind: str = "",
    q: str = "",
) -> QuerySet[House]:
    houses = scope(House.objects.all(), user)
    if community_id:
        houses = houses.filter(community_id=community_id)
    if building_id:
        houses = houses.filter(building_id=building_id)
    if status:
        houses = houses.filter(status=status)
    if kind:
        houses = houses.filter(kind=kind)
    q = (q or "").strip()
    if q:
        houses = houses.filter(code__startswith=q.upper())
    return (
        houses.select_related("community")
        .prefetch_related(_current_owner_prefetch())
        .order_by("community_id", "code")
    )


def owner_list(user, *, community_id: int | None = None, q: str = "") -> QuerySet[Owner]:
    owners = scope(Owner.objects.all(), user)
    if community_id:
        owners = owners.filter(community_id=community_id)
    q = (q or "").strip()
    if q:
        key = q.lower()
        if key.isascii() and key.isalpha():
            owners = owners.filter(
                Q(name_initials__startswith=key) | Q(name_pinyin__startswith=key)
            )
        elif q.isdigit() and len(q) == 4:
            owners = owners.filter(mobile_tail=q)
        elif q.isdigit() and len(q) == 11:
            owners = owners.filter(mobile=q)
        else:
            owners = owners.filter(name__startswith=q)
    return (
        owners.select_related("community")
        .annotate(house_count=Count("ownerships", filter=Q(ownerships__end_on__isnull=True)))
        .order_by("community_id", "name_pinyin", "id")
    )


def house_detail(user, house_id) -> House:
    """A house with everything its page shows, in a fixed number of queries."""
    house = house_for_user(user, house_id)
    house.all_ownerships = list(
        Ownership.objects.filter(house=house).select_related("owner").order_by("-start_on", "id")
    )
    house.current_ownerships = [o for o in house.all_ownerships if o.end_on is None]
    house.past_ownerships = [o for o in house.all_ownerships if o.end_on is not None]
    house.resident_list = list(Resident.objects.filter(house=house).order_by("moved_out_on", "id"))
    house.agent_list = list(
        EntrustedAgent.objects.filter(house=house).select_related("owner", "power_of_attorney")
    )
    house.vehicle_list = list(Vehicle.objects.filter(house=house).order_by("removed_on", "id"))
    house.parking_list = list(ParkingSpace.objects.filter(house=house).select_related("holder"))
    house.status_history = list(house.status_changes.select_related("changed_by").order_by("-id"))
    if has_archive := _can(user, Perm.ARCHIVE_VIEW):
        house.document_list = list(house.documents.select_related("uploaded_by"))
    else:
        house.document_list = []
    house.can_see_documents = has_archive
    house.timeline = list(
        AuditEvent.objects.filter(house_id=house.id)
        .select_related("actor")
        .order_by("-at", "-id")[:100]
    )
    return house


def owner_detail(user, owner_id) -> Owner:
    owner = owner_for_user(user, owner_id)
    owner.ownership_list = list(
        owner.ownerships.select_related("house").order_by("end_on", "-start_on")
    )
    owner.vehicle_list = list(owner.vehicles.select_related("house"))
    owner.parking_list = list(owner.parking_spaces.all())
    owner.agent_list = list(owner.agents.select_related("house"))
    owner.document_list = (
        list(owner.documents.select_related("uploaded_by")) if _can(user, Perm.ARCHIVE_VIEW) else []
    )
    owner.timeline = list(
        AuditEvent.objects.filter(owner_id=owner.id)
        .select_related("actor")
        .order_by("-at", "-id")[:100]
    )
    return owner


def _can(user, perm: Perm) -> bool:
    from propdesk.core.permissions import has_perm

    return has_perm(user, perm)


def access_log(user, *, community_id: int | None = None) -> QuerySet[AccessLog]:
    require(user, Perm.ACCESS_LOG_VIEW)
    entries = AccessLog.objects.filter(community_id__in=community_ids(user))
    if community_id:
        entries = entries.filter(community_id=community_id)
    return entries.select_related("actor").order_by("-at", "-id")


# --- search ---------------------------------------------------------------------------------


@dataclass
class SearchHit:
    """One row of the front-desk search: a house and who matched in it."""

    match: str  # house | owner | resident | vehicle
    label: str
    community_name: str
    house_id: int | None = None
    house_code: str = ""
    owner_id: int | None = None
    person_name: str = ""
    mobile_masked: str = ""
    extra: dict = field(default_factory=dict)


def classify_query(q: str) -> str:
    q = q.strip()
    if not q:
        return "empty"
    if HOUSE_CODE_RE.match(q):
        return "house_code"
    if q.isdigit():
        if len(q) == 4:
            return "mobile_tail_or_room"
        if len(q) == 11:
            return "mobile"
        return "room"
    if PLATE_START_RE.match(q) and len(q) >= 2 and not CJK_RE.match(q):
        return "plate"
    if q.isascii() and q.replace(" ", "").isalpha():
        return "pinyin"
    return "name"


def registry_search(user, q: str, *, limit: int = SEARCH_LIMIT) -> list[SearchHit]:
    """Find houses and people by what a caller says: `3-2-1502`, 张三, `zs`, `5678`, 粤B12345."""
    require(user, Perm.REGISTRY_VIEW)
    q = (q or "").strip()[:40]
    kind = classify_query(q)
    ids = community_ids(user)
    if kind == "empty" or not ids:
        return []
    names = dict(Community.objects.filter(id__in=ids).values_list("id", "name"))
    hits: list[SearchHit] = []
    if kind == "house_code":
        houses = House.objects.filter(community_id__in=ids, code__startswith=q.upper())
        hits += _house_hits(houses.order_by("code")[:limit], names)
    elif kind in {"mobile_tail_or_room", "room"}:
        houses = House.objects.filter(community_id__in=ids, number=q.upper())
        hits += _house_hits(houses.order_by("code")[:limit], names)
        if kind == "mobile_tail_or_room":
            hits += _owner_hits(
                Owner.objects.filter(community_id__in=ids, mobile_tail=q), names, limit
            )
            hits += _resident_hits(
                Resident.objects.filter(community_id__in=ids, mobile_tail=q), names, limit
            )
    elif kind == "mobile":
        hits += _owner_hits(Owner.objects.filter(community_id__in=ids, mobile=q), names, limit)
        hits += _resident_hits(
            Resident.objects.filter(community_id__in=ids, mobile=q), names, limit
        )
    elif kind == "plate":
        plate = q.upper().replace(" ", "").replace("·", "")
        vehicles = Vehicle.objects.filter(
            community_id__in=ids, plate__startswith=plate, removed_on__isnull=True
        ).select_related("house", "owner")[:limit]
        hits += [
            SearchHit(
                match="vehicle",
                label=v.plate,
                community_name=names[v.community_id],
                house_id=v.house_id,
                house_code=v.house.code,
                owner_id=v.owner_id,
                person_name=v.owner.name if v.owner else "",
            )
            for v in vehicles
        ]
    elif kind == "pinyin":
        key = q.lower().replace(" ", "")
        field_name = "name_initials" if len(key) <= 4 else "name_pinyin"
        owners = Owner.objects.filter(community_id__in=ids, **{f"{field_name}__startswith": key})
        hits += _owner_hits(owners, names, limit)
        if len(hits) < limit:
            residents = Resident.objects.filter(
                community_id__in=ids, name_initials__startswith=key, moved_out_on__isnull=True
            )
            hits += _resident_hits(residents, names, limit - len(hits))
    else:
        hits += _owner_hits(
            Owner.objects.filter(community_id__in=ids, name__startswith=q), names, limit
        )
        if len(hits) < limit:
            residents = Resident.objects.filter(
                community_id__in=ids, name__startswith=q, moved_out_on__isnull=True
            )
            hits += _resident_hits(residents, names, limit - len(hits))
    return hits[:limit]


def _house_hits(houses, names) -> list[SearchHit]:
    houses = list(houses)
    owners_by_house: dict[int, Ownership] = {}
    for ownership in (
        Ownership.objects.filter(house_id__in=[h.id for h in houses], end_on__isnull=True)
        .select_related("owner")
        .order_by("-is_primary", "id")
    ):
        owners_by_house.setdefault(ownership.house_id, ownership)
    hits = []
    for house in houses:
        ownership = owners_by_house.get(house.id)
        hits.append(
            SearchHit(
                match="house",
                label=house.code,
                community_name=names[house.community_id],
                house_id=house.id,
                house_code=house.code,
                owner_id=ownership.owner_id if ownership else None,
                person_name=ownership.owner.name if ownership else "",
                mobile_masked=mask_mobile(ownership.owner.mobile) if ownership else "",
                extra={"status": house.get_status_display(), "area_m2": str(house.area_m2)},
            )
        )
    return hits


def _owner_hits(owners, names, limit) -> list[SearchHit]:
    owners = list(owners.order_by("name_pinyin", "id")[:limit])
    houses_by_owner: dict[int, list[Ownership]] = {}
    for ownership in Ownership.objects.filter(
        owner_id__in=[o.id for o in owners], end_on__isnull=True
    ).select_related("house"):
        houses_by_owner.setdefault(ownership.owner_id, []).append(ownership)
    return [
        SearchHit(
            match="owner",
            label=owner.name,
            community_name=names[owner.community_id],
            house_id=ownership.house_id if ownership else None,
            house_code=ownership.house.code if ownership else "",
            owner_id=owner.id,
            person_name=owner.name,
            mobile_masked=mask_mobile(owner.mobile),
        )
        for owner in owners
        for ownership in houses_by_owner.get(owner.id) or [None]
    ]


def _resident_hits(residents, names, limit) -> list[SearchHit]:
    return [
        SearchHit(
            match="resident",
            label=resident.name,
            community_name=names[resident.community_id],
            house_id=resident.house_id,
            house_code=resident.house.code,
            person_name=resident.name,
            mobile_masked=mask_mobile(resident.mobile),
            extra={"relation": resident.get_relation_display()},
        )
        for resident in residents.select_related("house").order_by("id")[:limit]
    ]
