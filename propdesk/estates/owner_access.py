"""What an owner account may see: the one answer every app asks (DOMAIN.md §1, §9).

An owner-role account (the portal's, or an API token's) stands for people of the registry. It
sees a house's rows through two doors, and only these:

- **Current links** (`house_rights`): the houses it is linked to today (owner, co-owner, family,
  tenant, other occupant, entrusted agent; the strongest relation per house), each with the day
  its era began (`since`: the current ownership's start, or a tenant's lease start when later)
  and whether it sees the house's fees (owners, co-owners and family; others when an owner of the
  house granted it). It sees the house's open work whenever it was filed, and everything else of
  the house from `since` on — never what an earlier owner filed, wrote, photographed or paid.
- **Its own history** (`past_tenures`, `personal_requests_q`): personal history follows the
  person (PIPL: minimum necessary). After a transfer the previous owner keeps read access to the
  requests they filed and to the bills, payments, receipts and payment orders of the time they
  owned the house, and nothing of the house after it.

Tickets, billing, custody, notices and the portal build their querysets from `rows_q`,
`personal_requests_q` and `request_q`; higher apps add to the answer through `fee_grants_register`
(the portal's fee visibility grants) instead of being imported here.
"""

import datetime
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.db.models import Q
from django.utils import timezone

from propdesk.core.permissions import is_owner_account
from propdesk.estates.models import Ownership
from propdesk.estates.selectors import LinkRelation, account_house_links

OWNING = (LinkRelation.OWNER, LinkRelation.CO_OWNER)
FEES_BY_RELATION = (LinkRelation.OWNER, LinkRelation.CO_OWNER, LinkRelation.FAMILY)
NOTHING = Q(pk__in=[])

# finder(user, house_ids) -> the ids among `house_ids` whose fees an owner granted to `user`
_fee_grant_finders: list[Callable[[object, list[int]], Iterable[int]]] = []


def fee_grants_register(finder: Callable[[object, list[int]], Iterable[int]]) -> None:
    """A higher app (the portal) tells which houses' fees were granted to a tenant or agent."""
    if finder not in _fee_grant_finders:
        _fee_grant_finders.append(finder)


@dataclass(frozen=True)
class HouseRight:
    """One house an account is linked to today."""

    house_id: int
    community_id: int
    relation: str
    person_name: str
    since: datetime.date
    sees_fees: bool

    @property
    def is_owner(self) -> bool:
        """Owners and co-owners manage who else sees the house's fees."""
        return self.relation in OWNING


@dataclass(frozen=True)
class PastTenure:
    """A house the account owned (or co-owned) until a transfer: its own history there."""

    house_id: int
    community_id: int
    start_on: datetime.date
    end_on: datetime.date


def _current_eras(house_ids: list[int]) -> dict[int, datetime.date]:
    """The day the current ownership of each house began (the latest transfer)."""
    eras: dict[int, datetime.date] = {}
    rows = Ownership.objects.filter(house_id__in=house_ids, end_on__isnull=True).values_list(
        "house_id", "start_on"
    )
    for house_id, start_on in rows:
        if house_id not in eras or start_on > eras[house_id]:
            eras[house_id] = start_on
    return eras


def _tenant_starts(user, house_ids: list[int]) -> dict[int, datetime.date]:
    from propdesk.estates.models import Resident

    if not user.mobile:
        return {}
    starts: dict[int, datetime.date] = {}
    rows = Resident.objects.filter(
        house_id__in=house_ids, mobile=user.mobile, relation=LinkRelation.TENANT
    ).values_list("house_id", "lease_start", "moved_in_on")
    for house_id, lease_start, moved_in_on in rows:
        start = lease_start or moved_in_on
        if start is not None:
            starts[house_id] = max(start, starts.get(house_id, start))
    return starts


def house_rights(user) -> list[HouseRight]:
    """The houses `user` is linked to today, with the relation, the era and the fee right
    (cached on the user object for the request)."""
    cached = getattr(user, "_owner_house_rights", None)
    if cached is not None:
        return cached
    if not is_owner_account(user):
        return []
    links = account_house_links(user)
    ids = [link.house_id for link in links]
    granted: set[int] = set()
    for finder in _fee_grant_finders:
        granted.update(finder(user, ids))
    eras = _current_eras(ids)
    tenant_starts = _tenant_starts(user, ids)
    rights = []
    for link in links:
        since = eras.get(link.house_id, datetime.date.min)
        if link.relation == LinkRelation.TENANT and link.house_id in tenant_starts:
            since = max(since, tenant_starts[link.house_id])
        rights.append(
            HouseRight(
                house_id=link.house_id,
                community_id=link.community_id,
                relation=link.relation,
                person_name=link.person_name,
                since=since,
                sees_fees=link.relation in FEES_BY_RELATION or link.house_id in granted,
            )
        )
    user._owner_house_rights = rights
    return rights


def past_tenures(user) -> list[PastTenure]:
    """The ownerships of `user` that a transfer ended (cached on the user object)."""
    cached = getattr(user, "_owner_past_tenures", None)
    if cached is not None:
        return cached
    if not is_owner_account(user):
        return []
    mine = Q(owner__user=user)
    if user.mobile:
        mine |= Q(owner__mobile=user.mobile, owner__user__isnull=True)
    tenures = [
        PastTenure(row.house_id, row.community_id, row.start_on, row.end_on)
        for row in Ownership.objects.filter(mine, end_on__isnull=False).order_by("house_id", "id")
        if row.end_on > row.start_on
    ]
    user._owner_past_tenures = tenures
    return tenures


def forget(user) -> None:
    """Drop the per-request cache after a change of links, grants or ownership."""
    for name in ("_owner_house_rights", "_owner_past_tenures"):
        if hasattr(user, name):
            delattr(user, name)


def right_on(user, house_id) -> HouseRight | None:
    """The account's current right on one house, or None."""
    for right in house_rights(user):
        if right.house_id == house_id:
            return right
    return None


def house_ids(user) -> list[int]:
    return [right.house_id for right in house_rights(user)]


def fee_house_ids(user) -> list[int]:
    return [right.house_id for right in house_rights(user) if right.sees_fees]


def owned_house_ids(user) -> list[int]:
    """The houses the account owns or co-owns today."""
    return [right.house_id for right in house_rights(user) if right.is_owner]


def past_house_ids(user) -> list[int]:
    return sorted({tenure.house_id for tenure in past_tenures(user)})


def _bound(day: datetime.date, *, as_datetime: bool, monthly: bool):
    if monthly:
        day = day.replace(day=1)
    if not as_datetime:
        return day
    if day == datetime.date.min:
        day = datetime.date(1900, 1, 1)
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def rows_q(
    user,
    *,
    at: str,
    house: str = "house_id",
    fees: bool = False,
    owning: bool = False,
    past: bool = True,
    as_datetime: bool = True,
    monthly: bool = False,
) -> Q:
    """The rows of a house-bound table the account may read, as one filter.

    `at` names the row's time field (a datetime, or a date with `as_datetime=False`; `monthly`
    for bill periods, which count from the first of the month). Rows of a linked house from the
    era's start on (only houses whose fees it sees when `fees`, that it owns when `owning`), and
    with `past` the rows of a house it owned that fall within its ownership.
    """
    if not is_owner_account(user):
        return NOTHING
    found = NOTHING
    for right in house_rights(user):
        if (fees and not right.sees_fees) or (owning and not right.is_owner):
            continue
        since = _bound(right.since, as_datetime=as_datetime, monthly=monthly)
        found |= Q(**{house: right.house_id, f"{at}__gte": since})
    if past:
        for tenure in past_tenures(user):
            start = _bound(tenure.start_on, as_datetime=as_datetime, monthly=monthly)
            # the month of the transfer is billed to the new owner
            end = _bound(tenure.end_on, as_datetime=as_datetime, monthly=monthly)
            found |= Q(**{house: tenure.house_id, f"{at}__gte": start, f"{at}__lt": end})
    return found


def personal_requests_q(user, prefix: str = "") -> Q:
    """Service requests the account filed (in the portal, or at the desk for its archive
    record): they stay its own, whoever owns the house now."""
    if not is_owner_account(user):
        return NOTHING
    return Q(**{f"{prefix}created_by": user}) | Q(**{f"{prefix}caller_owner__user": user})


def request_q(user) -> Q:
    """Service requests the account sees: its own, and of a house linked today the open ones
    and those filed from the era's start on."""
    if not is_owner_account(user):
        return NOTHING
    found = personal_requests_q(user)
    for right in house_rights(user):
        since = _bound(right.since, as_datetime=True, monthly=False)
        found |= Q(house_id=right.house_id) & (Q(is_open=True) | Q(created_at__gte=since))
    return found


def request_is_inherited(user, request) -> bool:
    """A request the account sees only as the house's open work, filed before its era by
    someone else: it sees the work and its progress, not that person's words or photos."""
    if request.created_by_id == user.pk:
        return False
    if request.caller_owner_id and getattr(request.caller_owner, "user_id", None) == user.pk:
        return False
    right = right_on(user, request.house_id)
    if right is None:
        return False
    return request.created_at < _bound(right.since, as_datetime=True, monthly=False)
