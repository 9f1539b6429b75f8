"""Telling people about a request through the outbox (DESIGN.md: side effects go through it).

Messages are written in the caller's transaction, so a rolled-back step tells nobody, and each
carries a dedupe key built from the timeline event that caused it, so a retried step or a
re-delivered message is never a second message to the owner.
"""

from django.utils.translation import gettext as _

from propdesk.core.outbox import message_enqueue
from propdesk.tickets import clock
from propdesk.tickets.models import RequestEvent, ServiceRequest
from propdesk.tickets.owner_text import in_owner_language, owner_status_text


def owner_recipients(request: ServiceRequest) -> list[tuple[str, str, object]]:
    """(channel, recipient, user): an SMS to the contact number, the portal inbox of owners."""
    from propdesk.estates.models import Ownership

    recipients: list[tuple[str, str, object]] = []
    if request.caller_mobile:
        recipients.append(("sms", request.caller_mobile, None))
    if request.house_id:
        for ownership in Ownership.objects.filter(
            house_id=request.house_id, end_on__isnull=True, owner__user__isnull=False
        ).select_related("owner__user"):
            user = ownership.owner.user
            recipients.append(("in_app", user.username, user))
    return recipients


def owner_notify(*, request: ServiceRequest, event: RequestEvent, extra: str = "") -> int:
    """Queue the owner's status message for `event`; return how many messages were queued."""
    if clock.is_quiet():
        return 0
    body = in_owner_language(_owner_body, request, extra)
    subject = in_owner_language(lambda: _("Your request %(number)s") % {"number": request.number})
    queued = 0
    for channel, recipient, user in owner_recipients(request):
        message_enqueue(
            channel=channel,
            recipient=recipient,
            recipient_user=user,
            event=f"request.{event.action}",
            subject=subject,
            body=body,
            dedupe_key=f"request:{request.pk}:event:{event.pk}:{channel}:{recipient}",
            community_id=request.community_id,
        )
        queued += 1
    return queued


def _owner_body(request: ServiceRequest, extra: str) -> str:
    text = owner_status_text(request)
    return f"{text} {extra}".strip() if extra else text


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
