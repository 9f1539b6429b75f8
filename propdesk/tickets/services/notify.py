"""Telling people about a request through the outbox (DESIGN.md: side effects go through it).

Messages are written in the caller's transaction, so a rolled-back step tells nobody, and each
carries a dedupe key built from the timeline event that caused it, so a retried step or a
re-delivered message is never a second message to the owner.

Intake is the busiest step, so its owners' messages are built by the worker instead
(`owner_notice_later`): the `created` event is inserted marked `owner_notice_pending`, and after
commit the worker is woken — at most once a second per process, however many requests come in —
to queue the messages of every marked event (`owner_notices_send`). The mark is written with the
request, so a lost wake-up only delays the messages until the minute's sweep.
"""

import logging
import threading
import time

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _

from propdesk.core.outbox import message_build, message_enqueue, messages_enqueue
from propdesk.notices.events import request_event_for
from propdesk.notices.rendering import render_notification
from propdesk.notices.wechat import wechat_openids_for
from propdesk.tickets import clock
from propdesk.tickets.models import RequestEvent, ServiceRequest
from propdesk.tickets.owner_text import in_owner_language, owner_status_text, when

logger = logging.getLogger("propdesk.tickets")


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
    messages = _owner_messages(request, event, extra)
    messages_enqueue(messages)
    return len(messages)


def _owner_messages(request: ServiceRequest, event: RequestEvent, extra: str = "") -> list:
    context = in_owner_language(_owner_context, request, extra)
    template = request_event_for(event.action)
    urgent = bool(request.urgency_id and request.urgency.is_emergency)
    messages = []
    for channel, recipient, user in owner_recipients(request):
        words = render_notification(template, context, request.community_id, channel=channel)
        messages.append(
            message_build(
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
        )
    return messages


def owner_notice_later() -> bool:
    """For a step whose event is about to be inserted: whether to mark it for the worker to tell
    the owners (`owner_notice_pending`), and if so wake the worker after commit. Replays of the
    past (`clock.quiet`) tell nobody."""
    if clock.is_quiet():
        return False
    transaction.on_commit(_owner_notices_wake)
    return True


_wake = threading.Lock()
_wake_queued_until = 0.0  # monotonic time before which this process's queued pass has not run


def _owner_notices_wake() -> None:
    """Ask the worker for a pass over the marked events, to start `OWNER_NOTICE_BATCH_SECONDS`
    from now. A pass this process queued earlier that has not started yet will also find this
    request (committed before it starts), so none is queued again: one wake-up per batch."""
    from propdesk.tickets.tasks import request_owner_notices

    global _wake_queued_until
    delay = settings.OWNER_NOTICE_BATCH_SECONDS
    with _wake:
        now = time.monotonic()
        if delay and now < _wake_queued_until:
            return
        _wake_queued_until = now + delay
    try:
        if delay:
            request_owner_notices.schedule(delay=delay)
        else:
            request_owner_notices()
    except Exception:  # the minute's sweep tells them anyway
        _wake_queued_until = 0.0
        logger.exception("could not wake the worker for the owners' messages")


def owner_notices_send(*, batch: int = 100, max_batches: int = 50) -> int:
    """The worker's pass: queue the owners' messages of the events marked for it, oldest first,
    and return how many messages were queued. Each batch is claimed with
    `SELECT … FOR UPDATE SKIP LOCKED` and unmarked in the transaction that writes its messages,
    so two workers never build the same event's messages, and the dedupe keys would drop them
    if they did. The words say the request as it stood at the event (its status then)."""
    queued = 0
    for _batch in range(max_batches):
        with transaction.atomic():
            event_ids = list(
                RequestEvent.objects.filter(owner_notice_pending=True)
                .select_for_update(skip_locked=True)
                .order_by("id")
                .values_list("id", flat=True)[:batch]
            )
            if not event_ids:
                break
            events = RequestEvent.objects.filter(id__in=event_ids).select_related(
                "request__community",
                "request__house",
                "request__category",
                "request__department",
                "request__urgency",
            )
            messages = []
            for event in events.order_by("id"):
                request = event.request
                request.status = event.to_status or request.status
                messages += _owner_messages(request, event)
            RequestEvent.objects.filter(id__in=event_ids).update(owner_notice_pending=False)
            messages_enqueue(messages)
            queued += len(messages)
        if len(event_ids) < batch:
            break
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
