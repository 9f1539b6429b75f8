"""Reads for the owner's pages and the portal API, always through the account's house rights.

The request timeline is told in owner language (received, passed to whom, on site, resolved):
internal steps (escalations, time-limit records, staff work notes) are left out, and staff are
named by their department, never by their personal details (tickets.owner_text).
"""

import datetime
from dataclasses import dataclass, field

from django.db.models import Prefetch, QuerySet
from django.utils.translation import gettext as _

from propdesk.accounts.models import Department
from propdesk.billing.models import Payment, Receipt
from propdesk.billing.selectors.accounts import house_bills, house_dues
from propdesk.portal import access
from propdesk.portal.models import LinkRequest, PaymentOrder
from propdesk.tickets.models import (
    AWAITING_FOLLOW_UP,
    OPEN_STATUSES,
    Category,
    EventAction,
    RequestEvent,
    RequestKind,
    RequestPhoto,
    ServiceRequest,
    Status,
)
from propdesk.tickets.owner_text import owner_status_text, when

# Categories where something may be happening right now: the form shows the hotline.
EMERGENCY_CATEGORIES = ("repair_water", "repair_electric", "repair_elevator", "security")


def hotline() -> str:
    from django.conf import settings

    return str(getattr(settings, "PORTAL_HOTLINE", "400-800-1234"))


@dataclass
class HouseCard:
    right: access.HouseRight
    unpaid_fen: int | None  # None: the account does not see this house's fees
    open_requests: int = 0


@dataclass
class Home:
    houses: list[HouseCard]
    open_requests: list[ServiceRequest]
    unpaid_fen: int
    pending_links: list[LinkRequest] = field(default_factory=list)


def home(user) -> Home:
    rights = access.house_rights(user)
    open_requests = list(access.portal_requests(user).filter(is_open__in=[True])[:20])
    counts: dict[int, int] = {}
    for request in open_requests:
        counts[request.house_id] = counts.get(request.house_id, 0) + 1
    cards = [
        HouseCard(
            right=right,
            unpaid_fen=house_dues(right.house).outstanding_fen if right.sees_fees else None,
            open_requests=counts.get(right.house.pk, 0),
        )
        for right in rights
    ]
    return Home(
        houses=cards,
        open_requests=open_requests,
        unpaid_fen=sum(card.unpaid_fen or 0 for card in cards),
        pending_links=list(
            LinkRequest.objects.filter(user=user).select_related("house", "community")[:10]
        ),
    )


def request_list(user, *, state: str = "") -> QuerySet[ServiceRequest]:
    requests = access.portal_requests(user)
    if state == "open":
        requests = requests.filter(is_open__in=[True])
    elif state == "done":
        requests = requests.filter(is_open__in=[False])
    return requests


def taxonomy() -> dict:
    return {
        "kinds": list(RequestKind.objects.filter(is_active=True).order_by("sort_order", "id")),
        "categories": list(Category.objects.filter(is_active=True).order_by("sort_order", "id")),
        "emergency_categories": EMERGENCY_CATEGORIES,
        "hotline": hotline(),
    }


@dataclass
class TimelineStep:
    at: datetime.datetime
    action: str
    text: str
    note: str = ""
    photos: list[RequestPhoto] = field(default_factory=list)
    by_me: bool = False


HIDDEN = {
    EventAction.ESCALATED,
    EventAction.SLA_RECORDED,
    EventAction.CALL_LINKED,
    EventAction.FOLLOW_UP_ATTEMPT,
}


def _department_names() -> dict[str, str]:
    return dict(Department.objects.values_list("code", "name"))


def _step_text(event: RequestEvent, request: ServiceRequest, departments: dict, user) -> str:
    data = event.data or {}
    department = departments.get(data.get("department") or "", "") or _("the service centre")
    by_owner = data.get("by") == "owner"
    action = event.action
    texts = {
        EventAction.CREATED: _("Received as %(number)s") % {"number": request.number},
        EventAction.ACCEPTED: _("Accepted by the service centre"),
        EventAction.DISPATCHED: _("Passed to %(department)s") % {"department": department},
        EventAction.REASSIGNED: _("Passed to %(department)s") % {"department": department},
        EventAction.STARTED: _("On the way: work started on site"),
        EventAction.PAUSED: _("Waiting for you"),
        EventAction.RESUMED: _("Work resumed"),
        EventAction.RESOLVED: _("Resolved"),
        EventAction.FOLLOW_UP: _("Rated %(score)s/5") % {"score": data.get("satisfaction", "")},
        EventAction.CLOSED: _("Closed"),
        EventAction.REOPENED: _("Reopened and passed on again"),
        EventAction.CANCELLED: _("Cancelled"),
        EventAction.COST_PROPOSED: _("A cost for you was proposed"),
        EventAction.COST_DECIDED: _("The cost was answered"),
    }
    if action == EventAction.NOTE:
        return _("You added a note") if by_owner else _("Note from the service centre")
    if action == EventAction.PHOTO:
        return _("You added photos") if by_owner else _("Photos from the service centre")
    return str(texts.get(action, event.get_action_display()))


def timeline(user, request: ServiceRequest) -> list[TimelineStep]:
    departments = _department_names()
    events = (
        RequestEvent.objects.filter(request=request)
        .prefetch_related(Prefetch("photos", queryset=RequestPhoto.objects.order_by("id")))
        .order_by("at", "id")
    )
    steps = []
    for event in events:
        if event.action in HIDDEN:
            continue
        by_owner = (event.data or {}).get("by") == "owner"
        if event.action == EventAction.NOTE and not by_owner:
            continue  # staff work notes are internal
        note = event.note if event.action not in (EventAction.CREATED,) else ""
        steps.append(
            TimelineStep(
                at=event.at,
                action=event.action,
                text=_step_text(event, request, departments, user),
                note=note,
                photos=list(event.photos.all()),
                by_me=event.actor_id == user.pk,
            )
        )
    return steps


@dataclass
class RequestView:
    request: ServiceRequest
    status_text: str
    expected: str
    steps: list[TimelineStep]
    photos: list[RequestPhoto]
    may_cancel: bool
    may_rate: bool
    may_add: bool


def request_view(user, request_id) -> RequestView:
    from propdesk.tickets.services.transitions import OWNER_CANCELLABLE

    request = access.request_for_owner(user, request_id)
    return RequestView(
        request=request,
        status_text=owner_status_text(request),
        expected=when(request.promised_at) if request.is_open else "",
        steps=timeline(user, request),
        photos=list(RequestPhoto.objects.filter(request=request).order_by("id")),
        may_cancel=request.status in OWNER_CANCELLABLE,
        may_rate=request.status in AWAITING_FOLLOW_UP,
        may_add=request.status in OPEN_STATUSES or request.status == Status.RESOLVED,
    )


@dataclass
class HouseBills:
    right: access.HouseRight
    dues: object
    payments: list[tuple[Payment, Receipt | None]]
    orders: list[PaymentOrder]
    paid_bills: list = field(default_factory=list)


def bills_for(user, house_id=None) -> list[HouseBills]:
    """Unpaid bills, payments with their receipts and online orders of the houses whose fees the
    account sees (one house when `house_id` is given)."""
    rights = [r for r in access.house_rights(user) if r.sees_fees]
    if house_id not in (None, ""):
        rights = [access.fee_right_for(user, house_id)]
    result = []
    for right in rights:
        house = right.house
        payments = list(
            Payment.objects.filter(community_id=house.community_id, house_id=house.pk).order_by(
                "-received_at", "-id"
            )[:50]
        )
        receipts = {r.payment_id: r for r in Receipt.objects.filter(payment__in=payments)}
        orders = list(PaymentOrder.objects.filter(house=house).order_by("-created_at")[:10])
        result.append(
            HouseBills(
                right=right,
                dues=house_dues(house),
                payments=[(p, receipts.get(p.pk)) for p in payments],
                orders=orders,
                paid_bills=list(
                    house_bills(house)
                    .filter(outstanding_fen__lte=0)
                    .order_by("-period", "-id")[:24]
                ),
            )
        )
    return result


def link_request_queue(user, *, status: str = "pending", q: str = ""):
    from propdesk.core.permissions import Perm, scope

    rows = scope(LinkRequest.objects.all(), user, Perm.PORTAL_LINK_VERIFY).select_related(
        "house", "community", "user", "decided_by"
    )
    if status in LinkRequest.Status.values:
        rows = rows.filter(status=status)
    if q:
        rows = rows.filter(name__contains=q[:50]) | rows.filter(house__code__startswith=q[:40])
    return rows.order_by("-created_at", "-id")


def link_request_for_staff(user, link_request_id) -> LinkRequest:
    from propdesk.core.permissions import Perm, get_scoped

    return get_scoped(
        LinkRequest.objects.select_related("house", "community", "user"),
        user,
        link_request_id,
        Perm.PORTAL_LINK_VERIFY,
    )
