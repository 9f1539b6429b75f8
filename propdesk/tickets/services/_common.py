"""What the request services share: locking, timeline events, role checks on one request."""

from typing import Any

from django.utils.translation import gettext as _

from propdesk.core.cleaning import clean_text
from propdesk.core.errors import Conflict, PermissionDenied, ValidationFailed
from propdesk.core.permissions import Perm, has_perm, require
from propdesk.core.rows import insert_row
from propdesk.estates import owner_access
from propdesk.tickets import clock, error_codes
from propdesk.tickets.models import Answer, RequestEvent, ServiceRequest


def lock_request(request: ServiceRequest) -> ServiceRequest:
    """Re-read the request with its row locked for the rest of the transaction.

    Two agents acting on one request at once are served one after the other; the second sees the
    first one's status and is refused by the transition table if its step no longer applies.
    """
    return ServiceRequest.objects.select_for_update().get(pk=request.pk)


def event_record(
    *,
    request: ServiceRequest,
    actor,
    action: str,
    from_status: str = "",
    to_status: str = "",
    note: str = "",
    data: dict[str, Any] | None = None,
    at=None,
    owner_notice_pending: bool = False,
) -> RequestEvent:
    event = event_row(
        request=request,
        actor=actor,
        action=action,
        from_status=from_status,
        to_status=to_status,
        note=note,
        data=data,
        at=at or clock.now(),
        owner_notice_pending=owner_notice_pending,
    )
    insert_row(event)  # a statement built once (core.rows): every step of every request writes one
    return event


def event_row(
    *,
    request: ServiceRequest,
    actor,
    action: str,
    at,
    from_status: str = "",
    to_status: str = "",
    note: str = "",
    data: dict[str, Any] | None = None,
    owner_notice_pending: bool = False,
) -> RequestEvent:
    """A timeline row, not yet saved (the demo's bulk replay writes many at once)."""
    return RequestEvent(
        community_id=request.community_id,
        request=request,
        actor=actor if getattr(actor, "pk", None) else None,
        action=action,
        from_status=from_status,
        to_status=to_status,
        note=note,
        data=data or {},
        at=at,
        owner_notice_pending=owner_notice_pending,
    )


def clean_note(field: str, value: Any, *, max_length: int = 2000, required: bool = False) -> str:
    """A note, description or reason: clean text of at most 2,000 characters by default."""
    return clean_text(field, value, max_length=max_length, required=required)


def is_owner_of(user, request: ServiceRequest) -> bool:
    """Whether `user` is the portal account of a current owner (or co-owner) of the request's
    house: the archive record linked to the account, or an owner with the account's mobile."""
    if not (user and user.is_authenticated) or request.house_id is None:
        return False
    right = owner_access.right_on(user, request.house_id)
    return right is not None and right.is_owner


def is_house_person(user, request: ServiceRequest) -> bool:
    """Whether `user` is the portal account of anyone the registry links to the request's house:
    an owner, a family member or tenant living there, or an entrusted agent. They file requests
    in the portal, follow them, add notes, cancel and rate (DOMAIN.md §2, §9)."""
    if not (user and user.is_authenticated) or request.house_id is None:
        return False
    return owner_access.right_on(user, request.house_id) is not None


def require_on_request(user, perm: Perm, request: ServiceRequest) -> None:
    """The role check of one step on one request, including who may touch whose work.

    Holders of the dispatch right (the desk, supervisors) act on any request of their
    communities; others with the work right (technicians) only on requests assigned to them or
    to their department and not yet to anyone else.
    """
    require(user, perm, request.community_id)
    if perm != Perm.REQUEST_WORK or has_perm(user, Perm.REQUEST_DISPATCH):
        return
    if request.assignee_id == user.id:
        return
    if (
        request.assignee_id is None
        and request.department_id is not None
        and request.department_id == getattr(user, "department_id", None)
    ):
        return
    raise PermissionDenied(
        _("This request is assigned to someone else."), code=error_codes.NOT_ASSIGNED_TO_YOU
    )


def refuse_state(request: ServiceRequest, message) -> Conflict:
    return Conflict(message, code=error_codes.ILLEGAL_TRANSITION, field="status")


def answer_check(actor, request: ServiceRequest, via: str) -> None:
    """Who may record an owner's answer to a proposal (a cost, a solution), and how: the desk by
    phone or in person, the owner themselves in the portal (DOMAIN.md §2)."""
    if not (via == Answer.PORTAL and is_owner_of(actor, request)):
        require_on_request(actor, Perm.REQUEST_DISPATCH, request)
    if not has_perm(actor, Perm.REQUEST_DISPATCH) and via != Answer.PORTAL:
        raise ValidationFailed(_("Owners answer through the portal."), field="via")
    if via not in Answer.values:
        raise ValidationFailed(_("Choose how the owner answered."), field="via")
