"""Telling people about a request through the outbox (DESIGN.md: side effects go through it).

Messages are written in the caller's transaction, so a rolled-back step tells nobody, and each
carries a dedupe key built from the timeline event that caused it, so a retried step or a
re-delivered message is never a second message to the owner.
"""

from django.utils.translation import gettext as _

from propdesk.core.outbox import message_enqueue
from propdesk.notices.events import request_event_for
from propdesk.notices.rendering import render_notification
from propdesk.notices.wechat import wechat_openids_for
from propdesk.tickets import clock
from propdesk.tickets.models import RequestEvent, ServiceRequest
from propdesk.tickets.owner_text import in_owner_language, owner_status_text, when


def owner_recipients(request: ServiceRequest) -> list[tuple[str, str, object]]:
    """(channel, recipient, user): an SMS to the contact number, the portal inbox of owners.

    When the contact number is an account owner's own, the SMS carries that user, so the owner's
    contact preferences and quiet hours apply to it (notices.delivery_policy)."""
    from propdesk.accounts.models import User
    from propdesk.estates.models import Ownership

    # (mobile, user id) of the current owners with a portal account: a light query on every
    # request; the accounts themselves are read only when there are some.
    owners = []
    if request.house_id:
        owners = list(
            Ownership.objects.filter(
                house_id=request.house_id, end_on__isnull=True, owner__user__isnull=False
            )
            .order_by("id")
            .values_list("owner__mobile", "owner__user_id")
        )
    users = User.objects.in_bulk([user_id for _mobile, user_id in owners]) if owners else {}
    recipients: list[tuple[str, str, object]] = []
    if request.caller_mobile:
        caller = next((users[u] for m, u in owners if m == request.caller_mobile), None)
        recipients.append(("sms", request.caller_mobile, caller))
    seen = set()
    for _mobile, user_id in owners:
        if user_id not in seen:  # one account owning the house twice is told once
            seen.add(user_id)
            recipients.append(("in_app", users[user_id].username, users[user_id]))
    openids = wechat_openids_for(users.values(), request.community_id) if users else {}
    for user_id, openid in openids.items():
        recipients.append(("wechat", openid, users[user_id]))
    return recipients


def owner_notify(*, request: ServiceRequest, event: RequestEvent, extra: str = "") -> int:
    """Queue the owner's status message for `event`; return how many messages were queued.

    The words come from the notices app's editable template for the event (request received,
    dispatched, resolved, follow-up, other progress); emergencies ignore quiet hours."""
    if clock.is_quiet():
        return 0
    context = in_owner_language(_owner_context, request, extra)
    template = request_event_for(event.action)
    urgent = bool(request.urgency_id and request.urgency.is_emergency)
    queued = 0
    for channel, recipient, user in owner_recipients(request):
        words = render_notification(template, context, request.community_id, channel=channel)
        message_enqueue(
            channel=channel,
            recipient=recipient,
            recipient_user=user,
            event=f"request.{event.action}",
            subject=words.subject,
            body=words.body,
            dedupe_key=f"request:{request.pk}:event:{event.pk}:{channel}:{recipient}",
            community_id=request.community_id,
            urgent=urgent,
            params=context,
        )
        queued += 1
    return queued


def _owner_context(request: ServiceRequest, extra: str) -> dict:
    return {
        "community": request.community.name,
        "number": request.number,
        "house": request.house.code if request.house_id else "",
        "category": request.category.label if request.category_id else "",
        "department": request.department.name if request.department_id else "",
        "due": when(request.promised_at),
        "status": owner_status_text(request),
        "note": f" {extra}" if extra else "",
    }


def assignee_notify(*, request: ServiceRequest, event: RequestEvent) -> int:
    """Tell the person a request was assigned to (their in-app inbox)."""
    if clock.is_quiet() or request.assignee_id is None:
        return 0
    assignee = request.assignee
    message_enqueue(
        channel="in_app",
        recipient=assignee.username,
        recipient_user=assignee,
        event="request.assigned",
        subject=_("New work: %(number)s") % {"number": request.number},
        body=_("%(number)s (%(category)s) at %(place)s is assigned to you.")
        % {
            "number": request.number,
            "category": request.category.label,
            "place": request.house.code if request.house_id else request.location or "—",
        },
        dedupe_key=f"request:{request.pk}:event:{event.pk}:assignee:{assignee.pk}",
        community_id=request.community_id,
    )
    return 1
