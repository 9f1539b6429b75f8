"""What a signed-in portal account may see and do, house by house (rights by relation).

Every portal page and endpoint fetches houses, requests, photos, bills, receipts and payment
orders through these helpers: anything of a house the account is not linked to is a NotFound
that reveals nothing, whatever id is sent.

Rights by relation (DOMAIN.md §1): owners, co-owners and family members living in the house see
its requests and fees and may pay; tenants and entrusted agents see and file requests, and see
and pay fees only when an owner of the house has granted it (FeeGrant).
"""

from dataclasses import dataclass

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from propdesk.accounts.models import Role
from propdesk.billing.models import Bill, Payment, Receipt
from propdesk.core.errors import NotFound, PermissionDenied
from propdesk.estates.models import House
from propdesk.estates.selectors import LinkRelation, account_house_links
from propdesk.portal.models import RELATION_LABELS, FeeGrant, PaymentOrder
from propdesk.tickets.models import RequestPhoto, ServiceRequest

OWNING = (LinkRelation.OWNER, LinkRelation.CO_OWNER)
FEES_BY_RELATION = (LinkRelation.OWNER, LinkRelation.CO_OWNER, LinkRelation.FAMILY)
GRANTABLE = (LinkRelation.TENANT, LinkRelation.AGENT, LinkRelation.OCCUPANT)


@dataclass(frozen=True)
class HouseRight:
    house: House
    relation: str
    sees_fees: bool

    @property
    def relation_label(self) -> str:
        return str(RELATION_LABELS.get(self.relation, self.relation))

    @property
    def is_owner(self) -> bool:
        """Owners and co-owners manage who else sees the house's fees."""
        return self.relation in OWNING


def is_portal_user(user) -> bool:
    return bool(user and user.is_authenticated and user.is_active and user.role == Role.OWNER)


def house_rights(user) -> list[HouseRight]:
    """The houses `user` is linked to, with the relation and the fee right (cached per request)."""
    cached = getattr(user, "_portal_house_rights", None)
    if cached is not None:
        return cached
    if not is_portal_user(user):
        return []
    links = account_house_links(user)
    houses = House.objects.select_related("community", "building", "unit").in_bulk(
        [link.house_id for link in links]
    )
    granted = set()
    if user.mobile:
        granted = set(
            FeeGrant.objects.filter(
                house_id__in=list(houses), mobile=user.mobile, revoked_at__isnull=True
            ).values_list("house_id", flat=True)
        )
    rights = [
        HouseRight(
            house=houses[link.house_id],
            relation=link.relation,
            sees_fees=link.relation in FEES_BY_RELATION or link.house_id in granted,
        )
        for link in links
        if link.house_id in houses
    ]
    user._portal_house_rights = rights
    return rights


def forget_rights(user) -> None:
    """Drop the per-request cache after a change of links or grants."""
    if hasattr(user, "_portal_house_rights"):
        del user._portal_house_rights


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
            code="fees_not_granted",
            field="house",
        )
    return right


def owned_right_for(user, house_id) -> HouseRight:
    """A house the account owns or co-owns (to grant fee visibility); 404 otherwise."""
    right = right_for(user, house_id)
    if not right.is_owner:
        raise NotFound()
    return right


def portal_requests(user) -> QuerySet[ServiceRequest]:
    """Requests of the account's houses, newest first."""
    return (
        ServiceRequest.objects.filter(house_id__in=house_ids(user))
        .select_related("house", "kind", "category", "urgency", "department")
        .order_by("-created_at", "-id")
    )


def request_for_owner(user, request_id) -> ServiceRequest:
    request = portal_requests(user).filter(pk=_int(request_id)).first()
    if request is None:
        raise NotFound()
    return request


def photo_for_owner(user, request_id, photo_id) -> RequestPhoto:
    request = request_for_owner(user, request_id)
    photo = RequestPhoto.objects.filter(request=request, pk=_int(photo_id)).first()
    if photo is None:
        raise NotFound()
    return photo


def bill_for_owner(user, bill_id) -> Bill:
    bill = (
        Bill.objects.select_related("fee_item", "house")
        .filter(pk=_int(bill_id), house_id__in=fee_house_ids(user))
        .first()
    )
    if bill is None:
        raise NotFound()
    return bill


def payment_for_owner(user, payment_id) -> Payment:
    payment = Payment.objects.filter(pk=_int(payment_id), house_id__in=fee_house_ids(user)).first()
    if payment is None:
        raise NotFound()
    return payment


def receipt_for_owner(user, receipt_id) -> Receipt:
    receipt = (
        Receipt.objects.select_related("payment", "payment__house", "community")
        .filter(pk=_int(receipt_id), payment__house_id__in=fee_house_ids(user))
        .first()
    )
    if receipt is None:
        raise NotFound()
    return receipt


def order_for_owner(user, order_id) -> PaymentOrder:
    order = (
        PaymentOrder.objects.select_related("house", "payment")
        .filter(pk=_int(order_id), house_id__in=fee_house_ids(user))
        .first()
    )
    if order is None:
        raise NotFound()
    return order
