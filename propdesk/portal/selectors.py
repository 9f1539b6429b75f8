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
from propdesk.portal.payments import available_providers
from propdesk.tickets.models import (
    AWAITING_FOLLOW_UP,
    OPEN_STATUSES,
    Category,
    EventAction,
    RequestEvent,
    RequestKind,
    RequestPhoto,
    RequestSolution,
    ServiceRequest,
    Status,
)
from propdesk.tickets.owner_text import owner_status_text, visit_window_text, when

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
    open_requests = without_inherited_words(
        user, access.portal_requests(user).filter(is_open__in=[True])[:20]
    )
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


def without_inherited_words(user, requests) -> list[ServiceRequest]:
    """The rows of a list, with the description of open work filed before the account's era
    blanked (it sees the work, not what the earlier owner wrote)."""
    requests = list(requests)
    for request in requests:
        if access.request_is_inherited(user, request):
            request.description = ""
    return requests


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
    EventAction.FOLLOW_UP_SENT,
}
# Steps whose note is the staff's own working note, not words for the owner.
INTERNAL_NOTES = {EventAction.CREATED, EventAction.VERIFIED}


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
        # A follow-up step without a score is the call beginning, not a rating.
        EventAction.FOLLOW_UP: _("Rated %(score)s/5") % {"score": data["satisfaction"]}
        if data.get("satisfaction")
        else _("The service centre is following up with you"),
        EventAction.CLOSED: _("Closed"),
        EventAction.REOPENED: _("Reopened and passed on again"),
        EventAction.CANCELLED: _("Cancelled"),
        EventAction.COST_PROPOSED: _("A cost for you was proposed"),
        EventAction.COST_DECIDED: _("The cost was answered"),
        EventAction.VERIFIED: _("Your complaint was checked by the service centre"),
        EventAction.VISIT_PROMISED: _("A visit was arranged"),
        EventAction.SOLUTION_PROPOSED: _("A solution was proposed to you"),
        EventAction.SOLUTION_DECIDED: _("You agreed to the solution")
        if data.get("state") == "agreed"
        else _("You did not agree to the solution"),
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
        note = event.note if event.action not in INTERNAL_NOTES else ""
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
    inherited: bool = False
    solution: RequestSolution | None = None
    visit_window: str = ""


def request_view(user, request_id) -> RequestView:
    """One request as the account may see it. Open work filed before its era by someone else
    shows its progress only: not that person's description, notes or photos."""
    from propdesk.tickets.services.transitions import OWNER_CANCELLABLE

    request = access.request_for_owner(user, request_id)
    inherited = access.request_is_inherited(user, request)
    acts = request.house_id in access.house_ids(user)
    steps = timeline(user, request)
    photos = list(RequestPhoto.objects.filter(request=request).order_by("id"))
    if inherited:
        request.description = ""
        photos = []
        steps = [_without_words(step) for step in steps if step.action != EventAction.PHOTO]
    return RequestView(
        request=request,
        status_text=owner_status_text(request),
        expected=when(request.promised_at) if request.is_open else "",
        steps=steps,
        photos=photos,
        may_cancel=acts and not inherited and request.status in OWNER_CANCELLABLE,
        may_rate=acts and request.status in AWAITING_FOLLOW_UP,
        may_add=acts and (request.status in OPEN_STATUSES or request.status == Status.RESOLVED),
        inherited=inherited,
        solution=_solution_to_answer(request) if _answers(user, request) else None,
        visit_window=visit_window_text(request.visit_from, request.visit_until)
        if request.is_open
        else "",
    )


def _answers(user, request: ServiceRequest) -> bool:
    """Whether the account answers proposals on this request: an owner of its house, while open
    (tickets.services._common.answer_check)."""
    from propdesk.tickets.services._common import is_owner_of

    return request.is_open and is_owner_of(user, request)


def _solution_to_answer(request: ServiceRequest) -> RequestSolution | None:
    """The solution proposed for the owner's complaint that waits for their answer."""
    return (
        RequestSolution.objects.filter(request=request, state=RequestSolution.State.PROPOSED)
        .order_by("-id")
        .first()
    )


def _without_words(step: TimelineStep) -> TimelineStep:
    return TimelineStep(at=step.at, action=step.action, text=step.text, by_me=step.by_me)


@dataclass
class HouseBills:
    right: access.HouseRight
    dues: object
    payments: list[tuple[Payment, Receipt | None]]
    orders: list[PaymentOrder]
    paid_bills: list = field(default_factory=list)
    # The providers owners of the house's company can pay with (empty: pay at the office).
    providers: list = field(default_factory=list)


def _payments_with_receipts(payments) -> list[tuple[Payment, Receipt | None]]:
    payments = list(payments)
    receipts = {r.payment_id: r for r in Receipt.objects.filter(payment__in=payments)}
    return [(p, receipts.get(p.pk)) for p in payments]


def bills_for(user, house_id=None) -> list[HouseBills]:
    """Unpaid bills, payments with their receipts and online orders of the houses whose fees the
    account sees (one house when `house_id` is given), from the start of its era on."""
    rights = [r for r in access.house_rights(user) if r.sees_fees]
    if house_id not in (None, ""):
        rights = [access.fee_right_for(user, house_id)]
    result = []
    providers_of: dict[int, list] = {}
    for right in rights:
        house = right.house
        company_id = house.community.company_id
        if company_id not in providers_of:
            providers_of[company_id] = available_providers(company_id)
        payments = (
            Payment.objects.filter(community_id=house.community_id, house_id=house.pk)
            .filter(access.payments_q(user))
            .order_by("-received_at", "-id")[:50]
        )
        orders = (
            PaymentOrder.objects.filter(house=house)
            .filter(access.orders_q(user))
            .order_by("-created_at")[:10]
        )
        result.append(
            HouseBills(
                right=right,
                dues=house_dues(house, since=right.since),
                payments=_payments_with_receipts(payments),
                orders=list(orders),
                paid_bills=list(
                    house_bills(house)
                    .filter(access.bills_q(user), outstanding_fen__lte=0)
                    .order_by("-period", "-id")[:24]
                ),
                providers=providers_of[company_id],
            )
        )
    return result


@dataclass
class EarlierHouse:
    """A house the account owned until a transfer: what it paid there stays readable."""

    house: object
    start_on: datetime.date
    end_on: datetime.date
    payments: list[tuple[Payment, Receipt | None]]
    orders: list[PaymentOrder]
    paid_bills: list


def earlier_houses(user) -> list[EarlierHouse]:
    from propdesk.estates import owner_access
    from propdesk.estates.models import House

    tenures = owner_access.past_tenures(user)
    houses = House.objects.select_related("community").in_bulk([t.house_id for t in tenures])
    current = set(access.house_ids(user))
    result = []
    for tenure in tenures:
        house = houses.get(tenure.house_id)
        if house is None or house.pk in current:
            continue
        payments = (
            Payment.objects.filter(community_id=house.community_id, house_id=house.pk)
            .filter(access.payments_q(user))
            .order_by("-received_at", "-id")[:50]
        )
        result.append(
            EarlierHouse(
                house=house,
                start_on=tenure.start_on,
                end_on=tenure.end_on,
                payments=_payments_with_receipts(payments),
                orders=list(
                    PaymentOrder.objects.filter(house=house)
                    .filter(access.orders_q(user))
                    .order_by("-created_at")[:10]
                ),
                paid_bills=list(
                    house_bills(house).filter(access.bills_q(user)).order_by("-period", "-id")[:24]
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
