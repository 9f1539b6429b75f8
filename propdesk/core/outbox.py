"""The notification outbox: enqueue inside the business transaction, deliver from the worker.

- `message_enqueue` writes the row in the caller's transaction (so a rolled-back change sends
  nothing) and asks the worker to deliver right after commit. A sender queuing many messages at
  once (an announcement, a billing run's notices) builds them with `message_build` and hands them
  to `messages_enqueue`: batched inserts and one delivery pass after commit instead of a row, a
  savepoint and a queued task per message.
- `outbox_deliver_due` is the periodic sweep: it claims due messages one at a time with a
  conditional UPDATE (safe with several workers), calls the channel's transport, and either marks
  the message sent or schedules a retry with exponential back-off; permanent failures and messages
  out of attempts end as `dead`. A message claimed by a worker that died is claimed again after
  `CLAIM_TIMEOUT`: delivery is at least once, and `dedupe_key` lets receivers drop repeats.
- A message to a user account passes the delivery policy (`settings.OUTBOX_DELIVERY_POLICY`,
  by default the notices app's: channel switches and quiet hours) when it is queued and again
  when it is about to leave, so a retry that falls into the night waits for the morning and a
  channel turned off in the meantime is respected. The policy may defer the message or keep it as
  `skipped`; an `urgent` message (an emergency) is never deferred or skipped.
"""

import datetime
import logging

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.module_loading import import_string

from propdesk.core.models import OutboxMessage
from propdesk.core.transports import TransportError, transport_for

logger = logging.getLogger("propdesk.outbox")

MAX_ATTEMPTS = 8
CLAIM_TIMEOUT = datetime.timedelta(minutes=5)
DEFAULT_DELIVERY_POLICY = "propdesk.notices.delivery_policy.delivery_decision"
Status = OutboxMessage.Status


def delivery_policy():
    """The function deciding per recipient whether and when a message goes, or None."""
    path = getattr(settings, "OUTBOX_DELIVERY_POLICY", DEFAULT_DELIVERY_POLICY)
    if not path:
        return None
    try:
        return import_string(path)
    except ImportError:
        logger.warning("outbox delivery policy %s cannot be imported; sending as asked", path)
        return None


def retry_delay(attempts: int) -> datetime.timedelta:
    """1, 2, 4 … minutes after each failed attempt, at most an hour."""
    return datetime.timedelta(minutes=min(2 ** max(attempts - 1, 0), 60))


def message_build(
    *,
    channel: str,
    recipient: str,
    event: str,
    body: str,
    dedupe_key: str,
    subject: str = "",
    community_id: int | None = None,
    recipient_user=None,
    send_at: datetime.datetime | None = None,
    urgent: bool = False,
) -> OutboxMessage:
    """The unsaved row for one message, the delivery policy applied: a message to
    `recipient_user` follows that person's preferences unless it is `urgent`, and may come back
    deferred (`next_attempt_at` later) or `skipped`."""
    if channel not in OutboxMessage.Channel.values:
        raise ValueError(f"unknown channel {channel!r}")
    status, reason, due = Status.PENDING, "", send_at or timezone.now()
    policy = delivery_policy() if recipient_user is not None else None
    if policy is not None:
        decision = policy(user=recipient_user, channel=channel, urgent=urgent, at=due)
        if decision.skip:
            status, reason = Status.SKIPPED, decision.reason
        elif decision.send_at is not None and decision.send_at > due:
            due = decision.send_at
    return OutboxMessage(
        channel=channel,
        recipient=recipient[:200],
        recipient_user=recipient_user,
        event=event[:60],
        subject=subject[:200],
        body=body,
        dedupe_key=dedupe_key[:200],
        community_id=community_id,
        status=status,
        last_error=reason[:500],
        next_attempt_at=due,
        urgent=urgent,
    )


def message_enqueue(*, wake: bool = True, **fields) -> OutboxMessage:
    """Queue one message (the fields of `message_build`); the same `dedupe_key` twice queues it
    once and returns the first. The worker is asked to deliver it right after commit unless it
    waits (scheduled, deferred or skipped) or `wake` is False."""
    message = message_build(**fields)
    try:
        with transaction.atomic():
            message.save(force_insert=True)
    except IntegrityError:
        return OutboxMessage.objects.get(dedupe_key=message.dedupe_key)
    due_now = message.next_attempt_at <= timezone.now()
    if wake and due_now and message.status == Status.PENDING:
        transaction.on_commit(lambda: _deliver_soon(message.id))
    return message


def messages_enqueue(messages: list[OutboxMessage], *, batch_size: int = 500) -> None:
    """Queue many built messages at once (an announcement, a billing run's notices): written in
    batches, a dedupe key already queued left as it is, and one delivery pass after commit."""
    OutboxMessage.objects.bulk_create(messages, batch_size=batch_size, ignore_conflicts=True)
    if messages:
        outbox_wake()


def outbox_wake() -> None:
    """After queuing a batch with `wake=False`: one pass delivering everything due, once the
    caller's transaction has committed."""
    transaction.on_commit(_deliver_due_soon)


def _deliver_soon(message_id: int) -> None:
    from propdesk.core.tasks import outbox_deliver_one

    try:
        outbox_deliver_one(message_id)
    except Exception:  # the periodic sweep delivers it anyway
        logger.exception("could not hand outbox message %s to the worker", message_id)


def _deliver_due_soon() -> None:
    from propdesk.core.tasks import outbox_deliver_pending

    try:
        outbox_deliver_pending()
    except Exception:  # the periodic sweep delivers them anyway
        logger.exception("could not hand the queued messages to the worker")


def _claim(message_id: int, now: datetime.datetime) -> bool:
    """Take the message for delivery; False when another worker has it or it is not due."""
    due = OutboxMessage.objects.filter(id=message_id, next_attempt_at__lte=now).filter(
        status=Status.PENDING
    ) | OutboxMessage.objects.filter(
        id=message_id, status=Status.SENDING, claimed_at__lt=now - CLAIM_TIMEOUT
    )
    return (
        OutboxMessage.objects.filter(id__in=due.values("id")).update(
            status=Status.SENDING, claimed_at=now
        )
        == 1
    )


def message_deliver(message_id: int) -> str:
    """Deliver one message if it is due and unclaimed; return its status afterwards."""
    now = timezone.now()
    if not _claim(message_id, now):
        return OutboxMessage.objects.filter(id=message_id).values_list("status", flat=True).first()
    message = OutboxMessage.objects.select_related("recipient_user").get(id=message_id)
    held = _held_by_policy(message, now)
    if held is not None:
        return held
    attempts = message.attempts + 1
    try:
        transport_for(message.channel).send(message)
    except TransportError as exc:
        dead = exc.permanent or attempts >= MAX_ATTEMPTS
        OutboxMessage.objects.filter(id=message_id).update(
            status=Status.DEAD if dead else Status.PENDING,
            attempts=attempts,
            last_error=str(exc)[:500],
            next_attempt_at=now + retry_delay(attempts),
            claimed_at=None,
        )
        return Status.DEAD if dead else Status.PENDING
    OutboxMessage.objects.filter(id=message_id).update(
        status=Status.SENT,
        attempts=attempts,
        sent_at=timezone.now(),
        last_error="",
        claimed_at=None,
    )
    return Status.SENT


def _held_by_policy(message: OutboxMessage, now: datetime.datetime) -> str | None:
    """Ask the policy again as the message leaves: quiet hours may have begun since it was queued
    (a retry after a failure) or the person may have turned the channel off. Returns the status
    the message is left in, or None when it goes now. Holding it back costs no attempt."""
    if message.urgent or message.recipient_user is None:
        return None
    policy = delivery_policy()
    if policy is None:
        return None
    decision = policy(user=message.recipient_user, channel=message.channel, urgent=False, at=now)
    if decision.skip:
        status, due = Status.SKIPPED, message.next_attempt_at
    elif decision.send_at is not None and decision.send_at > now:
        status, due = Status.PENDING, decision.send_at
    else:
        return None
    OutboxMessage.objects.filter(id=message.id).update(
        status=status, next_attempt_at=due, last_error=decision.reason[:500], claimed_at=None
    )
    return status


def _due_ids(limit: int) -> list[int]:
    now = timezone.now()
    due = OutboxMessage.objects.filter(
        status=Status.PENDING, next_attempt_at__lte=now
    ) | OutboxMessage.objects.filter(status=Status.SENDING, claimed_at__lt=now - CLAIM_TIMEOUT)
    return list(due.order_by("next_attempt_at", "id").values_list("id", flat=True)[:limit])


def outbox_deliver_due(*, limit: int = 500) -> int:
    """Deliver what is due (and what a dead worker left half-done); return how many were sent."""
    return sum(1 for message_id in _due_ids(limit) if message_deliver(message_id) == Status.SENT)


def outbox_deliver_all_due(*, batch: int = 500, max_batches: int = 200) -> int:
    """Deliver batch after batch until nothing is due (after a bulk send); return how many were
    sent. A message that fails is rescheduled, so it is not due again in the same pass."""
    sent = 0
    for _batch in range(max_batches):
        ids = _due_ids(batch)
        sent += sum(1 for message_id in ids if message_deliver(message_id) == Status.SENT)
        if len(ids) < batch:
            break
    return sent
