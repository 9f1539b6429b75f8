"""The notification outbox: enqueue inside the business transaction, deliver from the worker.

- `message_enqueue` writes the row in the caller's transaction (so a rolled-back change sends
  nothing) and asks the worker to deliver right after commit. A sender queuing many messages at
  once (an announcement, a billing run's notices) builds them with `message_build` and hands them
  to `messages_enqueue`: batched inserts and one delivery pass after commit instead of a row, a
  savepoint and a queued task per message.
- `outbox_deliver_due` is the periodic sweep: it claims due messages a few at a time with
  `SELECT … FOR UPDATE SKIP LOCKED` (several workers take different messages; one message is
  claimed by an UPDATE testing its status on the row), calls the channel's transport, and
  either marks the message sent or schedules a retry with exponential back-off; permanent
  failures and messages out of attempts end as `dead`. A message claimed by a worker that died
  is claimed again after `CLAIM_TIMEOUT`: delivery is at least once, and `dedupe_key` lets
  receivers drop repeats.
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
from django.db.models import Q
from django.utils import timezone
from django.utils.module_loading import import_string

from propdesk.core.models import OutboxMessage
from propdesk.core.transports import TransportError, transport_for
from propdesk.core.transports.base import TransportDeferred
from propdesk.core.unreachable import address_mark_unreachable, address_unreachable

logger = logging.getLogger("propdesk.outbox")

MAX_ATTEMPTS = 8
CLAIM_TIMEOUT = datetime.timedelta(minutes=5)
CLAIM_BATCH = 20  # messages a worker claims at once: sent well within CLAIM_TIMEOUT
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


def template_params(values: dict | None) -> dict:
    """The event's variables as text, for providers' templates (SMS, WeChat): JSON-safe, each cut
    to 200 characters."""
    return {str(k)[:40]: str(v)[:200] for k, v in (values or {}).items() if v is not None}


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
    params: dict | None = None,
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
        params=template_params(params),
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


def _due(now: datetime.datetime) -> Q:
    """Due: pending and its time has come, or claimed by a worker that died (CLAIM_TIMEOUT)."""
    return Q(status=Status.PENDING, next_attempt_at__lte=now) | Q(
        status=Status.SENDING, claimed_at__lt=now - CLAIM_TIMEOUT
    )


def _claim(message_id: int, now: datetime.datetime) -> bool:
    """Take one message for delivery; False when another worker has it or it is not due.

    One UPDATE whose WHERE tests the status on the row it changes: a worker that waited for
    another's claim of the row reads the claimed row again and finds it no longer due."""
    return (
        OutboxMessage.objects.filter(_due(now), id=message_id).update(
            status=Status.SENDING, claimed_at=now
        )
        == 1
    )


def _claim_due(limit: int, now: datetime.datetime) -> list[int]:
    """Take up to `limit` due messages for delivery, oldest first, and return their ids. The rows
    are locked with SKIP LOCKED, so workers claiming at once take different messages and none
    waits for another (SQLite runs one writing transaction at a time)."""
    with transaction.atomic():
        ids = list(
            OutboxMessage.objects.filter(_due(now))
            .select_for_update(skip_locked=True)
            .order_by("next_attempt_at", "id")
            .values_list("id", flat=True)[:limit]
        )
        if ids:
            OutboxMessage.objects.filter(id__in=ids).update(status=Status.SENDING, claimed_at=now)
    return ids


def message_deliver(message_id: int) -> str:
    """Deliver one message if it is due and unclaimed; return its status afterwards."""
    now = timezone.now()
    if not _claim(message_id, now):
        return OutboxMessage.objects.filter(id=message_id).values_list("status", flat=True).first()
    message = OutboxMessage.objects.select_related("recipient_user").get(id=message_id)
    return _send_claimed(message, now)


def _send_claimed(message: OutboxMessage, now: datetime.datetime) -> str:
    """Hand a message this worker has claimed to its transport; return its status afterwards."""
    message_id = message.id
    held = _held_by_policy(message, now)
    if held is not None:
        return held
    if address_unreachable(message.channel, message.recipient) is not None:
        OutboxMessage.objects.filter(id=message_id).update(
            status=Status.DEAD,
            last_error="the provider said this address does not exist (marked unreachable)",
            claimed_at=None,
        )
        return Status.DEAD
    attempts = message.attempts + 1
    try:
        provider_ref = transport_for(message.channel).send(message)
    except TransportDeferred as exc:
        # A rate limit or quota: later, and it costs no attempt (deferred, never dropped).
        OutboxMessage.objects.filter(id=message_id).update(
            status=Status.PENDING,
            last_error=str(exc)[:500],
            next_attempt_at=max(exc.retry_at, now),
            claimed_at=None,
        )
        return Status.PENDING
    except TransportError as exc:
        if exc.unreachable:
            address_mark_unreachable(
                channel=message.channel, address=message.recipient, reason=str(exc)
            )
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
        provider_ref=str(provider_ref or "")[:100],
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


def _deliver_batch(limit: int) -> tuple[int, int]:
    """Claim up to `limit` due messages and deliver them; (claimed, sent)."""
    now = timezone.now()
    ids = _claim_due(limit, now)
    messages = OutboxMessage.objects.select_related("recipient_user").filter(id__in=ids)
    sent = sum(
        1
        for message in messages.order_by("next_attempt_at", "id")
        if _send_claimed(message, now) == Status.SENT
    )
    return len(ids), sent


def _deliver(limit: int) -> tuple[int, int]:
    """Deliver up to `limit` due messages, a claimed batch at a time; (claimed, sent)."""
    claimed = sent = 0
    while claimed < limit:
        asked = min(CLAIM_BATCH, limit - claimed)
        batch_claimed, batch_sent = _deliver_batch(asked)
        claimed, sent = claimed + batch_claimed, sent + batch_sent
        if batch_claimed < asked:
            break
    return claimed, sent


def outbox_deliver_due(*, limit: int = 500) -> int:
    """Deliver what is due (and what a dead worker left half-done); return how many were sent."""
    return _deliver(limit)[1]


def outbox_deliver_all_due(*, batch: int = 500, max_batches: int = 200) -> int:
    """Deliver batch after batch until nothing is due (after a bulk send); return how many were
    sent. A message that fails is rescheduled, so it is not due again in the same pass."""
    sent = 0
    for _batch in range(max_batches):
        claimed, batch_sent = _deliver(batch)
        sent += batch_sent
        if claimed < batch:
            break
    return sent


def message_receipt_record(
    *,
    channel: str,
    provider_ref: str,
    recipient: str,
    delivered: bool,
    error: str = "",
    at: datetime.datetime | None = None,
    unreachable: bool = False,
) -> str:
    """Record a provider's delivery receipt on the message it sent; return "recorded",
    "duplicate" (a receipt for it is already recorded: nothing changes) or "unknown" (no message
    of this channel was sent under that id to that address: a forged or misdirected receipt,
    nothing changes). The first receipt wins: one UPDATE whose WHERE tests that none is recorded.
    A failure the provider explains as a number that does not exist marks it unreachable."""
    provider_ref, recipient = (provider_ref or "").strip(), (recipient or "").strip()
    if not provider_ref or not recipient:
        return "unknown"
    found = OutboxMessage.objects.filter(
        channel=channel, provider_ref=provider_ref, recipient=recipient, status=Status.SENT
    )
    if not found.exists():
        return "unknown"
    status = OutboxMessage.Receipt.DELIVERED if delivered else OutboxMessage.Receipt.FAILED
    changed = found.filter(receipt_status="").update(
        receipt_status=status, receipt_at=at or timezone.now(), receipt_error=error[:200]
    )
    if not changed:
        return "duplicate"
    if unreachable and not delivered:
        address_mark_unreachable(channel=channel, address=recipient, reason=error or "undelivered")
    return "recorded"
