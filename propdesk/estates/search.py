"""Front-desk search: find a house or a person from what a caller says (DOMAIN.md §1).

`3-2-1502` (building-unit-room), 张三 (name), `zs`/`zhangsan` (pinyin initials or full), `5678`
(last four digits of a mobile, or a room number), `13812345678`, 粤B12345 (plate). Every lookup is
an indexed equality or prefix match on a column whose index starts with `community_id`, so the
answer stays fast at a million houses.

A company-wide user searches every community at once, and a prefix such as `zs` then matches
thousands of owners that must be sorted before the first 20 are known. The ids of those 20 are
therefore picked from an index that also holds the sort key (`_first`), and only their rows are
loaded: sorting ten thousand index entries takes milliseconds, fetching ten thousand rows to sort
them does not. Such a user's scope is given to the database as a subquery over the communities,
which both databases turn into one index probe per community, as they do with a list of ids
(bench/README.md has the figures).
"""

import re
from dataclasses import dataclass, field

from propdesk.core.masking import mask_mobile, mask_plate
from propdesk.core.permissions import Perm, community_ids, is_company_wide, require
from propdesk.estates.models import Community, House, Owner, Ownership, Resident, Vehicle

SEARCH_LIMIT = 20
HOUSE_CODE_RE = re.compile(r"^[0-9A-Za-z]{1,20}(-[0-9A-Za-z]{0,20}){1,2}$")
PLATE_START_RE = re.compile(r"^[京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼]")
CJK_RE = re.compile(r"^[\u3400-\u9fff·]+$")


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
    if kind == "empty" or not community_ids(user):
        return []
    ids = _community_scope(user)
    hits: list[SearchHit] = []
    if kind == "house_code":
        houses = House.objects.filter(community_id__in=ids, code__startswith=q.upper())
        hits += _house_hits(houses, limit)
    elif kind in {"mobile_tail_or_room", "room"}:
        houses = House.objects.filter(community_id__in=ids, number=q.upper())
        hits += _house_hits(houses, limit)
        if kind == "mobile_tail_or_room" and len(hits) < limit:
            owners = Owner.objects.filter(community_id__in=ids, mobile_tail=q)
            hits += _owner_hits(owners, limit - len(hits))
        if kind == "mobile_tail_or_room" and len(hits) < limit:
            residents = Resident.objects.filter(community_id__in=ids, mobile_tail=q)
            hits += _resident_hits(residents, limit - len(hits))
    elif kind == "mobile":
        hits += _owner_hits(Owner.objects.filter(community_id__in=ids, mobile=q), limit)
        if len(hits) < limit:
            # Residents have no index on the whole number: the tail index narrows it first.
            residents = Resident.objects.filter(community_id__in=ids, mobile_tail=q[-4:], mobile=q)
            hits += _resident_hits(residents, limit - len(hits))
    elif kind == "plate":
        plate = q.upper().replace(" ", "").replace("·", "")
        # Sorted by plate: an order no index provides, so the planner cannot walk another index
        # in order hoping to meet 20 matching plates early (and read every car when it does not).
        vehicles = (
            Vehicle.objects.filter(
                community_id__in=ids, plate__startswith=plate, removed_on__isnull=True
            )
            .select_related("community", "house", "owner")
            .order_by("plate", "id")[:limit]
        )
        hits += [
            SearchHit(
                match="vehicle",
                label=mask_plate(v.plate),
                community_name=v.community.name,
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
        by_key = {f"{field_name}__startswith": key}
        hits += _owner_hits(Owner.objects.filter(community_id__in=ids, **by_key), limit)
        if len(hits) < limit:
            residents = Resident.objects.filter(
                community_id__in=ids, moved_out_on__isnull=True, **by_key
            )
            hits += _resident_hits(residents, limit - len(hits))
    else:
        hits += _owner_hits(Owner.objects.filter(community_id__in=ids, name__startswith=q), limit)
        if len(hits) < limit:
            residents = Resident.objects.filter(
                community_id__in=ids, name__startswith=q, moved_out_on__isnull=True
            )
            hits += _resident_hits(residents, limit - len(hits))
    return hits[:limit]


def _community_scope(user):
    """What `community_id__in` compares with: the user's community ids, or for a company-wide
    user every community as a subquery rather than a list of hundreds of ids to send and plan."""
    if is_company_wide(user):
        return Community.objects.values("id")
    return community_ids(user)


def _first(queryset, order: tuple[str, ...], limit: int):
    """The first `limit` rows of `queryset` in `order`, chosen by id before any row is loaded.

    The ids come from an index holding the filter columns and the sort key, so the database sorts
    index entries, not rows; the outer query then loads `limit` rows by primary key.
    """
    first_ids = queryset.order_by(*order).values("id")[:limit]
    return queryset.model.objects.filter(id__in=first_ids).order_by(*order)


def _house_hits(houses, limit) -> list[SearchHit]:
    houses = list(_first(houses, ("code", "id"), limit).select_related("community"))
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
                community_name=house.community.name,
                house_id=house.id,
                house_code=house.code,
                owner_id=ownership.owner_id if ownership else None,
                person_name=ownership.owner.name if ownership else "",
                mobile_masked=mask_mobile(ownership.owner.mobile) if ownership else "",
                extra={"status": house.get_status_display(), "area_m2": str(house.area_m2)},
            )
        )
    return hits


def _owner_hits(owners, limit) -> list[SearchHit]:
    owners = list(_first(owners, ("name_pinyin", "id"), limit).select_related("community"))
    houses_by_owner: dict[int, list[Ownership]] = {}
    for ownership in Ownership.objects.filter(
        owner_id__in=[o.id for o in owners], end_on__isnull=True
    ).select_related("house"):
        houses_by_owner.setdefault(ownership.owner_id, []).append(ownership)
    return [
        SearchHit(
            match="owner",
            label=owner.name,
            community_name=owner.community.name,
            house_id=ownership.house_id if ownership else None,
            house_code=ownership.house.code if ownership else "",
            owner_id=owner.id,
            person_name=owner.name,
            mobile_masked=mask_mobile(owner.mobile),
        )
        for owner in owners
        for ownership in houses_by_owner.get(owner.id) or [None]
    ]


def _resident_hits(residents, limit) -> list[SearchHit]:
    return [
        SearchHit(
            match="resident",
            label=resident.name,
            community_name=resident.community.name,
            house_id=resident.house_id,
            house_code=resident.house.code,
            person_name=resident.name,
            mobile_masked=mask_mobile(resident.mobile),
            extra={"relation": resident.get_relation_display()},
        )
        for resident in residents.select_related("community", "house").order_by("id")[:limit]
    ]
