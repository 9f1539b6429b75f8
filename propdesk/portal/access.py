"""What a signed-in portal account may see and do, house by house (rights by relation).

Every portal page and endpoint fetches houses, requests, photos, bills, receipts and payment
orders through these helpers: anything of a house the account is not linked to is a NotFound
that reveals nothing, whatever id is sent.

Rights by relation (DOMAIN.md §1): owners, co-owners and family members living in the house see
its requests and fees and may pay; tenants and entrusted agents see and file requests, and see
and pay fees only when an owner of the house has granted it (FeeGrant).
"""

import datetime
from dataclasses import dataclass

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from propdesk.billing.models import Bill, Payment, Receipt
from propdesk.core.errors import NotFound, PermissionDenied
from propdesk.estates import owner_access
from propdesk.estates.models import House
from propdesk.estates.owner_access import OWNING
from propdesk.estates.selectors import LinkRelation
from propdesk.portal import error_codes
from propdesk.portal.models import RELATION_LABELS, FeeGrant, PaymentOrder
from propdesk.tickets.models import RequestPhoto, ServiceRequest

GRANTABLE = (LinkRelation.TENANT, LinkRelation.AGENT, LinkRelation.OCCUPANT)


@dataclass(frozen=True)
class HouseRight:
    house: House
    relation: str
    sees_fees: bool
    since: datetime.date = datetime.date.min

    @property
    def relation_label(self) -> str:
        return str(RELATION_LABELS.get(self.relation, self.relation))

    @property
    def is_owner(self) -> bool:
        """Owners and co-owners manage who else sees the house's fees."""
        return self.relation in OWNING


def is_portal_user(user) -> bool:
    return owner_access.is_owner_account(user)


def granted_house_ids(user, house_ids: list[int]) -> list[int]:
    """The houses among `house_ids` whose fees an owner granted to the account's mobile."""
    if not user.mobile or not house_ids:
        return []
    return list(
        FeeGrant.objects.filter(
            house_id__in=house_ids, mobile=user.mobile, revoked_at__isnull=True
        ).values_list("house_id", flat=True)
    )


def house_rights(user) -> list[HouseRight]:
    """The houses `user` is linked to, with the relation and the fee right (cached per request);
    the answer is the registry's (estates.owner_access), with the house rows for the pages."""
    cached = getattr(user, "_portal_house_rights", None)
    if cached is not None:
        return cached
    rights = owner_access.house_rights(user)
    houses = House.objects.select_related("community", "building", "unit").in_bulk(
        [right.house_id for right in rights]
    )
    found = [
        HouseRight(
            house=houses[right.house_id],
            relation=right.relation,
            sees_fees=right.sees_fees,
            since=right.since,
        )
        for right in rights
        if right.house_id in houses
    ]
    user._portal_house_rights = found
    return found


def forget_rights(user) -> None:
    """Drop the per-request cache after a change of links or grants."""
    if hasattr(user, "_portal_house_rights"):
        del user._portal_house_rights
    owner_access.forget(user)


def house_ids(user) -> list[int]:
    return [right.house.pk for right in house_rights(user)]


def fee_house_ids(user) -> list[int]:
    return [right.house.pk for right in house_rights(user) if right.sees_fees]


def _int(value) -> int:
    try:
        return int(value)
    except (TypeError, ValueError) as exc:
        raise NotFound() from exc


def right_for(user, house_id) -> HouseRight:
    """The account's right on one house; NotFound when it is not linked to it."""
    house_id = _int(house_id)
    for right in house_rights(user):
        if right.house.pk == house_id:
            return right
    raise NotFound()


def fee_right_for(user, house_id) -> HouseRight:
    """A house whose fees the account may see and pay: 404 for a house it is not linked to,
    403 for one it is linked to without the fee right (a tenant without the owner's grant)."""
    right = right_for(user, house_id)
    if not right.sees_fees:
        raise PermissionDenied(
            _("Only the owners of this house, or those they allow, see its fees."),
            code=error_codes.FEES_NOT_GRANTED,
            field="house",
        )
    return right


def statement_start(right: HouseRight, date_from: datetime.date | None) -> datetime.date | None:
    """A statement starts no earlier than the account's era: not an earlier owner's money."""
    if right.since == datetime.date.min:
        return date_from
    return max(date_from or right.since, right.since)


def owned_right_for(user, house_id) -> HouseRight:
    """A house the account owns or co-owns (to grant fee visibility); 404 otherwise."""
    right = right_for(user, house_id)
    if not right.is_owner:
        raise NotFound()
    return right


def portal_requests(user) -> QuerySet[ServiceRequest]:
    """Requests the account sees (its own, and its houses' open work and those of its era),
    newest first."""
    return (
        ServiceRequest.objects.filter(owner_access.request_q(user))
        .select_related("house", "kind", "category", "urgency", "department", "caller_owner")
        .order_by("-created_at", "-id")
    )


def request_for_owner(user, request_id) -> ServiceRequest:
    """A request the account may read; NotFound otherwise."""
    request = portal_requests(user).filter(pk=_int(request_id)).first()
    if request is None:
        raise NotFound()
    return request


def request_to_act_on(user, request_id) -> ServiceRequest:
    """A request of a house the account is linked to today (to add to, cancel or rate);
    a previous owner keeps reading what they filed but no longer acts on the house's work."""
    request = request_for_owner(user, request_id)
    if request.house_id not in house_ids(user):
        raise NotFound()
    return request


def request_is_inherited(user, request: ServiceRequest) -> bool:
    """Open work filed by someone before the account's era: no words or photos of theirs."""
    return owner_access.request_is_inherited(user, request)


def photo_for_owner(user, request_id, photo_id) -> RequestPhoto:
    request = request_for_owner(user, request_id)
    if request_is_inherited(user, request):
        raise NotFound()
    photo = RequestPhoto.objects.filter(request=request, pk=_int(photo_id)).first()
    if photo is None:
        raise NotFound()
    return photo


def _fee_rows(user, at: str, *, house: str = "house_id", **kwargs):
    return owner_access.rows_q(user, at=at, house=house, fees=True, **kwargs)


def bills_q(user):
    return _fee_rows(user, "period", as_datetime=False, monthly=True)


def payments_q(user, prefix: str = ""):
    return _fee_rows(user, f"{prefix}received_at", house=f"{prefix}house_id")


def orders_q(user):
    """Payment orders: those the account started, and its houses' of its era."""
    return _fee_rows(user, "created_at") | Q(user=user)


def bill_for_owner(user, bill_id) -> Bill:
    bill = (
        Bill.objects.select_related("fee_item", "house")
        .filter(bills_q(user), pk=_int(bill_id))
        .first()
    )
    if bill is None:
        raise NotFound()
    return bill


def payment_for_owner(user, payment_id) -> Payment:
    payment = Payment.objects.filter(payments_q(user), pk=_int(payment_id)).first()
    if payment is None:
        raise NotFound()
    return payment


def receipt_for_owner(user, receipt_id) -> Receipt:
    receipt = (
        Receipt.objects.select_related("payment", "payment__house", "community")
        .filter(payments_q(user, "payment__"), pk=_int(receipt_id))
        .first()
    )
    if receipt is None:
        raise NotFound()
    return receipt


def order_for_owner(user, order_id) -> PaymentOrder:
    order = (
        PaymentOrder.objects.select_related("house", "payment")
        .filter(orders_q(user), pk=_int(order_id))
        .first()
    )
    if order is None:
        raise NotFound()
    return order
