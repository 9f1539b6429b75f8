"""Reads of the registry for pages, the API and exports, always scoped to who asks."""

from dataclasses import dataclass

from django.db import connection
from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils import timezone

from propdesk.core.errors import NotFound
from propdesk.core.models import AccessLog, AuditEvent
from propdesk.core.permissions import (
    Perm,
    communities_for,
    community_ids,
    get_scoped,
    has_perm,
    in_scope,
    is_owner_account,
    require,
    scope,
)
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


def communities_visible_to(user) -> QuerySet[Community]:
    return communities_for(user, Perm.REGISTRY_VIEW)


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


def house_brief_for_user(user, house_id, perm: Perm = Perm.REGISTRY_VIEW) -> House:
    """The house as `house_for_user` scopes it (403 without `perm`, 404 outside the user's
    communities), with its code, building, unit and community (code and name) read by one
    statement built once: intake reads a house on every create (issue 20), and the ORM spent
    more CPU building the three-join query than the database answering it. Its other fields
    and relations load on first use."""
    require(user, perm)
    try:
        pk = int(house_id)
    except (TypeError, ValueError) as exc:
        raise NotFound() from exc
    if not 1 <= pk < 2**63:
        raise NotFound()
    sql, house_fields, community_fields = _house_brief_statement()
    with connection.cursor() as cursor:
        cursor.execute(sql, [pk])
        row = cursor.fetchone()
    if row is None or not in_scope(user, perm, row[house_fields.index("community_id")]):
        raise NotFound()
    house = House.from_db(connection.alias, house_fields, row[: len(house_fields)])
    house.community = Community.from_db(
        connection.alias, community_fields, row[len(house_fields) :]
    )
    return house


_HOUSE_BRIEF = ({"id", "code", "community_id", "building_id", "unit_id"}, {"id", "code", "name"})
_HOUSE_BRIEF_SQL: dict[str, tuple[str, list[str], list[str]]] = {}


def _house_brief_statement() -> tuple[str, list[str], list[str]]:
    """The statement of `house_brief_for_user`, its columns in the models' field order (as
    `from_db` takes them)."""
    if connection.vendor not in _HOUSE_BRIEF_SQL:
        q = connection.ops.quote_name
        house_fields, community_fields = (
            [f for f in model._meta.concrete_fields if f.attname in names]
            for model, names in zip((House, Community), _HOUSE_BRIEF, strict=True)
        )
        columns = [f"h.{q(f.column)}" for f in house_fields]
        columns += [f"c.{q(f.column)}" for f in community_fields]
        community_fk = q(House._meta.get_field("community").column)
        _HOUSE_BRIEF_SQL[connection.vendor] = (
            f"SELECT {', '.join(columns)} FROM {q(House._meta.db_table)} h"  # noqa: S608
            f" JOIN {q(Community._meta.db_table)} c ON c.{q(Community._meta.pk.column)}"
            f" = h.{community_fk} WHERE h.{q(House._meta.pk.column)} = %s",
            [f.attname for f in house_fields],
            [f.attname for f in community_fields],
        )
    return _HOUSE_BRIEF_SQL[connection.vendor]


def houses_by_code(
    user, code: str, perm: Perm = Perm.REGISTRY_VIEW, limit: int = 50
) -> list[House]:
    """Every house with this code in the user's communities, the user's own communities first.

    Companies reuse codes such as 2-1-1501 in every community, so a code alone never picks a
    house: a page that starts from a code offers these matches (each with its community) and
    carries the chosen house's id from then on.
    """
    code = (code or "").strip().upper()
    if not code or not has_perm(user, perm):
        return []
    own = set(user.communities.values_list("id", flat=True)) if user.pk else set()
    houses = list(
        House.objects.filter(community_id__in=community_ids(user), code=code)
        .select_related("community", "building")
        .order_by("community__code", "id")[:limit]
    )
    houses.sort(key=lambda h: h.community_id not in own)
    return houses


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
        .order_by("community_id", "building_id", "unit_id", "floor", "number")
    )


def owner_list(
    user, *, community_id: int | None = None, q: str = "", with_counts: bool = True
) -> QuerySet[Owner]:
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
    owners = owners.select_related("community").order_by("community_id", "name_pinyin", "id")
    if with_counts:
        owners = owners.annotate(
            house_count=Count("ownerships", filter=Q(ownerships__end_on__isnull=True))
        )
    return owners


def with_house_counts(owners) -> list[Owner]:
    """Attach `house_count` (houses owned now) to one page of owners, in one grouped query.

    Pages use this instead of owner_list's annotation, so counting the pages stays a plain COUNT.
    """
    owners = list(owners)
    counts = dict(
        Ownership.objects.filter(owner_id__in=[o.id for o in owners], end_on__isnull=True)
        .values("owner_id")
        .annotate(n=Count("id"))
        .values_list("owner_id", "n")
    )
    for owner in owners:
        owner.house_count = counts.get(owner.id, 0)
    return owners


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


def building_list(user, *, community_id: int | None = None) -> QuerySet[Building]:
    buildings = buildings_visible_to(user)
    if community_id:
        buildings = buildings.filter(community_id=community_id)
    return buildings.annotate(house_count=Count("houses")).order_by("community__code", "number")


def parking_list(
    user, *, community_id: int | None = None, status: str = "", kind: str = "", q: str = ""
) -> QuerySet[ParkingSpace]:
    spaces = scope(ParkingSpace.objects.all(), user)
    if community_id:
        spaces = spaces.filter(community_id=community_id)
    if status:
        spaces = spaces.filter(status=status)
    if kind:
        spaces = spaces.filter(kind=kind)
    if q.strip():
        spaces = spaces.filter(number__startswith=q.strip().upper())
    return spaces.select_related("community", "holder", "house", "vehicle").order_by(
        "community_id", "number"
    )


def documents_for(user, *, house: House | None = None, owner: Owner | None = None):
    """The archive documents filed under a house or an owner the caller may already see."""
    require(user, Perm.ARCHIVE_VIEW)
    documents = scope(ArchiveDocument.objects.select_related("uploaded_by"), user)
    if house is not None:
        documents = documents.filter(house=house)
    if owner is not None:
        documents = documents.filter(owner=owner)
    return documents.order_by("-uploaded_at", "-id")


# --- portal accounts --------------------------------------------------------------------------


class LinkRelation:
    """How a portal account is linked to a house, strongest first (DOMAIN.md §1)."""

    OWNER = "owner"
    CO_OWNER = "co_owner"
    FAMILY = "family"
    TENANT = "tenant"
    OCCUPANT = "other"
    AGENT = "agent"
    ORDER = (OWNER, CO_OWNER, FAMILY, TENANT, OCCUPANT, AGENT)


@dataclass(frozen=True)
class AccountHouseLink:
    house_id: int
    community_id: int
    relation: str
    person_name: str


def account_house_links(user, *, house_id: int | None = None) -> list[AccountHouseLink]:
    """The houses an owner-portal account stands for in the registry, one link per house.

    An owner's archive record linked to the account, or an owner, resident or tenant (not moved
    out) or entrusted agent (valid, not revoked) whose mobile is the account's verified mobile.
    Where one person holds several relations to a house, the strongest is kept.
    """
    if not is_owner_account(user):
        return []
    today = timezone.localdate()
    mobile = user.mobile or ""
    found: dict[int, AccountHouseLink] = {}

    def keep(house, community_id, relation, name):
        link = AccountHouseLink(house, community_id, relation, name)
        old = found.get(house)
        order = LinkRelation.ORDER
        if old is None or order.index(relation) < order.index(old.relation):
            found[house] = link

    by_owner = Q(owner__user=user)
    if mobile:
        by_owner |= Q(owner__mobile=mobile, owner__user__isnull=True)
    ownerships = Ownership.objects.filter(by_owner, end_on__isnull=True)
    residents = (
        Resident.objects.filter(mobile=mobile).filter(
            Q(moved_out_on__isnull=True) | Q(moved_out_on__gt=today)
        )
        if mobile
        else []
    )
    agents = (
        EntrustedAgent.objects.filter(
            mobile=mobile, revoked_at__isnull=True, valid_from__lte=today
        ).filter(Q(valid_until__isnull=True) | Q(valid_until__gte=today))
        if mobile
        else []
    )
    if house_id is not None:
        ownerships = ownerships.filter(house_id=house_id)
        if mobile:
            residents = residents.filter(house_id=house_id)
            agents = agents.filter(house_id=house_id)
    for row in ownerships.select_related("owner"):
        relation = LinkRelation.OWNER if row.is_primary else LinkRelation.CO_OWNER
        keep(row.house_id, row.community_id, relation, row.owner.name)
    for row in residents:
        if row.lease_end is not None and row.lease_end < today:
            continue
        keep(row.house_id, row.community_id, row.relation, row.name)
    for row in agents:
        keep(row.house_id, row.community_id, LinkRelation.AGENT, row.name)
    return sorted(found.values(), key=lambda link: link.house_id)
