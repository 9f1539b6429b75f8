"""Owner-portal endpoints (mounted at /api/portal/): what the H5 pages do, for a mini-program or
an app. Thin: access helper → schema → one service or selector.

Owner endpoints need a portal (owner-role) session: staff get 403, anonymous 401. Anything of a
house the account is not linked to is a 404, whatever id is sent. Sign-in and the payment
provider's callback need no session. The desk's link-request endpoints need PORTAL_LINK_VERIFY.
"""

from django.conf import settings
from django.contrib.auth import login
from django.http import FileResponse, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import File, Form, Query, Router, Status
from ninja.files import UploadedFile

from propdesk.api.schemas import READ_ERRORS, WRITE_ERRORS, PathId, error_responses
from propdesk.billing.selectors.accounts import fee_name
from propdesk.billing.services.receipts import receipt_print
from propdesk.billing.services.statements import statement_pdf_for
from propdesk.core.errors import NotFound, PermissionDenied, ValidationFailed, fetch_named
from propdesk.core.masking import mask_mobile
from propdesk.core.permissions import Perm, require
from propdesk.estates.models import Owner
from propdesk.portal import access, error_codes, selectors
from propdesk.portal.models import LinkRequest
from propdesk.portal.payments import provider_named
from propdesk.portal.schemas import (
    CancelIn,
    CodeIn,
    EarlierHouseOut,
    GrantIn,
    GrantOut,
    HouseBillsOut,
    LinkDecisionIn,
    LinkQueueFilters,
    LinkRequestIn,
    LinkRequestOut,
    MeOut,
    MobileIn,
    OrderIn,
    OrderOut,
    PasswordIn,
    PersonOut,
    PortalBillOut,
    PortalEventOut,
    PortalRequestDetailOut,
    PortalRequestIn,
    PortalRequestOut,
    RatingIn,
    RefundIn,
    RefundOut,
    SentOut,
    StatementQuery,
)
from propdesk.portal.services import links, payments, refunds, signin
from propdesk.portal.services import requests as portal_requests
from propdesk.portal.views._common import client_ip, pdf_response
from propdesk.tickets.owner_text import owner_status_text, when

router = Router(tags=["owner portal"])
BACKEND = "django.contrib.auth.backends.ModelBackend"
SIGN_IN_ERRORS = error_responses(400, 403, 422, 429)
PDF = {
    "responses": {
        200: {
            "description": "PDF",
            "content": {"application/pdf": {"schema": {"type": "string", "format": "binary"}}},
        }
    }
}


def _owner(request):
    """The portal account behind the request; staff (and API tokens of staff) are refused."""
    user = request.auth
    if not access.is_portal_user(user):
        raise PermissionDenied(
            _("Only owner-portal accounts use these endpoints."), code=error_codes.PORTAL_ONLY
        )
    return user


def _houses(user) -> list[dict]:
    return [
        {
            "id": r.house.pk,
            "community": r.house.community.name,
            "code": r.house.code,
            "relation": r.relation,
            "relation_label": r.relation_label,
            "sees_fees": r.sees_fees,
        }
        for r in access.house_rights(user)
    ]


def _request_data(item) -> dict:
    return {
        "id": item.pk,
        "number": item.number,
        "house_id": item.house_id,
        "house_code": item.house.code,
        "kind": item.kind.code,
        "category": item.category.code,
        "status": item.status,
        "status_label": item.get_status_display(),
        "is_open": item.is_open,
        "owner_status": owner_status_text(item),
        "expected": when(item.promised_at) if item.is_open else "",
        "created_at": item.created_at,
    }


def _request_detail(user, request_id) -> dict:
    view = selectors.request_view(user, request_id)
    return {
        **_request_data(view.request),
        "description": view.request.description,
        "timeline": [
            {
                "at": step.at,
                "action": step.action,
                "text": step.text,
                "note": step.note,
                "photo_ids": [p.pk for p in step.photos],
            }
            for step in view.steps
        ],
        "may_cancel": view.may_cancel,
        "may_rate": view.may_rate,
        "may_add": view.may_add,
    }


# --- sign-in ----------------------------------------------------------------------------------


def _same_site_sign_in(request) -> None:
    """Refuse a sign-in another site's page could send (login CSRF: a hidden form or a
    `text/plain` fetch that signs the victim's browser in as the attacker). A browser sends a
    cross-site JSON post only after a CORS preflight this site never grants, so the body must be
    JSON; and a browser that names another origin is refused outright."""
    content_type = request.headers.get("Content-Type", "").split(";")[0].strip().lower()
    if content_type != "application/json":
        raise PermissionDenied(
            _("Send the sign-in as JSON (Content-Type: application/json)."),
            code=error_codes.SIGN_IN_NOT_JSON,
        )
    origin = request.headers.get("Origin")
    if origin and origin != "null":
        allowed = {f"{request.scheme}://{request.get_host()}", *settings.CSRF_TRUSTED_ORIGINS}
        if origin not in allowed:
            raise PermissionDenied(
                _("Sign in from this site's own pages."), code=error_codes.SIGN_IN_CROSS_SITE
            )
    elif origin == "null" or request.headers.get("Sec-Fetch-Site") == "cross-site":
        raise PermissionDenied(
            _("Sign in from this site's own pages."), code=error_codes.SIGN_IN_CROSS_SITE
        )


@router.post("/auth/code", auth=None, response={200: SentOut, **SIGN_IN_ERRORS})
def code_send(request, payload: MobileIn):
    """Send a 6-digit sign-in code by SMS (rate-limited per number and per IP address)."""
    _same_site_sign_in(request)
    signin.code_request(mobile=payload.mobile, ip=client_ip(request))
    return {"sent": True, "expires_in_seconds": int(signin.code_ttl().total_seconds())}


@router.post("/auth/verify", auth=None, response={200: MeOut, **SIGN_IN_ERRORS})
def code_verify(request, payload: CodeIn):
    """Sign in with the code: starts a portal session (cookie)."""
    _same_site_sign_in(request)
    user = signin.code_verify(mobile=payload.mobile, code=payload.code, ip=client_ip(request))
    login(request, user, backend=BACKEND)
    return {"id": user.pk, "mobile_masked": mask_mobile(user.mobile), "houses": _houses(user)}


@router.post("/auth/password", auth=None, response={200: MeOut, **SIGN_IN_ERRORS})
def password_sign_in(request, payload: PasswordIn):
    _same_site_sign_in(request)
    user = signin.password_sign_in(
        request=request, mobile=payload.mobile, password=payload.password, ip=client_ip(request)
    )
    login(request, user, backend=BACKEND)
    return {"id": user.pk, "mobile_masked": mask_mobile(user.mobile), "houses": _houses(user)}


@router.get("/me", response={200: MeOut, **READ_ERRORS})
def me(request):
    """The account and the houses it is linked to, with the relation and the fee right."""
    user = _owner(request)
    return {"id": user.pk, "mobile_masked": mask_mobile(user.mobile), "houses": _houses(user)}


# --- requests ---------------------------------------------------------------------------------


@router.get("/requests", response={200: list[PortalRequestOut], **READ_ERRORS})
def request_list(request, state: str = ""):
    user = _owner(request)
    items = selectors.request_list(user, state=state[:10])[:50]
    return [_request_data(item) for item in items]


@router.post("/requests", response={201: PortalRequestDetailOut, **WRITE_ERRORS})
def request_create(
    request, payload: Form[PortalRequestIn], photos: File[list[UploadedFile]] = None
):
    """File a request (multipart form, with up to 9 photos in `photos`)."""
    user = _owner(request)
    visit_at = payload.preferred_visit_at
    if visit_at is not None and timezone.is_naive(visit_at):
        visit_at = timezone.make_aware(visit_at)  # a phone's local time, as on the page
    created = portal_requests.request_submit(
        actor=user,
        house_id=payload.house_id,
        kind=payload.kind,
        category=payload.category,
        description=payload.description,
        emergency=payload.emergency,
        preferred_visit_at=visit_at,
        photos=photos or [],
    )
    return Status(201, _request_detail(user, created.pk))


@router.get("/requests/{request_id}", response={200: PortalRequestDetailOut, **READ_ERRORS})
def request_detail(request, request_id: PathId):
    """The request with its timeline in owner language."""
    return _request_detail(_owner(request), request_id)


@router.post("/requests/{request_id}/notes", response={201: PortalEventOut, **WRITE_ERRORS})
def request_note(
    request, request_id: PathId, text: Form[str] = "", photos: File[list[UploadedFile]] = None
):
    user = _owner(request)
    event = portal_requests.request_note(
        actor=user, request_id=request_id, text=text[:5000], photos=photos or []
    )
    return Status(201, {"id": event.pk, "action": event.action, "note": event.note})


@router.post(
    "/requests/{request_id}/cancel", response={200: PortalRequestDetailOut, **WRITE_ERRORS}
)
def request_cancel(request, request_id: PathId, payload: CancelIn):
    user = _owner(request)
    portal_requests.request_withdraw(actor=user, request_id=request_id, reason=payload.reason)
    return _request_detail(user, request_id)


@router.post(
    "/requests/{request_id}/rating", response={200: PortalRequestDetailOut, **WRITE_ERRORS}
)
def request_rating(request, request_id: PathId, payload: RatingIn):
    """Rate 1–5 after resolution; 2 or less reopens it."""
    user = _owner(request)
    portal_requests.request_rate(
        actor=user,
        request_id=request_id,
        satisfaction=payload.satisfaction,
        comment=payload.comment,
    )
    return _request_detail(user, request_id)


@router.get(
    "/requests/{request_id}/photos/{photo_id}",
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
def request_photo(request, request_id: PathId, photo_id: PathId):
    photo = access.photo_for_owner(_owner(request), request_id, photo_id)
    return FileResponse(photo.file.open("rb"), content_type=photo.content_type)


# --- bills and payments -----------------------------------------------------------------------


@router.get("/bills", response={200: list[HouseBillsOut], **READ_ERRORS})
def bills(request, house_id: int | None = None):
    """Unpaid bills and payments (with receipts) of the houses whose fees the account sees."""
    user = _owner(request)
    return [
        {
            "house_id": hb.right.house.pk,
            "house_code": hb.right.house.code,
            "unpaid_fen": hb.dues.outstanding_fen,
            "prepaid_fen": hb.dues.prepaid_fen,
            "bills": [PortalBillOut(**vars(bill)) for bill in hb.dues.bills],
            "payments": _payment_rows(hb.payments),
        }
        for hb in selectors.bills_for(user, house_id)
    ]


def _payment_rows(payments) -> list[dict]:
    return [
        {
            "id": p.pk,
            "amount_fen": p.amount_fen,
            "method": p.method,
            "received_at": p.received_at,
            "receipt_id": receipt.pk if receipt else None,
        }
        for p, receipt in payments
    ]


@router.get("/bills/earlier", response={200: list[EarlierHouseOut], **READ_ERRORS})
def bills_earlier(request):
    """Houses the account owned until a transfer, with the payments, receipts and bills of the
    time it owned them (its own history stays readable; nothing of the house after it)."""
    user = _owner(request)
    return [
        {
            "house_id": earlier.house.pk,
            "house_code": earlier.house.code,
            "start_on": earlier.start_on,
            "end_on": earlier.end_on,
            "payments": _payment_rows(earlier.payments),
            "bills": [
                {
                    "bill_id": bill.pk,
                    "fee_name": fee_name(bill.fee_item),
                    "period": bill.period,
                    "amount_fen": bill.amount_fen,
                }
                for bill in earlier.paid_bills
            ],
        }
        for earlier in selectors.earlier_houses(user)
    ]


@router.get("/receipts/{receipt_id}/pdf", response={200: None, **READ_ERRORS}, openapi_extra=PDF)
def receipt_pdf(request, receipt_id: PathId):
    user = _owner(request)
    receipt = access.receipt_for_owner(user, receipt_id)
    return pdf_response(receipt_print(actor=user, receipt=receipt), f"receipt-{receipt.pk}.pdf")


@router.get(
    "/houses/{house_id}/statement.pdf", response={200: None, **READ_ERRORS}, openapi_extra=PDF
)
def statement(request, house_id: PathId, filters: Query[StatementQuery]):
    right = access.fee_right_for(_owner(request), house_id)
    if filters.date_from and filters.date_to and filters.date_to < filters.date_from:
        raise ValidationFailed(_("The end date is before the start date."), field="date_to")
    date_from = access.statement_start(right, filters.date_from)
    content = statement_pdf_for(right.house, date_from, filters.date_to)
    return pdf_response(content, f"statement-{right.house.code}.pdf")


def _order_data(order) -> dict:
    receipt = getattr(order.payment, "receipt", None) if order.payment_id else None
    return {
        "id": order.pk,
        "number": order.number,
        "house_id": order.house_id,
        "amount_fen": order.amount_fen,
        "status": order.current_status,
        "pay_url": order.pay_url if order.is_payable() else "",
        "expires_at": order.expires_at,
        "receipt_id": receipt.pk if receipt else None,
    }


@router.post("/payments/orders", response={201: OrderOut, **WRITE_ERRORS})
def order_create(request, payload: OrderIn):
    """Start an online payment of chosen open bills (all open bills when none are named)."""
    order = payments.payment_order_create(
        actor=_owner(request), house_id=payload.house_id, bill_ids=payload.bill_ids or None
    )
    return Status(201, _order_data(order))


@router.get("/payments/orders/{order_id}", response={200: OrderOut, **READ_ERRORS})
def order_detail(request, order_id: PathId):
    return _order_data(access.order_for_owner(_owner(request), order_id))


@router.post(
    "/payments/callback/{provider}",
    auth=None,
    response={200: None, **error_responses(400)},
    summary="The payment provider's signed callback (not for owners)",
)
def payment_callback(request, provider: str):
    """Verifies the signature, refuses stale, replayed or mismatched callbacks, and records the
    payment exactly once per provider transaction."""
    payments.payment_callback_handle(
        provider_name=provider[:20], headers=request.headers, body=request.body
    )
    status, content_type, body = provider_named(provider).callback_answer(True)
    return HttpResponse(body, content_type=content_type, status=status)


# --- fee visibility ---------------------------------------------------------------------------


@router.get("/houses/{house_id}/fee-grants", response={200: list[PersonOut], **READ_ERRORS})
def grant_list(request, house_id: PathId):
    """Tenants and entrusted agents of an owned house, and whether they see its fees."""
    right = access.owned_right_for(_owner(request), house_id)
    return [
        {
            "name": p["name"],
            "relation": p["relation"],
            "mobile_masked": mask_mobile(p["mobile"]),
            "grant_id": p["grant"].pk if p["grant"] else None,
        }
        for p in links.grantable_people(right.house)
    ]


def _grant_data(grant) -> dict:
    return {
        "id": grant.pk,
        "house_id": grant.house_id,
        "mobile": mask_mobile(grant.mobile),
        "revoked": grant.revoked_at is not None,
    }


@router.post("/houses/{house_id}/fee-grants", response={201: GrantOut, **WRITE_ERRORS})
def grant_add(request, house_id: PathId, payload: GrantIn):
    grant = links.fee_grant_add(actor=_owner(request), house_id=house_id, mobile=payload.mobile)
    return Status(201, _grant_data(grant))


@router.delete("/houses/{house_id}/fee-grants/{grant_id}", response={200: GrantOut, **WRITE_ERRORS})
def grant_revoke(request, house_id: PathId, grant_id: PathId):
    grant = links.fee_grant_revoke(actor=_owner(request), house_id=house_id, grant_id=grant_id)
    return _grant_data(grant)


# --- link requests ----------------------------------------------------------------------------


def _link_data(row: LinkRequest) -> dict:
    return {
        "id": row.pk,
        "community_id": row.community_id,
        "house_id": row.house_id,
        "house_code": row.house.code,
        "relation": row.relation,
        "name": row.name,
        "status": row.status,
        "decision_note": row.decision_note,
        "created_at": row.created_at,
    }


@router.post("/link-requests", response={201: LinkRequestOut, **WRITE_ERRORS})
def link_request_create(request, payload: LinkRequestIn):
    """Ask to be linked to a house; the service centre checks and decides."""
    user = _owner(request)
    house = links.house_find(community_id=payload.community_id, code=payload.house_code)
    row = links.link_request_create(
        actor=user, house=house, relation=payload.relation, name=payload.name, note=payload.note
    )
    return Status(201, _link_data(row))


@router.get("/link-requests", response={200: list[LinkRequestOut], **READ_ERRORS})
def link_request_mine(request):
    user = _owner(request)
    rows = LinkRequest.objects.filter(user=user).select_related("house")[:50]
    return [_link_data(row) for row in rows]


@router.get("/link-requests/queue", response={200: list[LinkRequestOut], **READ_ERRORS})
def link_request_queue(request, filters: Query[LinkQueueFilters]):
    """The desk's queue of link requests in its communities (PORTAL_LINK_VERIFY)."""
    require(request.auth, Perm.PORTAL_LINK_VERIFY)
    rows = selectors.link_request_queue(request.auth, status=filters.status)[:100]
    return [_link_data(row) for row in rows]


@router.post(
    "/link-requests/{link_request_id}/decision", response={200: LinkRequestOut, **WRITE_ERRORS}
)
def link_request_decide(request, link_request_id: PathId, payload: LinkDecisionIn):
    """Approve (recorded in the registry) or reject with the reason."""
    user = request.auth
    row = selectors.link_request_for_staff(user, link_request_id)
    if payload.decision == "reject":
        row = links.link_request_reject(actor=user, link_request=row, note=payload.note)
    else:
        owner = None
        if payload.owner_id is not None:
            owner = Owner.objects.filter(pk=payload.owner_id, community_id=row.community_id).first()
            if owner is None:
                raise NotFound(_("No such owner in this community."), field="owner_id")
        row = links.link_request_approve(
            actor=user,
            link_request=row,
            owner=owner,
            lease_start=payload.lease_start,
            lease_end=payload.lease_end,
            note=payload.note,
        )
    return _link_data(row)


# --- online refunds (supervisors: PAYMENT_REFUND) ---------------------------------------------


def _with_history(rows: list) -> list:
    history = refunds.refund_history(rows)
    for row in rows:
        row.history = history[row.pk]
    return rows


@router.get("/refunds", response={200: list[RefundOut], **READ_ERRORS})
def refund_list(request):
    """The online refunds of the caller's communities, newest first (at most 100)."""
    require(request.auth, Perm.PAYMENT_REFUND)
    rows = list(refunds.refunds_for(request.auth).order_by("-created_at", "-pk")[:100])
    return _with_history(rows)


@router.get("/refunds/{refund_id}", response={200: RefundOut, **READ_ERRORS})
def refund_detail(request, refund_id: PathId):
    return _with_history([refunds.refund_for_user(request.auth, refund_id)])[0]


@router.post("/refunds", response={201: RefundOut, **WRITE_ERRORS})
def refund_create(request, payload: RefundIn):
    """Send an approved correction's refund. Sending the same correction again answers the
    same refund (the provider is asked for the same refund number, never for a second one)."""
    require(request.auth, Perm.PAYMENT_REFUND)
    correction = fetch_named(
        refunds.correction_for_user, request.auth, payload.correction_id, field="correction_id"
    )
    refund = refunds.refund_for_adjustment(
        actor=request.auth,
        adjustment_id=correction.pk,
        order_id=payload.order_id,
        reason=payload.reason,
    )
    return Status(201, _with_history([refunds.refund_for_user(request.auth, refund.pk)])[0])
